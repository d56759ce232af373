"""The ``lineage-graph`` command: a root typer app with one sub-app per noun.

Add a noun by appending one line to ``SUB_APPS``: its command name and the module that defines
``app = typer.Typer(...)``. Sub-app modules raise ``LineageGraphError`` subclasses and let the
root turn them into one line on stderr; they must not import this module (it imports them),
and they should import heavy optional dependencies inside the commands that need them.
A command that needs the database calls ``lineage_graph.server.resolve(docker_ok=False)``:
a container started by a one-shot command would die with it.

Exit codes: 0 success; 1 the caller's problem (``UserError``); 2 usage error (typer);
3 ``neo4j status``: not running; 4 the backend's problem (``BackendError``: no Neo4j, Java or
Maven missing, download failed, port taken, timeout).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from ..errors import BackendError, LineageGraphError, UserError

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
]

EXIT_USER, EXIT_USAGE, EXIT_NOT_RUNNING, EXIT_BACKEND = 1, 2, 3, 4


def exit_code(exc: LineageGraphError) -> int:
    """The process exit code for an error (see the module docstring)."""
    if isinstance(exc, BackendError):
        return EXIT_BACKEND
    if isinstance(exc, UserError):
        return EXIT_USER
    return EXIT_USER


def fail(exc: LineageGraphError) -> NoReturn:
    """Print ``error: <message>`` as one line on stderr and exit with ``exit_code(exc)``."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()
    raise typer.Exit(exit_code(exc))


class _Root(TyperGroup):
    """Every command runs inside this ``invoke``: the one place our errors become exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LineageGraphError as exc:
            fail(exc)
        except _UsageError as exc:
            # A subcommand's bad flag or argument: one line too, not typer's boxed usage.
            where = f" (see {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            sys.stderr.write(f"error: {' '.join(exc.format_message().split())}{where}\n")
            sys.stderr.flush()
            raise typer.Exit(EXIT_USAGE) from None


app = typer.Typer(
    cls=_Root,
    name="lineage-graph",
    help="Version control for machine learning: ML metadata as a Neo4j graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name, _module in SUB_APPS:
    app.add_typer(importlib.import_module(_module).app, name=_name)


def main() -> None:
    """Console-script entry point (``lineage-graph``)."""
    app(prog_name="lineage-graph")
