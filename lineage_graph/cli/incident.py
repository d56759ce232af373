"""``lineage-graph incident show|resolve ID``: one incident, and closing it."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import Connection, JsonOpt, connects, emit_json

app = typer.Typer(no_args_is_help=True, help="One incident: what it reached, and resolving it.")

IdArg = Annotated[int, typer.Argument(help="The incident id (see `lineage-graph incidents`).")]


@app.command()
@connects
def show(conn: Connection, incident_id: IdArg, as_json: JsonOpt = False) -> None:
    """The incident, and everything it reached with the path that explains each."""
    from .. import lineage
    from . import output as out

    with conn.store() as store:
        inc = lineage.incident(store, incident_id)
    if as_json:
        emit_json({"incident": out.incident_json(inc)})
        return
    c = out.console()
    state = "[red]OPEN[/red]" if inc.status == "OPEN" else "[green]RESOLVED[/green]"
    c.print(f"[bold]incident {inc.id}[/bold] {state} on {inc.source.kind.value} "
            f"{inc.source.id}: {inc.reason} ({out.when(inc.created)})")
    if inc.status == "RESOLVED":
        c.print(f"resolved {out.when(inc.resolved)}: {inc.resolution or '(no note)'}")
    table = out.new_table(title=f"reached: {inc.reached_count}", title_justify="left")
    for col in ("kind", "id", "type", "name", "hops", "path"):
        table.add_column(col, overflow="fold")
    for t in inc.reached or []:
        try:
            path = " <- ".join(f"{r.kind.value[0]}:{r.id}" for r in inc.path_to(t.node.ref))
        except KeyError:  # a node on the way was deleted since (lineage-graph delete)
            path = "(through a deleted node)"
        table.add_row(t.node.kind.value, str(t.node.id), t.node.type, t.node.name or "",
                      str(t.hops), path)
    c.print(table)


@app.command()
@connects
def resolve(
    conn: Connection,
    incident_id: IdArg,
    resolution: Annotated[str, typer.Option(
        "--resolution", "-m", help="What was done (re-ingested, retrained, ...).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Close an incident: its taint no longer marks what it reached (idempotent)."""
    from .. import lineage
    from . import output as out

    with conn.store() as store:
        inc = lineage.resolve_incident(store, incident_id, resolution)
    if as_json:
        emit_json({"incident": out.incident_json(inc)})
        return
    out.console().print(f"incident {inc.id} RESOLVED: {inc.resolution or '(no note)'}")
