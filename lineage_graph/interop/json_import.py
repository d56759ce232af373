"""Read a ``lineage-graph/1`` JSON document (``export.write_json``) back into a store.

Two modes, chosen by the caller (``docs/export-json.md`` says the same for users):

* **Keeping ids** (the default): every node, incident and ``seq`` keeps its number, so ids
  written down in notes, tickets and ``a:42`` references stay valid and subscription cursors
  (seq numbers, or incident ids) resume where they were. Allowed when the store is empty, or
  when every id of the document that the store holds names the same node (``type``, ``name``,
  ``external_id``) -- a re-run of the same import. Anything else is refused with a pointer to
  ``merge``, because overwriting another history's node 7 with this one's node 7 would
  silently rewrite it.
* **Merging** (``merge=True``): into a store that holds other history. Ids are remapped
  consistently: a node whose ``(type, name)`` or ``external_id`` the store already holds *is*
  that node (it is kept as stored, and every edge of the document that touches it is mapped
  to it); any other node gets a new id from the store's counters, keeping its times. A node
  with neither name nor external id gets the external id ``lineage-graph:<source>:<kind>:<id>``
  (``source`` defaults to the document's ``exported_at``) so that a re-run finds it again.
  The roles mapping is merged entry by entry (the store's entries win). Incidents already
  there (same source, reason and creation time) are not repeated. Subscription cursors are
  not merged: they count in the other store's numbering, which does not exist here (a
  consumer starts again as its ``start=`` says).

Both modes are idempotent (a second import of the same document writes nothing) and atomic
per batch: types, then nodes ``batch`` at a time, then events, links, reuses and incidents,
each batch one transaction through the store's write rules (``store.rules.WriteRules``), so an
interrupted import leaves whole batches and a re-run completes it.

Example::

    with open("store.json") as fh:
        doc = read_document(fh)
    report = import_json(store, doc)             # or merge=True
    report.as_dict()
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..answers import ROLES_CONTEXT_NAME, ROLES_CONTEXT_TYPE, Incident, LineageNode, NodeRef
from ..answers import TaintedNode as Tainted
from ..errors import InvalidInputError
from ..models import (
    AnyType,
    Artifact,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    Execution,
    ExecutionType,
    Kind,
    ListOptions,
    Node,
    ParentContext,
    Reuse,
)
from ..store.base import Store
from ..store.port import NodeKeys
from ..store.rules import ImportCounts, WriteRules
from .export import FORMAT

__all__ = ["FORMAT", "ImportReport", "import_json", "read_document"]

CURSOR_CONTEXT_TYPE = "SubscriptionCursor"  # tracking.fields.CURSOR_CONTEXT_TYPE (no upward import)
SECTIONS = (
    "types", "artifacts", "executions", "contexts", "events", "attributions", "associations",
    "parent_contexts", "reuses", "incidents",
)
_NODE_MODELS: dict[Kind, type[Artifact] | type[Execution] | type[Context]] = {
    Kind.ARTIFACT: Artifact, Kind.EXECUTION: Execution, Kind.CONTEXT: Context,
}
_TYPE_MODELS: dict[str, type[ArtifactType] | type[ExecutionType] | type[ContextType]] = {
    "artifact": ArtifactType, "execution": ExecutionType, "context": ContextType,
}
# Contexts first: nothing points at them from the node sections, and a failure among
# artifacts leaves the pipelines in place for the re-run.
_NODE_ORDER = (Kind.CONTEXT, Kind.ARTIFACT, Kind.EXECUTION)
M = TypeVar("M", bound=BaseModel)


@dataclass
class ImportReport:
    """What ``import_json`` did: per section, how many records were new and how many were
    already there (equal, or in a merge the store's own node of that name)."""

    mode: str
    new: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    present: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    # Links (attributions, associations, parents, reuses) have no identity beyond their ends:
    # how many were written (again) is all a store can say.
    linked: dict[str, int] = field(default_factory=dict)
    skipped_cursors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "new": dict(self.new), "present": dict(self.present),
                "linked": dict(self.linked), "skipped_cursors": list(self.skipped_cursors)}


