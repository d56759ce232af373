"""Query commands: ``demo``, ``show``, ``upstream``, ``downstream``, ``taint``, ``incidents``,
``provenance``, ``why-failed``, ``deployed``, ``models-on``, ``browse``; and, from their own
modules, ``deploy``/``undeploy``/``rollback``/``alias`` (``cli.deploy``) and ``roles``.

REF is ``a:ID``/``e:ID``/``c:ID``, ``TYPE:NAME``, ``@ALIAS`` or a bare id when only one kind
has it (see ``refs``). Every command takes ``--json`` (one JSON
document on stdout; nodes carry ``id``, ``kind``, ``type``, ``name``, ``uri``, ``state``) and
the connection options (``cli.common``): ``--uri``/``NEO4J_URI`` and friends, else the local
server this project started. Only ``demo`` starts a server; only ``demo`` and ``taint`` write.
Each command imports what it needs when it runs (``--help`` stays light).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InvalidInputError, NotFoundError
from .common import Connection, JsonOpt, KindName, KindOpt, RefArg, connects, emit_json, kind_of

if TYPE_CHECKING:
    from ..answers import FailedStep, LineageResult
    from ..models import Kind, Node
    from ..store.base import Store
    from ..target import Neo4jTarget

app = typer.Typer(no_args_is_help=True)


def _walkable(node: Node, command: str) -> Node:
    from ..models import Kind

    if node.kind is Kind.CONTEXT:
        raise InvalidInputError(
            f"{command} follows artifacts and executions; {node.type}:{node.name} is a context",
            field="REF", value=node.id,
        )
    return node


def _lineage_json(node: Node, result: LineageResult) -> dict[str, Any]:
    from . import output as out

    return {
        "start": out.node_json(node),
        "artifacts": [out.node_json(n) for n in result.artifacts],
        "executions": [out.node_json(n) for n in result.executions],
        "partial": result.partial,
        "reason": result.reason,
    }


def _walk(conn: Connection, direction: str, ref: str, kind: Kind | None, depth: int | None,
          types: list[str] | None, limit: int | None, roots: bool, as_json: bool,
          as_of: str | None = None, current: bool = False) -> None:
    """Walk and print; ``limit`` None is ``--all``. A cut answer says how to see the rest.
    ``as_of`` (upstream of an artifact): only what was recorded by then; ``current``: also
    what was recorded after the artifact came to be."""
    from .. import lineage
    from . import output as out
    from .refs import node_ref, resolve_node

    with conn.store() as store:
        node = _walkable(resolve_node(store, ref, kind), direction)
        if as_of is not None:
            if current:
                raise InvalidInputError("choose --as-of or --current, not both",
                                        field="current", value=True)
            result = _upstream_as_of(store, node, as_of, types, roots)
        elif direction == "upstream":
            result = lineage.upstream(store, node_ref(node), current=current, max_depth=depth,
                                      types=types or None, limit=limit, roots_only=roots)
        else:
            result = lineage.downstream(store, node_ref(node), max_depth=depth,
                                        types=types or None, limit=limit, roots_only=roots)
        out.load_incidents(store, [node, *result.artifacts, *result.executions])
    cut = limit is not None and result.partial and len(result.nodes) >= limit
    more = (f"more than {limit} nodes: {limit} shown, the rest not; use --limit N or --all"
            if cut else None)
    if as_json:
        _stream_lineage_json(node, result, more)
        return
    c = out.console()
    nodes = [*result.artifacts, *result.executions]
    title = f"{direction} of {out.kind_name(node)}"
    # Rich lays a table out whole: chunks keep --all of a huge answer printing as it goes.
    for start in range(0, max(len(nodes), 1), _TABLE_CHUNK):
        c.print(out.nodes_table(title if start == 0 else f"{title} (from row {start + 1})",
                                nodes[start:start + _TABLE_CHUNK], hops=True))
    if more:
        typer.echo(f"({more})", err=True)
    elif result.partial:
        c.print(f"[yellow]partial result: {result.reason}[/yellow]")


_TABLE_CHUNK = 1000


def _stream_lineage_json(node: Node, result: LineageResult, more: str | None) -> None:
    """``_lineage_json``'s document (plus ``more``), written node by node, not as one string."""
    import json
    import sys

    from . import output as out

    def dump(value: Any) -> str:
        return json.dumps(value, default=str)

    write = sys.stdout.write
    write(f'{{"start": {dump(out.node_json(node))}')
    for key, nodes in (("artifacts", result.artifacts), ("executions", result.executions)):
        write(f', "{key}": [')
        for i, n in enumerate(nodes):
            write(("" if i == 0 else ", ") + dump(out.node_json(n)))
        write("]")
    write(f', "partial": {dump(result.partial)}, "reason": {dump(result.reason)}, '
          f'"more": {dump(more)}}}\n')
    sys.stdout.flush()


