"""``lineage-graph import|export``: MLMD import, OpenLineage in and out, exports.

Examples::

    lineage-graph import mlmd ./metadata.sqlite
    lineage-graph import mlmd --mysql-config mysql.json
    lineage-graph import openlineage events.jsonl        # or - for stdin
    lineage-graph export json -o store.json              # -o - writes to stdout
    lineage-graph import json store.json                  # or - for stdin; --merge
    lineage-graph export graphml 7 --kind artifact --upstream -o model7.graphml
    lineage-graph export json Model:churn-v3 --upstream --downstream -o churn.json
    lineage-graph export openlineage -o events.jsonl

``REF`` names a node as everywhere in the CLI (``lineage_graph.cli.refs``): an id or
``TYPE:NAME``, with ``--kind`` to pick the kind. With ``--upstream``/``--downstream`` the
export holds that node and its lineage, otherwise just that node (for a context: the context,
its artifacts and executions); either way with the contexts (pipelines, runs, their parents)
its artifacts and executions belong to.

``-o -`` writes the export to stdout (the summary line then goes to stderr); ``import json -``
reads stdin. The JSON document and its import are described in ``docs/export-json.md``.

Every command takes the connection options (``cli.common``) and may start the local Neo4j.
``import`` writes, so it applies the schema first; ``export`` only reads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InvalidInputError
from .common import Connection, JsonOpt, KindName, KindOpt, connects, emit_json, kind_of

if TYPE_CHECKING:
    from ..store.base import Store

import_app = typer.Typer(
    help="Bring history in: an MLMD store, OpenLineage events or MLflow history.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Write the store or one node's lineage as JSON, GraphML or OpenLineage events.",
    no_args_is_help=True,
)


def _emit(doc: dict[str, Any], as_json: bool, text: str) -> None:
    if as_json:
        emit_json(doc)
    else:
        typer.echo(text)


# ---- import --------------------------------------------------------------------------------


@import_app.command("mlmd")
@connects
def import_mlmd_cmd(
    conn: Connection,
    sqlite_file: Annotated[
        Path | None, typer.Argument(help="The MLMD SQLite file (opened read-only).")
    ] = None,
    mysql_config: Annotated[
        Path | None,
        typer.Option("--mysql-config", help="JSON or text-proto MySQLDatabaseConfig file."),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Nodes per round trip.")] = 1000,
    merge: Annotated[bool, typer.Option(
        "--merge", help="Into a store that holds other history: new ids, MLMD's kept as "
                        "external ids (mlmd:<kind>:<id>), so a re-import finds them.")] = False,
    source: Annotated[str | None, typer.Option(
        "--source", help="With --merge: a name for this MLMD store in the external ids.")] = None,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="First load of an empty local store through neo4j-admin import "
                       "(restarts the local server; much faster for big stores).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import an MLMD store (types, nodes, events, links) keeping MLMD's ids (or, with
    --merge, beside existing history); re-runs add only what is new. An older MLMD schema is
    read from an upgraded temporary copy; the file itself is never written. --bulk loads an
    empty local store in one neo4j-admin import (same result)."""
    from ..interop.mlmd import mysql_config_from_file, open_mlmd

    if (sqlite_file is None) == (mysql_config is None):
        raise InvalidInputError(
            "give an SQLite file or --mysql-config (one of them)", field="source"
        )
    if sqlite_file is not None:
        mlmd = open_mlmd(sqlite_file)
    else:
        assert mysql_config is not None
        mlmd = open_mlmd(mysql_config=mysql_config_from_file(mysql_config))
    if bulk:
        if merge:
            raise InvalidInputError(
                "--bulk loads an empty store; --merge is for one that holds history",
                field="bulk",
            )
        from ..interop.bulk import bulk_import_mlmd

        report, _ = bulk_import_mlmd(
            conn.target(start=True), mlmd, batch=batch,
            progress=None if as_json else (lambda line: typer.echo(line, err=True)),
        )  # fmt: skip
    else:
        report = _import_mlmd_rows(conn, mlmd, batch, merge, source, as_json)
    doc = report.as_dict()
    summary = ", ".join(
        f"{doc['new'][k]} new / {doc['updated'][k]} updated {k}s"
        for k in ("artifact", "execution", "context")
    )
    _emit(doc, as_json, f"imported: {summary}; {doc['events']['new']} new events")
    for old, new in report.renamed.items():
        if not as_json:
            typer.echo(f"renamed {old} -> {new}", err=True)


