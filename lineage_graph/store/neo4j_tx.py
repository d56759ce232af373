"""Named statements inside one managed Neo4j transaction, and the writes built from them.

``StatementRunner`` runs a named ``.cypher`` file (kind labels spliced from a closed set) and
returns its rows. ``Neo4jPort`` is the backend's ``WritePort`` for one write transaction:
lookups and UNWIND-batched writes, no rules (those are ``store.rules``). A transaction
function that raises leaves nothing behind, and the driver may run it again on a transient
error: the rules recompute their plan from the database, so a retry is a clean re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from ..answers import Incident
from ..models import (
    AnyType,
    Association,
    Attribution,
    Event,
    EventType,
    Kind,
    Node,
    ParentContext,
    Reuse,
)
from ..queries import query
from . import validation as v
from .neo4j_codec import (
    KIND_OF_TYPE_LABEL,
    TYPE_LABEL,
    decode_node,
    decode_type,
    encode_node,
    encode_path,
    encode_type,
    state_labels,
)
from .port import NodeKeys, NodeWrite

# Rows per UNWIND statement: large enough that 10,000 nodes are one round trip.
BATCH = 10_000

Hook = Callable[[str], None]

# Relationship families whose writes CREATE at nodes the transaction created (Neo4jPort).
_FAMILIES = ("event", "attribution", "association")
_EVENT_ENDS = (Kind.ARTIFACT, Kind.EXECUTION)
# (MERGE, CREATE) statements of input (True) and output (False) events.
_EVENT_STATEMENTS = {
    True: ("event_put_input", "event_create_input"),
    False: ("event_put_output", "event_create_output"),
}
# The row key holding each kind's end id.
_END = {Kind.ARTIFACT: "artifact_id", Kind.EXECUTION: "execution_id", Kind.CONTEXT: "context_id"}


@cache
def cypher(name: str, kind: Kind | None = None, event: EventType | None = None) -> LiteralString:
    """The text of a named statement with its placeholders replaced.

    ``__KIND__``/``__TYPE__`` become ``kind``'s node/type label, ``__EVENT__`` the event
    type's relationship type. The only place anything is spliced into Cypher, and only from
    closed enums (``Kind``, ``EventType``); values are always parameters.
    """
    text = query(name)
    if kind is not None:
        text = text.replace("__KIND__", kind.label).replace("__TYPE__", TYPE_LABEL[kind])
    if event is not None:
        text = text.replace("__EVENT__", EventType(event).name)
    if any(token in text for token in ("__KIND__", "__TYPE__", "__EVENT__")):
        raise ValueError(f"query {name!r} needs a kind or an event type")
    # Still as trusted as a literal: only enum-given label and type names were spliced in.
    trusted: LiteralString = text  # type: ignore[assignment,unused-ignore]
    return trusted


def chunks(rows: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class StatementRunner:
    """Runs named statements in one managed transaction; ``hook`` sees each name (tests)."""

    def __init__(self, tx: ManagedTransaction, hook: Hook | None = None) -> None:
        self.tx = tx
        self.hook = hook

    def run(
        self,
        statement: str,
        kind: Kind | None = None,
        /,
        *,
        event: EventType | None = None,
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Run ``cypher/queries/<statement>.cypher`` with ``params``; its rows as dicts."""
        result = self.tx.run(cypher(statement, kind, event), params)
        rows = [record.data() for record in result]
        if self.hook is not None:
            self.hook(statement)
        return rows

    def run_batched(
        self,
        name: str,
        kind: Kind | None,
        key: str,
        rows: Sequence[Any],
        event: EventType | None = None,
    ) -> int:
        """Run a statement over ``rows`` in UNWIND batches of ``BATCH``.

        Returns:
            The sum of the statements' single count column (rows written or matched).
        """
        total = 0
        for part in chunks(rows):
            out = self.run(name, kind, event=event, **{key: list(part)})
            total += next(iter(out[0].values())) if out else 0
        return total

    # ---- reads shared by read and write transactions ------------------------------------

    def types(self, kind: Kind, names: Sequence[str] | None = None) -> list[AnyType]:
        rows = self.run("type_get", kind, names=None if names is None else list(names))
        return [decode_type(kind, r["props"]) for r in rows]

    def nodes_by_id(self, kind: Kind, ids: Sequence[int]) -> list[Node]:
        found: list[Node] = []
        for part in chunks(ids):
            rows = self.run("node_get_by_ids", kind, ids=list(part))
            found.extend(decode_node(kind, r["props"]) for r in rows)
        return found

    def existing_ids(self, kind: Kind, ids: Iterable[int]) -> set[int]:
        wanted = sorted({i for i in ids if v.fits_int64(i)})
        found: set[int] = set()
        for part in chunks(wanted):
            found.update(self.run("node_existing_ids", kind, ids=list(part))[0]["ids"])
        return found


