"""The seed's eight questions by name, each one query on the store (Neo4j or in-memory).

Public API::

    training_datasets(store, model_id, *, types=DATASET_TYPES, roots_only=False)
        -> list[LineageNode]                                  # 1. which data trained it
    producer(store, artifact_id) -> ExecutionSnapshot | None  # the run behind 2-4
    hyperparameters(store, model_id) -> dict[str, Any]        # 2.
    pipeline_and_run(store, model_id) -> PipelineRun          # 3. contexts + ancestors
    versions(store, model_id) -> Versions                     # 4. code + environment
    why_failed(store, ref) -> list[FailedStep]                # 5. errors + diff to last success
    last_deployed(store, ref, *, deploy_types=DEPLOYMENT_ARTIFACT_TYPES,
                  model_types=MODEL_TYPES) -> Deployment | None  # 6.
    models_trained_on(store, dataset_id, metric, *, model_types=MODEL_TYPES,
                      higher_is_better=True) -> list[RankedModel]  # 7. ranked by metric
    cleanup_list(store, ref, *, barrier_types=()) -> CleanupList    # 8. taint, nothing written

``ref`` is a ``NodeRef`` (``lineage.artifact(id)``, ``lineage.execution(id)``,
``lineage.context(id)``); the ``*_id`` arguments are artifact ids. Property names the
answers read (``code_hash``, ``python_version``, ``lib.<name>``, ``error`` ...) are defined
in ``lineage_graph.answers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from . import lineage
from .answers import (
    DATASET_TYPES,
    DEPLOYMENT_ARTIFACT_TYPES,
    MODEL_TYPES,
    CleanupList,
    ContextNode,
    Deployment,
    ExecutionSnapshot,
    FailedStep,
    LineageNode,
    NodeRef,
    RankedModel,
)
from .errors import NotFoundError
from .models import Kind
from .store.base import Store

__all__ = [
    "PipelineRun",
    "Versions",
    "cleanup_list",
    "hyperparameters",
    "last_deployed",
    "models_trained_on",
    "pipeline_and_run",
    "producer",
    "training_datasets",
    "versions",
    "why_failed",
]


class PipelineRun(BaseModel):
    """The execution that produced an artifact and the contexts it ran in (with ancestors)."""

    model_config = ConfigDict(frozen=True)

    execution: LineageNode
    contexts: list[ContextNode]
    ancestors: list[ContextNode]


class Versions(BaseModel):
    """Code version and environment (Python, libraries) captured for the producing run."""

    model_config = ConfigDict(frozen=True)

    execution: LineageNode
    code: dict[str, Any]
    environment: dict[str, Any]


def training_datasets(
    store: Store,
    model_id: int,
    *,
    types: Sequence[str] | None = DATASET_TYPES,
    roots_only: bool = False,
) -> list[LineageNode]:
    """1. The datasets upstream of a model, at any depth.

    Args:
        model_id: the model artifact.
        types: artifact types that count as datasets (None: every upstream artifact).
        roots_only: only original datasets (nothing produced them).

    Returns:
        Artifacts sorted by id.
    """
    return lineage.upstream(
        store, lineage.artifact(model_id), types=types, kinds=[Kind.ARTIFACT],
        roots_only=roots_only,
    ).artifacts


def producer(store: Store, artifact_id: int) -> ExecutionSnapshot | None:
    """The execution that produced an artifact (the newest, if several), as a snapshot."""
    snaps = store.execution_snapshots(produced_ids=[artifact_id])
    if not snaps:
        return None
    return max(snaps, key=lambda s: (s.execution.create_time or 0, s.execution.id))


def _producer_or_fail(store: Store, artifact_id: int) -> ExecutionSnapshot:
    snap = producer(store, artifact_id)
    if snap is None:
        raise NotFoundError(f"no execution produced artifact {artifact_id}")
    return snap


def hyperparameters(store: Store, model_id: int) -> dict[str, Any]:
    """2. The parameters of the execution that produced the model.

    Declared properties, then custom ones that are not code, environment or error fields.

    Raises:
        NotFoundError: nothing produced this artifact.
    """
    return _producer_or_fail(store, model_id).parameters


def pipeline_and_run(store: Store, model_id: int) -> PipelineRun:
    """3. The contexts of the producing execution (its run, pipeline ...) and their ancestors."""
    snap = _producer_or_fail(store, model_id)
    return PipelineRun(execution=snap.execution, contexts=snap.contexts, ancestors=snap.ancestors)


def versions(store: Store, model_id: int) -> Versions:
    """4. Code version (``code_hash``, ``git_commit`` ...) and library versions of the run."""
    snap = _producer_or_fail(store, model_id)
    return Versions(execution=snap.execution, code=snap.code, environment=snap.environment)


def why_failed(store: Store, ref: NodeRef) -> list[FailedStep]:
    """5. Failed executions at or upstream of ``ref`` (for a run context: in it), each with
    its error and what differs from the last successful execution of the same step."""
    steps = store.failed_upstream(ref)
    return [
        s.model_copy(update={"diff": lineage.diff_executions(s.last_success, s.failed)})
        for s in steps
    ]


def last_deployed(
    store: Store,
    ref: NodeRef,
    *,
    deploy_types: Sequence[str] = DEPLOYMENT_ARTIFACT_TYPES,
    model_types: Sequence[str] = MODEL_TYPES,
) -> Deployment | None:
    """6. The newest deployment (pushed model) of a model (downstream of it) or of a pipeline
    (attributed to it or its runs), with the model it came from; None if never deployed."""
    return store.last_deployed(ref, list(deploy_types), list(model_types))


def models_trained_on(
    store: Store,
    dataset_id: int,
    metric: str,
    *,
    model_types: Sequence[str] = MODEL_TYPES,
    higher_is_better: bool = True,
) -> list[RankedModel]:
    """7. Models downstream of a dataset, best first by ``metric`` (a model property, declared
    or custom); models without the metric come last, by id."""
    result = lineage.downstream(
        store, lineage.artifact(dataset_id), types=model_types, kinds=[Kind.ARTIFACT],
        with_properties=True,
    )
    ranked = [
        RankedModel(model=m, metric=(m.properties or {}).get(metric)) for m in result.artifacts
    ]

    def key(r: RankedModel) -> tuple[int, float, int]:
        if not isinstance(r.metric, (int, float)) or isinstance(r.metric, bool):
            return (1, 0.0, r.model.id)
        value = float(r.metric)
        return (0, -value if higher_is_better else value, r.model.id)

    return sorted(ranked, key=key)


def cleanup_list(
    store: Store, ref: NodeRef, *, barrier_types: Sequence[str] = (),
    model_types: Sequence[str] = MODEL_TYPES,
    deploy_types: Sequence[str] = DEPLOYMENT_ARTIFACT_TYPES,
) -> CleanupList:
    """8. Everything a corrupt artifact reached (nothing written; ``lineage.mark_bad``
    records it as an incident): artifacts, executions, contexts, and among them the models
    and deployments (pushed models, Deployment contexts). Each entry has ``hops`` and
    ``via``; following ``via`` explains it."""
    reached = lineage.taint_preview(store, ref, barrier_types=barrier_types)
    by_kind = {k: [t for t in reached if t.node.kind is k] for k in Kind}
    return CleanupList(
        source=ref,
        artifacts=by_kind[Kind.ARTIFACT],
        executions=by_kind[Kind.EXECUTION],
        contexts=by_kind[Kind.CONTEXT],
        models=[t for t in by_kind[Kind.ARTIFACT] if t.node.type in model_types],
        deployments=[
            t for t in reached
            if (t.node.kind is Kind.ARTIFACT and t.node.type in deploy_types)
            or (t.node.kind is Kind.CONTEXT and t.node.type == "Deployment")
        ],
    )
