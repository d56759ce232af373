"""The ``lineage-graph`` command: a root typer app whose commands are loaded when they run.

Every command of the root is one line of ``COMMANDS``: its name, the module whose
``app = typer.Typer(...)`` defines it, and the first sentence of its help (what ``--help``
lists, so listing them imports none of them; tests/cli/test_lazy_commands.py checks each
against the command's own help). A noun (``NOUNS``: ``neo4j``, ``import`` ...) is its module's
whole app as a group; any other module adds its commands to the root itself (``show``,
``upstream`` ...). A command's module is imported, and its typer commands built, only when
that command runs or shows its own help: ``lineage-graph show`` never imports the server
machinery, the Browser, interop or tracking. Sub-app modules raise ``LineageGraphError``
subclasses and let the root turn them into one line on stderr (and a JSON document with
``--json``); they must not import this module (it loads them). At module level they import
only typer and ``cli.common``: everything else (the store, the driver, the server machinery,
rich, interop, tracking) inside the command that needs it.

The root takes the connection options once (``--uri``, ``--user``, ``--password``,
``--database``; see ``cli.common``) and hands every command the same ``Connection``.

Exit codes: 0 success; 1 the caller's problem (``UserError``); 2 usage error (typer);
3 ``neo4j status``: not running; 4 the backend's problem (``BackendError``: no Neo4j, Java or
Maven missing, download failed, port taken, timeout).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from gettext import gettext as _
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
    from typer._click.utils import make_default_short_help
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import UsageError as _UsageError  # type: ignore[assignment]
    from click.utils import make_default_short_help

_Q, _T, _C = "lineage_graph.cli.query", "lineage_graph.cli.track", "lineage_graph.cli.curate"
#: (command name, module defining ``app``, first sentence of its help), in help order.
COMMANDS: list[tuple[str, str, str]] = [
    ("init", "lineage_graph.cli.store",
     "Create the store's constraints, indexes and schema version node (idempotent)."),
    ("neo4j", "lineage_graph.cli.neo4j",
     "Run the local Neo4j server (5.26 Community from Maven Central, on 127.0.0.1)."),
    ("import", "lineage_graph.cli.import_cmd",
     "Bring history in: an MLMD store, OpenLineage events or MLflow history."),
    ("export", "lineage_graph.cli.export_cmd",
     "Write the store or one node's lineage as JSON, GraphML or OpenLineage events."),
    ("serve", "lineage_graph.cli.serve_cmd",
     "Serve the OpenLineage HTTP endpoint (POST /api/v1/lineage)."),
    ("show", _Q, "Show one node: its fields and properties."),
    ("upstream", _Q, "Everything REF was derived from (any depth)."),
    ("downstream", _Q, "Everything derived from REF (any depth)."),
    ("taint", _Q,
     "Record that REF is bad and taint everything downstream of it (an incident)."),
    ("incidents", _Q, "List recorded incidents, newest first."),
    ("provenance", _Q,
     "Where an artifact came from: datasets, hyperparameters, pipeline and run, versions."),
    ("why-failed", _Q,
     "Failed executions at or upstream of REF (a run: in it), with what changed since the "
     "last success of the same step."),
    ("deployed", _Q,
     "What is deployed now: per target the live model and since when (deploys, rollbacks, "
     "undeploys and pushes are events in time); with --history, how it got there."),
    ("models-on", _Q,
     "Models trained on a dataset (downstream, any depth), best first by --metric within "
     "each pipeline, and whether the newest beat the model deployed before it."),
    ("browse", _Q,
     "Print a Neo4j Browser link: connected to this server, the query for REF ready to run."),
    ("demo", _Q,
     "Load a realistic ML history (idempotent), answer the eight questions, link each to "
     "Neo4j Browser."),
    ("deploy", _Q, "Record that MODEL is deployed to TARGET now (or --at)."),
    ("undeploy", _Q, "Record that TARGET holds nothing from now (or --at) on."),
    ("rollback", _Q,
     "Deploy again the model TARGET held before its current one (or --to MODEL)."),
    ("alias", _Q, "Model aliases (champion, staging ...)."),
    ("roles", _Q, "Which type names play which role (dataset, model, evaluation ...)."),
    ("ls", _T, "List recorded artifacts, executions or contexts (by id unless --sort)."),
    ("watch", _T,
     "Follow new artifacts of a type, executions reaching a state, or incidents."),
    ("incident", "lineage_graph.cli.incident",
     "One incident: what it reached, and resolving it."),
    ("backup", "lineage_graph.cli.backup",
     "Dump the local Neo4j's database into FILE (stops and restarts the server)."),
    ("restore", "lineage_graph.cli.backup",
     "Replace the local Neo4j's database with the dump in FILE (stops and restarts it)."),
    ("diff", "lineage_graph.cli.compare",
     "What changed between two runs: inputs, parameters, code, environment, per step."),
    ("explain", "lineage_graph.cli.compare",
     "Why B is downstream of A: one shortest path along the data flow."),
    ("tag", _C, "Add tags to a node (find them again with ls --tag)."),
    ("untag", _C, "Remove tags from a node."),
    ("archive", _C,
     "Mark an artifact MARKED_FOR_DELETION (MLMD's state; its lineage stays)."),
    ("delete", _C,
     "Delete a node with its events and links (refused while a live deployment needs it)."),
    ("report", "lineage_graph.cli.report",
     "Write one HTML page (no network needed to open it): the lineage graph drawn left to "
     "right, coloured by kind, FAILED and TAINTED marked, and the answers that apply to REF."),
    ("reproduce", "lineage_graph.cli.reproduce",
     "A manifest of everything needed to rebuild MODEL (training steps, code, data, "
     "versions), or with --check which of it differs today."),
]
#: Commands that are their module's whole app (a group of subcommands).
NOUNS = frozenset({"neo4j", "import", "export", "serve", "incident"})

_MODULES = {name: module for name, module, _ in COMMANDS}
_SUMMARIES = {name: summary for name, _, summary in COMMANDS}

_ARGS = "lineage_graph.args"  # ctx.meta key: the arguments after the root's own options

__all__ = [
    "COMMANDS",
    "EXIT_BACKEND",
    "EXIT_NOT_RUNNING",
    "EXIT_USAGE",
    "EXIT_USER",
    "NOUNS",
    "app",
    "exit_code",
    "load_module",
    "main",
]

# Settings of the root and of the throwaway apps commands are built in (see ``load_module``).
_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    # Plain help: rich's help renderer (rich + markdown-it) would triple `--help`'s start-up.
    "rich_markup_mode": None,
}


def load_module(module: str, only: str | None = None) -> dict[str, Any]:
    """The click commands ``module``'s app gives the root, by name (built now).

    Args:
        only: build just this command of a module of verbs (``show`` out of ``cli.query``)
            when typer names it as expected; else every command of the module.
    """
    names = [name for name, m, _ in COMMANDS if m == module]
    sub_app = importlib.import_module(module).app
    noun = names[0] in NOUNS
    if only is not None and not noun:
        built = _build(_only(sub_app, only), None)
        if list(built) == [only]:
            return built
    return _build(sub_app, names[0] if noun else None)


def _build(sub_app: typer.Typer, name: str | None) -> dict[str, Any]:
    holder = typer.Typer(**_SETTINGS)
    holder.add_typer(sub_app, name=name)
    built = typer.main.get_group(holder)
    for command in built.commands.values():
        _plain_help(command)
    return dict(built.commands)


def _only(sub_app: typer.Typer, name: str) -> typer.Typer:
    """A copy of ``sub_app`` holding only the command or group ``name`` (typer's naming: the
    given name, else the function's with ``_`` as ``-``)."""
    one = typer.Typer(**_SETTINGS)
    one.registered_commands = [
        info for info in sub_app.registered_commands
        if (info.name or getattr(info.callback, "__name__", "").lower().replace("_", "-"))
        == name
    ]
    one.registered_groups = [info for info in sub_app.registered_groups if info.name == name]
    return one


class _Commands(MutableMapping[str, Any]):
    """The root's commands: every name known up front, each module loaded on first use.

    Typer reads ``commands`` for names (``list_commands``, "did you mean") and for one
    command (``get_command``): only the second loads its module.
    """

    def __init__(self, given: MutableMapping[str, Any]) -> None:
        self._loaded: dict[str, Any] = dict(given)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in _MODULES:
            for built, command in load_module(_MODULES[name], only=name).items():
                self._loaded.setdefault(built, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from _MODULES
        yield from (name for name in self._loaded if name not in _MODULES)

    def __len__(self) -> int:
        return len(_MODULES) + sum(name not in _MODULES for name in self._loaded)

    def __contains__(self, name: object) -> bool:
        return name in _MODULES or name in self._loaded

    def loaded(self, name: str) -> Any | None:
        """The command if its module is loaded already, else None."""
        return self._loaded.get(name)


class _Root(TyperGroup):
    """Every command runs inside this ``invoke``: the one place our errors become exit codes.

    Commands load lazily (``_Commands``); the help lists them from ``COMMANDS``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # click's layout, with each summary from COMMANDS unless the command is loaded.
        commands = self.commands
        assert isinstance(commands, _Commands)
        rows = []
        names = list(commands)
        limit = formatter.width - 6 - max(len(name) for name in names)
        for name in names:
            command = commands.loaded(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, make_default_short_help(_SUMMARIES[name], limit)))
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

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
    **_SETTINGS,
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


def _plain_help(command: Any) -> None:
    """No rich help renderer anywhere (sub-apps default to it): plain click help starts
    three times faster and reads the same in a pipe."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


def main() -> None:
    """Console-script entry point (``lineage-graph``)."""
    typer.main.get_command(app)(prog_name="lineage-graph")
