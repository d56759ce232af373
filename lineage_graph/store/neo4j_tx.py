"""Named statements inside one managed Neo4j transaction, and the writes built from them.

``StatementRunner`` runs a named ``.cypher`` file (kind labels spliced from a closed set) and
returns its rows. ``Writer`` is one write transaction's work: it takes the store-wide lock
first (so writers serialise and ``seq`` order is commit order), checks everything through
``store.validation`` against what is stored, then writes with UNWIND batches. A transaction
function that raises leaves nothing behind, and the driver may run it again on a transient
error: every method here recomputes its plan from the database, so a retry is a clean re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from ..errors import AlreadyExistsError, InvalidInputError, NotFoundError
from ..models import (
    AnyType,
    Association,
    Attribution,
    Event,
    EventType,
    Kind,
    Node,
    ParentContext,
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

# Rows per UNWIND statement: large enough that 10,000 nodes are one round trip.
BATCH = 10_000

Hook = Callable[[str], None]


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
        wanted = sorted({i for i in ids if _fits(i)})
        found: set[int] = set()
        for part in chunks(wanted):
            found.update(self.run("node_existing_ids", kind, ids=list(part))[0]["ids"])
        return found


def _fits(i: object) -> bool:
    return isinstance(i, int) and not isinstance(i, bool) and v.INT64_MIN <= i <= v.INT64_MAX


class Writer(StatementRunner):
    """One write transaction. Construct it inside the transaction function."""

    def __init__(self, tx: ManagedTransaction, hook: Hook | None = None) -> None:
        super().__init__(tx, hook)
        self.now = v.now_ms()
        self._types: dict[Kind, dict[str, AnyType]] | None = None
        # Serialise writers on the seq counter before reading anything we decide on.
        self.run("counter_lock")

    # ---- counters ------------------------------------------------------------------------

    def reserve(self, counts: dict[str, int]) -> dict[str, int]:
        """Reserve ``count`` numbers per counter in one statement; the first of each range."""
        requests = [{"kind": k, "count": n} for k, n in counts.items() if n > 0]
        if not requests:
            return {}
        rows = self.run("counter_reserve", requests=requests)
        return {r["kind"]: r["first"] for r in rows}

    # ---- types ---------------------------------------------------------------------------

    def stored_types(self, kind: Kind) -> dict[str, AnyType]:
        if self._types is None:
            self._types = {k: {} for k in Kind}
            for row in self.run("type_get_all"):
                k = KIND_OF_TYPE_LABEL[row["label"]]
                t = decode_type(k, row["props"])
                self._types[k][t.name] = t
        return self._types[kind]

    def put_types(self, types: Sequence[AnyType], can_add_fields: bool) -> list[int]:
        changed: dict[Kind, dict[str, AnyType]] = {k: {} for k in Kind}
        new: list[tuple[Kind, str]] = []
        for t in types:
            v.check_type(t)
        result: list[tuple[Kind, str]] = []
        for t in types:
            kind = t.kind
            registry = self.stored_types(kind)
            stored = registry.get(t.name)
            if stored is None:
                stored = t.model_copy(update={"id": None}, deep=True)
                new.append((kind, t.name))
                registry[t.name] = changed[kind][t.name] = stored
            else:
                evolved = v.evolve_type(stored, t, can_add_fields=can_add_fields)
                if evolved is not None:
                    registry[t.name] = changed[kind][t.name] = evolved
            result.append((kind, t.name))
        first = self.reserve({"type": len(new)}).get("type", 0)
        for offset, (kind, name) in enumerate(new):
            registry = self.stored_types(kind)
            registry[name] = changed[kind][name] = registry[name].model_copy(
                update={"id": first + offset}
            )
        for kind, by_name in changed.items():
            rows = [encode_type(t, t.id) for t in by_name.values() if t.id is not None]
            if rows:
                self.run("type_put", kind, rows=rows)
        ids = [self.stored_types(kind)[name].id for kind, name in result]
        return [i for i in ids if i is not None]

    # ---- nodes ---------------------------------------------------------------------------

    def put_nodes(
        self,
        kind: Kind,
        nodes: Sequence[Node],
        *,
        one_by_one: bool = False,
        reuse_by_name: bool = False,
    ) -> list[int]:
        """Insert or update nodes (semantics of ``Store.put_nodes``); ids in input order.

        Args:
            one_by_one: each node sees the ones before it as stored (MLMD's context loop)
                instead of the batch rule of ``validation.batch_owners``.
            reuse_by_name: a node without id whose (type, name) exists takes that id and is
                not written (``reuse_context_if_already_exist``).
        """
        types = self.stored_types(kind)
        labels = [v.check_node(kind, n, types.get(n.type)) for n in nodes]
        owners = list(range(len(nodes))) if one_by_one else v.batch_owners(nodes)
        plan = _Plan(kind, self._lookup(kind, nodes))
        ids: list[int] = []
        for i, node in enumerate(nodes):
            if owners[i] != i:
                ids.append(ids[owners[i]])
                continue
            reused = plan.by_name.get((node.type, node.name)) if node.name is not None else None
            if reuse_by_name and node.id is None and reused is not None:
                ids.append(reused)
                continue
            ids.append(plan.put(node, labels[i]))
        creates = [w for w in plan.writes if w.node_id < 0]
        first = self.reserve({kind.value: len(creates), "seq": len(plan.writes)})
        real: dict[int, int] = {w.node_id: first[kind.value] + n for n, w in enumerate(creates)}
        update_rows: list[dict[str, Any]] = []
        create_rows: list[dict[str, Any]] = []
        for n, w in enumerate(plan.writes):
            node_id = real.get(w.node_id, w.node_id)
            props = encode_node(
                w.node,
                node_id=node_id,
                create_time=w.create_time if w.create_time is not None else self.now,
                update_time=self.now,
                seq=first["seq"] + n,
            )
            add, drop = state_labels(w.node)
            if w.node_id < 0:
                create_rows.append({"label": w.label, "props": props, "add": add})
            else:
                update_rows.append({"id": node_id, "props": props, "add": add, "drop": drop})
        # Updates first: a new node may take a name an update just gave up.
        self.run_batched("node_update", kind, "rows", update_rows)
        self.run_batched("node_create", kind, "rows", create_rows)
        return [real.get(i, i) for i in ids]

    def import_nodes(self, kind: Kind, nodes: Sequence[Node]) -> None:
        """Write nodes under their given ids and times (``Store.import_nodes``)."""
        types = self.stored_types(kind)
        labels = [v.check_node(kind, n, types.get(n.type)) for n in nodes]
        for each in nodes:
            for f in ("id", "create_time", "update_time"):
                v.check_int(getattr(each, f), f)
        plan = _Plan(kind, self._lookup(kind, nodes))
        first = self.reserve({"seq": len(nodes)}).get("seq", 0)
        create_rows: list[dict[str, Any]] = []
        update_rows: list[dict[str, Any]] = []
        for offset, (node, label) in enumerate(zip(nodes, labels, strict=True)):
            assert node.id is not None and node.create_time is not None
            old = plan.nodes.get(node.id)
            if old is not None and old.type != node.type:
                raise InvalidInputError(
                    f"{kind.value} {node.id} has type {old.type!r}; a node's type cannot change",
                    field="type",
                    value=node.type,
                )
            other = next((i for i in plan._claims(node).values() if i != node.id), None)
            if other is not None:
                raise AlreadyExistsError(plan._taken(node, other))
            plan._index(node.id, node)
            props = encode_node(
                node,
                node_id=node.id,
                create_time=node.create_time,
                update_time=node.update_time or node.create_time,
                seq=first + offset,
            )
            add, drop = state_labels(node)
            if old is None:
                create_rows.append({"label": label, "props": props, "add": add})
            else:
                update_rows.append({"id": node.id, "props": props, "add": add, "drop": drop})
        self.run_batched("node_update", kind, "rows", update_rows)
        self.run_batched("node_create", kind, "rows", create_rows)
        if nodes:
            top = max(each.id for each in nodes if each.id is not None)
            self.run("counter_raise", kind=kind.value, at_least=top)

    def _lookup(self, kind: Kind, nodes: Sequence[Node]) -> list[Node]:
        """Stored nodes that the batch's ids, (type, name)s and external ids refer to."""
        found: dict[int, Node] = {}
        ids = sorted({n.id for n in nodes if n.id is not None})
        for node in self.nodes_by_id(kind, ids):
            found[node.id or 0] = node
        keys = sorted({(n.type, n.name) for n in nodes if n.name is not None})
        for part in chunks(keys):
            rows = self.run(
                "node_find_by_names", kind, keys=[{"type": t, "name": nm} for t, nm in part]
            )
            for r in rows:
                node = decode_node(kind, r["props"])
                found[node.id or 0] = node
        externals = sorted({n.external_id for n in nodes if n.external_id is not None})
        for part in chunks(externals):
            rows = self.run("node_find_by_external_ids", kind, external_ids=list(part))
            for r in rows:
                node = decode_node(kind, r["props"])
                found[node.id or 0] = node
        return list(found.values())

    def external_id_owners(self, kind: Kind, external_ids: Iterable[str]) -> dict[str, int]:
        """Stored ids of nodes by external id (for MLMD's reuse-by-external-id option)."""
        owners: dict[str, int] = {}
        for part in chunks(sorted(set(external_ids))):
            for r in self.run("node_find_by_external_ids", kind, external_ids=list(part)):
                owners[r["props"]["external_id"]] = r["props"]["id"]
        return owners

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        unique = sorted({i for i in ids if _fits(i)})
        deleted = 0
        for part in chunks(unique):
            deleted += self.run("node_delete", kind, ids=list(part))[0]["deleted"]
        return deleted

    # ---- events and links ----------------------------------------------------------------

    def require(self, kind: Kind, ids: Sequence[int], field: str) -> None:
        """Refuse dangling references (``validation.check_exists``) with one query."""
        if not ids:
            return
        for i in ids:
            v.check_int(i, field)
        present = self.existing_ids(kind, ids)
        v.check_exists(kind, ids, present.__contains__, field)

    def put_events(self, events: Sequence[Event], *, ends_known: bool = False) -> None:
        for event in events:
            v.check_event(event)
        by_type: dict[EventType, list[dict[str, Any]]] = {}
        # Batches repeat a few paths many times; steps are checked int (never bool) or str,
        # so equal tuples encode equally.
        paths: dict[tuple[int | str, ...], str] = {}
        for e in events:
            path = paths.get(e.path)
            if path is None:
                path = paths[e.path] = encode_path(e.path)
            by_type.setdefault(e.type, []).append(
                {
                    "artifact_id": e.artifact_id,
                    "execution_id": e.execution_id,
                    "path": path,
                    "ts": e.timestamp if e.timestamp is not None else self.now,
                }
            )
        # One statement per event type present (a relationship type cannot be a parameter
        # without making MERGE ten times slower).
        written = 0
        for event_type in EventType:
            rows = by_type.get(event_type)
            if rows:
                name = "event_put_input" if event_type.is_input else "event_put_output"
                written += self.run_batched(name, None, "rows", rows, event=event_type)
        if not ends_known and written != len(events):
            # A row whose ends do not both exist matched nothing. Name the first dangling id
            # (raising rolls back what the statements above wrote).
            self.require(Kind.ARTIFACT, [e.artifact_id for e in events], "artifact_id")
            self.require(Kind.EXECUTION, [e.execution_id for e in events], "execution_id")
            raise RuntimeError(f"{len(events) - written} events were not written")

    def put_links(
        self,
        attributions: Sequence[Attribution],
        associations: Sequence[Association],
        *,
        ends_known: bool = False,
    ) -> None:
        if not ends_known:
            # Ids must be ints before they become parameters; existence is checked by the
            # writes themselves (a row with a missing end matches nothing), below.
            for at in attributions:
                v.check_int(at.artifact_id, "artifact_id")
            for asc in associations:
                v.check_int(asc.execution_id, "execution_id")
            for context_id in [a.context_id for a in attributions] + [
                a.context_id for a in associations
            ]:
                v.check_int(context_id, "context_id")
        written = self.run_batched(
            "context_put_attributions",
            None,
            "rows",
            [{"artifact_id": a.artifact_id, "context_id": a.context_id} for a in attributions],
        )
        written += self.run_batched(
            "context_put_associations",
            None,
            "rows",
            [{"execution_id": a.execution_id, "context_id": a.context_id} for a in associations],
        )
        if not ends_known and written != len(attributions) + len(associations):
            # Name the first dangling id, in the documented order (raising rolls back).
            self.require(Kind.ARTIFACT, [a.artifact_id for a in attributions], "artifact_id")
            self.require(Kind.EXECUTION, [a.execution_id for a in associations], "execution_id")
            self.require(
                Kind.CONTEXT,
                [a.context_id for a in attributions] + [a.context_id for a in associations],
                "context_id",
            )
            raise RuntimeError("links were not written although their ends exist")

    def put_parents(self, links: Sequence[ParentContext]) -> None:
        if not links:
            return
        children = [lk.child_id for lk in links]
        parents = [lk.parent_id for lk in links]
        # One statement answers both which ends exist and the edges above them; the checks
        # then run in ``require``'s order (child ids, then parent ids, then cycles).
        ends = sorted({i for i in (*children, *parents) if _fits(i)})
        row = self.run("context_ancestor_edges", ids=ends)[0]
        found = set(row["found"])
        for ids, field in ((children, "child_id"), (parents, "parent_id")):
            for i in ids:
                v.check_int(i, field)
            v.check_exists(Kind.CONTEXT, ids, found.__contains__, field)
        # Only ancestors of the batch's contexts can close a cycle; check them in Python.
        v.check_parent_links(links, [(c, p) for c, p in row["edges"]])
        self.run_batched(
            "context_put_parents",
            None,
            "rows",
            [{"child_id": lk.child_id, "parent_id": lk.parent_id} for lk in links],
        )


class _Write:
    """One node to write: ``node_id < 0`` is a placeholder for an id not yet reserved."""

    __slots__ = ("create_time", "label", "node", "node_id")

    def __init__(self, node: Node, node_id: int, label: str, create_time: int | None) -> None:
        self.node, self.node_id, self.label, self.create_time = node, node_id, label, create_time


class _Plan:
    """What a batch does, decided in Python against the stored nodes it touches.

    Mirrors the memory backend's ``_put_node`` rule by rule; ``by_name``/``by_external_id``
    /``nodes`` are kept current as the batch is planned, so later nodes see earlier ones.
    """

    def __init__(self, kind: Kind, stored: Iterable[Node]) -> None:
        self.kind = kind
        self.nodes: dict[int, Node] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self.by_external_id: dict[str, int] = {}
        self.writes: list[_Write] = []
        self._next_placeholder = -1
        for node in stored:
            self._index(node.id or 0, node)

    def _index(self, node_id: int, node: Node) -> None:
        old = self.nodes.get(node_id)
        if old is not None:
            if old.name is not None:
                self.by_name.pop((old.type, old.name), None)
            if old.external_id is not None:
                self.by_external_id.pop(old.external_id, None)
        self.nodes[node_id] = node
        if node.name is not None:
            self.by_name[(node.type, node.name)] = node_id
        if node.external_id is not None:
            self.by_external_id[node.external_id] = node_id

    def _claims(self, node: Node) -> dict[str, int]:
        claims: dict[str, int] = {}
        if node.name is not None and (node.type, node.name) in self.by_name:
            claims["name"] = self.by_name[(node.type, node.name)]
        if node.external_id is not None and node.external_id in self.by_external_id:
            claims["external_id"] = self.by_external_id[node.external_id]
        return claims

    def _taken(self, node: Node, other: int) -> str:
        return (
            f"{self.kind.value} {other} already has type {node.type!r} and name {node.name!r} "
            f"or external_id {node.external_id!r}, with different content"
        )

    def put(self, node: Node, label: str) -> int:
        claims = self._claims(node)
        node_id: int | None = node.id
        if node_id is not None:
            old = self.nodes.get(node_id)
            if old is None:
                raise NotFoundError(f"no {self.kind.value} with id {node_id} to update")
            if old.type != node.type:
                raise InvalidInputError(
                    f"{self.kind.value} {node.id} has type {old.type!r}; "
                    "a node's type cannot change",
                    field="type",
                    value=node.type,
                )
            other = next((i for i in claims.values() if i != node_id), None)
            if other is not None:
                raise AlreadyExistsError(self._taken(node, other))
            self.writes.append(_Write(node, node_id, label, old.create_time))
            self._index(node_id, node)
            return node_id
        found = set(claims.values())
        if len(found) > 1:
            raise AlreadyExistsError(self._taken(node, min(found)))
        if found:
            existing_id = found.pop()
            if v.content_equal(self.nodes[existing_id], node):
                return existing_id  # a retried write: nothing changes
            raise AlreadyExistsError(self._taken(node, existing_id))
        placeholder = self._next_placeholder
        self._next_placeholder -= 1
        self.writes.append(_Write(node, placeholder, label, None))
        self._index(placeholder, node)
        return placeholder
