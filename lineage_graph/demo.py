"""A realistic ML history to try lineage-graph on, and the eight questions answered on it.

Three pipelines of a retail company run every week for six weeks (ISO weeks 10-15 of 2024),
TFX style: ``ExampleGen`` (raw snapshots -> Examples), ``Trainer`` (-> Model),
``Evaluator`` (-> ModelEvaluation) and, when the model is good enough, ``Pusher``
(-> PushedModel, attributed to a ``Deployment`` context):

* ``churn-prediction`` reads the shared ``customer-events`` snapshots (this week and last) and
  ``crm-accounts``;
* ``fraud-detection`` reads ``customer-events`` too, and ``card-transactions``; its week-14
  Trainer FAILED (CUDA out of memory after ``batch_size`` went from 256 to 1024 together
  with a torch upgrade);
* ``demand-forecast`` reads ``card-transactions`` and ``store-calendar``.

``customer-events-2024-w12`` is the corrupt dataset (a logging bug duplicated sessions): the
demo records an incident on it, which taints the week-12 and week-13 runs of two pipelines,
their models and deployments.

Deployments are events in time (``lineage_graph.deployments``): each push deploys its model at
its push time; the ``churn-prediction-champion`` alias followed the week-15 model, and on the
Tuesday of week 15 a regression in production made the team roll ``churn-prediction-prod``
back to the week-13 model (and move the alias with it) -- a model trained on the corrupt
week-12 events, so the live deployment is tainted.

On the Wednesday of week 15 the demand-forecast pipeline was re-run with nothing changed: its
ExampleGen, Trainer and Evaluator were cache hits (CACHED executions REUSED-linked to week 15's,
holding their outputs in the re-run without producing them again), so every answer still
names week 15's run as the one that computed its model. And in week 11 someone flagged
``store-calendar-2024-w11`` (Easter missing); it was a false alarm, the incident was resolved,
and no answer carries it (a resolved incident travels with no node).

Everything is deterministic: names are fixed, property values come from the schedule, never
from the clock, so loading twice writes nothing new (the store returns the existing ids for
equal content, events and links are idempotent, and the incident is recorded only once).
``create_time`` is the store's load time; the history's own times are the events'
``timestamp`` and the runs' ``started_at`` property (ms since the epoch).

Public API::

    history() -> list[Batch]                       # the history as plain data
    deployment_events() -> list[DemoEvent]         # the rollback and the alias moves
    rerun_batch() -> Batch                         # the cached re-run of demand-forecast w15
    load(store, on_progress=None) -> DemoIds       # idempotent; one transaction per batch
    locate(store) -> DemoIds                       # anchors of a loaded demo (read only)
    answers(store, ids) -> list[Answer]            # the eight questions, with Browser views
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import deployments, lineage, questions
from .answers import Incident
from .errors import NotFoundError
from .models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ListOptions,
    ParentContext,
    PropertyType,
    Reuse,
)
from .store.base import Store

WEEKS: tuple[int, ...] = (10, 11, 12, 13, 14, 15)
YEAR = 2024
CORRUPT_DATASET = ("Dataset", "customer-events-2024-w12")
CORRUPT_REASON = "logging bug duplicated sessions in customer-events week 12"
FAILED_RUN = ("fraud-detection", 14)
METRIC = "auc"
ROLLED_BACK = "churn-prediction"  # its prod target went back from week 15 to week 13
CHAMPION = "churn-prediction-champion"
RERUN = ("demand-forecast", 15)  # re-run from cache on the Wednesday of week 15
RERUN_STEPS = ("ExampleGen", "Trainer", "Evaluator")
FALSE_ALARM_DATASET = ("Dataset", "store-calendar-2024-w11")
FALSE_ALARM_REASON = "store-calendar week 11 seems to miss Easter"
FALSE_ALARM_RESOLUTION = "false alarm: Easter 2024 is in week 13"

TYPES: tuple[ArtifactType | ExecutionType | ContextType, ...] = (
    ArtifactType(name="Dataset", properties={"rows": PropertyType.INT,
                                             "format": PropertyType.STRING}),
    ArtifactType(name="Examples", properties={"rows": PropertyType.INT,
                                              "split": PropertyType.STRING}),
    ArtifactType(name="Model", properties={"framework": PropertyType.STRING}),
    ArtifactType(name="ModelEvaluation", properties={"blessed": PropertyType.BOOLEAN}),
    ArtifactType(name="PushedModel", properties={"serving_uri": PropertyType.STRING}),
    ExecutionType(name="ExampleGen"),
    ExecutionType(name="Trainer"),
    ExecutionType(name="Evaluator"),
    ExecutionType(name="Pusher"),
    ContextType(name="Pipeline"),
    ContextType(name="PipelineRun"),
    ContextType(name="Deployment"),
)


@dataclass(frozen=True)
class PipelineSpec:
    name: str
    raw: tuple[str, ...]          # raw dataset families read every week
    two_weeks: tuple[str, ...]    # families read for this week AND last week
    framework: str
    lib: str                      # the main library (versions go into lib.<name>)
    base_auc: float
    push_weeks: tuple[int, ...]   # weeks whose model was good enough to deploy


PIPELINES: tuple[PipelineSpec, ...] = (
    PipelineSpec("churn-prediction", ("crm-accounts",), ("customer-events",), "xgboost",
                 "xgboost", 0.842, (10, 12, 13, 15)),
    PipelineSpec("fraud-detection", ("card-transactions",), ("customer-events",), "torch",
                 "torch", 0.903, (10, 12, 15)),
    PipelineSpec("demand-forecast", ("store-calendar",), ("card-transactions",), "scikit-learn",
                 "scikit-learn", 0.781, (11, 13, 15)),
)
RAW_FAMILIES: tuple[str, ...] = ("customer-events", "crm-accounts", "card-transactions",
                                 "store-calendar")


def week_start(week: int) -> datetime:
    """Monday 02:00 UTC of an ISO week of 2024 (when the weekly runs start)."""
    return datetime.fromisocalendar(YEAR, week, 1).replace(hour=2, tzinfo=UTC)


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def raw_name(family: str, week: int) -> str:
    return f"{family}-{YEAR}-w{week}"


def run_name(pipeline: str, week: int) -> str:
    return f"{pipeline}-{YEAR}-w{week}"


def model_name(pipeline: str, week: int) -> str:
    return f"{pipeline}-model-{YEAR}-w{week}"


@dataclass
class Batch:
    """One ``put_lineage_subgraph`` call (one transaction) plus the links it implies."""

    title: str
    executions: list[Execution] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    events: list[tuple[int, int, Event]] = field(default_factory=list)
    # (artifact index, execution index, deployment context) for pushed models
    deployments: list[tuple[int, int, Context]] = field(default_factory=list)
    parent: Context | None = None  # the run's pipeline: run CHILD_OF pipeline

    def artifact(self, a: Artifact) -> int:
        self.artifacts.append(a)
        return len(self.artifacts) - 1

    def execution(self, e: Execution) -> int:
        self.executions.append(e)
        return len(self.executions) - 1

    def event(self, e: int, a: int, kind: EventType, ts: int, path: str) -> None:
        self.events.append(
            (e, a, Event(artifact_id=0, execution_id=0, type=kind, path=(path,), timestamp=ts))
        )


def _raw_artifact(family: str, week: int) -> Artifact:
    rows = 1_000_000 + 37_000 * (week - WEEKS[0]) + 10_000 * RAW_FAMILIES.index(family)
    if (family, week) == ("customer-events", 12):
        rows = rows * 2 - 1234  # the duplicated sessions the incident is about
    return Artifact(
        type="Dataset",
        name=raw_name(family, week),
        uri=f"s3://acme-lake/raw/{family}/{YEAR}/w{week}/",
        state=ArtifactState.LIVE,
        properties={"rows": rows, "format": "parquet"},
        custom_properties={"snapshot_of_week": week, "owner": "data-platform"},
    )


def _int(value: Any) -> int:
    return int(value)


def _raw_batch() -> Batch:
    batch = Batch(title="raw datasets")
    for week in WEEKS:
        for family in RAW_FAMILIES:
            batch.artifact(_raw_artifact(family, week))
    return batch


def _versions(spec: PipelineSpec, week: int) -> dict[str, Any]:
    libs = {
        "torch": "2.2.0" if week >= 14 else "2.1.2",
        "xgboost": "2.0.3" if week >= 12 else "1.7.6",
        "scikit-learn": "1.4.1" if week >= 13 else "1.3.2",
    }
    return {
        "python_version": "3.11.8" if week >= 13 else "3.11.6",
        "platform": "linux-x86_64",
        f"lib.{spec.lib}": libs[spec.lib],
        "lib.pandas": "2.2.1" if week >= 11 else "2.1.4",
        # A stable fake commit per pipeline and week (never hash(): it is salted per process).
        "git_commit": f"{(week * 2654435761 + len(spec.name) * 40503) % 16**7:07x}",
        "code_version": f"{spec.name}@1.{week - 9}.0",
        "git_branch": "main",
    }


def _hyperparameters(spec: PipelineSpec, week: int) -> dict[str, Any]:
    fraud_failed = (spec.name, week) == FAILED_RUN
    return {
        "learning_rate": 0.05 if week < 13 else 0.03,
        "epochs": 20 if spec.framework == "torch" else 200,
        "batch_size": 1024 if (spec.name == "fraud-detection" and week >= 14) else 256,
        "max_depth": 6,
        "seed": 42,
        **({"early_stopping": True} if not fraud_failed else {}),
    }


def _auc(spec: PipelineSpec, week: int) -> float:
    drift = {10: 0.0, 11: -0.013, 12: 0.021, 13: 0.017, 14: 0.009, 15: 0.012}[week]
    return round(spec.base_auc + drift, 3)


def _run_batch(spec: PipelineSpec, week: int) -> Batch:
    start = week_start(week) + timedelta(minutes=15 * PIPELINES.index(spec))
    pipeline = Context(type="Pipeline", name=spec.name,
                       custom_properties={"owner": "ml-platform", "schedule": "weekly"})
    run = Context(type="PipelineRun", name=run_name(spec.name, week),
                  custom_properties={"week": week, "started_at": _ms(start)})
    b = Batch(title=f"{spec.name} week {week}", contexts=[pipeline, run], parent=pipeline)

    inputs = [_raw_artifact(f, week) for f in spec.raw]
    for family in spec.two_weeks:
        inputs.extend(_raw_artifact(family, w) for w in (week - 1, week) if w in WEEKS)
    raw_idx = [b.artifact(a) for a in inputs]

    versions = _versions(spec, week)
    gen = b.execution(Execution(
        type="ExampleGen", name=f"{run_name(spec.name, week)}/ExampleGen",
        last_known_state=ExecutionState.COMPLETE,
        custom_properties={**versions, "split_ratio": 0.8},
    ))
    for i in raw_idx:
        b.event(gen, i, EventType.INPUT, _ms(start), "raw")
    rows = sum(_int(a.properties["rows"]) for a in inputs)
    examples = []
    for split, share in (("train", 0.8), ("eval", 0.2)):
        ex = b.artifact(Artifact(
            type="Examples", name=f"{run_name(spec.name, week)}/examples-{split}",
            uri=f"s3://acme-lake/pipelines/{spec.name}/w{week}/examples/{split}/",
            state=ArtifactState.LIVE, properties={"rows": int(rows * share), "split": split},
        ))
        b.event(gen, ex, EventType.OUTPUT, _ms(start + timedelta(minutes=12)), split)
        examples.append(ex)

    failed = (spec.name, week) == FAILED_RUN
    trainer_props: dict[str, Any] = {**versions, **_hyperparameters(spec, week)}
    if failed:
        trainer_props["error"] = (
            "CUDA out of memory. Tried to allocate 3.50 GiB (GPU 0; 15.77 GiB total capacity)"
        )
        trainer_props["error_type"] = "torch.cuda.OutOfMemoryError"
    trainer = b.execution(Execution(
        type="Trainer", name=f"{run_name(spec.name, week)}/Trainer",
        last_known_state=ExecutionState.FAILED if failed else ExecutionState.COMPLETE,
        custom_properties=trainer_props,
    ))
    train_start = _ms(start + timedelta(minutes=15))
    b.event(trainer, examples[0], EventType.INPUT, train_start, "examples")
    if failed:
        return b

    model = b.artifact(Artifact(
        type="Model", name=model_name(spec.name, week),
        uri=f"s3://acme-models/{spec.name}/{YEAR}-w{week}/",
        state=ArtifactState.LIVE, properties={"framework": spec.framework},
        custom_properties={METRIC: _auc(spec, week), "version": f"{YEAR}.{week}"},
    ))
    b.event(trainer, model, EventType.OUTPUT, _ms(start + timedelta(minutes=70)), "model")

    blessed = week in spec.push_weeks
    evaluator = b.execution(Execution(
        type="Evaluator", name=f"{run_name(spec.name, week)}/Evaluator",
        last_known_state=ExecutionState.COMPLETE,
        custom_properties={**versions, "threshold_auc": round(spec.base_auc - 0.01, 3)},
    ))
    b.event(evaluator, model, EventType.INPUT, _ms(start + timedelta(minutes=75)), "model")
    b.event(evaluator, examples[1], EventType.INPUT, _ms(start + timedelta(minutes=75)), "examples")
    evaluation = b.artifact(Artifact(
        type="ModelEvaluation", name=f"{run_name(spec.name, week)}/evaluation",
        uri=f"s3://acme-lake/pipelines/{spec.name}/w{week}/evaluation/",
        state=ArtifactState.LIVE, properties={"blessed": blessed},
        custom_properties={METRIC: _auc(spec, week)},
    ))
    b.event(evaluator, evaluation, EventType.OUTPUT, _ms(start + timedelta(minutes=85)),
            "evaluation")
    if not blessed:
        return b

    pusher = b.execution(Execution(
        type="Pusher", name=f"{run_name(spec.name, week)}/Pusher",
        last_known_state=ExecutionState.COMPLETE,
        custom_properties={**versions, "target": f"{spec.name}-prod"},
    ))
    b.event(pusher, model, EventType.INPUT, _ms(start + timedelta(minutes=90)), "model")
    b.event(pusher, evaluation, EventType.INPUT, _ms(start + timedelta(minutes=90)), "blessing")
    pushed = b.artifact(Artifact(
        type="PushedModel", name=f"{spec.name}-prod-{YEAR}-w{week}",
        uri=f"gs://acme-serving/{spec.name}/{YEAR}w{week}/",
        state=ArtifactState.LIVE,
        properties={"serving_uri": f"https://serving.acme.example/{spec.name}/v{YEAR}{week}"},
    ))
    b.event(pusher, pushed, EventType.OUTPUT, _ms(start + timedelta(minutes=95)), "pushed_model")
    deployment = Context(type="Deployment", name=f"{spec.name}-prod",
                         custom_properties={"environment": "production"})
    b.deployments.append((pushed, pusher, deployment))
    return b


def push_time(pipeline: str, week: int) -> int:
    """When a pipeline's Pusher wrote its pushed model in a week (ms)."""
    spec = next(p for p in PIPELINES if p.name == pipeline)
    start = week_start(week) + timedelta(minutes=15 * PIPELINES.index(spec))
    return _ms(start + timedelta(minutes=95))


