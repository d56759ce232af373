"""Property test: "last deployed" from every node of random histories, the fast way
(``Store.last_deployment``) equal to the full deployments answer, on both backends.

The oracle (test_oracle.py) checks the starts it asks about; this asks from every artifact,
execution and context of histories with extra pushes that the fast path treats apart: to a
pipeline root (no deployment context), to no target at all (the exact fallback to the full
answer), at a time that ties with another event, and cached re-runs of a push (REUSED, no
output of their own) in another run.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_graph import lineage as L
from lineage_graph.models import Attribution, ExecutionState, Reuse
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .histories import History, histories, load
from .last_deployed_of import check_last_deployed

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@st.composite
def with_pushes(draw: st.DrawFn) -> History:
    h = draw(histories())
    models = [a.id for a in h.artifacts if a.type == "Model" and a.id is not None]
    runs = [c.id for c in h.contexts if c.type == "PipelineRun" and c.id is not None]
    deployments = [c.id for c in h.contexts if c.type == "Deployment" and c.id is not None]
    times = sorted({e.create_time or 0 for e in h.executions} | {h.clock})
    pushes: list[int] = []
    for k in range(draw(st.integers(0 if models else 1, 3))):
        inputs = [draw(st.sampled_from(models))] if models else []
        where = draw(st.sampled_from(["run", "run", "none", "deployment"]))
        contexts = (
            [draw(st.sampled_from(runs))] if where == "run" and runs
            else [draw(st.sampled_from(deployments))] if where == "deployment" and deployments
            else []
        )
        e, _ = h.run("Pusher", f"extra-push-{k}", inputs=inputs,
                     outputs=[("PushedModel", f"extra-pushed-{k}", {})], contexts=contexts,
                     t=draw(st.sampled_from(times)))  # often a tie with another event
        pushes.append(e)
    if pushes and runs and draw(st.booleans()):
        # A cached re-run of a push: no output of its own, it holds the original's.
        original = draw(st.sampled_from(pushes))
        run = draw(st.sampled_from(runs))
        e, _ = h.run("Pusher", "extra-push-cached", contexts=[run],
                     state=ExecutionState.CACHED, t=draw(st.sampled_from(times)))
        h.reuses.append(Reuse(execution_id=e, original_id=original))
        held = [ev.artifact_id for ev in h.events
                if ev.execution_id == original and not ev.type.is_input]
        h.attributions += [Attribution(artifact_id=a, context_id=run) for a in held]
    return h


@settings(max_examples=30, deadline=None, suppress_health_check=_SUPPRESSED)
@given(h=with_pushes())
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
