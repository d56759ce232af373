"""A generated MLMD store with >= 100,000 events imports with identical answers (heavy)."""

from __future__ import annotations

import resource
import time
import tracemalloc
from pathlib import Path

import pytest

from lineage_graph.answers import NodeRef
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.models import Kind
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .mlmd_history import build
from .test_mlmd import _mlmd_walk


@pytest.mark.heavy
def test_100k_events_import_with_identical_answers(neo4j_store: Neo4jStore, tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite"
    rw = build(path, executions=30_000, seed=11, runs_every=50)
    exe_ids = [e.id for e in rw.get_executions()]
    n_events = sum(
        len(rw.get_events_by_execution_ids(exe_ids[i : i + 1000]))
        for i in range(0, len(exe_ids), 1000)
    )
    assert n_events >= 100_000

    mlmd = open_mlmd(path)
    tracemalloc.start()
    started = time.perf_counter()
    report = import_mlmd(neo4j_store, mlmd, batch=2000)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nMLMD import: {n_events} events, {report.new} nodes in {elapsed:.1f} s; "
        f"client Python heap peak {peak / 2**20:.1f} MiB (tracemalloc), "
        f"process max RSS {maxrss_mb:.0f} MiB"
    )
    assert report.events_new == n_events

    oracle = MemoryStore()
    import_mlmd(oracle, mlmd, batch=5000)
    arts = rw.get_artifacts()
    starts = [(Kind.ARTIFACT, a.id) for a in arts[:: max(1, len(arts) // 25)]]
    starts += [(Kind.EXECUTION, e) for e in exe_ids[:: max(1, len(exe_ids) // 15)]]
    for kind, node_id in starts:
        ref = NodeRef(kind=kind, id=node_id)
        for direction in ("upstream", "downstream"):
            expected = _mlmd_walk(mlmd, kind, node_id, 6, direction == "upstream")
            got = neo4j_store.lineage_walk([ref], direction, max_depth=6)  # type: ignore[arg-type]
            assert (set(got.ids(Kind.ARTIFACT)), set(got.ids(Kind.EXECUTION))) == expected
            assert neo4j_store.lineage_walk([ref], direction) == oracle.lineage_walk(  # type: ignore[arg-type]
                [ref],
                direction,  # type: ignore[arg-type]
            )
    again = import_mlmd(neo4j_store, mlmd, batch=2000)
    assert sum(again.new.values()) == 0 and again.events_new == 0