@dataclass(frozen=True)
class DemoEvent:
    """A deployment event of the demo: ``rollback`` of a target, or an ``alias`` move."""

    action: str
    name: str   # the target or alias
    model: str  # model artifact name
    at: int


def deployment_events() -> list[DemoEvent]:
    """The alias follows the week-15 churn model; a day later prod is rolled back to week 13
    and the alias moves with it."""
    rollback_at = _ms(week_start(WEEKS[-1]) + timedelta(days=1, hours=7, minutes=30))
    newest, before = model_name(ROLLED_BACK, WEEKS[-1]), model_name(ROLLED_BACK, 13)
    return [
        DemoEvent("alias", CHAMPION, newest, push_time(ROLLED_BACK, WEEKS[-1])),
        DemoEvent("rollback", f"{ROLLED_BACK}-prod", before, rollback_at),
        DemoEvent("alias", CHAMPION, before, rollback_at),
    ]


def _record_events(store: Store) -> None:
    for e in deployment_events():
        model = f"Model:{e.model}"
        if e.action == "rollback":
            deployments.rollback(store, e.name, to=model, at=e.at)
        else:
            deployments.set_alias(store, e.name, model, at=e.at)


def rerun_name() -> str:
    return f"{run_name(*RERUN)}-rerun"


def rerun_batch() -> Batch:
    """demand-forecast week 15 again, all cache hits: CACHED executions reading the same
    inputs; the original run's outputs are in the batch (so they are held in the re-run's
    contexts) with no OUTPUT event: the re-run produced nothing. ``load`` REUSED-links each
    step to the original."""
    spec = next(p for p in PIPELINES if p.name == RERUN[0])
    original = _run_batch(spec, RERUN[1])
    start = _ms(week_start(RERUN[1]) + timedelta(days=2, hours=6))
    b = Batch(title=f"{spec.name} week {RERUN[1]} re-run (cached)", parent=original.contexts[0])
    b.contexts = [original.contexts[0], Context(
        type="PipelineRun", name=rerun_name(),
        custom_properties={"week": RERUN[1], "started_at": start, "rerun_of": run_name(*RERUN)},
    )]
    held = [a for a in original.artifacts if a.type != "PushedModel"]
    index = {a.name: b.artifact(a) for a in held}
    by_type = {e.type: (n, e) for n, e in enumerate(original.executions)}
    for step in RERUN_STEPS:
        n, e = by_type[step]
        mine = b.execution(Execution(
            type=step, name=f"{rerun_name()}/{step}", last_known_state=ExecutionState.CACHED,
            custom_properties=dict(e.custom_properties),
        ))
        for k, a, ev in original.events:
            if k == n and ev.type is EventType.INPUT:
                name = original.artifacts[a].name
                b.event(mine, index[name], EventType.INPUT, start, str(ev.path[0]))
    return b


