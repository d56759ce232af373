"""Lineage queries on the in-memory networkx graph: the reference semantics (the oracle)."""

from __future__ import annotations


class MemoryLineageMixin:
    """Implements ``LineageQueries`` for ``MemoryStore``; filled in by the lineage work."""
