"""Fixtures for the contract suite: standard types, and a full dump to prove "nothing written".

Every test in tests/contract takes the ``store`` fixture (tests/conftest.py), so it runs once
per backend: ``-k memory`` or ``-k neo4j`` picks one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.models import (
    ArtifactType,
    ContextType,
    ExecutionType,
    Kind,
    PropertyType,
)
from lineage_graph.store.base import Store

P = PropertyType

DATASET = ArtifactType(
    name="Dataset",
    properties={
        "rows": P.INT,
        "split": P.STRING,
        "weight": P.DOUBLE,
        "ok": P.BOOLEAN,
        "meta": P.STRUCT,
    },
)
MODEL = ArtifactType(name="Model", base_type="MODEL", properties={"accuracy": P.DOUBLE})
TRAINER = ExecutionType(name="Trainer", properties={"lr": P.DOUBLE, "epochs": P.INT})
PIPELINE = ContextType(name="Pipeline", properties={"owner": P.STRING})
RUN = ContextType(name="PipelineRun")


@pytest.fixture
def typed(store: Store) -> Store:
    """The store with the standard types put: Dataset, Model, Trainer, Pipeline, PipelineRun."""
    store.put_types([DATASET, MODEL, TRAINER, PIPELINE, RUN])
    return store


def dump_store(store: Store) -> dict[str, Any]:
    """Everything observable through the public API: types, nodes, events, links."""
    out: dict[str, Any] = {}
    for kind in Kind:
        out[f"types.{kind.value}"] = [t.model_dump() for t in store.get_types(kind)]
    artifacts = store.get_artifacts()
    executions = store.get_executions()
    contexts = store.get_contexts()
    out["artifacts"] = [a.model_dump() for a in artifacts]
    out["executions"] = [e.model_dump() for e in executions]
    out["contexts"] = [c.model_dump() for c in contexts]
    a_ids = [a.id for a in artifacts if a.id is not None]
    e_ids = [e.id for e in executions if e.id is not None]
    out["events"] = sorted(
        (e.artifact_id, e.execution_id, e.type.value, repr(e.path), e.timestamp)
        for e in store.get_events(artifact_ids=a_ids, execution_ids=e_ids)
    )
    out["attributions"] = sorted(
        (a, c.id) for a in a_ids for c in store.get_contexts_by_artifact(a)
    )
    out["associations"] = sorted(
        (e, c.id) for e in e_ids for c in store.get_contexts_by_execution(e)
    )
    out["parents"] = sorted(
        (c.id, p.id) for c in contexts if c.id is not None for p in store.get_parent_contexts(c.id)
    )
    return out


@pytest.fixture
def dump() -> Callable[[Store], dict[str, Any]]:
    """``dump(store)``: a comparable snapshot of the whole store (see ``dump_store``)."""
    return dump_store
