"""Lineage queries on Neo4j: one parameterised Cypher statement each (see cypher/queries)."""

from __future__ import annotations


class Neo4jLineageMixin:
    """Implements ``LineageQueries`` for ``Neo4jStore``; filled in by the lineage work."""