def history() -> list[Batch]:
    """The whole history, oldest first: raw snapshots, each week's pipeline runs, then the
    cached re-run."""
    batches = [_raw_batch()]
    for week in WEEKS:
        for spec in PIPELINES:
            batches.append(_run_batch(spec, week))
    batches.append(rerun_batch())
    return batches


@dataclass(frozen=True)
class DemoIds:
    """Ids of the nodes the questions start from."""

    model: int               # churn-prediction's latest model
    dataset: int             # customer-events week 13 (models trained on it)
    corrupt: int             # the corrupt dataset
    failed_execution: int    # fraud-detection week 14 Trainer
    failed_run: int          # its PipelineRun context
    pipeline: int            # churn-prediction (Pipeline context)
    target: int              # churn-prediction-prod (Deployment context, rolled back)
    incident: int
    counts: dict[str, int]
    resolved_incident: int = 0   # the false alarm on store-calendar week 11 (RESOLVED)


def _find(store: Store, kind: Kind, type_name: str, name: str) -> int:
    items = store.list_nodes(kind, ListOptions(type=type_name, name=name, limit=1)).items
    if not items or items[0].id is None:
        raise NotFoundError(f"demo node {type_name}:{name} is missing after loading")
    return int(items[0].id)


def _incident_for(store: Store, corrupt: int) -> Incident:
    for inc in lineage.incidents(store, status="OPEN"):
        if inc.source == lineage.artifact(corrupt) and inc.reason == CORRUPT_REASON:
            return inc
    return lineage.mark_bad(store, lineage.artifact(corrupt), CORRUPT_REASON)


