"""The query commands (``show``, ``upstream`` ... ``browse``, ``demo``) on the demo history.

Every command runs twice: through typer's ``CliRunner`` and as a ``python -m lineage_graph.cli``
subprocess, both with ``--json``, and the JSON shape is checked (every node an object with
``id``, ``kind``, ``type``, ``name``, ``uri``, ``state``). Human output is checked through the
runner. Error exits (unknown REF, no server, bad flag) are one line on stderr, non-zero.
The demo is loaded once for the module (into the session's real Neo4j).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from lineage_graph import demo
from lineage_graph.cli import app
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

ROOT = Path(__file__).resolve().parents[2]
NODE_KEYS = {"id", "kind", "type", "name", "uri", "state"}
MODEL = f"Model:{demo.model_name('churn-prediction', 15)}"
DATASET_W13 = f"Dataset:{demo.raw_name('customer-events', 13)}"
FAILED_RUN = f"PipelineRun:{demo.run_name('fraud-detection', 14)}"


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {"NEO4J_URI": target.uri, "NEO4J_USER": target.user,
           "NEO4J_PASSWORD": target.password, "COLUMNS": "200"}
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


@pytest.fixture(scope="module")
def loaded(neo4j_target: Neo4jTarget) -> tuple[demo.DemoIds, dict[str, str]]:
    """The demo history in a cleared database, and the environment that reaches it."""
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        ids = demo.load(store)
    finally:
        store.close()
    return ids, _env(neo4j_target)


def run_both(args: list[str], env: dict[str, str]) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) from the CliRunner and from a subprocess."""
    result = CliRunner().invoke(app, args, env=env)
    via_runner = (result.exit_code, result.stdout, result.stderr)
    proc = subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", *args],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        capture_output=True, text=True, timeout=300, check=False,
    )
    return [via_runner, (proc.returncode, proc.stdout, proc.stderr)]


def run_json(args: list[str], env: dict[str, str]) -> list[Any]:
    """The JSON documents both ways print (each must exit 0 and print exactly one document)."""
    docs = []
    for code, stdout, stderr in run_both([*args, "--json"], env):
        assert code == 0, f"{args}: exit {code}, stderr: {stderr}"
        docs.append(json.loads(stdout))
    assert docs[0] == docs[1], "runner and subprocess disagree"
    return docs


def assert_node(node: Any) -> None:
    assert isinstance(node, dict), node
    assert node.keys() >= NODE_KEYS, f"missing {NODE_KEYS - node.keys()} in {node}"
    assert node["kind"] in ("artifact", "execution", "context")
    assert isinstance(node["id"], int)


def _names(nodes: list[dict[str, Any]]) -> set[str]:
    for n in nodes:
        assert_node(n)
    return {n["name"] for n in nodes}


