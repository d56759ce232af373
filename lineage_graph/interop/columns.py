"""Column-level lineage: dataset fields as nodes, column derivations as typed edges.

Representation (no new kind of node or edge, so every existing walk, taint, export and
Browser view works at column level on both backends):

* a dataset field is an Artifact of type ``ol.DatasetField`` named ``<dataset key>#<field>``
  (``names.field_key``), with custom properties ``dataset`` (the dataset's key),
  ``ol.namespace``, ``ol.name`` and ``ol.field``. It is attributed to nothing and joined
  to its dataset by nothing but that property, so column walks stay column-exact: a walk
  from a column never spreads to the rest of its table;
* each output field of a ``columnLineage`` facet, per source of the facet (a run, a
  JobEvent's job, or a DatasetEvent), is one Execution of type ``ol.ColumnTransform``
  named ``["<source>","<output field key>"]``: INPUT events from every input field it is
  derived from, one OUTPUT event to the field. The event ``path`` is the transformation:
  ``[type, subtype]`` (``["DIRECT", "AGGREGATION"]``, ``["INDIRECT", "FILTER"]``), with
  ``"masking"`` appended when masking; an input given without transformations gets ``[]``
  (and the 1-0-0 field-level ``transformationType`` becomes ``[type]``). Dataset-wide
  dependencies (the facet's ``dataset`` list) are inputs of every output field's transform.
  The facet entry itself is kept exactly on the transform (``ol.columnLineage``,
  ``ol.datasetLineage``), newest event first (``ol.meta.time``); edges accumulate.

So ``lineage.upstream``/``downstream`` of a field artifact are its source/derived columns,
``lineage.mark_bad`` on one records an incident over the columns it reaches, and
``column_taint`` adds the datasets holding the reached columns (dbt models, tables) and the
models downstream of those datasets. The ``columnLineage`` facet also stays on the dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from .. import lineage
from ..answers import MODEL_TYPES, LineageNode, NodeRef
from ..errors import InvalidInputError
from ..models import Artifact, Event, EventType, Execution, ExecutionState, Kind, Value
from ..store.base import Store
from .names import field_key, ol_key, split_ol_key
from .ol_events import EventTime
from .ol_facets import META, canonical_json, meta_of, newer, struct_or_text

FIELD_TYPE = "ol.DatasetField"
TRANSFORM_TYPE = "ol.ColumnTransform"
P_DATASET = "dataset"
P_FIELD = "ol.field"
P_SOURCE = "ol.source"
P_COLUMN_LINEAGE = "ol.columnLineage"
P_DATASET_LINEAGE = "ol.datasetLineage"

STATIC_SOURCE = "ol:dataset"  # the source of a DatasetEvent's column lineage
Resolve = Callable[[str, str], str]
"""``resolve(namespace, name)`` -> the dataset key that name stands for (aliases applied)."""


def field_artifact(dataset: str, name: str) -> Artifact:
    """The artifact of a field (its content depends on the key only, so re-puts are no-ops)."""
    namespace, ds_name = split_ol_key(dataset)
    key = field_key(dataset, name)
    return Artifact(
        type=FIELD_TYPE,
        name=key,
        external_id=f"ol:field:{key}",
        custom_properties={
            P_DATASET: dataset,
            "ol.namespace": namespace,
            "ol.name": ds_name,
            P_FIELD: name,
        },
    )


def _paths(entry: Mapping[str, Any], fallback: str | None) -> list[tuple[str, ...]]:
    """The typed-edge paths of one input field: one per transformation."""
    found: list[tuple[str, ...]] = []
    transformations = entry.get("transformations")
    if isinstance(transformations, list):
        for t in transformations:
            if not isinstance(t, dict) or not isinstance(t.get("type"), str):
                continue
            path = [t["type"]]
            if isinstance(t.get("subtype"), str) and t["subtype"]:
                path.append(t["subtype"])
            if t.get("masking") is True:
                path.append("masking")
            found.append(tuple(path))
    if not found:
        found.append((fallback,) if fallback else ())
    return sorted(set(found))


def _input_fields(entries: object) -> list[Mapping[str, Any]]:
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, dict)
        and all(isinstance(e.get(k), str) and e.get(k) for k in ("namespace", "name", "field"))
    ]


@dataclass
class ColumnPlan:
    """What one event's column lineage writes: fields, transforms, and the edges."""

    fields: list[Artifact] = field(default_factory=list)
    transforms: list[Execution] = field(default_factory=list)
    # (transform index, field index, event)
    events: list[tuple[int, int, Event]] = field(default_factory=list)
    _field_index: dict[str, int] = field(default_factory=dict)

    def field(self, dataset: str, name: str) -> int:
        key = field_key(dataset, name)
        if key not in self._field_index:
            self._field_index[key] = len(self.fields)
            self.fields.append(field_artifact(dataset, name))
        return self._field_index[key]


