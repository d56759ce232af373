"""Every write rule, once, over a backend's ``WritePort`` (one transaction).

The rules (``Store``'s docstring states them; the contract suite checks them on both
backends): validation before anything is written; a node's type cannot change; ``(type,
name)`` and ``external_id`` are claims, and an id-less node whose claim is stored with equal
content is a retried write (its id, nothing written); the MLMD reuse options; every artifact
and execution of a compound write attributed/associated to every context; events and links
only between nodes that exist; no cycle of parent contexts.

Callers that need more than MLMD's options say so explicitly:

* ``link_existing`` -- a node given with an id, or whose external id is stored, is linked as
  stored and never rewritten (tracking: using a model must not make it look new).
* ``skip_unchanged`` -- an update whose content (and, on import, times) equals what is
  stored writes nothing, so ``seq`` does not move (replays of imports and OpenLineage).

A ``WriteRules`` object lives for one transaction. Under Neo4j the driver may run the
transaction function again after a transient error: everything here is recomputed from the
port, so a retry is a clean re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

from ..answers import Incident
from ..errors import AlreadyExistsError, InvalidInputError, NotFoundError
from ..models import (
    AnyType,
    Artifact,
    ArtifactAndEvent,
    Association,
    Attribution,
    Context,
    Event,
    Execution,
    Kind,
    Node,
    ParentContext,
    PutExecutionResult,
    Reuse,
)
from . import validation as v
from .port import NodeKeys, NodeWrite, WritePort


class ExecutionOptions(TypedDict, total=False):
    """``put_execution``'s options: MLMD's two reuse flags, and ``link_existing``."""

    reuse_context_if_already_exist: bool
    reuse_artifact_if_already_exist_by_external_id: bool
    link_existing: bool


@dataclass
class ImportCounts:
    """What ``import_nodes`` did with each node of a batch."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


class Subgraph(NamedTuple):
    """``put_lineage_subgraph``'s input: ``events`` are (execution index, artifact index, event)."""

    executions: Sequence[Execution]
    artifacts: Sequence[Artifact]
    contexts: Sequence[Context]
    events: Sequence[tuple[int, int, Event]]


@dataclass
class SubgraphResult:
    """Ids assigned by ``put_lineage_subgraph``, in input order, and events created."""

    execution_ids: list[int] = field(default_factory=list)
    artifact_ids: list[int] = field(default_factory=list)
    context_ids: list[int] = field(default_factory=list)


