"""A bulk first load: a whole history into an EMPTY local store through ``neo4j-admin import``.

``bulk_load(target, items)`` takes the store's own models in a stream -- types first, then
nodes (with their ids), events, attributions, associations, parent links and reuses in any
order -- checks them by the write rules, writes Neo4j admin-import CSV files, and has
``server.bulk_import`` replace the (empty) database with them. The graph is the one the
normal write path (``WriteRules.import_nodes`` + ``put_events`` + links) would write, node for
node and key for key (see ``store.neo4j``'s graph model):

* nodes: ``:Artifact|Execution|Context`` + ``models.type_label(type)`` (+ ``:Failed`` on FAILED
  executions), properties from ``neo4j_codec.encode_node`` (``p.``/``c.``/``pj.``/``cj.``);
* types: ``neo4j_codec.encode_type``, ids 1, 2, ... in order of first appearance (as one
  ``put_types`` call gives them); a type given twice evolves as ``put_types`` evolves it;
* ``seq``: 1, 2, ... in stream order (one import transaction after another numbers its
  writes in order); a node that carries a ``seq`` keeps it (an export moved whole);
* times: kept; a node without ``create_time`` gets the load's time, ``update_time``
  defaults to ``create_time``; an event without a timestamp gets the load's time;
* Counter nodes ``type``/``artifact``/``execution``/``context`` (the largest id) and ``seq``
  (locked, as every write leaves it); the schema and ``SchemaVersion`` come from
  ``init_schema`` after the import;
* a repeated event (same ends, type and path) or link is one edge, the first one given.

Refused before anything is touched (one ``InvalidInputError`` naming the field): what the
normal path refuses (bad names and values, undeclared properties, unknown types, a
``(type, name)`` or ``external_id`` claimed twice, dangling ends, parent cycles), a node id
given twice, a store that holds anything, and a store that is not the local server (the
admin importer writes the database's files; a remote server needs ``neo4j-admin database
import`` run on its own machine).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import AlreadyExistsError, InvalidInputError
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
    Node,
    ParentContext,
    Reuse,
    type_label,
)
from ..store import validation as v
from ..store.neo4j_codec import TYPE_LABEL, encode_node, encode_path, encode_type, state_labels
from ..target import Neo4jTarget

Item = AnyType | Node | Event | Attribution | Association | ParentContext | Reuse
Progress = Callable[[str], None]

# Python value -> the admin importer's column type.
_CSV_TYPE: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
_LOCAL_SOURCES = ("local", "provisioned")


@dataclass
class BulkReport:
    """What a bulk load wrote, and how long its parts took."""

    nodes: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in Kind})
    types: int = 0
    events: int = 0
    attributions: int = 0
    associations: int = 0
    parent_contexts: int = 0
    reuses: int = 0
    csv_bytes: int = 0
    csv_seconds: float = 0.0
    import_seconds: float = 0.0
    schema_seconds: float = 0.0

    @property
    def elements(self) -> int:
        """Nodes + edges written (the benchmarks' unit)."""
        return sum(self.nodes.values()) + self.events + self.attributions + (
            self.associations + self.parent_contexts + self.reuses
        )


def _cell(value: Any) -> str:
    """One CSV field: strings always quoted (so ``""`` is an empty string, and an empty
    field is a missing property), quotes doubled; doubles in a form Java parses exactly."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):  # validation refuses NaN first; never write it silently
            raise InvalidInputError("NaN cannot be stored", field="value", value=value)
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


class _Files:
    """CSV files by signature: one header file and one data file per group."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.groups: dict[tuple[str, ...], tuple[Path, IO[str]]] = {}

    def writer(self, header: tuple[str, ...]) -> IO[str]:
        found = self.groups.get(header)
        if found is None:
            n = len(self.groups)
            head = self.directory / f"g{n}-header.csv"
            head.write_text(",".join(header) + "\n", encoding="utf-8")
            data = self.directory / f"g{n}.csv"
            found = self.groups[header] = (head, data.open("w", encoding="utf-8", newline=""))
        return found[1]

    def close(self) -> list[tuple[Path, Path]]:
        out = []
        for head, fh in self.groups.values():
            fh.close()
            out.append((head, Path(fh.name)))
        return out


class CsvHistory:
    """Checks a history item by item and writes it as admin-import CSV files."""

    def __init__(self, directory: Path, now: int | None = None) -> None:
        self.now = now if now is not None else v.now_ms()
        self.report = BulkReport()
        self._nodes = _Files(directory / "nodes")
        self._edges = _Files(directory / "edges")
        for d in (self._nodes.directory, self._edges.directory):
            d.mkdir()
        self._types: dict[Kind, dict[str, AnyType]] = {k: {} for k in Kind}
        self._next_type = 0
        self._ids: dict[Kind, set[int]] = {k: set() for k in Kind}
        self._claims: dict[Kind, set[Any]] = {k: set() for k in Kind}
        self._wanted: dict[Kind, dict[int, str]] = {k: {} for k in Kind}
        self._edge_keys: set[Any] = set()
        self._parents: list[ParentContext] = []
        self._seq = 0

    # ---- items --------------------------------------------------------------------------

    def add(self, item: Item) -> None:
        if isinstance(item, Artifact | Execution | Context):
            self._node(item)
        elif isinstance(item, Event):
            self._event(item)
        elif isinstance(item, Attribution):
            self.report.attributions += self._link(
                Kind.ARTIFACT, item.artifact_id, "artifact_id", Kind.CONTEXT, item.context_id,
                "ATTRIBUTED_TO")  # fmt: skip
        elif isinstance(item, Association):
            self.report.associations += self._link(
                Kind.EXECUTION, item.execution_id, "execution_id", Kind.CONTEXT,
                item.context_id, "ASSOCIATED_WITH")  # fmt: skip
        elif isinstance(item, ParentContext):
            if self._link(Kind.CONTEXT, item.child_id, "child_id", Kind.CONTEXT,
                          item.parent_id, "CHILD_OF"):  # fmt: skip
                self._parents.append(item)
                self.report.parent_contexts += 1
        elif isinstance(item, Reuse):
            if item.execution_id == item.original_id:
                raise InvalidInputError(
                    f"execution {item.execution_id} cannot reuse itself",
                    field="original_id", value=item.original_id,
                )  # fmt: skip
            if self._link(Kind.EXECUTION, item.execution_id, "execution_id", Kind.EXECUTION,
                          item.original_id, "REUSED"):  # fmt: skip
                self.report.reuses += 1
        else:
            self._type(item)

    def _type(self, t: AnyType) -> None:
        v.check_type(t)
        registry = self._types[t.kind]
        stored = registry.get(t.name)
        if stored is None:
            self._next_type += 1
            registry[t.name] = t.model_copy(update={"id": self._next_type}, deep=True)
        else:
            evolved = v.evolve_type(stored, t, can_add_fields=True)
            if evolved is not None:
                registry[t.name] = evolved

    def _node(self, node: Node) -> None:
        kind = node.kind
        v.check_node(kind, node, self._types[kind].get(node.type))
        node_id = v.check_int(node.id, "id")
        if node_id in self._ids[kind]:
            raise InvalidInputError(
                f"{kind.value} {node_id} is given twice (a bulk load writes each node once)",
                field="id", value=node_id,
            )  # fmt: skip
        for claim in v.unique_keys(node):
            if claim in self._claims[kind]:
                raise AlreadyExistsError(
                    f"{kind.value} {node_id}: another {kind.value} already has {claim[0]} "
                    f"{claim[1]!r}"
                )
            self._claims[kind].add(claim)
        self._ids[kind].add(node_id)
        create = node.create_time if node.create_time is not None else self.now
        update = node.update_time if node.update_time is not None else create
        seq = v.check_int(node.seq, "seq") if node.seq is not None else self._seq + 1
        self._seq = max(self._seq, seq)
        props = encode_node(node, node_id=node_id, create_time=create, update_time=update,
                            seq=seq)  # fmt: skip
        labels = [kind.label, type_label(node.type), *state_labels(node)[0]]
        keys = sorted(props)
        header = (f":ID({kind.label})", ":LABEL",
                  *(f"{k}:{_CSV_TYPE[type(props[k])]}" for k in keys))  # fmt: skip
        row = [str(node_id), ";".join(labels), *(_cell(props[k]) for k in keys)]
        self._nodes.writer(header).write(",".join(row) + "\n")
        self.report.nodes[kind.value] += 1

    def _event(self, e: Event) -> None:
        v.check_event(e)
        path = encode_path(e.path)
        key = (e.artifact_id, e.execution_id, e.type.name, path)
        if key in self._edge_keys:
            return  # a known event is left as it is (its first ts)
        self._edge_keys.add(key)
        self._want(Kind.ARTIFACT, e.artifact_id, "artifact_id")
        self._want(Kind.EXECUTION, e.execution_id, "execution_id")
        if e.type.is_input:
            header = (":START_ID(Artifact)", ":END_ID(Execution)", ":TYPE", "path:string",
                      "ts:long")  # fmt: skip
            start, end = e.artifact_id, e.execution_id
        else:
            header = (":START_ID(Execution)", ":END_ID(Artifact)", ":TYPE", "path:string",
                      "ts:long")  # fmt: skip
            start, end = e.execution_id, e.artifact_id
        ts = e.timestamp if e.timestamp is not None else self.now
        self._edges.writer(header).write(f"{start},{end},{e.type.name},{_cell(path)},{ts}\n")
        self.report.events += 1

    def _link(self, a_kind: Kind, a: int, a_field: str, b_kind: Kind, b: int, rel: str) -> bool:
        """One idempotent link; False when it was given before."""
        v.check_int(a, a_field)
        b_field = {"ATTRIBUTED_TO": "context_id", "ASSOCIATED_WITH": "context_id",
                   "CHILD_OF": "parent_id", "REUSED": "original_id"}[rel]  # fmt: skip
        v.check_int(b, b_field)
        key = (rel, a, b)
        if key in self._edge_keys:
            return False
        self._edge_keys.add(key)
        self._want(a_kind, a, a_field)
        self._want(b_kind, b, b_field)
        header = (f":START_ID({a_kind.label})", f":END_ID({b_kind.label})", ":TYPE")
        self._edges.writer(header).write(f"{a},{b},{rel}\n")
        return True

    def _want(self, kind: Kind, node_id: int, field_name: str) -> None:
        self._wanted[kind].setdefault(node_id, field_name)

    # ---- the end ------------------------------------------------------------------------

    def finish(self) -> tuple[list[tuple[Path, Path]], list[tuple[Path, Path]]]:
        """Check what only the whole history tells; the (header, data) node and edge files."""
        for kind, wanted in self._wanted.items():
            for node_id, field_name in wanted.items():
                v.check_exists(kind, [node_id], self._ids[kind].__contains__, field_name)
        v.check_parent_links(self._parents, ())
        self._write_types()
        self._write_counters()
        nodes, edges = self._nodes.close(), self._edges.close()
        self.report.csv_bytes = sum(p.stat().st_size for pair in nodes + edges for p in pair)
        return nodes, edges

    def _write_types(self) -> None:
        header = (":LABEL", "id:long", "name:string", "version:string", "description:string",
                  "base_type:string", "properties:string")  # fmt: skip
        out = self._nodes.writer(header)
        for kind, registry in self._types.items():
            for t in registry.values():
                assert t.id is not None
                p = encode_type(t, t.id)
                out.write(",".join([TYPE_LABEL[kind], *(_cell(p.get(k)) for k in (
                    "id", "name", "version", "description", "base_type", "properties"))]) + "\n")
                self.report.types += 1

    def _write_counters(self) -> None:
        # What the normal path leaves: a counter per sequence it reserved from (the largest
        # id kept), and the seq counter every write transaction locks.
        values = {"type": self._next_type, "seq": self._seq}
        values.update({k.value: max(ids) for k, ids in self._ids.items() if ids})
        if not any(values.values()):
            return
        out = self._nodes.writer((":LABEL", "kind:string", "value:long", "locked:boolean"))
        for kind, value in values.items():
            if value or kind == "seq":
                locked = "true" if kind == "seq" else ""
                out.write(f"Counter,{_cell(kind)},{value},{locked}\n")


def check_local_and_empty(target: Neo4jTarget, server: Any) -> None:
    """Refuse a store the admin importer must not (or cannot) replace.

    Raises:
        InvalidInputError: not the local server's ``neo4j`` database, or it holds anything.
    """
    state = server.status()
    if (
        target.source not in _LOCAL_SOURCES
        or state is None
        or target.uri != state.uri
        or target.database not in (None, "neo4j")
    ):
        raise InvalidInputError(
            f"a bulk load needs the local server (`lineage-graph neo4j start`), not {target.uri}"
            ": neo4j-admin import writes the database files, so on another server run "
            "`neo4j-admin database import` there (or import without --bulk)",
            field="bulk", value=target.uri,
        )  # fmt: skip
    from ..store.neo4j import Neo4jStore

    with Neo4jStore.from_target(target) as store:
        stats = store.stats()
    held = {k: stats[k] for k in ("artifacts", "executions", "contexts", "types",
                                  "relationships") if stats[k]}  # fmt: skip
    if held or any(value for _, value in stats["counters"].items()):
        what = ", ".join(f"{n} {k}" for k, n in held.items()) or "used counters"
        raise InvalidInputError(
            f"a bulk load needs an empty store; this one holds {what} (import without --bulk, "
            "or `lineage-graph clear` first)",
            field="bulk", value=target.uri,
        )  # fmt: skip


def bulk_load(
    target: Neo4jTarget,
    items: Iterable[Item],
    *,
    server: Any = None,
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> BulkReport:
    """Load ``items`` into the empty local store ``target`` with ``neo4j-admin import``.

    Args:
        target: the local server's target (``resolve()`` / ``LocalServer.target``).
        items: types first, then nodes with ids, events and links (see the module docstring).
        server: the ``LocalServer`` behind ``target`` (default: the environment's).
        progress: receives one line per step.
        workdir: where the CSV files go (default: a temporary directory, removed after).

    Raises:
        InvalidInputError: see the module docstring; nothing was changed.
        UnavailableError: the import itself failed (the database may then be empty).
    """
    from ..server.bulk_import import CsvGroup, admin_import
    from ..server.local import LocalServer
    from ..store.neo4j import Neo4jStore

    say = progress or (lambda line: None)
    server = server or LocalServer()
    check_local_and_empty(target, server)
    with tempfile.TemporaryDirectory(prefix="lineage-graph-bulk-", dir=workdir) as tmp:
        t0 = time.monotonic()
        history = CsvHistory(Path(tmp))
        for item in items:
            history.add(item)
        nodes, edges = history.finish()
        report = history.report
        report.csv_seconds = time.monotonic() - t0
        say(f"Wrote {report.elements} nodes and edges as CSV ({report.csv_bytes} bytes)")
        run = admin_import([CsvGroup(h, d) for h, d in nodes],
                           [CsvGroup(h, d) for h, d in edges], Path(tmp),
                           server=server, progress=say)  # fmt: skip
        report.import_seconds = run.seconds
    t1 = time.monotonic()
    state = server.status()
    fresh = server.target(state, target.source) if state is not None else target
    with Neo4jStore.from_target(fresh) as store:
        store.init_schema()  # constraints, indexes and SchemaVersion: the import has none
    report.schema_seconds = time.monotonic() - t1
    return report


def bulk_import_mlmd(
    target: Neo4jTarget,
    mlmd: Any,
    *,
    batch: int = 1000,
    server: Any = None,
    progress: Progress | None = None,
) -> tuple[Any, BulkReport]:
    """``import_mlmd`` (MLMD's ids and times kept) into an empty local store, by bulk load.

    The same conversion as ``interop.mlmd.import_mlmd`` (its ``iter_history``), so the store
    ends as that import leaves an empty one, and the report lists the same missing roles.

    Returns:
        The ``ImportReport`` (counts as an import into an empty store gives them) and the
        ``BulkReport`` (sizes and times).
    """
    from .. import roles
    from ..store.neo4j import Neo4jStore
    from .mlmd import ImportReport, iter_history, schema_upgraded_from

    report = ImportReport(schema_upgraded_from=schema_upgraded_from(mlmd))
    types: list[AnyType] = []

    def stream() -> Iterable[Item]:
        for item in iter_history(mlmd, report, batch=batch):
            if isinstance(item, ArtifactType | ExecutionType | ContextType):
                types.append(item)
            yield item

    bulk = bulk_load(target, stream(), server=server, progress=progress)
    report.new = dict(bulk.nodes)
    report.types = bulk.types
    report.events_new = bulk.events
    report.attributions = bulk.attributions
    report.associations = bulk.associations
    report.parent_contexts = bulk.parent_contexts
    with Neo4jStore.from_target(target) as store:
        # As the id-keeping import_mlmd does last: report the roles this vocabulary's types
        # have that the mapping lacks, without storing them (the mapping's context would take
        # a context id MLMD hands out next).
        report.roles = roles.missing(store, types)
    return report, bulk
