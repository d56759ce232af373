"""The seed's questions on the census story (tests/lineage/story.py), on both backends."""

from __future__ import annotations

import pytest

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.errors import InvalidInputError, NotFoundError
from lineage_graph.models import ExecutionState, Kind
from lineage_graph.store.base import Store

from .histories import History, load
from .story import Census, census


@pytest.fixture
def story(store: Store) -> Census:
    c = census()
    load(store, c.h)
    return c


def names(nodes: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(n.name for n in nodes)


def test_1_which_datasets_trained_model_v2(store: Store, story: Census) -> None:
    got = Q.training_datasets(store, story.models[1], types=["Dataset"])
    assert names(got) == ["census.csv", "holdout.csv"]
    roots = Q.training_datasets(store, story.models[1], types=None, roots_only=True)
    assert names(roots) == ["census.csv", "holdout.csv"]
    # As it was when model v2 was produced: holdout.csv was recorded later.
    as_of = L.upstream_as_of(store, story.models[1], types=["Dataset"])
    assert names(as_of.artifacts) == ["census.csv"]


def test_2_hyperparameters_of_model_v1(store: Store, story: Census) -> None:
    assert Q.hyperparameters(store, story.models[0]) == {"learning_rate": 0.1, "epochs": 10}
    with pytest.raises(NotFoundError):
        Q.hyperparameters(store, story.csv)


def test_3_pipeline_and_run_of_model_v2(store: Store, story: Census) -> None:
    got = Q.pipeline_and_run(store, story.models[1])
    assert got.execution.name == "trainer-2"
    assert [c.name for c in got.contexts] == ["run-2"]
    assert got.contexts[0].parent_ids == [story.pipeline]
    assert [c.name for c in got.ancestors] == ["census-income"]


def test_4_library_and_code_versions(store: Store, story: Census) -> None:
    got = Q.versions(store, story.models[1])
    assert got.code == {"code_hash": "bbb", "git_commit": "commit-bbb"}
    assert got.environment == {"python_version": "3.11", "torch": "2.1"}


def test_5_why_did_run_3_fail(store: Store, story: Census) -> None:
    steps = Q.why_failed(store, L.context(story.runs[2]))
    assert len(steps) == 1
    step = steps[0]
    assert step.failed.execution.name == "trainer-3"
    assert step.failed.error == "OOM: CUDA out of memory"
    assert step.last_success is not None and step.last_success.execution.name == "trainer-2"
    assert step.diff is not None
    changed = {(c.section, c.field): (c.before, c.after) for c in step.diff.changes}
    assert changed[("environment", "torch")] == ("2.1", "2.2")
    assert changed[("state", "last_known_state")] == ("COMPLETE", "FAILED")
    assert ("parameters", "learning_rate") not in changed
    inputs = {k: v for k, v in changed.items() if k[0] == "inputs"}
    assert inputs, "trainer-3 read transformed-3, trainer-2 transformed-2 (and holdout late)"
    # Asked from the failed execution itself: the same answer.
    assert Q.why_failed(store, L.execution(story.failed_trainer))[0].failed == step.failed
    # Nothing failed upstream of model v2.
    assert Q.why_failed(store, L.artifact(story.models[1])) == []


def test_5_last_success_is_of_the_same_pipeline(store: Store) -> None:
    """The comparison run is the last success of the same pipeline step (a run of the same
    Pipeline context, reached through its PipelineRun), not a newer one of another pipeline;
    an execution in no context falls back to the same type anywhere."""
    h = History()
    fraud, churn = h.context("Pipeline", "fraud"), h.context("Pipeline", "churn")
    raw = h.artifact("Dataset", "raw")
    runs = {}
    for week in (1, 2):
        for name, pipeline in (("fraud", fraud), ("churn", churn)):
            run = h.context("PipelineRun", f"{name}-w{week}", parent=pipeline)
            failed = (name, week) == ("fraud", 2)
            state = ExecutionState.FAILED if failed else ExecutionState.COMPLETE
            runs[(name, week)], _ = h.run("Trainer", f"{name}-trainer-w{week}", inputs=[raw],
                                          outputs=[("Model", f"{name}-model-w{week}", {})],
                                          contexts=[run], state=state)
    # A newer success in no pipeline at all, and a failure in no context.
    h.run("Trainer", "adhoc-trainer", inputs=[raw])
    orphan, _ = h.run("Trainer", "orphan-trainer", inputs=[raw], state=ExecutionState.FAILED)
    # A failure whose pipeline never succeeded: nothing to compare with.
    lonely = h.context("Pipeline", "lonely")
    lonely_run = h.context("PipelineRun", "lonely-w1", parent=lonely)
    alone, _ = h.run("Trainer", "lonely-trainer", inputs=[raw], contexts=[lonely_run],
                     state=ExecutionState.FAILED)
    load(store, h)

    (step,) = Q.why_failed(store, L.execution(runs[("fraud", 2)]))
    assert step.last_success is not None
    assert step.last_success.execution.name == "fraud-trainer-w1"  # not churn-trainer-w2
    (step,) = Q.why_failed(store, L.execution(orphan))
    assert step.last_success is not None and step.last_success.execution.name == "adhoc-trainer"
    (step,) = Q.why_failed(store, L.execution(alone))
    assert step.last_success is None


def test_6_last_deployed_version(store: Store, story: Census) -> None:
    got = Q.last_deployed(store, L.context(story.pipeline))
    assert got is not None
    assert got.deployed.name == "pushed-v2"
    assert got.model is not None and got.model.name == "model-v2"
    assert [c.name for c in got.contexts] == ["prod"]  # the target it went to
    assert got.action == "push" and got.live
    v1 = Q.last_deployed(store, L.artifact(story.models[0]))
    assert v1 is not None and v1.deployed.name == "pushed-v1"
    assert not v1.live  # pushed-v2 replaced it on prod
    assert v1.at is not None and got.at is not None and v1.at < got.at
    assert Q.last_deployed(store, L.artifact(story.examples[2])) is None  # run-3 failed
    full = Q.deployments(store, L.context(story.prod))
    (prod,) = full.targets
    assert [e.pushed.name for e in prod.history if e.pushed] == ["pushed-v1", "pushed-v2"]
    assert prod.live is not None and prod.live.model is not None
    assert prod.live.model.name == "model-v2"


def test_7_models_trained_on_census_ranked(store: Store, story: Census) -> None:
    got = Q.models_trained_on(store, story.csv, "accuracy")
    assert [(r.model.name, r.metric) for r in got.models] == [("model-v2", 0.86),
                                                              ("model-v1", 0.81)]
    assert got.metric_found and not got.mixed
    (census,) = got.pipelines
    assert census.pipeline is not None and census.pipeline.name == "census-income"
    # model-v2 against model-v1, the model deployed before model-v2 was trained: better.
    assert census.newest is not None and census.newest.model.name == "model-v2"
    assert census.baseline is not None and census.baseline.model.name == "model-v1"
    assert census.better is True
    worst_first = Q.models_trained_on(store, story.csv, "accuracy", higher_is_better=False)
    assert [r.model.name for r in worst_first.models] == ["model-v1", "model-v2"]
    assert worst_first.pipelines[0].better is False
    unknown = Q.models_trained_on(store, story.csv, "f1")
    assert not unknown.metric_found and unknown.available == ["accuracy"]


def test_8_cleanup_list_for_corrupt_examples(store: Store, story: Census) -> None:
    got = Q.cleanup_list(store, L.artifact(story.examples[0]))
    assert names([t.node for t in got.models]) == ["model-v1"]
    # pushed-v1 was built on them; the prod target holds pushed-v2 now (clean): not flagged.
    assert sorted(t.node.name for t in got.deployments) == ["pushed-v1"]
    assert "model-v2" not in names([t.node for t in got.artifacts])
    by_name = {t.node.name: t for t in got.artifacts}
    assert by_name["pushed-v1"].hops == 6


def test_mark_bad_records_incident_with_paths(store: Store, story: Census) -> None:
    inc = L.mark_bad(store, L.artifact(story.csv), "rows duplicated upstream")
    assert inc.status == "OPEN" and inc.reached_count > 0
    full = L.incident(store, inc.id)
    reached = {(t.node.kind, t.node.name) for t in full.reached or []}
    assert (Kind.ARTIFACT, "pushed-v2") in reached
    assert (Kind.CONTEXT, "prod") in reached
    assert (Kind.EXECUTION, "trainer-3") in reached
    pushed = next(t for t in full.reached or [] if t.node.name == "pushed-v2")
    path = full.path_to(pushed.node.ref)
    assert len(path) == 9 and path[0] == L.artifact(story.csv) and path[-1] == pushed.node.ref
    # The incident is listed, then resolved once (a second resolve keeps the first).
    assert [i.id for i in L.incidents(store, "OPEN")] == [inc.id]
    first = L.resolve_incident(store, inc.id, "re-ingested")
    again = L.resolve_incident(store, inc.id, "other")
    assert first.status == again.status == "RESOLVED" and again.resolution == "re-ingested"
    assert L.incidents(store, "OPEN") == []
    with pytest.raises(NotFoundError):
        L.incident(store, 999)
    with pytest.raises(NotFoundError):
        L.mark_bad(store, L.artifact(999), "nope")


def test_barrier_stops_taint(store: Store, story: Census) -> None:
    stopped = L.mark_bad(store, L.artifact(story.examples[0]), "bad", barrier_types=["Transform"])
    assert stopped.reached_count == 0
    through = L.taint_preview(store, L.artifact(story.csv), barrier_types=["Trainer"])
    kinds_names = {(t.node.kind, t.node.name) for t in through}
    assert (Kind.ARTIFACT, "transformed-2") in kinds_names
    assert all(t.node.type not in ("Trainer", "Model", "PushedModel") for t in through)


def test_explain_and_guardrails(store: Store, story: Census) -> None:
    path = L.explain(store, L.artifact(story.csv), L.artifact(story.pushed[1]))
    assert path is not None and path.length == 8
    assert [n.name for n in path.nodes][::2] == [
        "census.csv", "examples-2", "transformed-2", "model-v2", "pushed-v2"
    ]
    assert L.explain(store, L.artifact(story.pushed[1]), L.artifact(story.csv)) is None
    capped = L.upstream(store, L.artifact(story.pushed[1]), limit=3)
    assert capped.partial and capped.reason and len(capped.nodes) == 3
    # As of pushed-v2's creation: holdout.csv, recorded later as an input of trainer-2, is not
    # upstream of it yet; current=True sees it.
    created = L.upstream(store, L.artifact(story.pushed[1]))
    assert not created.partial and len(created.nodes) == 8  # 4 steps, 4 artifacts
    assert "holdout.csv" not in names(created.nodes)
    full = L.upstream(store, L.artifact(story.pushed[1]), current=True)
    assert not full.partial and len(full.nodes) == 9  # and holdout.csv
    assert L.upstream(store, L.artifact(story.pushed[1]), as_of=10**15) == full
    assert {n.ref for n in capped.nodes} <= {n.ref for n in created.nodes}
    near = L.upstream(store, L.artifact(story.pushed[1]), max_depth=2)
    assert names(near.nodes) == ["model-v2", "pusher-2"]
    with pytest.raises(InvalidInputError):
        L.upstream(store, L.artifact(story.csv), max_depth=-1)
    with pytest.raises(InvalidInputError):
        L.upstream(store, L.context(story.pipeline))
    with pytest.raises(InvalidInputError):
        L.upstream(store, L.artifact(story.csv), limit=0)
    with pytest.raises(InvalidInputError):
        L.downstream(store, L.artifact(story.csv), types=["Model`) DETACH DELETE (x"])
    with pytest.raises(InvalidInputError):
        L.mark_bad(store, L.artifact(story.csv), "  ")


def test_run_diff_between_run_1_and_2(store: Store, story: Census) -> None:
    diff = L.diff_run_n(store, story.pipeline, 1)
    trainer = next(s for s in diff.steps if s.step == "Trainer")
    changed = {(c.section, c.field): (c.before, c.after) for c in trainer.changes}
    assert changed[("parameters", "learning_rate")] == (0.1, 0.01)
    assert changed[("code", "code_hash")] == ("aaa", "bbb")
    assert changed[("environment", "torch")] == ("2.0", "2.1")
    assert any(k[0] == "inputs" for k in changed)
    with pytest.raises(InvalidInputError):
        L.diff_run_n(store, story.pipeline, 3)


def test_subgraph_has_nodes_and_edges(store: Store, story: Census) -> None:
    sub = L.lineage_subgraph(store, [L.artifact(story.models[0])], hops=2)
    assert names(sub.nodes) == ["model-v1", "pushed-v1", "pusher-1", "trainer-1", "transformed-1"]
    assert len(sub.edges or []) == 4
