"""What every command shares: the connection, ``--json``, REF options, errors and exit codes.

Connection: the root command takes ``--uri``/``--user``/``--password``/``--database`` (or
``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE``) once, before the command;
every command that reaches the database also takes them after its name (``@connects``), and
those win. The target is built once per process: from a URI when one is given (no server
machinery is imported), else by the resolver (a local server this project started, or one
provisioned now for the commands that may start one). Only commands that write apply the
schema, at most once per process (``Connection.store(write=True)``).

JSON: ``emit_json`` is the one writer; with ``--json`` an error is also a JSON document on
stdout, ``{"error": {"type", "message", "field", "exit_code"}}``, next to the one ``error:``
line on stderr.

Exit codes: 0 success; 1 the caller's problem (``UserError``); 2 usage error; 3 ``neo4j
status``: not running; 4 the backend's problem (``BackendError``: no Neo4j, Java or Maven
missing, download failed, port taken, timeout).

This module is imported by ``lineage-graph --help``: it imports typer and the leaf modules
``errors`` and ``target`` only; the store, the server machinery and rich come when a command
runs.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, NoReturn, ParamSpec, TypeVar

import typer

from ..errors import BackendError, LineageGraphError
from ..target import Neo4jTarget

if TYPE_CHECKING:
    from ..models import Kind
    from ..store.neo4j import Neo4jStore, SchemaStep

EXIT_USER, EXIT_USAGE, EXIT_NOT_RUNNING, EXIT_BACKEND = 1, 2, 3, 4

P = ParamSpec("P")
R = TypeVar("R")

# ---- JSON ------------------------------------------------------------------------------------

_JSON_SEEN = "lineage_graph.json"  # ctx.meta key: a command of this run was given --json


def emit_json(document: Any, *, line: bool = False) -> None:
    """The one JSON writer: a document on stdout, indented; ``line``: one compact line.

    Args:
        document: anything ``json.dumps`` takes (other values are written with ``str``).
        line: one line (JSON Lines, for streams such as ``watch --json``).
    """
    text = json.dumps(document, indent=None if line else 2, default=str)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _note_json(ctx: typer.Context, value: bool) -> bool:
    # Context.meta is shared by the whole context chain, so the root's error handler sees it.
    if value:
        ctx.meta[_JSON_SEEN] = True
    return value


def json_option(help: str = "Print one JSON document.") -> Any:
    """The ``--json`` option (an ``Annotated`` metadata item); errors then also print JSON."""
    return typer.Option("--json", help=help, callback=_note_json)


JsonOpt = Annotated[bool, json_option()]


def wants_json(ctx: Any, args: list[str] | None = None) -> bool:
    """True if this run's command was given ``--json`` (parsed, or seen in its arguments)."""
    if ctx.meta.get(_JSON_SEEN):
        return True
    raw = list(args or ())
    if "--" in raw:
        raw = raw[: raw.index("--")]
    return "--json" in raw


# ---- errors ----------------------------------------------------------------------------------


def exit_code(exc: LineageGraphError) -> int:
    """The process exit code for an error (see the module docstring)."""
    return EXIT_BACKEND if isinstance(exc, BackendError) else EXIT_USER


def fail(
    message: str, code: int, *, as_json: bool, kind: str = "Error", field: str | None = None
) -> NoReturn:
    """End the command: one ``error:`` line on stderr (and with ``as_json`` a JSON document
    on stdout), exit ``code``."""
    text = " ".join(message.split()) or kind
    if as_json:
        emit_json(
            {"error": {"type": kind, "message": text, "field": field, "exit_code": code}}
        )
    sys.stderr.write(f"error: {text}\n")
    sys.stderr.flush()
    raise typer.Exit(code)


def fail_with(exc: LineageGraphError, *, as_json: bool) -> NoReturn:
    """``fail`` for one of our errors: its message, class name, ``field`` and exit code."""
    field = getattr(exc, "field", None)
    fail(
        str(exc),
        exit_code(exc),
        as_json=as_json,
        kind=type(exc).__name__,
        field=field if isinstance(field, str) else None,
    )


# ---- shared options --------------------------------------------------------------------------


class KindName(str, Enum):
    """The node kinds as the command line spells them (``models.Kind`` without its import)."""

    artifact = "artifact"
    execution = "execution"
    context = "context"

    def kind(self) -> Kind:
        from ..models import Kind

        return Kind(self.value)


def kind_of(name: KindName | None) -> Kind | None:
    """The ``models.Kind`` of a ``--kind`` value (None stays None)."""
    return name.kind() if name is not None else None


KindOpt = Annotated[
    KindName | None,
    typer.Option(
        "--kind",
        case_sensitive=False,
        help="Look REF up in this kind only (default: artifact, execution, context).",
    ),
]
RefArg = Annotated[str, typer.Argument(metavar="REF", help="An id, or TYPE:NAME.")]

_PANEL = "Connection"
UriOpt = Annotated[
    str | None,
    typer.Option(
        "--uri", envvar="NEO4J_URI", show_envvar=True, rich_help_panel=_PANEL,
        help="Bolt URI of the server (default: the local server lineage-graph runs).",
    ),
]  # fmt: skip
UserOpt = Annotated[
    str | None,
    typer.Option("--user", envvar="NEO4J_USER", show_envvar=True, rich_help_panel=_PANEL,
                 help="User name (default: neo4j)."),
]  # fmt: skip
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", envvar="NEO4J_PASSWORD", show_envvar=True,
                 rich_help_panel=_PANEL, help="Password."),
]  # fmt: skip
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="NEO4J_DATABASE", show_envvar=True,
                 rich_help_panel=_PANEL, help="Database (default: the server's default)."),
]  # fmt: skip