def test_show_by_id_and_by_type_name(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    ids, env = loaded
    for doc in run_json(["show", str(ids.model)], env) + run_json(["show", MODEL], env):
        assert_node(doc["node"])
        assert doc["node"]["id"] == ids.model
        assert doc["node"]["custom_properties"]["auc"] == 0.854
        assert {"churn-prediction", "churn-prediction-2024-w15"} <= _names(doc["contexts"])


def test_show_kind_disambiguates(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    ids, env = loaded
    (doc, _) = run_json(["show", str(ids.failed_execution), "--kind", "execution"], env)
    assert doc["node"]["kind"] == "execution"
    assert doc["node"]["state"] == "FAILED"


def test_upstream_shape(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    for doc in run_json(["upstream", MODEL], env):
        assert {"artifacts", "executions"} <= doc.keys()
        assert {"customer-events-2024-w14", "customer-events-2024-w15",
                "crm-accounts-2024-w15"} <= _names(doc["artifacts"])
        assert "churn-prediction-2024-w15/Trainer" in _names(doc["executions"])
        assert all(a["kind"] == "artifact" for a in doc["artifacts"])


def test_upstream_type_filter(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    (doc, _) = run_json(["upstream", MODEL, "--type", "Dataset"], env)
    assert {a["type"] for a in doc["artifacts"]} == {"Dataset"}
    assert doc["executions"] == []


def test_downstream_shape(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    for doc in run_json(["downstream", DATASET_W13], env):
        names = _names(doc["artifacts"])
        assert {"churn-prediction-model-2024-w13", "fraud-detection-model-2024-w13",
                "churn-prediction-model-2024-w14"} <= names
        assert "churn-prediction-model-2024-w12" not in names  # older than the dataset
        _names(doc["executions"])


def test_provenance(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    for doc in run_json(["provenance", MODEL], env):
        assert "customer-events-2024-w15" in _names(doc["datasets"])
        assert doc["hyperparameters"]["batch_size"] == 256
        assert doc["hyperparameters"]["learning_rate"] == 0.03
        assert {"churn-prediction", "churn-prediction-2024-w15"} <= _names(doc["contexts"])
        assert doc["environment"]["xgboost"] == "2.0.3"
        assert doc["code"]["code_version"] == "churn-prediction@1.6.0"
        assert_node(doc["execution"])


def test_why_failed(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    ids, env = loaded
    for doc in run_json(["why-failed", FAILED_RUN], env):
        assert_node(doc["start"])
        (failed,) = doc["failed"]
        assert failed["execution"]["id"] == ids.failed_execution
        assert failed["execution"]["state"] == "FAILED"
        assert "CUDA out of memory" in failed["error"]
        changed = {(c["section"], c["field"]) for c in failed["changes"]}
        assert ("parameters", "batch_size") in changed


def test_deployed(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    for doc in run_json(["deployed", "churn-prediction"], env):
        assert_node(doc["deployed"])
        # The demo rolled churn back from week 15 to week 13 (a rollback is a deployment).
        assert doc["deployed"]["name"] == "churn-prediction-model-2024-w13"
        assert doc["model"]["name"] == "churn-prediction-model-2024-w13"
        assert doc["action"] == "rollback" and doc["live"] is True
        _names(doc["contexts"])


def test_models_on_ranked(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    for doc in run_json(["models-on", DATASET_W13, "--metric", "auc"], env):
        models = doc["models"]
        _names(models)
        metrics = [m["metric"] for m in models]
        assert metrics == sorted(metrics, reverse=True) and len(metrics) == 3
        assert models[0]["name"] == "fraud-detection-model-2024-w13"


def test_incidents_lists_the_demo_incident(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    ids, env = loaded
    for doc in run_json(["incidents"], env):
        found = {i["id"]: i for i in doc["incidents"]}
        assert found[ids.incident]["reason"] == demo.CORRUPT_REASON
        assert found[ids.incident]["reached_count"] > 0


def test_taint_records_an_incident(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    ref = f"Dataset:{demo.raw_name('crm-accounts', 10)}"
    docs = run_json(["taint", ref, "--reason", "schema drift in crm export"], env)
    # The same source and reason taint once: the second call is a retry of the first.
    assert docs[0]["incident"]["id"] == docs[1]["incident"]["id"]
    for doc in docs:
        inc = doc["incident"]
        assert inc["reason"] == "schema drift in crm export"
        assert_node(inc["source_node"])
        reached = _names(inc["reached"])
        assert "churn-prediction-model-2024-w10" in reached
        assert "fraud-detection-model-2024-w10" not in reached  # fraud never read crm


def test_incident_show_and_resolve(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    _, env = loaded
    ref = f"Dataset:{demo.raw_name('crm-accounts', 11)}"
    [created, _] = run_json(["taint", ref, "--reason", "duplicated rows in week 11"], env)
    incident_id = str(created["incident"]["id"])
    for doc in run_json(["incident", "show", incident_id], env):
        inc = doc["incident"]
        assert inc["status"] == "OPEN" and inc["reason"] == "duplicated rows in week 11"
        assert "churn-prediction-model-2024-w11" in _names(inc["reached"])
        assert all({"hops", "via"} <= t.keys() for t in inc["reached"])
    for code, stdout, _ in run_both(["incident", "show", incident_id], env):
        assert code == 0 and "churn-prediction-model-2024-w11" in stdout and "OPEN" in stdout
    # Every answer that shows a reached node carries the open incident, in JSON and tables.
    model = "Model:churn-prediction-model-2024-w11"
    for doc in run_json(["show", model], env):
        assert int(incident_id) in doc["node"]["incidents"]
    for doc in run_json(["downstream", ref], env):
        by_name = {n["name"]: n for n in doc["artifacts"]}
        assert int(incident_id) in by_name["churn-prediction-model-2024-w11"]["incidents"]
    for code, stdout, _ in run_both(["show", model], env):
        assert code == 0 and f"TAINTED (incident #{incident_id}" in stdout
    docs = run_json(["incident", "resolve", incident_id, "-m", "re-exported"], env)
    for doc in docs:  # idempotent: the second resolve keeps the first resolution
        assert doc["incident"]["status"] == "RESOLVED"
        assert doc["incident"]["resolution"] == "re-exported"
    open_ids = {i["id"] for i in run_json(["incidents", "--status", "OPEN"], env)[0]["incidents"]}
    assert int(incident_id) not in open_ids
    for doc in run_json(["show", model], env):
        assert int(incident_id) not in doc["node"]["incidents"]
    for code, _, stderr in run_both(["incident", "show", "987654"], env):
        assert code == 1 and stderr.startswith("error:") and stderr.count("\n") == 1


def test_browse_link(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    ids, env = loaded
    for doc in run_json(["browse", str(ids.model), "--view", "upstream"], env):
        url = doc["url"]
        assert "/browser/?dbms=" in url and "&cmd=edit&arg=" in url
        # The Browser decodes the whole URL once, then reads arg= up to the next & or #.
        arg = unquote(url.replace("+", " ")).split("&arg=", 1)[1]
        assert arg == doc["query"]
        assert f"MATCH (n:Artifact {{id: {ids.model}}})" in doc["query"]
        assert unquote(doc["style_url"]).split("&arg=", 1)[1].startswith(":style node {")
        assert_node(doc["node"])


def test_demo_command_is_idempotent(loaded: tuple[demo.DemoIds, dict[str, str]],
                                    neo4j_target: Neo4jTarget) -> None:
    ids, env = loaded
    store = Neo4jStore.from_target(neo4j_target)
    try:
        before = store.stats()
        docs = run_json(["demo"], env)
        after = store.stats()
    finally:
        store.close()
    assert after == before, "running the demo again must not add anything"
    for doc in docs:
        assert [a["number"] for a in doc["answers"]] == list(range(1, 9))
        assert all("/browser/?dbms=" in a["browser_url"] for a in doc["answers"])
        assert doc["ids"]["model"] == ids.model


HUMAN: list[tuple[list[str], str]] = [
    (["show", MODEL], "churn-prediction-model-2024-w15"),
    (["upstream", MODEL], "customer-events-2024-w15"),
    (["downstream", DATASET_W13], "fraud-detection-model-2024-w13"),
    (["provenance", MODEL], "learning_rate = 0.03"),
    (["why-failed", FAILED_RUN], "CUDA out of memory"),
    (["deployed", "churn-prediction"], "churn-prediction-prod-2024-w15"),
    (["models-on", DATASET_W13], "fraud-detection-model-2024-w13"),
    (["incidents"], "OPEN"),
    (["browse", MODEL, "--style"], ":style"),
    (["demo"], "Which churn model was deployed last?"),
]


@pytest.mark.parametrize(("args", "expected"), HUMAN, ids=[h[0][0] for h in HUMAN])
def test_human_output(loaded: tuple[demo.DemoIds, dict[str, str]], args: list[str],
                      expected: str) -> None:
    _, env = loaded
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.stderr
    assert expected in unquote(result.stdout)


def _one_line_error(results: list[tuple[int, str, str]], code: int, *words: str) -> None:
    for exit_code, stdout, stderr in results:
        assert exit_code == code, (exit_code, stdout, stderr)
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert "Traceback" not in stderr
        for w in words:
            assert w in lines[0]


ERRORS: list[tuple[list[str], int, tuple[str, ...]]] = [
    (["show", "999999"], 1, ("999999",)),
    (["upstream", "Model:no-such-model"], 1, ("no-such-model",)),
    (["provenance", "Model:"], 1, ("TYPE:NAME",)),
    (["taint", MODEL, "--reason", " "], 1, ("--reason",)),
    (["upstream", MODEL, "--bogus"], 2, ("--bogus",)),
    (["show", MODEL, "--kind", "widget"], 2, ("--kind",)),
    (["show"], 2, ("REF",)),
]


@pytest.mark.parametrize(("args", "code", "words"), ERRORS,
                         ids=[" ".join(e[0]) for e in ERRORS])
def test_error_exits(loaded: tuple[demo.DemoIds, dict[str, str]], args: list[str], code: int,
                     words: tuple[str, ...]) -> None:
    _, env = loaded
    _one_line_error(run_both(args, env), code, *words)


COMMANDS: list[Callable[[str], list[str]]] = [
    lambda r: ["show", r], lambda r: ["upstream", r], lambda r: ["downstream", r],
    lambda r: ["provenance", r], lambda r: ["why-failed", r], lambda r: ["deployed", r],
    lambda r: ["models-on", r], lambda r: ["taint", r, "--reason", "x"],
    lambda r: ["incidents"], lambda r: ["browse", r],
]


@pytest.mark.parametrize("make", COMMANDS, ids=[c("R")[0] for c in COMMANDS])
def test_no_server(make: Callable[[str], list[str]], tmp_path: Path) -> None:
    """A NEO4J_URI nobody answers on: one line, exit 4 (the backend's problem)."""
    env = {"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "x",
           "LINEAGE_GRAPH_HOME": str(tmp_path)}
    _one_line_error(run_both(make("1"), env), 4, "127.0.0.1:9")


def test_browse_serve_serves_guide_and_style(loaded: tuple[demo.DemoIds, dict[str, str]]) -> None:
    """``browse --serve`` prints its links, then serves the guide and the style until stopped."""
    import urllib.request

    _, env = loaded
    proc = subprocess.Popen(
        [sys.executable, "-m", "lineage_graph.cli", "browse", "--serve", "--port", "0", "--json"],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        while not lines or lines[-1] != "}\n":  # emit_json writes one indented document
            line = proc.stdout.readline()
            assert line, f"browse --serve exited: {proc.stderr.read() if proc.stderr else ''}"
            lines.append(line)
        doc = json.loads("".join(lines))
        guide_url = doc["guide_command"].removeprefix(":play ")
        style_url = doc["style_command"].removeprefix(":style ")
        assert unquote(doc["url"]).endswith(f"arg={doc['guide_command']}")
        with urllib.request.urlopen(guide_url, timeout=30) as resp:
            html = resp.read().decode()
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert html.count("<slide") == 9 and "Why did the fraud-detection" in html
        with urllib.request.urlopen(style_url, timeout=30) as resp:
            assert "node.Artifact {" in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