@app.command()
@connects
def show(conn: Connection, ref: RefArg, kind: KindOpt = None, as_json: JsonOpt = False) -> None:
    """Show one node: its fields and properties."""
    from ..models import Kind
    from . import output as out
    from .refs import resolve_node

    with conn.store() as store:
        node = resolve_node(store, ref, kind_of(kind))
        contexts = [] if node.kind is Kind.CONTEXT else out_contexts(store, node)
        out.load_incidents(store, [node, *contexts])
    if as_json:
        emit_json({"node": out.node_json(node),
                   "contexts": [out.node_json(c) for c in contexts]})
        return
    c = out.console()
    c.print(out.nodes_table(out.kind_name(node), [node]))
    if node.properties:
        c.print(out.properties_table("properties", node.properties))
    if node.custom_properties:
        c.print(out.properties_table("custom properties", node.custom_properties))
    if contexts:
        c.print(out.nodes_table("contexts", contexts))


def out_contexts(store: Store, node: Node) -> list[Node]:
    """Contexts an artifact is attributed to / an execution is associated with."""
    from ..models import Kind, ListOptions

    assert node.id is not None
    if node.kind is Kind.ARTIFACT:
        options = ListOptions(artifact_id=node.id)
    else:
        options = ListOptions(execution_id=node.id)
    return list(store.list_nodes(Kind.CONTEXT, options).items)


