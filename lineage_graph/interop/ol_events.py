"""Reading OpenLineage events: JSON documents and files into validated ``ParsedEvent``s.

What is accepted is what Marquez accepts (``marquez.service.models.LineageEvent`` and its
``OpenLineageDao``): ``schemaURL`` and ``producer`` may be missing, ``eventType`` may be any
string or absent (matched case-insensitively; an unknown one changes no state), ``runId`` may
be any non-empty string (a UUID is written in its canonical form), an ``eventTime`` without an
offset is UTC. Facets are the producer's business: any JSON value is kept as given, and a
malformed parent facet is kept as a facet without making links. An event is refused only
when no consumer could use it, naming the field: not a JSON object, no usable ``eventTime``,
a RunEvent without ``run.runId``, a job without ``namespace``/``name``, a dataset without
``namespace``/``name``, or a container of the wrong JSON type (``inputs`` not an array,
``run.facets`` not an object).

The kind is decided by the keys present (OpenLineage 2): ``run`` makes a RunEvent, else
``job`` a JobEvent, else ``dataset`` a DatasetEvent.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from ..errors import InvalidInputError
from .names import ol_key

EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
TERMINAL_TYPES = frozenset({"COMPLETE", "ABORT", "FAIL"})


def fail(field_: str, reason: str, value: object = None) -> InvalidInputError:
    """The error for a refused event: ``<field>: <reason>``, ``field`` set."""
    return InvalidInputError(f"{field_}: {reason}", field=field_, value=value)


# ---- times -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class EventTime:
    """An event time: microseconds since the epoch (for ordering) and the text as given."""

    us: int
    text: str

    @property
    def ms(self) -> int:
        return self.us // 1000

    @classmethod
    def parse(cls, value: object, field_: str = "eventTime") -> EventTime:
        """Parse an ISO-8601 date-time; a time without offset is UTC (Marquez's reading).

        Raises:
            InvalidInputError: not a string, not a date-time, or a date without a time.
        """
        if not isinstance(value, str):
            raise fail(field_, "is required and must be an ISO-8601 date-time string", value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise fail(field_, f"{value!r} is not an ISO-8601 date-time", value) from None
        if "T" not in value.upper() and " " not in value.strip():
            raise fail(field_, f"{value!r} has no time of day", value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        delta = parsed - _EPOCH
        us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls(us=us, text=value)

    def rfc3339(self) -> str:
        """The time as RFC 3339 (what the OpenLineage schema's ``date-time`` requires): the
        text as given when it already is, else the same instant in UTC."""
        if _RFC3339.fullmatch(self.text):
            return self.text
        moment = _EPOCH + timedelta(microseconds=self.us)
        return moment.isoformat().replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


# ---- the parsed event ------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as an event names it, with this event's facets."""

    namespace: str
    name: str
    facets: dict[str, Any] = field(default_factory=dict)
    io_facets: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return ol_key(self.namespace, self.name)


@dataclass(frozen=True)
class ParentRef:
    """A well-formed parent facet: the parent run and its job."""

    run_id: str
    namespace: str
    name: str

    @property
    def job_key(self) -> str:
        return ol_key(self.namespace, self.name)


@dataclass(frozen=True)
class ParsedEvent:
    """A validated OpenLineage event. ``kind`` is ``run``, ``job`` or ``dataset``."""

    kind: str
    time: EventTime
    producer: str | None
    event_type: str | None = None
    run_id: str | None = None
    run_facets: dict[str, Any] = field(default_factory=dict)
    job_namespace: str | None = None
    job_name: str | None = None
    job_facets: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[DatasetRef, ...] = ()
    outputs: tuple[DatasetRef, ...] = ()
    dataset: DatasetRef | None = None
    parent: ParentRef | None = None

    @property
    def job_key(self) -> str:
        assert self.job_namespace is not None and self.job_name is not None
        return ol_key(self.job_namespace, self.job_name)

    @property
    def state_type(self) -> str:
        """The event type as one of ``EVENT_TYPES`` (unknown or absent: ``OTHER``)."""
        upper = (self.event_type or "OTHER").upper()
        return upper if upper in EVENT_TYPES else "OTHER"


# ---- validation --------------------------------------------------------------------------------


def _obj(value: object, field_: str, *, required: bool = True) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        missing = " (missing)" if value is None else ""
        raise fail(field_, f"must be a JSON object{missing}", value)
    return value


def _text(parent: Mapping[str, Any], key: str, field_: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(field_, "is required and must be a non-empty string", value)
    _check_json(value, field_)
    return value


def _optional_text(parent: Mapping[str, Any], key: str) -> str | None:
    value = parent.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _check_json(value: object, field_: str) -> None:
    """What the store can hold: finite numbers, string keys, valid Unicode, plain containers."""
    if isinstance(value, float) and not math.isfinite(value):
        raise fail(field_, "numbers must be finite", value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(field_, "is not valid Unicode text", value) from None
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise fail(field_, "object keys must be strings", k)
            _check_json(k, field_)
            _check_json(v, f"{field_}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_json(v, f"{field_}[{i}]")
    elif value is not None and not isinstance(value, (bool, int, float)):
        raise fail(field_, "is not a JSON value", value)


def _facets(value: object, field_: str) -> dict[str, Any]:
    """Facets as given: any JSON value per name (a ``null`` facet is no facet)."""
    facets = _obj(value, field_, required=False) or {}
    _check_json(facets, field_)
    return {k: v for k, v in facets.items() if v is not None}


def _datasets(value: object, field_: str, io_key: str) -> tuple[DatasetRef, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail(field_, "must be a JSON array", value)
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
        seen = found.get(ref.key)
        if seen is not None:  # a dataset listed twice is one dataset; later facets win
            ref = DatasetRef(
                ref.namespace,
                ref.name,
                {**seen.facets, **ref.facets},
                {**seen.io_facets, **ref.io_facets},
            )
        found[ref.key] = ref
    return tuple(found.values())


def canonical_run_id(value: str) -> str:
    """A UUID in canonical form (so ``A1..`` and ``a1..`` are one run); other ids as given."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _parent(facet: object) -> ParentRef | None:
    """The parent facet's run and job, or None when it does not name them."""
    if not isinstance(facet, dict):
        return None
    run, job = facet.get("run"), facet.get("job")
    if not (isinstance(run, dict) and isinstance(job, dict)):
        return None
    run_id = _optional_text(run, "runId")
    namespace, name = _optional_text(job, "namespace"), _optional_text(job, "name")
    if run_id is None or namespace is None or name is None:
        return None
    return ParentRef(canonical_run_id(run_id), namespace, name)


def parse_event(data: object) -> ParsedEvent:
    """Validate one OpenLineage event (already decoded from JSON).

    Returns:
        The parsed event: a RunEvent (has ``run``), a JobEvent (``job``, no ``run``) or a
        DatasetEvent (``dataset``, no ``job``).

    Raises:
        InvalidInputError: the first problem found, ``field`` being its JSON path.
    """
    event = _obj(data, "event")
    assert event is not None
    time = EventTime.parse(event.get("eventTime"))
    producer = _optional_text(event, "producer")
    if "run" not in event and "job" not in event and "dataset" in event:
        ds = _obj(event["dataset"], "dataset")
        assert ds is not None
        ref = DatasetRef(
            namespace=_text(ds, "namespace", "dataset.namespace"),
            name=_text(ds, "name", "dataset.name"),
            facets=_facets(ds.get("facets"), "dataset.facets"),
        )
        return ParsedEvent(kind="dataset", time=time, producer=producer, dataset=ref)
    job = _obj(event.get("job"), "job")
    assert job is not None
    common: dict[str, Any] = {
        "time": time,
        "producer": producer,
        "job_namespace": _text(job, "namespace", "job.namespace"),
        "job_name": _text(job, "name", "job.name"),
        "job_facets": _facets(job.get("facets"), "job.facets"),
        "inputs": _datasets(event.get("inputs"), "inputs", "inputFacets"),
        "outputs": _datasets(event.get("outputs"), "outputs", "outputFacets"),
    }
    event_type = event.get("eventType")
    if event_type is not None and not isinstance(event_type, str):
        raise fail("eventType", "must be a string", event_type)
    if "run" not in event:
        return ParsedEvent(kind="job", event_type=event_type, **common)
    run = _obj(event.get("run"), "run")
    assert run is not None
    run_facets = _facets(run.get("facets"), "run.facets")
    return ParsedEvent(
        kind="run",
        event_type=event_type,
        run_id=canonical_run_id(_text(run, "runId", "run.runId")),
        run_facets=run_facets,
        parent=_parent(run_facets.get("parent")),
        **common,
    )


# ---- documents and files -------------------------------------------------------------------


class BadDocument:
    """A document that is not JSON: ``iter_documents`` yields it, ingesting it reports it."""

    def __init__(self, error: InvalidInputError) -> None:
        self.error = error


def _decoder() -> json.JSONDecoder:
    def refuse(token: str) -> None:
        raise ValueError(f"{token} is not valid JSON")

    return json.JSONDecoder(parse_constant=refuse)


def loads_event(text: str | bytes) -> object:
    """Decode JSON strictly (``NaN``/``Infinity`` are not JSON).

    Raises:
        InvalidInputError: not JSON.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return _decoder().decode(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"body: not valid JSON ({exc})", field="body") from None


def iter_documents(stream: IO[str]) -> Iterator[tuple[int, object]]:
    """Events from a JSON document (one event or an array), JSON Lines, or JSON values one
    after another, each with the line it starts on.

    A part that is not JSON is yielded as a ``BadDocument`` (with its line) and reading goes
    on at the next line, so one bad line never hides the events after it. Inside a JSON
    array the elements cannot be told apart once the JSON is broken: the array is one bad
    document then.
    """
    text = stream.read()
    decoder = _decoder()
    pos, n = 0, len(text)

    def line_of(p: int) -> int:
        return text.count("\n", 0, p) + 1

    def skip_space(p: int) -> int:
        while p < n and text[p] in " \t\r\n\ufeff":
            p += 1
        return p

    pos = skip_space(pos)
    if pos < n and text[pos] == "[":
        try:
            data = decoder.decode(text[pos:])
        except ValueError as exc:
            yield line_of(pos), BadDocument(_not_json(line_of(pos), exc))
            return
        # Each element's line: decode element by element to find where each starts.
        p = skip_space(pos + 1)
        for item in data:
            start = p
            _, end = decoder.raw_decode(text, start)
            yield line_of(start), item
            p = skip_space(end)
            if p < n and text[p] == ",":
                p = skip_space(p + 1)
        return
    while pos < n:
        try:
            item, end = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield line_of(pos), BadDocument(_not_json(line_of(pos), exc))
            nl = text.find("\n", pos)
            pos = skip_space(n if nl < 0 else nl + 1)
            continue
        yield line_of(pos), item
        pos = skip_space(end)


def _not_json(line: int, exc: ValueError) -> InvalidInputError:
    reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
    return InvalidInputError(f"line {line}: not valid JSON ({reason})", field="body")
