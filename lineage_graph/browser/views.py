"""Cypher for Neo4j Browser: what ``browse`` and the guide put in the Browser's editor.

These statements are never run by lineage-graph; the user runs them in the Browser, which
draws every node they return and connects them with the relationships among them ("connect
result nodes"), so returning the right SET of nodes is enough. Each view is a file
``assets/<name>.cypher`` with the project's header comments. A Browser link cannot carry
parameters, so ``view()`` splices validated values, in this one place: ``$id`` becomes
an integer literal, ``__KIND__`` a kind label from the closed ``Kind`` enum, and
``__MODEL_TYPES__`` / ``__DEPLOYMENT_TYPES__`` / ``__EVENT_TYPES__`` list literals of type
names (the stored roles mapping's, each checked against ``TYPE_NAME_PATTERN``: letters,
digits, underscores and dots, so a name can never close its quotes). No other name or free
text reaches the Browser's Cypher.

Relationships: every view returns the relationships it draws (data flow, the producer's run,
incident marks), so it reads the same whether the Browser's "Connect result nodes" setting
(on by default: it adds every relationship among the returned nodes) is on or off; and the
node sets are chosen so that what that setting adds is data flow too (walks return no
contexts; ``provenance`` only the producer's run and pipeline). Neo4j Browser has no layered
layout: views stay small (one walk, capped at 300 nodes), and ``lineage-graph report`` draws
the same lineage left to right for anything larger.

Walks use the shape the planner turns into a pruning breadth-first expand
(``collect(DISTINCT x)`` over an unbounded var-length pattern), so a deep lineage is not
enumerated path by path in the Browser either.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from ..answers import DEPLOYMENT_ARTIFACT_TYPES, DEPLOYMENT_CONTEXT_TYPE, EVENT_EXECUTION_TYPES
from ..answers import MODEL_TYPES as DEFAULT_MODEL_TYPES
from ..errors import InvalidInputError
from ..models import TYPE_NAME_PATTERN, Kind

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
# Views that accept a context (a run, a pipeline, a deployment target) as their start.
CONTEXT_VIEWS = frozenset({"show", "why_failed", "deployed"})
DEFAULT_DEPLOYMENT_TYPES: tuple[str, ...] = (*DEPLOYMENT_ARTIFACT_TYPES, DEPLOYMENT_CONTEXT_TYPE)


def type_list(names: Sequence[str], field: str) -> str:
    """A Cypher list literal of type names, each checked against ``TYPE_NAME_PATTERN``.

    Raises:
        InvalidInputError: a name that is not a type name (it could break out of its quotes).
    """
    for name in names:
        if not isinstance(name, str) or not TYPE_NAME_PATTERN.match(name):
            raise InvalidInputError(f"{field}: {name!r} is not a type name", field=field,
                                    value=name)
    return "[" + ", ".join(f"'{n}'" for n in sorted(set(names))) + "]"


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


def view(
    name: str,
    node_id: int | None = None,
    kind: Kind | None = None,
    *,
    model_types: Sequence[str] = DEFAULT_MODEL_TYPES,
    deployment_types: Sequence[str] = DEFAULT_DEPLOYMENT_TYPES,
) -> str:
    """A Browser-ready statement: the view's body with ``node_id`` and ``kind`` spliced.

    Args:
        name: one of ``VIEWS``.
        node_id: the node (or incident) id; required unless the view is ``incidents``.
        kind: the node's kind; required unless the view is about incidents.
        model_types: type names of the model role (``roles.current(store).types("model")``).
        deployment_types: type names of the deployment role (pushed models, targets).

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
    text = text.replace("__MODEL_TYPES__", type_list(model_types, "model_types"))
    text = text.replace("__DEPLOYMENT_TYPES__", type_list(deployment_types, "deployment_types"))
    return text.replace("__EVENT_TYPES__", type_list(EVENT_EXECUTION_TYPES, "event_types"))
