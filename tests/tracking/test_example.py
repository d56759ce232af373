"""The wine example on real Neo4j: history recorded, memoized re-runs, failures explained.

Invocations are counted by wrapping each step's function (see conftest), so "nothing re-ran"
is observed directly, not read back from what tracking recorded.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
import sklearn

from lineage_graph import lineage, questions
from lineage_graph.models import Artifact, ArtifactState, Execution, ExecutionState
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.tracking import fields

from .conftest import EXAMPLES

ALL_STEPS = {"ingest": 1, "statistics": 1, "split": 1, "features": 2, "train": 1,
             "evaluate": 1, "push": 1}


def _run_executions(store: Store, run_name: str) -> list[Execution]:
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, run_name)
    assert ctx is not None and ctx.id is not None, f"run {run_name} not recorded"
    return sorted(store.get_executions_by_context(ctx.id), key=lambda e: e.id or 0)


def _by_state(store: Store, run_name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in _run_executions(store, run_name):
        out.setdefault(e.last_known_state.value, []).append(e.type)
    return {k: sorted(v) for k, v in out.items()}


def _mtimes(workdir: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in sorted(workdir.rglob("*")) if p.is_file()}


def test_second_run_is_all_cached_and_reruns_follow_exactly_what_changed(
    neo4j_store: Store, wine: ModuleType, wine_calls: Counter[str], tmp_path: Path
) -> None:
    wd = tmp_path / "wine"
    first = wine.main(wd, store=neo4j_store, run_name="run-1")
    assert first["metrics"]["accuracy"] > 0.8 and first["pushed"]
    assert wine_calls == ALL_STEPS
    assert (first["run"], first["reused"]) == ("run-1", [])
    assert first["ran"] == ["ingest", "statistics", "split", "features", "features", "train",
                            "evaluate", "push"]
    files = _mtimes(wd)

    # 1. the same run again: every step CACHED, no function called, no file written; the
    #    summary says so (the same results, every step reused)
    wine_calls.clear()
    second = wine.main(wd, store=neo4j_store, run_name="run-2")
    assert second == {**first, "run": "run-2", "ran": [], "reused": first["ran"]}
    assert wine_calls == {}
    assert _mtimes(wd) == files
    run1, run2 = _run_executions(neo4j_store, "run-1"), _run_executions(neo4j_store, "run-2")
    assert [e.last_known_state for e in run2] == [ExecutionState.CACHED] * 8
    assert [e.custom_properties[fields.CACHE_OF] for e in run2] == [e.id for e in run1]

    # 2. one input file changes (the hyperparameters): exactly train, evaluate, push re-run
    wine_calls.clear()
    (wd / "config" / "hparams.json").write_text(json.dumps({"C": 0.05, "max_iter": 500}))
    wine.main(wd, store=neo4j_store, run_name="run-3")
    assert wine_calls == {"train": 1, "evaluate": 1, "push": 1}
    assert _by_state(neo4j_store, "run-3") == {
        "CACHED": ["features", "features", "ingest", "split", "statistics"],
        "COMPLETE": ["evaluate", "push", "train"]}

    # 3. the raw data changes only in row order: ingest re-runs, writes the same examples,
    #    so everything downstream is a hit (content fingerprints, not timestamps)
    wine_calls.clear()
    raw = wd / "data" / "wine.csv"
    rows = list(csv.reader(raw.open()))
    with raw.open("w", newline="") as f:
        csv.writer(f).writerows([rows[0], *reversed(rows[1:])])
    wine.main(wd, store=neo4j_store, run_name="run-4")
    assert wine_calls == {"ingest": 1}
    raw_versions = neo4j_store.get_artifacts_by_uri(str(raw))
    assert len(raw_versions) == 2  # the changed file is a new artifact version

    # 4. a cached output is deleted: the step that produced it re-runs (and only it, as it
    #    writes the same bytes again)
    wine_calls.clear()
    (wd / "artifacts" / "train.csv").unlink()
    wine.main(wd, store=neo4j_store, run_name="run-5")
    assert wine_calls == {"split": 1}
    assert (wd / "artifacts" / "train.csv").exists()
    assert _by_state(neo4j_store, "run-5")["COMPLETE"] == ["split"]


def test_history_answers_the_questions_and_records_the_real_sklearn(
    neo4j_store: Store, wine: ModuleType, tmp_path: Path
) -> None:
    wine.main(tmp_path / "wine", store=neo4j_store, run_name="run-1")
    [model] = neo4j_store.get_artifacts_by_type("Model")
    assert model.id is not None
    assert questions.hyperparameters(neo4j_store, model.id) == {"C": 1.0, "max_iter": 500,
                                                                "seed": 7}
    v = questions.versions(neo4j_store, model.id)
    assert v.environment["scikit-learn"] == sklearn.__version__
    assert v.environment["python_version"] and v.code["code_hash"].startswith("sha256:")
    datasets = questions.training_datasets(neo4j_store, model.id, roots_only=True)
    assert [d.uri for d in datasets] == [str(tmp_path / "wine" / "data" / "wine.csv")]
    run = questions.pipeline_and_run(neo4j_store, model.id)
    assert {c.type for c in run.contexts} == {"Pipeline", "PipelineRun"}
    deployed = questions.last_deployed(neo4j_store, lineage.artifact(model.id))
    assert deployed is not None and deployed.deployed.type == "PushedModel"
    assert model.custom_properties["cv_accuracy"] > 0.8  # metrics of the step that made it


def test_a_failing_step_is_recorded_and_why_failed_explains_it(
    neo4j_store: Store, wine: ModuleType, tmp_path: Path
) -> None:
    wd = tmp_path / "wine"
    wine.main(wd, store=neo4j_store, run_name="good")
    with pytest.raises(ValueError, match="'C' parameter") as raised:
        wine.main(wd, store=neo4j_store, run_name="bad", overrides={"C": -1.0})
    cls = type(raised.value)
    qualified = (cls.__qualname__ if cls.__module__ == "builtins"
                 else f"{cls.__module__}.{cls.__qualname__}")
    failed = [e for e in _run_executions(neo4j_store, "bad")
              if e.last_known_state is ExecutionState.FAILED]
    assert [e.type for e in failed] == ["train"]
    c = failed[0].custom_properties
    assert c[fields.ERROR_TYPE] == qualified
    assert str(c[fields.ERROR_MESSAGE]) == str(raised.value)
    assert "Traceback" in str(c[fields.ERROR_TRACEBACK]) or "wine_pipeline.py" in str(
        c[fields.ERROR_TRACEBACK])
    bad = neo4j_store.get_context_by_type_and_name(fields.PIPELINE_RUN, "bad")
    assert bad is not None and bad.id is not None
    assert bad.custom_properties[fields.RUN_STATE] == "FAILED"
    [answer] = questions.why_failed(neo4j_store, lineage.context(bad.id))
    assert answer.failed.execution.id == failed[0].id
    assert "'C' parameter" in (answer.failed.error or "")
    assert answer.last_success is not None and answer.last_success.execution.type == "train"
    assert answer.diff is not None
    params = {(ch.field, ch.before, ch.after) for ch in answer.diff.changes
              if ch.section == "parameters"}
    assert ("C", 1.0, -1.0) in params


def test_two_processes_share_the_cache_through_the_store(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    if neo4j_target.database:
        env["NEO4J_DATABASE"] = neo4j_target.database
    script = EXAMPLES / "wine_pipeline.py"
    wd = tmp_path / "wine"
    for name in ("proc-1", "proc-2"):
        done = subprocess.run([sys.executable, str(script), "--workdir", str(wd),
                               "--run-name", name], env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        assert done.returncode == 0, done.stderr
    assert _by_state(neo4j_store, "proc-1") == {"COMPLETE": sorted(
        [s for s, n in ALL_STEPS.items() for _ in range(n)])}
    assert set(_by_state(neo4j_store, "proc-2")) == {"CACHED"}


def test_new_models_drive_their_evaluation_idempotently(
    store: Store, wine: ModuleType, evaluator: ModuleType, wine_calls: Counter[str],
    tmp_path: Path
) -> None:
    wd, ev = tmp_path / "wine", tmp_path / "eval"
    wine.main(wd, store=store, run_name="run-1")
    wine_calls.clear()

    class Died(Exception):
        pass

    # the consumer dies after evaluating the first model, before its cursor moved
    original = evaluator.evaluate_model

    def dying(delivery, **kw):  # type: ignore[no-untyped-def]
        original(delivery, **kw)
        raise Died

    evaluator.evaluate_model = dying
    try:
        with pytest.raises(Died):
            evaluator.consume(store, ev)
    finally:
        evaluator.evaluate_model = original
    assert wine_calls == {"features": 1, "evaluate": 1}
    # restarted: the same model is delivered again; the handler's steps are cache hits, in
    # the run of its first delivery (resumed), and the summary says it was not re-evaluated
    assert evaluator.consume(store, ev) == {"delivered": 1, "evaluated": 0, "reused": 1,
                                            "skipped": 0}
    assert wine_calls == {"features": 1, "evaluate": 1}
    assert evaluator.consume(store, ev) == {"delivered": 0, "evaluated": 0, "reused": 0,
                                            "skipped": 0}
    # a new model (new hyperparameters) is evaluated, once
    (wd / "config" / "hparams.json").write_text(json.dumps({"C": 0.05, "max_iter": 500}))
    wine.main(wd, store=store, run_name="run-2")
    wine_calls.clear()
    assert evaluator.consume(store, ev) == {"delivered": 1, "evaluated": 1, "reused": 0,
                                            "skipped": 0}
    assert wine_calls == {"evaluate": 1}
    evaluations = [e for e in store.get_executions_by_type("evaluate")
                   if (e.name or "").startswith("evaluate-model-")]
    assert sorted(e.last_known_state.value for e in evaluations) == [
        "CACHED", "COMPLETE", "COMPLETE"]


def test_evaluate_once_reports_the_models_it_really_evaluated(
    neo4j_store: Store, neo4j_target: Neo4jTarget, wine: ModuleType, tmp_path: Path
) -> None:
    # 19 models delivered: run-1's (its file since overwritten by run-2's), run-2's (the only
    # one on disk) and 17 remote ones. The script used to print {"evaluated": 19}.
    wd = tmp_path / "wine"
    wine.main(wd, store=neo4j_store, run_name="run-1")
    (wd / "config" / "hparams.json").write_text(json.dumps({"C": 0.05, "max_iter": 500}))
    wine.main(wd, store=neo4j_store, run_name="run-2")
    neo4j_store.put_artifacts([Artifact(type="Model", uri=f"s3://models/m{i}",
                                        state=ArtifactState.LIVE) for i in range(17)])
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password or "", "OPENBLAS_NUM_THREADS": "1"}
    if neo4j_target.database:
        env["NEO4J_DATABASE"] = neo4j_target.database
    script = [sys.executable, str(EXAMPLES / "evaluate_new_models.py"), "--workdir",
              str(tmp_path / "eval"), "--once"]
    done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"delivered": 19, "evaluated": 1, "reused": 0,
                                       "skipped": 18}
    [evaluation] = [e for e in neo4j_store.get_executions_by_type("evaluate")
                    if (e.name or "").startswith("evaluate-model-")]
    assert evaluation.last_known_state is ExecutionState.COMPLETE
    again = subprocess.run(script, env=env, capture_output=True, text=True, timeout=600,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"delivered": 0, "evaluated": 0, "reused": 0,
                                        "skipped": 0}
