"""The local server against another server on its port, pid reuse, and backup/restore.

A scratch server of its own (a temporary ``LINEAGE_GRAPH_HOME`` sharing the user's jar cache,
free ports) serves this module, never the test session's server; it is stopped at the end.
"""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from lineage_graph import demo
from lineage_graph.cli import app
from lineage_graph.errors import UnavailableError
from lineage_graph.server import LocalServer, Paths, ServerState
from lineage_graph.server.maven import ensure_jars
from lineage_graph.store.neo4j import Neo4jStore

ISOLATING_ENV = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
                 "LINEAGE_GRAPH_BOLT_PORT", "LINEAGE_GRAPH_HTTP_PORT")  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def home_paths(root: Path, cache: Path) -> Paths:
    # The LINEAGE_GRAPH_HOME layout, so the CLI finds it from the environment too.
    return Paths(cache=cache, data_root=root / "data", state=root / "state")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, ServerState]]:
    cache = Paths.from_env().cache
    ensure_jars(cache)
    server = LocalServer(home_paths(tmp_path_factory.mktemp("scratch-home"), cache))
    with pytest.MonkeyPatch.context() as env:
        for name in ISOLATING_ENV:
            env.delenv(name, raising=False)
        state, started = server.start(bolt_port=free_port(), http_port=free_port())
    assert started
    try:
        yield server, state
    finally:
        server.stop()


def test_everything_the_server_writes_is_private(
    scratch: tuple[LocalServer, ServerState],
) -> None:
    server, _ = scratch
    p = server.paths
    assert (p.data_dir / "dbms" / "auth.ini").is_file()
    for top in (p.state, p.data_root):
        assert stat.S_IMODE(top.stat().st_mode) == 0o700
        for root, dirs, files in os.walk(top):
            for name in dirs:
                path = Path(root, name)
                assert stat.S_IMODE(path.lstat().st_mode) == 0o700, path
            for name in files:
                path = Path(root, name)
                if not path.is_symlink():
                    assert stat.S_IMODE(path.lstat().st_mode) & 0o077 == 0, path


def test_a_reused_pid_with_another_start_time_is_not_our_server(
    scratch: tuple[LocalServer, ServerState],
) -> None:
    server, state = scratch
    assert state.proc_start is not None
    record = server.paths.state_file.read_text()
    marker = server.paths.state / "server.pstart"
    assert marker.read_text().split() == [str(state.pid), str(state.proc_start)]
    try:
        marker.write_text(f"{state.pid} {state.proc_start + 1}\n")
        assert server.status() is None
    finally:
        server.paths.state_file.write_text(record)
        marker.write_text(f"{state.pid} {state.proc_start}\n")
    assert server.status() == state


def test_a_port_another_server_took_is_named_and_no_data_is_blamed(
    scratch: tuple[LocalServer, ServerState], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, taken = scratch
    other = LocalServer(home_paths(tmp_path, server.paths.cache))
    choices: list[int] = []

    def choose(self: LocalServer, bolt: int | None, http: int | None) -> tuple[int, int]:
        # Free when chosen (the first time); the scratch server's by the spawn.
        choices.append(1)
        return (free_port() if len(choices) == 1 else taken.bolt_port), free_port()

    monkeypatch.setattr(LocalServer, "_choose_ports", choose)
    with pytest.raises(UnavailableError) as caught:
        other.start(timeout=180)
    message = str(caught.value)
    assert f"Bolt port {taken.bolt_port}" in message
    assert f"pid {taken.pid}" in message
    assert "delete" not in message.lower() and "password" not in message
    assert other.status() is None
    assert server.status() == taken  # the other server was left alone


def _canonical(target_uri: str, password: str) -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and relationship, as sorted JSON strings."""
    with neo4j.GraphDatabase.driver(target_uri, auth=("neo4j", password)) as driver:
        nodes, _, _ = driver.execute_query(
            "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
        )
        rels, _, _ = driver.execute_query(
            "MATCH (a)-[r]->(b) RETURN labels(a) AS al, properties(a) AS ap, type(r) AS t, "
            "properties(r) AS rp, labels(b) AS bl, properties(b) AS bp"
        )

    def text(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    return (sorted(text([sorted(r["labels"]), r["props"]]) for r in nodes),
            sorted(text([sorted(r["al"]), r["ap"], r["t"], r["rp"], sorted(r["bl"]), r["bp"]])
                   for r in rels))  # fmt: skip


@pytest.mark.heavy
@pytest.mark.timeout(1800)  # three server starts and two JVM admin runs; slow on a busy box
def test_backup_clear_restore_round_trip(
    scratch: tuple[LocalServer, ServerState], tmp_path: Path
) -> None:
    server, _ = scratch
    target = server.running_target()
    assert target is not None
    with Neo4jStore.from_target(target) as store:
        store.init_schema()
        demo.load(store)
    before = _canonical(target.uri, target.password)
    assert len(before[0]) > 50 and len(before[1]) > 50
    env = {"LINEAGE_GRAPH_HOME": str(server.paths.data_root.parent),
           "LINEAGE_GRAPH_CACHE": str(server.paths.cache),
           **dict.fromkeys(ISOLATING_ENV)}  # fmt: skip
    dump = tmp_path / "history.dump"
    result = CliRunner().invoke(app, ["backup", str(dump), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bytes"] == dump.stat().st_size > 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600

    state = server.status()
    assert state is not None  # started again after the dump, on its ports
    with Neo4jStore.from_target(server.target(state)) as store:
        store.clear()
    cleared = _canonical(target.uri, target.password)
    assert cleared[1] == [] and all("SchemaVersion" in n for n in cleared[0])  # history gone

    result = CliRunner().invoke(app, ["restore", str(dump), "--yes"], env=env)
    assert result.exit_code == 0, result.output
    after = server.running_target()
    assert after is not None and after.uri == target.uri
    assert _canonical(after.uri, after.password) == before
