"""OpenLineage out: the store (or a selection) as OpenLineage 2-0-2 events a Marquez takes.

History that came from OpenLineage is given back event by event, at the times it happened:

* a run: one RunEvent per (eventType, eventTime, producer) it was seen with (``ol.meta``),
  each carrying the run, job, input/output and dataset facets that event set (a facet's
  ``ol.meta`` time says which), the datasets seen by then, and the stored ``parent`` and
  ``errorMessage`` facets; a facet whose event is no longer recorded gets an OTHER event;
* a JobEvent's declared inputs and outputs: a JobEvent per time it was seen;
* job and dataset facets no exported run event carries: a JobEvent / DatasetEvent at the
  time they were set, and a dataset known only from a DatasetEvent gets one back;
* column lineage travels as the ``columnLineage`` dataset facet (the field artifacts and
  ``ol.ColumnTransform`` executions are rebuilt from it on import); ``ol.Run`` and
  ``ol.DatasetAlias`` contexts travel as the ``parent`` and ``symlinks`` facets.

Other history (tracking, MLMD): one RunEvent at the run's start (``start_time``, else
``create_time``) and one for its last state at its end (``end_time``, else ``update_time``);
the job is ``<namespace>/<pipeline>.<execution type>``: the pipeline is the root context
above the execution's contexts (the job name alone would merge the steps of all pipelines);
the context with a parent (the pipeline run) becomes the ``parent`` facet; the error
fields become an ``errorMessage`` facet; datasets are ``<artifact type>/<name or id-N>``
with a ``lineageGraph`` facet holding ids and properties.

Everything written is valid against the 2-0-2 JSON Schema: times are RFC 3339 (a time
stored without an offset is UTC and written with ``Z``), run ids are UUIDs (a non-UUID
runId becomes the UUID Marquez gives it: version 3 of its bytes), facets carry ``_producer``
and ``_schemaURL`` (added when a producer left them out, the one change to a stored facet),
and a facet that is not a JSON object (which the schema cannot take) is left out.
Events come out in time order, so importing the file again reproduces the graph.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlparse

from ..models import (
    Artifact,
    Context,
    Event,
    ExecutionState,
    Kind,
    ListOptions,
    Node,
)
from ..store.base import Store
from . import columns as col
from . import openlineage as ol
from .names import ol_key
from .ol_events import EventTime
from .ol_facets import facets_of, meta_of, read_struct_or_text

PRODUCER = "https://github.com/lineage-graph/lineage-graph"
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/"
RUN_EVENT_SCHEMA = SPEC + "RunEvent"
PAGE = 1000
_FACETS = "https://openlineage.io/spec/facets/"
# Where the standard facets are defined (for a facet a producer sent without _schemaURL).
_KNOWN_FACETS = {
    "errorMessage": "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
    "nominalTime": "1-0-1/NominalTimeRunFacet.json#/$defs/NominalTimeRunFacet",
    "parent": "1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet",
    "processing_engine": "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
    "sql": "1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
    "sourceCodeLocation": "1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet",
    "jobType": "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
    "schema": "1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet",
    "dataSource": "1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet",
    "columnLineage": "1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
    "symlinks": "1-0-1/SymlinksDatasetFacet.json#/$defs/SymlinksDatasetFacet",
    "version": "1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet",
    "outputStatistics": (
        "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet"
    ),
}
_EVENT_TYPE_OF = {
    ExecutionState.COMPLETE: "COMPLETE",
    ExecutionState.CACHED: "COMPLETE",
    ExecutionState.FAILED: "FAIL",
    ExecutionState.CANCELED: "ABORT",
    ExecutionState.RUNNING: "RUNNING",
}


def is_uri(text: object) -> bool:
    """What the schema's ``format: uri`` asks: an absolute URI (a scheme)."""
    if not isinstance(text, str) or not text or any(c.isspace() for c in text):
        return False
    try:
        return bool(urlparse(text).scheme)
    except ValueError:
        return False


