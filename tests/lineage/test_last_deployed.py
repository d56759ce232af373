"""Property test: "last deployed" from every node of random histories, the fast way
(``Store.last_deployment``) equal to the full deployments answer, on both backends.

The oracle (test_oracle.py) checks the starts it asks about; this asks from every artifact,
execution and context, so pushes to a pipeline root, to no target (the exact fallback), to a
deployment, cached re-runs, ties on ``at``, undeploys and alias moves are all met.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from lineage_graph import lineage as L
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .histories import History, histories, load
from .last_deployed_of import check_last_deployed

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=30, deadline=None, suppress_health_check=_SUPPRESSED)
@given(h=histories())
def test_last_deployed_from_every_node(lineage_neo4j: Neo4jStore, h: History) -> None:
    memory = MemoryStore()
    load(memory, h)
    lineage_neo4j.clear()
    load(lineage_neo4j, h)
    starts = [
        *(L.artifact(a.id) for a in h.artifacts if a.id is not None),
        *(L.execution(e.id) for e in h.executions if e.id is not None),
        *(L.context(c.id) for c in h.contexts if c.id is not None),
    ]
    check_last_deployed(memory, lineage_neo4j, starts)
