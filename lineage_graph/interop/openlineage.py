"""OpenLineage ingest: RunEvents, JobEvents and DatasetEvents into the metadata graph.

Mapping (OpenLineage spec 2-0-2; what is accepted is in ``ol_events``):

=========================  ==============================================================
OpenLineage                lineage-graph
=========================  ==============================================================
job (namespace, name)      Context ``ol.Job`` named ``<namespace>|<name>`` (``names.ol_key``,
                           escaped so that no two jobs share a key); and an ExecutionType
                           per job name (``ol.<job name>``, made safe)
run (runId)                Execution of the job's type, ``name`` = ``external_id`` = runId,
                           associated with the job context
eventType                  START and RUNNING->RUNNING (the run has started), COMPLETE->COMPLETE,
                           FAIL->FAILED, ABORT->CANCELED; OTHER and unknown types (matched
                           case-insensitively) change no state. The
                           latest terminal event wins, else the latest START/RUNNING, by
                           eventTime (not arrival); ``start_time``/``end_time`` (INT ms) are
                           the START's and the terminal event's times
errorMessage run facet     the execution's error, as tracking records one: ``error``
                           (message), ``error_traceback`` (stackTrace), ``error_language``
dataset (namespace, name)  Artifact ``ol.Dataset`` named ``<namespace>|<name>``; its
                           ``symlinks`` identifiers become aliases (Contexts
                           ``ol.DatasetAlias`` the artifact is attributed to): a later event
                           naming an alias reaches the same artifact. An alias that already
                           names another dataset stays that dataset's (first claim wins, as
                           in Marquez)
inputs / outputs           RunEvent: INPUT / OUTPUT events (timestamp = eventTime);
                           JobEvent: DECLARED_INPUT / DECLARED_OUTPUT events of the job's
                           declared execution (``external_id`` ``ol:job:<job key>``)
columnLineage facet        field artifacts and ``ol.ColumnTransform`` executions (``columns``)
facets                     ``ol.facet.<name>`` custom properties (``ol_facets``): run facets
                           on the execution, job facets on the job context, dataset facets
                           on the artifact, input/output facets in ``ol.inputFacets`` /
                           ``ol.outputFacets`` keyed by dataset key; each facet is the one of
                           the newest event carrying it
parent run facet           the job context becomes CHILD_OF the parent job's context (never of
                           itself, never closing a cycle), and the run is associated with a
                           context ``ol.Run`` named by the parent runId, CHILD_OF the parent job
=========================  ==============================================================

Exact names are kept as custom properties (``ol.namespace``, ``ol.name``, ``ol.runId``,
``ol.job.namespace``, ``ol.job.name``, ``ol.producer``), and ``ol.meta`` records which event
set each facet and every (eventType, eventTime, producer) of a run, so the export can give
the events back. Datasets are not versioned: one artifact per dataset. Nodes also carry an
external id (``ol:dataset:<key>``, ``ol:job:<key>``, ``ol:alias:<key>``, ``ol:run:<runId>``;
a run's is its runId), so everything an event touches is read in a few indexed lookups.

Each event is one transaction (``store.atomic``): all of it lands or none. Replaying an
event writes nothing (``skip_unchanged``: ``seq`` and ``update_time`` do not move), and the
order events arrive in does not change the result, except the timestamp of an edge, which
is the eventTime of the first event that drew it, and aliases, which apply to the events
that arrive after the one that declared them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from ..answers import ROLE_DATASET, ROLE_TRAINING
from ..errors import AlreadyExistsError, InvalidInputError, UserError
from ..models import (
    AnyType,
    Artifact,
    ArtifactState,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ParentContext,
    Value,
)
from ..store.base import Store
from ..store.rules import WriteRules
from . import columns as col
from .names import ol_key, type_name
from .ol_events import (
    EVENT_TYPES,
    TERMINAL_TYPES,
    BadDocument,
    DatasetRef,
    EventTime,
    ParsedEvent,
    iter_documents,
    loads_event,
    parse_event,
)
from .ol_facets import (
    FACET_PREFIX,
    META,
    TimedFacets,
    facet_props,
    meta_of,
    read_struct_or_text,
    struct_or_text,
    timed_facets,
    without_facets,
)

__all__ = [
    "DATASET_TYPE",
    "EVENT_TYPES",
    "FACET_PREFIX",
    "JOB_CONTEXT_TYPE",
    "RUN_CONTEXT_TYPE",
    "BatchWriteError",
    "FileReport",
    "IngestResult",
    "OpenLineageIngest",
    "dataset_key",
    "ingest_events",
    "iter_documents",
    "job_type_name",
    "loads_event",
    "parse_event",
    "resolve_dataset_key",
]

log = logging.getLogger(__name__)
JOB_CONTEXT_TYPE = "ol.Job"
RUN_CONTEXT_TYPE = "ol.Run"
ALIAS_CONTEXT_TYPE = "ol.DatasetAlias"
DATASET_TYPE = "ol.Dataset"
STATE_OF: dict[str, ExecutionState] = {
    "START": ExecutionState.RUNNING,
    "RUNNING": ExecutionState.RUNNING,
    "COMPLETE": ExecutionState.COMPLETE,
    "FAIL": ExecutionState.FAILED,
    "ABORT": ExecutionState.CANCELED,
}
TERMINAL = frozenset({ExecutionState.COMPLETE, ExecutionState.FAILED, ExecutionState.CANCELED})
MAX_EVENT_RECORDS = 200  # per run: a streaming job's RUNNING events must not grow forever

# Property keys (custom properties) the ingest writes and the export reads.
P_NAMESPACE = "ol.namespace"
P_NAME = "ol.name"
P_RUN_ID = "ol.runId"
P_JOB_NAMESPACE = "ol.job.namespace"
P_JOB_NAME = "ol.job.name"
P_PRODUCER = "ol.producer"
P_EVENT_TYPE = "ol.eventType"
P_EVENT_TIME = "ol.eventTime"
P_INPUT_FACETS = "ol.inputFacets"
P_OUTPUT_FACETS = "ol.outputFacets"
P_DECLARED = "ol.declared"
P_ALIAS_TYPE = "ol.type"
# The error fields tracking records (tracking/fields.py, answers.ERROR_KEYS).
P_ERROR = "error"
P_ERROR_TRACEBACK = "error_traceback"
P_ERROR_LANGUAGE = "error_language"
P_START_TIME = "start_time"
P_END_TIME = "end_time"
RESERVED_EXECUTION_TYPES = frozenset({col.TRANSFORM_TYPE})
# ``jobType`` facet values that say a job trains models (its type gets the training role).
TRAINING_JOB_TYPES = frozenset({"TRAINING", "TRAIN", "MODEL_TRAINING", "FIT"})


def _is_training(job_facets: Mapping[str, Any]) -> bool:
    facet = job_facets.get("jobType")
    kind = facet.get("jobType") if isinstance(facet, dict) else None
    return isinstance(kind, str) and kind.strip().upper() in TRAINING_JOB_TYPES


class BatchWriteError(UserError):
    """An event of a batch failed when written; nothing of the batch was. ``index`` names
    the event, ``field`` what was wrong if known."""

    def __init__(self, message: str, *, index: int, field: str | None = None) -> None:
        super().__init__(message)
        self.index = index
        self.field = field


def job_type_name(job_name: str) -> str:
    """The execution type for runs of a job: ``ol.<job name>`` made a valid type name."""
    name = type_name(f"ol.{job_name}")
    return type_name(f"ol.x.{job_name}") if name in RESERVED_EXECUTION_TYPES else name


def dataset_key(namespace: str, name: str) -> str:
    """The artifact name of a dataset (and the context name of a job): ``names.ol_key``."""
    return ol_key(namespace, name)


def declared_id(job_key: str) -> str:
    """The external id of a job's declared execution (from its JobEvents)."""
    return f"ol:job:{job_key}"


