"""Story: two pipelines push to one "prod"; a recorded deploy, an alias move and an undeploy
follow. "Last deployed" must pick the newest push / deploy / rollback of the start (ties on
``at`` broken by execution id, then pushed artifact id), skip alias moves and undeploys, and
say it is no longer live once anything newer happened at its target, whoever did it. Both
backends, exact answers, each equal to the one folded from the full deployments answer."""

from __future__ import annotations

import pytest

from lineage_graph import deployments as D
from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.answers import NodeRef
from lineage_graph.store.base import Store
from lineage_graph.store.lineage_base import latest_deployment
from tests.lineage.histories import History, load

T1, T2, T3, T4, T5, T6 = (1_700_000_000_000 + k * 3_600_000 for k in range(1, 7))


def _history() -> tuple[History, dict[str, int]]:
    """Pipeline A: run-1 pushes pushed-a1 (T1); run-2 pushes three artifacts at the same
    moment T2, by two pushers (the second writes two). Pipeline B: run-1 pushes pushed-b1
    (T3), to the same prod. A model trained outside any pipeline is pushed to no target (T3)."""
    h = History()
    ids: dict[str, int] = {}
    prod = h.context("Deployment", "prod", t=T1 - 10)
    a = h.context("Pipeline", "a", t=T1 - 10)
    b = h.context("Pipeline", "b", t=T1 - 10)
    a1 = h.context("PipelineRun", "a/run-1", parent=a, t=T1 - 10)
    a2 = h.context("PipelineRun", "a/run-2", parent=a, t=T1 - 10)
    b1 = h.context("PipelineRun", "b/run-1", parent=b, t=T1 - 10)
    data = h.artifact("Dataset", "data", t=T1 - 10)
    ids.update(prod=prod, a=a, b=b, data=data)
    for run, model, pushes, t in (
        (a1, "model-a1", [["pushed-a1"]], T1),
        (a2, "model-a2", [["pushed-a2-x"], ["pushed-a2-y1", "pushed-a2-y2"]], T2),
        (b1, "model-b1", [["pushed-b1"]], T3),
    ):
        _, (m,) = h.run("Trainer", f"train-{model}", inputs=[data],
                        outputs=[("Model", model, {})], contexts=[run], t=t - 1000)
        ids[model] = m
        for names in pushes:
            e, made = h.run("Pusher", f"push-{names[0]}", inputs=[m],
                            outputs=[("PushedModel", n, {}) for n in names],
                            contexts=[run, prod], t=t)
            ids.update(zip(names, made, strict=True))
            ids[f"push-{names[0]}"] = e
    _, (m,) = h.run("Trainer", "train-loose", inputs=[data], outputs=[("Model", "model-c", {})],
                    t=T3 - 1000)
    _, (p,) = h.run("Pusher", "push-loose", inputs=[m],
                    outputs=[("PushedModel", "pushed-c", {})], t=T3)
    ids.update({"model-c": m, "pushed-c": p})
    return h, ids


@pytest.fixture
def story(store: Store) -> dict[str, int]:
    h, ids = _history()
    load(store, h)
    return ids


def _last(store: Store, ref: NodeRef) -> tuple[str, str | None, str, int | None, list[str], bool]:
    """``Q.last_deployed`` as (deployed, model, action, at, targets, live), after checking it
    equals the answer folded from the full deployments answer."""
    got = Q.last_deployed(store, ref)
    assert got == latest_deployment(Q.deployments(store, ref))
    assert got is not None
    return (got.deployed.name or "", got.model.name if got.model else None, got.action,
            got.at, [c.name or "" for c in got.contexts], got.live)


def test_ties_supersession_undeploys_and_aliases(store: Store, story: dict[str, int]) -> None:
    a, b = L.context(story["a"]), L.context(story["b"])
    # Three pushes of A at T2: the later execution wins, then the higher pushed id; B pushed
    # to prod after that, so A's is no longer live there.
    assert _last(store, a) == ("pushed-a2-y2", "model-a2", "push", T2, ["prod"], False)
    assert _last(store, b) == ("pushed-b1", "model-b1", "push", T3, ["prod"], True)
    assert _last(store, L.artifact(story["model-a2"]))[0] == "pushed-a2-y2"
    # A push to no target (the exact fallback to the full answer on Neo4j).
    assert _last(store, L.artifact(story["model-c"])) == (
        "pushed-c", "model-c", "push", T3, [], True)

    # A recorded deploy of A's first model: A's newest deployment now, live; B's is replaced.
    D.deploy(store, L.artifact(story["model-a1"]), "prod", at=T4)
    a1 = L.artifact(story["model-a1"])
    assert _last(store, a1) == ("model-a1", "model-a1", "deploy", T4, ["prod"], True)
    assert _last(store, a) == ("model-a1", "model-a1", "deploy", T4, ["prod"], True)
    assert _last(store, b) == ("pushed-b1", "model-b1", "push", T3, ["prod"], False)

    # An alias move and an undeploy come later: neither is a deployment, so the deploy stays
    # the newest one, and the undeploy took it down.
    D.set_alias(store, "champion", a1, at=T5)
    D.undeploy(store, "prod", at=T6)
    for ref in (a1, a, L.context(story["prod"])):
        assert _last(store, ref) == ("model-a1", "model-a1", "deploy", T4, ["prod"], False)
    champion = store.get_context_by_type_and_name("ModelAlias", "champion")
    assert champion is not None and champion.id is not None
    # An alias alone was never deployed.
    assert Q.last_deployed(store, L.context(champion.id)) is None
    assert latest_deployment(Q.deployments(store, L.context(champion.id))) is None
