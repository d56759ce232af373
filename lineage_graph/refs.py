"""References to nodes that cannot be misread (the command line's REF, and the Python API's).

Artifact, execution and context ids are separate sequences, so ``48`` may name three nodes.
A reference says which one:

==============  ============================================================================
``a:48``        artifact 48 (also ``artifact:48``); ``e:48`` / ``execution:48`` an execution;
                ``c:48`` / ``context:48`` a context
``TYPE:NAME``   the node of that type and name, split at the FIRST colon (``Model:churn:v3``
                is type ``Model``, name ``churn:v3``); a prefix above followed by digits only
                is an id, not a type name
``@NAME``       the model the alias ``NAME`` points at now (``lineage_graph.deployments``)
``48``          the node with that id, if exactly one kind has one; when several do it is
                an error that lists them (write ``a:48`` ...)
==============  ============================================================================

``kind`` (the CLI's ``--kind``) restricts the lookup to one kind; a prefix that says another
kind is an error. ``ref_text(node)`` writes the unambiguous form (``e:48``) for output.

Public API::

    parse_ref(text) -> ParsedRef
    resolve_node(store, ref, kind=None) -> Node     # str, int, NodeRef or a stored Node
    node_ref(node) -> NodeRef
    ref_text(node) -> str                           # "a:48"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .answers import ALIAS_CONTEXT_TYPE, LineageNode, NodeRef
from .errors import InvalidInputError, NotFoundError
from .models import Artifact, Context, Execution, Kind, ListOptions, Node

if TYPE_CHECKING:
    from .store.base import Store

__all__ = ["KIND_PREFIXES", "ParsedRef", "node_ref", "parse_ref", "ref_text", "resolve_node"]

SEARCH_ORDER: tuple[Kind, ...] = (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT)
KIND_PREFIXES: dict[str, Kind] = {
    "a": Kind.ARTIFACT, "artifact": Kind.ARTIFACT,
    "e": Kind.EXECUTION, "execution": Kind.EXECUTION,
    "c": Kind.CONTEXT, "context": Kind.CONTEXT,
}
_SHORT = {Kind.ARTIFACT: "a", Kind.EXECUTION: "e", Kind.CONTEXT: "c"}


@dataclass(frozen=True)
class ParsedRef:
    """A parsed reference: an id (with its kind when the reference said it), a type and
    name, or an alias."""

    text: str
    id: int | None = None
    kind: Kind | None = None
    type_name: str | None = None
    name: str | None = None
    alias: str | None = None


def _bad(ref: str, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"REF {ref!r} {why}: use a:ID, e:ID or c:ID, TYPE:NAME, or @ALIAS", field="REF",
        value=ref,
    )


def parse_ref(ref: str) -> ParsedRef:
    """Parse a reference (see the module docstring); nothing is looked up.

    Raises:
        InvalidInputError: empty, a negative id, or none of the forms.
    """
    text = ref.strip()
    if not text:
        raise _bad(ref, "is empty")
    if text.startswith("@"):
        if not text[1:].strip():
            raise _bad(ref, "names no alias")
        return ParsedRef(text, alias=text[1:].strip())
    if text.lstrip("-").isascii() and text.lstrip("-").isdigit():  # "²".isdigit() too
        if text.startswith("-"):
            raise _bad(ref, "is negative (ids are not)")
        return ParsedRef(text, id=int(text))
    head, sep, tail = text.partition(":")
    if sep and head.lower() in KIND_PREFIXES and tail.isascii() and tail.isdigit():
        return ParsedRef(text, id=int(tail), kind=KIND_PREFIXES[head.lower()])
    if not sep or not head or not tail:
        raise _bad(ref, "is neither an id nor TYPE:NAME")
    return ParsedRef(text, type_name=head, name=tail)


def ref_text(node: Node | LineageNode | NodeRef) -> str:
    """The unambiguous reference of a node: ``a:48``, ``e:48``, ``c:48``."""
    assert node.id is not None
    return f"{_SHORT[node.kind]}:{node.id}"


def node_ref(node: Node | LineageNode) -> NodeRef:
    """The ``NodeRef`` of a stored node."""
    assert node.id is not None  # stored nodes always have one
    return NodeRef(kind=node.kind, id=node.id)


def _an(kind: Kind) -> str:
    return f"{'an' if kind.value[0] in 'ae' else 'a'} {kind.value}"


def _describe(node: Node) -> str:
    label = f"{node.type} {node.name}" if node.name else node.type
    return f"{node.kind.value} {ref_text(node)} ({label})"


def _one(ref: str, found: list[Node], where: str) -> Node:
    if not found:
        raise NotFoundError(f"no node {ref!r} among {where}")
    if len(found) > 1:
        listed = ", ".join(_describe(n) for n in found)
        texts = [ref_text(n) for n in found]
        choice = ", ".join(texts[:-1]) + " or " + texts[-1]
        raise InvalidInputError(
            f"REF {ref!r} is ambiguous: {listed}; write {choice}", field="REF", value=ref
        )
    return found[0]


def _alias_model(store: Store, ref: str, alias: str) -> Node:
    from . import roles  # services; imported here so that models-level users stay light

    context = store.get_context_by_type_and_name(ALIAS_CONTEXT_TYPE, alias)
    if context is None or context.id is None:
        raise NotFoundError(f"no alias named {alias!r}")
    answer = store.deployments(NodeRef(kind=Kind.CONTEXT, id=context.id), roles.query())
    state = next((s for s in answer.aliases if s.target and s.target.id == context.id), None)
    if state is None or state.live is None or state.live.model is None:
        raise NotFoundError(f"alias {alias!r} points at no model now")
    found = store.get_artifacts_by_id([state.live.model.id])
    if not found:
        raise NotFoundError(f"alias {alias!r} points at artifact {state.live.model.id}, "
                            "which no longer exists")
    return found[0]


def resolve_node(
    store: Store, ref: str | int | NodeRef | Node | LineageNode, kind: Kind | None = None
) -> Node:
    """The stored node a reference names.

    Args:
        store: the store to look in.
        ref: a reference string (module docstring), an int (an id, as a bare number), a
            ``NodeRef``, or a node.
        kind: look only in this kind.

    Raises:
        InvalidInputError: malformed, ambiguous (the message lists the candidates), or a
            prefix of another kind than ``kind``.
        NotFoundError: nothing matches.
    """
    if isinstance(ref, (NodeRef, Artifact, Execution, Context, LineageNode)):
        assert ref.id is not None
        text = ref_text(ref)
    elif isinstance(ref, int) and not isinstance(ref, bool):
        text = str(ref)
    elif isinstance(ref, str):
        text = ref
    else:
        raise InvalidInputError(f"REF {ref!r} is not a reference", field="REF", value=ref)
    parsed = parse_ref(text)
    if parsed.alias is not None:
        node = _alias_model(store, text, parsed.alias)
        if kind is not None and kind is not Kind.ARTIFACT:
            raise InvalidInputError(f"REF {text!r} names a model, not {_an(kind)}",
                                    field="REF", value=text)
        return node
    if parsed.kind is not None and kind is not None and parsed.kind is not kind:
        raise InvalidInputError(
            f"REF {text!r} names {_an(parsed.kind)}, not {_an(kind)}", field="REF", value=text
        )
    chosen = parsed.kind or kind
    kinds = (chosen,) if chosen is not None else SEARCH_ORDER
    where = f"{chosen.value}s" if chosen is not None else "artifacts, executions or contexts"
    found: list[Node] = []
    for k in kinds:
        if parsed.id is not None:
            found += store.get_nodes_by_id(k, [parsed.id])
        else:
            options = ListOptions(type=parsed.type_name, name=parsed.name, limit=1)
            found += store.list_nodes(k, options).items
    return _one(text, found, where)
