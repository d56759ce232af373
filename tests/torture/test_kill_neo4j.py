"""kill -9 of Neo4j itself while clients write, a restart, a re-run: the graph equals a clean run.

Neo4j gets SIGKILL (no checkpoint, no clean shutdown: a power cut for the database) while an
OpenLineage import and a tracked run write (a separate process each), and, in the heavy
loops, an MLMD import. Its own recovery replays the transaction log on restart; what the
store holds then must be whole (every execution with all its events), and re-running the
workload must give exactly the graph of a clean run (``crash_workloads.canonical``).

A scratch local server of its own serves this module (a temporary ``LINEAGE_GRAPH_HOME``
sharing the jar cache): the test session's server is never killed. Every test here is
heavy (``python -m pytest -m heavy``): a scratch server with a kill and two restarts takes about
three minutes, a fifth of the whole normal suite. The single round is one kill with both
clients writing; the loops kill at random points.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lineage_graph.server import LocalServer, Paths
from lineage_graph.server.maven import ensure_jars
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.target import Neo4jTarget
from tests.interop.mlmd_history import build
from tests.interop.test_mlmd import assert_same_as_mlmd

from . import crash_workloads as w
from .test_local_server import ISOLATING_ENV, free_port, home_paths

HEAVY_ROUNDS = int(os.environ.get("LG_TORTURE_ROUNDS", "5"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    cache = Paths.from_env().cache
    ensure_jars(cache)
    server = LocalServer(home_paths(tmp_path_factory.mktemp("kill-neo4j-home"), cache))
    with pytest.MonkeyPatch.context() as env:
        for name in ISOLATING_ENV:
            env.delenv(name, raising=False)
        # Small: it shares two cores and the memory with the session's server.
        env.setenv("LINEAGE_GRAPH_HEAP", "512m")
        env.setenv("LINEAGE_GRAPH_PAGECACHE", "128m")
        server.start(bolt_port=free_port(), http_port=free_port(), timeout=300)
        try:
            yield server
        finally:
            server.stop()


def _target(server: LocalServer) -> Neo4jTarget:
    state = server.status()
    assert state is not None, "the scratch server is not running"
    return server.target(state)


def _fresh(server: LocalServer) -> Neo4jTarget:
    target = _target(server)
    with Neo4jStore.from_target(target) as store:
        store.init_schema()
        store.clear()
    return target


def _kill_neo4j_when(
    server: LocalServer,
    clients: list[subprocess.Popen[bytes]],
    ready: Callable[[Neo4jStore], bool],
    timeout: float = 300,
) -> list[int]:
    """SIGKILL the server once ``ready(store)`` holds while a client still runs; wait for
    the clients to fail (or kill them), then start the server again on its ports. The
    clients' exit codes: 0 only for one that had done all its work (it may have been exiting
    when the server died)."""
    state = server.status()
    assert state is not None
    with Neo4jStore.from_target(server.target(state)) as store:
        deadline = time.monotonic() + timeout
        while not ready(store):
            for c in clients:
                if c.poll() not in (None, 0):
                    err = c.communicate()[1].decode(errors="replace")[-2000:]
                    pytest.fail(f"a client failed before the kill (rc {c.returncode}): {err}")
            assert time.monotonic() < deadline, "the clients wrote too little in time"
            time.sleep(0.1)
        assert any(c.poll() is None for c in clients), "every client finished before the kill"
        os.kill(state.pid, signal.SIGKILL)
    try:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(state.pid, 0)  # our child (spawned by this process): reap it
        for c in clients:
            try:
                c.wait(timeout=20)  # the driver may retry for longer: no need to wait
            except subprocess.TimeoutExpired:
                c.kill()
                c.wait()
        assert server.status() is None
    finally:  # the next test needs the server, whatever happened here
        _, started = server.start(bolt_port=state.bolt_port, http_port=state.http_port, timeout=300)
    assert started
    return [c.returncode for c in clients]


def _count(store: Neo4jStore, ol: bool) -> int:
    return sum(1 for x in store.get_executions() if x.type.startswith("ol.") == ol)


def _whole(store: Neo4jStore) -> None:
    """Every execution the crash left has its one input and one output (each was one
    transaction: an OpenLineage event, a step call)."""
    executions = store.get_executions()
    assert executions
    by_execution: dict[int, list[str]] = {}
    for e in store.get_events(execution_ids=[x.id for x in executions if x.id is not None]):
        by_execution.setdefault(e.execution_id, []).append(e.type.value)
    for x in executions:
        assert x.id is not None
        assert sorted(by_execution.get(x.id, [])) == ["INPUT", "OUTPUT"], x


def _both_to_end(target: Neo4jTarget, events: Path, data: Path, steps: int) -> None:
    """The OpenLineage import and the tracked run side by side (disjoint parts of the graph),
    to their end."""
    procs = [
        w.spawn(target, w.OPENLINEAGE, str(events)),
        w.spawn(target, w.TRACKED, str(data), str(steps), cwd=data),
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode(errors="replace")[-3000:]


def _openlineage_and_tracked(
    server: LocalServer,
    tmp_path: Path,
    runs: int,
    steps: int,
    ol_ready: int,
    tracked_ready: int,
    *,
    either: bool = False,
) -> dict[str, Any]:
    """One round: clean runs, then both clients killed by a kill -9 of Neo4j, then re-runs.
    ``runs`` OpenLineage runs (2 events each), ``steps`` tracked iterations (2 executions
    each); the kill comes once ``ol_ready`` and ``tracked_ready`` executions are stored
    (``either``: once one of them is)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    events = w.openlineage_file(tmp_path / "events.jsonl", runs)
    data = w.tracked_data(tmp_path / "data")
    target = _fresh(server)
    _both_to_end(target, events, data, steps)
    with Neo4jStore.from_target(target) as store:
        clean = w.canonical(store, tracked=True)
    assert clean["cached"] == 0 and len(clean["executions"]) == runs + 2 * steps

    target = _fresh(server)
    clients = [
        w.spawn(target, w.OPENLINEAGE, str(events)),
        w.spawn(target, w.TRACKED, str(data), str(steps), cwd=data),
    ]
    both = all if not either else any
    codes = _kill_neo4j_when(
        server,
        clients,
        lambda s: both([_count(s, True) >= ol_ready, _count(s, False) >= tracked_ready]),
    )
    target = _target(server)
    with Neo4jStore.from_target(target) as store:
        _whole(store)
        left = {"ol": _count(store, True), "tracked": _count(store, False)}
    # A client that exited 0 had finished: all of its work is kept (Neo4j's recovery).
    assert codes[0] != 0 or left["ol"] == runs
    assert codes[1] != 0 or left["tracked"] == 2 * steps
    _both_to_end(target, events, data, steps)
    with Neo4jStore.from_target(target) as store:
        got = w.canonical(store, tracked=True)
    w.assert_same(got, clean)
    # The resumed run did not redo the steps recorded before the crash: each is a hit.
    assert got["cached"] == left["tracked"]
    return {**left, "killed": sum(1 for c in codes if c != 0)}


