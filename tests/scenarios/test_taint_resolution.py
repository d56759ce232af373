"""Story: a dataset feeding a live deployment turns out corrupt. While the incident is open,
every answer that shows a node it reached carries it (upstream, provenance, deployed,
models-on, cleanup, incident); tainting again with the same reason is the same incident; a
model trained on clean data, and its target, stay clean. Once resolved, no answer carries it.
Both backends, exact answers."""

from __future__ import annotations

import pytest

from lineage_graph import deployments as D
from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.models import ArtifactType, ExecutionType, PropertyType
from lineage_graph.store.base import Store
from tests.lineage.histories import History, load

T_DEPLOY_A, T_DEPLOY_B = 1_700_000_000_000, 1_700_000_360_000


@pytest.fixture
def churn(store: Store) -> dict[str, int]:
    """events-v1 trains model-a (deployed to prod); events-v2 trains model-b (staging)."""
    h = History()
    pipeline = h.context("Pipeline", "churn")
    ids: dict[str, int] = {"pipeline": pipeline}
    for n, (data, model, acc) in enumerate(
        [("events-v1", "model-a", 0.81), ("events-v2", "model-b", 0.84)], start=1
    ):
        run = h.context("PipelineRun", f"run-{n}", parent=pipeline)
        d = h.artifact("Dataset", data)
        train, (m,) = h.run("train", f"run-{n}/train", inputs=[d],
                            outputs=[("Model", model, {})], contexts=[run])
        _, (metrics,) = h.run("evaluate", f"run-{n}/evaluate", inputs=[m],
                              outputs=[("Metrics", f"metrics-{n}", {"accuracy": acc})],
                              contexts=[run])
        ids.update({data: d, model: m, f"train-{n}": train, f"run-{n}": run,
                    f"metrics-{n}": metrics})
    store.put_types([
        ArtifactType(name="Metrics", properties={"accuracy": PropertyType.DOUBLE}),
        ExecutionType(name="train"), ExecutionType(name="evaluate"),
    ])
    load(store, h)
    D.deploy(store, L.artifact(ids["model-a"]), "prod", at=T_DEPLOY_A)
    D.deploy(store, L.artifact(ids["model-b"]), "staging", at=T_DEPLOY_B)
    return ids


def test_taint_travels_with_every_answer_until_resolved(
    store: Store, churn: dict[str, int]
) -> None:
    source = L.artifact(churn["events-v1"])
    incident = L.mark_bad(store, source, "label leak in events-v1")
    inc = (incident.id,)
    assert L.mark_bad(store, source, "label leak in events-v1").id == incident.id  # idempotent
    assert [i.id for i in L.incidents(store, "OPEN")] == [incident.id]

    # Lineage answers: the source and everything downstream of it carry the incident.
    up = L.upstream(store, L.artifact(churn["model-a"]))
    assert [(n.name, n.incidents) for n in up.nodes] == [
        ("events-v1", inc), ("run-1/train", inc)]
    down = L.downstream(store, source, kinds=["artifact"])
    assert [(n.name, n.incidents) for n in down.nodes] == [("model-a", inc), ("metrics-1", inc)]
    clean = L.upstream(store, L.artifact(churn["model-b"]))
    assert [n.incidents for n in clean.nodes] == [(), ()]

    # Provenance: the producer, its run (the pipeline holds clean model-b now: not flagged).
    run = Q.pipeline_and_run(store, churn["model-a"])
    assert run.execution.incidents == inc
    assert [(c.name, c.incidents) for c in run.contexts] == [("run-1", inc)]
    assert [(c.name, c.incidents) for c in run.ancestors] == [("churn", ())]
    assert Q.training_datasets(store, churn["model-a"])[0].incidents == inc

    # Deployed: prod's live model is tainted; staging's is not.
    prod = D.history(store, "prod")
    assert prod.live is not None and prod.live.model is not None
    assert (prod.live.model.name, prod.live.model.incidents) == ("model-a", inc)
    staging = D.history(store, "staging")
    assert staging.live is not None and staging.live.model is not None
    assert (staging.live.model.name, staging.live.model.incidents) == ("model-b", ())
    last = Q.last_deployed(store, L.artifact(churn["model-a"]))
    assert last is not None and last.live and last.deployed.incidents == inc

    # Models on each dataset, and what to clean up.
    on_v1 = Q.models_trained_on(store, churn["events-v1"], "accuracy")
    assert [(r.model.name, r.metric, r.model.incidents) for r in on_v1.models] == [
        ("model-a", 0.81, inc)]
    cleanup = Q.cleanup_list(store, source)
    assert [(t.node.name, t.node.incidents) for t in cleanup.models] == [("model-a", inc)]
    assert [t.node.name for t in cleanup.deployments] == ["prod/deploy@2023-11-14T22:13:20.000Z",
                                                          "prod"]
    reached = L.incident(store, incident.id).reached or []
    assert all(t.node.incidents == inc for t in reached)

    # Resolved: the same questions, and nothing carries it any more.
    resolved = L.resolve_incident(store, incident.id, "relabelled and retrained")
    assert resolved.status == "RESOLVED"
    assert L.incidents(store, "OPEN") == []
    assert [n.incidents for n in L.upstream(store, L.artifact(churn["model-a"])).nodes] == [
        (), ()]
    prod = D.history(store, "prod")
    assert prod.live is not None and prod.live.model is not None
    assert (prod.live.model.name, prod.live.model.incidents) == ("model-a", ())
    assert Q.pipeline_and_run(store, churn["model-a"]).contexts[0].incidents == ()
    assert [r.model.incidents for r in
            Q.models_trained_on(store, churn["events-v1"], "accuracy").models] == [()]
    # A new taint of the same source is a new incident (the old one stays resolved).
    again = L.mark_bad(store, source, "label leak in events-v1")
    assert again.id != incident.id
    assert D.history(store, "prod").live.model.incidents == (again.id,)  # type: ignore[union-attr]
