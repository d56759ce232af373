"""``lineage-graph init``: apply the store's schema (constraints, indexes, version node).

Idempotent: every statement is ``IF NOT EXISTS`` / ``MERGE``, so running it again reports
each step as already present. Connection: ``--uri``/``--user``/``--password``/``--database``
(or ``NEO4J_URI`` ...), else the resolver (a local server this project started, or one
provisioned now unless ``--no-start``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from .common import Connection, JsonOpt, connects, emit_json

app = typer.Typer(no_args_is_help=True)

StartOpt = Annotated[
    bool,
    typer.Option(
        "--start/--no-start", help="Provision and start a local Neo4j if none is found."
    ),
]


@app.command("init")
@connects
def init(conn: Connection, as_json: JsonOpt = False, start: StartOpt = True) -> None:
    """Create the store's constraints, indexes and schema version node (idempotent)."""
    target = conn.target(start=start)
    with conn.store() as store:
        steps = conn.apply_schema(store)
    created = [s.name for s in steps if s.created]
    present = [s.name for s in steps if not s.created]
    if as_json:
        emit_json(
            {
                "uri": target.uri,
                "database": target.database,
                "schema_version": 1,
                "created": created,
                "already_present": present,
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Schema on {target.uri}", show_lines=False)
    table.add_column("statement")
    table.add_column("result")
    for step in steps:
        table.add_row(step.name, "[green]created[/]" if step.created else "already present")
    console = Console()
    console.print(table)
    console.print(
        f"schema version 1: {len(created)} created, {len(present)} already present"
    )
