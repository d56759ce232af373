"""The seed's eight questions by name, each one query on the store (Neo4j or in-memory).

Public API::

    training_datasets(store, model_id, *, types=BY_ROLE, roots_only=False)
        -> list[LineageNode]                                  # 1. which data trained it
    producer(store, artifact_id) -> ExecutionSnapshot | None  # the run behind 2-4
    hyperparameters(store, model_id) -> dict[str, Any]        # 2.
    pipeline_and_run(store, model_id) -> PipelineRun          # 3. contexts + ancestors
    versions(store, model_id) -> Versions                     # 4. code + environment
    why_failed(store, ref) -> list[FailedStep]                # 5. errors + diff to last success
    deployments(store, ref, *, deploy_types=None, model_types=None) -> Deployments
        # 6. in full: what is live on each target now, and the history of deploy, rollback,
        #    undeploy and pushes (lineage_graph.deployments records them)
    last_deployed(store, ref, *, deploy_types=None, model_types=None) -> Deployment | None
        # 6. the newest deployment of a model or pipeline, live or not
    models_trained_on(store, dataset_id, metric, *, model_types=None,
                      higher_is_better=True) -> ModelComparison
        # 7. models on a dataset, metric read wherever it is kept, per pipeline: the newest
        #    against the previously deployed model, better or not
    cleanup_list(store, ref, *, barrier_types=()) -> CleanupList    # 8. taint, nothing written

Which types are datasets, models, evaluations and deployments comes from the stored role
mapping (``lineage_graph.roles``), read inside each question's query; the ``*_types``
keywords override it for one call. ``ref`` is a ``NodeRef`` (``lineage.artifact(id)``,
``lineage.execution(id)``, ``lineage.context(id)``); the ``*_id`` arguments are artifact ids.
Property names the answers read (``code_hash``, ``python_version``, ``lib.<name>``, ``error``
...) are defined in ``lineage_graph.answers``; custom properties of foreign bookkeeping
(OpenLineage's ``ol.*``) are never hyperparameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from . import lineage, roles
from .answers import (
    ALIAS_CONTEXT_TYPE,
    CODE_KEYS,
    DEPLOYMENT_CONTEXT_TYPE,
    ENV_KEYS,
    ERROR_KEYS,
    EVENT_EXECUTION_TYPES,
    FOREIGN_SYSTEM_PREFIXES,
    LIB_PREFIX,
    ROLE_DEPLOYMENT,
    ROLE_EVALUATION,
    ROLE_MODEL,
    ROLE_STATISTICS,
    ROLE_TRAINING,
    SYSTEM_KEYS,
    CleanupList,
    ContextNode,
    Deployment,
    Deployments,
    ExecutionSnapshot,
    FailedStep,
    LineageNode,
    ModelCandidate,
    ModelComparison,
    NodeRef,
    PipelineComparison,
    RankedModel,
    TaintedNode,
)
from .errors import NotFoundError
from .incident_marks import with_incidents
from .models import Kind
from .store.base import Store

__all__ = [
    "BY_ROLE",
    "PipelineRun",
    "Versions",
    "cleanup_list",
    "deployments",
    "hyperparameters",
    "last_deployed",
    "models_trained_on",
    "pipeline_and_run",
    "producer",
    "training_datasets",
    "versions",
    "why_failed",
]

BY_ROLE: Final = "by-role"  # training_datasets(types=BY_ROLE): the dataset-role types


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
    types: Sequence[str] | str | None = BY_ROLE,
    roots_only: bool = False,
) -> list[LineageNode]:
    """1. The datasets upstream of a model, at any depth (one query).

    Args:
        model_id: the model artifact.
        types: artifact types that count as datasets: ``BY_ROLE`` (the dataset role of the
            stored mapping), a list, or None (every upstream artifact).
        roots_only: only original datasets (nothing produced them).

    Returns:
        Artifacts sorted by id, each with ``hops``.
    """
    if types is None:
        return with_incidents(store, store.training_datasets(
            model_id, roles.query(), all_types=True, roots_only=roots_only))
    if isinstance(types, str):
        query = roles.query() if types == BY_ROLE else roles.query(dataset=[types])
    else:
        query = roles.query(dataset=list(types))
    return with_incidents(store, store.training_datasets(model_id, query, roots_only=roots_only))


def producer(store: Store, artifact_id: int) -> ExecutionSnapshot | None:
    """The execution that produced an artifact (the newest, if several), as a snapshot."""
    snaps = store.execution_snapshots(produced_ids=[artifact_id])
    if not snaps:
        return None
    return with_incidents(
        store, max(snaps, key=lambda s: (s.execution.create_time or 0, s.execution.id))
    )


def _producer_or_fail(store: Store, artifact_id: int) -> ExecutionSnapshot:
    snap = producer(store, artifact_id)
    if snap is None:
        raise NotFoundError(f"no execution produced artifact {artifact_id}")
    return snap


def hyperparameters(store: Store, model_id: int) -> dict[str, Any]:
    """2. The parameters of the execution that produced the model.

    Declared properties, then custom ones that are not code, environment, error or foreign
    bookkeeping fields (``answers.ExecutionSnapshot.parameters``).

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
    return with_incidents(store, [
        s.model_copy(update={"diff": lineage.diff_executions(s.last_success, s.failed)})
        for s in steps
    ])