# ---- reading what an event touches (before its transaction) ---------------------------------


def dataset_ext(key: str) -> str:
    """The external id of a dataset's artifact (one indexed lookup for all of an event's)."""
    return f"ol:dataset:{key}"


def job_ext(key: str) -> str:
    """The external id of a job's context."""
    return f"ol:job:{key}"


def alias_ext(key: str) -> str:
    """The external id of a dataset alias's context."""
    return f"ol:alias:{key}"


class _Reads(Protocol):
    """The reads planning an event makes: a ``Store``, or a batch's ``_BatchView`` of it."""

    def get_artifacts_by_external_ids(self, external_ids: Iterable[str]) -> list[Artifact]: ...

    def get_executions_by_external_ids(self, external_ids: Iterable[str]) -> list[Execution]: ...

    def get_contexts_by_external_ids(self, external_ids: Iterable[str]) -> list[Context]: ...

    def get_artifacts_by_context(self, context_id: int) -> list[Artifact]: ...

    def get_parent_contexts(self, context_id: int) -> list[Context]: ...


class _Reader:
    """The nodes one event touches, read in a few batched lookups (by external id) before
    its transaction; resolves dataset names through aliases."""

    def __init__(self, store: _Reads) -> None:
        self.store = store
        self._artifacts: dict[str, Artifact | None] = {}
        self._contexts: dict[str, Context | None] = {}  # by external id
        self._aliases: dict[str, str | None] = {}
        self.declared: dict[str, str] = {}  # aliases this event declares -> dataset key

    def prefetch(self, keys: Iterable[str], contexts: Iterable[str]) -> None:
        """Read the datasets and contexts (by external id) an event may touch, in two queries."""
        wanted = sorted({k for k in keys if k not in self._artifacts})
        if wanted:
            found = {
                a.external_id: a
                for a in self.store.get_artifacts_by_external_ids(dataset_ext(k) for k in wanted)
            }
            for k in wanted:
                self._artifacts[k] = found.get(dataset_ext(k))
        ids = sorted({c for c in contexts if c not in self._contexts})
        if ids:
            got = {c.external_id: c for c in self.store.get_contexts_by_external_ids(ids)}
            for c in ids:
                self._contexts[c] = got.get(c)

    def artifact(self, key: str) -> Artifact | None:
        if key not in self._artifacts:
            self.prefetch([key], [])
        return self._artifacts[key]

    def context(self, external_id: str) -> Context | None:
        if external_id not in self._contexts:
            self.prefetch([], [external_id])
        return self._contexts[external_id]

    def alias(self, key: str) -> str | None:
        """The dataset key an alias stands for, if the alias is stored."""
        if key not in self._aliases:
            target = None
            ctx = self.context(alias_ext(key))
            if ctx is not None and ctx.id is not None:
                members = self.store.get_artifacts_by_context(ctx.id)
                names = sorted(a.name for a in members if a.type == DATASET_TYPE and a.name)
                target = names[0] if names else None
            self._aliases[key] = target
        return self._aliases[key]

    def resolve(self, namespace: str, name: str) -> str:
        """The key of the dataset ``namespace``/``name`` stands for."""
        key = ol_key(namespace, name)
        if self.artifact(key) is not None:
            return key
        return self.alias(key) or self.declared.get(key, key)

    def claimable(self, alias: str, owner: str) -> bool:
        """An alias is free: no dataset has that key and no other dataset claimed it."""
        if alias == owner or self.artifact(alias) is not None:
            return False
        target = self.alias(alias) or self.declared.get(alias)
        return target is None or target == owner