def _false_alarm(store: Store) -> Incident | None:
    source = lineage.artifact(_find(store, Kind.ARTIFACT, *FALSE_ALARM_DATASET))
    return next((i for i in lineage.incidents(store)
                 if i.source == source and i.reason == FALSE_ALARM_REASON), None)


def _resolved_false_alarm(store: Store) -> Incident:
    """The false alarm: recorded once, resolved (a second load finds it resolved)."""
    found = _false_alarm(store)
    if found is None:
        source = lineage.artifact(_find(store, Kind.ARTIFACT, *FALSE_ALARM_DATASET))
        found = lineage.mark_bad(store, source, FALSE_ALARM_REASON)
    if found.status == "OPEN":
        found = lineage.resolve_incident(store, found.id, FALSE_ALARM_RESOLUTION)
    return found


def _link_reuses(store: Store, rerun_ids: Sequence[int]) -> None:
    """Each cache hit of the re-run REUSED-links to the week's execution it reused."""
    links = [
        Reuse(execution_id=mine,
              original_id=_find(store, Kind.EXECUTION, step, f"{run_name(*RERUN)}/{step}"))
        for step, mine in zip(RERUN_STEPS, rerun_ids, strict=True)
    ]
    known = {(r.execution_id, r.original_id)
             for r in store.get_reuses(execution_ids=list(rerun_ids))}
    new = [r for r in links if (r.execution_id, r.original_id) not in known]
    if new:
        store.atomic(lambda w: w.put_reuses(new))