def _deploy_query(
    deploy_types: Sequence[str] | None, model_types: Sequence[str] | None
) -> Any:
    deploy = None if deploy_types is None else [*deploy_types, DEPLOYMENT_CONTEXT_TYPE]
    return roles.query(deployment=deploy, model=model_types)


def deployments(
    store: Store,
    ref: NodeRef,
    *,
    deploy_types: Sequence[str] | None = None,
    model_types: Sequence[str] | None = None,
) -> Deployments:
    """6. Deployments of a model, a pipeline or a target, in full (one query).

    ``events``: the start's own deployment events, oldest first (for an artifact or
    execution: those downstream of it; for a context: of its executions and artifacts; for a
    target: all of its). ``targets``: every target those went to, each with what it holds
    now (its latest event unless that was an undeploy) and its whole history; ``aliases``
    likewise for model aliases. See ``Store.deployment_rows`` for what counts as an event.

    Args:
        deploy_types: deployment-role type names (pushed-model artifacts; the ``Deployment``
            context type is added) instead of the stored mapping's.
        model_types: model-role type names instead of the stored mapping's.
    """
    return with_incidents(store, store.deployments(ref, _deploy_query(deploy_types, model_types)))


def last_deployed(
    store: Store,
    ref: NodeRef,
    *,
    deploy_types: Sequence[str] | None = None,
    model_types: Sequence[str] | None = None,
) -> Deployment | None:
    """6. The newest deployment of a model (downstream of it), a pipeline (of its runs'
    executions and artifacts) or a target (a push, deploy or rollback); None if never
    deployed. ``live`` says whether its target still holds it (a later deploy, rollback or
    undeploy may have replaced it); ``at`` is when, ``action`` how, ``contexts`` the target.
    """
    return with_incidents(
        store, store.last_deployment(ref, _deploy_query(deploy_types, model_types))
    )


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bookkeeping(key: str) -> bool:
    """Properties that are never metrics: what tracking and imports record for themselves."""
    return (
        key in SYSTEM_KEYS or key in CODE_KEYS or key in ENV_KEYS or key in ERROR_KEYS
        or key.startswith((LIB_PREFIX, *FOREIGN_SYSTEM_PREFIXES))
    )


def _ranked(c: ModelCandidate, metric: str) -> RankedModel:
    """The model with the first value of ``metric`` among its sources (in their order)."""
    for s in c.sources:
        if metric in s.properties:
            return RankedModel(model=c.model, metric=s.properties[metric], source=s.node,
                               pipeline=c.pipeline)
    return RankedModel(model=c.model, pipeline=c.pipeline)


