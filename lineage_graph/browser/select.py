"""Which Browser view to open for a command-line reference (``lineage-graph browse``).

Every reference the CLI accepts works here too (``lineage_graph.refs``): ``a:ID``, ``e:ID``,
``c:ID``, ``TYPE:NAME``, ``@ALIAS`` and unambiguous bare ids; a run or pipeline context for
``why_failed`` (its failed steps) and ``deployed`` (its pushes); for ``deployed`` also a bare
target, model or pipeline name, as ``lineage-graph deployed NAME`` takes (the caller passes
that lookup in as ``find_named``); for ``incident`` an incident id (``i:3``, ``incident:3`` or
``3``). The view is filled with the stored roles mapping's model and deployment types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import lineage, roles
from ..answers import ROLE_DEPLOYMENT, ROLE_MODEL
from ..errors import InvalidInputError
from ..models import Kind, Node
from ..refs import ref_text, resolve_node
from .views import _KINDLESS, CONTEXT_VIEWS, VIEWS, view

if TYPE_CHECKING:
    from ..store.base import Store

# What ``browse --view`` offers (``overview`` is what ``browse`` without a REF opens).
BROWSE_VIEWS: tuple[str, ...] = tuple(v for v in VIEWS if v != "overview")
INCIDENT_PREFIXES = ("i:", "incident:")

FindNamed = Callable[["Store", str, Kind | None], Node]


@dataclass(frozen=True)
class Selection:
    """The Cypher to put in the Browser's editor, and the node (or incident) it is about."""

    query: str
    node: Node | None = None
    incident_id: int | None = None

    @property
    def node_ref(self) -> str | None:
        """``a:12`` / ``c:3`` / ``i:2``: the reference ``lineage-graph report`` takes."""
        if self.incident_id is not None:
            return f"i:{self.incident_id}"
        return ref_text(self.node) if self.node is not None else None


def incident_number(ref: str) -> int:
    """The id in ``i:3`` / ``incident:3`` / ``3``.

    Raises:
        InvalidInputError: anything else.
    """
    text = ref.strip()
    for prefix in INCIDENT_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
            break
    if not text.isdigit():
        raise InvalidInputError(f"REF {ref!r}: an incident is i:ID (e.g. i:3)", field="REF",
                                value=ref)
    return int(text)


def select(
    store: Store, view_name: str, ref: str | None, kind: Kind | None = None,
    *, find_named: FindNamed | None = None,
) -> Selection:
    """The view for ``ref`` (None: the pipelines overview, or every open incident).

    Raises:
        InvalidInputError: an unknown view, a malformed reference, or a context for a view
            that walks artifacts and executions.
        NotFoundError: nothing has that reference (or no incident has that id).
    """
    if view_name not in BROWSE_VIEWS:
        raise InvalidInputError(f"--view {view_name!r}: use one of {', '.join(BROWSE_VIEWS)}",
                                field="view", value=view_name)
    if view_name in _KINDLESS:
        if view_name == "incidents" or ref is None:
            return Selection(view("incidents"))
        number = incident_number(ref)
        lineage.incident(store, number)  # NotFoundError names the id
        return Selection(view("incident", number), incident_id=number)
    if ref is None:
        return Selection(view("overview"))
    if view_name == "deployed" and find_named is not None:
        node = find_named(store, ref, kind)
    else:
        node = resolve_node(store, ref, kind)
    assert node.id is not None
    if node.kind is Kind.CONTEXT and view_name not in CONTEXT_VIEWS:
        raise InvalidInputError(
            f"--view {view_name} follows artifacts and executions; {ref_text(node)} "
            f"{node.type} {node.name or ''} is a context (views for a context: "
            f"{', '.join(sorted(CONTEXT_VIEWS))})".replace("  ", " "),
            field="view", value=view_name,
        )
    mapping = roles.current(store)
    query = view(view_name, node.id, node.kind, model_types=mapping.types(ROLE_MODEL),
                 deployment_types=mapping.types(ROLE_DEPLOYMENT))
    return Selection(query, node=node)
