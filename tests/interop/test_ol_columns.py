"""Column-level lineage from real column-lineage events: Spark (the compatibility suite's CLL
scenario) and dbt (data-rentgen's dbt events). Exact answers for these histories."""

from __future__ import annotations

from pathlib import Path

from lineage_graph import lineage
from lineage_graph.answers import NodeRef
from lineage_graph.interop import columns as col
from lineage_graph.interop import openlineage as ol
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactType,
    EventType,
    Execution,
    ExecutionType,
    Kind,
)
from lineage_graph.store.base import Store

from .graphs import CORPUS

SRC1, SRC2, TBL1 = "/tmp/cll_test/cll_source1", "/tmp/cll_test/cll_source2", "/tmp/cll_test/tbl1"


def _load(store: Store, name: str) -> None:
    path: Path = CORPUS / name
    with path.open(encoding="utf-8") as fh:
        report = ol.ingest_events(store, ol.iter_documents(fh))
    assert report.rejected == []


def _column(store: Store, name: str, field: str, namespace: str = "file") -> col.ColumnNode:
    found = col.find_column(store, namespace, name, field)
    assert found is not None, (name, field)
    return found


def _names(columns: list[col.ColumnNode]) -> set[tuple[str, str]]:
    return {(c.name, c.field) for c in columns}


def test_spark_column_lineage_is_a_graph_of_fields(store: Store) -> None:
    """CREATE TABLE tbl1 AS SELECT t1.a AS ident, CONCAT(b, 'test') AS trans, SUM(c) AS agg
    FROM (SELECT a, c FROM cll_source2 WHERE a > 1) t2 JOIN cll_source1 t1 ON t1.a = t2.a
    GROUP BY t1.a, b -- as Spark 1.19.0 reported it."""
    _load(store, "spark_cll.jsonl")
    ident, agg = (_column(store, TBL1, f) for f in ("ident", "agg"))
    assert _names(col.column_upstream(store, ident)) == {(SRC1, "a"), (SRC1, "b"), (SRC2, "a")}
    assert _names(col.column_upstream(store, agg)) == {
        (SRC1, "a"),
        (SRC1, "b"),
        (SRC2, "a"),
        (SRC2, "c"),
    }
    assert _names(col.column_downstream(store, _column(store, SRC2, "c"))) == {(TBL1, "agg")}
    assert _names(col.column_downstream(store, _column(store, SRC1, "b"))) == {
        (TBL1, "ident"),
        (TBL1, "trans"),
        (TBL1, "agg"),
    }
    # Derivations are typed edges: the event path is the transformation.
    [tx] = [
        x
        for x in store.get_executions_by_type(col.TRANSFORM_TYPE)
        if x.custom_properties[col.P_FIELD] == "agg"
    ]
    assert tx.id is not None
    edges = {
        (store.get_artifacts_by_id([e.artifact_id])[0].custom_properties[col.P_FIELD], e.path)
        for e in store.get_events(execution_ids=[tx.id])
        if e.type is EventType.INPUT
        and store.get_artifacts_by_id([e.artifact_id])[0].custom_properties["ol.name"] == SRC2
    }
    assert edges == {
        ("c", ("DIRECT", "AGGREGATION")),
        ("a", ("INDIRECT", "JOIN")),
        ("a", ("INDIRECT", "FILTER")),
    }
    assert tx.custom_properties[col.P_COLUMN_LINEAGE]["inputFields"][0]["field"] == "a"  # type: ignore[index]
    # Fields belong to no context; their dataset is a property; the facet stays too.
    assert store.get_contexts_by_artifact(ident.id) == []
    table = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, ident.dataset)
    assert table is not None and "ol.facet.columnLineage" in table.custom_properties
    # The symlinked name of the table reaches the same columns.
    assert col.find_column(store, "file:/tmp/cll_test", "default.tbl1", "agg") == agg


def test_a_bad_column_reaches_columns_and_the_model_trained_downstream(store: Store) -> None:
    """Taint from cll_source2.c: the one derived column (tbl1.agg), the tables holding them,
    and the model a training run (recorded through the MLMD-style API) built from tbl1."""
    _load(store, "spark_cll.jsonl")
    table = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, f"file|{TBL1}")
    assert table is not None
    store.put_types([ExecutionType(name="Trainer"), ArtifactType(name="Model")])
    trained = store.put_execution(
        Execution(type="Trainer", name="train-agg"),
        [
            ArtifactAndEvent(artifact=table, event_type=EventType.INPUT),
            ArtifactAndEvent(
                artifact=Artifact(type="Model", name="agg-model"), event_type=EventType.OUTPUT
            ),
        ],
        link_existing=True,
    )
    bad = _column(store, SRC2, "c")
    report = col.column_taint(store, bad, model_types=["Model"])
    assert _names(report.columns) == {(TBL1, "agg")}
    assert {d.name for d in report.datasets} == {f"file|{SRC2}", f"file|{TBL1}"}
    assert [m.name for m in report.models] == ["agg-model"]
    assert report.models[0].id == trained.artifact_ids[1]
    # Recorded as an incident, the existing taint reaches the same columns.
    incident = lineage.mark_bad(store, NodeRef(kind=Kind.ARTIFACT, id=bad.id), "bad sensor")
    reached = lineage.incident(store, incident.id).reached or []
    fields = {
        (n.node.name or "").rsplit("#", 1)[-1] for n in reached if n.node.type == col.FIELD_TYPE
    }
    assert fields == {"agg"}


def test_dbt_column_lineage(store: Store) -> None:
    """dbt 1.9.4: target_table.{id, day} from source_table.id, complex_id from complex_id."""
    _load(store, "rentgen_dbt.jsonl")
    ns = "spark://localhost:10000"
    source_id = _column(store, "demo_schema.source_table", "id", ns)
    assert _names(col.column_downstream(store, source_id)) == {
        ("demo_schema.target_table", "id"),
        ("demo_schema.target_table", "day"),
    }
    complex_id = _column(store, "demo_schema.target_table", "complex_id", ns)
    assert _names(col.column_upstream(store, complex_id)) == {
        ("demo_schema.source_table", "complex_id")
    }
    report = col.column_taint(store, source_id, model_types=[ol.DATASET_TYPE])
    assert {m.name for m in report.models} == {
        f"{ns}|demo_schema.source_table",
        f"{ns}|demo_schema.target_table",
    }
