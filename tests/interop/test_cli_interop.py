"""``lineage-graph import|export`` through typer's CliRunner, on the session's Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

from .mlmd_history import build
from .test_openlineage import _raw_event


@pytest.fixture
def cli_env(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> Neo4jStore:
    monkeypatch.setenv("NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_target.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_target.password)
    return neo4j_store


def test_import_mlmd_then_export(cli_env: Neo4jStore, tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    build(path, executions=12, seed=9)
    runner = CliRunner()
    first = runner.invoke(app, ["import", "mlmd", str(path), "--json"])
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["new"]["execution"] == 12 and doc["events"]["new"] > 12
    again = json.loads(runner.invoke(app, ["import", "mlmd", str(path), "--json"]).stdout)
    assert again["new"] == {"artifact": 0, "execution": 0, "context": 0}

    out = tmp_path / "all.json"
    r = runner.invoke(app, ["export", "json", "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    exported = json.loads(out.read_text())
    assert len(exported["executions"]) == 12

    last = max(a["id"] for a in exported["artifacts"])
    gml = tmp_path / "up.graphml"
    r = runner.invoke(
        app, ["export", "graphml", str(last), "--kind", "artifact", "--upstream", "-o", str(gml)]
    )
    assert r.exit_code == 0, r.output
    g = nx.read_graphml(gml, force_multigraph=True)
    assert f"artifact:{last}" in g and g.number_of_nodes() > 1

    ol_out = tmp_path / "events.jsonl"
    r = runner.invoke(app, ["export", "openlineage", "-o", str(ol_out)])
    assert r.exit_code == 0, r.output
    assert len(ol_out.read_text().splitlines()) >= 12


def test_import_errors_are_one_line(cli_env: Neo4jStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 20)
    r = CliRunner().invoke(app, ["import", "mlmd", str(bad)])
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1 and "not an SQLite database" in r.stderr
    r = CliRunner().invoke(app, ["export", "json", "nonsense", "-o", str(tmp_path / "o")])
    assert r.exit_code == 1 and "REF 'nonsense'" in r.stderr and r.stderr.count("\n") == 1


def test_import_openlineage_json_lines(cli_env: Neo4jStore, tmp_path: Path) -> None:
    f = tmp_path / "ol.jsonl"
    f.write_text(
        json.dumps(_raw_event()) + "\n" + json.dumps(_raw_event(run={})) + "\n"
    )
    r = CliRunner().invoke(app, ["import", "openlineage", str(f), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["accepted"] == 1 and doc["rejected"][0]["field"] == "run.runId"
    assert len(cli_env.get_executions()) == 1


def test_serve_command_accepts_client_events(cli_env: Neo4jStore) -> None:
    import os
    import subprocess
    import sys
    import uuid

    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
    from openlineage.client.transport.http import HttpConfig, HttpTransport

    proc = subprocess.Popen(
        [sys.executable, "-m", "lineage_graph.cli", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stderr is not None
        line = ""
        for _ in range(50):  # the resolver may log a line or two first
            line = proc.stderr.readline()
            if "endpoint" in line or not line:
                break
        assert "OpenLineage endpoint: http://127.0.0.1:" in line, line
        url = line.split("endpoint: ", 1)[1].split("/api/v1/lineage")[0]
        client = OpenLineageClient(
            transport=HttpTransport(HttpConfig(url=url, timeout=60.0, retry={"total": 0}))
        )
        run_id = str(uuid.uuid4())
        client.emit(
            RunEvent(
                eventType=RunState.COMPLETE,
                eventTime="2024-05-01T12:00:00+00:00",
                run=Run(runId=run_id),
                job=Job(namespace="cli", name="served"),
                producer="https://example.com/p",
            )
        )
        [exe] = cli_env.get_executions_by_external_ids([run_id])
        assert exe.last_known_state.value == "COMPLETE"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_import_and_export_take_the_connection_options(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Like every command that reaches the database: after the command, or before it."""
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINEAGE_GRAPH_HOME", str(tmp_path / "home"))  # no local server here
    options = ["--uri", neo4j_target.uri, "--user", neo4j_target.user,
               "--password", neo4j_target.password]  # fmt: skip
    if neo4j_target.database:
        options += ["--database", neo4j_target.database]
    events = tmp_path / "ol.jsonl"
    events.write_text(json.dumps(_raw_event()) + "\n")
    r = CliRunner().invoke(app, ["import", "openlineage", str(events), "--json", *options])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["accepted"] == 1
    out = tmp_path / "all.json"
    r = CliRunner().invoke(app, [*options, "export", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(json.loads(out.read_text())["executions"]) == 1