@pytest.mark.heavy
def test_neo4j_killed_during_openlineage_import_and_tracked_run(
    scratch: LocalServer, tmp_path: Path
) -> None:
    left = _openlineage_and_tracked(scratch, tmp_path, 60, 10, 5, 4)
    assert left["ol"] >= 5 and left["tracked"] >= 4 and left["killed"] >= 1


@pytest.mark.heavy
@pytest.mark.timeout(7200)
def test_neo4j_killed_at_random_points_rounds(scratch: LocalServer, tmp_path: Path) -> None:
    rng = random.Random(14)
    survived = 0
    for n in range(HEAVY_ROUNDS):
        runs, steps = 150, 30
        _openlineage_and_tracked(
            scratch, tmp_path / f"round-{n}", runs, steps, rng.randrange(1, runs - 30),
            rng.randrange(1, 2 * steps - 10), either=True,
        )  # fmt: skip
        survived += 1
    print(f"\nkill -9 of Neo4j (OpenLineage import + tracked run): {survived} rounds survived")
    assert survived == HEAVY_ROUNDS


@pytest.mark.heavy
@pytest.mark.timeout(7200)
def test_neo4j_killed_during_mlmd_import_rounds(scratch: LocalServer, tmp_path: Path) -> None:
    path = tmp_path / "mlmd.sqlite"
    mlmd = build(path, executions=300, seed=11)
    total = len(mlmd.get_executions())
    rng = random.Random(15)
    survived = 0
    for _ in range(HEAVY_ROUNDS):
        target = _fresh(scratch)
        client = w.spawn(target, w.MLMD, str(path))
        at = rng.randrange(10, total - 50)
        _kill_neo4j_when(scratch, [client], lambda s, at=at: len(s.get_executions()) >= at)
        target = _target(scratch)
        w.run_to_end(target, w.MLMD, str(path))
        from lineage_graph.interop.mlmd import open_mlmd

        with Neo4jStore.from_target(target) as store:
            assert_same_as_mlmd(store, open_mlmd(path))
        survived += 1
    print(f"\nkill -9 of Neo4j (MLMD import): {survived} rounds survived")
    assert survived == HEAVY_ROUNDS