ProgressFn = Callable[[int, int, str], None]


def load(store: Store, on_progress: ProgressFn | None = None) -> DemoIds:
    """Load the history (idempotent) and record the corrupt-data incident once.

    Args:
        store: any store (Neo4j or in-memory).
        on_progress: called as ``(done, total, title)`` after each batch.

    Returns:
        Ids of the nodes the eight questions start from.
    """
    batches = history()
    total = len(batches) + 3
    store.init_schema()
    store.put_types(list(TYPES))
    if on_progress:
        on_progress(1, total, "types")
    for n, batch in enumerate(batches, start=2):
        e_ids, a_ids, c_ids = store.put_lineage_subgraph(
            batch.executions, batch.artifacts, batch.contexts, batch.events
        )
        if batch.executions and all(
            e.last_known_state is ExecutionState.CACHED for e in batch.executions
        ):
            _link_reuses(store, e_ids)
        if batch.parent is not None:
            store.put_parent_contexts([ParentContext(child_id=c_ids[1], parent_id=c_ids[0])])
        for a_index, e_index, deployment in batch.deployments:
            (dep_id,) = store.put_contexts([deployment])
            store.put_attributions_and_associations(
                [Attribution(artifact_id=a_ids[a_index], context_id=dep_id)],
                [Association(execution_id=e_ids[e_index], context_id=dep_id)],
            )
        if on_progress:
            on_progress(n, total, batch.title)
    # Recorded before the incident, so that the incident reaches the rollback too.
    _record_events(store)
    if on_progress:
        on_progress(total - 1, total, "rollback")
    corrupt = _find(store, Kind.ARTIFACT, *CORRUPT_DATASET)
    _incident_for(store, corrupt)
    _resolved_false_alarm(store)
    if on_progress:
        on_progress(total, total, "incident")
    return locate(store)