DepthOpt = Annotated[int | None, typer.Option("--depth", min=0, help="At most this many hops.")]
TypeOpt = Annotated[list[str] | None, typer.Option("--type", help="Keep only these types.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="At most this many nodes.")]
RootsOpt = Annotated[bool, typer.Option("--roots", help="Only the ends (origins or leaves).")]


WALK_LIMIT = 1000
WalkLimitOpt = Annotated[int, typer.Option(
    "--limit", min=1, help="At most this many nodes; the output says when there are more.")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every node, however many (no --limit).")]


AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="WHEN",
    help="Only events and nodes recorded by WHEN (ISO date/time, UTC unless a zone is given, "
         "or ms since the epoch); REF must be an artifact. --depth/--limit do not apply.")]

CurrentOpt = Annotated[bool, typer.Option(
    "--current", help="Also what was recorded after the artifact came to be (default: the "
                      "upstream as of its creation).")]


@app.command()
@connects
def upstream(conn: Connection, ref: RefArg, kind: KindOpt = None, depth: DepthOpt = None,
             types: TypeOpt = None, limit: WalkLimitOpt = WALK_LIMIT, all_: AllOpt = False,
             roots: RootsOpt = False, as_of: AsOfOpt = None, current: CurrentOpt = False,
             as_json: JsonOpt = False) -> None:
    """Everything REF was derived from (any depth). For an artifact, as of its creation: what
    was recorded later (a re-run writing it again) shows with --current; --as-of WHEN: as it
    was recorded then."""
    _walk(conn, "upstream", ref, kind_of(kind), depth, types, None if all_ else limit, roots,
          as_json, as_of, current)


def _upstream_as_of(store: Store, node: Node, when: str, types: list[str] | None,
                    roots: bool) -> LineageResult:
    from .. import lineage
    from ..models import Kind
    from .ls_args import parse_when

    if node.kind is not Kind.ARTIFACT:
        raise InvalidInputError("--as-of needs an artifact REF (upstream as of a time is "
                                "defined for artifacts)", field="as-of", value=node.id)
    assert node.id is not None
    return lineage.upstream_as_of(store, node.id, as_of=parse_when(when, "as-of"),
                                  types=types or None, roots_only=roots)


@app.command()
@connects
def downstream(conn: Connection, ref: RefArg, kind: KindOpt = None, depth: DepthOpt = None,
               types: TypeOpt = None, limit: WalkLimitOpt = WALK_LIMIT, all_: AllOpt = False,
               roots: RootsOpt = False, as_json: JsonOpt = False) -> None:
    """Everything derived from REF (any depth)."""
    _walk(conn, "downstream", ref, kind_of(kind), depth, types, None if all_ else limit, roots,
          as_json)


@app.command()
@connects
def taint(conn: Connection, ref: RefArg,
          reason: Annotated[str, typer.Option("--reason", help="Why REF is bad.")],
          barrier: Annotated[list[str] | None, typer.Option(
              "--barrier", help="Execution types taint does not pass (repeatable).")] = None,
          kind: KindOpt = None, as_json: JsonOpt = False) -> None:
    """Record that REF is bad and taint everything downstream of it (an incident)."""
    from .. import lineage
    from . import output as out
    from .refs import node_ref, resolve_node

    if not reason.strip():
        raise InvalidInputError("--reason must not be empty", field="reason", value=reason)
    with conn.store() as store:
        node = _walkable(resolve_node(store, ref, kind_of(kind)), "taint")
        created = lineage.mark_bad(store, node_ref(node), reason, barrier_types=barrier or ())
        inc = lineage.incident(store, created.id)
        out.load_incidents(store, [node, *(t.node for t in inc.reached or [])])
    if as_json:
        emit_json({"incident": out.incident_json(inc, out.node_json(node))})
        return
    c = out.console()
    c.print(f"[bold red]incident {inc.id}[/bold red] on {out.kind_name(node)}: {inc.reason}")
    reached = [t.node for t in inc.reached or []]
    c.print(out.nodes_table(f"tainted: {inc.reached_count}", reached, hops=False))


@app.command()
@connects
def incidents(
    conn: Connection,
    status: Annotated[str | None, typer.Option(
        "--status", help="OPEN or RESOLVED (default: all).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List recorded incidents, newest first."""
    from .. import lineage
    from . import output as out

    if status is not None and status.upper() not in ("OPEN", "RESOLVED"):
        raise InvalidInputError(f"--status {status!r}: use OPEN or RESOLVED", field="status",
                                value=status)
    with conn.store() as store:
        found = lineage.incidents(store, status=status.upper() if status else None)
    if as_json:
        emit_json({"incidents": [out.incident_json(i) for i in found]})
        return
    table = out.new_table(title="incidents", title_justify="left")
    for col in ("id", "status", "source", "reason", "reached", "created"):
        table.add_column(col, overflow="fold")
    for i in found:
        table.add_row(str(i.id), i.status, f"{i.source.kind.value} {i.source.id}", i.reason,
                      str(i.reached_count), out.when(i.created),
                      style="red" if i.status == "OPEN" else None)
    out.console().print(table)


@app.command()
@connects
def provenance(conn: Connection, ref: RefArg, kind: KindOpt = None,
               as_json: JsonOpt = False) -> None:
    """Where an artifact came from: datasets, hyperparameters, pipeline and run, versions."""
    from rich.tree import Tree

    from .. import questions
    from . import output as out
    from .refs import resolve_node

    with conn.store() as store:
        node = resolve_node(store, ref, kind_of(kind or KindName.artifact))
        assert node.id is not None
        datasets = questions.training_datasets(store, node.id)
        snap = questions.producer(store, node.id)
        shown: list[out.NodeLike] = [node, *datasets]
        if snap is not None:
            shown += [snap.execution, *snap.contexts, *snap.ancestors]
        out.load_incidents(store, shown)
    if snap is None:
        raise NotFoundError(f"no execution produced {out.kind_name(node)}")
    doc = {
        "artifact": out.node_json(node),
        "datasets": [out.node_json(d) for d in datasets],
        "execution": out.node_json(snap.execution),
        "hyperparameters": snap.parameters,
        "contexts": [out.node_json(c) for c in snap.contexts],
        "ancestors": [out.node_json(c) for c in snap.ancestors],
        "code": snap.code,
        "environment": snap.environment,
    }
    if as_json:
        emit_json(doc)
        return
    tree = Tree(f"[bold]{out.kind_name(node)}[/bold]")
    branch = tree.add("datasets")
    for d in datasets:
        branch.add(f"{out.kind_name(d)}  {d.uri or ''}")
    run = tree.add(f"produced by {out.kind_name(snap.execution)} ({snap.execution.state})")
    params = run.add("hyperparameters")
    for k, v in sorted(snap.parameters.items()):
        params.add(f"{k} = {v}")
    ctx = run.add("pipeline and run")
    for c in [*snap.contexts, *[a for a in snap.ancestors if a not in snap.contexts]]:
        ctx.add(out.kind_name(c))
    code = run.add("code")
    for k, v in sorted(snap.code.items()):
        code.add(f"{k} = {v}")
    env = run.add("environment")
    for k, v in sorted(snap.environment.items()):
        env.add(f"{k} = {v}")
    out.console().print(tree)


def _failed_json(step: FailedStep) -> dict[str, Any]:
    from . import output as out

    return {
        "execution": out.node_json(step.failed.execution),
        "error": step.failed.error,
        "error_type": step.failed.custom_properties.get("error_type"),
        "contexts": [out.node_json(c) for c in step.failed.contexts],
        "last_success": (out.node_json(step.last_success.execution)
                         if step.last_success else None),
        "changes": [c.model_dump(mode="json") for c in (step.diff.changes if step.diff else [])],
    }


@app.command("why-failed")
@connects
def why_failed(conn: Connection, ref: RefArg, kind: KindOpt = None,
               as_json: JsonOpt = False) -> None:
    """Failed executions at or upstream of REF (a run: in it), with what changed since the
    last success of the same step."""
    from rich.tree import Tree

    from .. import questions
    from . import output as out
    from .refs import node_ref, ref_text, resolve_node

    with conn.store() as store:
        node = resolve_node(store, ref, kind_of(kind))
        steps = questions.why_failed(store, node_ref(node))
        out.load_incidents(store, [node, *(s.failed.execution for s in steps)])
    if as_json:
        emit_json({"start": out.node_json(node), "failed": [_failed_json(s) for s in steps]})
        return
    c = out.console()
    if not steps:
        c.print(f"no failed execution at or upstream of {out.kind_name(node)}")
        return
    for s in steps:
        ex = s.failed.execution
        tree = Tree(f"[bold red]FAILED {ref_text(ex)} {ex.type} {ex.name or ''}[/bold red]")
        tree.add(f"error: {s.failed.error}")
        if s.last_success is None:
            tree.add("no earlier success of this step")
        else:
            ok = s.last_success.execution
            changes = tree.add(f"changed since {ref_text(ok)} {ok.type} {ok.name or ''}")
            for ch in s.diff.changes if s.diff else []:
                changes.add(f"{ch.section}.{ch.field}: {ch.before!r} -> {ch.after!r}")
        c.print(tree)


def _named(store: Store, name: str, kind: Kind | None) -> Node:
    """NAME for ``deployed``: a REF (``a:12``, ``TYPE:NAME``, ``@alias``, an id); else, by
    name, a Deployment target, a model (model-role type), any context (a pipeline)."""
    from .. import roles
    from ..answers import DEPLOYMENT_CONTEXT_TYPE, ROLE_MODEL
    from ..models import Kind, ListOptions
    from .refs import parse_ref, resolve_node

    try:
        parsed = parse_ref(name)
    except InvalidInputError:
        parsed = None
    if parsed is not None:
        try:
            return resolve_node(store, name, kind)
        except NotFoundError:
            if parsed.type_name is None:
                raise  # an id or an alias that does not exist
    lookups: list[tuple[Kind, tuple[str, ...] | None]] = [
        (Kind.CONTEXT, (DEPLOYMENT_CONTEXT_TYPE,)),
        (Kind.ARTIFACT, roles.current(store).types(ROLE_MODEL)),
        (Kind.CONTEXT, None),
    ]
    for k, types in lookups:
        if kind is not None and k is not kind:
            continue
        items = store.list_nodes(k, ListOptions(name=name, types=types, limit=1)).items
        if items:
            return items[0]  # type: ignore[no-any-return]
    raise NotFoundError(f"no deployment target, model or pipeline named {name!r}")


@app.command()
@connects
def deployed(conn: Connection,
             name: Annotated[str, typer.Argument(
                 metavar="NAME", help="A target, a model, a pipeline, or a REF.")],
             history: Annotated[bool, typer.Option(
                 "--history", help="Also every deploy, rollback, undeploy and push.")] = False,
             kind: KindOpt = None, as_json: JsonOpt = False) -> None:
    """What is deployed now: per target the live model and since when (deploys, rollbacks,
    undeploys and pushes are events in time); with --history, how it got there."""
    from .. import questions
    from ..refs import ref_text
    from ..store.lineage_base import latest_deployment
    from . import output as out
    from .deploy import describe, event_json, history_table, state_json
    from .refs import node_ref

    with conn.store() as store:
        node = _named(store, name, kind_of(kind))
        answer = questions.deployments(store, node_ref(node))
        dep = latest_deployment(answer)
        states = [*answer.targets, *answer.aliases]
        shown: list[out.NodeLike | None] = [node]
        for st in states:
            shown += [st.target, *(e.model for e in st.history)]
        out.load_incidents(store, shown)
    if as_json:
        emit_json({
            "start": out.node_json(node),
            "deployed": out.node_json(dep.deployed) if dep else None,
            "model": out.node_json(dep.model) if dep and dep.model else None,
            "contexts": [out.node_json(c) for c in dep.contexts] if dep else [],
            "action": dep.action if dep else None,
            "at": dep.at if dep else None,
            "live": dep.live if dep else False,
            "targets": [state_json(st) for st in answer.targets],
            "aliases": [state_json(st) for st in answer.aliases],
            "events": [event_json(e) for e in answer.events],
        })
        return
    c = out.console()
    if dep is None and not answer.targets:
        c.print(f"{ref_text(node)} {node.type} {node.name or ''} was never deployed".strip(),
                markup=False)
        return
    table = out.new_table(title=f"deployed now ({ref_text(node)} {node.type} {node.name or ''})",
                          title_justify="left")
    for col in ("target", "live model", "since", "by", "incidents"):
        table.add_column(col, overflow="fold")
    for st in answer.targets:
        live = st.live
        model = live.model if live else None
        marks = ", ".join(f"#{i}" for i in out.incidents_of(model)) if model else ""
        table.add_row(
            (st.target.name or "") if st.target else "(no target)",
            f"{ref_text(model)} {model.type} {model.name or ''}" if model else "nothing",
            out.when(live.at) if live else out.when(st.history[-1].at if st.history else None),
            live.action if live else "undeploy",
            f"TAINTED {marks}" if marks else "",
            style="bold red" if marks else None,
        )
    c.print(table)
    for st in answer.targets:
        if st.live is not None and len(st.history) > 1:
            before = st.history[-2]
            label = (st.target.name or "") if st.target else "(no target)"
            c.print(f"{label} before that: {describe(before)}", markup=False)
    if dep is not None and dep.model is not None:
        where = ", ".join(t.name or "" for t in dep.contexts) or "(no target)"
        c.print(f"last deployment: {dep.action} {ref_text(dep.model)} {dep.model.type} "
                f"{dep.model.name or ''} to {where} at {out.when(dep.at)} "
                f"({'live' if dep.live else 'no longer live'})", markup=False)
    for st in answer.aliases:
        if st.live is not None and st.live.model is not None and st.target is not None:
            c.print(f"alias @{st.target.name} -> {ref_text(st.live.model)} "
                    f"{st.live.model.name or ''}", markup=False)
    if history:
        for st in [*answer.targets, *answer.aliases]:
            c.print(history_table(st))


def _ranked_json(r: Any) -> dict[str, Any]:
    from . import output as out

    return {
        **out.node_json(r.model),
        "metric": r.metric,
        "source": out.node_json(r.source) if r.source else None,
        "pipeline": out.node_json(r.pipeline) if r.pipeline else None,
    }


@app.command("models-on")
@connects
def models_on(conn: Connection, ref: RefArg,
              metric: Annotated[str, typer.Option(
                  "--metric", help="Metric to compare (read on the model, its evaluation, or "
                                   "beside it).")] = "auc",
              lower_is_better: Annotated[bool, typer.Option("--lower-is-better")] = False,
              kind: KindOpt = None, as_json: JsonOpt = False) -> None:
    """Models trained on a dataset (downstream, any depth), best first by --metric within
    each pipeline, and whether the newest beat the model deployed before it."""
    from .. import questions
    from ..refs import ref_text
    from . import output as out
    from .refs import resolve_node

    with conn.store() as store:
        node = resolve_node(store, ref, kind_of(kind or KindName.artifact))
        assert node.id is not None
        got = questions.models_trained_on(store, node.id, metric,
                                          higher_is_better=not lower_is_better)
        out.load_incidents(store, [node, *(r.model for r in got.models)])
    if got.models and not got.metric_found:
        found = ", ".join(got.available) or "none"
        raise NotFoundError(
            f"no model trained on {ref_text(node)} has a metric {metric!r} (on the model, an "
            f"evaluation of it, or beside it); metrics they have: {found}"
        )
    if as_json:
        emit_json({
            "dataset": out.node_json(node),
            "metric": metric,
            "higher_is_better": got.higher_is_better,
            "mixed": got.mixed,
            "models": [_ranked_json(r) for r in got.models],
            "pipelines": [
                {"pipeline": out.node_json(p.pipeline) if p.pipeline else None,
                 "models": [_ranked_json(r) for r in p.models],
                 "newest": _ranked_json(p.newest) if p.newest else None,
                 "baseline": _ranked_json(p.baseline) if p.baseline else None,
                 "better": p.better}
                for p in got.pipelines
            ],
        })
        return
    c = out.console()
    if not got.models:
        c.print(f"no model was trained on {ref_text(node)} {node.type} {node.name or ''}",
                markup=False)
        return
    order = "lowest" if lower_is_better else "highest"
    for p in got.pipelines:
        where = f"{p.pipeline.type} {p.pipeline.name}" if p.pipeline else "no pipeline"
        table = out.new_table(
            title=f"{where}: models trained on {ref_text(node)} {node.name or ''},"
                  f" {order} {metric} first", title_justify="left")
        for col in ("model", "name", metric, "read on", "state"):
            table.add_column(col, overflow="fold")
        for r in p.models:
            marks = out.incidents_of(r.model)
            table.add_row(
                ref_text(r.model), r.model.name or "",
                "" if r.metric is None else str(r.metric),
                f"{ref_text(r.source)} {r.source.type}" if r.source else "(not recorded)",
                (r.model.state or "") + (" TAINTED" if marks else ""),
                style="bold red" if marks else None,
            )
        c.print(table)
        if p.newest is not None and p.baseline is None:
            c.print(f"  no model of this pipeline was deployed before {ref_text(p.newest.model)}",
                    markup=False)
        elif p.newest is not None and p.baseline is not None:
            verdict = {True: "better", False: "not better", None: "cannot tell"}[p.better]
            c.print(f"  newest {ref_text(p.newest.model)} {p.newest.model.name or ''} "
                    f"({metric} {p.newest.metric}) vs previously deployed "
                    f"{ref_text(p.baseline.model)} {p.baseline.model.name or ''} "
                    f"({metric} {p.baseline.metric}): {verdict}", markup=False)
    if got.mixed:
        c.print(f"[yellow]models of {len(got.pipelines)} pipelines: {metric} is compared within "
                "each pipeline only[/yellow]")


def browser_base_url(store: Any, target: Neo4jTarget, override: str | None) -> str:
    """The Browser address: ``--browser-url``, the target's, the server's advertised HTTP
    address (``SHOW SETTINGS``), else port 7474 on the Bolt host."""
    from ..browser.links import browser_base, default_browser_url
    from ..errors import LineageGraphError
    from ..queries import query

    if override:
        return browser_base(override)
    if target.browser_url:
        return browser_base(target.browser_url)
    try:
        settings = {r["name"]: r["value"] for r in store.run_read(query("server_http_address"))}
    except LineageGraphError:
        settings = {}  # no privilege to read settings (e.g. a managed service): guess below
    address = settings.get("server.http.advertised_address")
    if address and settings.get("server.http.enabled", "true") == "true":
        host, _, port = str(address).rpartition(":")
        if not host or host in ("0.0.0.0", "::"):
            return default_browser_url(target.uri, int(port))
        return browser_base(f"http://{address}/browser/")
    return default_browser_url(target.uri)


def _type_labels(store: Store) -> dict[str, Kind]:
    from ..browser.style import type_labels_of
    from ..models import Kind

    return type_labels_of(
        (k, t.name) for k in (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT)
        for t in store.get_types(k)
    )


VIEW_CHOICES = ("show", "upstream", "downstream", "provenance", "why_failed", "models_on",
                "deployed", "incident", "incidents")  # browser.select.BROWSE_VIEWS
BrowserUrlOpt = Annotated[str | None, typer.Option(
    "--browser-url", envvar="NEO4J_BROWSER_URL", show_envvar=True,
    help="Neo4j Browser address (default: the server's, else port 7474).")]


@app.command()
@connects
def browse(
    conn: Connection,
    ref: Annotated[str | None, typer.Argument(metavar="[REF]", help=(
        "a:ID, e:ID, c:ID, TYPE:NAME, @ALIAS, an id; a target name for --view deployed; "
        "i:ID for --view incident."))] = None,
    view: Annotated[str, typer.Option("--view", help="One of: " + ", ".join(VIEW_CHOICES))]
    = "show",
    serve: Annotated[bool, typer.Option("--serve", help=(
        "Serve the guide and the style on localhost (until Ctrl-C) and link to them."))] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="Port of the guide/style server.")] = 7399,
    style: Annotated[bool, typer.Option("--style", help=(
        "Also print the style link: open it once and press Run (the Browser keeps it)."))]
    = False,
    browser_url: BrowserUrlOpt = None,
    kind: KindOpt = None, as_json: JsonOpt = False,
) -> None:
    """Print a Neo4j Browser link: connected to this server, the query for REF ready to run.

    Without REF: the pipelines and their runs (with --serve: the guide). --style also prints
    a link that applies the lineage style; --serve serves the guide and style until Ctrl-C.
    """
    from ..browser.links import browse_url
    from ..browser.select import select
    from ..browser.style import style_command
    from . import output as out

    target = conn.target()
    server = None
    if serve:
        from ..browser.serve import AssetServer

        # Bound first: the guide names the port it is really served on (--port 0: any).
        server = AssetServer({}, port=port)
        server.bind()
    try:
        with conn.store() as store:
            chosen = select(store, view, ref, kind_of(kind), find_named=_named)
            node = chosen.node
            labels = _type_labels(store)
            if server is not None:
                server.publish(_documents(store, labels, server.base_url))
            base = browser_base_url(store, target, browser_url)
    except BaseException:
        if server is not None:
            server.stop()
        raise

    def link(q: str | None) -> str:
        return browse_url(base, target.uri, q, user=target.user, database=target.database)

    query = None if serve and ref is None else chosen.query
    guide_cmd = f":play {server.url('/guide.html')}" if server else None
    doc = {
        "url": link(query if query is not None else guide_cmd),
        "query": query,
        "node": out.node_json(node) if node is not None else None,
        "incident": chosen.incident_id,
        "style_url": link(style_command(labels)),
        "style_command": f":style {server.url('/lineage.grass')}" if server else None,
        "guide_command": guide_cmd,
        # The Browser has no layered layout: past ~20 nodes the report is the readable form.
        "report_command": (f"lineage-graph report {chosen.node_ref} -o lineage.html"
                           if chosen.node_ref else None),
    }
    if as_json:
        emit_json(doc)
    else:
        c = out.console()
        c.print("[bold]Open in Neo4j Browser[/bold] (log in, then press Run):")
        c.print(doc["url"], markup=False)
        if doc["report_command"]:
            c.print(f"Drawn left to right, to share: {doc['report_command']}", markup=False)
        if style:
            c.print("[bold]Style[/bold] (open once, press Run; the Browser keeps it):")
            c.print(doc["style_url"], markup=False)
        if server:
            c.print(f"Serving the guide and style at {server.base_url} (Ctrl-C stops). "
                    "In the Browser run:")
            c.print(f"  {doc['guide_command']}\n  {doc['style_command']}", markup=False)
    if server is not None:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


def _documents(store: Store, labels: dict[str, Kind], base_url: str) -> dict[str, bytes]:
    """The guide (questions on the demo history when loaded) and the style, as served from
    ``base_url`` (the guide's own links use it)."""
    from ..browser.guide import guide_html
    from ..browser.style import grass_text
    from .guide_slides import slides

    style_url = f"{base_url}/lineage.grass"
    return {
        "/guide.html": guide_html("lineage-graph: the eight questions",
                                  slides(store, style_url)).encode(),
        "/lineage.grass": grass_text(labels).encode(),
    }


def _when(ms: int | None) -> str:
    from datetime import UTC, datetime

    return "" if ms is None else datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def _tainted(node: dict[str, Any]) -> str:
    """A warning after a node of a demo answer that carries open incidents."""
    ids = node.get("incidents") or []
    return f"  TAINTED (incident {', '.join(f'#{i}' for i in ids)})" if ids else ""


def _summary(a: Any) -> list[str]:
    """A few human lines for one demo answer (``demo.Answer``, JSON-ready ``answer``)."""
    data = a.answer
    n = a.number
    if n == 1:
        return [f"{d['type']} {d['name']}" for d in data]
    if n == 2:
        return [", ".join(f"{k}={v}" for k, v in sorted(data.items()))]
    if n == 3:
        ctx = [f"{c['type']} {c['name']}" for c in data["contexts"]]
        return [f"{data['execution']['type']} {data['execution']['name']}", "in " + ", ".join(ctx)]
    if n == 4:
        return [", ".join(f"{k}={v}" for k, v in sorted(data["code"].items())),
                ", ".join(f"{k} {v}" for k, v in sorted(data["environment"].items()))]
    if n == 5:
        lines = []
        for s in data:
            ex = s["failed"]["execution"]
            error = s["failed"]["custom_properties"].get("error")
            lines.append(f"FAILED e:{ex['id']} {ex['type']} {ex['name']}: {error}")
            for ch in (s.get("diff") or {}).get("changes", []):
                lines.append(
                    f"  {ch['section']}.{ch['field']}: {ch['before']!r} -> {ch['after']!r}"
                )
        return lines or ["no failed execution"]
    if n == 6:
        lines = []
        for t in data["targets"]:
            live = t["live"]
            name = (t["target"] or {}).get("name", "?")
            if live is None:
                lines.append(f"{name}: nothing deployed")
                continue
            model = live["model"] or {}
            lines.append(f"{name}: {model.get('type', '?')} {model.get('name', '?')} "
                         f"({live['action']}, {_when(live['at'])}){_tainted(model)}")
            for e in t["history"][-3:]:
                m = e["model"] or {}
                lines.append(f"  {_when(e['at'])}  {e['action']:<8} {m.get('name', '?')}"
                             f"{_tainted(m)}")
        return lines or ["never deployed"]
    if n == 7:
        lines = []
        for p in data["pipelines"]:
            where = (p["pipeline"] or {}).get("name", "no pipeline")
            ranked = ", ".join(f"{r['model']['name']} {r['metric']}" for r in p["models"])
            lines.append(f"{where}: {ranked}")
            if p["newest"] and p["baseline"]:
                verdict = {True: "better", False: "not better", None: "cannot tell"}[p["better"]]
                lines.append(f"  newest {p['newest']['model']['name']} vs previously deployed "
                             f"{p['baseline']['model']['name']}: {verdict}")
        return lines or ["no model trained on it"]
    if n == 8:
        models = [t["node"]["name"] for t in data["models"]]
        deployments = [t["node"]["name"] for t in data["deployments"]]
        return [(f"tainted: {len(data['artifacts'])} artifacts, "
                 f"{len(data['executions'])} executions, {len(data['contexts'])} contexts"),
                "models: " + ", ".join(models), "deployments: " + ", ".join(deployments)]
    return []


@app.command("demo")
@connects
def demo_command(conn: Connection, browser_url: BrowserUrlOpt = None,
                 as_json: JsonOpt = False) -> None:
    """Load a realistic ML history (idempotent), answer the eight questions, link each to
    Neo4j Browser. Starts the local Neo4j if none is configured or running."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .. import demo
    from ..browser.links import browse_url
    from ..browser.style import style_command
    from ..browser.views import view as view_text
    from . import output as out

    target = conn.target(start=True)
    # demo.load applies the schema itself (it writes), so the store is opened plainly here.
    with conn.store(start=True) as store:
        # Progress goes to stderr so that --json keeps stdout one document.
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=Console(stderr=True), transient=as_json) as bar:
            task = bar.add_task("Loading the demo history", total=None)

            def step(done: int, total: int, title: str) -> None:
                bar.update(task, completed=done, total=total,
                           description=f"Loading the demo history: {title}")

            ids = demo.load(store, step)
        found = demo.answers(store, ids)
        labels = _type_labels(store)
        base = browser_base_url(store, target, browser_url)

    def link(q: str) -> str:
        return browse_url(base, target.uri, q, user=target.user, database=target.database)

    links = [link(view_text(a.view, a.node_id, a.kind)) for a in found]
    if as_json:
        emit_json({
            "counts": ids.counts,
            "ids": {k: v for k, v in vars(ids).items() if k != "counts"},
            "answers": [
                {"number": a.number, "question": a.question, "answer": a.answer,
                 "command": a.command, "browser_url": u}
                for a, u in zip(found, links, strict=True)
            ],
            "style_url": link(style_command(labels)),
        })
        return
    c = out.console()
    c.print(f"[bold]Demo history loaded[/bold]: {ids.counts['artifacts']} artifacts, "
            f"{ids.counts['executions']} executions, {ids.counts['contexts']} contexts "
            f"(loading again changes nothing).")
    for a, u in zip(found, links, strict=True):
        c.print(f"\n[bold cyan]{a.number}. {a.question}[/bold cyan]")
        for line in _summary(a):
            c.print(f"   {line}", markup=False)
        c.print(f"   [dim]$ {a.command}[/dim]")
        c.print(f"   Browser: {u}", markup=False)
    c.print("\nThe lineage style is applied on connect by the Neo4j that lineage-graph runs; "
            "for any other server: lineage-graph browse --style")


# The deployment verbs (deploy, undeploy, rollback, alias) and the roles mapping live in their
# own modules; they join the root through this sub-app, which the root mounts without a name.
def _register() -> None:
    from . import deploy as deploy_cli
    from . import roles as roles_cli

    deploy_cli.register(app)
    app.add_typer(roles_cli.app, name="roles")


_register()
