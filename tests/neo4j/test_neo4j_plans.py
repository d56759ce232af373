"""Plans of the store's hot statements: lookups by key are index seeks, never scans.

(A dynamic label in MATCH, ``MATCH (n:$($label))``, plans as AllNodesScan in 5.26: that is
why kind labels are spliced from the closed ``Kind`` set instead.)
"""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from lineage_graph.models import EventType, Kind
from lineage_graph.queries import all_queries, query
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.neo4j_tx import cypher


def _operators(plan: dict[str, Any]) -> list[str]:
    ops = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        ops.extend(_operators(child))
    return ops


def _plan(driver: Driver, name: str, kind: Kind | None, event: EventType | None) -> list[str]:
    with driver.session() as s:
        params = {p: None for p in all_queries()[name].declared_params}
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
        ("event_get", None, None),
        ("context_put_attributions", None, None),
        ("context_put_associations", None, None),
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


def test_listing_pages_by_keyset_not_skip() -> None:
    text = query("node_list")
    assert "SKIP" not in text.upper().split("//")[0]
    assert "$after_id" in text and "LIMIT $limit" in text
