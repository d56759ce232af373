"""kill -9 of the writing process half-way, then a re-run: the graph equals a clean run.

Writers: an MLMD import, an OpenLineage import and a tracked run (resumed under its name).

The client is a separate process killed with SIGKILL while it writes (no handler, no
cleanup: what a crash, an OOM kill or a pulled plug does). What it left must already be
consistent (every transaction is whole: no execution without its events), and running the
same command again must finish the job exactly, with nothing duplicated.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.target import Neo4jTarget
from tests.interop.mlmd_history import build
from tests.interop.test_mlmd import assert_same_as_mlmd

from . import crash_workloads as w

ROOT = Path(__file__).resolve().parents[2]


def _spawn(target: Neo4jTarget, code: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": target.uri,
        "NEO4J_USER": target.user,
        "NEO4J_PASSWORD": target.password,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_when(
    proc: subprocess.Popen[bytes], store: Neo4jStore, ready: Any, timeout: float = 180
) -> dict[str, Any]:
    """SIGKILL ``proc`` as soon as ``ready(stats)`` holds; the stats seen at that moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = store.stats()
        if ready(stats):
            assert proc.poll() is None, "the writer finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            return stats
        if proc.poll() is not None:
            out = proc.communicate()
            pytest.fail(f"the writer ended on its own (rc {proc.returncode}): {out[1][-2000:]!r}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the writer wrote nothing in time")


def _canonical(store: Store) -> Any:
    """The graph by names, without ids, times and seq (which differ between runs)."""
    names: dict[tuple[str, int], Any] = {}
    nodes = []
    for kind, items in (
        ("artifact", store.get_artifacts()),
        ("execution", store.get_executions()),
        ("context", store.get_contexts()),
    ):
        for n in items:
            assert n.id is not None
            names[(kind, n.id)] = (kind, n.type, n.name)
            nodes.append(n.model_dump(exclude={"id", "seq", "create_time", "update_time"}))
    execution_ids = [i for k, i in names if k == "execution"]
    events = sorted(
        (names[("artifact", e.artifact_id)], names[("execution", e.execution_id)], e.type.value)
        for e in store.get_events(execution_ids=execution_ids)
    )
    links = sorted(
        (names[(k, i)], names[("context", c.id)])
        for (k, i) in names
        if k != "context"
        for c in (
            store.get_contexts_by_artifact(i)
            if k == "artifact"
            else store.get_contexts_by_execution(i)
        )
        if c.id is not None
    )
    parents = sorted(
        (names[("context", i)], names[("context", p.id)])
        for (k, i) in names
        if k == "context"
        for p in store.get_parent_contexts(i)
        if p.id is not None
    )
    return sorted(nodes, key=json.dumps), events, links, parents


