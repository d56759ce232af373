"""Import a Google ML Metadata (MLMD) store through the ``ml-metadata`` library itself.

What comes over (all of it, losslessly where the model allows):

* types of the three kinds with name, version, description, base type and declared
  properties (``PROTO`` is declared as ``STRUCT``, see below);
* artifacts, executions and contexts with their MLMD ids, names, uris, external ids, states,
  create/update times, declared and custom properties with their value types;
* events (all seven types) with their paths (index and key steps) and timestamps,
  attributions, associations and parent contexts.

MLMD ids are kept (``Store.import_nodes``), so an MLMD user's ``artifact 42`` is still 42.
The import reads MLMD page by page in id order (``ListOptions(order_by=ID, filter_query=
'id > last')``), so client memory stays flat whatever the store's size; attributions and
associations come from ``get_lineage_subgraph`` with zero hops, 100 starting nodes a call.

It is idempotent: each page is compared with what the store already holds and only new or
changed nodes and missing events are written (links are re-put, which is a no-op for known
ones). A second import therefore brings only what is new. The import covers ids up to the
maxima seen when it starts, so writers appending to MLMD meanwhile cannot tear it.

Older MLMD schemas (an SQLite store written by an older TFX/ml-metadata, e.g. schema v8) are
read from an upgraded temporary copy: ``open_mlmd`` copies the file with SQLite's backup API,
lets ml-metadata migrate the copy (``enable_upgrade_migration``) and deletes it when the
store object goes away. The original file is never written. (A MySQL store of an older
schema is refused with that advice: there is no file to copy.)

``import_mlmd(..., merge=True)`` brings MLMD history into a store that already holds other
history (tracked runs, another MLMD store): nodes get new ids, and each remembers where it
came from in its ``external_id``: ``mlmd:<kind>:<id>`` (``mlmd:<source>:<kind>:<id>`` with
``source``), or MLMD's own external id when it has one (MLMD keeps those unique per kind).
A re-import finds its nodes again by these and writes only what changed. Types are merged
with the stored ones (declared properties are the union; a property declared with two value
types is ``AlreadyExistsError``); a context whose (type, name) is already stored is that
context (MLMD's ``reuse_context_if_already_exist``: the pipeline ``wine`` tracked here and
the pipeline ``wine`` in MLMD are one pipeline); an artifact or execution whose (type, name)
is taken by another node is ``AlreadyExistsError``. The store sets the create/update times of
merged nodes (``put_nodes``); MLMD's times are kept only by the id-keeping import.

Departures (recorded because the model is narrower than MLMD's protos):

* ``proto_value`` (a ``google.protobuf.Any``) becomes the STRUCT ``{"@type": type_url,
  "value": base64(bytes)}``, and a declared ``PROTO`` property is declared ``STRUCT``.
* ``system_metadata``, type ``external_id`` and ExecutionType ``input_type``/``output_type``
  are not kept; events of type ``UNKNOWN`` are skipped and counted.
* Type and property names that lineage-graph cannot use (``models.TYPE_NAME_PATTERN``,
  ``PROPERTY_NAME_PATTERN``; e.g. TFX's long dotted class paths) are mapped to safe names
  deterministically; the report lists every rename.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import roles
from ..errors import AlreadyExistsError, InvalidInputError, UnavailableError
from ..models import (
    AnyType,
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    Node,
    ParentContext,
    PropertyType,
    Value,
)
from ..store.base import Store
from ..store.rules import ImportCounts, WriteRules
from .names import property_name, type_name

if TYPE_CHECKING:  # the library is an optional extra: imported lazily at run time
    from ml_metadata.metadata_store import MetadataStore

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase is ``types``, ``contexts``, ``artifacts``, ..."""

DEFAULT_BATCH = 1000
_SUBGRAPH_START_LIMIT = 100  # MLMD refuses more starting nodes per get_lineage_subgraph call
_SQLITE_MAGIC = b"SQLite format 3\x00"
_KINDS = (Kind.CONTEXT, Kind.ARTIFACT, Kind.EXECUTION)


def _pb() -> Any:
    """The MLMD protos module, or a clear error when the optional extra is missing."""
    try:
        from ml_metadata.proto import metadata_store_pb2
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise UnavailableError(
            "MLMD import needs the ml-metadata library: pip install 'lineage-graph[mlmd]'"
        ) from exc
    return metadata_store_pb2


# ---- opening ----------------------------------------------------------------------------


