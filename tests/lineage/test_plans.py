"""The planner must walk lineage breadth-first with pruning, never by enumerating paths.

Reads EXPLAIN for every lineage, taint and question statement: deep walks must be
``VarLengthExpand(Pruning,BFS,...)`` (or ShortestPath for the witness path), and no plan may
contain ``Repeat(Trail)`` or a plain ``VarLengthExpand(All)`` (path enumeration).
"""

from __future__ import annotations

from typing import Any, LiteralString, cast

import pytest

from lineage_graph.answers import Direction
from lineage_graph.queries import all_queries, query
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.neo4j_lineage import WALK_VARIANTS, walk_text

from .histories import load
from .story import census

LINEAGE_QUERIES = sorted(
    n for n in all_queries() if n.startswith(("lineage_", "taint_", "question_"))
)
# The walk statements: lineage_{upstream,downstream}{"", "_now", "_stream"} (walk_text's files).
DIRECTIONS: tuple[Direction, ...] = ("upstream", "downstream")
WALKS: dict[str, tuple[Direction, str]] = {
    f"lineage_{d}{v}": (d, v) for d in DIRECTIONS for v in WALK_VARIANTS
}
# Statements that walk an unbounded number of hops (taint_mark_bad records what
# taint_preview walked, so it walks nothing itself).
DEEP = {*WALKS, "question_failed_upstream", "question_deployments", "question_last_deployed",
        "question_model_candidates",
        "question_training_datasets", "taint_preview"}
ENUMERATING = ("Repeat", "VarLengthExpand(All)", "VarLengthExpand(Into)")


def operators(store: Neo4jStore, text: LiteralString) -> list[str]:
    with store._driver.session(database=store._database) as session:
        plan: Any = session.run(cast(LiteralString, "EXPLAIN " + text)).consume().plan
    found: list[str] = []

    def visit(p: dict[str, Any]) -> None:
        found.append(str(p["operatorType"]).split("@")[0])
        for child in p.get("children") or []:
            visit(child)

    visit(plan)
    return found


@pytest.fixture(scope="module")
def planned(lineage_neo4j: Neo4jStore) -> Neo4jStore:
    """A store with data, so the planner has statistics (index seeks become tempting)."""
    lineage_neo4j.clear()
    load(lineage_neo4j, census().h)
    return lineage_neo4j


def test_every_lineage_statement_is_checked() -> None:
    assert set(LINEAGE_QUERIES) >= DEEP
    # Every walk file is one walk_text can pick, and the reverse.
    walk_files = {n for n in LINEAGE_QUERIES if n.startswith(("lineage_up", "lineage_down"))}
    assert walk_files == set(WALKS)


@pytest.mark.parametrize("name", LINEAGE_QUERIES)
def test_no_path_enumeration(planned: Neo4jStore, name: str) -> None:
    texts = (
        [walk_text(WALKS[name][0], depth, WALKS[name][1]) for depth in (None, 7)]
        if name in WALKS
        else [query(name)]
    )
    for text in texts:
        ops = operators(planned, text)
        bad = [op for op in ops if op.startswith(ENUMERATING)]
        assert not bad, f"{name} enumerates paths: {ops}"
        if name in DEEP:
            assert any(op.startswith("VarLengthExpand(Pruning,BFS") for op in ops), (name, ops)
        if name == "lineage_path":
            assert "ShortestPath" in ops or any("StatefulShortestPath" in op for op in ops), ops
