"""MLflow import: a store written by the real mlflow package comes over; the questions
answer from it; a re-import adds nothing; a later run comes over alone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lineage_graph import lineage, questions
from lineage_graph.errors import InvalidInputError
from lineage_graph.interop.mlflow import import_mlflow
from lineage_graph.models import Kind, ListOptions
from lineage_graph.store.base import Store
from lineage_graph.target import Neo4jTarget

pytest.importorskip("mlflow", reason="the MLflow import tests need the mlflow package")

HISTORY = Path(__file__).with_name("mlflow_history.py")


def _write(uri: str, *args: str) -> None:
    done = subprocess.run([sys.executable, str(HISTORY), uri, *args], capture_output=True,
                          text=True, timeout=600, check=False,
                          env={**os.environ, "MLFLOW_ENABLE_ASYNC_LOGGING": "false"})
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def mlflow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite store written once per module (its copies are what tests import)."""
    root = tmp_path_factory.mktemp("mlflow")
    _write(f"sqlite:///{root / 'mlflow.db'}")
    return root


def _copy(src: Path, dst: Path) -> str:
    shutil.copytree(src, dst)
    return f"sqlite:///{dst / 'mlflow.db'}"


def _max_seq(store: Store) -> int:
    out = 0
    for kind in Kind:
        page = store.list_nodes(kind, ListOptions(order_by="seq", descending=True, limit=1))
        out = max([out, *[n.seq or 0 for n in page.items]])
    return out


def _counts(store: Store) -> tuple[int, int, int, int]:
    return (len(store.get_artifacts()), len(store.get_executions()), len(store.get_contexts()),
            len(store.get_events(execution_ids=[e.id or 0 for e in store.get_executions()])))