def valid_facets(facets: Mapping[str, Any], producer: str, kind: str) -> dict[str, Any]:
    """Facets the schema accepts: objects, with ``_producer``/``_schemaURL`` filled in."""
    out: dict[str, Any] = {}
    for name, value in sorted(facets.items()):
        if not isinstance(value, dict):
            continue  # a facet must be an object in 2-0-2; kept in the store only
        facet = dict(value)
        if not is_uri(facet.get("_producer")):
            facet["_producer"] = producer
        if not is_uri(facet.get("_schemaURL")):
            known = _KNOWN_FACETS.get(name)
            facet["_schemaURL"] = _FACETS + known if known else f"{SPEC}{kind}"
        out[name] = facet
    return out


def export_run_id(run_id: str) -> str:
    """A UUID for a run id: itself when it is one, else Marquez's (version 3 of its bytes)."""
    try:
        return str(uuid.UUID(run_id))
    except ValueError:
        digest = hashlib.md5(run_id.encode("utf-8"), usedforsecurity=False).digest()
        return str(uuid.UUID(bytes=digest, version=3))


def _from_ms(ms: int | None) -> EventTime:
    us = (ms or 0) * 1000
    return EventTime(us, EventTime(us, "").rfc3339())


def _parse(text: object) -> EventTime | None:
    if not isinstance(text, str):
        return None
    try:
        return EventTime.parse(text)
    except ValueError:
        return None


def _groups(
    facets: Mapping[str, Any], times: object
) -> list[tuple[EventTime | None, dict[str, Any]]]:
    """Facets grouped by the event that set them (None: set before times were recorded),
    oldest first."""
    found: dict[int | None, tuple[EventTime | None, dict[str, Any]]] = {}
    stamps = times if isinstance(times, dict) else {}
    for name, value in facets.items():
        when = _parse(stamps.get(name))
        found.setdefault(when.us if when else None, (when, {}))[1][name] = value
    return sorted(found.values(), key=lambda g: g[0].us if g[0] is not None else -1)


# ---- the events being assembled -------------------------------------------------------------


@dataclass
class _Out:
    """One event being assembled."""

    kind: str  # "run", "job", "dataset"
    time: EventTime
    producer: str
    event_type: str | None = None
    run_id: str | None = None
    run_facets: dict[str, Any] = field(default_factory=dict)
    job: tuple[str, str] | None = None
    job_facets: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    dataset: dict[str, Any] | None = None

    def doc(self) -> dict[str, Any]:
        base: dict[str, Any] = {
            "eventTime": self.time.rfc3339(),
            "producer": self.producer,
        }
        if self.kind == "dataset":
            assert self.dataset is not None
            return {
                **base,
                "schemaURL": SPEC + "DatasetEvent",
                "dataset": _dataset_doc(self.dataset, self.producer, io_key=None),
            }
        assert self.job is not None
        body = {
            "job": {
                "namespace": self.job[0],
                "name": self.job[1],
                "facets": valid_facets(self.job_facets, self.producer, "JobFacet"),
            },
            "inputs": [
                _dataset_doc(d, self.producer, io_key="inputFacets") for d in self.inputs.values()
            ],
            "outputs": [
                _dataset_doc(d, self.producer, io_key="outputFacets") for d in self.outputs.values()
            ],
        }
        # eventType as recorded (absent when the producer sent none; a JobEvent may carry one)
        kind_of = {"eventType": self.event_type} if self.event_type else {}
        if self.kind == "job":
            return {**base, "schemaURL": SPEC + "JobEvent", **kind_of, **body}
        assert self.run_id is not None
        return {
            **base,
            "schemaURL": RUN_EVENT_SCHEMA,
            **kind_of,
            "run": {
                "runId": self.run_id,
                "facets": valid_facets(self.run_facets, self.producer, "RunFacet"),
            },
            **body,
        }


def _input_field(ident: tuple[str, str, str], paths: list[list[Any]]) -> dict[str, Any]:
    """An ``inputFields`` entry from the typed edges (``columns`` names the path layout)."""
    transformations = []
    for path in sorted(paths):
        if not path:
            continue
        t: dict[str, Any] = {"type": path[0]}
        rest = path[1:]
        if rest and rest[-1] == "masking":
            t["masking"] = True
            rest = rest[:-1]
        if rest:
            t["subtype"] = rest[0]
        transformations.append(t)
    return {
        "namespace": ident[0],
        "name": ident[1],
        "field": ident[2],
        "transformations": transformations,
    }


