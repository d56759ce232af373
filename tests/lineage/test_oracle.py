"""Property test: on random ML histories, every answer from Neo4j equals the networkx oracle's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .answers_of import answers, check_incident_paths
from .histories import History, histories, load


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(h=histories())
def test_neo4j_answers_equal_the_oracle(lineage_neo4j: Neo4jStore, h: History) -> None:
    memory = MemoryStore()
    load(memory, h)
    lineage_neo4j.clear()
    load(lineage_neo4j, h)
    expected = answers(memory, h)
    got = answers(lineage_neo4j, h)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    check_incident_paths(memory, 1)
    check_incident_paths(lineage_neo4j, 1)
