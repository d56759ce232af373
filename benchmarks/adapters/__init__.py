"""One adapter per system: ingest a workload stream, answer the benchmark questions.

Every answer is normalised to names (sorted lists or tuples) so the three systems can be
compared exactly before any time is reported.
"""

from __future__ import annotations

from .base import Answer, IngestStats, KeyMap, Method, System

__all__ = ["Answer", "IngestStats", "KeyMap", "Method", "System", "make"]


def make(name: str, workdir: str) -> System:
    """The adapter for ``name`` ("networkx", "mlmd", "mlmd-batch" or "lineage-graph")."""
    if name == "networkx":
        from .nx_adapter import NetworkxSystem

        return NetworkxSystem()
    if name in ("mlmd", "mlmd-batch"):
        from .mlmd_adapter import MlmdSystem

        return MlmdSystem(workdir, batch=name == "mlmd-batch")
    if name == "lineage-graph":
        from .lg_adapter import LineageGraphSystem

        return LineageGraphSystem()
    raise ValueError(f"unknown system {name!r}: use networkx, mlmd or lineage-graph")