def _check_sqlite_file(path: Path) -> None:
    """Refuse anything that is not an existing SQLite file holding MLMD tables.

    MLMD would otherwise create its schema inside a foreign SQLite file; we also open it
    READONLY, but this check gives the user one clear sentence instead of MLMD's SQL text.
    """
    where = str(path)
    if not path.is_file():
        raise InvalidInputError(f"MLMD store {where} does not exist", field="file", value=where)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidInputError(
            f"MLMD store {where} cannot be read: {exc.strerror}", field="file", value=where
        ) from None
    if head != _SQLITE_MAGIC:
        raise InvalidInputError(
            f"{where} is not an MLMD store: it is not an SQLite database file",
            field="file",
            value=where,
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(
            f"{where} is not an MLMD store: SQLite cannot read it ({exc})",
            field="file",
            value=where,
        ) from None
    missing = {"Type", "Artifact", "Execution", "Context", "Event"} - names
    if missing:
        raise InvalidInputError(
            f"{where} is not an MLMD store: it lacks the MLMD tables {', '.join(sorted(missing))}",
            field="file",
            value=where,
        )


def mysql_config_from_file(path: str | Path) -> Any:
    """Read a MySQL connection for MLMD from a JSON or text-proto file.

    The file holds ``MySQLDatabaseConfig`` fields: ``host``, ``port``, ``database``,
    ``user``, ``password``, ``socket``, ``ssl_options``. Example:
    ``{"host": "127.0.0.1", "port": 3306, "database": "mlmd", "user": "ml"}``.

    Returns:
        A ``metadata_store_pb2.ConnectionConfig`` with its ``mysql`` field set.

    Raises:
        InvalidInputError: the file is missing or not a valid config.
    """
    pb = _pb()
    from google.protobuf import json_format, text_format

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"MySQL config {p} cannot be read: {exc.strerror}", field="mysql_config", value=str(p)
        ) from None
    mysql = pb.MySQLDatabaseConfig()
    try:
        if text.lstrip().startswith("{"):
            json_format.ParseDict(json.loads(text), mysql)
        else:
            text_format.Parse(text, mysql)
    except (ValueError, json_format.ParseError, text_format.ParseError) as exc:
        raise InvalidInputError(
            f"MySQL config {p} is not valid: {exc}", field="mysql_config", value=str(p)
        ) from None
    mysql.skip_db_creation = True  # an import must never create an empty MLMD database
    config = pb.ConnectionConfig()
    config.mysql.CopyFrom(mysql)
    return config


def open_mlmd(sqlite_file: str | Path | None = None, *, mysql_config: Any = None) -> MetadataStore:
    """Open an MLMD store read-only: an SQLite file, or MySQL via a ``ConnectionConfig``.

    Raises:
        InvalidInputError: the file is missing, not SQLite, not MLMD, or of an MLMD schema
            version this library cannot read; the message is one sentence.
        UnavailableError: the ml-metadata library is not installed, or MySQL is unreachable.
    """
    pb = _pb()
    from ml_metadata.metadata_store import MetadataStore

    if (sqlite_file is None) == (mysql_config is None):
        raise InvalidInputError("give either an SQLite file or a MySQL config", field="source")
    if sqlite_file is not None:
        path = Path(sqlite_file)
        _check_sqlite_file(path)
        config = pb.ConnectionConfig()
        config.sqlite.filename_uri = str(path)
        config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READONLY
        where = str(path)
    else:
        config = mysql_config
        where = f"MySQL {config.mysql.host}:{config.mysql.port or 3306}/{config.mysql.database}"
    try:
        return MetadataStore(config, enable_upgrade_migration=False)
    except RuntimeError as exc:  # the pybind constructor raises plain RuntimeError
        reason = str(exc).split(" query:", 1)[0].strip()
        older = _OLDER.search(reason)
        if older is not None and sqlite_file is not None:
            return _upgraded_copy(Path(sqlite_file), int(older.group(1)))
        if older is not None:
            reason = (
                f"its schema version {older.group(1)} is older than this ml-metadata's "
                f"{older.group(2)}; upgrade a copy of the database with ml-metadata "
                "(MetadataStore(config, enable_upgrade_migration=True)) and import the copy"
            )
        elif sqlite_file is None and "connect" in reason.lower():
            raise UnavailableError(f"cannot reach {where}: {reason}") from None
        raise InvalidInputError(
            f"{where} cannot be opened as an MLMD store: {reason}", field="file", value=where
        ) from None


