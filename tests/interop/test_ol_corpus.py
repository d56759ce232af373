"""Real OpenLineage events from real producers (``corpus/README.md``), by file and over HTTP.

Each file is accepted whole, and every dataset's upstream and downstream (datasets and runs)
and every column's (fields) equal the closure the events themselves imply, computed here
from the raw JSON (``graphs.implied_lineage``), never written down by hand.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import requests

from lineage_graph.answers import NodeRef
from lineage_graph.interop import columns as col
from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.names import field_key, ol_key
from lineage_graph.interop.ol_events import EventTime
from lineage_graph.interop.server import LineageServer
from lineage_graph.models import ExecutionState, Kind
from lineage_graph.store.base import Store

from .graphs import CORPUS, closure, corpus_files, graph, implied_lineage, load_events

FILES = corpus_files()


def _ident(node: Any) -> Any:
    """The implied graph's name for a node of a walk (runs are named by their runId, a
    JobEvent's declared execution ``ol:job:<job key>``)."""
    if node.kind is Kind.ARTIFACT:
        return ("dataset", node.name)
    if node.name.startswith("ol:job:"):
        return ("job", node.name.removeprefix("ol:job:"))
    return ("run", node.name)


def _implied_ident(node: Any) -> Any:
    if node[0] == "dataset":
        return ("dataset", ol_key(node[1], node[2]))
    if node[0] == "job":
        return ("job", ol_key(node[1], node[2]))
    return node


def assert_lineage_is_implied(store: Store, events: list[dict[str, Any]]) -> None:
    """Every dataset's and column's walks equal the raw events' closure."""
    implied = implied_lineage(events)
    edges = {(_implied_ident(a), _implied_ident(b)) for a, b in implied["edges"]}
    datasets = {n for e in edges for n in e if n[0] == "dataset"}
    assert datasets, "the file names no dataset"
    for ds in sorted(datasets):
        a = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, ds[1])
        assert a is not None and a.id is not None, ds
        for direction in ("upstream", "downstream"):
            walk = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=a.id)], direction)  # type: ignore[arg-type]
            got = {_ident(n) for n in walk.nodes}
            assert got == closure(edges, ds, up=direction == "upstream"), (ds, direction)
    columns = {
        (field_key(ol_key(a[0], a[1]), a[2]), field_key(ol_key(b[0], b[1]), b[2]))
        for a, b in implied["columns"]
    }
    for name in sorted({n for e in columns for n in e}):
        f = store.get_artifact_by_type_and_name(col.FIELD_TYPE, name)
        assert f is not None and f.id is not None, name
        start = col.ColumnNode(id=f.id, dataset="", namespace="", name="", field="")
        up = {field_key(c.dataset, c.field) for c in col.column_upstream(store, start)}
        down = {field_key(c.dataset, c.field) for c in col.column_downstream(store, start)}
        assert up == closure(columns, name, up=True), name
        assert down == closure(columns, name, up=False), name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_imports_whole_with_the_lineage_its_events_imply(
    store: Store, path: Path
) -> None:
    with path.open(encoding="utf-8") as fh:
        report = ol.ingest_events(store, ol.iter_documents(fh))
    events = load_events(path)
    assert report.rejected == [] and report.accepted == len(events)
    assert_lineage_is_implied(store, events)


def _post_all(server: LineageServer, events: list[dict[str, Any]]) -> None:
    for event in events:
        r = requests.post(f"{server.url}/api/v1/lineage", json=event, timeout=120)
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_over_http_lands_the_same(memory_store: Store, path: Path) -> None:
    """Posted one by one to ``LineageServer``: the lineage the events imply, and the very
    graph the file import makes."""
    srv = LineageServer(memory_store, "127.0.0.1", 0)
    srv.start_background()
    try:
        events = load_events(path)
        _post_all(srv, events)
    finally:
        srv.shutdown()
        srv.server_close()
    assert_lineage_is_implied(memory_store, events)
    assert graph(memory_store) == _memory_graph(path)


HTTP_NEO4J = ["airflow_gcp.jsonl", "spark_cll.jsonl", "marquez_api.jsonl"]


