"""Fixtures for the lineage tests: one Neo4j store for the module (cleared per example)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore


@pytest.fixture(scope="module")
def lineage_neo4j(neo4j_target: Neo4jTarget) -> Iterator[Neo4jStore]:
    """A Neo4j store shared by a module; tests call ``clear()`` themselves (hypothesis)."""
    store = Neo4jStore.from_target(neo4j_target)
    store.init_schema()
    store.clear()
    yield store
    store.close()
