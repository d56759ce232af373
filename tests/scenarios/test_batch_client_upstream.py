"""A client that writes like MLMD's batch API: every artifact, then every execution, then
every event, with event timestamps from its own (older) clock. The upstream of its model is
still the step that trained it and the data it read, on both backends."""

from __future__ import annotations

import time

from lineage_graph import lineage as L
from lineage_graph.models import (
    Artifact,
    ArtifactType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
)
from lineage_graph.store.base import Store

CLIENT_CLOCK_MS = 1_700_000_000_000  # 2023: older than the store's own create_time stamps


def _names(result: L.LineageResult) -> list[str]:
    return sorted(n.name or "" for n in [*result.artifacts, *result.executions])


def test_batch_written_model_has_its_producer_and_data_upstream(store: Store) -> None:
    store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="Model"),
                     ExecutionType(name="Trainer")])
    raw, model = store.put_artifacts([Artifact(type="Dataset", name="raw.csv"),
                                      Artifact(type="Model", name="model-1")])
    time.sleep(0.01)  # the executions are stamped after the artifacts, as a batch client's are
    (train,) = store.put_executions([Execution(type="Trainer", name="train-1",
                                               last_known_state=ExecutionState.COMPLETE)])
    store.put_events([
        Event(artifact_id=raw, execution_id=train, type=EventType.INPUT,
              timestamp=CLIENT_CLOCK_MS),
        Event(artifact_id=model, execution_id=train, type=EventType.OUTPUT,
              timestamp=CLIENT_CLOCK_MS + 1),
    ])

    assert _names(L.upstream(store, L.artifact(model))) == ["raw.csv", "train-1"]

    # A later step that rewrites the model is not part of how it came to be ...
    time.sleep(0.01)
    fixes = store.put_artifacts([Artifact(type="Dataset", name="fixes.csv")])
    (patch,) = store.put_executions([Execution(type="Trainer", name="patch-1",
                                               last_known_state=ExecutionState.COMPLETE)])
    store.put_events([
        Event(artifact_id=fixes[0], execution_id=patch, type=EventType.INPUT),
        Event(artifact_id=model, execution_id=patch, type=EventType.OUTPUT),
    ])
    assert _names(L.upstream(store, L.artifact(model))) == ["raw.csv", "train-1"]
    # ... and everything recorded since is there when asked for.
    assert _names(L.upstream(store, L.artifact(model), current=True)) == [
        "fixes.csv", "patch-1", "raw.csv", "train-1"]