@pytest.mark.parametrize("name", HTTP_NEO4J)
def test_http_into_neo4j_lands_the_same(neo4j_store: Store, name: str) -> None:
    """The same over HTTP into Neo4j, for files with parents, column lineage and symlinks,
    and every kind of event (the other files' Neo4j lineage: the file test above)."""
    path = CORPUS / name
    srv = LineageServer(neo4j_store, "127.0.0.1", 0)
    srv.start_background()
    try:
        _post_all(srv, load_events(path))
    finally:
        srv.shutdown()
        srv.server_close()
    assert graph(neo4j_store) == _memory_graph(path)


def _memory_graph(path: Path) -> dict[str, Any]:
    from lineage_graph.store.memory import MemoryStore

    reference = MemoryStore()
    with path.open(encoding="utf-8") as fh:
        ol.ingest_events(reference, ol.iter_documents(fh))
    return graph(reference)


def test_a_replay_changes_nothing(store: Store) -> None:
    """Finding 6: replaying an unchanged file moves no ``seq`` and no ``update_time``."""
    path = next(p for p in FILES if p.name == "spark_dataproc.jsonl")

    def stamps() -> list[tuple[Any, ...]]:
        nodes = [*store.get_artifacts(), *store.get_executions(), *store.get_contexts()]
        return sorted((n.kind.value, n.id, n.seq, n.update_time) for n in nodes)

    with path.open(encoding="utf-8") as fh:
        docs = list(ol.iter_documents(fh))
    ol.ingest_events(store, docs)
    before = stamps()
    assert ol.ingest_events(store, docs).accepted == len(docs)
    assert stamps() == before


def test_arrival_order_does_not_matter(store: Store) -> None:
    """Finding 6: states and facets follow event time. Spark's RUNNING event carries an
    earlier outputStatistics than its COMPLETE; imported in reverse, COMPLETE's is kept."""
    path = next(p for p in FILES if p.name == "spark_dataproc_bigquery.jsonl")
    events = load_events(path)
    ol.ingest_events(store, enumerate(reversed(events)))
    [complete] = [
        e for e in events if e["eventType"] == "COMPLETE" and e["outputs"] and e["inputs"]
    ]
    [exe] = store.get_executions_by_external_ids([complete["run"]["runId"]])
    out = complete["outputs"][0]
    key = ol_key(out["namespace"], out["name"])
    assert exe.custom_properties[ol.P_OUTPUT_FACETS] == {key: out["outputFacets"]}
    assert exe.last_known_state is ExecutionState.COMPLETE
    start = next(e for e in events if e["run"]["runId"] == complete["run"]["runId"])
    assert exe.custom_properties[ol.P_START_TIME] == EventTime.parse(start["eventTime"]).ms
    assert exe.custom_properties[ol.P_END_TIME] == EventTime.parse(complete["eventTime"]).ms
    # Any order gives the graph of the natural order (edges keep the time first seen).
    reference = _memory_graph(path)
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    from lineage_graph.store.memory import MemoryStore

    other = MemoryStore()
    ol.ingest_events(other, enumerate(shuffled))
    for g in (graph(store), graph(other)):
        assert g["nodes"] == reference["nodes"]
        assert g["links"] == reference["links"]
        assert {e[:4] for e in g["events"]} == {e[:4] for e in reference["events"]}


def test_a_parent_naming_the_runs_own_job(store: Store) -> None:
    """Finding 1: Marquez's ``event_full`` has a parent run of the run's own job."""
    events = [
        e
        for e in load_events(next(p for p in FILES if p.name == "marquez_api.jsonl"))
        if e.get("run", {}).get("runId") == "ea041791-68bc-4ae1-bd89-4c8106a157e4"
    ]
    assert events and all(
        e["run"]["facets"]["parent"]["job"] == {k: e["job"][k] for k in ("namespace", "name")}
        for e in events
    )
    report = ol.ingest_events(store, enumerate(events))
    assert report.rejected == []
    job = store.get_context_by_type_and_name(
        ol.JOB_CONTEXT_TYPE, ol_key("my-scheduler-namespace", "myjob.mytask")
    )
    parent_run = store.get_context_by_type_and_name(
        ol.RUN_CONTEXT_TYPE, "3f5e83fa-3480-44ff-99c5-ff943904e5e8"
    )
    assert job is not None and parent_run is not None and job.id is not None
    assert store.get_parent_contexts(job.id) == []  # not its own parent
    assert [c.id for c in store.get_parent_contexts(parent_run.id)] == [job.id]  # type: ignore[arg-type]