def _dataset_doc(d: Mapping[str, Any], producer: str, io_key: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "namespace": d["namespace"],
        "name": d["name"],
        "facets": valid_facets(d.get("facets", {}), producer, "DatasetFacet"),
    }
    if io_key is not None and d.get(io_key):
        kind = "InputDatasetFacet" if io_key == "inputFacets" else "OutputDatasetFacet"
        doc[io_key] = valid_facets(d[io_key], producer, kind)
    return doc


@dataclass
class _DatasetInfo:
    key: str
    namespace: str
    name: str
    artifact: Artifact | None  # an OpenLineage dataset (facets travel by time)
    lineage_facets: dict[str, Any] = field(default_factory=dict)  # other artifacts


class _Exporter:
    def __init__(self, store: Store, namespace: str) -> None:
        self.store = store
        self.namespace = namespace
        self.outs: list[_Out] = []
        self.by_dataset: dict[str, list[tuple[_Out, str]]] = {}  # key -> (event, "in"/"out")
        self.by_job: dict[str, list[_Out]] = {}
        self.by_source: dict[str, list[_Out]] = {}  # run id / declared job -> its events
        self.dataset_events: dict[tuple[str, int], _Out] = {}  # (dataset key, us)
        self.datasets: dict[str, _DatasetInfo] = {}
        self._roots: dict[int, Context | None] = {}

    # ---- datasets ----------------------------------------------------------------------

    def dataset_info(self, a: Artifact) -> _DatasetInfo:
        props = a.custom_properties
        ns, name = props.get(ol.P_NAMESPACE), props.get(ol.P_NAME)
        if a.type == ol.DATASET_TYPE and isinstance(ns, str) and isinstance(name, str):
            key = a.name or ol_key(ns, name)
            info = _DatasetInfo(key, ns, name, a)
        else:
            from .export import lg_facet

            label = a.name if a.name is not None else f"id-{a.id}"
            ns, name = self.namespace, f"{a.type}/{label}"
            info = _DatasetInfo(f"lg:{a.id}", ns, name, None, {"lineageGraph": lg_facet(a)})
        self.datasets.setdefault(info.key, info)
        return self.datasets[info.key]

    def include(self, out: _Out, info: _DatasetInfo, direction: str) -> dict[str, Any]:
        group = out.inputs if direction == "in" else out.outputs
        if info.key not in group:
            group[info.key] = {
                "namespace": info.namespace,
                "name": info.name,
                "facets": dict(info.lineage_facets),
            }
            self.by_dataset.setdefault(info.key, []).append((out, direction))
        return group[info.key]

    # ---- runs that came from OpenLineage ------------------------------------------------

    def ol_run(self, exe: Node, events: list[Event], infos: dict[int, _DatasetInfo]) -> None:
        props = exe.custom_properties
        meta = meta_of(props)
        declared = props.get(ol.P_DECLARED) is True
        job = (str(props.get(ol.P_JOB_NAMESPACE)), str(props.get(ol.P_JOB_NAME)))
        records = meta.get("events")
        if not isinstance(records, list) or not records:
            records = [[props.get(ol.P_EVENT_TYPE), props.get(ol.P_EVENT_TIME), None]]
        run_id = None if declared else export_run_id(str(props.get(ol.P_RUN_ID)))
        stored_producer = props.get(ol.P_PRODUCER)
        fallback = (
            stored_producer
            if isinstance(stored_producer, str) and is_uri(stored_producer)
            else PRODUCER
        )
        mine: dict[int, _Out] = {}  # the first event at each instant takes its facets
        ordered: list[_Out] = []
        for r in records:
            when = _parse(r[1] if isinstance(r, list) and len(r) == 3 else None)
            if when is None:
                continue
            out = _Out(
                kind="job" if declared else "run",
                time=when,
                producer=str(r[2]) if is_uri(r[2]) else fallback,
                event_type=ol.norm_event_type(r[0]) if r[0] is not None else None,
                run_id=run_id,
                job=job,
            )
            ordered.append(out)
            mine.setdefault(when.us, out)
        if not ordered:
            return
        self.outs.extend(ordered)
        self.by_job.setdefault(ol_key(*job), []).extend(ordered)
        source = ol.declared_id(ol_key(*job)) if declared else str(props.get(ol.P_RUN_ID))
        self.by_source[source] = ordered
        ordered.sort(key=lambda o: o.time.us)
        last = ordered[-1]

        def at(when: EventTime | None) -> _Out:
            if when is None:  # set before times were recorded: the last event has it
                return last
            if when.us not in mine:  # a facet outlived its event's record
                out = _Out(
                    kind=last.kind,
                    time=when,
                    producer=last.producer,
                    event_type=None if declared else "OTHER",
                    run_id=run_id,
                    job=job,
                )
                mine[when.us] = out
                self.outs.append(out)
                ordered.append(out)
                ordered.sort(key=lambda o: o.time.us)
            return mine[when.us]

        for when, group in _groups(facets_of(props), meta.get("facets")):
            at(when).run_facets.update(group)
        for e in events:
            info = infos.get(e.artifact_id)
            if info is None:
                continue
            direction = "in" if e.type.is_input else "out"
            ts = e.timestamp or 0
            targets = [o for o in ordered if o.time.ms >= ts] or ordered[-1:]
            for o in targets:
                self.include(o, info, direction)
        for prop, io_key, direction in (
            (ol.P_INPUT_FACETS, "inputFacets", "in"),
            (ol.P_OUTPUT_FACETS, "outputFacets", "out"),
        ):
            values = read_struct_or_text(props, prop)
            stored = meta.get(prop)
            times = stored if isinstance(stored, dict) else {}
            for key, facets in (values or {}).items():
                info = self.datasets.get(key)
                if info is None or not isinstance(facets, dict):
                    continue
                for when, group in _groups(facets, times.get(key)):
                    entry = self.include(at(when), info, direction)
                    entry.setdefault(io_key, {}).update(group)

    # ---- other runs (tracking, MLMD) ------------------------------------------------------

    def root(self, ctx: Context) -> Context | None:
        """The root context above ``ctx`` (itself when it has no parent)."""
        assert ctx.id is not None
        if ctx.id not in self._roots:
            self._roots[ctx.id] = None  # a guard against cycles while walking up
            parents = self.store.get_parent_contexts(ctx.id)
            found = ctx if not parents else self.root(min(parents, key=lambda c: c.id or 0))
            self._roots[ctx.id] = found
        return self._roots[ctx.id]

    def other_run(self, exe: Node, events: list[Event], infos: dict[int, _DatasetInfo]) -> None:
        from .export import lg_facet

        assert exe.id is not None
        contexts = sorted(self.store.get_contexts_by_execution(exe.id), key=lambda c: c.id or 0)
        roots = sorted(
            (r for c in contexts if (r := self.root(c)) is not None), key=lambda c: c.id or 0
        )
        pipeline = roots[0].name if roots and roots[0].name else None
        job_name = f"{pipeline}.{exe.type}" if pipeline else exe.type
        job = (self.namespace, job_name)
        run_id = str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"lineage-graph:{self.namespace}:execution:{exe.id}")
        )
        facets: dict[str, Any] = {"lineageGraph": lg_facet(exe)}
        runs = [c for c in contexts if roots and c.id != roots[0].id and self.root(c) is roots[0]]
        if runs and pipeline:
            facets["parent"] = {
                "run": {
                    "runId": str(
                        uuid.uuid5(
                            uuid.NAMESPACE_URL,
                            f"lineage-graph:{self.namespace}:context:{runs[0].id}",
                        )
                    )
                },
                "job": {"namespace": self.namespace, "name": pipeline},
            }
        props = exe.custom_properties
        if isinstance(props.get(ol.P_ERROR), str):
            error: dict[str, Any] = {
                "message": props[ol.P_ERROR],
                "programmingLanguage": str(props.get(ol.P_ERROR_LANGUAGE) or "python"),
            }
            if isinstance(props.get(ol.P_ERROR_TRACEBACK), str):
                error["stackTrace"] = props[ol.P_ERROR_TRACEBACK]
            facets["errorMessage"] = error
        start = props.get(ol.P_START_TIME)
        end = props.get(ol.P_END_TIME)
        start_t = _from_ms(start if isinstance(start, int) else exe.create_time)
        end_t = _from_ms(end if isinstance(end, int) else exe.update_time)
        state = getattr(exe, "last_known_state", ExecutionState.UNKNOWN)
        final = _EVENT_TYPE_OF.get(state)
        steps: list[tuple[str, EventTime]] = []
        if state is not ExecutionState.UNKNOWN:
            steps.append(("START", start_t))
        if final is not None or state is ExecutionState.UNKNOWN:
            steps.append((final or "OTHER", max(end_t, start_t)))
        outs = [
            _Out(
                "run", when, PRODUCER, event_type=t, run_id=run_id, job=job, run_facets=dict(facets)
            )
            for t, when in steps
        ]
        self.outs.extend(outs)
        for e in events:
            info = infos.get(e.artifact_id)
            if info is None:
                continue
            if e.type.is_input:
                for o in outs:
                    self.include(o, info, "in")
            else:
                self.include(outs[-1], info, "out")

    # ---- column lineage -----------------------------------------------------------------------

    def column_lineage(self, transforms: list[Node]) -> None:
        """Column edges go back as ``columnLineage`` facets on the output dataset, one per
        source and instant the edges were first drawn at, so importing the export draws the
        same edges at the same times (the exact facet of the newest event, kept on the
        dataset, replaces the rebuilt one at its time: ``dataset_facets`` runs after)."""
        ids = [t.id for t in transforms if t.id is not None]
        events = self.store.get_events(execution_ids=ids)
        fields = {
            a.id: a
            for a in self.store.get_nodes_by_id(
                Kind.ARTIFACT, sorted({e.artifact_id for e in events})
            )
            if a.id is not None
        }
        # (source, dataset key, ms) -> {output field: {input field: [paths]}}
        found: dict[tuple[str, str, int], dict[str, dict[tuple[str, str, str], list[Any]]]] = {}
        by_tx = {t.id: t for t in transforms}
        for e in sorted(events, key=lambda e: (e.timestamp or 0, e.type.value)):
            tx = by_tx.get(e.execution_id)
            f = fields.get(e.artifact_id)
            if tx is None or f is None:
                continue
            props = tx.custom_properties
            key = (str(props.get(col.P_SOURCE)), str(props.get(col.P_DATASET)), e.timestamp or 0)
            out_field = str(props.get(col.P_FIELD))
            entry = found.setdefault(key, {}).setdefault(out_field, {})
            if not e.type.is_input:
                continue
            fp = f.custom_properties
            ident = (str(fp.get(ol.P_NAMESPACE)), str(fp.get(ol.P_NAME)), str(fp.get(col.P_FIELD)))
            entry.setdefault(ident, []).append(list(e.path))
        for (source, dataset, ms), out_fields in sorted(found.items(), key=lambda i: i[0][2]):
            info = self.datasets.get(dataset) or self._dataset_by_key(dataset)
            if info is None:
                continue
            facet = {
                "fields": {
                    name: {"inputFields": [_input_field(i, paths) for i, paths in inputs.items()]}
                    for name, inputs in sorted(out_fields.items())
                }
            }
            carrier = self._at_ms(source, ms, info)
            if carrier is not None:
                carrier["facets"].setdefault("columnLineage", facet)

    def _dataset_event(self, info: _DatasetInfo, when: EventTime) -> _Out:
        """The DatasetEvent of ``info`` at ``when`` (one per dataset and instant)."""
        key = (info.key, when.us)
        if key not in self.dataset_events:
            out = _Out("dataset", when, PRODUCER)
            out.dataset = {"namespace": info.namespace, "name": info.name, "facets": {}}
            self.dataset_events[key] = out
            self.outs.append(out)
        return self.dataset_events[key]

    def _dataset_by_key(self, key: str) -> _DatasetInfo | None:
        a = self.store.get_artifact_by_type_and_name(ol.DATASET_TYPE, key)
        return self.dataset_info(a) if isinstance(a, Artifact) else None

    def _at_ms(self, source: str, ms: int, info: _DatasetInfo) -> dict[str, Any] | None:
        """``info``'s entry among the outputs of ``source``'s event at ``ms`` (made if needed)."""
        if source == col.STATIC_SOURCE:
            return self._dataset_event(info, _from_ms(ms)).dataset
        mine = self.by_source.get(source)
        if not mine:
            return None
        out = next((o for o in mine if o.time.ms == ms), None)
        if out is None:
            last = max(mine, key=lambda o: o.time.us)
            out = _Out(
                last.kind,
                _from_ms(ms),
                last.producer,
                event_type="OTHER" if last.kind == "run" else None,
                run_id=last.run_id,
                job=last.job,
            )
            mine.append(out)
            self.outs.append(out)
        return self.include(out, info, "out")

    # ---- facets of jobs and datasets --------------------------------------------------------

    def job_facets(self, ctx: Context) -> None:
        """A job's facets go with its exported events of the same time, else a JobEvent."""
        props = ctx.custom_properties
        ns, name = props.get(ol.P_NAMESPACE), props.get(ol.P_NAME)
        if not (isinstance(ns, str) and isinstance(name, str)):
            return
        mine = self.by_job.get(ctx.name or ol_key(ns, name), [])
        latest = max(mine, key=lambda o: o.time.us, default=None)
        for stamp, group in _groups(facets_of(props), meta_of(props).get("facets")):
            if stamp is None:  # set before times were recorded: with its latest event
                targets = [latest] if latest is not None else []
                when = _from_ms(ctx.update_time)
            else:
                targets = [o for o in mine if o.time.us == stamp.us]
                when = stamp
            if not targets:
                targets = [_Out("job", when, PRODUCER, job=(ns, name))]
                self.outs.extend(targets)
            for o in targets:
                o.job_facets.update(group)

    def _claims(self, a: Artifact) -> list[tuple[EventTime, dict[str, Any]]]:
        """The aliases of a dataset as the ``symlinks`` facets that claimed them, by claim
        time, so that importing the export claims each again at its time (the stored facet,
        set at its own time, replaces these there)."""
        assert a.id is not None
        by_time: dict[int, tuple[EventTime, list[dict[str, Any]]]] = {}
        for ctx in self.store.get_contexts_by_artifact(a.id):
            cp = ctx.custom_properties
            ident = (cp.get(ol.P_NAMESPACE), cp.get(ol.P_NAME))
            when = _parse(meta_of(cp).get("time"))
            if ctx.type != ol.ALIAS_CONTEXT_TYPE or when is None:
                continue
            entry = {"namespace": ident[0], "name": ident[1]}
            if isinstance(cp.get(ol.P_ALIAS_TYPE), str):
                entry["type"] = cp[ol.P_ALIAS_TYPE]
            by_time.setdefault(when.us, (when, []))[1].append(entry)
        return [(w, {"identifiers": ids}) for _, (w, ids) in sorted(by_time.items())]

    def dataset_facets(self, info: _DatasetInfo) -> None:
        """A dataset's facets go with the exported events naming it at the same time,
        else a DatasetEvent; a dataset no event names gets its DatasetEvent back."""
        a = info.artifact
        if a is None:
            return
        props = a.custom_properties
        meta = meta_of(props)
        mine = self.by_dataset.get(info.key, [])
        groups = _groups(facets_of(props), meta.get("facets"))
        static = _parse(meta.get("datasetEvent"))
        if not mine and static is not None and all(w != static for w, _ in groups):
            groups.append((static, {}))
        if not mine and not groups:
            groups.append((_from_ms(a.create_time), {}))
        for when, facet in self._claims(a):
            targets = [(o, d) for o, d in mine if o.time.us == when.us]
            for o, d in targets:
                facets = (o.inputs if d == "in" else o.outputs)[info.key]["facets"]
                facets.setdefault("symlinks", facet)
        for stamp, group in groups:
            if stamp is None:  # set before times were recorded: with every event naming it
                targets = list(mine)
                when = _from_ms(a.update_time)
            else:
                targets = [(o, d) for o, d in mine if o.time.us == stamp.us]
                when = stamp
            if not targets:
                out = self._dataset_event(info, when)
                assert out.dataset is not None
                out.dataset["facets"].update(group)
                continue
            for o, d in targets:
                (o.inputs if d == "in" else o.outputs)[info.key]["facets"].update(group)


