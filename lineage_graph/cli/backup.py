"""``lineage-graph backup FILE`` / ``lineage-graph restore FILE``: the local server's database.

Neo4j's own dump and load (``neo4j-admin database dump|load``): the local server is stopped
for the copy (Neo4j Community cannot dump a running database) and started again on its ports.
For a server of your own (``--uri``/``NEO4J_URI``), run ``neo4j-admin database dump`` on that
server, or keep a copy with ``lineage-graph export json`` (see README, "Backup and restore").

Examples::

    lineage-graph backup history.dump
    lineage-graph restore history.dump --yes
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InvalidInputError
from .common import JsonOpt, connection, emit_json

app = typer.Typer()

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The dump file.")]


def _local_only(ctx: typer.Context, verb: str) -> None:
    uri = connection(ctx).options.uri
    if uri:
        raise InvalidInputError(
            f"{verb} works on the local server lineage-graph runs, not on {uri}: use "
            "`neo4j-admin database dump` on that server, or keep a copy with "
            "`lineage-graph export json -o FILE`; unset NEO4J_URI/--uri for the local server",
            field="uri",
        )


@app.command()
def backup(ctx: typer.Context, file: FileArg, as_json: JsonOpt = False) -> None:
    """Dump the local Neo4j's database into FILE (stops and restarts the server)."""
    from rich.console import Console

    from ..server.admin import backup as dump

    _local_only(ctx, "backup")
    with Console(stderr=True).status("Backing up", spinner="dots") as status:
        report = dump(file, progress=status.update)
    doc = {"file": str(report.file), "bytes": report.bytes, "seconds": round(report.seconds, 1)}
    if as_json:
        emit_json(doc)
    else:
        typer.echo(f"wrote {report.file} ({report.bytes} bytes) in {report.seconds:.0f} s")


@app.command()
def restore(
    ctx: typer.Context,
    file: FileArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Replace the database without asking.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace the local Neo4j's database with the dump in FILE (stops and restarts it)."""
    from rich.console import Console

    from ..server.admin import restore as load

    _local_only(ctx, "restore")
    if not file.is_file():
        raise InvalidInputError(f"{file} is not a file", field="FILE", value=str(file))
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInputError(
                "restore replaces everything in the local database with FILE: pass --yes "
                "(back up first with `lineage-graph backup OTHER_FILE`)",
                field="yes",
            )
        typer.confirm(
            f"Replace everything in the local database with {file}?", abort=True, err=True
        )
    with Console(stderr=True).status("Restoring", spinner="dots") as status:
        report = load(file, progress=status.update)
    doc = {"file": str(report.file), "bytes": report.bytes, "seconds": round(report.seconds, 1)}
    if as_json:
        emit_json(doc)
    else:
        typer.echo(f"restored {report.file} in {report.seconds:.0f} s")