class WriteRules:
    """The write side of a store for one transaction."""

    def __init__(self, port: WritePort) -> None:
        self.port = port
        self.now = v.now_ms()
        self._types: dict[Kind, dict[str, AnyType]] | None = None

    # ---- types ---------------------------------------------------------------------------

    def types(self, kind: Kind) -> dict[str, AnyType]:
        if self._types is None:
            self._types = {k: dict(by_name) for k, by_name in self.port.stored_types().items()}
            for k in Kind:
                self._types.setdefault(k, {})
        return self._types[kind]

    def put_types(self, types: Sequence[AnyType], *, can_add_fields: bool = True) -> list[int]:
        for t in types:
            v.check_type(t)
        changed: dict[Kind, dict[str, AnyType]] = {k: {} for k in Kind}
        new: list[tuple[Kind, str]] = []
        for t in types:
            registry = self.types(t.kind)
            stored = registry.get(t.name)
            if stored is None:
                new.append((t.kind, t.name))
                registry[t.name] = t.model_copy(update={"id": None}, deep=True)
            else:
                evolved = v.evolve_type(stored, t, can_add_fields=can_add_fields)
                if evolved is not None:
                    registry[t.name] = changed[t.kind][t.name] = evolved
        first = self.port.reserve({"type": len(new)}).get("type", 0)
        for offset, (kind, name) in enumerate(new):
            registry = self.types(kind)
            registry[name] = changed[kind][name] = registry[name].model_copy(
                update={"id": first + offset}
            )
        for kind, by_name in changed.items():
            if by_name:
                self.port.write_types(kind, list(by_name.values()))
        ids = [self.types(t.kind)[t.name].id for t in types]
        return [i for i in ids if i is not None]

    # ---- nodes ---------------------------------------------------------------------------

    def _check(self, kind: Kind, nodes: Sequence[Node]) -> list[str]:
        """Validate every node against its type; their labels."""
        registry = self.types(kind)
        return [v.check_node(kind, n, registry.get(n.type)) for n in nodes]

    def _plan(self, kind: Kind, nodes: Iterable[Node]) -> _Plan:
        nodes = list(nodes)
        keys = NodeKeys(
            ids=sorted({n.id for n in nodes if n.id is not None and v.fits_int64(n.id)}),
            names=sorted({(n.type, n.name) for n in nodes if n.name is not None}),
            external_ids=sorted({n.external_id for n in nodes if n.external_id is not None}),
        )
        stored = self.port.find_nodes(kind, keys)
        return _Plan(kind, stored)

    def put_nodes(
        self,
        kind: Kind,
        nodes: Sequence[Node],
        *,
        one_by_one: bool = False,
        reuse_by_name: bool = False,
        link_existing: bool = False,
        skip_unchanged: bool = False,
    ) -> list[int]:
        """Insert or update nodes (``Store.put_nodes``); ids in input order.

        Args:
            one_by_one: each node sees the ones before it as stored (MLMD's context loop)
                instead of the batch rule of ``validation.batch_owners``.
            reuse_by_name: an id-less node whose (type, name) is stored takes that id and is
                not written (``reuse_context_if_already_exist``).
            link_existing: a node with an id, or whose external id is stored, is linked as
                stored and not written.
            skip_unchanged: an update by id with the stored content writes nothing.
        """
        labels = self._check(kind, nodes)
        owners = list(range(len(nodes))) if one_by_one else v.batch_owners(nodes)
        plan = self._plan(kind, nodes)
        ids: list[int] = []
        for i, node in enumerate(nodes):
            if owners[i] != i:
                ids.append(ids[owners[i]])
            elif (link_existing and (found := plan.existing(node)) is not None) or (
                reuse_by_name
                and node.id is None
                and node.name is not None
                and (found := plan.by_name.get((node.type, node.name))) is not None
            ):
                ids.append(found)
            else:
                ids.append(plan.put(node, labels[i], skip_unchanged=skip_unchanged))
        real = self._write(kind, plan.writes, keep_times=False)
        return [real.get(i, i) for i in ids]

    def import_nodes(
        self,
        kind: Kind,
        nodes: Sequence[Node],
        *,
        skip_unchanged: bool = False,
        keep_seq: bool = False,
    ) -> ImportCounts:
        """Write nodes under their given ids and times (``Store.import_nodes``).

        Args:
            skip_unchanged: a node stored with equal content and times is not written.
            keep_seq: keep each node's given ``seq`` too (a whole store moved into an empty
                one: subscription cursors, which are seq numbers, stay valid); the seq
                counter moves past the largest.
        """
        labels = self._check(kind, nodes)
        for node in nodes:
            for name in ("id", "create_time", "update_time", *(("seq",) if keep_seq else ())):
                v.check_int(getattr(node, name), name)
        plan = self._plan(kind, nodes)
        counts = ImportCounts()
        for node, label in zip(nodes, labels, strict=True):
            assert node.id is not None
            old = plan.nodes.get(node.id)
            if old is None:
                counts.new += 1
            elif skip_unchanged and _same_with_times(old, node):
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            plan.put_imported(node, label, old)
        self._write(kind, plan.writes, keep_times=True, keep_seq=keep_seq)
        if nodes:
            self.port.raise_counter(kind.value, max(n.id for n in nodes if n.id is not None))
        if keep_seq and plan.writes:
            self.port.raise_counter("seq", max(w.node.seq or 0 for w in plan.writes))
        return counts

    def _write(
        self, kind: Kind, writes: Sequence[_Write], *, keep_times: bool, keep_seq: bool = False
    ) -> dict[int, int]:
        """Reserve ids and ``seq`` numbers and write; placeholder -> real id."""
        creates = [w for w in writes if w.node_id < 0]
        first = self.port.reserve({kind.value: len(creates), "seq": 0 if keep_seq else len(writes)})
        real = {w.node_id: first[kind.value] + n for n, w in enumerate(creates)}
        updates_out: list[NodeWrite] = []
        creates_out: list[NodeWrite] = []
        for n, w in enumerate(writes):
            node_id = real.get(w.node_id, w.node_id)
            if keep_times:
                assert w.node.create_time is not None
                create_time = w.node.create_time
                update_time = w.node.update_time or w.node.create_time
            else:
                create_time = w.create_time if w.create_time is not None else self.now
                update_time = self.now
            seq = w.node.seq if keep_seq and w.node.seq is not None else first["seq"] + n
            out = NodeWrite(w.node, node_id, w.label, create_time, update_time, seq)
            (updates_out if w.is_update else creates_out).append(out)
        if writes:
            self.port.write_nodes(kind, updates_out, creates_out)
        return real

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        for i in ids:
            v.check_int(i, "ids")
        unique = sorted(set(ids))
        return self.port.delete_nodes(kind, unique) if unique else 0

    def edit_node(self, kind: Kind, node_id: int, change: Callable[[Node], Node]) -> int:
        """Read one node and write ``change(node)`` back in this same transaction (tags and
        archiving: a small change to what is stored now, not to what a caller read earlier).
        An unchanged node writes nothing. Returns the id.

        Raises:
            NotFoundError: no node of ``kind`` with this id.
        """
        v.check_int(node_id, "id")
        found = [n for n in self.port.find_nodes(kind, NodeKeys([node_id], [], []))
                 if n.id == node_id]
        if not found:
            raise NotFoundError(f"no {kind.value} with id {node_id}")
        return self.put_nodes(kind, [change(found[0])], skip_unchanged=True)[0]

    # ---- events and links ----------------------------------------------------------------

    def require(self, kind: Kind, ids: Sequence[int], field: str) -> None:
        """Refuse dangling references, naming the first missing id."""
        if not ids:
            return
        for i in ids:
            v.check_int(i, field)
        present = self.port.existing_ids(kind, sorted(set(ids)))
        v.check_exists(kind, ids, present.__contains__, field)

    def put_events(self, events: Sequence[Event], *, ends_known: bool = False) -> int:
        """Insert events (a known one is left as it is); returns how many were new."""
        for event in events:
            v.check_event(event)
        stamped = [
            e if e.timestamp is not None else e.model_copy(update={"timestamp": self.now})
            for e in events
        ]
        matched, created = self.port.write_events(stamped) if stamped else (0, 0)
        if not ends_known and matched != len(events):
            # Raising rolls back what was written; name the first dangling id.
            self.require(Kind.ARTIFACT, [e.artifact_id for e in events], "artifact_id")
            self.require(Kind.EXECUTION, [e.execution_id for e in events], "execution_id")
            raise RuntimeError(f"{len(events) - matched} events were not written")
        return created

    def put_links(
        self,
        attributions: Sequence[Attribution],
        associations: Sequence[Association],
        *,
        ends_known: bool = False,
    ) -> None:
        """Attribute artifacts and associate executions to contexts; idempotent."""
        if not ends_known:
            for at in attributions:
                v.check_int(at.artifact_id, "artifact_id")
            for asc in associations:
                v.check_int(asc.execution_id, "execution_id")
            for context_id in [a.context_id for a in attributions] + [
                a.context_id for a in associations
            ]:
                v.check_int(context_id, "context_id")
        if not attributions and not associations:
            return
        written = self.port.write_links(attributions, associations)
        if not ends_known and written != len(attributions) + len(associations):
            self.require(Kind.ARTIFACT, [a.artifact_id for a in attributions], "artifact_id")
            self.require(Kind.EXECUTION, [a.execution_id for a in associations], "execution_id")
            self.require(
                Kind.CONTEXT,
                [a.context_id for a in attributions] + [a.context_id for a in associations],
                "context_id",
            )
            raise RuntimeError("links were not written although their ends exist")

    def put_parents(self, links: Sequence[ParentContext]) -> None:
        """Link child contexts to parents; idempotent; a cycle is ``InvalidInputError``."""
        if not links:
            return
        children = [lk.child_id for lk in links]
        parents = [lk.parent_id for lk in links]
        for ids, name in ((children, "child_id"), (parents, "parent_id")):
            for i in ids:
                v.check_int(i, name)
        found, edges = self.port.context_ancestry(sorted({*children, *parents}))
        v.check_exists(Kind.CONTEXT, children, found.__contains__, "child_id")
        v.check_exists(Kind.CONTEXT, parents, found.__contains__, "parent_id")
        # Only ancestors of the batch's contexts can close a cycle.
        v.check_parent_links(links, edges)
        self.port.write_parents(links)

    def put_reuses(self, links: Sequence[Reuse]) -> None:
        """Link CACHED executions to the executions they reused; idempotent."""
        for link in links:
            v.check_int(link.execution_id, "execution_id")
            v.check_int(link.original_id, "original_id")
            if link.execution_id == link.original_id:
                raise InvalidInputError(
                    f"execution {link.execution_id} cannot reuse itself",
                    field="original_id",
                    value=link.original_id,
                )
        if links and self.port.write_reuses(links) != len(links):
            self.require(Kind.EXECUTION, [lk.execution_id for lk in links], "execution_id")
            self.require(Kind.EXECUTION, [lk.original_id for lk in links], "original_id")
            raise RuntimeError("reuse links were not written although their ends exist")

    def import_incidents(self, incidents: Sequence[Incident]) -> int:
        """Write incidents under their own ids, with status, resolution and what they reached
        (``reached`` loaded; ``via``/``hops`` as recorded), as an import keeps them; an id
        already stored is kept as stored. The incident counter moves past the largest id.

        Returns:
            How many were new.

        Raises:
            InvalidInputError: a bad id or status, ``reached`` not loaded.
            NotFoundError: a source or reached node that does not exist.
        """
        ends: dict[Kind, list[int]] = {k: [] for k in Kind}
        for inc in incidents:
            v.check_int(inc.id, "id")
            if inc.reached is None:
                raise InvalidInputError(
                    f"incident {inc.id}: what it reached is needed", field="reached"
                )
            if inc.source.kind is Kind.CONTEXT:
                raise InvalidInputError(
                    f"incident {inc.id}: a source is an artifact or execution",
                    field="source", value=inc.source.id,
                )
            ends[inc.source.kind].append(inc.source.id)
            for t in inc.reached:
                ends[t.node.kind].append(t.node.id)
        for kind, ids in ends.items():
            self.require(kind, ids, f"{kind.value}_id")
        if not incidents:
            return 0
        created = self.port.write_incidents(incidents)
        self.port.raise_counter("incident", max(inc.id for inc in incidents))
        return created

    # ---- compound writes -----------------------------------------------------------------

    def put_contexts(
        self,
        contexts: Sequence[Context],
        *,
        reuse: bool,
        link_existing: bool = False,
        skip_unchanged: bool = False,
    ) -> list[int]:
        """Contexts of a compound write: one by one, each sees the ones before (MLMD)."""
        return self.put_nodes(
            Kind.CONTEXT,
            contexts,
            one_by_one=True,
            reuse_by_name=reuse,
            link_existing=link_existing,
            skip_unchanged=skip_unchanged,
        )

    def put_execution(
        self,
        execution: Execution,
        artifacts_and_events: Sequence[ArtifactAndEvent] = (),
        contexts: Sequence[Context] = (),
        *,
        reuse_context_if_already_exist: bool = True,
        reuse_artifact_if_already_exist_by_external_id: bool = True,
        link_existing: bool = False,
    ) -> PutExecutionResult:
        """Execution + artifacts + events + context links (``Store.put_execution``)."""
        execution_id = self.put_nodes(Kind.EXECUTION, [execution])[0]
        artifacts = [ae.artifact for ae in artifacts_and_events]
        if reuse_artifact_if_already_exist_by_external_id and not link_existing:
            # MLMD: the artifact known by this external id is updated in place.
            plan = self._plan(Kind.ARTIFACT, [a for a in artifacts if a.id is None])
            artifacts = [
                a.model_copy(update={"id": plan.by_external_id[a.external_id]})
                if a.id is None and a.external_id in plan.by_external_id
                else a
                for a in artifacts
            ]
        artifact_ids = self.put_nodes(Kind.ARTIFACT, artifacts, link_existing=link_existing)
        context_ids = self.put_contexts(
            contexts, reuse=reuse_context_if_already_exist, link_existing=link_existing
        )
        self.put_events(
            [
                Event(artifact_id=aid, execution_id=execution_id, type=ae.event_type, path=ae.path)
                for aid, ae in zip(artifact_ids, artifacts_and_events, strict=True)
                if ae.event_type is not None
            ],
            ends_known=True,
        )
        self.link_all(artifact_ids, [execution_id], context_ids)
        return PutExecutionResult(
            execution_id=execution_id, artifact_ids=artifact_ids, context_ids=context_ids
        )

    def put_lineage_subgraph(
        self, graph: Subgraph, *, reuse_contexts: bool = True, skip_unchanged: bool = False
    ) -> SubgraphResult:
        """Batch insert (``Store.put_lineage_subgraph``)."""
        executions, artifacts, contexts, events = graph
        v.check_subgraph_events(events, len(executions), len(artifacts))
        out = SubgraphResult()
        out.execution_ids = self.put_nodes(
            Kind.EXECUTION, executions, skip_unchanged=skip_unchanged
        )
        out.artifact_ids = self.put_nodes(Kind.ARTIFACT, artifacts, skip_unchanged=skip_unchanged)
        out.context_ids = self.put_contexts(
            contexts, reuse=reuse_contexts, skip_unchanged=skip_unchanged
        )
        self.put_events(
            [
                e.model_copy(
                    update={
                        "execution_id": out.execution_ids[ei],
                        "artifact_id": out.artifact_ids[ai],
                    }
                )
                for ei, ai, e in events
            ],
            ends_known=True,
        )
        self.link_all(out.artifact_ids, out.execution_ids, out.context_ids)
        return out

    def link_all(
        self, artifact_ids: Sequence[int], execution_ids: Sequence[int], context_ids: Sequence[int]
    ) -> None:
        """MLMD's rule for compound writes: everything belongs to every context given."""
        self.put_links(
            [Attribution(artifact_id=a, context_id=c) for c in context_ids for a in artifact_ids],
            [Association(execution_id=x, context_id=c) for c in context_ids for x in execution_ids],
            ends_known=True,
        )


