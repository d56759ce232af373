"""Deployment commands: ``deploy``, ``undeploy``, ``rollback`` and ``alias set|delete|show``.

Each records one event in time (``lineage_graph.deployments``): ``deploy MODEL TARGET``
deploys a model (any REF: ``a:12``, ``Model:churn-v3``, ``@champion``) to a target (a
``Deployment`` context, created on first use); ``rollback TARGET`` deploys again the model the
target held before its current one (or ``--to MODEL``); ``undeploy TARGET`` takes it down.
``alias set champion MODEL`` points an alias at a model version, and moves it when set
again. ``--at`` (ISO 8601, or ms since the epoch) records an event at another time than now.
``deployed TARGET --history`` shows what a target holds and how it got there.

These commands are added to the root by ``cli.query`` (``register``); at module level this
imports only typer and ``cli.common``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InvalidInputError
from .common import Connection, JsonOpt, connects, emit_json

if TYPE_CHECKING:
    from ..answers import DeploymentEvent, TargetState

TargetArg = Annotated[str, typer.Argument(metavar="TARGET",
                                          help="Deployment target name (prod, churn-prod).")]
ModelArg = Annotated[str, typer.Argument(
    metavar="MODEL", help="The model: a:ID, TYPE:NAME, @ALIAS or an id.")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", help="When (ISO 8601, e.g. 2024-03-18T10:00:00Z, or ms since the epoch); "
                 "default: now.")]

alias_app = typer.Typer(no_args_is_help=True, help="Model aliases (champion, staging ...).")


def parse_at(text: str | None) -> int | None:
    """``--at``: ms since the epoch, or an ISO 8601 time (UTC when it names no zone).

    Raises:
        InvalidInputError: neither.
    """
    from datetime import UTC, datetime

    if text is None:
        return None
    value = text.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"--at {text!r} is neither an ISO 8601 time nor milliseconds since the epoch",
            field="at", value=text,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def event_json(event: DeploymentEvent) -> dict[str, Any]:
    """An event as JSON: action, at (ms and ISO), target, model, pushed artifact, execution."""
    from . import output as out

    return {
        "action": event.action,
        "at": event.at,
        "at_iso": out.when(event.at),
        "target": out.node_json(event.target) if event.target else None,
        "model": out.node_json(event.model) if event.model else None,
        "pushed": out.node_json(event.pushed) if event.pushed else None,
        "execution": out.node_json(event.execution),
    }


def state_json(state: TargetState) -> dict[str, Any]:
    from . import output as out

    return {
        "target": out.node_json(state.target) if state.target else None,
        "live": event_json(state.live) if state.live else None,
        "history": [event_json(e) for e in state.history],
    }


def describe(event: DeploymentEvent) -> str:
    """One line: ``2024-03-18 10:00  rollback  a:5 Model churn-v2  -> prod``."""
    from ..refs import ref_text
    from . import output as out

    model = (f"{ref_text(event.model)} {event.model.type} {event.model.name or ''}".strip()
             if event.model else "(no model)")
    target = event.target.name if event.target else "(no target)"
    pushed = f" as {ref_text(event.pushed)} {event.pushed.name or ''}" if event.pushed else ""
    return f"{out.when(event.at)}  {event.action:<8}  {model}{pushed}  -> {target}"


def history_table(state: TargetState) -> Any:
    """The events of one target, oldest first, the live one marked."""
    from ..refs import ref_text
    from . import output as out

    name = state.target.name if state.target else "(no target)"
    table = out.new_table(title=f"history of {name}", title_justify="left")
    for col in ("at", "action", "model", "pushed", "event", ""):
        table.add_column(col, overflow="fold")
    for e in state.history:
        table.add_row(
            out.when(e.at), e.action,
            f"{ref_text(e.model)} {e.model.name or ''}" if e.model else "",
            f"{ref_text(e.pushed)} {e.pushed.name or ''}" if e.pushed else "",
            ref_text(e.execution),
            "live" if state.live is not None and e == state.live else "",
        )
    return table


def _report(event: DeploymentEvent, as_json: bool) -> None:
    from . import output as out

    if as_json:
        emit_json({"event": event_json(event)})
        return
    out.console().print(describe(event), markup=False)


def deploy(conn: Connection, model: ModelArg, target: TargetArg, at: AtOpt = None,
           as_json: JsonOpt = False) -> None:
    """Record that MODEL is deployed to TARGET now (or --at)."""
    from .. import deployments

    when = parse_at(at)
    with conn.store(write=True) as store:
        event = deployments.deploy(store, model, target, at=when)
    _report(event, as_json)


def undeploy(conn: Connection, target: TargetArg, at: AtOpt = None,
             as_json: JsonOpt = False) -> None:
    """Record that TARGET holds nothing from now (or --at) on."""
    from .. import deployments

    when = parse_at(at)
    with conn.store(write=True) as store:
        event = deployments.undeploy(store, target, at=when)
    _report(event, as_json)


def rollback(
    conn: Connection, target: TargetArg,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="MODEL", help="Deploy this model instead of the previous one.")] = None,
    at: AtOpt = None, as_json: JsonOpt = False,
) -> None:
    """Deploy again the model TARGET held before its current one (or --to MODEL)."""
    from .. import deployments

    when = parse_at(at)
    with conn.store(write=True) as store:
        event = deployments.rollback(store, target, to=to, at=when)
    _report(event, as_json)


@alias_app.command("set")
@connects
def alias_set(conn: Connection,
              name: Annotated[str, typer.Argument(metavar="NAME", help="champion, staging ...")],
              model: ModelArg, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Point alias NAME at MODEL (moves it if it is set)."""
    from .. import deployments

    when = parse_at(at)
    with conn.store(write=True) as store:
        event = deployments.set_alias(store, name, model, at=when)
    _report(event, as_json)


@alias_app.command("delete")
@connects
def alias_delete(conn: Connection,
                 name: Annotated[str, typer.Argument(metavar="NAME")],
                 at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Make alias NAME point at nothing (its history stays)."""
    from .. import deployments

    when = parse_at(at)
    with conn.store(write=True) as store:
        event = deployments.delete_alias(store, name, at=when)
    _report(event, as_json)


@alias_app.command("show")
@connects
def alias_show(conn: Connection, name: Annotated[str, typer.Argument(metavar="NAME")],
               as_json: JsonOpt = False) -> None:
    """Where alias NAME points now, and how it moved."""
    from .. import deployments
    from ..errors import NotFoundError
    from . import output as out

    with conn.store() as store:
        state = deployments.alias(store, name)
    if state.target is None:
        raise NotFoundError(f"no alias named {name!r}")
    if as_json:
        emit_json(state_json(state))
        return
    c = out.console()
    c.print(describe(state.live) if state.live else f"alias {name} points at nothing",
            markup=False)
    c.print(history_table(state))


def register(app: typer.Typer) -> None:
    """Add ``deploy``, ``undeploy``, ``rollback`` and ``alias`` to ``app``."""
    app.command("deploy")(connects(deploy))
    app.command("undeploy")(connects(undeploy))
    app.command("rollback")(connects(rollback))
    app.add_typer(alias_app, name="alias")
