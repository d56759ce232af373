"""Property test: on random ML histories, every answer from Neo4j equals the networkx oracle's.

Histories hold cached re-runs (REUSED links, outputs held without OUTPUT events), deploy /
rollback / undeploy / alias events, and incidents (open, or resolved again) under which every
question is asked, so the incidents each node carries are compared too. 40 histories run in
the normal suite; the full 200 are behind the ``heavy`` marker (about 4 minutes on these
machines: ``pytest -m heavy tests/lineage/test_oracle.py``).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from lineage_graph import lineage as L
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .answers_of import answers, check_incident_paths
from .histories import History, histories, load
from .last_deployed_of import check_last_deployed, oracle_starts

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _same_answers(neo4j: Neo4jStore, h: History) -> None:
    memory = MemoryStore()
    load(memory, h)
    neo4j.clear()
    load(neo4j, h)
    expected = answers(memory, h)
    got = answers(neo4j, h)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    # "last deployed" the fast way equals the full answer, after the rollback and alias moves.
    check_last_deployed(memory, neo4j, oracle_starts(h))
    for store in (memory, neo4j):
        for incident in L.incidents(store):
            check_incident_paths(store, incident.id)


@settings(max_examples=40, deadline=None, suppress_health_check=_SUPPRESSED)
@given(h=histories())
def test_neo4j_answers_equal_the_oracle(lineage_neo4j: Neo4jStore, h: History) -> None:
    _same_answers(lineage_neo4j, h)


@pytest.mark.heavy
@settings(max_examples=200, deadline=None, suppress_health_check=_SUPPRESSED)
@given(h=histories())
def test_neo4j_answers_equal_the_oracle_on_200_histories(
    lineage_neo4j: Neo4jStore, h: History
) -> None:
    _same_answers(lineage_neo4j, h)