def resolve_dataset_key(store: Store, namespace: str, name: str) -> str:
    """The key under which the dataset ``namespace``/``name`` is stored (aliases applied)."""
    return _Reader(store).resolve(namespace, name)


# ---- building nodes --------------------------------------------------------------------------


def _symlinks(facets: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    facet = facets.get("symlinks")
    ids = facet.get("identifiers") if isinstance(facet, dict) else None
    out = []
    for item in ids if isinstance(ids, list) else []:
        if isinstance(item, dict):
            ns, name, kind = item.get("namespace"), item.get("name"), item.get("type")
            if isinstance(ns, str) and ns and isinstance(name, str) and name:
                out.append((ns, name, kind if isinstance(kind, str) else None))
    return out


def _dataset(
    old: Artifact | None, key: str, refs: list[DatasetRef], when: EventTime, *, static: bool
) -> Artifact:
    """The dataset's artifact with this event's facets folded in (``static``: a DatasetEvent,
    whose newest time is kept so the export can give the event back)."""
    facets = timed_facets(old.custom_properties) if old is not None else TimedFacets()
    for ref in refs:
        facets.merge(ref.facets, when)
    base = without_facets(old.custom_properties) if old is not None else {}
    namespace = base.get(P_NAMESPACE, refs[0].namespace)
    name = base.get(P_NAME, refs[0].name)
    meta = {**meta_of(base), "facets": facets.times_json()}
    if static:
        seen = meta.get("datasetEvent")
        try:
            older = seen is None or EventTime.parse(seen).us < when.us
        except InvalidInputError:
            older = True
        if older:
            meta["datasetEvent"] = when.text
    return Artifact(
        id=old.id if old is not None else None,
        type=DATASET_TYPE,
        name=key,
        external_id=dataset_ext(key),
        uri=old.uri if old is not None else f"{namespace}/{name}",
        state=old.state if old is not None else ArtifactState.UNKNOWN,
        custom_properties={
            **base,
            P_NAMESPACE: namespace,
            P_NAME: name,
            **facet_props(facets.values),
            META: meta,
        },
    )


def _job_context(old: Context | None, event: ParsedEvent) -> Context:
    assert event.job_namespace is not None and event.job_name is not None
    facets = timed_facets(old.custom_properties) if old is not None else TimedFacets()
    facets.merge(event.job_facets, event.time)
    base = without_facets(old.custom_properties) if old is not None else {}
    return Context(
        id=old.id if old is not None else None,
        type=JOB_CONTEXT_TYPE,
        name=event.job_key,
        external_id=job_ext(event.job_key),
        custom_properties={
            **base,
            P_NAMESPACE: event.job_namespace,
            P_NAME: event.job_name,
            **facet_props(facets.values),
            META: {**meta_of(base), "facets": facets.times_json()},
        },
    )


Record = list[Any]  # [eventType as given or None, eventTime text, producer or None]


def _records(
    old_props: Mapping[str, Any], old_meta: Mapping[str, Any], event: ParsedEvent
) -> list[Record]:
    """The run's (eventType, eventTime, producer) records with this event's, in time order."""
    found: dict[tuple[Any, ...], Record] = {}  # one record per (type, instant, producer)
    stored = old_meta.get("events")
    if stored is None and isinstance(old_props.get(P_EVENT_TIME), str):
        # Written before records were kept: the state-setting event is all there is.
        stored = [[old_props.get(P_EVENT_TYPE), old_props[P_EVENT_TIME], old_props.get(P_PRODUCER)]]
    for r in stored if isinstance(stored, list) else []:
        if isinstance(r, list) and len(r) == 3 and isinstance(r[1], str):
            _keep(found, r)
    _keep(found, [event.event_type, event.time.text, event.producer])
    records = sorted(found.values(), key=_record_key)
    while len(records) > MAX_EVENT_RECORDS:  # drop the oldest non-START, non-terminal one
        drop = next(
            (r for r in records if norm_event_type(r[0]) not in {"START", *TERMINAL_TYPES}),
            records[0],
        )
        records.remove(drop)
    return records


def _keep(found: dict[tuple[Any, ...], Record], r: Record) -> None:
    """Add a record; of two texts for one instant the smaller stays (order-independent)."""
    key = (r[0], _record_time(r).us, r[2])
    if key not in found or str(r[1]) < str(found[key][1]):
        found[key] = r


def norm_event_type(event_type: object) -> str:
    """An eventType as one of ``EVENT_TYPES`` (unknown or absent: ``OTHER``)."""
    upper = event_type.upper() if isinstance(event_type, str) else "OTHER"
    return upper if upper in EVENT_TYPES else "OTHER"


def _record_time(r: Record) -> EventTime:
    try:
        return EventTime.parse(r[1])
    except InvalidInputError:
        return EventTime(0, str(r[1]))


def _record_key(r: Record) -> tuple[int, str, str]:
    return (_record_time(r).us, str(r[0]), str(r[2]))


def _state(records: list[Record]) -> tuple[ExecutionState, Record | None]:
    """The state the records imply and the record that set it (terminal beats running)."""
    for group in (TERMINAL_TYPES, {"START", "RUNNING"}):
        chosen = [r for r in records if norm_event_type(r[0]) in group]
        if chosen:
            last = max(chosen, key=_record_key)
            return STATE_OF[norm_event_type(last[0])], last
    return ExecutionState.UNKNOWN, None


def _io_facets(
    old_props: Mapping[str, Any],
    old_meta: Mapping[str, Any],
    prop: str,
    refs: Iterable[tuple[str, DatasetRef]],
    when: EventTime,
) -> tuple[dict[str, Value], dict[str, Any]]:
    """Input or output facets keyed by dataset key, each newest-event-first."""
    values = read_struct_or_text(old_props, prop)
    values = dict(values) if isinstance(values, dict) else {}
    times = old_meta.get(prop)
    times = dict(times) if isinstance(times, dict) else {}
    for key, ref in refs:
        if not ref.io_facets:
            continue
        merged = TimedFacets.from_json(values.get(key) or {}, times.get(key))
        merged.merge(ref.io_facets, when)
        values[key] = merged.values
        times[key] = merged.times_json()
    values = {k: v for k, v in values.items() if v}
    return struct_or_text(prop, values), ({prop: times} if times else {})


def _error_props(facets: Mapping[str, Any]) -> dict[str, Value]:
    facet = facets.get("errorMessage")
    if not isinstance(facet, dict):
        return {}
    out: dict[str, Value] = {}
    for key, prop in (
        ("message", P_ERROR),
        ("stackTrace", P_ERROR_TRACEBACK),
        ("programmingLanguage", P_ERROR_LANGUAGE),
    ):
        if isinstance(facet.get(key), str):
            out[prop] = facet[key]
    return out


_DERIVED = frozenset(
    {
        P_EVENT_TYPE,
        P_EVENT_TIME,
        P_PRODUCER,
        P_ERROR,
        P_ERROR_TRACEBACK,
        P_ERROR_LANGUAGE,
        P_START_TIME,
        P_END_TIME,
        P_INPUT_FACETS,
        P_INPUT_FACETS + "Text",
        P_OUTPUT_FACETS,
        P_OUTPUT_FACETS + "Text",
    }
)


def _execution(
    old: Execution | None,
    event: ParsedEvent,
    inputs: list[tuple[str, DatasetRef]],
    outputs: list[tuple[str, DatasetRef]],
) -> Execution:
    """The run's execution (or a job's declared one) with this event folded in."""
    assert event.job_name is not None and event.job_namespace is not None
    old_props = old.custom_properties if old is not None else {}
    old_meta = meta_of(old_props)
    records = _records(old_props, old_meta, event)
    base = {k: v for k, v in without_facets(old_props).items() if k not in _DERIVED}
    facets = timed_facets(old_props) if old is not None else TimedFacets()
    facets.merge(event.run_facets, event.time)
    props: dict[str, Value] = {
        P_JOB_NAMESPACE: event.job_namespace,
        P_JOB_NAME: event.job_name,
        **base,  # a run keeps the job it was first seen with (its type cannot change)
        **facet_props(facets.values),
    }
    meta: dict[str, Any] = {"events": records, "facets": facets.times_json()}
    for prop, group in ((P_INPUT_FACETS, inputs), (P_OUTPUT_FACETS, outputs)):
        values, times = _io_facets(old_props, old_meta, prop, group, event.time)
        props.update(values)
        meta.update(times)
    producers = [r for r in records if isinstance(r[2], str)]
    if producers:
        props[P_PRODUCER] = max(producers, key=_record_key)[2]
    if event.kind == "run":
        assert event.run_id is not None
        props[P_RUN_ID] = event.run_id
        state, setter = _state(records)
        shown = setter or max(records, key=_record_key)
        props[P_EVENT_TYPE] = norm_event_type(shown[0])
        props[P_EVENT_TIME] = str(shown[1])
        starts = [_record_time(r).ms for r in records if norm_event_type(r[0]) == "START"]
        if starts:
            props[P_START_TIME] = min(starts)
        if setter is not None and norm_event_type(setter[0]) in TERMINAL_TYPES:
            props[P_END_TIME] = _record_time(setter).ms
        props.update(_error_props(facets.values))
        name = external = event.run_id
    else:
        props[P_DECLARED] = True
        state = ExecutionState.UNKNOWN
        name = external = declared_id(event.job_key)
    props[META] = meta
    return Execution(
        id=old.id if old is not None else None,
        type=old.type if old is not None else job_type_name(event.job_name),
        name=old.name if old is not None else name,
        external_id=external,
        last_known_state=state,
        custom_properties=props,
    )


# ---- ingest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    """What one accepted event became."""

    kind: str
    execution_id: int | None
    artifact_ids: tuple[int, ...]
    context_ids: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "execution_id": self.execution_id,
            "artifact_ids": list(self.artifact_ids),
            "context_ids": list(self.context_ids),
        }


