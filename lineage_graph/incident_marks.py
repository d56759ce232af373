"""Open incidents travel with every node an answer shows (``LineageNode.incidents``,
``ContextNode.incidents``).

The services (``lineage``, ``questions``, ``deployments``) pass each answer through
``with_incidents`` before returning it: one batched ``Store.open_incidents`` lookup for all
the nodes in the answer, whatever its shape, so both backends fill the field the same way and
a question costs one extra round trip, not one per node. Nodes without open incidents keep the
empty tuple (and are not copied). Walks (``lineage.upstream``/``downstream``) skip it: the store
fills the field in the walk itself (``Store.lineage_walk(marked=True)``; on Neo4j, in the same
statement).

Example::

    result = with_incidents(store, store.lineage_walk([start], "upstream"))
    [n for n in result.nodes if n.incidents]      # the tainted ones
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .answers import ContextNode, LineageNode, NodeRef
from .models import Kind

if TYPE_CHECKING:
    from .store.base import Store

__all__ = ["node_refs", "with_incidents"]

T = TypeVar("T")


def _ref(node: LineageNode | ContextNode) -> NodeRef:
    if isinstance(node, ContextNode):
        return NodeRef(kind=Kind.CONTEXT, id=node.id)
    return NodeRef(kind=node.kind, id=node.id)


def _collect(value: Any, out: set[NodeRef]) -> None:
    if isinstance(value, (LineageNode, ContextNode)):
        out.add(_ref(value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect(getattr(value, name), out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, out)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect(item, out)


def node_refs(answer: Any) -> set[NodeRef]:
    """Every node (artifact, execution, context) an answer shows, at any depth."""
    out: set[NodeRef] = set()
    _collect(answer, out)
    return out


def _apply(value: Any, found: Mapping[NodeRef, tuple[int, ...]]) -> Any:
    """``value`` with the nodes in ``found`` carrying their incidents; unchanged parts are
    returned as they are (identity tells the caller nothing changed)."""
    if isinstance(value, (LineageNode, ContextNode)):
        ids = found.get(_ref(value))
        if ids is None or ids == value.incidents:
            return value
        return value.model_copy(update={"incidents": ids})
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _apply(old, found)
            if new is not old:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, (list, tuple)):
        items = [_apply(v, found) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        entries = {k: _apply(v, found) for k, v in value.items()}
        if all(entries[k] is v for k, v in value.items()):
            return value
        return entries
    return value


def with_incidents(store: Store, answer: T) -> T:
    """``answer`` with every node it shows carrying its open incidents (one store query;
    none when the answer shows no node)."""
    refs = node_refs(answer)
    if not refs:
        return answer
    found = store.open_incidents(sorted(refs, key=lambda r: (r.kind.value, r.id)))
    if not found:
        return answer
    result: T = _apply(answer, found)
    return result
