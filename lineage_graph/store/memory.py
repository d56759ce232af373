"""The in-memory backend: a networkx MultiDiGraph with the same semantics as Neo4j (the oracle)."""

from __future__ import annotations

from .base import Store
from .memory_lineage import MemoryLineageMixin


class MemoryStore(MemoryLineageMixin, Store):  # type: ignore[misc]
    """Filled in by the metadata-store work (issue 4)."""