@dataclass
class _Plan:
    """Everything one event writes, computed before its transaction."""

    event: ParsedEvent
    keys: list[str] = field(default_factory=list)  # dataset keys, artifacts in this order
    artifacts: list[Artifact] = field(default_factory=list)
    execution: Execution | None = None
    events: list[tuple[int, int, Event]] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)  # the job (+ parent run)
    parent_job: Context | None = None
    parent_job_is_job: bool = False
    link_job_to_parent: bool = False
    aliases: list[tuple[Context, str]] = field(default_factory=list)  # (alias, dataset key)
    columns: col.ColumnPlan = field(default_factory=col.ColumnPlan)


class OpenLineageIngest:
    """Writes parsed events into a store; one lock so concurrent requests stay consistent."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._done: set[str] = set()  # types put by this ingest ("" the fixed ones)
        self._roles: set[str] = set()  # types whose role this ingest stored

    def _types(self, job_types: Iterable[str]) -> list[AnyType]:
        """The types events need that this ingest has not put yet (put in their transaction)."""
        needed: list[AnyType] = []
        if "" not in self._done:
            needed += [
                ArtifactType(name=DATASET_TYPE, description="OpenLineage dataset"),
                ArtifactType(name=col.FIELD_TYPE, description="OpenLineage dataset field"),
                ExecutionType(name=col.TRANSFORM_TYPE, description="OpenLineage column derivation"),
                ContextType(name=JOB_CONTEXT_TYPE, description="OpenLineage job"),
                ContextType(name=RUN_CONTEXT_TYPE, description="OpenLineage parent run"),
                ContextType(name=ALIAS_CONTEXT_TYPE, description="OpenLineage symlink"),
            ]
        needed += [
            ExecutionType(name=t, description="OpenLineage job runs")
            for t in sorted(set(job_types))
            if t not in self._done
        ]
        return needed

    def ingest(self, data: object) -> IngestResult:
        """Validate and write one event (a decoded JSON object), in one transaction.

        Raises:
            InvalidInputError: the event is malformed (nothing written), naming the field.
        """
        event = parse_event(data)
        with self._lock:
            for attempt in range(3):
                try:
                    return self._ingest(event)
                except AlreadyExistsError:
                    # Another writer created a node this event creates too: read again.
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _ingest(self, event: ParsedEvent) -> IngestResult:
        plan = self._plan(event)
        job_types = [plan.execution.type] if plan.execution is not None else []
        types = self._types(job_types)
        result = self.store.atomic(lambda w: _write(w, plan, types))
        self._done.update(["", *job_types])
        self._note_roles([plan])
        return result

    def ingest_all(self, events: Sequence[ParsedEvent]) -> list[IngestResult]:
        """Write parsed events as ONE transaction (a batch): all of them land or none.

        Each event is planned as if the ones before it were written (``_BatchView``), so a
        batch means what the same events posted one by one mean.

        Raises:
            BatchWriteError: an event clashes with what the store holds (``index`` names
                it); nothing of the batch was written.
        """
        with self._lock:
            for attempt in range(3):
                try:
                    return self._ingest_all(events)
                except BatchWriteError as exc:
                    # Another writer created a node an event creates too: plan again.
                    if attempt == 2 or not isinstance(exc.__cause__, AlreadyExistsError):
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _ingest_all(self, events: Sequence[ParsedEvent]) -> list[IngestResult]:
        view = _BatchView(self.store)
        plans = []
        for event in events:
            plan = self._plan(event, view)
            view.record(plan)
            plans.append(plan)
        job_types = [p.execution.type for p in plans if p.execution is not None]
        types = self._types(job_types)
        provisional = dict(view.provisional)

        def work(w: WriteRules) -> list[IngestResult]:
            written: dict[tuple[Kind, str], int] = {}  # fresh on every (retried) attempt
            if types:
                w.put_types(types)
            results = []
            for i, plan in enumerate(plans):
                try:
                    results.append(_write(w, _remap(plan, provisional, written), (), written))
                except UserError as exc:
                    raise BatchWriteError(
                        f"event {i}: {exc}", index=i, field=getattr(exc, "field", None)
                    ) from exc
            return results

        results = self.store.atomic(work)
        self._done.update(["", *job_types])
        self._note_roles(plans)
        return results

    def _note_roles(self, plans: Sequence[_Plan]) -> None:
        """Store the roles of the types these events created (``roles.extend``): datasets,
        and a job's runs when its ``jobType`` facet says it trains; fields and column
        transforms get none. Once per type per ingest: a write only when a new type
        appears."""
        found = {DATASET_TYPE: ROLE_DATASET} if any(p.artifacts for p in plans) else {}
        for p in plans:
            if p.execution is not None and _is_training(p.event.job_facets):
                found[p.execution.type] = ROLE_TRAINING
        from .. import roles

        # An entry its default already gives changes nothing: not stored (ol.Dataset).
        new = {t: r for t, r in found.items() if t not in self._roles}
        self._roles.update(t for t, r in new.items() if roles.DEFAULTS.get(t) == r)
        new = {t: r for t, r in new.items() if t not in self._roles}
        if not new:
            return

        try:
            roles.extend(self.store, new)  # overwrite=False: a role a person set is kept
        except UserError as exc:
            # The events are stored; the mapping is advice. Another writer creating the
            # mapping at the same moment is tried again with the next event.
            log.warning("could not store the roles of %s: %s", ", ".join(sorted(new)), exc)
            return
        self._roles.update(new)

    # ---- planning: reads, then pure computation ----------------------------------------

    def _plan(self, event: ParsedEvent, reads: _Reads | None = None) -> _Plan:
        store: _Reads = self.store if reads is None else reads
        reader = _Reader(store)
        plan = _Plan(event)
        refs = [event.dataset] if event.dataset is not None else [*event.inputs, *event.outputs]
        # Everything this event may touch, in two lookups: its datasets and the names their
        # symlinks claim; its job, its parent job and those aliases' contexts.
        keys = [r.key for r in refs] + [
            ol_key(n, m) for r in refs for n, m, _ in _symlinks(r.facets)
        ]
        jobs = [job_ext(event.job_key)] if event.job_name else []
        if event.parent is not None:
            jobs.append(job_ext(event.parent.job_key))
        reader.prefetch(keys, [*jobs, *(alias_ext(k) for k in keys)])
        # Aliases this event declares (symlinks of the datasets it names).
        for ref in refs:
            owner = reader.resolve(ref.namespace, ref.name)
            for ns, name, kind in _symlinks(ref.facets):
                alias = ol_key(ns, name)
                if reader.claimable(alias, owner) and alias not in reader.declared:
                    reader.declared[alias] = owner
                    if reader.alias(alias) is None:
                        plan.aliases.append(
                            (
                                Context(
                                    type=ALIAS_CONTEXT_TYPE,
                                    name=alias,
                                    external_id=alias_ext(alias),
                                    custom_properties={
                                        P_NAMESPACE: ns,
                                        P_NAME: name,
                                        **({P_ALIAS_TYPE: kind} if kind else {}),
                                        META: {"time": event.time.text},  # when claimed
                                    },
                                ),
                                owner,
                            )
                        )
        by_key: dict[str, list[DatasetRef]] = {}
        key_of: dict[int, str] = {}
        for i, ref in enumerate(refs):
            key = reader.resolve(ref.namespace, ref.name)
            key_of[i] = key
            by_key.setdefault(key, []).append(ref)
        plan.keys = list(by_key)
        static = event.kind == "dataset"
        plan.artifacts = [
            _dataset(reader.artifact(k), k, by_key[k], event.time, static=static) for k in plan.keys
        ]
        n_in = 0 if event.dataset is not None else len(event.inputs)
        inputs = [(key_of[i], refs[i]) for i in range(n_in)]
        outputs = [(key_of[i], refs[i]) for i in range(n_in, len(refs))]
        # Column lineage of the outputs (a DatasetEvent's dataset is its output).
        source = {
            "run": event.run_id or "",
            "job": declared_id(event.job_key) if event.job_name else "",
            "dataset": col.STATIC_SOURCE,
        }[event.kind]
        carriers = [
            (k, r.facets["columnLineage"]) for k, r in outputs if "columnLineage" in r.facets
        ]
        todo = col.column_entries(carriers)
        # The run (or the job's declared execution) and the column transforms: one lookup.
        wanted = [col.transform_ext(col.transform_name(source, d, f)) for d, f, _, _ in todo]
        run_ext = {"run": event.run_id, "job": source}.get(event.kind)
        if run_ext is not None:
            wanted.append(run_ext)
        found: dict[str, Execution] = {}
        if wanted:
            for x in store.get_executions_by_external_ids(wanted):
                if x.external_id is not None:
                    found[x.external_id] = x
        if run_ext is not None:
            self._plan_run(plan, reader, inputs, outputs, found.get(run_ext), store)
        if todo:
            plan.columns = col.plan_columns(source, todo, found, reader.resolve, event.time)
        return plan

    def _plan_run(
        self,
        plan: _Plan,
        reader: _Reader,
        inputs: list[tuple[str, DatasetRef]],
        outputs: list[tuple[str, DatasetRef]],
        old: Execution | None,
        store: _Reads,
    ) -> None:
        event = plan.event
        plan.execution = _execution(old, event, inputs, outputs)
        ts = event.time.ms
        types = (
            (EventType.INPUT, EventType.OUTPUT)
            if event.kind == "run"
            else (EventType.DECLARED_INPUT, EventType.DECLARED_OUTPUT)
        )
        for etype, group in zip(types, (inputs, outputs), strict=True):
            for key in dict.fromkeys(k for k, _ in group):
                plan.events.append(
                    (
                        0,
                        plan.keys.index(key),
                        Event(artifact_id=0, execution_id=0, type=etype, timestamp=ts),
                    )
                )
        job_key = event.job_key
        old_job = reader.context(job_ext(job_key))
        plan.contexts = [_job_context(old_job, event)]
        parent = event.parent
        if parent is None or event.kind != "run":
            return
        plan.contexts.append(
            Context(
                type=RUN_CONTEXT_TYPE,
                name=parent.run_id,
                external_id=f"ol:run:{parent.run_id}",
                custom_properties={P_RUN_ID: parent.run_id},
            )
        )
        if parent.job_key == job_key:  # the run's parent run belongs to its own job
            plan.parent_job_is_job = True
            return
        plan.parent_job = Context(
            type=JOB_CONTEXT_TYPE,
            name=parent.job_key,
            external_id=job_ext(parent.job_key),
            custom_properties={
                P_NAMESPACE: parent.namespace,
                P_NAME: parent.name,
                META: {"facets": {}},
            },
        )
        parent_ctx = reader.context(job_ext(parent.job_key))
        plan.link_job_to_parent = (
            old_job is None
            or parent_ctx is None
            or not _is_ancestor(store, old_job.id, parent_ctx.id)
        )


def _is_ancestor(
    store: _Reads, candidate: int | None, start: int | None, limit: int = 1000
) -> bool:
    """Whether ``candidate`` is ``start`` or one of its ancestors (a link would close a cycle)."""
    if candidate is None or start is None:
        return False
    seen: set[int] = set()
    frontier = [start]
    while frontier and len(seen) < limit:
        current = frontier.pop()
        if current == candidate:
            return True
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(p.id for p in store.get_parent_contexts(current) if p.id is not None)
    return False


def _write(
    w: WriteRules,
    plan: _Plan,
    types: Sequence[AnyType],
    written: dict[tuple[Kind, str], int] | None = None,
) -> IngestResult:
    """One event's writes, in one transaction (may be re-run: it only reads ``plan``).

    Few round trips: one put per kind (contexts, artifacts with the fields, executions with
    the column transforms), then the events, the links and the parent links. ``written``
    collects the id of every node by (kind, external id), for a batch's later events.
    """
    if types:
        w.put_types(types)
    main = len(plan.contexts)  # the job (+ the parent run): what the run belongs to
    contexts = [*plan.contexts]
    if plan.parent_job is not None:
        contexts.append(plan.parent_job)
    contexts += [a for a, _ in plan.aliases]
    # reuse: a context named by an event but not written by it (a parent job, a parent run,
    # an alias) is linked as stored; the event's own job comes with its stored id.
    ctx_ids = w.put_contexts(contexts, reuse=True, skip_unchanged=True) if contexts else []
    # Fields' content is a function of their key: an existing one is found, not rewritten.
    artifacts = [*plan.artifacts, *plan.columns.fields]
    art_ids = w.put_nodes(Kind.ARTIFACT, artifacts, skip_unchanged=True) if artifacts else []
    ds_ids, field_ids = art_ids[: len(plan.artifacts)], art_ids[len(plan.artifacts) :]
    executions = [plan.execution] if plan.execution is not None else []
    executions += plan.columns.transforms
    exe_ids = w.put_nodes(Kind.EXECUTION, executions, skip_unchanged=True) if executions else []
    run_id = exe_ids[0] if plan.execution is not None else None
    if written is not None:
        for kind, nodes, node_ids in (
            (Kind.CONTEXT, contexts, ctx_ids),
            (Kind.ARTIFACT, artifacts, art_ids),
            (Kind.EXECUTION, executions, exe_ids),
        ):
            for node, node_id in zip(nodes, node_ids, strict=True):
                if node.external_id is not None:
                    written[(kind, node.external_id)] = node_id
    tx_ids = exe_ids[1:] if plan.execution is not None else exe_ids
    events = [
        e.model_copy(update={"artifact_id": ds_ids[ai], "execution_id": run_id})
        for _, ai, e in plan.events
    ] + [
        e.model_copy(update={"artifact_id": field_ids[fi], "execution_id": tx_ids[ti]})
        for ti, fi, e in plan.columns.events
    ]
    if events:
        w.put_events(events, ends_known=True)
    if run_id is not None:  # MLMD's compound rule: the run and its datasets, in each context
        w.link_all(ds_ids, [run_id], ctx_ids[:main])
    ids = dict(zip(plan.keys, ds_ids, strict=True))
    alias_ids = ctx_ids[len(contexts) - len(plan.aliases) :]
    if plan.aliases:
        w.put_links(
            [
                Attribution(artifact_id=ids[owner], context_id=cid)
                for (_, owner), cid in zip(plan.aliases, alias_ids, strict=True)
                if owner in ids
            ],
            [],
            ends_known=True,
        )
    context_ids = ctx_ids[:main]
    if main == 2:  # a parent run: CHILD_OF the parent job, and so is the job (never itself)
        job_id, run_ctx_id = context_ids
        parent_job_id = ctx_ids[2] if plan.parent_job is not None else job_id
        links = [ParentContext(child_id=run_ctx_id, parent_id=parent_job_id)]
        if plan.link_job_to_parent and parent_job_id != job_id:
            links.append(ParentContext(child_id=job_id, parent_id=parent_job_id))
        w.put_parents(links)
        context_ids = [job_id, parent_job_id, run_ctx_id]
    return IngestResult(
        kind=plan.event.kind,
        execution_id=run_id,
        artifact_ids=tuple(ds_ids),
        context_ids=tuple(context_ids),
    )


# ---- a batch: one transaction, its events planned in order ----------------------------------

N = TypeVar("N", Artifact, Execution, Context)


class _BatchView:
    """The store as a batch's earlier events will have left it: what planning an event reads.

    A batch is one transaction, so every event is planned before anything is written; each
    must still see what the ones before it write (a run's START then its COMPLETE, a dataset
    one job writes and the next reads). Planned nodes are kept by external id over what the
    store holds; a node the batch creates gets a provisional (negative) id that the write
    replaces with the real one once that node exists (``_remap``).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        # By external id; None: read, and not stored.
        self.artifacts: dict[str, Artifact | None] = {}
        self.executions: dict[str, Execution | None] = {}
        self.contexts: dict[str, Context | None] = {}
        self.members: dict[int, list[Artifact]] = {}  # context id -> artifacts the batch adds
        self.parents: dict[int, list[Context]] = {}  # context id -> parents the batch adds
        self.provisional: dict[int, tuple[Kind, str]] = {}

    @staticmethod
    def _get(
        known: dict[str, N | None], wanted: Iterable[str], read: Callable[[list[str]], list[N]]
    ) -> list[N]:
        ids = list(dict.fromkeys(wanted))
        missing = [i for i in ids if i not in known]
        if missing:
            found = {n.external_id: n for n in read(missing)}
            for i in missing:
                known[i] = found.get(i)
        return [n for i in ids if (n := known[i]) is not None]

    def get_artifacts_by_external_ids(self, external_ids: Iterable[str]) -> list[Artifact]:
        return self._get(self.artifacts, external_ids, self.store.get_artifacts_by_external_ids)

    def get_executions_by_external_ids(self, external_ids: Iterable[str]) -> list[Execution]:
        return self._get(self.executions, external_ids, self.store.get_executions_by_external_ids)

    def get_contexts_by_external_ids(self, external_ids: Iterable[str]) -> list[Context]:
        return self._get(self.contexts, external_ids, self.store.get_contexts_by_external_ids)

    def get_artifacts_by_context(self, context_id: int) -> list[Artifact]:
        stored = self.store.get_artifacts_by_context(context_id) if context_id > 0 else []
        return [*stored, *self.members.get(context_id, [])]

    def get_parent_contexts(self, context_id: int) -> list[Context]:
        stored = self.store.get_parent_contexts(context_id) if context_id > 0 else []
        return [*stored, *self.parents.get(context_id, [])]

    def _keep(self, kind: Kind, known: dict[str, N | None], node: N) -> N:
        """``node`` as the store will hold it after its event (an id-less node named by a
        stored one is that one: reused, not written)."""
        ext = node.external_id
        if ext is None:
            return node
        if node.id is None:
            stored = known.get(ext)
            if stored is not None:
                return stored
            provisional = -1 - len(self.provisional)
            self.provisional[provisional] = (kind, ext)
            node = node.model_copy(update={"id": provisional})
        known[ext] = node
        return node

    def record(self, plan: _Plan) -> None:
        """What ``plan`` writes, for the events after it."""
        datasets = {
            key: self._keep(Kind.ARTIFACT, self.artifacts, a)
            for key, a in zip(plan.keys, plan.artifacts, strict=True)
        }
        for x in [*([plan.execution] if plan.execution else []), *plan.columns.transforms]:
            self._keep(Kind.EXECUTION, self.executions, x)
        own = [self._keep(Kind.CONTEXT, self.contexts, c) for c in plan.contexts]
        parent = (
            self._keep(Kind.CONTEXT, self.contexts, plan.parent_job)
            if plan.parent_job is not None
            else None
        )
        for alias, owner in plan.aliases:
            ctx = self._keep(Kind.CONTEXT, self.contexts, alias)
            if owner in datasets and ctx.id is not None:
                self.members.setdefault(ctx.id, []).append(datasets[owner])
        if len(own) == 2:
            job, run = own  # both have external ids, so ids (real or provisional)
            job_id, run_id = job.id or 0, run.id or 0
            up = parent if parent is not None else job
            self.parents.setdefault(run_id, []).append(up)
            if plan.link_job_to_parent and up.id != job_id:
                self.parents.setdefault(job_id, []).append(up)


