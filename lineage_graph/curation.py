"""Curating what was recorded: tags, archiving, and deleting what nothing live depends on.

* Tags: tag ``T`` on a node is its custom property ``tag.T`` = ``true``. A user property, so
  it never touches a system field; Cypher and the Browser see it (``n.`c.tag.T```), the
  listing filters it on both backends (``ls --tag T`` is the property filter ``tag.T = true``),
  and exports carry it. Tag names are what a property name allows after ``tag.``: letters,
  digits, ``_``, ``.``, ``-``.
* Archive: an artifact's state becomes ``MARKED_FOR_DELETION``, MLMD's state for "no longer
  to be used; its data may be removed". Not a new state, so MLMD and OpenLineage exports
  keep their meaning; the node, its events and every answer about it stay. Only artifacts
  have a state; archiving an execution or a context is an error.
* Delete: the node and every edge touching it (its events, context links, parent links) go;
  ids are never reused. Refused (``InUseError``) while a live deployment depends on it: a
  deployment target whose current deploy/push is downstream of the node (or is the node),
  per ``questions.deployments``; ``force=True`` deletes anyway and says which it broke.

Tags and archiving read the node and write it back in one transaction
(``WriteRules.edit_node``), the same rule on both backends.

Public API::

    tags_of(node) -> list[str]
    tag(store, ref, tags) -> Node          untag(store, ref, tags) -> Node
    archive(store, ref) -> Node
    live_dependents(store, ref) -> list[TargetState]
    delete(store, ref, *, force=False) -> Deleted
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import questions
from .answers import TargetState
from .errors import InvalidInputError, UserError
from .models import PROPERTY_NAME_PATTERN, Artifact, ArtifactState, Kind, Node
from .refs import node_ref, ref_text, resolve_node

if TYPE_CHECKING:
    from .answers import NodeRef
    from .store.base import Store

__all__ = ["TAG_PREFIX", "Deleted", "InUseError", "archive", "delete", "live_dependents",
           "tag", "tags_of", "untag"]

TAG_PREFIX = "tag."
ARCHIVED = ArtifactState.MARKED_FOR_DELETION

class InUseError(UserError):
    """A live deployment depends on the node to delete (``field``: ``REF``)."""

    field = "REF"


@dataclass(frozen=True)
class Deleted:
    """What ``delete`` removed: the node, how many events went with it, and the live
    deployments it broke (only with ``force``)."""

    node: Node
    events: int
    broke: list[TargetState] = field(default_factory=list)


def tags_of(node: Node) -> list[str]:
    """The node's tags, sorted."""
    return sorted(k.removeprefix(TAG_PREFIX) for k, v in node.custom_properties.items()
                  if k.startswith(TAG_PREFIX) and v is True)


def tag_property(tag: str) -> str:
    """The custom property that holds ``tag``.

    Raises:
        InvalidInputError: field ``TAG``: not a usable tag name.
    """
    key = TAG_PREFIX + tag
    if not tag or not PROPERTY_NAME_PATTERN.match(key):
        raise InvalidInputError(
            f"tag {tag!r} is invalid: use letters, digits, '_', '.', '-' (at most "
            f"{128 - len(TAG_PREFIX)})", field="TAG", value=tag)
    return key


Change = Callable[[Node], Node]


def _edit(store: Store, ref: str | int | NodeRef | Node, change: Change) -> Node:
    node = resolve_node(store, ref)
    assert node.id is not None
    node_id, kind = node.id, node.kind
    store.atomic(lambda w: w.edit_node(kind, node_id, change))
    [stored] = store.get_nodes_by_id(kind, [node_id])
    return stored


def _with_tags(add: Iterable[str], remove: Iterable[str]) -> Change:
    added, removed = [tag_property(t) for t in add], [tag_property(t) for t in remove]

    def change(node: Node) -> Node:
        props = {k: v for k, v in node.custom_properties.items() if k not in removed}
        props.update(dict.fromkeys(added, True))
        return node.model_copy(update={"custom_properties": props})

    return change


def tag(store: Store, ref: str | int | NodeRef | Node, tags: Sequence[str]) -> Node:
    """Add tags to a node (adding one it has changes nothing). Returns the stored node."""
    return _edit(store, ref, _with_tags(tags, ()))


def untag(store: Store, ref: str | int | NodeRef | Node, tags: Sequence[str]) -> Node:
    """Remove tags from a node (removing one it lacks changes nothing)."""
    return _edit(store, ref, _with_tags((), tags))


def archive(store: Store, ref: str | int | NodeRef | Node) -> Node:
    """Mark an artifact ``MARKED_FOR_DELETION`` (see the module docstring).

    Raises:
        InvalidInputError: field ``REF``: not an artifact.
    """
    node = resolve_node(store, ref)
    if not isinstance(node, Artifact):
        raise InvalidInputError(
            f"only artifacts are archived ({_label(node)} is {node.kind.value})",
            field="REF", value=node.id)

    def change(stored: Node) -> Node:
        return stored.model_copy(update={"state": ARCHIVED})

    return _edit(store, node, change)


def live_dependents(store: Store, ref: str | int | NodeRef | Node) -> list[TargetState]:
    """Deployment targets whose live deploy or push is downstream of (or is) the node."""
    node = resolve_node(store, ref)
    answer = questions.deployments(store, node_ref(node))
    own = {e.execution.id for e in answer.events}
    return [t for t in answer.targets
            if t.live is not None and not t.live.clears and t.live.execution.id in own]


def delete(store: Store, ref: str | int | NodeRef | Node, *, force: bool = False) -> Deleted:
    """Delete a node with its events and links.

    Raises:
        InUseError: a live deployment depends on it (and not ``force``); the message names
            the deployment target(s) and what they serve.
    """
    node = resolve_node(store, ref)
    assert node.id is not None
    live = live_dependents(store, node)
    if live and not force:
        raise InUseError(
            f"{_label(node)} is needed by live deployment {_describe(live)}; undeploy first, "
            "or delete --force")
    if node.kind is Kind.CONTEXT:
        events = 0
    else:
        key = "artifact_ids" if node.kind is Kind.ARTIFACT else "execution_ids"
        events = len(store.get_events(**{key: [node.id]}))
    store.delete_nodes(node.kind, [node.id])
    return Deleted(node=node, events=events, broke=live if force else [])


def _label(node: Node) -> str:
    return f"{ref_text(node)} ({node.type} {node.name})" if node.name else ref_text(node)


def _describe(live: list[TargetState]) -> str:
    parts = []
    for t in live:
        name = t.target.name if t.target is not None else "(no target)"
        served = t.live.model if t.live is not None else None
        what = served.name if served is not None and served.name else "?"
        parts.append(f"{name!r} (serving {what})")
    return ", ".join(parts)
