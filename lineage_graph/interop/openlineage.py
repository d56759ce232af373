"""OpenLineage ingest: RunEvent (and Dataset/Job events) JSON into the metadata graph.

Mapping (OpenLineage spec 2-0-2):

=========================  ==============================================================
OpenLineage                lineage-graph
=========================  ==============================================================
job (namespace, name)      Context of type ``ol.Job`` named ``<namespace>/<name>``, and an
                           ExecutionType per job name (``ol.<job name>``, made safe)
run (runId)                Execution of the job's type, ``external_id`` = runId (idempotent),
                           associated with the job context
eventType                  START->NEW, RUNNING->RUNNING, COMPLETE->COMPLETE, FAIL->FAILED,
                           ABORT->CANCELED; OTHER keeps the state. A terminal state is not
                           undone by a late START/RUNNING; otherwise the latest eventTime wins
dataset (namespace, name)  Artifact of type ``ol.Dataset`` named ``<namespace>/<name>``
inputs / outputs           INPUT / OUTPUT events (timestamp = eventTime)
facets                     STRUCT custom properties ``ol.facet.<facet>`` (run facets on the
                           execution, job facets on the job context, dataset facets on the
                           artifact); input/output facets in ``ol.inputFacets`` /
                           ``ol.outputFacets`` on the execution, keyed by dataset
parent run facet           the job context becomes CHILD_OF the parent job's context, and
                           the run is associated with a context ``ol.Run`` named by the
                           parent runId (itself CHILD_OF the parent job's context)
=========================  ==============================================================

Exact names are kept as custom properties (``ol.namespace``, ``ol.name``, ``ol.runId``,
``ol.job.namespace``, ``ol.job.name``, ``ol.producer``, ``ol.eventType``, ``ol.eventTime``)
so the export can give the events back. Datasets are not versioned: one artifact per dataset.

A malformed event raises ``InvalidInputError`` naming the field (``run.runId``) and the
reason; nothing is written. Accepted events are idempotent: replaying one changes nothing.
"""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from ..errors import InvalidInputError
from ..models import (
    Artifact,
    ArtifactType,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ListOptions,
    Node,
    ParentContext,
    Value,
)
from ..store.base import Store
from ..store.rules import SubgraphResult, WriteRules
from .names import property_name, type_name

JOB_CONTEXT_TYPE = "ol.Job"
RUN_CONTEXT_TYPE = "ol.Run"
DATASET_TYPE = "ol.Dataset"
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
STATE_OF: dict[str, ExecutionState] = {
    "START": ExecutionState.NEW,
    "RUNNING": ExecutionState.RUNNING,
    "COMPLETE": ExecutionState.COMPLETE,
    "FAIL": ExecutionState.FAILED,
    "ABORT": ExecutionState.CANCELED,
}
TERMINAL = frozenset({ExecutionState.COMPLETE, ExecutionState.FAILED, ExecutionState.CANCELED})

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
FACET_PREFIX = "ol.facet."


def job_type_name(job_name: str) -> str:
    """The execution type for runs of a job: ``ol.<job name>`` made a valid type name."""
    return type_name(f"ol.{job_name}")


def dataset_key(namespace: str, name: str) -> str:
    """The artifact name of a dataset (and the context name of a job)."""
    return f"{namespace}/{name}"


# ---- validation -----------------------------------------------------------------------


def _fail(field_: str, reason: str, value: object = None) -> InvalidInputError:
    return InvalidInputError(f"{field_}: {reason}", field=field_, value=value)


def _obj(value: object, field_: str, *, required: bool = True) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise _fail(
            field_, "must be a JSON object" + ("" if value is not None else " (missing)"), value
        )
    return value


