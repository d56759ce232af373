"""The graph as Cypher and the Browser see it: labels, namespaced native properties, edges."""

from __future__ import annotations

import json

from neo4j import Driver

from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Context,
    EventType,
    Execution,
    ListOptions,
    ParentContext,
    PropertyFilter,
)
from lineage_graph.store.neo4j import Neo4jStore


def _one(driver: Driver, query: str, **params: object) -> dict[str, object]:
    with driver.session() as s:
        record = s.run(query, params).single()
        assert record is not None
        return record.data()


def test_nodes_labels_and_property_namespaces(typed_neo4j: Neo4jStore, raw_driver: Driver) -> None:
    [aid] = typed_neo4j.put_artifacts([Artifact(
        type="mlmd.Model", name="m", uri="/m", properties={"accuracy": 0.5},
        custom_properties={"id": 99, "type": "spoof", "cfg": {"layers": [1, 2]}, "n": 1},
    )])
    row = _one(raw_driver, "MATCH (n:Artifact {id: $id}) RETURN labels(n) AS labels, "
               "properties(n) AS p", id=aid)
    assert sorted(row["labels"]) == ["Artifact", "mlmd_Model"]  # dotted name -> label
    p = row["p"]
    assert p["id"] == aid and p["type"] == "mlmd.Model"  # user keys could not overwrite these
    assert p["p.accuracy"] == 0.5 and p["c.id"] == 99 and p["c.type"] == "spoof"
    assert json.loads(p["cj.cfg"]) == {"layers": [1, 2]}
    assert isinstance(p["create_time"], int) and isinstance(p["seq"], int)
    [back] = typed_neo4j.get_artifacts_by_id([aid])
    assert back.custom_properties == {"id": 99, "type": "spoof", "cfg": {"layers": [1, 2]},
                                      "n": 1}
    assert type(back.custom_properties["n"]) is int
    assert type(back.properties["accuracy"]) is float


def test_events_and_links_point_the_way_data_flows(
    typed_neo4j: Neo4jStore, raw_driver: Driver
) -> None:
    [pipeline, run] = typed_neo4j.put_contexts(
        [Context(type="Pipeline", name="p"), Context(type="Pipeline", name="r")])
    typed_neo4j.put_parent_contexts([ParentContext(child_id=run, parent_id=pipeline)])
    r = typed_neo4j.put_execution(
        Execution(type="Trainer", name="fit"),
        [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="d"),
                          event_type=EventType.INPUT, path=("examples", 0)),
         ArtifactAndEvent(artifact=Artifact(type="mlmd.Model", name="m"),
                          event_type=EventType.OUTPUT)],
        [Context(type="Pipeline", name="r")],
    )
    [d, m] = r.artifact_ids
    row = _one(
        raw_driver,
        "MATCH (d:Artifact {id: $d})-[i:INPUT]->(e:Execution {id: $e})-[o:OUTPUT]->"
        "(m:Artifact {id: $m}) "
        "MATCH (d)-[:ATTRIBUTED_TO]->(c:Context)<-[:ASSOCIATED_WITH]-(e) "
        "MATCH (c)-[:CHILD_OF]->(p:Context) "
        "RETURN i.path AS path, i.ts AS ts, c.id AS c, p.id AS p",
        d=d, e=r.execution_id, m=m,
    )
    assert json.loads(str(row["path"])) == ["examples", 0]
    assert isinstance(row["ts"], int)
    assert (row["c"], row["p"]) == (run, pipeline)
    assert r.context_ids == [run]  # reused by (type, name)


def test_listing_pages_with_keyset_cursor(typed_neo4j: Neo4jStore) -> None:
    ids = typed_neo4j.put_artifacts(
        [Artifact(type="Dataset", name=None if i % 3 == 0 else f"n{i % 7}-{i}",
                  properties={"rows": i}) for i in range(60)])
    for order_by in ("id", "name", "create_time", "seq"):
        for descending in (False, True):
            seen: list[int] = []
            options = ListOptions(order_by=order_by, descending=descending, limit=7,
                                  properties=(PropertyFilter(name="rows", op=">=", value=5),))
            while True:
                page = typed_neo4j.list_nodes(typed_neo4j_kind(), options)
                seen.extend(a.id for a in page.items)
                if page.next_cursor is None:
                    break
                options = options.model_copy(update={"cursor": page.next_cursor})
            assert sorted(seen) == sorted(ids[5:]), (order_by, descending)
            assert len(seen) == len(set(seen))
            full = typed_neo4j.list_nodes(
                typed_neo4j_kind(),
                ListOptions(order_by=order_by, descending=descending,
                            properties=(PropertyFilter(name="rows", op=">=", value=5),)))
            assert [a.id for a in full.items] == seen


def typed_neo4j_kind():
    from lineage_graph.models import Kind

    return Kind.ARTIFACT