# After a command's name: no environment fallback (the root already read it), so a value
# here is one the user typed, and it wins over the root's.
_CommandUri = Annotated[
    str | None,
    typer.Option("--uri", rich_help_panel=_PANEL,
                 help="Bolt URI (else --uri before the command, or NEO4J_URI)."),
]  # fmt: skip
_CommandUser = Annotated[
    str | None,
    typer.Option("--user", rich_help_panel=_PANEL,
                 help="User name (else --user before the command, NEO4J_USER, or neo4j)."),
]  # fmt: skip
_CommandPassword = Annotated[
    str | None,
    typer.Option("--password", rich_help_panel=_PANEL,
                 help="Password (else --password before the command, or NEO4J_PASSWORD)."),
]  # fmt: skip
_CommandDatabase = Annotated[
    str | None,
    typer.Option("--database", rich_help_panel=_PANEL,
                 help="Database (else --database before the command, or NEO4J_DATABASE)."),
]  # fmt: skip
_COMMAND_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("lg_uri", _CommandUri),
    ("lg_user", _CommandUser),
    ("lg_password", _CommandPassword),
    ("lg_database", _CommandDatabase),
)

# ---- the connection --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionOptions:
    """What the user said about the database (None: not said)."""

    uri: str | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None

    def overridden_by(self, other: ConnectionOptions) -> ConnectionOptions:
        """These options with every value ``other`` gives put over them."""
        given = {k: v for k, v in vars(other).items() if v is not None}
        return replace(self, **given)


class Connection:
    """Where this run's database is, decided once, and the store a command opens there.

    Args:
        options: from the root options (and the environment); ``override`` adds a command's.
    """

    def __init__(self, options: ConnectionOptions | None = None) -> None:
        self.options = options or ConnectionOptions()
        self._target: Neo4jTarget | None = None
        self._schema_applied = False

    def override(self, options: ConnectionOptions) -> None:
        """Options given after the command's name (they win; before the target is built)."""
        self.options = self.options.overridden_by(options)

    def target(self, *, start: bool = False) -> Neo4jTarget:
        """The target, built on first use and then kept for the rest of the process.

        Args:
            start: without a URI, may the resolver provision and start the local server?

        Raises:
            UnavailableError: no URI was given and no local server runs (or could start).
        """
        if self._target is None:
            o = self.options
            given = Neo4jTarget.given(o.uri, o.user, o.password, o.database)
            if given is not None:
                self._target = given
            else:
                # Only without a URI: finding or starting a local server needs the machinery.
                from ..server import resolve

                # docker_ok=False: a container started by a one-shot command dies with it.
                found = resolve(start=start, docker_ok=False)
                self._target = replace(found, database=o.database) if o.database else found
        return self._target

    @contextmanager
    def store(self, *, write: bool = False, start: bool = False) -> Iterator[Neo4jStore]:
        """The Neo4j store of this run, closed on exit.

        Args:
            write: the command writes: apply the schema first (once per process).
            start: may start the local server (see ``target``).
        """
        from ..store.neo4j import Neo4jStore

        store = Neo4jStore.from_target(self.target(start=start))
        try:
            if write:
                self.apply_schema(store)
            yield store
        finally:
            store.close()

    def apply_schema(self, store: Neo4jStore) -> list[SchemaStep]:
        """Apply the schema unless this process already did; returns the steps (or [])."""
        if self._schema_applied:
            return []
        steps = store.apply_schema()
        self._schema_applied = True
        return steps


def connection(ctx: Any) -> Connection:
    """The run's ``Connection`` (the root sets it; a sub-app run alone gets the environment's)."""
    found = ctx.find_object(Connection)
    if found is None:
        found = Connection(_env_options())
        ctx.find_root().obj = found
    return found  # type: ignore[no-any-return]


def _env_options() -> ConnectionOptions:
    return ConnectionOptions(
        uri=os.environ.get("NEO4J_URI") or None,
        user=os.environ.get("NEO4J_USER") or None,
        password=os.environ.get("NEO4J_PASSWORD"),
        database=os.environ.get("NEO4J_DATABASE") or None,
    )


# Open incidents of the nodes the running command shows, by (kind, id): filled once per command
# by ``output.load_incidents``, read by every node it prints; emptied when a command starts.
SHOWN_INCIDENTS: dict[tuple[str, int], tuple[int, ...]] = {}


def connects(func: Callable[Concatenate[Connection, P], R]) -> Callable[P, R]:
    """Decorate a command that reaches the database.

    It takes the connection options after its name too (same names as the root's), and is
    called with the run's ``Connection`` as its first argument.

    Example::

        @app.command()
        @connects
        def show(conn: Connection, ref: RefArg, as_json: JsonOpt = False) -> None:
            with conn.store() as store:
                ...
    """
    signature = inspect.signature(func, eval_str=True)
    own = list(signature.parameters.values())[1:]  # the first is the Connection
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann)
        for name, ann in _COMMAND_OPTIONS
    ]
    ctx_param = inspect.Parameter(
        "lg_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context
    )
    # Keyword-only parameters may follow ones with defaults; typer reads only names and
    # annotations, so the order is the help's order.
    params = [*own, ctx_param, *extra]

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> R:
        ctx = kwargs.pop("lg_ctx")
        SHOWN_INCIDENTS.clear()
        given = ConnectionOptions(*(kwargs.pop(name) for name, _ in _COMMAND_OPTIONS))
        conn = connection(ctx)
        conn.override(given)
        return func(conn, *args, **kwargs)

    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__annotations__["return"] = signature.return_annotation
    del command.__wrapped__  # typer must see the new signature, not the wrapped one's
    return command