def _pages(store: Store, kind: Kind, selection: Any) -> Iterator[list[Node]]:
    from .export import _pages as pages

    return pages(store, kind, selection)


def to_openlineage(
    store: Store, selection: Any = None, *, namespace: str = "lineage-graph"
) -> Iterator[dict[str, Any]]:
    """OpenLineage events (JSON-ready dicts) for the selected history, in time order.

    Args:
        selection: an ``export.Selection`` (None: the whole store).
        namespace: job and dataset namespace for history that did not come from OpenLineage.
    """
    ex = _Exporter(store, namespace)
    transforms: list[Node] = []
    for whole in _pages(store, Kind.EXECUTION, selection):
        page = [n for n in whole if n.type != col.TRANSFORM_TYPE]
        transforms.extend(n for n in whole if n.type == col.TRANSFORM_TYPE)
        ids = [n.id for n in page if n.id is not None]
        if not ids:
            continue
        events = store.get_events(execution_ids=ids)
        wanted = sorted(
            {
                e.artifact_id
                for e in events
                if selection is None or e.artifact_id in selection.artifacts
            }
        )
        infos = {
            a.id: ex.dataset_info(a)
            for a in store.get_nodes_by_id(Kind.ARTIFACT, wanted)
            if isinstance(a, Artifact) and a.id is not None and a.type != col.FIELD_TYPE
        }
        by_exe: dict[int, list[Event]] = {}
        for e in events:
            by_exe.setdefault(e.execution_id, []).append(e)
        for exe in page:
            assert exe.id is not None
            mine = by_exe.get(exe.id, [])
            props = exe.custom_properties
            if ol.P_RUN_ID in props or props.get(ol.P_DECLARED) is True:
                ex.ol_run(exe, mine, infos)
            else:
                ex.other_run(exe, mine, infos)
    for start in range(0, len(transforms), PAGE):
        ex.column_lineage(transforms[start : start + PAGE])
    # Facets of the jobs and datasets: with the events of their time, else on their own.
    jobs: dict[str, Context] = {}
    if selection is None:
        for page in _paged(store, Kind.CONTEXT, ol.JOB_CONTEXT_TYPE):
            jobs.update({c.name: c for c in page if isinstance(c, Context) and c.name})
    for key in ex.by_job:
        if key not in jobs:
            found = store.get_context_by_type_and_name(ol.JOB_CONTEXT_TYPE, key)
            if found is not None:
                jobs[key] = found
    for ctx in jobs.values():
        ex.job_facets(ctx)
    if selection is None:
        for page in _paged(store, Kind.ARTIFACT, ol.DATASET_TYPE):
            for a in page:
                if isinstance(a, Artifact):
                    ex.dataset_info(a)
    else:
        for a in store.get_nodes_by_id(Kind.ARTIFACT, sorted(selection.artifacts)):
            if isinstance(a, Artifact) and a.type == ol.DATASET_TYPE:
                ex.dataset_info(a)
    for info in list(ex.datasets.values()):
        ex.dataset_facets(info)
    order = {"dataset": 0, "job": 1, "run": 2}
    indexed = sorted(enumerate(ex.outs), key=lambda p: (p[1].time.us, order[p[1].kind], p[0]))
    for _, out in indexed:
        yield out.doc()


def _paged(store: Store, kind: Kind, type_name: str) -> Iterator[list[Node]]:
    options = ListOptions(type=type_name, limit=PAGE)
    while True:
        page = store.list_nodes(kind, options)
        if page.items:
            yield page.items
        if page.next_cursor is None:
            return
        options = options.model_copy(update={"cursor": page.next_cursor})


def write_openlineage(
    store: Store,
    out: IO[str],
    selection: Any = None,
    *,
    namespace: str = "lineage-graph",
) -> int:
    """Write the events as JSON Lines; returns how many."""
    n = 0
    for event in to_openlineage(store, selection, namespace=namespace):
        out.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def job_facets_of(store: Store, namespace: str, name: str) -> dict[str, Any]:
    """Job facets kept on the ``ol.Job`` context (empty when the job is unknown)."""
    ctx = store.get_context_by_type_and_name(ol.JOB_CONTEXT_TYPE, ol_key(namespace, name))
    return facets_of(ctx.custom_properties) if isinstance(ctx, Context) else {}
