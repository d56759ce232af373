"""Retried writes are idempotent: the driver re-running a transaction, a caller re-sending a
write whose answer was lost, and two writers racing on the same name."""

from __future__ import annotations

import threading
from typing import Any

from neo4j.exceptions import SessionExpired

from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Context,
    EventType,
    Execution,
    Kind,
)
from lineage_graph.store.neo4j import Neo4jStore


def _run(store: Neo4jStore) -> tuple[int, list[int], list[int]]:
    r = store.put_execution(
        Execution(type="Trainer", name="fit", properties={"lr": 0.5}),
        [
            ArtifactAndEvent(artifact=Artifact(type="Dataset", name="train"),
                             event_type=EventType.INPUT, path=("x", 0)),
            ArtifactAndEvent(artifact=Artifact(type="mlmd.Model", name="m",
                                               custom_properties={"acc": 0.9}),
                             event_type=EventType.OUTPUT),
        ],
        [Context(type="Pipeline", name="p")],
    )
    return r.execution_id, r.artifact_ids, r.context_ids


def test_driver_retry_after_dropped_connection_is_clean(
    counted: tuple[Neo4jStore, Any],
) -> None:
    """The connection drops after the last statement, before commit: the driver runs the
    transaction function again; the result is exactly one clean write."""
    store, counts = counted
    dropped: list[str] = []

    def hook(statement: str) -> None:
        if statement == "context_create_associations" and not dropped:
            dropped.append(statement)
            raise SessionExpired("simulated dropped connection")

    store._after_statement = hook
    counts.reset()
    ids = _run(store)
    assert dropped  # the first attempt did fail
    assert counts.transactions == 2  # and the driver retried it
    assert ids == (1, [1, 2], [1])  # counters were rolled back with the first attempt
    stats = store.stats()
    assert (stats["artifacts"], stats["executions"], stats["contexts"]) == (2, 1, 1)
    assert stats["relationships"] == 2 + 2 + 1
    assert stats["counters"]["seq"] == 4


def test_resending_a_committed_write_returns_same_ids_without_duplicates(
    typed_neo4j: Neo4jStore,
) -> None:
    """The commit succeeded but the answer was lost; the caller sends the same write again."""
    first = _run(typed_neo4j)
    stats = typed_neo4j.stats()
    second = _run(typed_neo4j)
    assert second == first
    assert typed_neo4j.stats() == stats  # nothing new, not even a counter step
    assert len(typed_neo4j.get_events(execution_ids=[first[0]])) == 2


def test_same_transaction_function_twice_gives_same_ids(typed_neo4j: Neo4jStore) -> None:
    nodes = [Artifact(type="Dataset", name=f"d{i}", properties={"rows": i}) for i in range(50)]
    ids = typed_neo4j.atomic(lambda w: w.put_nodes(Kind.ARTIFACT, nodes))
    again = typed_neo4j.atomic(lambda w: w.put_nodes(Kind.ARTIFACT, nodes))
    assert again == ids == list(range(1, 51))
    assert typed_neo4j.stats()["artifacts"] == 50


def test_racing_writers_of_one_name_get_one_node(typed_neo4j: Neo4jStore) -> None:
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def put() -> None:
        try:
            results.append(typed_neo4j.put_artifacts(
                [Artifact(type="Dataset", name="shared", uri="/s")]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [[1]] * 4
    assert typed_neo4j.stats()["artifacts"] == 1