# ---- reading and checking the document ----------------------------------------------------


def read_document(source: IO[str], *, name: str = "input") -> dict[str, Any]:
    """Parse and check a document's envelope (format and sections).

    Raises:
        InvalidInputError: not JSON, not a ``lineage-graph/1`` document, a section missing
            or not a list (field ``file``/``format``/the section).
    """
    try:
        doc = json.load(source)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{name} is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            field="file", value=name,
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{name} is not UTF-8 text", field="file", value=name) from exc
    return check_document(doc)


def check_document(doc: object) -> dict[str, Any]:
    """``doc`` if it is a ``lineage-graph/1`` document (sections present and lists)."""
    if not isinstance(doc, dict):
        raise InvalidInputError("the document is not a JSON object", field="format")
    found = doc.get("format")
    if found != FORMAT:
        hint = " (an export of an older lineage-graph: export it again)" if (
            found == "lineage-graph/export") else ""
        raise InvalidInputError(
            f"format {found!r} is not {FORMAT!r}{hint}", field="format", value=found
        )
    for section in SECTIONS:
        if not isinstance(doc.get(section), list):
            raise InvalidInputError(
                f"section {section!r} is missing or not a list", field=section
            )
    return doc


def _parse(model: type[M], section: str, index: int, record: object) -> M:
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(
            f"{section}[{index}]: {where}: {first['msg']}", field=section
        ) from exc


def _types(doc: Mapping[str, Any]) -> list[AnyType]:
    out: list[AnyType] = []
    for i, record in enumerate(doc["types"]):
        kind = record.get("kind") if isinstance(record, dict) else None
        if kind not in _TYPE_MODELS:
            raise InvalidInputError(f"types[{i}]: kind {kind!r} is not known", field="types")
        out.append(_parse(_TYPE_MODELS[kind], "types", i, record))
    # Types are keyed by name and numbered by the store; written in the document's id order,
    # an empty store numbers them as the exporting store did.
    return sorted(out, key=lambda t: t.id or 0)


def _nodes(doc: Mapping[str, Any], kind: Kind) -> list[Node]:
    section = kind.value + "s"
    model = _NODE_MODELS[kind]
    nodes: list[Node] = []
    for i, record in enumerate(doc[section]):
        node = _parse(model, section, i, record)
        if node.id is None:
            raise InvalidInputError(f"{section}[{i}]: id is missing", field=section)
        nodes.append(node)
    return nodes


def _records(doc: Mapping[str, Any], section: str, model: type[M]) -> list[M]:
    return [_parse(model, section, i, r) for i, r in enumerate(doc[section])]


class _IncidentRecord(BaseModel):
    id: int
    reason: str
    created: int
    status: str
    source: NodeRef
    barrier_types: list[str]
    resolved: int | None = None
    resolution: str | None = None
    reached: list[dict[str, Any]]


_REACHED = TypeAdapter(list[tuple[Kind, int, int, NodeRef]])


def _incidents(doc: Mapping[str, Any]) -> list[Incident]:
    """Incident records as ``Incident`` answers with ``reached`` loaded (node refs only: a
    store shows a node as it stores it)."""
    out: list[Incident] = []
    for i, record in enumerate(doc["incidents"]):
        r = _parse(_IncidentRecord, "incidents", i, record)
        try:
            reached = _REACHED.validate_python(
                [(t["kind"], t["id"], t["hops"], t["via"]) for t in r.reached]
            )
        except (KeyError, TypeError, ValidationError) as exc:
            raise InvalidInputError(
                f"incidents[{i}].reached: each needs kind, id, hops and via", field="incidents"
            ) from exc
        out.append(_parse(Incident, "incidents", i, {
            **r.model_dump(exclude={"reached"}),
            "reached_count": len(reached),
            "reached": [
                Tainted(node=LineageNode(kind=k, id=n, type="?"), hops=h, via=via)
                for k, n, h, via in reached
            ],
        }))
    return out


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---- the import ------------------------------------------------------------------------------