def _text(parent: Mapping[str, Any], key: str, field_: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(field_, "is required and must be a non-empty string", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(field_, "is not valid Unicode text", value) from None
    return value


def _facets(value: object, field_: str) -> dict[str, dict[str, Any]]:
    facets = _obj(value, field_, required=False) or {}
    for name, facet in facets.items():
        if not isinstance(facet, dict):
            raise _fail(f"{field_}.{name}", "a facet must be a JSON object", facet)
        _check_json(facet, f"{field_}.{name}")
    return facets


def _check_json(value: object, field_: str) -> None:
    """Facet contents become STRUCT values: finite numbers, string keys, plain containers."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(field_, "numbers must be finite", value)
    if isinstance(value, dict):
        for k, v in value.items():
            _check_json(v, f"{field_}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_json(v, f"{field_}[{i}]")
    elif value is not None and not isinstance(value, (bool, int, float, str)):
        raise _fail(field_, "is not a JSON value", value)


def _time(value: object, field_: str) -> datetime:
    if not isinstance(value, str):
        raise _fail(field_, "is required and must be an ISO-8601 date-time string", value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(field_, f"{value!r} is not an ISO-8601 date-time", value) from None
    if "T" not in value.upper() and " " not in value:
        raise _fail(field_, f"{value!r} has no time of day", value)
    return parsed


def _ms(t: datetime) -> int:
    if t.tzinfo is None:  # OpenLineage times carry an offset; a naive one is taken as UTC
        t = t.replace(tzinfo=UTC)
    return int(t.timestamp() * 1000)


@dataclass(frozen=True)
class DatasetRef:
    namespace: str
    name: str
    facets: dict[str, Any]
    io_facets: dict[str, Any]

    @property
    def key(self) -> str:
        return dataset_key(self.namespace, self.name)


@dataclass(frozen=True)
class ParsedEvent:
    """A validated OpenLineage event. ``kind`` is ``run``, ``job`` or ``dataset``."""

    kind: str
    event_time: datetime
    producer: str
    event_type: str | None = None
    run_id: str | None = None
    run_facets: dict[str, Any] = field(default_factory=dict)
    job_namespace: str | None = None
    job_name: str | None = None
    job_facets: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    parent_run_id: str | None = None
    parent_job: tuple[str, str] | None = None


def _datasets(value: object, field_: str, io_key: str) -> tuple[DatasetRef, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(field_, "must be a JSON array", value)
    found: dict[str, DatasetRef] = {}
    for i, item in enumerate(value):
        f = f"{field_}[{i}]"
        obj = _obj(item, f)
        assert obj is not None
        ref = DatasetRef(
            namespace=_text(obj, "namespace", f"{f}.namespace"),
            name=_text(obj, "name", f"{f}.name"),
            facets=_facets(obj.get("facets"), f"{f}.facets"),
            io_facets=_facets(obj.get(io_key), f"{f}.{io_key}"),
        )
        found[ref.key] = ref  # a dataset listed twice is one dataset
    return tuple(found.values())


def _uuid(value: object, field_: str) -> str:
    if not isinstance(value, str):
        raise _fail(field_, "is required and must be a UUID string", value)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _fail(field_, f"{value!r} is not a UUID", value) from None


def parse_event(data: object) -> ParsedEvent:
    """Validate one OpenLineage event (already decoded from JSON).

    Returns:
        The parsed event: a RunEvent (has ``run``), a JobEvent (``job``, no ``run``) or a
        DatasetEvent (``dataset``).

    Raises:
        InvalidInputError: the first problem found, ``field`` being its JSON path.
    """
    event = _obj(data, "event")
    assert event is not None
    event_time = _time(event.get("eventTime"), "eventTime")
    producer = _text(event, "producer", "producer")
    _text(event, "schemaURL", "schemaURL")
    if "run" not in event and "dataset" in event:
        ds = _obj(event["dataset"], "dataset")
        assert ds is not None
        if "job" in event:
            raise _fail("job", "a DatasetEvent must not have a job")
        ref = DatasetRef(
            namespace=_text(ds, "namespace", "dataset.namespace"),
            name=_text(ds, "name", "dataset.name"),
            facets=_facets(ds.get("facets"), "dataset.facets"),
            io_facets={},
        )
        return ParsedEvent(kind="dataset", event_time=event_time, producer=producer, outputs=(ref,))
    job = _obj(event.get("job"), "job")
    assert job is not None
    common: dict[str, Any] = {
        "event_time": event_time,
        "producer": producer,
        "job_namespace": _text(job, "namespace", "job.namespace"),
        "job_name": _text(job, "name", "job.name"),
        "job_facets": _facets(job.get("facets"), "job.facets"),
        "inputs": _datasets(event.get("inputs"), "inputs", "inputFacets"),
        "outputs": _datasets(event.get("outputs"), "outputs", "outputFacets"),
    }
    if "run" not in event:
        return ParsedEvent(kind="job", **common)
    run = _obj(event.get("run"), "run")
    assert run is not None
    event_type = event.get("eventType")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise _fail(
            "eventType", f"{event_type!r} is not one of {', '.join(EVENT_TYPES)}", event_type
        )
    run_facets = _facets(run.get("facets"), "run.facets")
    parent_run_id = None
    parent_job = None
    parent = run_facets.get("parent")
    if parent is not None:
        prun = _obj(parent.get("run"), "run.facets.parent.run")
        pjob = _obj(parent.get("job"), "run.facets.parent.job")
        assert prun is not None and pjob is not None
        parent_run_id = _uuid(prun.get("runId"), "run.facets.parent.run.runId")
        parent_job = (
            _text(pjob, "namespace", "run.facets.parent.job.namespace"),
            _text(pjob, "name", "run.facets.parent.job.name"),
        )
    return ParsedEvent(
        kind="run",
        event_type=event_type,
        run_id=_uuid(run.get("runId"), "run.runId"),
        run_facets=run_facets,
        parent_run_id=parent_run_id,
        parent_job=parent_job,
        **common,
    )


def loads_event(text: str | bytes) -> object:
    """Decode JSON strictly (``NaN``/``Infinity`` are not JSON).

    Raises:
        InvalidInputError: not JSON.
    """

    def refuse(token: str) -> None:
        raise ValueError(f"{token} is not valid JSON")

    try:
        return json.loads(text, parse_constant=refuse)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"body: not valid JSON ({exc})", field="body") from None


# ---- writing ----------------------------------------------------------------------------


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


def _facet_props(facets: Mapping[str, Any]) -> dict[str, Value]:
    return {property_name(FACET_PREFIX + k): v for k, v in sorted(facets.items())}


def _merge(old: Node | None, props: dict[str, Value]) -> dict[str, Value]:
    merged = dict(old.custom_properties) if old is not None else {}
    merged.update(props)
    return merged


class OpenLineageIngest:
    """Writes parsed events into a store; one lock so concurrent requests stay consistent."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._types_done = False

    def _ensure_types(self) -> None:
        if not self._types_done:
            self.store.put_types(
                [
                    ArtifactType(name=DATASET_TYPE, description="OpenLineage dataset"),
                    ContextType(name=JOB_CONTEXT_TYPE, description="OpenLineage job"),
                    ContextType(name=RUN_CONTEXT_TYPE, description="OpenLineage parent run"),
                ]
            )
            self._types_done = True

    def ingest(self, data: object) -> IngestResult:
        """Validate and write one event (a decoded JSON object).

        Raises:
            InvalidInputError: the event is malformed (nothing written).
        """
        event = parse_event(data)
        with self._lock:
            self._ensure_types()
            if event.kind == "dataset":
                return self._dataset_event(event)
            return self._job_or_run_event(event)

    def _find(self, kind: Kind, type_: str, name: str) -> Node | None:
        items = self.store.list_nodes(kind, ListOptions(type=type_, name=name, limit=1)).items
        return items[0] if items else None

    def _artifact(self, ref: DatasetRef) -> Artifact:
        old = self._find(Kind.ARTIFACT, DATASET_TYPE, ref.key)
        props = _merge(
            old, {P_NAMESPACE: ref.namespace, P_NAME: ref.name, **_facet_props(ref.facets)}
        )
        return Artifact(
            id=old.id if old else None,
            type=DATASET_TYPE,
            name=ref.key,
            uri=ref.key,
            custom_properties=props,
        )

    def _context(self, type_: str, name: str, props: dict[str, Value]) -> Context:
        old = self._find(Kind.CONTEXT, type_, name)
        return Context(
            id=old.id if old else None, type=type_, name=name, custom_properties=_merge(old, props)
        )

    def _dataset_event(self, event: ParsedEvent) -> IngestResult:
        ids = self.store.put_artifacts([self._artifact(event.outputs[0])])
        return IngestResult(
            kind="dataset", execution_id=None, artifact_ids=tuple(ids), context_ids=()
        )

    def _job_context(self, event: ParsedEvent) -> Context:
        assert event.job_namespace is not None and event.job_name is not None
        return self._context(
            JOB_CONTEXT_TYPE,
            dataset_key(event.job_namespace, event.job_name),
            {
                P_NAMESPACE: event.job_namespace,
                P_NAME: event.job_name,
                **_facet_props(event.job_facets),
            },
        )

    def _job_or_run_event(self, event: ParsedEvent) -> IngestResult:
        store = self.store
        contexts = [self._job_context(event)]
        parent_links: list[tuple[int, int]] = []  # indexes into contexts: (child, parent)
        if event.parent_job is not None:
            contexts.append(
                self._context(
                    JOB_CONTEXT_TYPE,
                    dataset_key(*event.parent_job),
                    {P_NAMESPACE: event.parent_job[0], P_NAME: event.parent_job[1]},
                )
            )
            contexts.append(
                self._context(
                    RUN_CONTEXT_TYPE, str(event.parent_run_id), {P_RUN_ID: str(event.parent_run_id)}
                )
            )
            parent_links = [(0, 1), (2, 1)]
        # A dataset both read and written is one artifact with two events.
        refs: dict[str, DatasetRef] = {}
        for ref in event.inputs + event.outputs:
            seen = refs.get(ref.key)
            refs[ref.key] = (
                ref
                if seen is None
                else DatasetRef(ref.namespace, ref.name, {**seen.facets, **ref.facets}, {})
            )
        order = list(refs)
        artifacts = [self._artifact(refs[k]) for k in order]
        ts = _ms(event.event_time)
        executions: list[Execution] = []
        events: list[tuple[int, int, Event]] = []
        if event.kind == "run":
            executions.append(self._execution(event))
            for etype, group in (
                (EventType.INPUT, event.inputs),
                (EventType.OUTPUT, event.outputs),
            ):
                for ref in group:
                    events.append(
                        (
                            0,
                            order.index(ref.key),
                            Event(artifact_id=0, execution_id=0, type=etype, timestamp=ts),
                        )
                    )
        # The run belongs to its job and to its parent run, not to the parent job.
        put_contexts = [c for i, c in enumerate(contexts) if i != 1]

        def work(w: WriteRules) -> SubgraphResult:
            # One transaction per event; a replay writes nothing (skip_unchanged), so seq,
            # the subscribers' cursor, does not move.
            out = w.put_lineage_subgraph(
                executions, artifacts, put_contexts, events, skip_unchanged=True
            )
            if not parent_links:
                return out
            job_id, parent_run_id = out.context_ids
            [parent_job_id] = w.put_contexts([contexts[1]], reuse=False, skip_unchanged=True)
            # A run whose parent run belongs to its own job (the OpenLineage client's example
            # event): the job is not its own parent; the parent run still is the run's parent.
            w.put_parents(
                [
                    ParentContext(child_id=child, parent_id=parent_job_id)
                    for child in (job_id, parent_run_id)
                    if child != parent_job_id
                ]
            )
            out.context_ids = [job_id, parent_job_id, parent_run_id]
            return out

        out = store.atomic(work)
        return IngestResult(
            kind=event.kind,
            execution_id=out.execution_ids[0] if out.execution_ids else None,
            artifact_ids=tuple(out.artifact_ids),
            context_ids=tuple(out.context_ids),
        )

    def _execution(self, event: ParsedEvent) -> Execution:
        assert event.run_id is not None and event.job_name is not None
        type_ = job_type_name(event.job_name)
        self.store.put_types([ExecutionType(name=type_, description="OpenLineage job runs")])
        found = self.store.get_executions_by_external_ids([event.run_id])
        old = found[0] if found else None
        if old is not None and old.type != type_:
            raise _fail(
                "job.name",
                f"run {event.run_id} belongs to another job "
                f"({old.custom_properties.get(P_JOB_NAME)!r})",
                event.job_name,
            )
        props: dict[str, Value] = {
            P_RUN_ID: event.run_id,
            P_JOB_NAMESPACE: str(event.job_namespace),
            P_JOB_NAME: event.job_name,
            P_PRODUCER: event.producer,
            **_facet_props(event.run_facets),
        }
        for key, refs in ((P_INPUT_FACETS, event.inputs), (P_OUTPUT_FACETS, event.outputs)):
            io = {r.key: r.io_facets for r in refs if r.io_facets}
            if io:
                before = old.custom_properties.get(key) if old else None
                props[key] = {**(before if isinstance(before, dict) else {}), **io}
        state = old.last_known_state if old else ExecutionState.UNKNOWN
        new_state = STATE_OF.get(event.event_type or "OTHER")
        if new_state is not None and _newer(old, state, new_state, event.event_time):
            state = new_state
            props[P_EVENT_TYPE] = str(event.event_type)
            props[P_EVENT_TIME] = event.event_time.isoformat()
        elif old is None:
            props[P_EVENT_TYPE] = str(event.event_type or "OTHER")
            props[P_EVENT_TIME] = event.event_time.isoformat()
        merged = _merge(old, props)
        return Execution(
            id=old.id if old else None,
            type=type_,
            name=event.run_id,
            external_id=event.run_id,
            last_known_state=state,
            custom_properties=merged,
        )


def _newer(
    old: Execution | None, state: ExecutionState, new: ExecutionState, when: datetime
) -> bool:
    """Whether an event with state ``new`` at ``when`` should set the execution's state."""
    if old is None:
        return True
    if state in TERMINAL and new not in TERMINAL:
        return False  # a late START/RUNNING never reopens a finished run
    if new in TERMINAL and state not in TERMINAL:
        return True
    previous = old.custom_properties.get(P_EVENT_TIME)
    if not isinstance(previous, str):
        return True
    try:
        before = datetime.fromisoformat(previous)
    except ValueError:
        return True
    return _ms(when) >= _ms(before)


# ---- files ------------------------------------------------------------------------------


def iter_documents(stream: IO[str]) -> Iterator[tuple[int, object]]:
    """Events from a JSON document (one event or an array) or JSON Lines, with line numbers.

    Raises:
        InvalidInputError: a line (or the document) is not JSON; the message names the line.
    """
    text = stream.read()
    stripped = text.strip()
    if not stripped:
        return
    if stripped.startswith("["):
        data = loads_event(stripped)
        if not isinstance(data, list):  # pragma: no cover - '[' always decodes to a list
            raise InvalidInputError("body: expected a JSON array", field="body")
        for i, item in enumerate(data):
            yield i + 1, item
        return
    try:
        whole = loads_event(stripped)
    except InvalidInputError:
        whole = None
    if whole is not None:
        yield 1, whole
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, loads_event(line)
            except InvalidInputError as exc:
                raise InvalidInputError(f"line {number}: {exc}", field="body") from None


@dataclass
class FileReport:
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected}


def ingest_events(
    store: Store, documents: Iterable[tuple[int, object]], *, stop_on_error: bool = False
) -> FileReport:
    """Ingest many events; malformed ones are reported (line and reason), the rest land.

    Raises:
        InvalidInputError: with ``stop_on_error``, the first malformed event.
    """
    ingest = OpenLineageIngest(store)
    report = FileReport()
    for number, data in documents:
        try:
            ingest.ingest(data)
        except InvalidInputError as exc:
            if stop_on_error:
                raise InvalidInputError(
                    f"event {number}: {exc}", field=exc.field, value=exc.value
                ) from None
            report.rejected.append({"line": number, "field": exc.field, "reason": str(exc)})
        else:
            report.accepted += 1
    return report
