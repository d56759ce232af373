"""The fast "last deployed" answer checked against the full one it must equal.

``Store.last_deployment`` (Neo4j: one statement that looks only at the start's own events and
the chosen event's target) must give exactly ``latest_deployment(store.deployments(...))``, on
both backends, and Neo4j's must equal the in-memory oracle's.
"""

from __future__ import annotations

from collections.abc import Sequence

from lineage_graph import lineage as L
from lineage_graph import roles
from lineage_graph.answers import (
    DEPLOYMENT_CONTEXT_TYPE,
    ROLE_DEPLOYMENT,
    ROLE_MODEL,
    Deployment,
    NodeRef,
    RoleQuery,
)
from lineage_graph.store.base import Store
from lineage_graph.store.lineage_base import latest_deployment

from .histories import History

# The stored mapping over the defaults (what questions.last_deployed asks), and explicit type
# lists only (what Store.last_deployed asks).
ROLE_QUERIES: tuple[RoleQuery, ...] = (
    roles.query(),
    RoleQuery(explicit={ROLE_DEPLOYMENT: ("PushedModel", DEPLOYMENT_CONTEXT_TYPE),
                        ROLE_MODEL: ("Model",)}),
)


def fast_equals_full(store: Store, starts: Sequence[NodeRef]) -> list[Deployment | None]:
    """Every start's fast answer, after checking it equals the full one (per role query)."""
    got = []
    for start in starts:
        for query in ROLE_QUERIES:
            fast = store.last_deployment(start, query)
            full = latest_deployment(store.deployments(start, query))
            assert fast == full, (start, query.explicit)
            got.append(fast)
    return got


def check_last_deployed(memory: Store, neo4j: Store, starts: Sequence[NodeRef]) -> None:
    """Fast == full on both backends, and Neo4j == memory, for every start."""
    expected = fast_equals_full(memory, starts)
    assert fast_equals_full(neo4j, starts) == expected


def oracle_starts(h: History) -> list[NodeRef]:
    """The starts the oracle (``answers_of.answers``) asks "last deployed" from: its two
    artifact starts, every deployment target and alias, every pipeline."""
    arts = [a.id for a in h.artifacts if a.id is not None]
    models = [a.id for a in h.artifacts if a.type == "Model" and a.id is not None]
    starts = [L.artifact(a) for a in sorted({arts[0], models[0] if models else arts[-1]})]
    starts += [L.context(c.id) for c in h.contexts
               if c.id is not None and c.type in ("Deployment", "ModelAlias", "Pipeline")]
    return starts