def _remap(
    plan: _Plan,
    provisional: Mapping[int, tuple[Kind, str]],
    written: Mapping[tuple[Kind, str], int],
) -> _Plan:
    """``plan`` with the provisional ids of nodes earlier events created replaced by theirs."""

    def real(node: N) -> N:
        if node.id is None or node.id >= 0:
            return node
        return node.model_copy(update={"id": written[provisional[node.id]]})

    return replace(
        plan,
        artifacts=[real(a) for a in plan.artifacts],
        execution=real(plan.execution) if plan.execution is not None else None,
        contexts=[real(c) for c in plan.contexts],
        columns=replace(plan.columns, transforms=[real(x) for x in plan.columns.transforms]),
    )


# ---- files -----------------------------------------------------------------------------------


@dataclass
class FileReport:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected}


def ingest_events(
    store: Store, documents: Iterable[tuple[int, object]], *, stop_on_error: bool = False
) -> FileReport:
    """Ingest many events, each in its own transaction; a bad one (malformed, or not JSON:
    a ``BadDocument``) is reported with its line and reason, and the others still land.

    Raises:
        InvalidInputError: with ``stop_on_error``, the first bad event.
    """
    ingest = OpenLineageIngest(store)
    report = FileReport()
    for number, data in documents:
        try:
            if isinstance(data, BadDocument):
                raise data.error
            ingest.ingest(data)
        except UserError as exc:  # malformed, or clashing with what the store holds
            field_ = getattr(exc, "field", None)
            if stop_on_error:
                raise InvalidInputError(
                    f"event {number}: {exc}", field=field_, value=getattr(exc, "value", None)
                ) from None
            report.rejected.append({"line": number, "field": field_, "reason": str(exc)})
        else:
            report.accepted += 1
    return report