class Neo4jPort(StatementRunner):
    """``WritePort`` for one managed write transaction. Construct it inside the function.

    Takes the store-wide lock first, so writers serialise and ``seq`` order is commit order.
    """

    def __init__(self, tx: ManagedTransaction, hook: Hook | None = None) -> None:
        super().__init__(tx, hook)
        self.run("counter_lock")
        # Nodes this transaction created that no relationship of a family (events,
        # attributions, associations) has touched yet: none of that family can exist at
        # them, so one with such an end is CREATEd, not MERGEd (no expansion, no lock on the
        # other end's relationships). A retry builds a new port, so this starts empty.
        self._fresh: dict[str, dict[Kind, set[int]]] = {
            family: {k: set() for k in Kind} for family in _FAMILIES
        }

    def stored_types(self) -> Mapping[Kind, Mapping[str, AnyType]]:
        types: dict[Kind, dict[str, AnyType]] = {k: {} for k in Kind}
        for row in self.run("type_get_all"):
            kind = KIND_OF_TYPE_LABEL[row["label"]]
            t = decode_type(kind, row["props"])
            types[kind][t.name] = t
        return types

    def write_types(self, kind: Kind, types: Sequence[AnyType]) -> None:
        self.run("type_put", kind, rows=[encode_type(t, t.id) for t in types if t.id is not None])

    def reserve(self, counts: Mapping[str, int]) -> dict[str, int]:
        requests = [{"kind": k, "count": n} for k, n in counts.items() if n > 0]
        rows = self.run("counter_reserve", requests=requests) if requests else []
        first = {r["kind"]: r["first"] for r in rows}
        return {k: first.get(k, 0) for k in counts}

    def raise_counter(self, counter: str, at_least: int) -> None:
        self.run("counter_raise", kind=counter, at_least=at_least)

    def find_nodes(self, kind: Kind, keys: NodeKeys) -> list[Node]:
        found: dict[int, Node] = {}
        for node in self.nodes_by_id(kind, keys.ids):
            found[node.id or 0] = node
        for part in chunks(keys.names):
            pairs = [{"type": t, "name": n} for t, n in part]
            for r in self.run("node_find_by_names", kind, keys=pairs):
                node = decode_node(kind, r["props"])
                found[node.id or 0] = node
        for part in chunks(keys.external_ids):
            for r in self.run("node_find_by_external_ids", kind, external_ids=list(part)):
                node = decode_node(kind, r["props"])
                found[node.id or 0] = node
        return list(found.values())

    def write_nodes(
        self, kind: Kind, updates: Sequence[NodeWrite], creates: Sequence[NodeWrite]
    ) -> None:
        rows: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for is_update, writes in ((True, updates), (False, creates)):
            for w in writes:
                props = encode_node(
                    w.node,
                    node_id=w.node_id,
                    create_time=w.create_time,
                    update_time=w.update_time,
                    seq=w.seq,
                )
                add, drop = state_labels(w.node)
                rows[is_update].append(
                    {"id": w.node_id, "props": props, "add": add, "drop": drop}
                    if is_update
                    else {"label": w.label, "props": props, "add": add}
                )
        # Updates first: a new node may take a name an update just gave up.
        self.run_batched("node_update", kind, "rows", rows[True])
        self.run_batched("node_create", kind, "rows", rows[False])
        for fresh in self._fresh.values():
            fresh[kind].update(w.node_id for w in creates)

    def _split(
        self, family: str, ends: tuple[Kind, Kind], rows: Iterable[tuple[Any, dict[str, Any]]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(rows to MERGE, distinct rows to CREATE with their count ``n``) of one family from
        ``(identity key, row)`` pairs; a row's ends are under ``_END`` of ``ends``. Every end
        is then no longer fresh for the family (a later write here may repeat a link)."""
        fresh_a, fresh_b = (self._fresh[family][k] for k in ends)
        merge: list[dict[str, Any]] = []
        create: dict[Any, dict[str, Any]] = {}
        touched_a: set[int] = set()
        touched_b: set[int] = set()
        for key, row, a, b in ((k, r, r[_END[ends[0]]], r[_END[ends[1]]]) for k, r in rows):
            touched_a.add(a)
            touched_b.add(b)
            if a in fresh_a or b in fresh_b:
                seen = create.get(key)
                if seen is None:
                    create[key] = {**row, "n": 1}  # the first one's ts, as MERGE keeps
                else:
                    seen["n"] += 1
            else:
                merge.append(row)
        fresh_a -= touched_a
        fresh_b -= touched_b
        return merge, list(create.values())

    def write_events(self, events: Sequence[Event]) -> tuple[int, int]:
        keyed: list[tuple[Any, dict[str, Any]]] = []
        # Batches repeat a few paths many times; steps are checked int (never bool) or str,
        # so equal tuples encode equally.
        paths: dict[tuple[int | str, ...], str] = {}
        for e in events:
            path = paths.get(e.path)
            if path is None:
                path = paths[e.path] = encode_path(e.path)
            row: dict[str, Any] = {
                "type": e.type,
                "artifact_id": e.artifact_id,
                "execution_id": e.execution_id,
                "path": path,
                "ts": e.timestamp,
            }
            keyed.append(((e.type, e.artifact_id, e.execution_id, path), row))
        # Split once for every type: an end stays fresh for all the event types of this call.
        merge, create = self._split("event", _EVENT_ENDS, keyed)
        by_type: dict[tuple[EventType, int], list[dict[str, Any]]] = {}
        for way, rows in enumerate((merge, create)):
            for row in rows:
                event_type: EventType = row.pop("type")
                by_type.setdefault((event_type, way), []).append(row)
        # One statement per event type present (a relationship type cannot be a parameter
        # without making MERGE ten times slower).
        matched = created = 0
        for (event_type, way), rows in by_type.items():
            name = _EVENT_STATEMENTS[event_type.is_input][way]
            for part in chunks(rows):
                result = self.tx.run(cypher(name, None, event_type), rows=list(part))
                matched += result.single(strict=True)["written"]
                created += result.consume().counters.relationships_created
                if self.hook is not None:
                    self.hook(name)
        return matched, created

    def write_links(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> int:
        return self._write_family(
            "attribution", ("context_put_attributions", "context_create_attributions"),
            (Kind.ARTIFACT, Kind.CONTEXT),
            [{"artifact_id": a.artifact_id, "context_id": a.context_id} for a in attributions],
        ) + self._write_family(
            "association", ("context_put_associations", "context_create_associations"),
            (Kind.EXECUTION, Kind.CONTEXT),
            [{"execution_id": a.execution_id, "context_id": a.context_id} for a in associations],
        )

    def _write_family(
        self, family: str, statements: tuple[str, str], ends: tuple[Kind, Kind],
        rows: list[dict[str, Any]],
    ) -> int:
        """Links of one family: MERGEd, or CREATEd where an end is fresh (``_split``); a
        link's identity is its two end ids."""
        merge, create = self._split(family, ends, ((tuple(r.values()), r) for r in rows))
        return self.run_batched(statements[0], None, "rows", merge) + self.run_batched(
            statements[1], None, "rows", create
        )

    def context_ancestry(self, ids: Sequence[int]) -> tuple[set[int], list[tuple[int, int]]]:
        row = self.run("context_ancestor_edges", ids=[i for i in ids if v.fits_int64(i)])[0]
        return set(row["found"]), [(c, p) for c, p in row["edges"]]

    def write_parents(self, links: Sequence[ParentContext]) -> None:
        self.run_batched(
            "context_put_parents",
            None,
            "rows",
            [{"child_id": lk.child_id, "parent_id": lk.parent_id} for lk in links],
        )

    def write_reuses(self, links: Sequence[Reuse]) -> int:
        return self.run_batched(
            "execution_put_reuses",
            None,
            "rows",
            [{"execution_id": lk.execution_id, "original_id": lk.original_id} for lk in links],
        )

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        deleted = 0
        for part in chunks([i for i in ids if v.fits_int64(i)]):
            deleted += self.run("node_delete", kind, ids=list(part))[0]["deleted"]
        return deleted

    def write_incidents(self, incidents: Sequence[Incident]) -> int:
        rows = [
            {
                **inc.model_dump(include={"id", "reason", "created", "status", "resolved",
                                          "resolution"}),
                "barrier_types": sorted(inc.barrier_types),
                "source_kind": inc.source.kind.value,
                "source_id": inc.source.id,
                "reached": [
                    {"kind": t.node.kind.value, "id": t.node.id, "hops": t.hops,
                     "via": t.via.id, "via_kind": t.via.kind.value}
                    for t in inc.reached or ()
                ],
            }
            for inc in incidents
        ]
        return self.run_batched("incident_import", None, "rows", rows)
