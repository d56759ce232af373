"""Lineage queries every store answers (upstream, downstream, paths, taint, the seed's questions).

Owned by the lineage work (issue 5): abstract methods here, one implementation per backend in
``store/neo4j_lineage.py`` (one Cypher query each) and ``store/memory_lineage.py`` (networkx).
"""

from __future__ import annotations

from abc import ABC


class LineageQueries(ABC):  # noqa: B024 - filled in by the lineage work
    """Abstract lineage surface shared by both backends."""
