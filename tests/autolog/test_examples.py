"""The autolog examples run as scripts (only ``autolog()`` added), on real Neo4j: their
history answers the eight questions; a failing run is explained."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lineage_graph import lineage, questions
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.tracking import fields

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _script(target: Neo4jTarget, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user,
           "NEO4J_PASSWORD": target.password or "", "NEO4J_DATABASE": target.database or "",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _runs(store: Store, pipeline: str) -> list[int]:
    ctx = store.get_context_by_type_and_name(fields.PIPELINE, pipeline)
    assert ctx is not None and ctx.id is not None
    return [c.id or 0 for c in store.get_child_contexts(ctx.id)]


def _deployed(store: Store, model_id: int) -> object:
    return questions.last_deployed(store, lineage.artifact(model_id))


def test_sklearn_example_answers_the_eight_questions(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    done = _script(neo4j_target, "autolog_sklearn.py", "--workdir", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    failed = _script(neo4j_target, "autolog_sklearn.py", "--workdir", str(tmp_path), "--C", "-1")
    assert failed.returncode != 0 and "InvalidParameterError" in failed.stderr
    first, second = _runs(neo4j_store, "autolog_sklearn")
    [pipe, search] = sorted(neo4j_store.get_executions_by_context(first),
                            key=lambda e: e.id or 0)
    assert (pipe.type, search.type) == ("sklearn.Pipeline", "sklearn.GridSearchCV")
    models = sorted(neo4j_store.get_artifacts_by_type("Model"), key=lambda a: a.id or 0)
    assert len(models) == 2
    pipe_model, search_model = models
    csv = str(tmp_path / "wine.csv")
    # 1. data: the CSV the script read (train and test both came from it)
    assert [d.uri for d in questions.training_datasets(neo4j_store, pipe_model.id or 0)] == [csv]
    # 2. hyperparameters of the search
    params = questions.hyperparameters(neo4j_store, search_model.id or 0)
    assert params["cv"] == 3 and params["param_grid"] == {"logisticregression__C": [
        0.05, 0.5, 5.0]}
    # 3. pipeline and run: the implicit run of the script
    where = questions.pipeline_and_run(neo4j_store, search_model.id or 0)
    assert sorted(c.type for c in where.contexts) == ["Fit", "Pipeline", "PipelineRun"]
    # 4. versions: code (git: the examples are in this repository) and libraries
    versions = questions.versions(neo4j_store, search_model.id or 0)
    assert versions.code["code_hash"].startswith("sha256:") and "git_commit" in versions.code
    assert "scikit-learn" in versions.environment
    # 5. why the second run failed: the pipeline's LogisticRegression step, C changed
    steps = questions.why_failed(neo4j_store, lineage.context(second))
    assert sorted(s.failed.execution.type for s in steps) == [
        "sklearn.LogisticRegression", "sklearn.Pipeline"]
    [step_] = [s for s in steps if s.failed.execution.type == "sklearn.LogisticRegression"]
    assert "'C' parameter" in (step_.failed.error or "")
    # compared with the last successful LogisticRegression: the search's refit (best C)
    assert [(c.field, c.after) for c in step_.diff.changes
            if c.section == "parameters"] == [("C", -1.0)]
    run_ctx = neo4j_store.get_contexts_by_id([second])[0]
    assert run_ctx.custom_properties[fields.RUN_STATE] == "FAILED"
    # 6. deployed: autolog records training, not deployments: never deployed
    assert _deployed(neo4j_store, search_model.id or 0) is None
    # 7. models trained on the CSV, best CV score first (the pipeline has no CV score)
    data_id = questions.training_datasets(neo4j_store, pipe_model.id or 0)[0].id
    ranked = questions.models_trained_on(neo4j_store, data_id, "best_score")
    order = [r.model.id for r in getattr(ranked, "models", ranked)]
    assert order == [search_model.id, pipe_model.id]
    # 8. the CSV is corrupt: both models and all three runs' fits are reached
    cleanup = questions.cleanup_list(neo4j_store, lineage.artifact(data_id))
    assert sorted(m.node.id for m in cleanup.models) == [pipe_model.id, search_model.id]
    assert {e.node.type for e in cleanup.executions} >= {"sklearn.Pipeline",
                                                         "sklearn.GridSearchCV"}


def test_xgboost_example_answers_the_eight_questions(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    done = _script(neo4j_target, "autolog_xgboost.py", "--workdir", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    failed = _script(neo4j_target, "autolog_xgboost.py", "--workdir", str(tmp_path),
                     "--max-depth", "-2")
    assert failed.returncode != 0
    first, second = _runs(neo4j_store, "autolog_xgboost")
    clf, booster = sorted(neo4j_store.get_executions_by_context(first), key=lambda e: e.id or 0)
    assert (clf.type, booster.type) == ("xgboost.XGBClassifier", "xgboost.train")
    models = {m.uri: m for m in neo4j_store.get_artifacts_by_type("Model")}
    model = models["memory://xgboost.core.Booster"]
    csv = str(tmp_path / "cancer.csv")
    assert [d.uri for d in questions.training_datasets(neo4j_store, model.id or 0)] == [csv]
    assert questions.hyperparameters(neo4j_store, model.id or 0)["num_boost_round"] == 20
    assert {c.type for c in questions.pipeline_and_run(neo4j_store, model.id or 0).contexts} \
        == {"Pipeline", "PipelineRun"}
    assert "xgboost" in questions.versions(neo4j_store, model.id or 0).environment
    [step_] = questions.why_failed(neo4j_store, lineage.context(second))
    assert step_.failed.execution.type == "xgboost.XGBClassifier"
    assert [(c.field, c.before, c.after) for c in step_.diff.changes
            if c.section == "parameters"] == [("max_depth", 3, -2)]
    assert _deployed(neo4j_store, model.id or 0) is None
    data_id = questions.training_datasets(neo4j_store, model.id or 0)[0].id
    ranked = questions.models_trained_on(neo4j_store, data_id, "valid-logloss",
                                         higher_is_better=False)
    assert next(r.model.id for r in getattr(ranked, "models", ranked)) == model.id
    metrics = [a for a in neo4j_store.get_artifacts_by_type("Metrics")
               if "valid-logloss" in a.custom_properties]
    assert len(metrics[0].custom_properties["history"]["valid-logloss"]) == 20
    cleanup = questions.cleanup_list(neo4j_store, lineage.artifact(data_id))
    assert {m.node.id for m in cleanup.models} == {m.id for m in models.values()}


@pytest.mark.parametrize("script", ["autolog_sklearn.py", "autolog_xgboost.py"])
def test_examples_add_only_the_autolog_line(script: str) -> None:
    text = (EXAMPLES / script).read_text()
    assert [line.strip() for line in text.splitlines() if "lineage_graph" in line] == [
        "from lineage_graph.tracking.autolog import autolog"]
