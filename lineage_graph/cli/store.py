"""``lineage-graph init``: apply the store's schema (constraints, indexes, version node).

Idempotent: every statement is ``IF NOT EXISTS`` / ``MERGE``, so running it again reports
each step as already present. Connection: ``--uri``/``--user``/``--password``/``--database``
(or ``NEO4J_URI`` ...), else the resolver (a local server this project started, or one
provisioned now unless ``--no-start``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
UriOpt = Annotated[
    str | None,
    typer.Option("--uri", envvar="NEO4J_URI", show_envvar=True, help="Bolt URI of the server."),
]
UserOpt = Annotated[str | None, typer.Option("--user", envvar="NEO4J_USER", show_envvar=True)]
PasswordOpt = Annotated[
    str | None, typer.Option("--password", envvar="NEO4J_PASSWORD", show_envvar=True)
]
DatabaseOpt = Annotated[
    str | None, typer.Option("--database", envvar="NEO4J_DATABASE", show_envvar=True)
]
StartOpt = Annotated[
    bool,
    typer.Option(
        "--start/--no-start", help="Provision and start a local Neo4j if none is found."
    ),
]


@app.command("init")
def init(
    as_json: JsonOpt = False,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    start: StartOpt = True,
) -> None:
    """Create the store's constraints, indexes and schema version node (idempotent)."""
    from ..server import Neo4jTarget, resolve
    from ..store.neo4j import Neo4jStore

    if uri:
        target = Neo4jTarget(
            uri=uri, user=user or "neo4j", password=password or "", database=database
        )
    else:
        # docker_ok=False: a container started by a one-shot command would die with it.
        target = resolve(start=start, docker_ok=False)
    with Neo4jStore.from_target(target) as store:
        steps = store.apply_schema()
    created = [s.name for s in steps if s.created]
    present = [s.name for s in steps if not s.created]
    if as_json:
        from .output import emit_json

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