def test_mlmd_import_killed_midway_is_consistent_and_resumes(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    path = tmp_path / "mlmd.sqlite"
    mlmd = build(path, executions=400, seed=11)
    proc = _spawn(
        neo4j_target,
        f"""
        from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
        from lineage_graph.store.neo4j import Neo4jStore
        import os
        store = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                                   os.environ["NEO4J_PASSWORD"])
        import_mlmd(store, open_mlmd({str(path)!r}), batch=10)
        """,
    )
    seen = _kill_when(proc, neo4j_store, lambda s: s["executions"] >= 30)
    total = len(mlmd.get_executions())
    assert seen["executions"] < total

    # What the killed process left is whole: every stored execution has all its events.
    stored = neo4j_store.get_executions()
    assert 30 <= len(stored) < total
    ids = [e.id for e in stored if e.id is not None]
    artifacts = {a.id for a in neo4j_store.get_artifacts()}
    expected = {
        (int(e.artifact_id), int(e.execution_id))
        for e in mlmd.get_events_by_execution_ids(ids)
        if e.artifact_id in artifacts
    }
    got = {(e.artifact_id, e.execution_id) for e in neo4j_store.get_events(execution_ids=ids)}
    assert got == expected

    again = import_mlmd(neo4j_store, open_mlmd(path), batch=50)
    assert sum(again.new.values()) > 0
    assert_same_as_mlmd(neo4j_store, open_mlmd(path))
    final = import_mlmd(neo4j_store, open_mlmd(path), batch=50)
    assert sum(final.new.values()) == 0 and sum(final.updated.values()) == 0


def _ingest_file(store: Store, path: Path) -> int:
    with path.open() as f:
        report = ol.ingest_events(store, ol.iter_documents(f))
    return int(report.accepted)


def test_openlineage_ingest_killed_midway_then_rerun_equals_clean_run(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    runs = 300
    w.openlineage_file(path, runs)
    proc = _spawn(
        neo4j_target,
        f"""
        from lineage_graph.interop import openlineage as ol
        from lineage_graph.store.neo4j import Neo4jStore
        import os
        store = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                                   os.environ["NEO4J_PASSWORD"])
        with open({str(path)!r}) as f:
            ol.ingest_events(store, ol.iter_documents(f))
        """,
    )
    seen = _kill_when(proc, neo4j_store, lambda s: s["executions"] >= 40)
    assert seen["executions"] < runs
    # Each event was one transaction: every stored run has its input and output.
    for execution in neo4j_store.get_executions():
        assert execution.id is not None
        events = neo4j_store.get_events(execution_ids=[execution.id])
        assert sorted(e.type.value for e in events) == ["INPUT", "OUTPUT"]

    assert _ingest_file(neo4j_store, path) == 2 * runs
    clean = MemoryStore()
    assert _ingest_file(clean, path) == 2 * runs
    assert _canonical(neo4j_store) == _canonical(clean)


# ---- a tracked run (lineage_graph.tracking run/step) -------------------------------------------


def _tracked_round(
    store: Neo4jStore, target: Neo4jTarget, data: Path, steps: int, at: int, clean: Any
) -> int:
    """Kill the tracked run once ``at`` executions are recorded, resume it; the executions
    the killed run had recorded."""
    store.clear()
    proc = w.spawn(target, w.TRACKED, str(data), str(steps), cwd=data)
    _kill_when(proc, store, lambda s: s["executions"] >= at)
    executions = store.get_executions()
    assert at <= len(executions) < 2 * steps
    # Each step call was one transaction: every recorded execution has its input and output.
    for x in executions:
        assert x.id is not None and x.last_known_state.value == "COMPLETE"
        events = store.get_events(execution_ids=[x.id])
        assert sorted(e.type.value for e in events) == ["INPUT", "OUTPUT"]
    w.run_to_end(target, w.TRACKED, str(data), str(steps), cwd=data)  # resume=True, same run name
    got = w.canonical(store, tracked=True)
    w.assert_same(got, clean)
    assert got["cached"] == len(executions)  # what was recorded is not computed again
    return len(executions)


def test_tracked_run_killed_midway_then_resumed_equals_clean_run(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    data = w.tracked_data(tmp_path / "data")
    steps = 25
    w.run_to_end(neo4j_target, w.TRACKED, str(data), str(steps), cwd=data)
    clean = w.canonical(neo4j_store, tracked=True)
    assert clean["cached"] == 0 and len(clean["executions"]) == 2 * steps
    assert _tracked_round(neo4j_store, neo4j_target, data, steps, 10, clean) >= 10


@pytest.mark.heavy
@pytest.mark.timeout(7200)
def test_client_killed_at_random_points_rounds(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    rng = random.Random(14)
    rounds = 10
    data = w.tracked_data(tmp_path / "data")
    steps = 40
    w.run_to_end(neo4j_target, w.TRACKED, str(data), str(steps), cwd=data)
    clean_tracked = w.canonical(neo4j_store, tracked=True)
    events = w.openlineage_file(tmp_path / "events.jsonl", 300)
    neo4j_store.clear()
    w.run_to_end(neo4j_target, w.OPENLINEAGE, str(events))
    clean_ol = w.canonical(neo4j_store)
    survived = 0
    for _ in range(rounds):
        _tracked_round(
            neo4j_store, neo4j_target, data, steps, rng.randrange(1, 2 * steps - 8), clean_tracked
        )
        neo4j_store.clear()
        proc = w.spawn(neo4j_target, w.OPENLINEAGE, str(events))
        at = rng.randrange(1, 250)
        _kill_when(proc, neo4j_store, lambda s, at=at: s["executions"] >= at)
        w.run_to_end(neo4j_target, w.OPENLINEAGE, str(events))
        w.assert_same(w.canonical(neo4j_store), clean_ol)
        survived += 1
    print(f"\nkill -9 of the client (tracked run + OpenLineage import): {survived} rounds")
    assert survived == rounds
