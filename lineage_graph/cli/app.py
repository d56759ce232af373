"""The ``lineage-graph`` command: a root typer app with one sub-app per noun.

Add a noun by appending one line to ``SUB_APPS``: its command name and the module that defines
``app = typer.Typer(...)``. Sub-app modules raise ``LineageGraphError`` subclasses and let the
root turn them into one line on stderr (and a JSON document with ``--json``); they must not
import this module (it imports them). They are imported for ``--help``, so at module level
they import only typer and ``cli.common``: everything else (the store, the driver, the server
machinery, rich, interop, tracking) inside the command that needs it.

The root takes the connection options once (``--uri``, ``--user``, ``--password``,
``--database``; see ``cli.common``) and hands every command the same ``Connection``.

Exit codes: 0 success; 1 the caller's problem (``UserError``); 2 usage error (typer);
3 ``neo4j status``: not running; 4 the backend's problem (``BackendError``: no Neo4j, Java or
Maven missing, download failed, port taken, timeout).
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ..errors import LineageGraphError
from .common import (
    EXIT_BACKEND,
    EXIT_NOT_RUNNING,
    EXIT_USAGE,
    EXIT_USER,
    Connection,
    ConnectionOptions,
    DatabaseOpt,
    PasswordOpt,
    UriOpt,
    UserOpt,
    exit_code,
    fail,
    fail_with,
    wants_json,
)

try:  # typer >= 0.2x vendors click; older versions use click itself
    from typer._click.exceptions import UsageError as _UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import UsageError as _UsageError  # type: ignore[assignment]

#: (command name, module defining ``app``): one line per noun, in help order.
#: A name of None adds the module's commands to the root itself (verbs such as ``show``).
SUB_APPS: list[tuple[str | None, str]] = [
    (None, "lineage_graph.cli.store"),
    ("neo4j", "lineage_graph.cli.neo4j"),
    ("import", "lineage_graph.cli.import_cmd"),
    ("export", "lineage_graph.cli.export_cmd"),
    ("serve", "lineage_graph.cli.serve_cmd"),
    (None, "lineage_graph.cli.query"),
    (None, "lineage_graph.cli.track"),
    ("incident", "lineage_graph.cli.incident"),
    (None, "lineage_graph.cli.backup"),
    (None, "lineage_graph.cli.compare"),
    (None, "lineage_graph.cli.curate"),
    (None, "lineage_graph.cli.report"),
    (None, "lineage_graph.cli.reproduce"),
]

_ARGS = "lineage_graph.args"  # ctx.meta key: the arguments after the root's own options

__all__ = [
    "EXIT_BACKEND",
    "EXIT_NOT_RUNNING",
    "EXIT_USAGE",
    "EXIT_USER",
    "SUB_APPS",
    "app",
    "exit_code",
    "main",
]


class _Root(TyperGroup):
    """Every command runs inside this ``invoke``: the one place our errors become exit codes."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        # Kept for a usage error raised before the command parsed its own --json.
        ctx.meta[_ARGS] = list(rest)
        return rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LineageGraphError as exc:
            fail_with(exc, as_json=wants_json(ctx, ctx.meta.get(_ARGS)))
        except _UsageError as exc:
            # A subcommand's bad flag or argument: one line too, not typer's boxed usage.
            where = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            param = getattr(exc, "param", None)
            fail(
                exc.format_message() + where,
                EXIT_USAGE,
                as_json=wants_json(ctx, ctx.meta.get(_ARGS)),
                kind="UsageError",
                field=getattr(param, "name", None),
            )


app = typer.Typer(
    cls=_Root,
    name="lineage-graph",
    help=(
        "Version control for machine learning: ML metadata as a Neo4j graph.\n\n"
        "The connection options go before the command, or after a command that uses them."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: rich's help renderer (rich + markdown-it) would triple `--help`'s start-up.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("lineage-graph")
        except PackageNotFoundError:  # run from a source tree that was never installed
            found = "unknown (not installed)"
        typer.echo(f"lineage-graph {found}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    _show_version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Read the connection options once, for whichever command runs."""
    ctx.obj = Connection(ConnectionOptions(uri or None, user or None, password, database or None))


for _name, _module in SUB_APPS:
    app.add_typer(importlib.import_module(_module).app, name=_name)


def _plain_help(command: Any) -> None:
    """No rich help renderer anywhere (sub-apps default to it): plain click help starts
    three times faster and reads the same in a pipe."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


def main() -> None:
    """Console-script entry point (``lineage-graph``)."""
    command = typer.main.get_command(app)
    _plain_help(command)
    command(prog_name="lineage-graph")
