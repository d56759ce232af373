"""The Neo4j backend (the product). See the graph model below; queries live in cypher/.

Graph model (../shared/DESIGN.md):

* ``(:Artifact:<TypeLabel> {id, type, name, uri, state, external_id, create_time, update_time,
  seq, ...props})``; ``(:Execution:<TypeLabel> {..., last_known_state})``;
  ``(:Context:<TypeLabel> {...})``. ``<TypeLabel>`` is ``models.type_label(type)``, set with
  Cypher's dynamic label ``SET n:$(label)`` (a parameter, validated before).
* Trouble labels for Neo4j Browser's GraSS (it styles by label only): ``:Failed`` on
  executions while ``last_known_state`` is FAILED (``neo4j_codec.state_labels``, set and
  removed by the node writes); ``:Tainted`` on the artifacts/executions an OPEN incident
  found or reached (``taint_mark_bad`` sets, ``taint_incident_resolve`` clears). No read
  returns labels, so answers never see them.
* User properties are native properties in their own key namespace: declared ``p.<name>``,
  custom ``c.<name>``; STRUCT (dict/list) values are JSON strings under ``pj.<name>`` /
  ``cj.<name>``. System keys never contain a dot, so a user property can never overwrite one.
  (``store.neo4j_codec`` encodes and decodes.)
* Types: ``(:ArtifactType|ExecutionType|ContextType {id, name, version, description,
  base_type, properties})`` with ``properties`` a JSON object string ``{name: "INT", ...}``.
* Events: ``(a)-[:INPUT|DECLARED_INPUT|INTERNAL_INPUT {ts, path}]->(e)`` and
  ``(e)-[:OUTPUT|DECLARED_OUTPUT|INTERNAL_OUTPUT|PENDING_OUTPUT {ts, path}]->(a)``; ``path``
  is a JSON array string of steps (ints and strings). An event is identified by its ends,
  type and path (re-putting it is a no-op that keeps the first ``ts``). Written by one
  MERGE statement per event type present, the relationship type spliced from ``EventType``
  (a MERGE on a dynamic ``$(type)`` is ten times slower in 5.26).
* ``(a)-[:ATTRIBUTED_TO]->(c)``, ``(e)-[:ASSOCIATED_WITH]->(c)``, ``(child)-[:CHILD_OF]->(parent)``.
* Ids come from ``(:Counter {kind, value})`` nodes (``artifact``, ``execution``, ``context``,
  ``type``, ``seq``, ``incident``) updated in the writing transaction; a batch reserves a
  whole range in one statement. Every write transaction first locks the ``seq`` counter, so
  writers serialise and ``seq`` order is commit order. ``(:SchemaVersion {version})``.
* Schema (``cypher/schema``): uniqueness of ``id`` per kind and per type kind, of
  ``(type, name)`` and ``external_id`` per kind (composite uniqueness constraints work in
  Community 5.26), of ``Counter.kind``; range indexes on type, name, uri, state,
  last_known_state, create_time, update_time, seq.

Labels in MATCH are spliced from the closed ``Kind`` set (``neo4j_tx.cypher``), never given
as ``$(...)``: a dynamic label in MATCH plans as a scan of all nodes.

Transactions: short-lived sessions; each write is one transaction function given to
``execute_write`` (the driver retries it on transient errors; it re-plans from the database
each time, so a retry is clean). Reads run each statement as an auto-commit query (one round
trip instead of three), retried whole on transient errors the same way. Driver exceptions become
``lineage_graph.errors`` in ``_translate`` only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, TypeVar, cast

import neo4j
from neo4j import Driver, GraphDatabase, ManagedTransaction, NotificationDisabledCategory

from ..errors import (
    UnavailableError,
)
from ..models import (
    AnyType,
    Context,
    Event,
    Kind,
    ListOptions,
    Node,
    Page,
    Reuse,
)
from ..queries import schema
from ..target import Neo4jTarget
from . import validation as v
from .base import Store
from .listing import glob_regex
from .neo4j_codec import STATE_KEY, decode_event, decode_node, property_key
from .neo4j_errors import translate as _translate
from .neo4j_lineage import Neo4jLineageMixin
from .neo4j_tx import Hook, Neo4jPort, StatementRunner, cypher
from .rules import WriteRules

T = TypeVar("T")

# LIMIT when the caller asked for no limit (Cypher's LIMIT needs a number).
_NO_LIMIT = 2**62


@dataclass(frozen=True)
class SchemaStep:
    """One schema statement applied by ``apply_schema``: did it change anything?"""

    name: str
    created: bool


class Neo4jStore(Neo4jLineageMixin, Store):
    """The metadata store on Neo4j.

    Example::

        with Neo4jStore.connect("bolt://localhost:7687", "neo4j", "secret") as store:
            store.init_schema()
            store.put_artifact_type(ArtifactType(name="Dataset"))

    For the service layer (lineage queries): ``read(work)`` runs ``work(runner)`` in a read
    transaction, ``runner.run(name, kind, **params)`` runs a named statement, and
    ``run_read(text, **params)`` runs one statement text (from ``queries.query``) and returns
    its rows as dicts.
    """

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        *,
        owns_driver: bool = False,
        timeout: float | None = None,
    ) -> None:
        """Args:
        driver: a neo4j driver; closed by ``close()`` only when ``owns_driver``.
        database: the database name (``None``: the server's default).
        timeout: seconds a transaction may run before ``QueryTimeoutError``.
        """
        self._driver = driver
        self._database = database
        self._owns_driver = owns_driver
        self._timeout = timeout
        # Tests set this to see (or break) each statement of a write transaction.
        self._after_statement: Hook | None = None
        self._verified = False

    @classmethod
    def from_target(cls, target: Neo4jTarget, *, timeout: float | None = None) -> Neo4jStore:
        """A store that owns a new driver for ``target`` (closed by ``close()``)."""
        return cls.connect(
            target.uri, target.user, target.password, target.database, timeout=timeout
        )

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str | None = None,
        *,
        timeout: float | None = None,
    ) -> Neo4jStore:
        """A store that owns a new driver for ``uri`` (``bolt://``, ``neo4j://``, ``+s`` ...).

        Raises:
            UnavailableError: the URI is malformed.
        """
        try:
            with _translate():
                driver = GraphDatabase.driver(uri, auth=(user, password))
        except (ValueError, UnavailableError) as exc:  # the driver's complaint about the URI
            raise UnavailableError(f"cannot use Neo4j URI {uri!r}: {exc}") from exc
        return cls(driver, database, owns_driver=True, timeout=timeout)

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()

    # ---- running work --------------------------------------------------------------------

    def _verify(self) -> None:
        if not self._verified:
            # Fail fast when the server is absent: retried work would otherwise retry
            # "unreachable" for the whole retry budget (30 s).
            self._driver.verify_connectivity()
            self._verified = True

    def _session(self, **kwargs: Any) -> neo4j.Session:
        self._verify()
        # Relationship types that exist only once an event of that kind is written would
        # otherwise log an "unknown relationship type" warning on every query.
        return self._driver.session(
            database=self._database,
            notifications_disabled_categories=[
                NotificationDisabledCategory.UNRECOGNIZED
            ],
            **kwargs,
        )

    def _tx_function(
        self, work: Callable[[ManagedTransaction], T]
    ) -> Callable[[ManagedTransaction], T]:
        if self._timeout is None:
            return work
        return neo4j.unit_of_work(timeout=self._timeout)(work)

    def read(self, work: Callable[[StatementRunner], T]) -> T:
        """Run ``work``'s statements as auto-commit reads, retried whole on transient errors.

        One Bolt round trip per statement: a managed transaction adds a BEGIN and a COMMIT
        trip to every question, and buys reads nothing here (Neo4j reads are read-committed
        inside a transaction too, and take no locks).
        """
        session_kwargs = {"default_access_mode": neo4j.READ_ACCESS}
        with _translate():
            self._verify()  # outside the retries: no server at all is not transient
            return _retrying(lambda: self._read_once(work, session_kwargs))

    def _read_once(self, work: Callable[[StatementRunner], T], kwargs: dict[str, Any]) -> T:
        with self._session(**kwargs) as session:
            return work(StatementRunner(_AutoCommit(session, self._timeout)))  # type: ignore[arg-type]

    def write(self, work: Callable[[Neo4jPort], T]) -> T:
        """Run ``work`` in one managed write transaction: all or nothing, retried if transient."""

        def fn(tx: ManagedTransaction) -> T:
            return work(Neo4jPort(tx, self._after_statement))

        with _translate(), self._session() as session:
            return session.execute_write(self._tx_function(fn))

    def _write(self, work: Callable[[WriteRules], T]) -> T:
        return self.write(lambda port: work(WriteRules(port)))

    def run_read(self, text: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """One read statement's rows as dicts (for services with their own named queries)."""
        return self.read(lambda runner: [r.data() for r in runner.tx.run(text, params)])

    def _autocommit(self, text: LiteralString, **params: Any) -> neo4j.ResultSummary:
        # Schema statements and CALL {...} IN TRANSACTIONS need an auto-commit transaction.
        with _translate(), self._session() as session:
            return session.run(text, params).consume()

    # ---- schema and maintenance ----------------------------------------------------------

    def apply_schema(self) -> list[SchemaStep]:
        """Apply every ``cypher/schema`` statement (idempotent) and wait for indexes.

        Returns:
            One step per statement, ``created`` when it changed the database.
        """
        steps: list[SchemaStep] = []
        for statement in schema():
            counters = self._autocommit(statement.text).counters
            created = (
                counters.constraints_added + counters.indexes_added + counters.nodes_created
            ) > 0
            steps.append(SchemaStep(statement.name, created))
        self._autocommit(cypher("store_await_indexes"), timeout_seconds=300)
        return steps

    def init_schema(self) -> None:
        self.apply_schema()

    def clear(self) -> None:
        self._autocommit(cypher("store_clear_edges"))
        self._autocommit(cypher("store_clear"))

    def stats(self) -> dict[str, Any]:
        """Counts of nodes per kind, types, relationships, and counter values."""
        row = self.read(lambda r: r.run("store_stats"))[0]
        row["counters"] = dict(row["counters"])
        return row

    # ---- types ---------------------------------------------------------------------------

    def get_types(self, kind: Kind, names: Sequence[str] | None = None) -> list[AnyType]:
        if names is not None:
            names = [n for n in names if isinstance(n, str)]
        return self.read(lambda r: r.types(kind, names))

    # ---- nodes ---------------------------------------------------------------------------

    def get_nodes_by_id(self, kind: Kind, ids: Sequence[int]) -> list[Node]:
        wanted = [i for i in ids if v.fits_int64(i)]
        found = {n.id: n for n in self.read(lambda r: r.nodes_by_id(kind, sorted(set(wanted))))}
        return [found[i] for i in wanted if i in found]

    def _by_type_and_name(self, kind: Kind, type_name: str, name: str) -> Node | None:
        # The same checks as the listing, then one seek on the (type, name) constraint's
        # index: a point question, not a listing ordered over the type's every node.
        ListOptions(type=type_name, name=name, limit=1)
        rows = self.read(
            lambda r: r.run("node_find_by_names", kind, keys=[{"type": type_name, "name": name}])
        )
        return decode_node(kind, rows[0]["props"]) if rows else None

    def list_nodes(self, kind: Kind, options: ListOptions | None = None) -> Page:
        o = options or ListOptions()
        cursor = v.check_list_options(o, kind)
        params: dict[str, Any] = {
            "type": o.type,
            "types": list(o.types) if o.types is not None else None,
            "name": o.name,
            "name_regex": glob_regex(o.name_glob) if o.name_glob is not None else None,
            "uri": o.uri,
            "external_ids": list(o.external_ids) if o.external_ids is not None else None,
            "states": list(o.states) if o.states is not None else None,
            "state_key": STATE_KEY[kind] or "state",
            "context_id": o.context_id,
            "artifact_id": o.artifact_id,
            "execution_id": o.execution_id,
            "property_filters": [
                {"key": property_key(f.name, custom=f.custom), "op": f.op, "value": f.value}
                for f in o.properties
            ],
            "create_time_min": o.create_time_min,
            "create_time_max": o.create_time_max,
            "update_time_min": o.update_time_min,
            "update_time_max": o.update_time_max,
            "changed_after": o.changed_after,
            "order_key": o.order_by,
            "descending": o.descending,
            "after_key": cursor[0] if cursor is not None else None,
            "after_id": cursor[1] if cursor is not None else None,
            # One row more than asked tells whether another page exists.
            "limit": o.limit + 1 if o.limit is not None else _NO_LIMIT,
        }
        if o.types is None and o.type is not None:
            params["types"] = [o.type]  # same filter; lets node_list_by_type seek the index
        statement = _list_statement(o)
        rows = self.read(lambda r: r.run(statement, kind, **params))
        nodes = [decode_node(kind, row["props"]) for row in rows]
        next_cursor = None
        if o.limit is not None and len(nodes) > o.limit:
            nodes = nodes[: o.limit]
            last = nodes[-1]
            next_cursor = v.encode_cursor(
                o.order_by, o.descending, v.order_key(last, o.order_by), last.id or 0
            )
        return Page(items=nodes, next_cursor=next_cursor)

    # ---- events and links ----------------------------------------------------------------

    def get_events(
        self,
        *,
        artifact_ids: Sequence[int] | None = None,
        execution_ids: Sequence[int] | None = None,
    ) -> list[Event]:
        def ok(ids: Sequence[int] | None) -> list[int]:
            return sorted({i for i in ids or () if v.fits_int64(i)})

        rows = self.read(
            lambda r: r.run(
                "event_get", artifact_ids=ok(artifact_ids), execution_ids=ok(execution_ids)
            )
        )
        events = [decode_event(row) for row in rows]
        # The documented order (same as the memory backend): execution, artifact, type, path.
        return sorted(
            events,
            key=lambda e: (e.execution_id, e.artifact_id, e.type.value, _path_key(e)),
        )

    def get_reuses(
        self,
        *,
        execution_ids: Sequence[int] | None = None,
        original_ids: Sequence[int] | None = None,
    ) -> list[Reuse]:
        def ok(ids: Sequence[int] | None) -> list[int]:
            return sorted({i for i in ids or () if v.fits_int64(i)})

        rows = self.read(
            lambda r: r.run(
                "execution_get_reuses",
                execution_ids=ok(execution_ids),
                original_ids=ok(original_ids),
            )
        )
        return sorted(
            (Reuse(execution_id=r["execution_id"], original_id=r["original_id"]) for r in rows),
            key=lambda lk: (lk.execution_id, lk.original_id),
        )

    def get_parent_contexts(self, context_id: int) -> list[Context]:
        return self._related_contexts("context_get_parents", context_id)

    def get_child_contexts(self, context_id: int) -> list[Context]:
        return self._related_contexts("context_get_children", context_id)

    def _related_contexts(self, name: str, context_id: int) -> list[Context]:
        rows = self.read(lambda r: r.run(name, id=context_id))
        return [cast(Context, decode_node(Kind.CONTEXT, row["props"])) for row in rows]


class _AutoCommit:
    """What a read's ``work`` sees as its transaction: each ``run`` is one auto-commit
    statement on the same session (with the store's timeout)."""

    def __init__(self, session: neo4j.Session, timeout: float | None) -> None:
        self._session = session
        self._timeout = timeout

    def run(self, text: LiteralString, parameters: dict[str, Any] | None = None,
            **kwargs: Any) -> neo4j.Result:
        query = text if self._timeout is None else neo4j.Query(text, timeout=self._timeout)
        return self._session.run(query, parameters, **kwargs)


#: How long a read is retried on transient errors (the driver's own default budget).
_READ_RETRY_S = 30.0


def _retrying(attempt: Callable[[], T]) -> T:
    """``attempt()``, again after a transient failure (a leader switch, a restart), with
    exponential backoff, for up to ``_READ_RETRY_S`` seconds, as ``execute_read`` would."""
    deadline = time.monotonic() + _READ_RETRY_S
    delay = 0.05
    while True:
        try:
            return attempt()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
            if not exc.is_retryable() or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _path_key(e: Event) -> str:
    return json.dumps(list(e.path))


def _list_statement(o: ListOptions) -> str:
    """The listing statement whose first MATCH starts from an index for these options.

    A generic ``$x IS NULL OR ...`` filter can never seek, so the anchor is chosen here, most
    selective first; every statement applies all remaining filters exactly like ``node_list``.
    """
    if o.external_ids is not None:
        return "node_list_by_external_ids"
    if o.uri is not None:
        return "node_list_by_uri"
    if o.context_id is not None:
        return "node_list_by_context"
    if o.artifact_id is not None:
        return "node_list_by_artifact"
    if o.execution_id is not None:
        return "node_list_by_execution"
    if o.type is not None or o.types is not None:
        return "node_list_by_type"
    return "node_list"