def _empty(store: Store) -> bool:
    return not store.incident_list(None) and not any(
        store.list_nodes(kind, ListOptions(limit=1)).items for kind in Kind
    )


def _check_same_ids(store: Store, nodes: Mapping[Kind, Sequence[Node]], batch: int) -> None:
    """Keeping ids in a store that is not empty: each id it holds must name the same node."""
    for kind, group in nodes.items():
        for part in _chunks(group, batch):
            mine = {n.id: n for n in part}
            for stored in store.get_nodes_by_id(kind, [n.id for n in part if n.id is not None]):
                new = mine[stored.id]
                if (stored.type, stored.name, stored.external_id) != (
                    new.type, new.name, new.external_id
                ):
                    raise InvalidInputError(
                        f"the store holds other history: {kind.value} {stored.id} is "
                        f"{stored.type}:{stored.name} here and {new.type}:{new.name} in the "
                        "document; import with --merge (new ids) or into an empty store",
                        field="merge",
                    )


def import_json(
    store: Store,
    doc: Mapping[str, Any],
    *,
    merge: bool = False,
    source: str | None = None,
    batch: int = 1000,
) -> ImportReport:
    """Import a checked document (``read_document``); the module docstring has the rules.

    Args:
        merge: remap ids into a store that holds other history.
        source: with ``merge``, the name in the external ids given to unnamed nodes.
        batch: nodes (or edges) per transaction.

    Raises:
        InvalidInputError: a malformed record (naming section and index), or ids that the
            store uses for other nodes without ``merge``.
        AlreadyExistsError: a type declared differently in the store.
    """
    check_document(doc)
    types = _types(doc)
    nodes = {kind: _nodes(doc, kind) for kind in _NODE_ORDER}
    events = _records(doc, "events", Event)
    attributions = _records(doc, "attributions", Attribution)
    associations = _records(doc, "associations", Association)
    parents = _records(doc, "parent_contexts", ParentContext)
    reuses = _records(doc, "reuses", Reuse)
    incidents = _incidents(doc)
    store.init_schema()
    if merge:
        report = ImportReport("merged")
        ids = _merge_nodes(store, types, nodes, report, source or str(doc["exported_at"]),
                           batch)
    else:
        report = ImportReport("kept ids")
        keep_seq = _empty(store)
        if not keep_seq:
            _check_same_ids(store, nodes, batch)
        _keep_nodes(store, types, nodes, report, keep_seq, batch)
        ids = {k: {n.id: n.id for n in group if n.id is not None} for k, group in nodes.items()}

    def mapped(kind: Kind, ident: int) -> int | None:
        return ids[kind].get(ident)

    def edges(section: str, records: Sequence[Any],
              remap: Any, write: Any) -> None:
        out = [m for m in (remap(r) for r in records) if m is not None]
        for part in _chunks(out, batch):
            new = store.atomic(partial(write, part=part))
            if new is None:
                report.linked[section] = report.linked.get(section, 0) + len(part)
            else:
                report.new[section] += new
                report.present[section] += len(part) - new

    edges("events", events, lambda e: _remap(e, mapped, artifact_id=Kind.ARTIFACT,
                                             execution_id=Kind.EXECUTION),
          lambda w, part: w.put_events(part))
    edges("attributions", attributions,
          lambda a: _remap(a, mapped, artifact_id=Kind.ARTIFACT, context_id=Kind.CONTEXT),
          lambda w, part: _links(w, part, ()))
    edges("associations", associations,
          lambda a: _remap(a, mapped, execution_id=Kind.EXECUTION, context_id=Kind.CONTEXT),
          lambda w, part: _links(w, (), part))
    edges("parent_contexts", parents,
          lambda p: _remap(p, mapped, child_id=Kind.CONTEXT, parent_id=Kind.CONTEXT),
          _parents)
    edges("reuses", reuses,
          lambda r: _remap(r, mapped, execution_id=Kind.EXECUTION, original_id=Kind.EXECUTION),
          _reuses)
    _import_incidents(store, incidents, mapped, merge, report, batch)
    return report


