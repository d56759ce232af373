"""MLMD history merged into a store that holds other history (``import_mlmd(merge=True)``).

The id-keeping import (``mlmd.import_mlmd``) needs the MLMD ids free; here every node gets a
new id from the store and an external id that finds it again (``mlmd.py``'s docstring has
the rules). Per page of MLMD nodes: one transaction writes the nodes with their context links
and (for executions) their events, MLMD ids mapped to the store's through a map the import
keeps in memory (ids only: a few bytes per node).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import AlreadyExistsError, InvalidInputError
from ..models import (
    AnyType,
    Association,
    Attribution,
    Event,
    Kind,
    ListOptions,
    Node,
    ParentContext,
)
from ..store.base import Store
from ..store.rules import WriteRules
from ..store.validation import content_equal

if TYPE_CHECKING:
    from ml_metadata.metadata_store import MetadataStore

    from .mlmd import ImportReport, _Converter

Progress = Callable[[str, int, int], None]
_KINDS = (Kind.CONTEXT, Kind.ARTIFACT, Kind.EXECUTION)


def merged_types(store: Store, types: Sequence[AnyType]) -> list[AnyType]:
    """MLMD's types with the properties the store's types of the same name declare added
    (``put_types`` refuses to drop a declared property).

    Raises:
        AlreadyExistsError: a property both declare, with different value types.
    """
    stored = {(t.kind, t.name): t for kind in Kind for t in store.get_types(kind)}
    out: list[AnyType] = []
    for t in types:
        old = stored.get((t.kind, t.name))
        if old is None:
            out.append(t)
            continue
        for prop, ptype in old.properties.items():
            if prop in t.properties and t.properties[prop] != ptype:
                raise AlreadyExistsError(
                    f"type {t.name!r} declares {prop!r} as {ptype.value} in the store and as "
                    f"{t.properties[prop].value} in MLMD"
                )
        out.append(t.model_copy(update={"properties": {**old.properties, **t.properties}}))
    return out


def external_key(node: Node, kind: Kind, source: str | None) -> str:
    """How a merged node is found again: MLMD's external id, else ``mlmd:<kind>:<id>``."""
    if node.external_id is not None:
        return node.external_id
    prefix = f"mlmd:{source}:" if source else "mlmd:"
    return f"{prefix}{kind.value}:{node.id}"


def _by_external_ids(store: Store, kind: Kind, keys: Sequence[str]) -> dict[str, Node]:
    found: dict[str, Node] = {}
    options = ListOptions(external_ids=tuple(keys), limit=1000)
    while keys:
        page = store.list_nodes(kind, options)
        found.update({n.external_id: n for n in page.items if n.external_id is not None})
        if page.next_cursor is None:
            break
        options = options.model_copy(update={"cursor": page.next_cursor})
    return found


class Merger:
    """One merge import: the MLMD id -> store id maps and the per-page writes."""

    def __init__(
        self,
        store: Store,
        mlmd: MetadataStore,
        conv: _Converter,
        report: ImportReport,
        source: str | None,
    ) -> None:
        self.store, self.mlmd, self.conv, self.report = store, mlmd, conv, report
        self.source = source
        self.ids: dict[Kind, dict[int, int]] = {k: {} for k in _KINDS}

    def page(self, kind: Kind, page: Sequence[Any]) -> None:
        """One page of MLMD nodes, with links and events: one transaction. (Links to nodes
        past the import's bounds are left out: those nodes are not in the maps.)"""
        from .mlmd import _links

        nodes = [self.conv.node(kind, n) for n in page]
        keys = [external_key(n, kind, self.source) for n in nodes]
        found = _by_external_ids(self.store, kind, keys)
        writes: list[Node] = []
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for node, key in zip(nodes, keys, strict=True):
            old = found.get(key)
            mapped = node.model_copy(
                update={
                    "id": old.id if old is not None else None,
                    "external_id": key,
                    "create_time": None,
                    "update_time": None,
                }
            )
            if old is not None:
                counts["unchanged" if content_equal(old, mapped) else "updated"] += 1
            elif (
                kind is Kind.CONTEXT
                and node.name is not None
                and (self.store.get_context_by_type_and_name(node.type, node.name) is not None)
            ):
                self.report.adopted_contexts += 1  # the store's context of that name
                counts["unchanged"] += 1
            else:
                counts["new"] += 1
            writes.append(mapped)
        mlmd_ids = [n.id for n in nodes if n.id is not None]
        attributions: list[Attribution] = []
        associations: list[Association] = []
        events: list[Event] = []
        ctx_ids = self.ids[Kind.CONTEXT]
        if kind is Kind.ARTIFACT:
            attributions = [
                Attribution(artifact_id=a.artifact_id, context_id=ctx_ids[a.context_id])
                for a in _links(self.mlmd, kind, mlmd_ids)
                if a.context_id in ctx_ids
            ]
        elif kind is Kind.EXECUTION:
            associations = [
                Association(execution_id=a.execution_id, context_id=ctx_ids[a.context_id])
                for a in _links(self.mlmd, kind, mlmd_ids)
                if a.context_id in ctx_ids
            ]
            for e in self.mlmd.get_events_by_execution_ids(mlmd_ids):
                event = self.conv.event(e)
                if event is None:
                    self.report.events_skipped += 1
                elif event.artifact_id in self.ids[Kind.ARTIFACT]:
                    events.append(
                        event.model_copy(
                            update={"artifact_id": self.ids[Kind.ARTIFACT][event.artifact_id]}
                        )
                    )

        def work(w: WriteRules) -> tuple[list[int], int]:
            new_ids = w.put_nodes(
                kind, writes, skip_unchanged=True, reuse_by_name=kind is Kind.CONTEXT
            )
            mine = dict(zip(mlmd_ids, new_ids, strict=True))
            w.put_links(
                [a.model_copy(update={"artifact_id": mine[a.artifact_id]}) for a in attributions],
                [a.model_copy(update={"execution_id": mine[a.execution_id]}) for a in associations],
            )
            created = w.put_events(
                [e.model_copy(update={"execution_id": mine[e.execution_id]}) for e in events]
            )
            return new_ids, created

        try:
            new_ids, created = self.store.atomic(work)
        except InvalidInputError as exc:
            if exc.field != "type":
                raise
            raise AlreadyExistsError(
                f"{exc}: an MLMD {kind.value}'s external id is taken by a node of another type"
            ) from exc
        self.ids[kind].update(zip(mlmd_ids, new_ids, strict=True))
        r = self.report
        r.new[kind.value] += counts["new"]
        r.updated[kind.value] += counts["updated"]
        r.unchanged[kind.value] += counts["unchanged"]
        r.attributions += len(attributions)
        r.associations += len(associations)
        r.events_new += created
        r.events_known += len(events) - created

    def parents(self, page: Sequence[Any]) -> int:
        """Parent links of a page of MLMD contexts (both ends mapped)."""
        ids = self.ids[Kind.CONTEXT]
        links = [
            ParentContext(child_id=ids[int(c.id)], parent_id=ids[int(p.id)])
            for c in page
            if int(c.id) in ids
            for p in self.mlmd.get_parent_contexts_by_context(c.id)
            if int(p.id) in ids and ids[int(p.id)] != ids[int(c.id)]
        ]
        if links:
            self.store.put_parent_contexts(links)
        return len(links)