def test_import_answers_the_questions_and_reimport_adds_nothing(
    store: Store, mlflow_db: Path, tmp_path: Path
) -> None:
    uri = _copy(mlflow_db, tmp_path / "copy")
    report = import_mlflow(store, uri)
    assert report.new == {"experiment": 3, "run": 5, "dataset": 3, "model": 2, "metrics": 3,
                          "registered_model": 1, "registration": 2, "model_version": 2}
    exps = {c.name for c in store.get_contexts_by_type("mlflow.Experiment")}
    assert exps == {"Default", "churn", "fraud"}
    runs = {e.name.split("/")[0]: e for e in store.get_executions_by_type("mlflow.Run")}
    assert {k: v.last_known_state.value for k, v in runs.items()} == {
        "sweep": "COMPLETE", "lr-0.1": "COMPLETE", "lr-1.0": "FAILED", "baseline": "COMPLETE",
        "fraud-1": "COMPLETE"}
    lr = runs["lr-0.1"]
    assert lr.properties == {"C": "0.1", "solver": "lbfgs"}
    assert lr.custom_properties["metrics"] == {"loss": 0.4, "accuracy": 0.81}
    # nested runs belong to their parent's context, not to the experiment
    [parent_ctx] = store.get_contexts_by_type("mlflow.ParentRun")
    churn = store.get_context_by_type_and_name("mlflow.Experiment", "churn")
    assert churn is not None and churn.id is not None
    assert [p.id for p in store.get_parent_contexts(parent_ctx.id or 0)] == [churn.id]
    assert sorted(e.name.split("/")[0] for e in store.get_executions_by_context(
        parent_ctx.id or 0)) == ["lr-0.1", "lr-1.0", "sweep"]
    assert sorted(e.name.split("/")[0] for e in store.get_executions_by_context(churn.id)
                  if e.type == "mlflow.Run") == ["baseline", "sweep"]
    # metric history on the Metrics artifact
    metrics = store.get_artifacts_by_external_ids([f"mlflow:metrics:{lr.external_id[11:]}"])
    assert [v for _, _, v in metrics[0].custom_properties["history"]["loss"]] == [0.9, 0.6, 0.4]

    models = {m.custom_properties["mlflow.info"]["source_run_id"]: m
              for m in store.get_artifacts_by_type("Model")}
    model = models[lr.external_id[len("mlflow:run:"):]]
    # provenance: datasets, hyperparameters, experiment
    assert sorted(d.name for d in questions.training_datasets(store, model.id or 0)) == [
        f"churn-test@{n}" for n in [_digest(store, "churn-test")]] + [
        f"churn-train@{_digest(store, 'churn-train')}"]
    assert questions.hyperparameters(store, model.id or 0)["C"] == "0.1"
    assert {c.type for c in questions.pipeline_and_run(store, model.id or 0).contexts} == {
        "mlflow.ParentRun"}
    # models-on: both churn models trained on churn-train, best accuracy first
    train = store.get_artifacts_by_external_ids(
        [f"mlflow:dataset:churn-train@{_digest(store, 'churn-train')}"])[0]
    ranked = questions.models_trained_on(store, train.id or 0, "accuracy")
    ranked_ids = [r.model.id for r in getattr(ranked, "models", ranked)]
    baseline = models[runs["baseline"].external_id[len("mlflow:run:"):]]
    assert ranked_ids == [model.id, baseline.id]
    # deployed: versions are pushes, the newest is version 2 (from baseline); v1 has the alias
    registered = store.get_context_by_type_and_name("mlflow.RegisteredModel", "churn-model")
    assert registered is not None and registered.custom_properties["aliases"] == {
        "champion": 1}
    deployed = questions.last_deployed(store, lineage.context(registered.id or 0))
    assert deployed is not None and deployed.deployed.name == "churn-model/v2"
    assert deployed.model is not None and deployed.model.id == baseline.id
    by_model = questions.last_deployed(store, lineage.artifact(model.id or 0))
    assert by_model is not None and by_model.deployed.name == "churn-model/v1"
    v1 = store.get_artifact_by_type_and_name("PushedModel", "churn-model/v1")
    assert v1 is not None and v1.custom_properties["aliases"] == ["champion"]

    before, seq = _counts(store), _max_seq(store)
    again = import_mlflow(store, uri)
    assert again.new == {}
    assert (_counts(store), _max_seq(store)) == (before, seq)

    # A later run in the MLflow store: only it (and its dataset-free outputs) comes over.
    _write(uri, "second")
    third = import_mlflow(store, uri)
    assert third.new == {"run": 1, "metrics": 1}
    assert _counts(store)[1] == before[1] + 1


def _digest(store: Store, name: str) -> str:
    [found] = [a for a in store.get_artifacts_by_type("Dataset") if a.name.startswith(name + "@")]
    return str(found.custom_properties["digest"])


def test_bad_tracking_uris_are_refused(memory_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as missing_dir:
        import_mlflow(memory_store, str(tmp_path / "nope"))
    assert missing_dir.value.field == "tracking_uri"
    with pytest.raises(InvalidInputError, match="no such database file"):
        import_mlflow(memory_store, f"sqlite:///{tmp_path / 'nope.db'}")
    (tmp_path / "text.db").write_text("not sqlite")
    with pytest.raises(InvalidInputError, match="not an SQLite database"):
        import_mlflow(memory_store, f"sqlite:///{tmp_path / 'text.db'}")
    assert not (tmp_path / "nope.db").exists()  # never created by the attempt


def test_cli_import_mlflow(
    neo4j_store: Store, neo4j_target: Neo4jTarget, mlflow_db: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from lineage_graph.cli.app import app

    uri = _copy(mlflow_db, tmp_path / "cli")
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    first = CliRunner().invoke(app, ["import", "mlflow", uri, "--json"], env=env)
    assert first.exit_code == 0, first.stderr
    doc = json.loads(first.stdout)
    assert sum(doc["new"].values()) > 0
    again = CliRunner().invoke(app, ["import", "mlflow", uri, "--json"], env=env)
    assert again.exit_code == 0 and sum(json.loads(again.stdout)["new"].values()) == 0
    bad = CliRunner().invoke(app, ["import", "mlflow", str(tmp_path / "nowhere")], env=env)
    assert bad.exit_code == 1 and bad.stderr.startswith("error:")
