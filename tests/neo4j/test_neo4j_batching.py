"""Writes are batched with UNWIND: 10,000s of nodes and events take a handful of round trips,
in one transaction, and the data is all there."""

from __future__ import annotations

from typing import Any

import pytest

from lineage_graph.models import Artifact, Context, Event, EventType, Execution, Kind
from lineage_graph.store.neo4j import Neo4jStore


def _subgraph(n: int) -> tuple[list[Execution], list[Artifact], list[Context], list[Any]]:
    executions = [Execution(type="Trainer", name=f"run-{i}", properties={"lr": i / n})
                  for i in range(n)]
    artifacts = [Artifact(type="Dataset", uri=f"/d/{i}", properties={"rows": i})
                 for i in range(n)]
    contexts = [Context(type="Pipeline", name="bulk")]
    # Execution i reads artifact i and writes artifact i+1: a chain through all of them.
    events: list[Any] = []
    for i in range(n):
        events.append((i, i, Event(artifact_id=0, execution_id=0, type=EventType.INPUT)))
        if i + 1 < n:
            events.append((i, i + 1, Event(artifact_id=0, execution_id=0,
                                           type=EventType.OUTPUT, path=("out", i))))
    return executions, artifacts, contexts, events


def _check_bulk(store: Neo4jStore, n: int, ids: tuple[list[int], list[int], list[int]],
                max_statements: int, counts: Any) -> None:
    execution_ids, artifact_ids, context_ids = ids
    assert counts.sessions == 1 and counts.transactions == 1  # one transaction: all or nothing
    assert counts.statements <= max_statements
    assert execution_ids == list(range(1, n + 1)) and artifact_ids == list(range(1, n + 1))
    stats = store.stats()
    assert (stats["executions"], stats["artifacts"], stats["contexts"]) == (n, n, 1)
    # events (2n - 1) + attributions (n) + associations (n)
    assert stats["relationships"] == (2 * n - 1) + n + n
    assert stats["counters"]["seq"] == 2 * n + 1
    middle = n // 2
    events = store.get_events(execution_ids=[execution_ids[middle]])
    assert [(e.type, e.artifact_id, e.path) for e in events] == [
        (EventType.INPUT, artifact_ids[middle], ()),
        (EventType.OUTPUT, artifact_ids[middle + 1], ("out", middle)),
    ]
    [a] = store.get_artifacts_by_id([artifact_ids[-1]])
    assert a.properties == {"rows": n - 1} and a.uri == f"/d/{n - 1}"
    assert len(store.get_executions_by_context(context_ids[0])) == n


# lock, types, then per kind: lookups, reserve, create; events (2 kinds), links (2 kinds).
MAX_STATEMENTS = 16


def test_lineage_subgraph_of_2000_is_a_handful_of_round_trips(
    counted: tuple[Neo4jStore, Any],
) -> None:
    store, counts = counted
    n = 2_000
    executions, artifacts, contexts, events = _subgraph(n)
    counts.reset()
    ids = store.put_lineage_subgraph(executions, artifacts, contexts, events)
    _check_bulk(store, n, ids, MAX_STATEMENTS, counts)


@pytest.mark.heavy
def test_lineage_subgraph_of_10000_plus_10000_is_a_handful_of_round_trips(
    counted: tuple[Neo4jStore, Any],
) -> None:
    store, counts = counted
    n = 10_000
    executions, artifacts, contexts, events = _subgraph(n)
    counts.reset()
    ids = store.put_lineage_subgraph(executions, artifacts, contexts, events)
    # 19,999 events cross one UNWIND batch of 10,000: one more statement for them.
    _check_bulk(store, n, ids, MAX_STATEMENTS + 1, counts)


def test_put_artifacts_batches_of_10000(counted: tuple[Neo4jStore, Any]) -> None:
    store, counts = counted
    n = 12_500  # crosses a batch boundary
    counts.reset()
    ids = store.put_artifacts([Artifact(type="Dataset", name=f"a{i}") for i in range(n)])
    # lock, types, name lookups (2 batches), reserve, creates (2 batches)
    assert counts.transactions == 1 and counts.statements == 7
    assert ids == list(range(1, n + 1))
    assert store.stats()["artifacts"] == n
    # Putting them again is a retry: same ids, lookups only, nothing written.
    counts.reset()
    assert store.put_artifacts([Artifact(type="Dataset", name=f"a{i}") for i in range(n)]) == ids
    assert counts.statements == 4
    assert store.stats()["counters"]["seq"] == n


def test_batched_events_and_links(counted: tuple[Neo4jStore, Any]) -> None:
    store, counts = counted
    artifact_ids = store.put_artifacts([Artifact(type="Dataset") for _ in range(300)])
    [execution_id] = store.put_executions([Execution(type="Trainer")])
    [context_id] = store.put_contexts([Context(type="Pipeline", name="p")])
    counts.reset()
    store.put_events([Event(artifact_id=a, execution_id=execution_id, type=EventType.INPUT)
                      for a in artifact_ids])
    # lock, two existence checks, one UNWIND for the inputs, one (empty-skipped) for outputs
    assert counts.statements <= 5
    assert len(store.get_events(execution_ids=[execution_id])) == 300
    assert len(store.get_artifacts_by_context(context_id)) == 0
    from lineage_graph.models import Attribution

    counts.reset()
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=context_id) for a in artifact_ids], [])
    assert counts.statements <= 6
    assert len(store.get_artifacts_by_context(context_id)) == 300
    assert store.get_contexts_by_artifact(artifact_ids[0])[0].id == context_id
    assert Kind.ARTIFACT  # the listing above went through list_nodes' context filter