Entry = tuple[str, str, Mapping[str, Any], list[Mapping[str, Any]]]
"""(output dataset key, output field, the facet's entry for it, dataset-wide inputs)."""


def column_entries(outputs: Sequence[tuple[str, Any]]) -> list[Entry]:
    """The output fields of an event's ``columnLineage`` facets.

    Args:
        outputs: ``(dataset key, columnLineage facet)`` of each output carrying one.
    """
    todo: list[Entry] = []
    for dataset, facet in outputs:
        if not isinstance(facet, dict) or not isinstance(facet.get("fields"), dict):
            continue
        wide = _input_fields(facet.get("dataset"))
        for out_name, entry in sorted(facet["fields"].items()):
            if isinstance(entry, dict):
                todo.append((dataset, out_name, entry, wide))
    return todo


def transform_name(source: str, dataset: str, field: str) -> str:
    """The name of the transform deriving ``dataset``'s ``field`` for ``source``."""
    return canonical_json([source, field_key(dataset, field)])


def plan_columns(
    source: str,
    todo: Sequence[Entry],
    stored: Mapping[str, Execution],
    resolve: Resolve,
    when: EventTime,
) -> ColumnPlan:
    """Fields, transforms and edges for the ``columnLineage`` facets of one event.

    Args:
        source: the run id, ``ol:job:<job key>`` or ``ol:dataset``.
        todo: ``column_entries`` of the event's outputs.
        stored: the transforms already stored, by external id (their kept facet entry).
        resolve: maps an input field's (namespace, name) to its dataset key.
        when: the event's time.
    """
    plan = ColumnPlan()
    ts = when.ms
    names = [transform_name(source, d, f) for d, f, _, _ in todo]
    for (dataset, out_name, entry, wide), name in zip(todo, names, strict=True):
        fallback = entry.get("transformationType")
        fallback = fallback if isinstance(fallback, str) and fallback else None
        inputs = [(e, _paths(e, fallback)) for e in _input_fields(entry.get("inputFields"))]
        inputs += [(e, _paths(e, None)) for e in wide]
        out_field = plan.field(dataset, out_name)
        old = stored.get(transform_ext(name))
        plan.transforms.append(_transform(old, name, source, dataset, out_name, entry, wide, when))
        tx = len(plan.transforms) - 1
        plan.events.append(
            (
                tx,
                out_field,
                Event(artifact_id=0, execution_id=0, type=EventType.OUTPUT, timestamp=ts),
            )
        )
        for e, paths in inputs:
            src = plan.field(resolve(e["namespace"], e["name"]), e["field"])
            for path in paths:
                plan.events.append(
                    (
                        tx,
                        src,
                        Event(
                            artifact_id=0,
                            execution_id=0,
                            type=EventType.INPUT,
                            path=path,
                            timestamp=ts,
                        ),
                    )
                )
    return plan


def transform_ext(name: str) -> str:
    """The external id of a column transform."""
    return f"ol:column:{name}"


def _transform(
    old: Execution | None,
    name: str,
    source: str,
    dataset: str,
    out_name: str,
    entry: Mapping[str, Any],
    wide: list[Mapping[str, Any]],
    when: EventTime,
) -> Execution:
    content: dict[str, Value] = {
        **struct_or_text(P_COLUMN_LINEAGE, dict(entry)),
        **struct_or_text(P_DATASET_LINEAGE, [dict(e) for e in wide]),
    }
    if old is not None:
        kept = {k: v for k, v in old.custom_properties.items() if k in _CONTENT_KEYS}
        stamp = _stamp(meta_of(old.custom_properties).get("time"))
        if stamp is not None and not newer(when, content, stamp, kept):
            return old  # a newer event's entry is kept; only the edges accumulate
    return Execution(
        id=old.id if old is not None else None,
        type=TRANSFORM_TYPE,
        name=name,
        external_id=transform_ext(name),
        last_known_state=ExecutionState.UNKNOWN,
        custom_properties={
            P_SOURCE: source,
            P_DATASET: dataset,
            P_FIELD: out_name,
            **content,
            META: {"time": when.text},
        },
    )