_OLDER = re.compile(r"MLMD database version (\d+) is older than library version (\d+)")
# Stores opened from an upgraded copy: the schema version the original file has.
_UPGRADED: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _upgraded_copy(path: Path, version: int) -> MetadataStore:
    """An MLMD store read from a migrated copy of ``path`` (deleted with the store object).

    SQLite's backup API copies a consistent snapshot even while a writer has the file open;
    the original is opened read-only and never changed.
    """
    pb = _pb()
    from ml_metadata.metadata_store import MetadataStore

    workdir = Path(tempfile.mkdtemp(prefix="lineage-graph-mlmd-"))
    copy = workdir / "upgraded.sqlite"
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        config = pb.ConnectionConfig()
        config.sqlite.filename_uri = str(copy)
        config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE
        store = MetadataStore(config, enable_upgrade_migration=True)
    except (RuntimeError, sqlite3.Error) as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise InvalidInputError(
            f"{path} has MLMD schema version {version}, and upgrading a copy failed: "
            f"{str(exc).split(' query:', 1)[0].strip()}",
            field="file",
            value=str(path),
        ) from None
    weakref.finalize(store, shutil.rmtree, workdir, ignore_errors=True)
    _UPGRADED[store] = version
    return store


def schema_upgraded_from(mlmd: MetadataStore) -> int | None:
    """The schema version of the original file when ``mlmd`` reads an upgraded copy."""
    return _UPGRADED.get(mlmd)


# ---- proto -> model ---------------------------------------------------------------------


def value_of(v: Any) -> Value | None:
    """A model value from an MLMD ``Value`` proto, keeping its type; None if unset."""
    which = v.WhichOneof("value")
    if which == "int_value":
        return int(v.int_value)
    if which == "double_value":
        return float(v.double_value)
    if which == "string_value":
        return str(v.string_value)
    if which == "bool_value":
        return bool(v.bool_value)
    if which == "struct_value":
        from google.protobuf import json_format

        return json_format.MessageToDict(v.struct_value)  # type: ignore[no-any-return]
    if which == "proto_value":
        return {
            "@type": v.proto_value.type_url,
            "value": base64.b64encode(v.proto_value.value).decode("ascii"),
        }
    return None


def _properties(props: Any, renames: dict[str, str]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key in sorted(props):
        value = value_of(props[key])
        if value is None:
            continue
        safe = property_name(key)
        if safe != key:
            renames[f"property {key}"] = safe
        out[safe] = value
    return out


def _optional_text(message: Any, name: str) -> str | None:
    if not message.HasField(name):
        return None
    value = getattr(message, name)
    return str(value) if value != "" else None


@dataclass
class ImportReport:
    """What an import did. ``new``/``updated``/``unchanged`` count nodes per kind."""

    new: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in _KINDS})
    updated: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in _KINDS})
    unchanged: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in _KINDS})
    types: int = 0
    events_new: int = 0
    events_known: int = 0
    events_skipped: int = 0
    attributions: int = 0
    associations: int = 0
    parent_contexts: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    merged: bool = False
    adopted_contexts: int = 0
    schema_upgraded_from: int | None = None
    # Roles the imported types have that the stored mapping lacked (type name -> role), and
    # whether the import stored them (a merge does; see import_mlmd).
    roles: dict[str, str] = field(default_factory=dict)
    roles_stored: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "types": self.types,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": {
                "new": self.events_new,
                "known": self.events_known,
                "skipped_unknown_type": self.events_skipped,
            },
            "attributions": self.attributions,
            "associations": self.associations,
            "parent_contexts": self.parent_contexts,
            "renamed": self.renamed,
            "merged": self.merged,
            "adopted_contexts": self.adopted_contexts,
            "schema_upgraded_from": self.schema_upgraded_from,
            "roles": self.roles,
            "roles_stored": self.roles_stored,
        }


