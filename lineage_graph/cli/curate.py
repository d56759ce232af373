"""Curating commands: ``tag REF TAG...``, ``untag REF TAG...``, ``archive REF``,
``delete REF [--force]``; each with ``--json``. The rules are ``lineage_graph.curation``'s:
a tag is the custom property ``tag.<TAG>`` = true (``ls --tag TAG`` lists by it); archiving
marks an artifact ``MARKED_FOR_DELETION``; delete removes the node, its events and links, and
refuses (exit 1, naming the deployment) while a live deployment depends on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import Connection, JsonOpt, RefArg, connects, emit_json

if TYPE_CHECKING:
    from ..models import Node

app = typer.Typer(no_args_is_help=True)

TagsArg = Annotated[list[str], typer.Argument(metavar="TAG...", help="One or more tags.")]


def _done(verb: str, node: Node, as_json: bool, **extra: Any) -> None:
    from ..curation import tags_of
    from . import output as out

    if as_json:
        emit_json({"action": verb, "node": out.node_json(node), **extra})
        return
    tags = ", ".join(tags_of(node)) or "none"
    state = f"; state {node.state.value}" if hasattr(node, "state") else ""
    typer.echo(f"{verb} {out.kind_name(node)} (tags: {tags}{state})")


@app.command("tag")
@connects
def tag(conn: Connection, ref: RefArg, tags: TagsArg, as_json: JsonOpt = False) -> None:
    """Add tags to a node (find them again with ls --tag)."""
    from .. import curation

    with conn.store(write=True) as store:
        node = curation.tag(store, ref, tags)
    _done("tagged", node, as_json)


@app.command("untag")
@connects
def untag(conn: Connection, ref: RefArg, tags: TagsArg, as_json: JsonOpt = False) -> None:
    """Remove tags from a node."""
    from .. import curation

    with conn.store(write=True) as store:
        node = curation.untag(store, ref, tags)
    _done("untagged", node, as_json)


@app.command("archive")
@connects
def archive(conn: Connection, ref: RefArg, as_json: JsonOpt = False) -> None:
    """Mark an artifact MARKED_FOR_DELETION (MLMD's state; its lineage stays)."""
    from .. import curation

    with conn.store(write=True) as store:
        node = curation.archive(store, ref)
    _done("archived", node, as_json)


@app.command("delete")
@connects
def delete(
    conn: Connection,
    ref: RefArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Delete even when a live deployment depends on it.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a node with its events and links (refused while a live deployment needs it)."""
    from .. import curation
    from . import output as out

    with conn.store(write=True) as store:
        gone = curation.delete(store, ref, force=force)
    broke = [t.target.name if t.target is not None else None for t in gone.broke]
    if as_json:
        emit_json({"action": "deleted", "node": out.node_json(gone.node),
                   "events": gone.events, "broke_deployments": broke})
        return
    typer.echo(f"deleted {out.kind_name(gone.node)} and its {gone.events} event(s)")
    if broke:
        typer.echo(f"warning: live deployment(s) {', '.join(map(str, broke))} depended on it",
                   err=True)