def _same_with_times(stored: Node, new: Node) -> bool:
    return (
        v.content_equal(stored, new)
        and stored.create_time == new.create_time
        and stored.update_time == (new.update_time or new.create_time)
    )


class _Write:
    """One node to write: ``node_id < 0`` is a placeholder for an id not yet reserved."""

    __slots__ = ("create_time", "is_update", "label", "node", "node_id")

    def __init__(
        self, node: Node, node_id: int, label: str, create_time: int | None, is_update: bool
    ) -> None:
        self.node, self.node_id, self.label = node, node_id, label
        self.create_time, self.is_update = create_time, is_update


class _Plan:
    """What a batch does, decided against the stored nodes it touches.

    ``by_name``/``by_external_id``/``nodes`` are kept current while the batch is planned, so
    later nodes see earlier ones.
    """

    def __init__(self, kind: Kind, stored: Iterable[Node]) -> None:
        self.kind = kind
        self.nodes: dict[int, Node] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        self.by_external_id: dict[str, int] = {}
        self.writes: list[_Write] = []
        self._next_placeholder = -1
        for node in stored:
            assert node.id is not None
            self._index(node.id, node)

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

    def _claims(self, node: Node) -> set[int]:
        found: set[int] = set()
        if node.name is not None and (node.type, node.name) in self.by_name:
            found.add(self.by_name[(node.type, node.name)])
        if node.external_id is not None and node.external_id in self.by_external_id:
            found.add(self.by_external_id[node.external_id])
        return found

    def _taken(self, node: Node, other: int) -> AlreadyExistsError:
        return AlreadyExistsError(
            f"{self.kind.value} {other} already has type {node.type!r} and name {node.name!r} "
            f"or external_id {node.external_id!r}, with different content"
        )

    def _stored(self, node_id: int, node: Node) -> Node:
        old = self.nodes.get(node_id)
        if old is None:
            raise NotFoundError(f"no {self.kind.value} with id {node_id} to update")
        if old.type != node.type:
            raise InvalidInputError(
                f"{self.kind.value} {node_id} has type {old.type!r}; a node's type cannot change",
                field="type",
                value=node.type,
            )
        return old

    def existing(self, node: Node) -> int | None:
        """``link_existing``: the stored node this one names by id or external id, if any."""
        if node.id is not None:
            self._stored(node.id, node)
            return node.id
        if node.external_id is not None:
            return self.by_external_id.get(node.external_id)
        return None

    def put(self, node: Node, label: str, *, skip_unchanged: bool) -> int:
        claims = self._claims(node)
        if node.id is not None:
            old = self._stored(node.id, node)
            other = next((i for i in sorted(claims) if i != node.id), None)
            if other is not None:
                raise self._taken(node, other)
            if skip_unchanged and v.content_equal(old, node):
                return node.id
            self.writes.append(_Write(node, node.id, label, old.create_time, is_update=True))
            self._index(node.id, node)
            return node.id
        if len(claims) > 1:
            raise self._taken(node, min(claims))
        if claims:
            existing_id = claims.pop()
            if v.content_equal(self.nodes[existing_id], node):
                return existing_id  # a retried write: nothing changes
            raise self._taken(node, existing_id)
        placeholder = self._next_placeholder
        self._next_placeholder -= 1
        self.writes.append(_Write(node, placeholder, label, None, is_update=False))
        self._index(placeholder, node)
        return placeholder

    def put_imported(self, node: Node, label: str, old: Node | None) -> None:
        assert node.id is not None
        if old is not None and old.type != node.type:
            raise InvalidInputError(
                f"{self.kind.value} {node.id} has type {old.type!r}; a node's type cannot change",
                field="type",
                value=node.type,
            )
        other = next((i for i in sorted(self._claims(node)) if i != node.id), None)
        if other is not None:
            raise self._taken(node, other)
        self.writes.append(_Write(node, node.id, label, node.create_time, old is not None))
        self._index(node.id, node)