class _Converter:
    """Maps MLMD protos to model objects; remembers type names by MLMD type id."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.type_names: dict[int, str] = {}

    def type_(self, kind: Kind, t: Any) -> AnyType:
        pb = _pb()
        name = type_name(t.name)
        if name != t.name:
            self.report.renamed[f"type {t.name}"] = name
        self.type_names[t.id] = name
        declared: dict[str, PropertyType] = {}
        for key in sorted(t.properties):
            ptype = pb.PropertyType.Name(t.properties[key])
            if ptype == "UNKNOWN":
                continue
            safe = property_name(key)
            if safe != key:
                self.report.renamed[f"property {key}"] = safe
            declared[safe] = PropertyType("STRUCT" if ptype == "PROTO" else ptype)
        base: str | None = None
        if t.HasField("base_type"):
            base_name = type(t).SystemDefinedBaseType.Name(t.base_type)
            base = None if base_name == "UNSET" else base_name
        cls = {Kind.ARTIFACT: ArtifactType, Kind.EXECUTION: ExecutionType}.get(kind, ContextType)
        return cls(  # type: ignore[no-any-return]
            name=name,
            version=_optional_text(t, "version"),
            description=_optional_text(t, "description"),
            base_type=base,
            properties=declared,
        )

    def node(self, kind: Kind, n: Any) -> Node:
        pb = _pb()
        common: dict[str, Any] = {
            "id": int(n.id),
            "type": self.type_names[n.type_id],
            "name": _optional_text(n, "name"),
            "external_id": _optional_text(n, "external_id"),
            "properties": _properties(n.properties, self.report.renamed),
            "custom_properties": _properties(n.custom_properties, self.report.renamed),
            "create_time": int(n.create_time_since_epoch),
            "update_time": int(n.last_update_time_since_epoch),
        }
        if kind is Kind.ARTIFACT:
            return Artifact(
                **common,
                uri=_optional_text(n, "uri"),
                state=ArtifactState(pb.Artifact.State.Name(n.state)),
            )
        if kind is Kind.EXECUTION:
            return Execution(
                **common,
                last_known_state=ExecutionState(pb.Execution.State.Name(n.last_known_state)),
            )
        return Context(**common)

    def event(self, e: Any) -> Event | None:
        pb = _pb()
        type_name = pb.Event.Type.Name(e.type)
        if type_name == "UNKNOWN":
            return None
        steps: list[int | str] = []
        for step in e.path.steps:
            steps.append(int(step.index) if step.WhichOneof("value") == "index" else step.key)
        return Event(
            artifact_id=int(e.artifact_id),
            execution_id=int(e.execution_id),
            type=EventType(type_name),
            path=tuple(steps),
            timestamp=int(e.milliseconds_since_epoch)
            if e.HasField("milliseconds_since_epoch")
            else None,
        )


# ---- reading MLMD page by page ----------------------------------------------------------


def _list(mlmd: MetadataStore, kind: Kind, **kwargs: Any) -> Any:
    method = {
        Kind.ARTIFACT: mlmd.get_artifacts,
        Kind.EXECUTION: mlmd.get_executions,
        Kind.CONTEXT: mlmd.get_contexts,
    }[kind]
    return method(**kwargs)


def max_id(mlmd: MetadataStore, kind: Kind) -> int:
    """The largest id of a kind in MLMD (0 when empty): the import's snapshot bound."""
    from ml_metadata.metadata_store import ListOptions, OrderByField

    found = _list(
        mlmd, kind, list_options=ListOptions(limit=1, order_by=OrderByField.ID, is_asc=False)
    )
    return int(found[0].id) if found else 0


def iter_pages(
    mlmd: MetadataStore, kind: Kind, *, batch: int = DEFAULT_BATCH, up_to: int | None = None
) -> Iterator[list[Any]]:
    """Nodes of a kind in id order, ``batch`` at a time (MLMD pages 100 per call inside)."""
    from ml_metadata.metadata_store import ListOptions, OrderByField

    last = 0
    while True:
        where = f"id > {int(last)}" + (f" AND id <= {int(up_to)}" if up_to is not None else "")
        page = _list(
            mlmd,
            kind,
            list_options=ListOptions(
                limit=batch, order_by=OrderByField.ID, is_asc=True, filter_query=where
            ),
        )
        if not page:
            return
        yield list(page)
        last = page[-1].id
        if len(page) < batch:
            return


def _links(mlmd: MetadataStore, kind: Kind, ids: Sequence[int]) -> Any:
    """Attributions (artifacts) or associations (executions) of these nodes, 100 a call."""
    pb = _pb()
    mask = "attributions" if kind is Kind.ARTIFACT else "associations"
    found: list[Any] = []
    for start in range(0, len(ids), _SUBGRAPH_START_LIMIT):
        chunk = ids[start : start + _SUBGRAPH_START_LIMIT]
        nodes = pb.LineageSubgraphQueryOptions.StartingNodes(
            filter_query=f"id IN ({','.join(str(int(i)) for i in chunk)})"
        )
        options = pb.LineageSubgraphQueryOptions(max_num_hops=0)
        if kind is Kind.ARTIFACT:
            options.starting_artifacts.CopyFrom(nodes)
        else:
            options.starting_executions.CopyFrom(nodes)
        graph = mlmd.get_lineage_subgraph(options, field_mask_paths=[mask])
        found.extend(getattr(graph, mask))
    return found