def _remap(record: M, mapped: Any, **fields: Kind) -> M | None:
    """The record with its ids mapped (None when an end was not imported: a skipped cursor)."""
    update: dict[str, int] = {}
    for name, kind in fields.items():
        new = mapped(kind, getattr(record, name))
        if new is None:
            return None
        update[name] = new
    return record.model_copy(update=update)


def _links(w: WriteRules, attributions: Sequence[Attribution],
           associations: Sequence[Association]) -> None:
    w.put_links(attributions, associations)


def _parents(w: WriteRules, part: Sequence[ParentContext]) -> None:
    w.put_parents(part)


def _reuses(w: WriteRules, part: Sequence[Reuse]) -> None:
    w.put_reuses(part)


def _keep_nodes(store: Store, types: Sequence[AnyType], nodes: Mapping[Kind, Sequence[Node]],
                report: ImportReport, keep_seq: bool, batch: int) -> None:
    if types:
        store.put_types(types)
        report.present["types"] = len(types)
    for kind, group in nodes.items():
        section = kind.value + "s"
        for part in _chunks(group, batch):
            counts = store.atomic(
                partial(_import_batch, kind=kind, part=part, keep_seq=keep_seq)
            )
            report.new[section] += counts.new
            report.present[section] += counts.updated + counts.unchanged


def _import_batch(
    w: WriteRules, *, kind: Kind, part: Sequence[Node], keep_seq: bool
) -> ImportCounts:
    return w.import_nodes(kind, part, skip_unchanged=True, keep_seq=keep_seq)


def _merge_nodes(store: Store, types: Sequence[AnyType], nodes: Mapping[Kind, Sequence[Node]],
                 report: ImportReport, source: str, batch: int) -> dict[Kind, dict[int, int]]:
    """Merge: claims found in the store map to its nodes; the rest get new ids."""
    from .mlmd_merge import merged_types

    if types:
        store.put_types(merged_types(store, types))
        report.present["types"] = len(types)
    ids: dict[Kind, dict[int, int]] = {k: {} for k in Kind}
    roles_entries: dict[str, str] = {}
    for kind, group in nodes.items():
        section = kind.value + "s"
        todo: list[Node] = []
        for node in group:
            if kind is Kind.CONTEXT and node.type == CURSOR_CONTEXT_TYPE:
                report.skipped_cursors.append(node.name or str(node.id))
                continue
            if node.name is None and node.external_id is None:
                key = f"lineage-graph:{source}:{kind.value}:{node.id}"
                node = node.model_copy(update={"external_id": key})  # noqa: PLW2901
            todo.append(node)
        for part in _chunks(todo, batch):
            found, created = store.atomic(partial(_merge_batch, kind=kind, part=part))
            for n in part:
                if n.id in found:
                    ids[kind][n.id] = found[n.id]
                    if (kind, n.type, n.name) == (Kind.CONTEXT, ROLES_CONTEXT_TYPE,
                                                  ROLES_CONTEXT_NAME):
                        roles_entries = {k: v for k, v in n.custom_properties.items()
                                         if isinstance(v, str)}
            ids[kind].update(created)
            report.new[section] += len(created)
            report.present[section] += len(part) - len(created)
    if roles_entries:
        from .. import roles

        roles.extend(store, roles_entries, overwrite=False)
    return ids


