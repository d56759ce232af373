"""Trouble labels for Neo4j Browser (GraSS styles by label only): ``:Failed`` follows an
execution's FAILED state; ``:Tainted`` marks what an open incident reached and leaves when
no open incident reaches the node any more. The labels never show in the store's answers."""

from __future__ import annotations

from neo4j import Driver

from lineage_graph import lineage
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Context,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    ListOptions,
)
from lineage_graph.store.neo4j import Neo4jStore

FAILED, COMPLETE, RUNNING = ExecutionState.FAILED, ExecutionState.COMPLETE, ExecutionState.RUNNING


def _labelled(driver: Driver, label: str) -> set[tuple[str, int]]:
    """(kind label, id) of every node carrying ``label``."""
    with driver.session() as s:
        rows = s.run(
            "MATCH (n) WHERE $label IN labels(n) "
            "RETURN [k IN ['Artifact', 'Execution', 'Context'] WHERE k IN labels(n)][0] AS kind, "
            "n.id AS id",
            label=label,
        ).data()
    return {(r["kind"], r["id"]) for r in rows}


def _labels(driver: Driver, kind: Kind, node_id: int) -> set[str]:
    with driver.session() as s:
        record = s.run(
            "MATCH (n {id: $id}) WHERE $kind IN labels(n) RETURN labels(n) AS labels",
            id=node_id, kind=kind.label,
        ).single()
    assert record is not None, (kind, node_id)
    return set(record["labels"])


def test_failed_label_follows_the_execution_state(
    typed_neo4j: Neo4jStore, raw_driver: Driver
) -> None:
    store = typed_neo4j
    ids = store.put_executions([
        Execution(type="Trainer", name="t-failed", last_known_state=FAILED),
        Execution(type="Trainer", name="t-running", last_known_state=RUNNING),
        Execution(type="Trainer", name="t-complete", last_known_state=COMPLETE),
    ])  # fmt: skip
    failed, running, complete = ids
    assert _labelled(raw_driver, "Failed") == {("Execution", failed)}
    assert _labels(raw_driver, Kind.EXECUTION, failed) == {"Execution", "Trainer", "Failed"}

    # The state changes both ways in one batch: the label follows, type labels stay.
    store.put_executions([
        Execution(id=failed, type="Trainer", name="t-failed", last_known_state=COMPLETE),
        Execution(id=running, type="Trainer", name="t-running", last_known_state=FAILED),
    ])  # fmt: skip
    assert _labelled(raw_driver, "Failed") == {("Execution", running)}
    assert _labels(raw_driver, Kind.EXECUTION, failed) == {"Execution", "Trainer"}

    # put_execution (the tracking path) and import_nodes (MLMD imports) set it too.
    result = store.put_execution(
        Execution(type="Trainer", name="t-tracked", last_known_state=FAILED),
        [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="d"),
                          event_type=EventType.INPUT)],
    )  # fmt: skip
    store.import_nodes(Kind.EXECUTION, [
        Execution(id=500, type="Trainer", name="t-imported", last_known_state=FAILED,
                  create_time=1, update_time=1),
        Execution(id=complete, type="Trainer", name="t-complete", last_known_state=FAILED,
                  create_time=1, update_time=2),
    ])  # fmt: skip
    assert _labelled(raw_driver, "Failed") == {
        ("Execution", running), ("Execution", result.execution_id), ("Execution", 500),
        ("Execution", complete)}  # fmt: skip
    # Artifacts and contexts never get it.
    assert "Failed" not in _labels(raw_driver, Kind.ARTIFACT, result.artifact_ids[0])

    # The label is invisible to answers: state filters and reads are unchanged.
    listed = store.get_executions(ListOptions(limit=100))
    states = {e.name: e.last_known_state for e in listed}
    assert states == {"t-failed": COMPLETE, "t-running": FAILED, "t-complete": FAILED,
                      "t-tracked": FAILED, "t-imported": FAILED}  # fmt: skip
    assert {t.name for t in store.get_execution_types()} == {"Trainer"}


