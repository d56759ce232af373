"""The deployment verbs (``deploy``, ``rollback``, ``undeploy``, ``alias``), ``deployed
--history``, ``roles``, ``models-on`` with a metric kept on an evaluation, and REFs that
cannot be misread, through typer's ``CliRunner`` against the session's Neo4j (one command
also as a subprocess). Errors are one line on stderr and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.models import ArtifactType, ExecutionType, PropertyType
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore
from tests.lineage.histories import load
from tests.scenarios.test_rollback import _history

ROOT = Path(__file__).resolve().parents[2]
T1 = "2024-03-18T10:00:00Z"
T1_MS = 1_710_756_000_000


@pytest.fixture
def env(neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget) -> dict[str, str]:
    """The wine history (model-a, model-b, model-a3; artifact 1 and execution 1 both exist)
    in the cleared database, and the environment that reaches it."""
    h, _ = _history()
    neo4j_store.put_types([
        ArtifactType(name="Metrics", properties={"accuracy": PropertyType.DOUBLE}),
        ExecutionType(name="train"), ExecutionType(name="evaluate"), ExecutionType(name="push"),
    ])
    load(neo4j_store, h)
    out = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password, "COLUMNS": "200"}
    if neo4j_target.database:
        out["NEO4J_DATABASE"] = neo4j_target.database
    return out


def run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def ok_json(args: list[str], env: dict[str, str]) -> Any:
    code, stdout, stderr = run([*args, "--json"], env)
    assert code == 0, f"{args}: exit {code}: {stderr}"
    return json.loads(stdout)


def fails(args: list[str], env: dict[str, str]) -> str:
    code, _, stderr = run(args, env)
    assert code == 1, (args, code, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_deploy_rollback_undeploy_and_history(env: dict[str, str]) -> None:
    first = ok_json(["deploy", "Model:model-a", "prod", "--at", T1], env)["event"]
    assert (first["action"], first["at"], first["model"]["name"]) == ("deploy", T1_MS, "model-a")
    ok_json(["deploy", "Model:model-b", "prod", "--at", str(T1_MS + 60_000)], env)
    back = ok_json(["rollback", "prod", "--at", str(T1_MS + 120_000)], env)["event"]
    assert (back["action"], back["model"]["name"]) == ("rollback", "model-a")
    doc = ok_json(["deployed", "prod", "--history"], env)
    (prod,) = doc["targets"]
    assert prod["target"]["name"] == "prod" and prod["live"]["model"]["name"] == "model-a"
    assert [(e["action"], e["model"]["name"], e["at"]) for e in prod["history"]] == [
        ("deploy", "model-a", T1_MS), ("deploy", "model-b", T1_MS + 60_000),
        ("rollback", "model-a", T1_MS + 120_000)]
    assert (doc["deployed"]["name"], doc["action"], doc["live"]) == ("model-a", "rollback", True)
    code, stdout, _ = run(["deployed", "prod", "--history"], env)
    assert code == 0
    assert "history of prod" in stdout and "2024-03-18 10:02" in stdout
    assert "last deployment: rollback a:" in stdout and "(live)" in stdout
    down = ok_json(["undeploy", "prod"], env)["event"]
    assert (down["action"], down["model"]["name"]) == ("undeploy", "model-a")
    assert ok_json(["deployed", "prod"], env)["targets"][0]["live"] is None
    assert fails(["undeploy", "prod"], env) == "error: nothing is deployed on 'prod'"
    assert fails(["rollback", "nowhere"], env) == "error: no deployment target named 'nowhere'"
    assert "neither an ISO 8601 time" in fails(["deploy", "a:2", "prod", "--at", "soon"], env)


def test_aliases_move_and_are_references(env: dict[str, str]) -> None:
    ok_json(["alias", "set", "champion", "Model:model-a", "--at", T1], env)
    ok_json(["alias", "set", "champion", "Model:model-b"], env)
    shown = ok_json(["alias", "show", "champion"], env)
    assert shown["live"]["model"]["name"] == "model-b"
    assert [e["model"]["name"] for e in shown["history"]] == ["model-a", "model-b"]
    assert ok_json(["show", "@champion"], env)["node"]["name"] == "model-b"
    ok_json(["alias", "delete", "champion"], env)
    assert fails(["show", "@champion"], env) == (
        "error: alias 'champion' points at no model now")


def test_pushes_count_as_deployments(env: dict[str, str]) -> None:
    # The pipeline's pushes: run-3's CACHED push re-pushed model-a, so it is live again.
    doc = ok_json(["deployed", "wine-classifier"], env)
    assert (doc["deployed"]["name"], doc["model"]["name"], doc["live"]) == (
        "pushed-model-a", "model-a", True)
    assert [e["execution"]["name"] for e in doc["targets"][0]["history"]] == [
        "run-1/push", "run-2/push", "run-3/push"]


def test_models_on_reads_the_evaluation_and_says_better(env: dict[str, str]) -> None:
    doc = ok_json(["models-on", "Dataset:wine.csv", "--metric", "accuracy"], env)
    assert [(m["name"], m["metric"], m["source"]["type"]) for m in doc["models"]] == [
        ("model-a", 0.97, "Metrics"), ("model-a3", 0.97, "Metrics"), ("model-b", 0.91, "Metrics")]
    (pipeline,) = doc["pipelines"]
    assert (pipeline["newest"]["name"], pipeline["baseline"]["name"], pipeline["better"]) == (
        "model-a3", "model-b", True)
    code, stdout, _ = run(["models-on", "Dataset:wine.csv", "--metric", "accuracy"], env)
    assert code == 0 and "vs previously deployed" in stdout and ": better" in stdout
    assert fails(["models-on", "Dataset:wine.csv", "--metric", "auc"], env) == (
        "error: no model trained on a:1 has a metric 'auc' (on the model, an evaluation of "
        "it, or beside it); metrics they have: accuracy")


def test_roles_show_and_edit(env: dict[str, str]) -> None:
    doc = ok_json(["roles"], env)
    assert doc["roles"]["Model"] == "model" and doc["stored"] == {}
    assert "ol.Dataset" in doc["by_role"]["dataset"]
    doc = ok_json(["roles", "set", "ol.train_model", "training"], env)
    assert doc["stored"] == {"ol.train_model": "training"}
    code, stdout, _ = run(["roles", "--role", "training"], env)
    assert code == 0 and "ol.train_model" in stdout and "stored" in stdout
    assert "Model " not in stdout
    assert fails(["roles", "set", "Model", "wizard"], env).startswith(
        "error: role 'wizard' is not one of dataset, model")
    assert ok_json(["roles", "unset", "ol.train_model"], env)["stored"] == {}


def test_a_bare_id_in_two_kinds_is_refused(env: dict[str, str]) -> None:
    assert fails(["why-failed", "1"], env) == (
        "error: REF '1' is ambiguous: artifact a:1 (Dataset wine.csv), "
        "execution e:1 (train run-1/train), context c:1 (Pipeline wine-classifier); "
        "write a:1, e:1 or c:1")
    assert ok_json(["why-failed", "e:1"], env)["start"]["kind"] == "execution"
    # The same refusal from the installed command, as a user would see it.
    proc = subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", "show", "1"],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: REF '1' is ambiguous: artifact a:1")