def _merge_batch(w: WriteRules, *, kind: Kind, part: Sequence[Node]
                 ) -> tuple[dict[int, int], dict[int, int]]:
    """One batch of a merge: (document id -> stored id for claims the store holds,
    document id -> new id for the nodes written)."""
    keys = NodeKeys(
        ids=[],
        names=sorted({(n.type, n.name) for n in part if n.name is not None}),
        external_ids=sorted({n.external_id for n in part if n.external_id is not None}),
    )
    stored = w.port.find_nodes(kind, keys)
    by_name = {(s.type, s.name): s.id for s in stored if s.name is not None}
    by_ext = {s.external_id: s.id for s in stored if s.external_id is not None}
    found: dict[int, int] = {}
    new: list[Node] = []
    for n in part:
        assert n.id is not None
        hit = by_name.get((n.type, n.name)) if n.name is not None else None
        if hit is None and n.external_id is not None:
            hit = by_ext.get(n.external_id)
        if hit is not None:
            found[n.id] = hit
        else:
            new.append(n)
    if not new:
        return found, {}
    # New ids from the store's own counter, then written keeping the document's times.
    first = w.port.reserve({kind.value: len(new)})[kind.value]
    created = {n.id: first + i for i, n in enumerate(new) if n.id is not None}
    w.import_nodes(kind, [n.model_copy(update={"id": created[n.id or 0], "seq": None})
                          for n in new])
    return found, created


def _import_incidents(store: Store, incidents: Sequence[Incident], mapped: Any, merge: bool,
                      report: ImportReport, batch: int) -> None:
    def remap_ref(ref: NodeRef) -> NodeRef | None:
        new = mapped(ref.kind, ref.id)
        return None if new is None else NodeRef(kind=ref.kind, id=new)

    todo: list[Incident] = []
    for inc in incidents:
        src = remap_ref(inc.source)
        reached = [
            t.model_copy(update={"node": t.node.model_copy(update={"id": n.id}), "via": via})
            for t in inc.reached or ()
            if (n := remap_ref(t.node.ref)) is not None and (via := remap_ref(t.via)) is not None
        ]
        if src is None:
            continue
        todo.append(inc.model_copy(update={"source": src, "reached": reached}))
    if merge:
        # The same incident: same source, reason and creation; or, both open, the same source,
        # reason and barriers (the store's own rule: marking a node bad twice is one incident).
        stored = store.incident_list(None)
        known = {(i.source, i.reason, i.created) for i in stored}
        known_open = {(i.source, i.reason, tuple(sorted(i.barrier_types)))
                      for i in stored if i.status == "OPEN"}
        fresh = [
            i for i in todo
            if (i.source, i.reason, i.created) not in known
            and not (i.status == "OPEN"
                     and (i.source, i.reason, tuple(sorted(i.barrier_types))) in known_open)
        ]
        report.present["incidents"] += len(todo) - len(fresh)

        def renumber(w: WriteRules, *, part: Sequence[Incident]) -> int:
            first = w.port.reserve({"incident": len(part)})["incident"]
            return w.import_incidents(
                [inc.model_copy(update={"id": first + i}) for i, inc in enumerate(part)]
            )

        for part in _chunks(fresh, batch):
            report.new["incidents"] += store.atomic(partial(renumber, part=part))
        return
    by_id = {i.id: i for i in store.incident_list(None)}
    for inc in todo:
        old = by_id.get(inc.id)
        if old is not None and (old.source, old.reason, old.created) != (
            inc.source, inc.reason, inc.created
        ):
            raise InvalidInputError(
                f"the store holds another incident {inc.id}; import with --merge (new ids) "
                "or into an empty store", field="merge",
            )
    for part in _chunks(todo, batch):
        new = store.atomic(partial(_incident_batch, part=part))
        report.new["incidents"] += new
        report.present["incidents"] += len(part) - new


def _incident_batch(w: WriteRules, *, part: Sequence[Incident]) -> int:
    return w.import_incidents(part)


def sections(doc: Mapping[str, Any]) -> Iterable[tuple[str, int]]:
    """(section, number of records): what a document holds (for messages)."""
    return ((s, len(doc[s])) for s in SECTIONS)
