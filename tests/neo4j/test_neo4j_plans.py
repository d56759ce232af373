"""Plans of the store's hot statements: lookups by key are index seeks, never scans.

(A dynamic label in MATCH, ``MATCH (n:$($label))``, plans as AllNodesScan in 5.26: that is
why kind labels are spliced from the closed ``Kind`` set instead.)
"""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from lineage_graph.models import EventType, Kind, ListOptions
from lineage_graph.queries import all_queries, query
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.neo4j_tx import StatementRunner, cypher


def _operators(plan: dict[str, Any]) -> list[str]:
    ops = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        ops.extend(_operators(child))
    return ops


def _plan(driver: Driver, name: str, kind: Kind | None, event: EventType | None) -> list[str]:
    with driver.session() as s:
        params = dict.fromkeys(all_queries()[name].declared_params)
        summary = s.run("EXPLAIN " + cypher(name, kind, event), params).consume()
        assert summary.plan is not None
        return _operators(summary.plan)


@pytest.mark.parametrize(
    ("name", "kind", "event"),
    [
        ("node_get_by_ids", Kind.ARTIFACT, None),
        ("node_existing_ids", Kind.EXECUTION, None),
        ("node_find_by_names", Kind.CONTEXT, None),
        ("node_find_by_external_ids", Kind.ARTIFACT, None),
        ("node_update", Kind.ARTIFACT, None),
        ("node_delete", Kind.EXECUTION, None),
        ("event_put_input", None, EventType.INPUT),
        ("event_put_output", None, EventType.OUTPUT),
        ("event_create_input", None, EventType.INPUT),
        ("event_create_output", None, EventType.OUTPUT),
        ("event_get", None, None),
        ("context_put_attributions", None, None),
        ("context_put_associations", None, None),
        ("context_create_attributions", None, None),
        ("context_create_associations", None, None),
        ("context_put_parents", None, None),
    ],
)
def test_key_lookups_are_index_seeks(
    neo4j_store: Neo4jStore, raw_driver: Driver, name: str, kind: Kind | None,
    event: EventType | None,
) -> None:
    ops = _plan(raw_driver, name, kind, event)
    assert not {"AllNodesScan", "NodeByLabelScan"} & set(ops), (name, ops)
    assert any("IndexSeek" in op for op in ops), (name, ops)


@pytest.mark.parametrize(
    "name",
    [
        "node_list",
        "node_list_by_type",
        "node_list_by_uri",
        "node_list_by_external_ids",
        "node_list_by_context",
        "node_list_by_artifact",
        "node_list_by_execution",
    ],
)
def test_listing_pages_by_keyset_not_skip(name: str) -> None:
    text = query(name)
    assert "SKIP" not in text.upper().split("//")[0]
    assert "$after_id" in text and "LIMIT $limit" in text
    # Every anchored listing keeps node_list's filters, order and cursor exactly.
    generic = query("node_list")
    tail = "  AND ($name IS NULL"
    assert text[text.index(tail) :] == generic[generic.index(tail) :]


def _leaf(plan: dict[str, Any]) -> str:
    """The operator the plan starts from (the left-most leaf: rows flow up from it)."""
    while plan.get("children"):
        plan = plan["children"][0]
    return str(plan["operatorType"].split("@")[0])


@pytest.mark.parametrize(
    ("name", "kind", "seek"),
    [
        ("node_list_by_type", Kind.ARTIFACT, "IndexSeek"),
        ("node_list_by_type", Kind.EXECUTION, "IndexSeek"),
        ("node_list_by_type", Kind.CONTEXT, "IndexSeek"),
        ("node_list_by_uri", Kind.ARTIFACT, "IndexSeek"),
        ("node_list_by_external_ids", Kind.ARTIFACT, "NodeUniqueIndexSeek"),
        ("node_list_by_external_ids", Kind.EXECUTION, "NodeUniqueIndexSeek"),
        ("node_list_by_external_ids", Kind.CONTEXT, "NodeUniqueIndexSeek"),
        ("node_list_by_context", Kind.ARTIFACT, "NodeUniqueIndexSeek"),
        ("node_list_by_context", Kind.EXECUTION, "NodeUniqueIndexSeek"),
        ("node_list_by_artifact", Kind.CONTEXT, "NodeUniqueIndexSeek"),
        ("node_list_by_execution", Kind.CONTEXT, "NodeUniqueIndexSeek"),
    ],
)
def test_anchored_listings_start_from_an_index_seek(
    neo4j_store: Neo4jStore, raw_driver: Driver, name: str, kind: Kind, seek: str
) -> None:
    with raw_driver.session() as s:
        params = dict.fromkeys(all_queries()[name].declared_params)
        summary = s.run("EXPLAIN " + cypher(name, kind), params).consume()
    assert summary.plan is not None
    ops = _operators(summary.plan)
    assert not {"AllNodesScan", "NodeByLabelScan"} & set(ops), (name, kind, ops)
    assert seek in _leaf(summary.plan), (name, kind, _leaf(summary.plan), ops)


def test_generic_listing_is_the_one_that_scans(neo4j_store: Neo4jStore, raw_driver: Driver) -> None:
    # The control: without an anchor the planner has nothing to seek on (what the anchored
    # statements above avoid), so the assertion there is not vacuous.
    ops = _plan(raw_driver, "node_list", Kind.ARTIFACT, None)
    assert "NodeByLabelScan" in ops, ops


@pytest.mark.parametrize(
    ("options", "statement"),
    [
        ({}, "node_list"),
        ({"type": "Model"}, "node_list_by_type"),
        ({"types": ["Model", "Data"]}, "node_list_by_type"),
        ({"type": "Model", "uri": "s3://x"}, "node_list_by_uri"),
        ({"type": "Model", "external_ids": ["e"]}, "node_list_by_external_ids"),
        ({"type": "Model", "context_id": 1}, "node_list_by_context"),
    ],
)
def test_list_nodes_picks_the_anchored_statement(
    neo4j_store: Neo4jStore,
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, Any],
    statement: str,
) -> None:
    seen: list[str] = []
    run = StatementRunner.run

    def spy(
        self: StatementRunner, statement: str, /, *args: Any, **params: Any
    ) -> list[dict[str, Any]]:
        seen.append(statement)
        return run(self, statement, *args, **params)

    monkeypatch.setattr(StatementRunner, "run", spy)
    neo4j_store.list_nodes(Kind.ARTIFACT, ListOptions(**options))
    assert seen == [statement]