# ---- the import -------------------------------------------------------------------------


def _same(stored: Node, new: Node) -> bool:
    return stored.model_dump(exclude={"seq"}) == new.model_dump(exclude={"seq"})


def import_mlmd(
    store: Store,
    mlmd: MetadataStore,
    *,
    batch: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    merge: bool = False,
    source: str | None = None,
) -> ImportReport:
    """Copy everything from an open MLMD store into ``store``.

    Args:
        store: the destination (either backend).
        mlmd: an MLMD ``MetadataStore`` (see ``open_mlmd``).
        batch: nodes read and written per round trip.
        progress: called as ``progress(phase, done, total)`` while it runs.
        merge: give the nodes new ids (the store holds other history); each is found again
            by its external id (``mlmd:<kind>:<id>`` or MLMD's own). Without it MLMD's
            ids and times are kept, which needs those ids free.
        source: with ``merge``, a name for this MLMD store in the external ids
            (``mlmd:<source>:<kind>:<id>``), to merge several MLMD stores.

    Returns:
        An ``ImportReport`` with the counts of new, updated and unchanged entities, and the
        roles its types brought (``roles``; stored by a merge: ``roles_stored``).

    Raises:
        AlreadyExistsError: without ``merge``: the store holds a different node under an
            MLMD id, (type, name) or external id (e.g. it was not filled from this MLMD
            store); with ``merge``: an artifact or execution name taken by another node.
        InvalidInputError: an MLMD value the model cannot hold (e.g. a NaN double).

    Example::

        report = import_mlmd(store, open_mlmd("tfx/metadata.sqlite"), merge=True)
    """
    from .mlmd_merge import Merger, merged_types

    report = ImportReport(merged=merge, schema_upgraded_from=schema_upgraded_from(mlmd))
    conv = _Converter(report)
    tick: Progress = progress or (lambda phase, done, total: None)

    # Types first: nodes are validated against them. Types are matched by name.
    pb_types: list[tuple[Kind, Any]] = (
        [(Kind.ARTIFACT, t) for t in mlmd.get_artifact_types()]
        + [(Kind.EXECUTION, t) for t in mlmd.get_execution_types()]
        + [(Kind.CONTEXT, t) for t in mlmd.get_context_types()]
    )
    imported = [conv.type_(kind, t) for kind, t in pb_types]
    types = merged_types(store, imported)
    if types:
        store.put_types(types, can_add_fields=True)
    report.types = len(types)
    tick("types", len(types), len(types))

    bounds = {kind: max_id(mlmd, kind) for kind in _KINDS}
    merger = Merger(store, mlmd, conv, report, source) if merge else None
    for kind in _KINDS:  # contexts first: attributions and associations point at them
        for page in iter_pages(mlmd, kind, batch=batch, up_to=bounds[kind]):
            if merger is not None:
                merger.page(kind, page)
            else:
                _import_page(store, mlmd, conv, kind, page, bounds, report)
            tick(kind.value + "s", int(page[-1].id), bounds[kind])

    # Parent links last: a parent may have a larger id than its child.
    for page in iter_pages(mlmd, Kind.CONTEXT, batch=batch, up_to=bounds[Kind.CONTEXT]):
        if merger is not None:
            report.parent_contexts += merger.parents(page)
        else:
            links = [
                ParentContext(child_id=int(c.id), parent_id=int(p.id))
                for c in page
                for p in mlmd.get_parent_contexts_by_context(c.id)
                if p.id <= bounds[Kind.CONTEXT]
            ]
            if links:
                store.put_parent_contexts(links)
            report.parent_contexts += len(links)
        tick("parent contexts", int(page[-1].id), bounds[Kind.CONTEXT])
    # The questions read roles from the stored mapping: the roles this vocabulary's types have
    # (MLMD base types; TFX's Examples, Model, PushedModel, Trainer ... are defaults) that it
    # lacks. A merge stores them (its ids are ours). An import that keeps MLMD's ids does not:
    # the mapping's context would take a context id that MLMD hands out next, and the next
    # import would clash with it; the report lists them for `lineage-graph roles set`.
    report.roles = roles.missing(store, imported)
    if merge and report.roles:
        roles.extend(store, report.roles)
        report.roles_stored = True
    return report