def _chain(store: Neo4jStore) -> dict[str, int]:
    """raw -> Trainer train -> model (in context run), and other -> Trainer t2 -> m2."""
    run = Context(type="Pipeline", name="run")
    first = store.put_execution(
        Execution(type="Trainer", name="train", last_known_state=COMPLETE),
        [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="raw"),
                          event_type=EventType.INPUT),
         ArtifactAndEvent(artifact=Artifact(type="mlmd.Model", name="model"),
                          event_type=EventType.OUTPUT)],
        [run],
    )  # fmt: skip
    second = store.put_execution(
        Execution(type="Trainer", name="t2", last_known_state=COMPLETE),
        [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="other"),
                          event_type=EventType.INPUT),
         ArtifactAndEvent(artifact=Artifact(type="mlmd.Model", name="m2"),
                          event_type=EventType.OUTPUT)],
    )  # fmt: skip
    return {
        "raw": first.artifact_ids[0], "model": first.artifact_ids[1],
        "train": first.execution_id, "run": first.context_ids[0],
        "other": second.artifact_ids[0], "m2": second.artifact_ids[1], "t2": second.execution_id,
    }  # fmt: skip


def test_tainted_label_set_by_mark_bad_and_cleared_by_resolve(
    typed_neo4j: Neo4jStore, raw_driver: Driver
) -> None:
    store = typed_neo4j
    n = _chain(store)
    before = store.get_artifacts_by_id([n["raw"], n["model"]])
    assert _labelled(raw_driver, "Tainted") == set()

    wide = lineage.mark_bad(store, lineage.artifact(n["raw"]), "corrupt rows")
    upstream_path = {("Artifact", n["raw"]), ("Execution", n["train"]), ("Artifact", n["model"])}
    # The bad node and every artifact/execution reached; not the context, not the other chain.
    assert _labelled(raw_driver, "Tainted") == upstream_path
    assert _labels(raw_driver, Kind.ARTIFACT, n["model"]) >= {"Artifact", "mlmd_Model"}

    narrow = lineage.mark_bad(store, lineage.artifact(n["model"]), "bad model")
    assert _labelled(raw_driver, "Tainted") == upstream_path

    # Resolving the wide incident clears raw and train; model is still reached by `narrow`.
    lineage.resolve_incident(store, wide.id, "fixed")
    assert _labelled(raw_driver, "Tainted") == {("Artifact", n["model"])}
    lineage.resolve_incident(store, wide.id, "again")  # idempotent
    assert _labelled(raw_driver, "Tainted") == {("Artifact", n["model"])}

    lineage.resolve_incident(store, narrow.id, "retrained")
    assert _labelled(raw_driver, "Tainted") == set()

    # Answers never show the label, and the incident still lists what it reached.
    assert store.get_artifacts_by_id([n["raw"], n["model"]]) == before
    reached = {(t.node.kind, t.node.id) for t in lineage.incident(store, wide.id).reached}
    assert (Kind.ARTIFACT, n["model"]) in reached and (Kind.CONTEXT, n["run"]) in reached


def test_tainted_execution_source_and_failed_together(
    typed_neo4j: Neo4jStore, raw_driver: Driver
) -> None:
    """A FAILED execution marked bad carries both labels; resolving keeps ``:Failed``."""
    store = typed_neo4j
    n = _chain(store)
    store.put_executions([Execution(id=n["t2"], type="Trainer", name="t2",
                                    last_known_state=FAILED)])  # fmt: skip
    incident = lineage.mark_bad(store, lineage.execution(n["t2"]), "bad code")
    assert _labels(raw_driver, Kind.EXECUTION, n["t2"]) >= {"Failed", "Tainted"}
    assert _labelled(raw_driver, "Tainted") == {("Execution", n["t2"]), ("Artifact", n["m2"])}
    # A state update rewrites properties but keeps the Tainted label.
    store.put_executions([Execution(id=n["t2"], type="Trainer", name="t2",
                                    last_known_state=COMPLETE)])  # fmt: skip
    assert _labels(raw_driver, Kind.EXECUTION, n["t2"]) == {"Execution", "Trainer", "Tainted"}
    lineage.resolve_incident(store, incident.id)
    assert _labelled(raw_driver, "Tainted") == set()
