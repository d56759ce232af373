"""Story: a model is deployed, replaced, rolled back, taken down; an alias moves; and a
pipeline re-run with reverted code re-pushes the old model from cache. Both backends, exact
answers (``store`` gives the in-memory store and Neo4j)."""

from __future__ import annotations

import pytest

from lineage_graph import deployments as D
from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph import refs
from lineage_graph.errors import NotFoundError
from lineage_graph.models import (
    ArtifactType,
    ExecutionState,
    ExecutionType,
    PropertyType,
    Reuse,
)
from lineage_graph.store.base import Store
from tests.lineage.histories import History, load

T1, T2, T3, T4, T5, T6 = (1_700_000_000_000 + k * 3_600_000 for k in range(6))


def _history() -> tuple[History, dict[str, int]]:
    """The wine pipeline three times: run-1 trains model-a and pushes it; run-2 (other
    code) model-b, pushed; run-3 (code reverted) trains again, and its push is CACHED: it
    reused run-1's push (a REUSED link, no output of its own), so model-a is live again."""
    h = History()
    ids: dict[str, int] = {}
    pipeline = h.context("Pipeline", "wine-classifier")
    data = h.artifact("Dataset", "wine.csv")
    ids.update(pipeline=pipeline, data=data)
    pushes = {}
    for n, (model, acc, push) in enumerate(
        [("model-a", 0.97, "push"), ("model-b", 0.91, "push"), ("model-a3", 0.97, "cached")],
        start=1,
    ):
        run = h.context("PipelineRun", f"run-{n}", parent=pipeline)
        _, (m,) = h.run("train", f"run-{n}/train", inputs=[data],
                        outputs=[("Model", model, {})], contexts=[run], C=1.0 if n != 2 else 0.01)
        h.run("evaluate", f"run-{n}/evaluate", inputs=[m, data],
              outputs=[("Metrics", f"metrics-{n}", {"accuracy": acc})], contexts=[run])
        if push == "push":
            e, (p,) = h.run("push", f"run-{n}/push", inputs=[m],
                            outputs=[("PushedModel", f"pushed-{model}", {})], contexts=[run])
            pushes[model] = e
            ids[f"pushed-{model}"] = p
        else:
            e, _ = h.run("push", f"run-{n}/push", inputs=[m], contexts=[run],
                         state=ExecutionState.CACHED)
            h.reuses.append(Reuse(execution_id=e, original_id=pushes["model-a"]))
        ids[model] = m
        ids[f"push-{n}"] = e
    return h, ids


@pytest.fixture
def wine(store: Store) -> dict[str, int]:
    h, ids = _history()
    store.put_types([
        ArtifactType(name="Metrics", properties={"accuracy": PropertyType.DOUBLE}),
        ExecutionType(name="train"), ExecutionType(name="evaluate"), ExecutionType(name="push"),
    ])
    load(store, h)
    return ids


def test_a_cached_push_of_the_old_model_makes_it_live_again(
    store: Store, wine: dict[str, int]
) -> None:
    got = Q.last_deployed(store, L.context(wine["pipeline"]))
    assert got is not None
    assert (got.deployed.name, got.model.name if got.model else None) == (
        "pushed-model-a", "model-a")
    assert got.action == "push" and got.live
    full = Q.deployments(store, L.context(wine["pipeline"]))
    (target,) = full.targets
    assert target.target is not None and target.target.name == "wine-classifier"
    assert [(e.execution.name, e.pushed.name if e.pushed else None) for e in target.history] == [
        ("run-1/push", "pushed-model-a"), ("run-2/push", "pushed-model-b"),
        ("run-3/push", "pushed-model-a")]
    assert target.live == target.history[-1]
    # From the model's side: model-b's push is no longer what the pipeline serves.
    b = Q.last_deployed(store, L.artifact(wine["model-b"]))
    assert b is not None and b.deployed.name == "pushed-model-b" and not b.live