def iter_history(
    mlmd: MetadataStore, report: ImportReport, *, batch: int = DEFAULT_BATCH
) -> Iterator[AnyType | Node | Event | Attribution | Association | ParentContext]:
    """The whole MLMD store as model objects, in the id-keeping import's order: types,
    then per kind (contexts, artifacts, executions) each page's nodes with their links and
    events, then parent links. For writers that take a stream (``interop.bulk``); counts
    the skipped events in ``report`` (the other counts are the writer's)."""
    conv = _Converter(report)
    for kind, pb_types in ((Kind.ARTIFACT, mlmd.get_artifact_types()),
                           (Kind.EXECUTION, mlmd.get_execution_types()),
                           (Kind.CONTEXT, mlmd.get_context_types())):  # fmt: skip
        for t in pb_types:
            yield conv.type_(kind, t)
    bounds = {kind: max_id(mlmd, kind) for kind in _KINDS}
    for kind in _KINDS:
        for page in iter_pages(mlmd, kind, batch=batch, up_to=bounds[kind]):
            yield from (conv.node(kind, n) for n in page)
            ids = [int(n.id) for n in page]
            if kind is Kind.ARTIFACT:
                for a in _links(mlmd, kind, ids):
                    if a.context_id <= bounds[Kind.CONTEXT]:
                        yield Attribution(artifact_id=a.artifact_id, context_id=a.context_id)
            elif kind is Kind.EXECUTION:
                for a in _links(mlmd, kind, ids):
                    if a.context_id <= bounds[Kind.CONTEXT]:
                        yield Association(execution_id=a.execution_id, context_id=a.context_id)
                for e in mlmd.get_events_by_execution_ids(ids):
                    event = conv.event(e)
                    if event is None:
                        report.events_skipped += 1
                    elif event.artifact_id <= bounds[Kind.ARTIFACT]:
                        yield event
    for page in iter_pages(mlmd, Kind.CONTEXT, batch=batch, up_to=bounds[Kind.CONTEXT]):
        for c in page:
            for p in mlmd.get_parent_contexts_by_context(c.id):
                if p.id <= bounds[Kind.CONTEXT]:
                    yield ParentContext(child_id=int(c.id), parent_id=int(p.id))


def _import_page(
    store: Store,
    mlmd: MetadataStore,
    conv: _Converter,
    kind: Kind,
    page: Sequence[Any],
    bounds: dict[Kind, int],
    report: ImportReport,
) -> None:
    """One page of nodes with their context links and events: one transaction.

    So an interrupted import never leaves an execution without its events, and a re-run
    writes only what is missing or changed (``skip_unchanged``: compared typed, so ``1``,
    ``1.0`` and ``True`` are three different values).
    """
    nodes = [conv.node(kind, n) for n in page]
    ids = [n.id for n in nodes if n.id is not None]
    attributions: list[Attribution] = []
    associations: list[Association] = []
    events: list[Event] = []
    if kind is Kind.ARTIFACT:
        attributions = [
            Attribution(artifact_id=a.artifact_id, context_id=a.context_id)
            for a in _links(mlmd, kind, ids)
            if a.context_id <= bounds[Kind.CONTEXT]
        ]
    elif kind is Kind.EXECUTION:
        associations = [
            Association(execution_id=a.execution_id, context_id=a.context_id)
            for a in _links(mlmd, kind, ids)
            if a.context_id <= bounds[Kind.CONTEXT]
        ]
        for e in mlmd.get_events_by_execution_ids(ids):
            event = conv.event(e)
            if event is None:
                report.events_skipped += 1
            elif event.artifact_id <= bounds[Kind.ARTIFACT]:
                events.append(event)

    def work(w: WriteRules) -> tuple[ImportCounts, int]:
        counts = w.import_nodes(kind, nodes, skip_unchanged=True)
        w.put_links(attributions, associations)
        return counts, w.put_events(events)

    try:
        counts, events_new = store.atomic(work)
    except InvalidInputError as exc:
        if exc.field != "type":
            raise
        raise AlreadyExistsError(
            f"{exc}: MLMD's {kind.value} {exc.value!r} clashes with the store's; import into an "
            "empty store or one filled from this MLMD store, or merge (merge=True)"
        ) from exc
    report.new[kind.value] += counts.new
    report.updated[kind.value] += counts.updated
    report.unchanged[kind.value] += counts.unchanged
    report.attributions += len(attributions)
    report.associations += len(associations)
    report.events_new += events_new
    report.events_known += len(events) - events_new