def _import_mlmd_rows(
    conn: Connection, mlmd: Any, batch: int, merge: bool, source: str | None, as_json: bool
) -> Any:
    """The transactional import (any store), with a progress bar on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..interop.mlmd import import_mlmd

    with (
        conn.store(write=True, start=True) as store,
        Progress(
            TextColumn("{task.description:>16}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=as_json or not sys.stderr.isatty(),
            console=Console(stderr=True),
        ) as bar,
    ):
        tasks: dict[str, Any] = {}

        def tick(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=max(total, 1))
            bar.update(tasks[phase], completed=done, total=max(total, 1))

        return import_mlmd(store, mlmd, batch=batch, progress=tick, merge=merge, source=source)


@import_app.command("mlflow")
@connects
def import_mlflow_cmd(
    conn: Connection,
    tracking_uri: Annotated[str, typer.Argument(
        help="An mlruns directory or an MLflow tracking URI (sqlite:///mlflow.db, ...).")],
    registry_uri: Annotated[str | None, typer.Option(
        "--registry-uri", help="The model registry, if not the tracking store.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import MLflow history through MLflow's own client: experiments, runs, datasets,
    models, registered versions and aliases; re-runs add only what is new."""
    from ..interop.mlflow import import_mlflow

    with conn.store(write=True, start=True) as store:
        report = import_mlflow(store, tracking_uri, registry_uri=registry_uri)
    doc = report.as_dict()
    new = ", ".join(f"{n} {what}" for what, n in sorted(doc["new"].items()) if n) or "nothing"
    _emit(doc, as_json, f"imported from MLflow: {new} new")


