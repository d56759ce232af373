"""``lineage-graph ls`` (what was recorded) and ``lineage-graph watch`` (act on what happens).

``ls artifacts|executions|contexts`` lists nodes: ``--type``/``--state`` (checked: an unknown
one is an error naming the known ones), ``--name GLOB``, ``--where 'PROP OP VALUE'`` on user
properties, ``--since WHEN``, ``--sort FIELD [--desc]``, ``--limit``/``--offset`` and
``--after CURSOR`` (the next page; ``ls`` prints the cursor), ``--wide``, ``--json``.
``watch`` follows one subscription with a durable cursor (kept in the store under
``--name``, or in ``--cursor-dir``): it prints each delivery, or runs a handler - a command
(``--exec``: the delivery as JSON on stdin, ``LG_*`` environment variables) or a Python
function (``--handler file.py:func`` or ``module:func``, called as ``func(delivery, store)``).
A handler failure stops the watch with the cursor before that delivery (``HandlerFailedError``,
exit 1): the next watch gets it again (at least once; ``LG_DELIVERY_KEY`` / ``Delivery.key``
identifies it for idempotency). ``watch`` writes only its cursor, so it applies no schema.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import HandlerFailedError, InvalidInputError, LineageGraphError
from .common import Connection, connects, emit_json, json_option

if TYPE_CHECKING:
    from ..models import Kind
    from ..store.base import Store

app = typer.Typer(no_args_is_help=True)


class Listable(str, Enum):
    artifacts = "artifacts"
    executions = "executions"
    contexts = "contexts"


def _check_states(kind: Kind, states: list[str]) -> tuple[str, ...] | None:
    from ..models import ArtifactState, ExecutionState, Kind
    from .ls_args import check_choice

    if not states:
        return None
    if kind is Kind.CONTEXT:
        raise InvalidInputError("contexts have no state: drop --state", field="state",
                                value=states[0])
    allowed = {s.value for s in (ArtifactState if kind is Kind.ARTIFACT else ExecutionState)}
    # States are upper case in the store; 'failed' means FAILED.
    return tuple(check_choice(s.upper(), allowed, f"{kind.value} state", "state")
                 for s in states)


class SortField(str, Enum):
    id = "id"
    create_time = "create_time"
    update_time = "update_time"
    name = "name"
    type = "type"


def _list_options(store: Store, kind: Kind, types: list[str], states: list[str],
                  name: str | None, where: list[str], since: str | None, sort: SortField,
                  desc: bool, limit: int, offset: int, after: str | None,
                  tags: list[str]) -> Any:
    """The store's ``ListOptions`` for ``ls``'s flags (types checked against the store)."""
    from ..curation import tag_property
    from ..models import ListOptions, PropertyFilter
    from .ls_args import check_choice, parse_when, parse_where

    known = {t.name: t for t in store.get_types(kind)}
    chosen = [check_choice(t, known, f"{kind.value} type", "type") for t in types]
    # --where names a user property; a type of the listing that declares it means its
    # declared properties, otherwise the custom ones (where tracking puts params and metrics).
    scope = [known[t] for t in chosen] if chosen else list(known.values())
    filters = []
    for text in where:
        probe = parse_where(text, custom=True)
        declared = any(probe.name in t.properties for t in scope)
        filters.append(probe.model_copy(update={"custom": not declared}))
    # A tag is the custom property tag.<TAG> = true (lineage_graph.curation).
    filters += [PropertyFilter(name=tag_property(t), value=True, custom=True) for t in tags]
    return ListOptions(
        types=tuple(chosen) if chosen else None,
        states=_check_states(kind, states),
        name_glob=name,
        properties=tuple(filters),
        create_time_min=parse_when(since, "since") if since is not None else None,
        order_by=sort.value,
        descending=desc,
        # --offset skips rows of the first page; the cursor after it stays exact.
        limit=limit + offset,
        cursor=after,
    )


@app.command("ls")
@connects
def ls(
    conn: Connection,
    what: Annotated[Listable, typer.Argument(help="artifacts, executions or contexts.")],
    types: Annotated[list[str] | None, typer.Option(
        "--type", "-t", help="Only this type (repeatable; a stored type name).")] = None,
    states: Annotated[list[str] | None, typer.Option(
        "--state", "-s", help="Only this state (repeatable), e.g. LIVE, FAILED, CACHED.")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", metavar="GLOB", help="Names matching GLOB (* any run, ? one character).")] = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", metavar="PROP<OP>VALUE",
        help="User property filter, OP one of = != > >= < <= (repeatable, all must hold), "
             "e.g. 'auc>=0.8', 'framework=sklearn'.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", metavar="WHEN",
        help="Created at or after WHEN: ISO date/time (UTC unless a zone is given) or an "
             "age such as 7d, 12h, 30m.")] = None,
    sort: Annotated[SortField, typer.Option(
        "--sort", case_sensitive=False, help="Order by this field (ties by id).")] = SortField.id,
    desc: Annotated[bool, typer.Option("--desc", help="Newest / largest first.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many rows first.")] = 0,
    after: Annotated[str | None, typer.Option(
        "--after", metavar="CURSOR",
        help="Continue after a previous page (the cursor it printed).")] = None,
    tags: Annotated[list[str] | None, typer.Option(
        "--tag", metavar="TAG", help="Only nodes with this tag (repeatable: all of them).")
    ] = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="Print every cell whole (tables otherwise cut long cells).")] = False,
    as_json: Annotated[bool, json_option()] = False,
) -> None:
    """List recorded artifacts, executions or contexts (by id unless --sort)."""
    from ..models import Kind
    from . import output as out

    kind = Kind(what.value.removesuffix("s"))
    with conn.store() as store:
        options = _list_options(store, kind, types or [], states or [], name, where or [],
                                since, sort, desc, limit, offset, after, tags or [])
        try:
            page = store.list_nodes(kind, options)
        except InvalidInputError as exc:
            if exc.field != "cursor":
                raise
            raise InvalidInputError(
                f"--after {after!r} is not a cursor printed by ls with the same --sort and "
                "--desc", field="after", value=after) from None
        items = page.items[offset:]
        out.load_incidents(store, items)
    cursor = page.next_cursor
    if as_json:
        emit_json({"kind": kind.value, "count": len(items), "truncated": cursor is not None,
                   "next_cursor": cursor, "items": [out.node_json(n) for n in items]})
        return
    out.console(wide=wide).print(
        out.nodes_table(f"{what.value} ({len(items)})", items, times=True, wide=wide))
    if cursor is not None:
        typer.echo(f"(more: add --after {cursor} for the next {limit})")


def _subscription(name: str, artifact_types: list[str], execution_states: list[str],
                  execution_types: list[str], incidents: bool,
                  include_tainted: bool = False) -> Any:
    from ..models import Kind
    from ..tracking.subscriptions import executions_reaching, incidents_opened, new_artifacts

    chosen = sum([bool(artifact_types), bool(execution_states), incidents])
    if chosen != 1:
        raise InvalidInputError(
            "choose exactly one stream: --artifact-type, --execution-state or --incidents",
            field="stream", value=chosen)
    if artifact_types:
        return new_artifacts(name, tuple(artifact_types), include_tainted=include_tainted)
    if execution_states:
        states = _check_states(Kind.EXECUTION, execution_states)
        assert states is not None
        return executions_reaching(name, states,
                                   type=tuple(execution_types) if execution_types else None,
                                   include_tainted=include_tainted)
    return incidents_opened(name)


def _load_handler(spec: str) -> Any:
    target, sep, func = spec.rpartition(":")
    if not sep or not target or not func:
        raise InvalidInputError(f"--handler {spec!r} must be 'file.py:function' or "
                                "'module:function'", field="handler", value=spec)
    try:
        if target.endswith(".py"):
            path = Path(target).resolve()
            module_spec = importlib.util.spec_from_file_location(path.stem, path)
            if module_spec is None or module_spec.loader is None:
                raise FileNotFoundError(path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules.setdefault(path.stem, module)
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
        return getattr(module, func)
    except (ImportError, OSError, AttributeError) as exc:
        raise InvalidInputError(f"cannot load handler {spec!r}: {exc}", field="handler",
                                value=spec) from exc


def _printer(as_json: bool) -> Any:
    def show(delivery: Any) -> None:
        if as_json:
            emit_json(delivery.describe(), line=True)
            return
        if delivery.incident is not None:
            inc = delivery.incident
            typer.echo(f"incident {inc.id}: {inc.source.kind.value} {inc.source.id} marked bad:"
                       f" {inc.reason}")
        else:
            n = delivery.node
            state = getattr(n, "state", None) or getattr(n, "last_known_state", None)
            typer.echo(f"{n.kind.value} {n.id}: {n.type} {n.name or ''} "
                       f"{state.value if state is not None else ''} "
                       f"{getattr(n, 'uri', None) or ''}".rstrip())

    return show


@app.command("watch")
@connects
def watch(
    conn: Connection,
    name: Annotated[str, typer.Option("--name", help="Consumer name: its cursor is kept "
                                                     "under it, restarts resume there.")],
    artifact_types: Annotated[list[str] | None, typer.Option(
        "--artifact-type", help="New LIVE artifacts of this type (repeatable).")] = None,
    execution_states: Annotated[list[str] | None, typer.Option(
        "--execution-state", help="Executions reaching this state (repeatable).")] = None,
    execution_types: Annotated[list[str] | None, typer.Option(
        "--execution-type", help="With --execution-state: only this type.")] = None,
    incidents: Annotated[bool, typer.Option("--incidents",
                                            help="Artifacts marked bad (incidents).")] = False,
    reaching: Annotated[str | None, typer.Option(
        "--reaching", metavar="REF",
        help="With --incidents: only those whose taint reached REF (id or TYPE:NAME).")] = None,
    include_tainted: Annotated[bool, typer.Option(
        "--include-tainted", help="Also deliver artifacts/executions an open incident "
                                  "reached (skipped by default).")] = False,
    start: Annotated[str, typer.Option(
        "--from", help="For a new consumer: 'beginning' (all history) or 'now'.")] = "beginning",
    exec_: Annotated[str | None, typer.Option(
        "--exec", help="Run this command per delivery (JSON on stdin, LG_* env).")] = None,
    handler: Annotated[str | None, typer.Option(
        "--handler", help="Call file.py:func or module:func(delivery, store).")] = None,
    once: Annotated[bool, typer.Option("--once",
                                       help="Handle what is pending, then exit.")] = False,
    max_deliveries: Annotated[int | None, typer.Option("--max", min=1,
                                                       help="Stop after this many.")] = None,
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls.")] = 1.0,
    cursor_dir: Annotated[Path | None, typer.Option(
        help="Keep the cursor in this directory instead of the store.")] = None,
    as_json: Annotated[bool, json_option("JSON: with --once one document, else one line per "
                                         "delivery.")] = False,
) -> None:
    """Follow new artifacts of a type, executions reaching a state, or incidents."""
    from ..tracking.subscriptions import FileCursors, Watcher
    from .refs import node_ref, resolve_node

    if exec_ and handler:
        raise InvalidInputError("use --exec or --handler, not both", field="handler",
                                value=handler)
    if start not in ("beginning", "now"):
        raise InvalidInputError("--from must be 'beginning' or 'now'", field="from", value=start)
    sub = _subscription(name, artifact_types or [], execution_states or [],
                        execution_types or [], incidents, include_tainted)
    if reaching is not None and not incidents:
        raise InvalidInputError("--reaching needs --incidents", field="reaching",
                                value=reaching)
    collected: list[dict[str, Any]] = []
    with conn.store() as store:
        if reaching is not None:
            sub = replace(sub, reaching=node_ref(resolve_node(store, reaching)))
        act = _make_handler(exec_, handler, store)
        show = _printer(as_json)

        def handle(delivery: Any) -> None:
            if act is not None:
                act(delivery)
            if once and as_json:
                collected.append(delivery.describe())
            elif act is None or not as_json:
                show(delivery)

        w = Watcher(store, sub, cursors=FileCursors(cursor_dir) if cursor_dir else None,
                    start=start)  # type: ignore[arg-type]
        try:
            if once:
                handled = w.poll(handle, max_deliveries=max_deliveries)
            else:
                handled = w.run(handle, interval=interval, max_deliveries=max_deliveries)
        except KeyboardInterrupt:
            return
        except LineageGraphError:
            raise  # HandlerFailedError from --exec, or one of ours with its own exit code
        except Exception as exc:
            raise HandlerFailedError(f"handler failed: {type(exc).__name__}: {exc}; the "
                                     "delivery will be delivered again") from exc
    if once and as_json:
        emit_json({"subscription": name, "handled": handled, "deliveries": collected})
    elif once and not as_json:
        typer.echo(f"handled {handled}")


def _make_handler(exec_: str | None, handler: str | None, store: Store) -> Any:
    if exec_:
        from ..tracking.subscriptions import command_handler

        return command_handler(exec_)
    if handler:
        func = _load_handler(handler)
        try:
            takes_store = len(inspect.signature(func).parameters) >= 2
        except (TypeError, ValueError):
            takes_store = False
        return (lambda d: func(d, store)) if takes_store else func
    return None
