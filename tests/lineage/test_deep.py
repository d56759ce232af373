"""Depth and path counts that break path enumeration: a 10,000-hop chain and 2^40 paths.

Both answer on Neo4j (and agree with the networkx oracle); enumerating paths would never
finish the lattice.
"""

from __future__ import annotations

import pytest

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.models import Artifact, Event, EventType, Execution, ExecutionState, Kind
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .histories import TYPES

T0 = 1_000


def _load(store: Store, artifacts: list[Artifact], executions: list[Execution],
          events: list[Event]) -> None:
    store.put_types(TYPES)
    store.import_nodes(Kind.ARTIFACT, artifacts)
    store.import_nodes(Kind.EXECUTION, executions)
    store.put_events(events)


def _a(i: int, type_: str = "Examples") -> Artifact:
    return Artifact(id=i, type=type_, name=f"a{i}", create_time=T0 + i, update_time=T0 + i)


def _e(i: int) -> Execution:
    return Execution(id=i, type="Transform", name=f"e{i}", last_known_state=ExecutionState.COMPLETE,
                     create_time=T0 + i, update_time=T0 + i)


def chain(store: Store, steps: int) -> None:
    """a1 -> e1 -> a2 -> e2 -> ... -> a(steps+1): 2 * steps hops."""
    arts = [_a(1, "Dataset")] + [_a(i) for i in range(2, steps + 2)]
    execs = [_e(i) for i in range(1, steps + 1)]
    events = []
    for i in range(1, steps + 1):
        events.append(Event(artifact_id=i, execution_id=i, type=EventType.INPUT, timestamp=T0 + i))
        events.append(Event(artifact_id=i + 1, execution_id=i, type=EventType.OUTPUT,
                            timestamp=T0 + i))
    _load(store, arts, execs, events)


def diamonds(store: Store, n: int) -> None:
    """a1 => a(n+1) through n diamonds: each a_i feeds two executions that both write a_(i+1),
    so there are 2^n distinct paths from a1 to a(n+1)."""
    arts = [_a(1, "Dataset")] + [_a(i) for i in range(2, n + 1)] + [_a(n + 1, "Model")]
    execs = [_e(i) for i in range(1, 2 * n + 1)]
    events = []
    for i in range(1, n + 1):
        for e in (2 * i - 1, 2 * i):
            events.append(Event(artifact_id=i, execution_id=e, type=EventType.INPUT,
                                timestamp=T0 + i))
            events.append(Event(artifact_id=i + 1, execution_id=e, type=EventType.OUTPUT,
                                timestamp=T0 + i))
    _load(store, arts, execs, events)


@pytest.fixture(scope="module")
def chain_store(lineage_neo4j: Neo4jStore) -> Neo4jStore:
    lineage_neo4j.clear()
    chain(lineage_neo4j, 5_000)
    return lineage_neo4j


def test_chain_of_depth_10000(chain_store: Neo4jStore) -> None:
    end = L.artifact(5_001)
    up = L.upstream(chain_store, end)
    assert not up.partial
    assert len(up.artifacts) == 5_000 and len(up.executions) == 5_000
    roots = L.upstream(chain_store, end, roots_only=True)
    assert [n.id for n in roots.nodes] == [1]
    down = L.downstream(chain_store, L.artifact(1), kinds=["artifact"])
    assert len(down.artifacts) == 5_000
    near = L.upstream(chain_store, end, max_depth=10)
    assert len(near.nodes) == 10
    path = L.explain(chain_store, L.artifact(1), end)
    assert path is not None and path.length == 10_000
    capped = L.upstream(chain_store, end, limit=100)
    assert capped.partial and len(capped.nodes) == 100
    inc = L.mark_bad(chain_store, L.artifact(1), "bad source")
    assert inc.reached_count == 10_000
    full = L.incident(chain_store, inc.id)
    assert len(full.path_to(L.artifact(5_001))) == 10_001


def test_chain_time_budget_gives_partial_not_error(chain_store: Neo4jStore) -> None:
    # A budget this small may or may not expire on a given machine; either way the answer is
    # a LineageResult, never an exception, and a partial one says why.
    got = L.upstream(chain_store, L.artifact(5_001), timeout=0.001)
    if got.partial:
        assert got.reason and "time" in got.reason
        assert len(got.nodes) < 10_000
    else:
        assert len(got.nodes) == 10_000


def test_diamond_lattice_with_2_to_the_40_paths(lineage_neo4j: Neo4jStore) -> None:
    lineage_neo4j.clear()
    diamonds(lineage_neo4j, 40)
    memory = MemoryStore()
    diamonds(memory, 40)
    top, bottom = L.artifact(41), L.artifact(1)
    for store in (lineage_neo4j, memory):
        # current=True: each a_(i+1) has two producers, stamped one after the other; as of
        # its creation only the first had written it.
        up = L.upstream(store, top, current=True)
        assert len(up.artifacts) == 40 and len(up.executions) == 80
        down = L.downstream(store, bottom)
        assert len(down.artifacts) == 40 and len(down.executions) == 80
        assert [n.name for n in Q.training_datasets(store, 41, types=["Dataset"])] == ["a1"]
        assert [r.model.id for r in Q.models_trained_on(store, 1, "accuracy").models] == [41]
        path = L.explain(store, bottom, top)
        assert path is not None and path.length == 80
        assert len(Q.cleanup_list(store, bottom).artifacts) == 40
    assert L.upstream(lineage_neo4j, top, current=True) == L.upstream(memory, top, current=True)
    assert L.upstream(lineage_neo4j, top) == L.upstream(memory, top)
    assert L.taint_preview(lineage_neo4j, bottom) == L.taint_preview(memory, bottom)
    inc = L.mark_bad(lineage_neo4j, bottom, "corrupt", barrier_types=[])
    assert inc.reached_count == 120
    expected = L.mark_bad(memory, bottom, "corrupt")
    assert L.incident(lineage_neo4j, inc.id).reached == L.incident(memory, expected.id).reached