def models_trained_on(
    store: Store,
    dataset_id: int,
    metric: str,
    *,
    model_types: Sequence[str] | None = None,
    higher_is_better: bool = True,
) -> ModelComparison:
    """7. Models trained on a dataset (downstream of it, any depth), and was the newest better?

    The metric is read where the history keeps it: the model's properties, else an
    evaluation step reading the model, an evaluation artifact it wrote, an evaluation
    artifact written beside the model (``Store.model_candidates``). Models are ranked within
    their pipeline, best first (``models``: all of them; ``mixed`` when they come from
    several pipelines, whose metrics need not be comparable). Per pipeline, the newest model
    trained on the dataset is compared with the baseline: the model of that pipeline last
    deployed before the newest one was trained; ``better`` is None when either has no
    numeric value. One query.

    Returns:
        A ``ModelComparison``; ``metric_found`` False (and ``available``: the numeric
        property names the models and their evaluations do have) when no model has it.
    """
    raw = store.model_candidates(dataset_id, roles.query(model=model_types))
    ranked = {c.model.id: _ranked(c, metric) for c in raw.candidates}

    def order(r: RankedModel) -> tuple[int, float, int]:
        if not _numeric(r.metric):
            return (1, 0.0, r.model.id)
        value = float(r.metric)
        return (0, -value if higher_is_better else value, r.model.id)

    groups: dict[int, list[ModelCandidate]] = {}
    for c in raw.candidates:
        groups.setdefault(-1 if c.pipeline is None else c.pipeline.id, []).append(c)
    pipelines: list[PipelineComparison] = []
    for key in sorted(groups, key=lambda k: (k == -1, k)):
        members = groups[key]
        mine = [c for c in members if c.trained_on]
        if not mine:
            continue
        newest = max(mine, key=lambda c: (c.trained_at, c.model.id))
        before = {
            c.model.id: max(t for t in c.deployed_at if t < newest.trained_at)
            for c in members
            if c.model.id != newest.model.id and any(t < newest.trained_at for t in c.deployed_at)
        }
        base_id = max(before, key=lambda i: (before[i], i), default=None)
        baseline = ranked[base_id] if base_id is not None else None
        better = None
        new = ranked[newest.model.id]
        if baseline is not None and _numeric(new.metric) and _numeric(baseline.metric):
            better = (new.metric > baseline.metric if higher_is_better
                      else new.metric < baseline.metric)
        pipelines.append(PipelineComparison(
            pipeline=newest.pipeline, models=sorted((ranked[c.model.id] for c in mine), key=order),
            newest=new, baseline=baseline, better=better,
        ))
    trained = [c for c in raw.candidates if c.trained_on]
    found = any(metric in s.properties for c in raw.candidates for s in c.sources)
    available = [] if found else sorted({
        k for c in trained for s in c.sources for k, v in s.properties.items()
        if _numeric(v) and not _bookkeeping(k)
    })
    return with_incidents(store, ModelComparison(
        dataset=lineage.artifact(dataset_id),
        metric=metric,
        higher_is_better=higher_is_better,
        models=sorted((ranked[c.model.id] for c in trained), key=order),
        pipelines=pipelines,
        mixed=len({-1 if c.pipeline is None else c.pipeline.id for c in trained}) > 1,
        metric_found=found,
        available=available,
    ))


def cleanup_list(
    store: Store, ref: NodeRef, *, barrier_types: Sequence[str] = (),
    model_types: Sequence[str] | None = None,
    deploy_types: Sequence[str] | None = None,
) -> CleanupList:
    """8. Everything a corrupt artifact reached (nothing written; ``lineage.mark_bad``
    records it as an incident): artifacts, executions, contexts, and among them the models
    and deployments (deployment-role artifacts and contexts, aliases, recorded deploy
    events). Each entry has ``hops`` and ``via``; following ``via`` explains it.

    Two reads: the taint walk and the role mapping. A reached artifact is a model when its
    type has the model role, or when it is not an evaluation, statistics or deployment
    artifact and was reached from a training step that reached no model-typed artifact.
    """
    reached = lineage.taint_preview(store, ref, barrier_types=barrier_types)
    mapping = roles.current(store)
    models = set(model_types if model_types is not None else mapping.types(ROLE_MODEL))
    deploy = set(deploy_types if deploy_types is not None else mapping.types(ROLE_DEPLOYMENT))
    deploy.add(DEPLOYMENT_CONTEXT_TYPE)
    training = set(mapping.types(ROLE_TRAINING))
    not_models = {*mapping.types(ROLE_EVALUATION), *mapping.types(ROLE_STATISTICS), *deploy}
    by_kind = {k: [t for t in reached if t.node.kind is k] for k in Kind}
    steps = {t.node.ref: t.node for t in by_kind[Kind.EXECUTION]}
    wrote_model = {
        t.via for t in by_kind[Kind.ARTIFACT] if t.node.type in models
    }

    def is_model(t: TaintedNode) -> bool:
        if t.node.type in models:
            return True
        step = steps.get(t.via)
        return (
            t.node.type not in not_models and step is not None and step.type in training
            and t.via not in wrote_model
        )

    return with_incidents(store, CleanupList(
        source=ref,
        artifacts=by_kind[Kind.ARTIFACT],
        executions=by_kind[Kind.EXECUTION],
        contexts=by_kind[Kind.CONTEXT],
        models=[t for t in by_kind[Kind.ARTIFACT] if is_model(t)],
        deployments=[
            t for t in reached
            if (t.node.kind is Kind.ARTIFACT and t.node.type in deploy)
            or (t.node.kind is Kind.EXECUTION and t.node.type in EVENT_EXECUTION_TYPES)
            or (t.node.kind is Kind.CONTEXT
                and (t.node.type in deploy or t.node.type == ALIAS_CONTEXT_TYPE))
        ],
    ))

