"""``lineage-graph serve``: accept OpenLineage events over HTTP (``interop.server``).

Examples::

    lineage-graph serve --port 5000                       # this machine only, no token needed
    lineage-graph serve --require-token                   # and clients send the stored token
    lineage-graph serve --host 0.0.0.0 --require-token    # other hosts: a token is required
    lineage-graph serve --show-token                      # print the stored token and exit

The stored token is made on first use and kept in ``serve-token`` (mode 0600) in the state
directory, next to the Neo4j password; clients send ``Authorization: Bearer <token>``
(OpenLineage: ``auth: {type: api_key, apiKey: <token>}``). ``--token``/
``LINEAGE_GRAPH_TOKEN`` gives one instead. Binding anything but 127.0.0.1/::1/localhost
without a token is refused.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Annotated

import typer

from ..errors import InvalidInputError
from .common import Connection, connects

app = typer.Typer(help="Serve the OpenLineage HTTP endpoint (POST /api/v1/lineage).")


@app.callback(invoke_without_command=True)
@connects
def serve_cmd(
    conn: Connection,
    host: Annotated[
        str,
        typer.Option(help="Address to bind (127.0.0.1: this machine only; others need a token)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 5000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            "--api-key",
            envvar=["LINEAGE_GRAPH_TOKEN", "LINEAGE_GRAPH_API_KEY"],
            help="Require 'Authorization: Bearer <token>' on every POST.",
        ),
    ] = None,
    require_token: Annotated[
        bool,
        typer.Option(
            "--require-token",
            help="Require the stored token (made on first use; see --show-token).",
        ),
    ] = False,
    show_token: Annotated[
        bool, typer.Option("--show-token", help="Print the stored token and exit.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another name clients may use in Host (repeatable); IP addresses, localhost "
            "and this machine's names are always allowed.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Request threads.")] = 16,
) -> None:
    """Accept OpenLineage events over HTTP until Ctrl-C."""
    from ..interop import http_limits
    from ..interop.server import LineageServer, ensure_token

    if show_token:
        stored, _ = ensure_token()
        typer.echo(stored)
        return
    where = None
    if token is None and require_token:
        token, where = ensure_token()
    if token is None and not http_limits.is_loopback(host):
        # Checked before the database is reached: the refusal is immediate.
        raise InvalidInputError(
            f"serving on {host} lets any host that reaches it write lineage: add "
            "--require-token (the stored token) or --token TOKEN",
            field="--host",
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with conn.store(write=True, start=True) as store:
        server = LineageServer(
            store, host, port, token=token, allowed_hosts=allow_host or (), workers=workers
        )
        typer.echo(f"OpenLineage endpoint: {server.url}/api/v1/lineage  (Ctrl-C stops)", err=True)
        if where is not None:
            typer.echo(f"Bearer token required: the one in {where} (--show-token)", err=True)
        elif token is not None:
            typer.echo("Bearer token required: the one given", err=True)
        try:
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
        finally:
            server.server_close()


__all__ = ["app"]
