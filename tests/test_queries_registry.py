"""The named-query registry keeps its promises: every file used, every parameter declared,
every statement valid Cypher, every schema statement idempotent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from lineage_graph.queries import all_queries, query, schema
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

PACKAGE = Path(__file__).resolve().parent.parent / "lineage_graph"
QUERIES = sorted(all_queries())
# Placeholders a loader splices from closed sets (labels, relationship types), with a sample.
PLACEHOLDERS = {"__KIND__": "Artifact", "__TYPE__": "ArtifactType", "__EVENT__": "INPUT"}


@cache
def _python_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


def test_there_are_queries_and_schema_statements() -> None:
    assert len(QUERIES) >= 20
    assert len(schema()) >= 20
    with pytest.raises(KeyError):
        query("no_such_query")


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_file_is_used_in_the_package(name: str) -> None:
    pattern = re.compile(r"""["']""" + re.escape(name) + r"""["']""")
    assert pattern.search(_python_sources()), f"cypher/queries/{name}.cypher is never loaded"


@pytest.mark.parametrize("name", QUERIES + [f"schema:{q.name}" for q in schema()])
def test_header_declares_exactly_the_parameters_used(name: str) -> None:
    if name.startswith("schema:"):
        q = next(s for s in schema() if s.name == name.removeprefix("schema:"))
    else:
        q = all_queries()[name]
    header = [line for line in q.text.splitlines() if line.startswith("//")]
    assert header and not header[0].lower().startswith(("// params", "// returns")), (
        f"{name}: the first header line says what the statement does"
    )
    assert any(h.lower().startswith("// params:") for h in header), f"{name}: no // params:"
    assert any(h.lower().startswith("// returns:") for h in header), f"{name}: no // returns:"
    assert q.used_params == q.declared_params, (
        f"{name}: used {sorted(q.used_params)} but declared {sorted(q.declared_params)}"
    )


def _fill(text: str) -> str:
    for token, sample in PLACEHOLDERS.items():
        text = text.replace(token, sample)
    return text


@pytest.fixture(scope="module")
def driver(neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    with GraphDatabase.driver(
        neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)
    ) as d:
        yield d


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_is_valid_cypher(
    name: str, driver: Driver, neo4j_target: Neo4jTarget
) -> None:
    q = all_queries()[name]
    with driver.session(database=neo4j_target.database) as session:
        # EXPLAIN compiles and plans the statement without running it.
        session.run("EXPLAIN " + _fill(q.text), dict.fromkeys(q.declared_params)).consume()


def test_every_schema_statement_runs_twice(neo4j_store: Neo4jStore) -> None:
    first = neo4j_store.apply_schema()  # the session already applied it once
    second = neo4j_store.apply_schema()
    names = [q.name for q in schema()]
    assert [s.name for s in first] == [s.name for s in second] == names
    assert not any(s.created for s in first + second)