@import_app.command("openlineage")
@connects
def import_openlineage_cmd(
    conn: Connection,
    source: Annotated[str, typer.Argument(help="A JSON or JSON Lines file of events, or -.")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first malformed event.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Ingest OpenLineage RunEvents (one JSON document, an array, or JSON Lines)."""
    from ..interop.openlineage import ingest_events, iter_documents

    if source == "-":
        docs = list(iter_documents(sys.stdin))
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(f"{source} does not exist", field="source", value=source)
        with path.open(encoding="utf-8") as fh:
            docs = list(iter_documents(fh))
    with conn.store(write=True, start=True) as store:
        report = ingest_events(store, docs, stop_on_error=strict)
    _emit(
        report.as_dict(),
        as_json,
        f"accepted {report.accepted} events, rejected {len(report.rejected)}",
    )
    if not as_json:
        for r in report.rejected:
            typer.echo(f"event {r['line']}: {r['reason']}", err=True)
    if report.rejected:
        raise typer.Exit(1)


@import_app.command("json")
@connects
def import_json_cmd(
    conn: Connection,
    source: Annotated[str, typer.Argument(
        help="A lineage-graph/1 JSON document (export json), or - for stdin.")],
    merge: Annotated[bool, typer.Option(
        "--merge", help="Into a store with other history: new ids, nodes the store already "
                        "names are linked to, not copied.")] = False,
    source_name: Annotated[str | None, typer.Option(
        "--source", help="With --merge: a name for the exporting store in the external ids "
                         "given to unnamed nodes (default: its export time).")] = None,
    batch: Annotated[int, typer.Option(min=1, max=100_000,
                                       help="Records per transaction.")] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Import an `export json` document: keeping its ids (empty store, or a re-run), or with
    --merge remapping them; a second import of the same file changes nothing."""
    from ..interop.json_import import import_json, read_document

    if source == "-":
        doc = read_document(sys.stdin, name="stdin")
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInputError(f"{source} does not exist", field="source", value=source)
        with path.open(encoding="utf-8") as fh:
            doc = read_document(fh, name=source)
    with conn.store(write=True, start=True) as store:
        report = import_json(store, doc, merge=merge, source=source_name, batch=batch)
    out = report.as_dict()
    new = ", ".join(f"{n} {s}" for s, n in out["new"].items() if n) or "nothing"
    text = f"imported ({report.mode}): {new} new"
    if report.skipped_cursors:
        text += f"; subscription cursors not merged: {', '.join(report.skipped_cursors)}"
    _emit(out, as_json, text)


# ---- export --------------------------------------------------------------------------------


def _selection(
    store: Store, ref: str | None, kind: KindName | None, upstream: bool, downstream: bool
) -> Any:
    from .. import lineage
    from ..interop.export import Selection, selection_of, with_contexts
    from ..models import Kind
    from .refs import node_ref, resolve_node

    if ref is None:
        if upstream or downstream:
            raise InvalidInputError("--upstream/--downstream need a REF", field="REF")
        return None
    node = resolve_node(store, ref, kind_of(kind))
    start = node_ref(node)
    if start.kind is Kind.CONTEXT:
        if upstream or downstream:
            raise InvalidInputError("lineage starts at an artifact or execution", field="REF")
        return Selection(
            artifacts=frozenset(a.id for a in store.get_artifacts_by_context(start.id)),  # type: ignore[misc]
            executions=frozenset(e.id for e in store.get_executions_by_context(start.id)),  # type: ignore[misc]
            contexts=frozenset({start.id}),
        )
    answers: list[Any] = []
    if upstream:
        answers.append(lineage.upstream(store, start))
    if downstream:
        answers.append(lineage.downstream(store, start))
    # The pipelines and runs of what is exported come along (a lineage answer has none).
    return with_contexts(store, selection_of(answers, extra=[(start.kind, start.id)]))


def _export(
    conn: Connection,
    fmt: str,
    ref: str | None,
    kind: KindName | None,
    output: str,
    upstream: bool,
    downstream: bool,
    namespace: str,
    as_json: bool,
) -> None:
    import contextlib

    from ..interop import export

    to_stdout = output == "-"
    # Read-only: no schema is applied (an export of a store without one is just empty).
    with conn.store(start=True) as store, contextlib.ExitStack() as files:
        selection = _selection(store, ref, kind, upstream, downstream)
        if fmt == "graphml":
            target: Any = sys.stdout.buffer if to_stdout else Path(output)
            g = export.write_graphml(store, target, selection)
            counts = {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
        else:
            fh = sys.stdout if to_stdout else files.enter_context(
                Path(output).open("w", encoding="utf-8"))
            if fmt == "json":
                counts = export.write_json(store, fh, selection)
            else:
                counts = {
                    "events": export.write_openlineage(store, fh, selection, namespace=namespace)
                }
            fh.flush()
    text = ", ".join(f"{v} {k}" for k, v in counts.items())
    name = "stdout" if to_stdout else output
    if to_stdout:
        # stdout holds the export itself: the summary goes beside it.
        typer.echo(f"wrote {name}: {text}", err=True)
        return
    _emit({"format": fmt, "file": name, **counts}, as_json, f"wrote {name}: {text}")


RefArg = Annotated[
    str | None, typer.Argument(help="A node: an id (42) or TYPE:NAME (Model:churn-v3).")
]
OutOpt = Annotated[str, typer.Option("-o", "--output", help="File to write (- for stdout).")]
UpOpt = Annotated[bool, typer.Option("--upstream", help="Include REF's upstream lineage.")]
DownOpt = Annotated[bool, typer.Option("--downstream", help="Include REF's downstream lineage.")]


@export_app.command("json")
@connects
def export_json_cmd(
    conn: Connection,
    output: OutOpt,
    ref: RefArg = None,
    kind: KindOpt = None,
    upstream: UpOpt = False,
    downstream: DownOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The whole store (or REF's lineage) as one lineage-graph/1 JSON document: nodes,
    events, links, reuses, incidents, roles, deployments, cursors (docs/export-json.md)."""
    _export(conn, "json", ref, kind, output, upstream, downstream, "", as_json)


@export_app.command("graphml")
@connects
def export_graphml_cmd(
    conn: Connection,
    output: OutOpt,
    ref: RefArg = None,
    kind: KindOpt = None,
    upstream: UpOpt = False,
    downstream: DownOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """GraphML (Gephi, yEd, Cytoscape, networkx)."""
    _export(conn, "graphml", ref, kind, output, upstream, downstream, "", as_json)


@export_app.command("openlineage")
@connects
def export_openlineage_cmd(
    conn: Connection,
    output: OutOpt,
    ref: RefArg = None,
    kind: KindOpt = None,
    upstream: UpOpt = False,
    downstream: DownOpt = False,
    namespace: Annotated[
        str, typer.Option(help="Namespace for non-OpenLineage nodes.")
    ] = "lineage-graph",
    as_json: JsonOpt = False,
) -> None:
    """OpenLineage RunEvents as JSON Lines (post them to Marquez or DataHub)."""
    _export(conn, "openlineage", ref, kind, output, upstream, downstream, namespace, as_json)
