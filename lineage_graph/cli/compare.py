"""Comparing and explaining: ``diff`` (two runs, or run N and N+1 of a pipeline) and ``explain``
(why B is downstream of A: one path along the data flow).

``diff RUN_A RUN_B``: runs are contexts (``c:ID`` or ``TYPE:NAME``); what changed step by step
(an execution type is a step): inputs, parameters, code, environment, state. ``diff PIPELINE
--run N``: run N against run N+1 of the pipeline (1-based, oldest first). ``explain A B``: the
path from A to B, or an error saying B is not downstream of A (exit 1). Both take ``--json``.
The answers are ``lineage.diff_runs``/``diff_run_n``/``explain``; this module only prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InvalidInputError, NotFoundError
from .common import Connection, JsonOpt, connects, emit_json

if TYPE_CHECKING:
    from ..answers import LineagePath, RunDiff
    from ..models import Node

app = typer.Typer(no_args_is_help=True)

RunRef = Annotated[str, typer.Argument(metavar="RUN_A",
                                       help="A run: c:ID or TYPE:NAME (with --run: a pipeline).")]


def _diff_json(diff: RunDiff, run_a: Node, run_b: Node) -> dict[str, Any]:
    from . import output as out

    def side(n: Any) -> dict[str, Any] | None:
        return None if n is None else out.node_json(n)

    return {
        "run_a": out.node_json(run_a),
        "run_b": out.node_json(run_b),
        "changed": diff.changed,
        "steps": [
            {"step": s.step, "before": side(s.before), "after": side(s.after),
             "changes": [c.model_dump(mode="json") for c in s.changes]}
            for s in diff.steps
        ],
    }


def _print_diff(diff: RunDiff, run_a: Node, run_b: Node) -> None:
    from . import output as out

    c = out.console()
    c.print(f"{out.kind_name(run_a)}  ->  {out.kind_name(run_b)}")
    table = out.new_table(title="changes", title_justify="left")
    for col in ("step", "section", "field", "before", "after"):
        table.add_column(col, overflow="fold")
    same = []
    for s in diff.steps:
        if not s.changes:
            same.append(s.step)
        for ch in s.changes:
            table.add_row(s.step, ch.section, ch.field,
                          "" if ch.before is None else out.display_value(ch.field, ch.before),
                          "" if ch.after is None else out.display_value(ch.field, ch.after))
    if diff.changed:
        c.print(table)
    else:
        c.print("no differences")
    if same:
        c.print(f"unchanged steps: {', '.join(same)}")


@app.command("diff")
@connects
def diff(
    conn: Connection,
    run_a: RunRef,
    run_b: Annotated[str | None, typer.Argument(
        metavar="[RUN_B]", help="The other run: c:ID or TYPE:NAME.")] = None,
    run_n: Annotated[int | None, typer.Option(
        "--run", min=1, metavar="N",
        help="RUN_A is a pipeline: compare its run N with run N+1 (oldest first).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two runs: inputs, parameters, code, environment, per step."""
    from .. import lineage
    from ..models import Kind
    from . import output as out
    from .refs import resolve_node

    if (run_b is None) == (run_n is None):
        raise InvalidInputError("give RUN_B, or a pipeline and --run N (not both)",
                                field="run", value=run_b or run_n)
    with conn.store() as store:
        first = resolve_node(store, run_a, Kind.CONTEXT)
        assert first.id is not None
        if run_b is not None:
            second = resolve_node(store, run_b, Kind.CONTEXT)
            assert second.id is not None
            result = lineage.diff_runs(store, first.id, second.id)
        else:
            assert run_n is not None
            result = lineage.diff_run_n(store, first.id, run_n)
        runs = {c.id: c for c in store.get_contexts_by_id([result.run_a, result.run_b])}
        a, b = runs[result.run_a], runs[result.run_b]
        nodes = [s.before for s in result.steps] + [s.after for s in result.steps]
        out.load_incidents(store, [a, b, *nodes])
    if as_json:
        emit_json(_diff_json(result, a, b))
        return
    _print_diff(result, a, b)


def _path_json(path: LineagePath) -> list[dict[str, Any]]:
    from . import output as out

    # Each node with the relationship that led to it (None for the first).
    vias: list[str | None] = [None, *path.edge_types]
    return [{**out.node_json(n), "via": v} for n, v in zip(path.nodes, vias, strict=True)]


@app.command("explain")
@connects
def explain(
    conn: Connection,
    source: Annotated[str, typer.Argument(metavar="A", help="Where data came from: a REF.")],
    target: Annotated[str, typer.Argument(metavar="B", help="What it may have reached: a REF.")],
    as_json: JsonOpt = False,
) -> None:
    """Why B is downstream of A: one shortest path along the data flow."""
    from .. import lineage
    from . import output as out
    from .refs import node_ref, resolve_node

    with conn.store() as store:
        a = resolve_node(store, source)
        b = resolve_node(store, target)
        for node, field in ((a, "A"), (b, "B")):
            if node.kind.value == "context":
                raise InvalidInputError(
                    f"{field} {out.kind_name(node)} is a context; explain follows artifacts "
                    "and executions", field=field, value=node.id)
        path = lineage.explain(store, node_ref(a), node_ref(b))
        if path is None:
            raise NotFoundError(f"{out.kind_name(b)} is not downstream of {out.kind_name(a)}")
        out.load_incidents(store, path.nodes)
    if as_json:
        emit_json({"source": out.node_json(a), "target": out.node_json(b),
                   "length": path.length, "path": _path_json(path)})
        return
    lines = [out.kind_name(path.nodes[0])]
    for step, via in zip(path.nodes[1:], path.edge_types, strict=True):
        lines.append(f"  -[{via}]-> {out.kind_name(step)}")
    typer.echo(f"{out.kind_name(b)} is downstream of {out.kind_name(a)} "
               f"({path.length} hops):")
    typer.echo("\n".join(lines))