def locate(store: Store) -> DemoIds:
    """The ids of the demo's anchor nodes in a store where it was loaded (nothing written).

    Raises:
        NotFoundError: the demo is not (completely) loaded.
    """
    corrupt = _find(store, Kind.ARTIFACT, *CORRUPT_DATASET)
    incident = next(
        (i for i in lineage.incidents(store)
         if i.source == lineage.artifact(corrupt) and i.reason == CORRUPT_REASON),
        None,
    )
    if incident is None:
        raise NotFoundError("the demo's incident is missing: run `lineage-graph demo`")
    failed_run_name = run_name(*FAILED_RUN)
    false_alarm = _false_alarm(store)
    return DemoIds(
        model=_find(store, Kind.ARTIFACT, "Model", model_name("churn-prediction", WEEKS[-1])),
        dataset=_find(store, Kind.ARTIFACT, "Dataset", raw_name("customer-events", 13)),
        corrupt=corrupt,
        failed_execution=_find(store, Kind.EXECUTION, "Trainer", f"{failed_run_name}/Trainer"),
        failed_run=_find(store, Kind.CONTEXT, "PipelineRun", failed_run_name),
        pipeline=_find(store, Kind.CONTEXT, "Pipeline", "churn-prediction"),
        target=_find(store, Kind.CONTEXT, "Deployment", f"{ROLLED_BACK}-prod"),
        incident=incident.id,
        counts=expected_counts(),
        resolved_incident=false_alarm.id if false_alarm is not None else 0,
    )