def test_models_on_reads_accuracy_on_the_evaluation_and_names_the_baseline(
    store: Store, wine: dict[str, int]
) -> None:
    got = Q.models_trained_on(store, wine["data"], "accuracy")
    assert got.metric_found and not got.mixed
    assert [(r.model.name, r.metric, r.source.name if r.source else None)
            for r in got.models] == [("model-a", 0.97, "metrics-1"),
                                     ("model-a3", 0.97, "metrics-3"),
                                     ("model-b", 0.91, "metrics-2")]
    (wine_pipeline,) = got.pipelines
    assert wine_pipeline.newest is not None and wine_pipeline.newest.model.name == "model-a3"
    # The model deployed before model-a3 was trained: model-b (pushed by run-2).
    assert wine_pipeline.baseline is not None
    assert wine_pipeline.baseline.model.name == "model-b"
    assert wine_pipeline.better is True
    unknown = Q.models_trained_on(store, wine["data"], "auc")
    assert not unknown.metric_found and unknown.available == ["accuracy"]


def test_deploy_rollback_undeploy_and_aliases(store: Store, wine: dict[str, int]) -> None:
    a, b = wine["model-a"], wine["model-b"]
    first = D.deploy(store, "Model:model-a", "prod", at=T1)
    D.deploy(store, L.artifact(b), "prod", at=T2)
    back = D.rollback(store, "prod", at=T3)
    assert (back.action, back.model.id if back.model else None, back.at) == ("rollback", a, T3)
    h = D.history(store, "prod")
    assert [(e.action, e.model.name if e.model else None, e.at) for e in h.history] == [
        ("deploy", "model-a", T1), ("deploy", "model-b", T2), ("rollback", "model-a", T3)]
    assert h.live is not None and h.live.model is not None and h.live.model.id == a
    assert h.target is not None and h.target.type == "Deployment"
    # The same event again changes nothing (idempotent by target, action and time).
    assert D.deploy(store, "Model:model-a", "prod", at=T1).execution.id == first.execution.id
    assert len(D.history(store, "prod").history) == 3
    # The question, from the target and from each model.
    live = Q.last_deployed(store, L.context(h.target.id))
    assert live is not None and (live.deployed.id, live.action, live.at, live.live) == (
        a, "rollback", T3, True)
    old = Q.last_deployed(store, L.artifact(b))
    assert old is not None and (old.action, old.at, old.live) == ("deploy", T2, False)
    # A second rollback goes back to model-b; an undeploy leaves nothing live.
    assert D.rollback(store, "prod", at=T4).model.id == b  # type: ignore[union-attr]
    down = D.undeploy(store, "prod", at=T5)
    assert (down.action, down.model.id if down.model else None) == ("undeploy", b)
    after = Q.deployments(store, L.context(h.target.id))
    (prod,) = after.targets
    assert prod.live is None
    assert [(e.action, e.at) for e in prod.history] == [
        ("deploy", T1), ("deploy", T2), ("rollback", T3), ("rollback", T4), ("undeploy", T5)]
    gone = Q.last_deployed(store, L.context(h.target.id))
    assert gone is not None and (gone.deployed.id, gone.at, gone.live) == (b, T4, False)
    with pytest.raises(NotFoundError, match="nothing is deployed on 'prod'"):
        D.undeploy(store, "prod", at=T6)
    assert D.rollback(store, "prod", at=T6).model.id == b  # type: ignore[union-attr]
    with pytest.raises(NotFoundError, match="no deployment target named 'staging'"):
        D.history(store, "staging")
    # Aliases point at a version and move; @name is a reference.
    D.set_alias(store, "champion", "Model:model-a", at=T1)
    D.set_alias(store, "champion", L.artifact(b), at=T2)
    assert D.resolve_alias(store, "champion").id == b  # type: ignore[union-attr]
    assert refs.resolve_node(store, "@champion").id == b
    assert [(e.action, e.model.id if e.model else None) for e in
            D.alias(store, "champion").history] == [("alias", a), ("alias", b)]
    on_b = Q.deployments(store, L.artifact(b))
    assert [s.target.name for s in on_b.aliases if s.target] == ["champion"]
    D.delete_alias(store, "champion", at=T3)
    assert D.resolve_alias(store, "champion") is None
    with pytest.raises(NotFoundError, match="points at no model"):
        refs.resolve_node(store, "@champion")
