"""put_execution and put_lineage_subgraph are one transaction: a failure half-way leaves nothing."""

from __future__ import annotations

import pytest
from neo4j import Driver

from lineage_graph.errors import AlreadyExistsError
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Context,
    Event,
    EventType,
    Execution,
    Kind,
)
from lineage_graph.store.neo4j import Neo4jStore


class Injected(RuntimeError):
    pass


def _snapshot(store: Neo4jStore) -> tuple[object, ...]:
    return (
        store.stats(),
        [a.model_dump() for a in store.get_artifacts()],
        [e.model_dump() for e in store.get_executions()],
        [c.model_dump() for c in store.get_contexts()],
    )


def _put_run(store: Neo4jStore, existing_id: int) -> None:
    store.put_execution(
        Execution(type="Trainer", name="fit", properties={"lr": 0.1}),
        [
            ArtifactAndEvent(
                artifact=Artifact(id=existing_id, type="Dataset", name="train", uri="/new-uri"),
                event_type=EventType.INPUT,
                path=("examples", 0),
            ),
            ArtifactAndEvent(
                artifact=Artifact(type="mlmd.Model", name="model"),
                event_type=EventType.OUTPUT,
                path=("model",),
            ),
        ],
        [Context(type="Pipeline", name="p")],
    )


# put_execution's events and links all touch the execution it creates: the CREATE statements.
@pytest.mark.parametrize("fail_after", ["node_create", "node_update", "event_create_input",
                                        "event_create_output", "context_create_associations"])
def test_failure_mid_put_execution_leaves_no_trace(
    typed_neo4j: Neo4jStore, fail_after: str
) -> None:
    store = typed_neo4j
    [existing] = store.put_artifacts([Artifact(type="Dataset", name="train", uri="/old")])
    before = _snapshot(store)
    ran: list[str] = []

    def hook(statement: str) -> None:
        ran.append(statement)
        if statement == fail_after:
            raise Injected(f"injected after {statement}")

    store._after_statement = hook
    try:
        with pytest.raises(Injected):
            _put_run(store, existing)
    finally:
        store._after_statement = None
    # The failure came after real writes had run inside the transaction ...
    assert "node_create" in ran and fail_after in ran
    # ... and none of them survived: nodes, edges, counters, the updated artifact.
    assert _snapshot(store) == before
    assert store.get_artifacts_by_id([existing])[0].uri == "/old"
    # The same call then succeeds and is complete.
    _put_run(store, existing)
    after = store.stats()
    assert (after["artifacts"], after["executions"], after["contexts"]) == (2, 1, 1)
    # 2 events + 2 attributions + 1 association
    assert after["relationships"] == 5


def test_database_constraint_violation_mid_put_execution_rolls_back(
    typed_neo4j: Neo4jStore, raw_driver: Driver
) -> None:
    """A real database error half-way rolls the whole transaction back: after the execution
    was created and the artifact's name was found free, a writer bypassing the store's lock
    takes that name, so the artifact's CREATE violates the (type, name) constraint."""
    store = typed_neo4j
    before = store.stats()
    ran: list[str] = []

    def hook(statement: str) -> None:
        ran.append(statement)
        # Statements so far: lock, types, execution lookup/reserve/create, artifact lookup,
        # then the artifact's counter_reserve: the next statement creates the artifact.
        if statement == "counter_reserve" and ran.count("counter_reserve") == 2:
            # Another writer that bypasses the store: takes the artifact's (type, name).
            with raw_driver.session() as s:
                s.run(
                    "CREATE (:Artifact {id: -1, type: 'mlmd.Model', name: 'model', uri: '/x'})"
                ).consume()

    store._after_statement = hook
    try:
        with pytest.raises(AlreadyExistsError):
            store.put_execution(
                Execution(type="Trainer", name="fit"),
                [
                    ArtifactAndEvent(
                        artifact=Artifact(type="mlmd.Model", name="model"),
                        event_type=EventType.OUTPUT,
                    )
                ],
            )
    finally:
        store._after_statement = None
    after = store.stats()
    assert after["executions"] == before["executions"] == 0  # the execution was rolled back
    assert after["artifacts"] == 1  # only the outside writer's node
    assert after["counters"] == before["counters"]
    store.delete_nodes(Kind.ARTIFACT, [-1])


def test_failure_mid_put_lineage_subgraph_leaves_no_trace(typed_neo4j: Neo4jStore) -> None:
    store = typed_neo4j
    before = _snapshot(store)

    def hook(statement: str) -> None:
        if statement == "event_create_output":
            raise Injected("boom")

    store._after_statement = hook
    try:
        with pytest.raises(Injected):
            store.put_lineage_subgraph(
                [Execution(type="Trainer", name=f"e{i}") for i in range(3)],
                [Artifact(type="Dataset", name=f"a{i}") for i in range(3)],
                [Context(type="Pipeline", name="p")],
                [(i, i, Event(artifact_id=0, execution_id=0, type=EventType.OUTPUT))
                 for i in range(3)],
            )
    finally:
        store._after_statement = None
    assert _snapshot(store) == before