_CONTENT_KEYS = frozenset(
    {P_COLUMN_LINEAGE, P_COLUMN_LINEAGE + "Text", P_DATASET_LINEAGE, P_DATASET_LINEAGE + "Text"}
)


def _stamp(text: object) -> EventTime | None:
    if not isinstance(text, str):
        return None
    try:
        return EventTime.parse(text)
    except InvalidInputError:
        return None


# ---- questions at column level --------------------------------------------------------------


class ColumnNode(BaseModel):
    """A dataset field in an answer."""

    model_config = ConfigDict(frozen=True)

    id: int
    dataset: str
    namespace: str
    name: str
    field: str
    hops: int | None = None


class ColumnTaint(BaseModel):
    """What a bad column reaches: columns (exact), the datasets holding them, and the models
    downstream of those datasets (dataset-level lineage, where column lineage ends)."""

    model_config = ConfigDict(frozen=True)

    source: ColumnNode
    columns: list[ColumnNode]
    datasets: list[LineageNode]
    models: list[LineageNode]


def find_column(store: Store, namespace: str, name: str, field: str) -> ColumnNode | None:
    """The field artifact of ``namespace``/``name``'s ``field`` (dataset aliases applied)."""
    from .openlineage import resolve_dataset_key

    dataset = resolve_dataset_key(store, namespace, name)
    found = store.get_artifact_by_type_and_name(FIELD_TYPE, field_key(dataset, field))
    if found is None or found.id is None:
        return None
    return _column(found.id, found.custom_properties)


def _column(node_id: int, props: Mapping[str, Any], hops: int | None = None) -> ColumnNode:
    dataset = str(props.get(P_DATASET, ""))
    namespace, name = split_ol_key(dataset) if "|" in dataset else ("", dataset)
    return ColumnNode(
        id=node_id,
        dataset=dataset,
        namespace=namespace,
        name=name,
        field=str(props.get(P_FIELD, "")),
        hops=hops,
    )


def _walk(store: Store, start: ColumnNode, direction: str) -> list[ColumnNode]:
    ref = NodeRef(kind=Kind.ARTIFACT, id=start.id)
    walk = lineage.upstream if direction == "upstream" else lineage.downstream
    found = walk(store, ref, types=[FIELD_TYPE], kinds=[Kind.ARTIFACT], with_properties=True)
    return [_column(n.id, n.properties or {}, n.hops) for n in found.artifacts]


def column_upstream(store: Store, column: ColumnNode) -> list[ColumnNode]:
    """The columns ``column`` is derived from, at any depth (by artifact id)."""
    return _walk(store, column, "upstream")


def column_downstream(store: Store, column: ColumnNode) -> list[ColumnNode]:
    """The columns derived from ``column``, at any depth (by artifact id)."""
    return _walk(store, column, "downstream")


def column_taint(
    store: Store, column: ColumnNode, *, model_types: Sequence[str] = MODEL_TYPES
) -> ColumnTaint:
    """What a bad column reaches (nothing is written; ``lineage.mark_bad`` on the field's
    ``NodeRef`` records an incident over the columns).

    Returns:
        The columns derived from it (exact, through column lineage), the datasets holding
        the source and those columns, and the artifacts of ``model_types`` downstream of
        those datasets or among them.
    """
    from .openlineage import DATASET_TYPE

    columns = column_downstream(store, column)
    keys = sorted({column.dataset, *(c.dataset for c in columns)})
    found = [store.get_artifact_by_type_and_name(DATASET_TYPE, k) for k in keys]
    held = sorted(
        (
            LineageNode(
                kind=Kind.ARTIFACT,
                id=a.id,
                type=a.type,
                name=a.name,
                uri=a.uri,
                state=a.state.value,
                create_time=a.create_time,
            )
            for a in found
            if a is not None and a.id is not None
        ),
        key=lambda n: n.id,
    )
    models: dict[int, LineageNode] = {n.id: n for n in held if n.type in model_types}
    if held:
        reached = store.lineage_walk(
            [n.ref for n in held],
            "downstream",
            types=tuple(model_types),
            kinds=(Kind.ARTIFACT,),
        )
        models.update({n.id: n for n in reached.artifacts})
    return ColumnTaint(
        source=column,
        columns=columns,
        datasets=held,
        models=[models[i] for i in sorted(models)],
    )


def dataset_key_of(namespace: str, name: str) -> str:
    """The key a dataset is stored under before aliases (``names.ol_key``)."""
    return ol_key(namespace, name)
