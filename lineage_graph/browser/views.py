"""Cypher for Neo4j Browser: what ``browse`` and the guide put in the Browser's editor.

These statements are never run by lineage-graph; the user runs them in the Browser, which
draws every node they return and connects them with the relationships among them ("connect
result nodes"), so returning the right SET of nodes is enough. Each view is a file
``assets/<name>.cypher`` with the project's header comments. A Browser link cannot carry
parameters, so ``view()`` splices two validated values, in this one place: ``$id`` becomes
an integer literal and ``__KIND__`` a kind label from the closed ``Kind`` enum. Nothing else
is ever spliced, and no names or free text reach the Browser's Cypher.

Walks use the shape the planner turns into a pruning breadth-first expand
(``collect(DISTINCT x)`` over an unbounded var-length pattern), so a deep lineage is not
enumerated path by path in the Browser either.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ..errors import InvalidInputError
from ..models import Kind

VIEWS: tuple[str, ...] = (
    "show",
    "upstream",
    "downstream",
    "provenance",
    "why_failed",
    "models_on",
    "deployed",
    "incident",
    "incidents",
    "overview",
)
# Views that take no kind label (incident ids are their own kind).
_KINDLESS = frozenset({"incident", "incidents", "overview"})


@cache
def template(name: str) -> str:
    """The text of ``assets/<name>.cypher``.

    Raises:
        KeyError: no such view.
    """
    if name not in VIEWS:
        raise KeyError(f"no Browser view {name!r}; views: {', '.join(VIEWS)}")
    return resources.files(__package__).joinpath("assets", f"{name}.cypher").read_text("utf-8")


def _body(text: str) -> str:
    # The header comments stay out of the editor: the Browser runs the statement as typed.
    return "\n".join(line for line in text.splitlines() if not line.startswith("//")).strip()


def view(name: str, node_id: int | None = None, kind: Kind | None = None) -> str:
    """A Browser-ready statement: the view's body with ``node_id`` and ``kind`` spliced.

    Args:
        name: one of ``VIEWS``.
        node_id: the node (or incident) id; required unless the view is ``incidents``.
        kind: the node's kind; required unless the view is about incidents.

    Raises:
        KeyError: unknown view.
        InvalidInputError: a missing or non-integer id, or a missing kind.
    """
    text = _body(template(name))
    if "$id" in text:
        # bool is an int subclass; an id never is one.
        if not isinstance(node_id, int) or isinstance(node_id, bool):
            raise InvalidInputError(f"view {name!r} needs an integer id, got {node_id!r}",
                                    field="id", value=node_id)
        text = text.replace("$id", str(int(node_id)))
    if "__KIND__" in text:
        if name in _KINDLESS or kind is None:
            raise InvalidInputError(f"view {name!r} needs a kind", field="kind", value=kind)
        text = text.replace("__KIND__", Kind(kind).label)
    return text
