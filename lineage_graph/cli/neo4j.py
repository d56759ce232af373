"""``lineage-graph neo4j start|stop|status|logs|password``: the local Neo4j server.

The server is Neo4j 5.26 Community, fetched once from Maven Central into the user cache and run
with ``java`` on 127.0.0.1; it keeps running after the command returns (like a dev database)
until ``lineage-graph neo4j stop``. Paths and ports: see ``lineage_graph.server.paths`` and
``lineage_graph.server.local`` (LINEAGE_GRAPH_HOME, LINEAGE_GRAPH_BOLT_PORT, ...).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import UnavailableError
from .common import EXIT_NOT_RUNNING, JsonOpt, emit_json

if TYPE_CHECKING:
    from ..server import LocalServer, ServerState

__all__ = ["EXIT_NOT_RUNNING", "app"]  # 3: LSB's "program is not running"

app = typer.Typer(
    help="Run the local Neo4j server (5.26 Community from Maven Central, on 127.0.0.1).",
    no_args_is_help=True,
)

def _describe(server: LocalServer, state: ServerState | None) -> dict[str, Any]:
    from ..server.local import USER

    # Never the password itself: only where it is.
    paths = server.paths
    doc: dict[str, Any] = {
        "running": state is not None,
        "uri": state.uri if state else None,
        "browser_url": state.browser_url if state else None,
        "user": USER,
        "version": state.version if state else None,
        "pid": state.pid if state else None,
        "bolt_port": state.bolt_port if state else None,
        "http_port": state.http_port if state else None,
        "data_dir": str(paths.data_dir),
        "logs_dir": str(paths.logs_dir),
        "password_file": str(paths.password_file),
    }
    return doc


def _print_running(doc: dict[str, Any], headline: str) -> None:
    typer.echo(headline)
    typer.echo(f"  Bolt      {doc['uri']}   (user {doc['user']})")
    typer.echo(f"  Browser   {doc['browser_url']}")
    typer.echo("  Password  lineage-graph neo4j password")
    typer.echo(f"  Data      {doc['data_dir']}")
    typer.echo("  Stop      lineage-graph neo4j stop")


@app.command()
def start(
    bolt_port: Annotated[
        int | None,
        typer.Option(
            help="Bolt port [default: LINEAGE_GRAPH_BOLT_PORT, 7687, last port or a free one]."
        ),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(
            help="HTTP/Browser port [default: LINEAGE_GRAPH_HTTP_PORT, 7474, last or free]."
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds to wait for Bolt [default: LINEAGE_GRAPH_START_TIMEOUT or 180]."
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Start Neo4j (fetching it on first use) and print its URI and Browser URL.

    A second start is a no-op that prints the same.
    """
    from rich.console import Console

    from ..server import LocalServer

    server = LocalServer()
    if os.environ.get("NEO4J_URI"):
        typer.echo(
            "note: NEO4J_URI is set, so other lineage-graph commands use that server, "
            "not this local one",
            err=True,
        )
    console = Console(stderr=True)
    t0 = time.monotonic()
    with console.status("Starting Neo4j", spinner="dots") as status:
        state, started = server.start(
            bolt_port=bolt_port, http_port=http_port, timeout=timeout,
            progress=status.update,
        )  # fmt: skip
    doc = _describe(server, state)
    if json_out:
        emit_json({**doc, "started": started})
        return
    if started:
        headline = (
            f"Neo4j {state.version} started in {time.monotonic() - t0:.0f} s (pid {state.pid})"
        )
    else:
        headline = f"Neo4j {state.version} is already running (pid {state.pid})"
    _print_running(doc, headline)


@app.command()
def stop(json_out: JsonOpt = False) -> None:
    """Stop the local Neo4j cleanly (no-op if it is not running)."""
    from ..server import LocalServer

    server = LocalServer()
    state = server.stop()
    if json_out:
        emit_json({"stopped": state is not None, "pid": state.pid if state else None})
    elif state is None:
        typer.echo("Neo4j is not running")
    else:
        typer.echo(f"Stopped Neo4j (pid {state.pid})")


@app.command()
def status(json_out: JsonOpt = False) -> None:
    """Say whether the local Neo4j runs, and where; exit code 3 if it does not."""
    from ..server import LocalServer
    from ..server.local import USER
    from ..server.probe import bolt_version

    server = LocalServer()
    state = server.status()
    doc = _describe(server, state)
    if state is not None:
        try:
            doc["version"] = bolt_version(state.uri, USER, server.password(), timeout=3.0)
            doc["answering"] = True
        except UnavailableError:
            doc["answering"] = False  # still starting, or hung: `logs` tells which
    if json_out:
        emit_json(doc)
    elif state is None:
        typer.echo("Neo4j is not running (start it with `lineage-graph neo4j start`)")
    elif doc["answering"]:
        _print_running(doc, f"Neo4j {doc['version']} is running (pid {state.pid})")
    else:
        typer.echo(
            f"Neo4j (pid {state.pid}) runs but Bolt does not answer yet on {state.uri}; "
            "see `lineage-graph neo4j logs`"
        )
    if state is None:
        raise typer.Exit(EXIT_NOT_RUNNING)


@app.command()
def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show debug.log instead.")] = False,
) -> None:
    """Print the end of the server's log (its console output, or debug.log)."""
    from ..server import LocalServer

    server = LocalServer()
    path = server.paths.logs_dir / "debug.log" if debug else server.paths.console_log
    if not path.is_file():
        raise UnavailableError(f"no log at {path}: the local Neo4j has not been started here")
    for line in server.log_tail(lines, debug=debug):
        typer.echo(line)
    if not follow:
        return
    with open(path, encoding="utf-8", errors="replace") as log:
        log.seek(0, os.SEEK_END)
        try:
            while True:
                chunk = log.read()
                if chunk:
                    sys.stdout.write(chunk)
                    sys.stdout.flush()
                else:
                    time.sleep(0.5)
        except KeyboardInterrupt:
            return


@app.command()
def password() -> None:
    """Print the generated password of user neo4j (for Neo4j Browser's login form).

    It is kept in a 0600 file in the state directory and printed only by this command.
    """
    from ..server import LocalServer

    typer.echo(LocalServer().password())
