"""REF: how the command line names a node.

A REF is an integer id (``42``) or ``TYPE:NAME`` split at the FIRST colon (so names may contain
colons: ``Model:churn:v3`` is type ``Model``, name ``churn:v3``).

Ids are unique per kind, so ``42`` may be an artifact, an execution and a context at once;
type names too may exist in several kinds. Without ``--kind`` the lookup goes artifacts first,
then executions, then contexts, and the first match wins (artifacts are what people ask
about most). ``--kind`` restricts the lookup to one kind.
"""

from __future__ import annotations

from ..answers import NodeRef
from ..errors import InvalidInputError, NotFoundError
from ..models import Kind, ListOptions, Node
from ..store.base import Store

SEARCH_ORDER: tuple[Kind, ...] = (Kind.ARTIFACT, Kind.EXECUTION, Kind.CONTEXT)


def parse_ref(ref: str) -> int | tuple[str, str]:
    """``"42"`` -> 42; ``"Model:churn"`` -> ("Model", "churn").

    Raises:
        InvalidInputError: neither an integer nor TYPE:NAME with both parts non-empty.
    """
    text = ref.strip()
    if text.lstrip("-").isdigit():
        value = int(text)
        if value < 0:
            raise InvalidInputError(f"REF {ref!r}: ids are not negative", field="REF", value=ref)
        return value
    type_name, sep, name = text.partition(":")
    if not sep or not type_name or not name:
        raise InvalidInputError(
            f"REF {ref!r} is neither an id (42) nor TYPE:NAME (Model:churn-v3)",
            field="REF",
            value=ref,
        )
    return type_name, name


def resolve_node(store: Store, ref: str, kind: Kind | None = None) -> Node:
    """The node a REF names.

    Args:
        store: the store to look in.
        ref: ``42`` or ``TYPE:NAME``.
        kind: look only in this kind (default: artifacts, executions, contexts in that order).

    Raises:
        InvalidInputError: malformed REF.
        NotFoundError: nothing matches.
    """
    parsed = parse_ref(ref)
    kinds = (kind,) if kind is not None else SEARCH_ORDER
    for k in kinds:
        if isinstance(parsed, int):
            found = store.get_nodes_by_id(k, [parsed])
        else:
            type_name, name = parsed
            found = store.list_nodes(k, ListOptions(type=type_name, name=name, limit=1)).items
        if found:
            return found[0]
    where = f"{kind.value}s" if kind is not None else "artifacts, executions or contexts"
    raise NotFoundError(f"no node {ref!r} among {where}")


def node_ref(node: Node) -> NodeRef:
    """The ``NodeRef`` of a stored node."""
    assert node.id is not None  # stored nodes always have one
    return NodeRef(kind=node.kind, id=node.id)
