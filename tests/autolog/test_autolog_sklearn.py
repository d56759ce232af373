"""autolog for scikit-learn, on both backends: what one fit records, nesting, failures,
file sources, the implicit run, and the same lineage as ``@step`` for the same work."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_backend
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lineage_graph import lineage, questions
from lineage_graph.models import Artifact, EventType, Execution, ExecutionState
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, Model, fields, log_metric, run, step
from lineage_graph.tracking import autolog as al

X, Y = load_iris(return_X_y=True)


def _run_executions(store: Store, run_name: str) -> list[Execution]:
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, run_name)
    assert ctx is not None and ctx.id is not None
    return sorted(store.get_executions_by_context(ctx.id), key=lambda e: e.id or 0)


def _outputs(store: Store, execution_id: int) -> dict[str, Artifact]:
    events = [e for e in store.get_events(execution_ids=[execution_id])
              if e.type is EventType.OUTPUT]
    arts = {a.id: a for a in store.get_artifacts_by_id([e.artifact_id for e in events])}
    return {str(e.path[0]): arts[e.artifact_id] for e in events}


def _children(store: Store, execution: Execution) -> list[Execution]:
    ctx = store.get_context_by_type_and_name(al.FIT_CONTEXT, str(execution.name))
    assert ctx is not None and ctx.id is not None
    return sorted((e for e in store.get_executions_by_context(ctx.id) if e.id != execution.id),
                  key=lambda e: e.id or 0)


def test_a_fit_is_one_execution_with_params_data_model_metrics_and_code(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store, training_score=True)
    with run("iris", name="r1", store=store):
        clf = LogisticRegression(C=0.5, max_iter=300).fit(X, Y)
    [ex] = _run_executions(store, "r1")
    assert (ex.type, ex.name, ex.last_known_state) == (
        "sklearn.LogisticRegression", "r1/LogisticRegression", ExecutionState.COMPLETE)
    assert ex.properties["C"] == 0.5 and ex.properties["max_iter"] == 300
    assert ex.custom_properties[fields.METRICS]["training_score"] == pytest.approx(
        clf.score(X, Y))
    assert ex.custom_properties[fields.CODE_HASH].startswith("sha256:")
    assert ex.custom_properties[fields.STEP].endswith(
        "test_a_fit_is_one_execution_with_params_data_model_metrics_and_code")
    outputs = _outputs(store, ex.id or 0)
    assert sorted(outputs) == ["metrics", "model"]
    model = outputs["model"]
    handle = al.recorded_model(clf)
    assert handle is not None and model.external_id == (
        f"Model:{handle.uri}@{handle.fingerprint}")
    assert model.custom_properties["training_score"] == pytest.approx(clf.score(X, Y))
    import hashlib

    assert handle.fingerprint == "sha256:" + hashlib.sha256(pickle.dumps(clf)).hexdigest()
    [data] = questions.training_datasets(store, model.id or 0)
    assert (data.type, data.uri) == ("Dataset", "memory://ndarray")
    assert questions.hyperparameters(store, model.id or 0)["C"] == 0.5
    assert {c.name for c in questions.pipeline_and_run(store, model.id or 0).contexts} == {
        "iris", "r1"}
    env = questions.versions(store, model.id or 0).environment
    assert env["scikit-learn"] and env["python_version"]


def test_the_same_data_is_the_same_dataset_and_a_change_is_a_new_one(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store)
    with run("iris", name="r1", store=store):
        LogisticRegression(max_iter=300).fit(X, Y)
        LogisticRegression(C=2.0, max_iter=300).fit(X.copy(), Y.copy())
        LogisticRegression(max_iter=300).fit(X[:-1], Y[:-1])
    datasets = store.get_artifacts_by_type("Dataset")
    assert len(datasets) == 2
    first, second, third = _run_executions(store, "r1")
    assert [e.name for e in (first, second, third)] == [
        "r1/LogisticRegression", "r1/LogisticRegression#2", "r1/LogisticRegression#3"]


def test_grid_search_is_one_execution_with_its_candidates_and_refit_as_children(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))
    with run("iris", name="r1", store=store):
        search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0, -1.0]}, cv=3,
                              error_score=np.nan)
        with pytest.warns(UserWarning, match="non-finite|fits failed"):
            search.fit(X, Y)
    [ex] = _run_executions(store, "r1")  # one execution, not 9 fold fits + refit siblings
    assert ex.type == "sklearn.GridSearchCV"
    assert ex.custom_properties[fields.METRICS]["best_score"] == pytest.approx(
        search.best_score_)
    children = _children(store, ex)
    assert [(c.name.split("/", 2)[2], c.type, c.last_known_state.value) for c in children] == [
        ("candidate-0", "sklearn.Pipeline", "COMPLETE"),
        ("candidate-1", "sklearn.Pipeline", "COMPLETE"),
        ("candidate-2", "sklearn.Pipeline", "FAILED"),
        ("refit", "sklearn.Pipeline", "COMPLETE"),
    ]
    assert [c.properties.get("logisticregression__C") for c in children[:3]] == [
        0.1, 1.0, -1.0]
    assert children[1].custom_properties[fields.METRICS]["rank_test_score"] == 1
    assert "'C' parameter of LogisticRegression" in children[2].custom_properties[
        fields.ERROR_MESSAGE]
    refit = children[3]
    assert [g.name.rsplit("/", 1)[1] for g in _children(store, refit)] == [
        "standardscaler", "logisticregression"]
    # The run's failures include the failed candidate, with what differs from a success.
    run_ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, "r1")
    assert run_ctx is not None and run_ctx.id is not None
    failed = questions.why_failed(store, lineage.context(run_ctx.id))
    assert [f.failed.execution.id for f in failed] == [children[2].id]


def test_a_search_on_joblib_threads_still_records_one_execution(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store)
    with run("iris", name="r1", store=store), parallel_backend("threading", n_jobs=2):
        GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.1, 1.0]}, cv=3,
                     n_jobs=2).fit(X, Y)
    [ex] = _run_executions(store, "r1")
    assert [c.name.rsplit("/", 1)[1] for c in _children(store, ex)] == [
        "candidate-0", "candidate-1", "refit"]


def test_cross_validation_folds_are_not_recorded(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store)
    with run("iris", name="r1", store=store):
        cross_val_score(LogisticRegression(max_iter=300), X, Y, cv=3)
        LogisticRegression(max_iter=300).fit(X, Y)
    assert [e.type for e in _run_executions(store, "r1")] == ["sklearn.LogisticRegression"]


def test_a_failed_fit_is_recorded_with_its_error_and_raises_unchanged(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store)
    with run("iris", name="r1", store=store):
        LogisticRegression(C=1.0, max_iter=300).fit(X, Y)
        with pytest.raises(ValueError, match="'C' parameter"):
            LogisticRegression(C=-1.0, max_iter=300).fit(X, Y)
    good, bad = _run_executions(store, "r1")
    assert bad.last_known_state is ExecutionState.FAILED
    assert bad.custom_properties[fields.ERROR_TYPE].endswith("InvalidParameterError")
    assert _outputs(store, bad.id or 0) == {}
    [step_] = questions.why_failed(store, lineage.execution(bad.id or 0))
    assert step_.last_success is not None and step_.last_success.execution.id == good.id
    assert [(c.section, c.field, c.before, c.after) for c in step_.diff.changes
            if c.section == "parameters"] == [("parameters", "C", 1.0, -1.0)]


def test_data_read_from_a_file_is_that_file(
    store: Store, autolog_on: Callable[..., None], tmp_path: Path
) -> None:
    csv = tmp_path / "iris.csv"
    pd.DataFrame(np.column_stack([X, Y]), columns=["a", "b", "c", "d", "y"]).to_csv(
        csv, index=False)
    autolog_on(store)
    frame = pd.read_csv(csv)
    with run("iris", name="r1", store=store):
        clf = LogisticRegression(max_iter=300).fit(frame.drop(columns="y"), frame["y"])
    handle = al.recorded_model(clf)
    assert handle is not None
    [model] = store.get_artifacts_by_type("Model")
    [data] = questions.training_datasets(store, model.id or 0)
    stored = store.get_artifacts_by_id([data.id])[0]
    # Exactly the artifact @step records for Dataset(path).
    from lineage_graph.tracking.steps import artifact_of

    expected = artifact_of(Dataset(csv))
    assert (stored.uri, stored.external_id, stored.custom_properties[fields.FINGERPRINT]) == (
        expected.uri, expected.external_id, expected.custom_properties[fields.FINGERPRINT])


def test_outside_a_run_fits_join_one_implicit_run(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    autolog_on(store, pipeline="my-script")
    LogisticRegression(max_iter=300).fit(X, Y)
    LogisticRegression(C=0.3, max_iter=300).fit(X, Y)
    assert al.current_run() is None  # the implicit run is never the current run
    al.autolog(disable=True)  # ends the implicit run
    [pipeline] = store.get_contexts_by_type(fields.PIPELINE)
    [run_ctx] = store.get_contexts_by_type(fields.PIPELINE_RUN)
    assert pipeline.name == "my-script"
    assert run_ctx.custom_properties[fields.RUN_STATE] == "COMPLETE"
    assert len(store.get_executions_by_context(run_ctx.id or 0)) == 2


def test_disable_restores_the_libraries(autolog_on: Callable[..., None]) -> None:
    original = LogisticRegression.fit
    read_csv = pd.read_csv
    from lineage_graph.store.memory import MemoryStore

    autolog_on(MemoryStore())
    assert LogisticRegression.fit is not original and pd.read_csv is not read_csv
    al.autolog(disable=True)
    assert LogisticRegression.fit is original and pd.read_csv is read_csv


# ---- the same work, with @step and with autolog(): the same lineage ------------------------


def _lineage_of(store: Store, model_id: int) -> dict[str, Any]:
    """What the lineage says about a model, independent of how it was recorded."""
    model = store.get_artifacts_by_id([model_id])[0]
    snap = questions.producer(store, model_id)
    assert snap is not None
    datasets = [store.get_artifacts_by_id([d.id])[0]
                for d in questions.training_datasets(store, model_id)]
    return {
        "datasets": sorted((d.uri, d.custom_properties[fields.FINGERPRINT]) for d in datasets),
        "model": model.custom_properties[fields.FINGERPRINT],
        "metric": model.custom_properties["training_score"],
        "C": snap.parameters["C"],
        "contexts": sorted(c.name for c in snap.contexts),
        "state": snap.execution.state,
        "outputs": sorted(a.type for a in _outputs(store, snap.execution.id).values()),
    }


def test_step_and_autolog_record_the_same_lineage_for_the_same_work(
    store: Store, autolog_on: Callable[..., None], tmp_path: Path
) -> None:
    csv = tmp_path / "iris.csv"
    pd.DataFrame(np.column_stack([X, Y]), columns=["a", "b", "c", "d", "y"]).to_csv(
        csv, index=False)

    @step(outputs={"out": Model})
    def train(data: Dataset, out: str, C: float = 0.5) -> Model:
        frame = pd.read_csv(data)
        x, y = frame.drop(columns="y"), frame["y"]
        clf = LogisticRegression(C=C, max_iter=300).fit(x, y)
        log_metric("training_score", float(clf.score(x, y)))
        with open(out, "wb") as f:
            pickle.dump(clf, f)
        return Model(out)

    with run("same-work", name="with-step", store=store):
        train(Dataset(csv), out=str(tmp_path / "model.pkl"), C=0.5)
    [with_step] = store.get_artifacts_by_type("Model")

    autolog_on(store, training_score=True)
    with run("same-work", name="with-autolog", store=store):
        frame = pd.read_csv(csv)  # the same script, without @step
        LogisticRegression(C=0.5, max_iter=300).fit(frame.drop(columns="y"), frame["y"])
    [with_autolog] = [m for m in store.get_artifacts_by_type("Model") if m.id != with_step.id]

    a = _lineage_of(store, with_step.id or 0)
    b = _lineage_of(store, with_autolog.id or 0)
    assert a["contexts"] == ["same-work", "with-step"]
    assert b["contexts"] == ["same-work", "with-autolog"]
    a.pop("contexts")
    b.pop("contexts")
    assert a == b
