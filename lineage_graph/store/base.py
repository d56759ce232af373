"""The repository protocol: one abstract store, two equal backends (Neo4j and networkx).

Every write goes through ``store.rules.WriteRules`` (the rules, once) over a backend's
``store.port.WritePort`` (one transaction); a backend implements ``_write`` and the reads
below. The MLMD-style named methods (``get_artifacts_by_type`` ...) are written once here
too, so both backends expose exactly the same surface. Lineage questions live in
``lineage_graph.store.lineage_base.LineageQueries``, which this class also inherits.

Semantics both backends share (the contract suite in ``tests/contract`` checks them):

* ``put_types``: insert a new type, or return the existing id when the stored type is the
  same or only *adds* properties (``can_add_fields``); changing or removing a declared
  property's value type is ``AlreadyExistsError`` naming the property.
* ``put_nodes``: a node without ``id`` is inserted; one with ``id`` updates that node
  (``NotFoundError`` if absent). ``(type, name)`` is unique per kind: inserting a name that
  exists returns the existing id when the content is equal (a retried write), otherwise
  ``AlreadyExistsError``. The same for ``external_id``. Unnamed nodes without external id
  are always new. ``create_time`` is kept from the first insert, ``update_time`` and
  ``seq`` change on every write. Declared properties are checked against the type.
* ``put_execution``: execution, its artifacts (new or updated), events, and context links
  in one transaction: all or nothing.
* deletes remove nodes and every edge touching them (events, attributions, associations,
  parent links); unknown ids are ignored (idempotent).
* All validation happens before anything is written; errors name the field and value.

Details the first list leaves open, decided by the in-memory reference backend (both
backends keep them; value and name rules are in ``store.validation``'s docstring):

* Types are keyed by (kind, name); the input ``id`` is ignored. ``version`` and ``base_type``
  cannot change once set (``AlreadyExistsError``); a new ``description`` replaces the old.
* ``put_nodes``: an equal retry is a no-op (``update_time`` and ``seq`` do not move). An update
  by id replaces the node's content wholesale (properties are not merged); its ``type`` cannot
  change (``InvalidInputError`` field ``type``). Caller-given ``create_time``/``update_time``/
  ``seq`` are ignored (``import_nodes`` keeps times). Inside one batch, a repeat of a
  ``(type, name)``/``external_id`` with equal content gets the same id; different content is
  ``AlreadyExistsError``. Ids are never reused after a delete.
* Events are identified by ``(artifact_id, execution_id, type, path)``: re-putting one keeps
  its first timestamp; a missing timestamp is set to the write time. ``get_events`` returns
  each event once.
* ``put_execution``: an artifact with ``event_type=None`` gets no event but is attributed to
  the contexts; with ``reuse_context_if_already_exist`` a context without id whose
  ``(type, name)`` exists is linked as stored (not updated); with
  ``reuse_artifact_if_already_exist_by_external_id`` an artifact without id whose
  ``external_id`` exists updates that artifact in place (MLMD's behaviour). Without reuse, the
  general equal-retry rule applies. ``put_lineage_subgraph``: a bad index into the given lists
  is ``InvalidInputError`` field ``execution_index``/``artifact_index``.
* ``list_nodes``: ascending order puts a ``None`` key (only ``name`` can be ``None``) last,
  ties broken by id; descending is the exact reverse. ``next_cursor`` is given only when more
  rows follow; a cursor is tied to its ``order_by``/``descending`` (another is
  ``InvalidInputError`` field ``cursor``). Filters that do not apply to a kind (``uri`` on
  executions, ``states`` on contexts, a state of another kind, ``context_id`` on contexts,
  ``artifact_id``/``execution_id`` on artifacts or executions) are ``InvalidInputError``.
  Property filters follow Cypher: numbers compare with numbers (``1 = 1.0``), booleans only
  with booleans, strings with strings; a missing property or a STRUCT never matches; ``!=``
  against a value of another type matches.
* ``get_parent_contexts``/``get_child_contexts``: ordered by id; an unknown id gives ``[]``.
  A context may have several parents; a link that would close a cycle (or a self-link) is
  ``InvalidInputError`` field ``parent_id``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self, TypeVar, Unpack

from ..errors import NotFoundError
from ..models import (
    AnyType,
    Artifact,
    ArtifactAndEvent,
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
    Page,
    ParentContext,
    PutExecutionResult,
    Reuse,
)
from .lineage_base import LineageQueries
from .rules import ExecutionOptions, ImportCounts, Subgraph, WriteRules

T = TypeVar("T")


class Store(LineageQueries, ABC):
    """The metadata store. Use as a context manager or call ``close()``."""

    # ---- what a backend implements -------------------------------------------------------

    @abstractmethod
    def _write(self, work: Callable[[WriteRules], T]) -> T:
        """Run ``work`` on the write rules over one transaction of this backend.

        All or nothing: if ``work`` raises, nothing it wrote stays. ``work`` may be run
        again after a transient failure, so it must not have other side effects.
        """

    @abstractmethod
    def init_schema(self) -> None:
        """Create constraints, indexes and the schema version node. Idempotent."""

    @abstractmethod
    def get_types(self, kind: Kind, names: Sequence[str] | None = None) -> list[AnyType]:
        """Types of a kind (all, or those named; unknown names are left out), by id."""

    @abstractmethod
    def get_nodes_by_id(self, kind: Kind, ids: Sequence[int]) -> list[Node]:
        """Nodes with these ids, in the order of ``ids``; unknown ids are left out."""

    @abstractmethod
    def list_nodes(self, kind: Kind, options: ListOptions | None = None) -> Page:
        """Filtered, ordered, paged listing. ``Page.items`` holds nodes of ``kind``."""

    @abstractmethod
    def get_events(
        self,
        *,
        artifact_ids: Sequence[int] | None = None,
        execution_ids: Sequence[int] | None = None,
    ) -> list[Event]:
        """Events touching any of the given artifacts or executions."""

    @abstractmethod
    def get_reuses(
        self,
        *,
        execution_ids: Sequence[int] | None = None,
        original_ids: Sequence[int] | None = None,
    ) -> list[Reuse]:
        """REUSED links from these (CACHED) executions or to these originals, ordered."""

    @abstractmethod
    def get_parent_contexts(self, context_id: int) -> list[Context]: ...

    @abstractmethod
    def get_child_contexts(self, context_id: int) -> list[Context]: ...

    @abstractmethod
    def clear(self) -> None:
        """Delete every node and edge (types and counters too); the schema stays."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writes: the rules of ``store.rules``, one transaction each ---------------------

    def atomic(self, work: Callable[[WriteRules], T]) -> T:
        """Several writes as one transaction: ``work`` gets the ``WriteRules``; all or nothing.

        ``work`` may run more than once (a transient database error is retried), so it must
        compute everything from its argument and the data it closes over.
        """
        return self._write(work)

    def put_types(self, types: Sequence[AnyType], *, can_add_fields: bool = True) -> list[int]:
        """Insert or evolve types; returns their ids in input order."""
        return self._write(lambda w: w.put_types(types, can_add_fields=can_add_fields))

    def put_nodes(self, kind: Kind, nodes: Sequence[Node]) -> list[int]:
        """Insert or update nodes of one kind in one transaction; ids in input order."""
        return self._write(lambda w: w.put_nodes(kind, nodes))

    def import_nodes(
        self, kind: Kind, nodes: Sequence[Node], *, skip_unchanged: bool = False
    ) -> ImportCounts:
        """Write nodes keeping their given ``id``, ``create_time`` and ``update_time`` (imports).

        For bringing in another store's history (MLMD) with its ids. Every node must carry
        ``id``, ``create_time`` and ``update_time``. An absent id is inserted under that id; a
        present one is overwritten (its type must be the same, else ``InvalidInputError``).
        ``(type, name)`` and ``external_id`` stay unique (``AlreadyExistsError``). The kind's
        id counter moves past the largest id, so later inserts never collide. ``seq`` is
        assigned as on any write. One transaction; validation as ``put_nodes``. With
        ``skip_unchanged``, a node stored with equal content (typed: ``1 != 1.0 != True``)
        and equal times is not written.
        """
        return self._write(lambda w: w.import_nodes(kind, nodes, skip_unchanged=skip_unchanged))

    def put_events(self, events: Sequence[Event]) -> None:
        """Insert events; both ends must exist. Re-putting an identical event is a no-op."""
        self._write(lambda w: w.put_events(events))

    def put_attributions_and_associations(
        self, attributions: Sequence[Attribution], associations: Sequence[Association]
    ) -> None:
        """Link artifacts and executions to contexts; idempotent."""
        self._write(lambda w: w.put_links(attributions, associations))

    def put_parent_contexts(self, links: Sequence[ParentContext]) -> None:
        """Link child contexts to parents; idempotent; a cycle is InvalidInputError."""
        self._write(lambda w: w.put_parents(links))

    def put_execution(
        self,
        execution: Execution,
        artifacts_and_events: Sequence[ArtifactAndEvent] = (),
        contexts: Sequence[Context] = (),
        **options: Unpack[ExecutionOptions],
    ) -> PutExecutionResult:
        """Execution + artifacts + events + context links, atomically.

        ``reuse_context_if_already_exist`` and ``reuse_artifact_if_already_exist_by_external_id``
        (both true by default) are MLMD's options.

        ``link_existing``: artifacts and contexts given with an id, or whose external id is
        stored, are linked as stored and never rewritten.
        """
        return self._write(
            lambda w: w.put_execution(execution, artifacts_and_events, contexts, **options)
        )

    def put_lineage_subgraph(
        self,
        executions: Sequence[Execution],
        artifacts: Sequence[Artifact],
        contexts: Sequence[Context],
        events: Sequence[tuple[int, int, Event]],
        *,
        reuse_context_if_already_exist: bool = True,
    ) -> tuple[list[int], list[int], list[int]]:
        """Batch insert, atomically: ``events`` are (execution index, artifact index, event).

        Every execution and artifact is attributed/associated to every context (MLMD's rule).
        Returns (execution ids, artifact ids, context ids).
        """
        graph = Subgraph(executions, artifacts, contexts, events)
        out = self._write(
            lambda w: w.put_lineage_subgraph(graph, reuse_contexts=reuse_context_if_already_exist)
        )
        return out.execution_ids, out.artifact_ids, out.context_ids

    def put_reuses(self, links: Sequence[Reuse]) -> None:
        """Link CACHED executions to the executions whose outputs they reused; idempotent."""
        self._write(lambda w: w.put_reuses(links))

    def delete_nodes(self, kind: Kind, ids: Sequence[int]) -> int:
        """Delete nodes with all their edges; returns how many existed."""
        return self._write(lambda w: w.delete_nodes(kind, ids))

    # ---- MLMD-style surface, shared by every backend -----------------------------------

    def put_artifact_type(self, t: ArtifactType, *, can_add_fields: bool = True) -> int:
        return self.put_types([t], can_add_fields=can_add_fields)[0]

    def put_execution_type(self, t: ExecutionType, *, can_add_fields: bool = True) -> int:
        return self.put_types([t], can_add_fields=can_add_fields)[0]

    def put_context_type(self, t: ContextType, *, can_add_fields: bool = True) -> int:
        return self.put_types([t], can_add_fields=can_add_fields)[0]

    def _get_type(self, kind: Kind, name: str) -> Any:
        found = self.get_types(kind, [name])
        if not found:
            raise NotFoundError(f"no {kind.value} type named {name!r}")
        return found[0]

    def get_artifact_type(self, name: str) -> ArtifactType:
        return self._get_type(Kind.ARTIFACT, name)  # type: ignore[no-any-return]

    def get_execution_type(self, name: str) -> ExecutionType:
        return self._get_type(Kind.EXECUTION, name)  # type: ignore[no-any-return]

    def get_context_type(self, name: str) -> ContextType:
        return self._get_type(Kind.CONTEXT, name)  # type: ignore[no-any-return]

    def get_artifact_types(self) -> list[ArtifactType]:
        return self.get_types(Kind.ARTIFACT)  # type: ignore[return-value]

    def get_execution_types(self) -> list[ExecutionType]:
        return self.get_types(Kind.EXECUTION)  # type: ignore[return-value]

    def get_context_types(self) -> list[ContextType]:
        return self.get_types(Kind.CONTEXT)  # type: ignore[return-value]

    def put_artifacts(self, artifacts: Sequence[Artifact]) -> list[int]:
        return self.put_nodes(Kind.ARTIFACT, artifacts)

    def put_executions(self, executions: Sequence[Execution]) -> list[int]:
        return self.put_nodes(Kind.EXECUTION, executions)

    def put_contexts(self, contexts: Sequence[Context]) -> list[int]:
        return self.put_nodes(Kind.CONTEXT, contexts)

    def get_artifacts_by_id(self, ids: Sequence[int]) -> list[Artifact]:
        return self.get_nodes_by_id(Kind.ARTIFACT, ids)  # type: ignore[return-value]

    def get_executions_by_id(self, ids: Sequence[int]) -> list[Execution]:
        return self.get_nodes_by_id(Kind.EXECUTION, ids)  # type: ignore[return-value]

    def get_contexts_by_id(self, ids: Sequence[int]) -> list[Context]:
        return self.get_nodes_by_id(Kind.CONTEXT, ids)  # type: ignore[return-value]

    def _all(self, kind: Kind, **filters: Any) -> list[Any]:
        """Every node matching ``filters``, following cursors page by page."""
        items: list[Any] = []
        options = ListOptions(limit=10_000, **filters)
        while True:
            page = self.list_nodes(kind, options)
            items.extend(page.items)
            if page.next_cursor is None:
                return items
            options = options.model_copy(update={"cursor": page.next_cursor})

    def get_artifacts(self, options: ListOptions | None = None) -> list[Artifact]:
        return self.list_nodes(Kind.ARTIFACT, options).items if options else self._all(
            Kind.ARTIFACT
        )

    def get_executions(self, options: ListOptions | None = None) -> list[Execution]:
        return self.list_nodes(Kind.EXECUTION, options).items if options else self._all(
            Kind.EXECUTION
        )

    def get_contexts(self, options: ListOptions | None = None) -> list[Context]:
        return self.list_nodes(Kind.CONTEXT, options).items if options else self._all(
            Kind.CONTEXT
        )

    def get_artifacts_by_type(self, type_name: str) -> list[Artifact]:
        return self._all(Kind.ARTIFACT, type=type_name)

    def get_executions_by_type(self, type_name: str) -> list[Execution]:
        return self._all(Kind.EXECUTION, type=type_name)

    def get_contexts_by_type(self, type_name: str) -> list[Context]:
        return self._all(Kind.CONTEXT, type=type_name)

    def _by_type_and_name(self, kind: Kind, type_name: str, name: str) -> Node | None:
        items = self.list_nodes(kind, ListOptions(type=type_name, name=name, limit=1)).items
        return items[0] if items else None

    def get_artifact_by_type_and_name(self, type_name: str, name: str) -> Artifact | None:
        return self._by_type_and_name(Kind.ARTIFACT, type_name, name)  # type: ignore[return-value]

    def get_execution_by_type_and_name(self, type_name: str, name: str) -> Execution | None:
        return self._by_type_and_name(Kind.EXECUTION, type_name, name)  # type: ignore[return-value]

    def get_context_by_type_and_name(self, type_name: str, name: str) -> Context | None:
        return self._by_type_and_name(Kind.CONTEXT, type_name, name)  # type: ignore[return-value]

    def get_artifacts_by_uri(self, uri: str) -> list[Artifact]:
        return self._all(Kind.ARTIFACT, uri=uri)

    def get_artifacts_by_external_ids(self, external_ids: Iterable[str]) -> list[Artifact]:
        return self._all(Kind.ARTIFACT, external_ids=tuple(external_ids))

    def get_executions_by_external_ids(self, external_ids: Iterable[str]) -> list[Execution]:
        return self._all(Kind.EXECUTION, external_ids=tuple(external_ids))

    def get_contexts_by_external_ids(self, external_ids: Iterable[str]) -> list[Context]:
        return self._all(Kind.CONTEXT, external_ids=tuple(external_ids))

    def get_artifacts_by_context(self, context_id: int) -> list[Artifact]:
        return self._all(Kind.ARTIFACT, context_id=context_id)

    def get_executions_by_context(self, context_id: int) -> list[Execution]:
        return self._all(Kind.EXECUTION, context_id=context_id)

    def get_contexts_by_artifact(self, artifact_id: int) -> list[Context]:
        return self._all(Kind.CONTEXT, artifact_id=artifact_id)

    def get_contexts_by_execution(self, execution_id: int) -> list[Context]:
        return self._all(Kind.CONTEXT, execution_id=execution_id)

    def get_parent_contexts_by_context(self, context_id: int) -> list[Context]:
        """MLMD's name for ``get_parent_contexts``."""
        return self.get_parent_contexts(context_id)

    def get_children_contexts_by_context(self, context_id: int) -> list[Context]:
        """MLMD's name for ``get_child_contexts``."""
        return self.get_child_contexts(context_id)

    def get_events_by_artifact_ids(self, ids: Sequence[int]) -> list[Event]:
        return self.get_events(artifact_ids=ids)

    def get_events_by_execution_ids(self, ids: Sequence[int]) -> list[Event]:
        return self.get_events(execution_ids=ids)

    def delete_artifacts(self, ids: Sequence[int]) -> int:
        return self.delete_nodes(Kind.ARTIFACT, ids)

    def delete_executions(self, ids: Sequence[int]) -> int:
        return self.delete_nodes(Kind.EXECUTION, ids)

    def delete_contexts(self, ids: Sequence[int]) -> int:
        return self.delete_nodes(Kind.CONTEXT, ids)