def expected_counts() -> dict[str, int]:
    """How many distinct artifacts, executions and contexts the history holds."""
    arts: set[tuple[str, str | None]] = set()
    execs: set[tuple[str, str | None]] = set()
    ctxs: set[tuple[str, str | None]] = set()
    for b in history():
        arts.update((a.type, a.name) for a in b.artifacts)
        execs.update((e.type, e.name) for e in b.executions)
        ctxs.update((c.type, c.name) for c in b.contexts)
        ctxs.update((d.type, d.name) for _, _, d in b.deployments)
    events = deployment_events()
    execs.update((e.action, f"{e.name}@{e.at}") for e in events)
    ctxs.update(("ModelAlias", e.name) for e in events if e.action == "alias")
    return {"artifacts": len(arts), "executions": len(execs), "contexts": len(ctxs)}


@dataclass(frozen=True)
class Answer:
    """One question, its answer (JSON-ready) and the Browser view that shows it."""

    number: int
    question: str
    answer: Any
    view: str
    kind: Kind | None
    node_id: int
    command: str  # the CLI command that answers it


def _dump(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def answers(store: Store, ids: DemoIds) -> list[Answer]:
    """The eight questions of DESIGN.md on the demo history (one store query each)."""
    model, A, E = ids.model, Kind.ARTIFACT, Kind.EXECUTION
    producer = questions.producer(store, model)
    trainer = producer.execution.id if producer else model
    deployed = questions.deployments(store, lineage.context(ids.target))
    live = deployed.targets[0].live if deployed.targets else None
    live_model = live.model.id if live is not None and live.model is not None else model
    cleanup = questions.cleanup_list(store, lineage.artifact(ids.corrupt))
    model_ref = f"Model:{model_name('churn-prediction', WEEKS[-1])}"
    items: Sequence[tuple[str, Any, str, Kind | None, int, str]] = (
        ("Which datasets trained the latest churn model?",
         questions.training_datasets(store, model), "upstream", A, model,
         f"lineage-graph upstream {model_ref} --type Dataset --type Examples"),
        ("Which hyperparameters?", questions.hyperparameters(store, model), "show", E, trainer,
         f"lineage-graph provenance {model_ref}"),
        ("Which pipeline and run?", questions.pipeline_and_run(store, model), "provenance", A,
         model, f"lineage-graph provenance {model_ref}"),
        ("Which library and code versions?", questions.versions(store, model), "show", E, trainer,
         f"lineage-graph provenance {model_ref}"),
        ("Why did the fraud-detection week-14 run fail?",
         questions.why_failed(store, lineage.context(ids.failed_run)), "why_failed", E,
         ids.failed_execution, f"lineage-graph why-failed PipelineRun:{run_name(*FAILED_RUN)}"),
        ("Which churn model was deployed last?", deployed, "deployed",
         A, live_model, f"lineage-graph deployed {ROLLED_BACK}-prod --history"),
        ("Who trained on customer-events week 13, and was it better?",
         questions.models_trained_on(store, ids.dataset, METRIC), "models_on", A, ids.dataset,
         f"lineage-graph models-on Dataset:{raw_name('customer-events', 13)} --metric {METRIC}"),
        ("Which models were trained on the corrupt week-12 events, and what must be cleaned up?",
         cleanup, "incident", None, ids.incident, "lineage-graph incidents"),
    )
    return [
        Answer(number=i, question=q, answer=_dump(a), view=v, kind=k, node_id=n, command=c)
        for i, (q, a, v, k, n, c) in enumerate(items, start=1)
    ]
