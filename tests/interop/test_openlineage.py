"""OpenLineage ingest: the real openlineage-python client over HTTP, files, validation."""

from __future__ import annotations

import gzip
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import error_message_run, parent_run, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport

from lineage_graph.answers import NodeRef
from lineage_graph.errors import InvalidInputError
from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.server import LineageServer
from lineage_graph.models import ExecutionState, Kind
from lineage_graph.questions import why_failed
from lineage_graph.store.base import Store

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def server(store: Store) -> Iterator[LineageServer]:
    srv = LineageServer(store, "127.0.0.1", 0)
    srv.start_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def _client(url: str) -> OpenLineageClient:
    return OpenLineageClient(
        transport=HttpTransport(HttpConfig(url=url, timeout=60.0, retry={"total": 0}))
    )


def _event(
    state: RunState,
    minutes: int,
    run_id: str,
    job: str,
    inputs: list[str],
    outputs: list[str],
    **run_facets: Any,
) -> RunEvent:
    return RunEvent(
        eventType=state,
        eventTime=(T0 + timedelta(minutes=minutes)).isoformat(),
        run=Run(runId=run_id, facets=run_facets),
        job=Job(namespace="airflow", name=job),
        inputs=[InputDataset(namespace="s3://lake", name=n) for n in inputs],
        outputs=[
            OutputDataset(
                namespace="s3://lake",
                name=n,
                facets={
                    "schema": schema_dataset.SchemaDatasetFacet(
                        fields=[schema_dataset.SchemaDatasetFacetFields(name="x", type="int")]
                    )
                },
            )
            for n in outputs
        ],
        producer="https://example.com/pipelines",
    )


def _artifact(store: Store, name: str) -> int:
    a = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, f"s3://lake|{name}")
    assert a is not None and a.id is not None
    return a.id


def test_client_events_over_http_land_and_answer_lineage(
    store: Store, server: LineageServer
) -> None:
    client = _client(server.url)
    dag_run = str(uuid.uuid4())
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=dag_run), job=parent_run.Job(namespace="airflow", name="daily")
    )
    prep, train, score = (str(uuid.uuid4()) for _ in range(3))
    client.emit(_event(RunState.START, 0, prep, "daily.prep", ["raw/events"], [], parent=parent))
    client.emit(
        _event(
            RunState.COMPLETE,
            5,
            prep,
            "daily.prep",
            ["raw/events"],
            ["clean/events"],
            parent=parent,
        )
    )
    client.emit(_event(RunState.START, 6, train, "daily.train", ["clean/events"], []))
    client.emit(
        _event(
            RunState.COMPLETE,
            9,
            train,
            "daily.train",
            ["clean/events"],
            ["models/churn"],
            parent=parent,
        )
    )
    fail = error_message_run.ErrorMessageRunFacet(message="OOM", programmingLanguage="python")
    client.emit(
        _event(RunState.FAIL, 12, score, "daily.score", ["models/churn"], [], errorMessage=fail)
    )

    model = _artifact(store, "models/churn")
    raw = _artifact(store, "raw/events")
    up = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=model)], "upstream")
    assert {n.name for n in up.artifacts} == {"s3://lake|raw/events", "s3://lake|clean/events"}
    assert {n.type for n in up.executions} == {"ol.daily.prep", "ol.daily.train"}
    down = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=raw)], "downstream")
    assert {n.name for n in down.artifacts} == {"s3://lake|clean/events", "s3://lake|models/churn"}
    assert len(down.executions) == 3

    [p, t, s] = (store.get_executions_by_external_ids([r])[0] for r in (prep, train, score))
    assert (p.last_known_state, t.last_known_state, s.last_known_state) == (
        ExecutionState.COMPLETE,
        ExecutionState.COMPLETE,
        ExecutionState.FAILED,
    )
    assert s.custom_properties["ol.facet.errorMessage"]["message"] == "OOM"  # type: ignore[index]
    # The errorMessage facet is the run's error, as tracking records one (finding 4).
    [failed] = why_failed(store, NodeRef(kind=Kind.EXECUTION, id=s.id))  # type: ignore[arg-type]
    assert failed.failed.error == "OOM"
    assert failed.failed.custom_properties["error_language"] == "python"
    # Parent run facet: the run sits in the DAG run's context, whose parent is the DAG's job.
    run_ctx = store.get_context_by_type_and_name(ol.RUN_CONTEXT_TYPE, dag_run)
    assert run_ctx is not None and run_ctx.id is not None
    assert {e.id for e in store.get_executions_by_context(run_ctx.id)} == {p.id, t.id}
    assert [c.name for c in store.get_parent_contexts(run_ctx.id)] == ["airflow|daily"]
    job_ctx = store.get_context_by_type_and_name(ol.JOB_CONTEXT_TYPE, "airflow|daily.prep")
    assert job_ctx is not None and job_ctx.id is not None
    assert [c.name for c in store.get_parent_contexts(job_ctx.id)] == ["airflow|daily"]
    clean = store.get_artifacts_by_id([_artifact(store, "clean/events")])[0]
    assert clean.custom_properties["ol.facet.schema"]["fields"][0]["name"] == "x"  # type: ignore[index]


def _raw_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventType": "START",
        "eventTime": "2024-05-01T12:00:00Z",
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11"},
        "job": {"namespace": "ns", "name": "job"},
        "inputs": [{"namespace": "db", "name": "in"}],
        "outputs": [{"namespace": "db", "name": "out"}],
    }
    event.update(changes)
    return event


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_raw_event(run={}), "run.runId"),
        (_raw_event(run={"runId": ""}), "run.runId"),
        (_raw_event(eventTime="yesterday"), "eventTime"),
        (_raw_event(eventTime=None), "eventTime"),
        (_raw_event(job={"namespace": "ns"}), "job.name"),
        (_raw_event(job=None), "job"),
        (_raw_event(inputs={"namespace": "db"}), "inputs"),
        (_raw_event(outputs=[{"namespace": "db", "name": ""}]), "outputs[0].name"),
        (_raw_event(run={"runId": "r", "facets": []}), "run.facets"),
        ([1, 2], "event"),
    ],
)
def test_malformed_events_get_400_with_reason(
    store: Store, server: LineageServer, event: Any, field: str
) -> None:
    """Refused: only what no consumer could use (no run id, no job, no time, no name)."""
    r = requests.post(f"{server.url}/api/v1/lineage", json=event, timeout=10)
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == field and field in body["error"]
    assert store.get_executions() == [] and store.get_artifacts() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"schemaURL": None},  # Marquez's seed data and test events have none
        {"producer": None},
        {"eventType": "FINISHED"},  # an unknown type: stored, changes no state
        {"eventType": "complete"},  # Marquez matches the type case-insensitively
        {"eventTime": "2024-05-01T12:00:00"},  # no offset: UTC
        {"run": {"runId": "not-a-uuid"}},  # Marquez: "Allow non-UUID runId"
        {
            "run": {
                "runId": "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11",
                "facets": {
                    "parent": {"run": {}, "job": {}},  # malformed: kept, no links
                    "placeholder": {"uri": "string", "n": 1, "x": None},
                    "scalar": "just text",
                },
            }
        },
    ],
)
def test_what_marquez_accepts_is_stored_exactly(store: Store, changes: dict[str, Any]) -> None:
    """Finding 2: facets are the producer's business; Marquez's leniency is ours."""
    event = _raw_event()
    for k, v in changes.items():
        if v is None:
            event.pop(k)
        else:
            event[k] = v
    ol.OpenLineageIngest(store).ingest(event)
    [exe] = store.get_executions()
    run_id = changes.get("run", {}).get("runId", "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11")
    assert exe.external_id == run_id
    facets = changes.get("run", {}).get("facets", {})
    for name, value in facets.items():
        assert exe.custom_properties[f"ol.facet.{name}"] == value
    expected = {"FINISHED": ExecutionState.UNKNOWN, "complete": ExecutionState.COMPLETE}
    assert exe.last_known_state == expected.get(
        changes.get("eventType", "START"), ExecutionState.RUNNING
    )
    [[etype, when, producer]] = exe.custom_properties["ol.meta"]["events"]  # type: ignore[index]
    assert (etype, when, producer) == (
        event.get("eventType"),
        event["eventTime"],
        event.get("producer"),
    )


def test_not_json_and_wrong_path(server: LineageServer) -> None:
    r = requests.post(
        f"{server.url}/api/v1/lineage",
        data=b"{nope",
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    assert requests.post(f"{server.url}/api/v2/x", json={}, timeout=10).status_code == 404
    assert requests.get(f"{server.url}/api/v1/health", timeout=10).json() == {"status": "ok"}


def test_gzip_batch_and_replays_are_idempotent(store: Store, server: LineageServer) -> None:
    events = [_raw_event(), _raw_event(eventType="COMPLETE", eventTime="2024-05-01T12:05:00Z")]
    body = gzip.compress(json.dumps(events).encode())
    for _ in range(2):
        r = requests.post(
            f"{server.url}/api/v1/lineage/batch",
            data=body,
            timeout=10,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
        assert r.status_code == 201, r.text
    snapshot = _content(store)
    seqs = [n.seq for n in store.get_executions() + store.get_artifacts() + store.get_contexts()]
    for e in events:  # replay each alone: nothing is written at all
        assert requests.post(f"{server.url}/api/v1/lineage", json=e, timeout=10).status_code == 201
    assert _content(store) == snapshot
    assert seqs == [
        n.seq for n in store.get_executions() + store.get_artifacts() + store.get_contexts()
    ]
    [exe] = store.get_executions()
    assert exe.last_known_state is ExecutionState.COMPLETE
    assert len(store.get_events(execution_ids=[exe.id])) == 2  # type: ignore[list-item]


def _content(store: Store) -> Any:
    def strip(nodes: list[Any]) -> list[Any]:
        return [n.model_dump(exclude={"seq", "update_time"}) for n in nodes]

    return (
        strip(store.get_executions()),
        strip(store.get_artifacts()),
        strip(store.get_contexts()),
        store.get_events(execution_ids=[1, 2, 3]),
    )


def test_late_start_does_not_reopen_a_finished_run(store: Store) -> None:
    ingest = ol.OpenLineageIngest(store)
    ingest.ingest(_raw_event(eventType="COMPLETE", eventTime="2024-05-01T12:05:00Z"))
    ingest.ingest(_raw_event(eventType="START", eventTime="2024-05-01T12:00:00Z"))
    ingest.ingest(_raw_event(eventType="OTHER", eventTime="2024-05-01T12:06:00Z"))
    [exe] = store.get_executions()
    assert exe.last_known_state is ExecutionState.COMPLETE
    # Start and end times are both kept (finding 6).
    assert exe.custom_properties["start_time"] == 1714564800000
    assert exe.custom_properties["end_time"] == 1714565100000
    ingest.ingest(_raw_event(eventType="ABORT", eventTime="2024-05-01T12:07:00Z"))
    assert store.get_executions()[0].last_known_state is ExecutionState.CANCELED
    # An older terminal event arriving late does not win over the newer one.
    ingest.ingest(_raw_event(eventType="FAIL", eventTime="2024-05-01T12:01:00Z"))
    assert store.get_executions()[0].last_known_state is ExecutionState.CANCELED


def test_a_bad_line_in_a_file_is_reported_and_the_others_land(store: Store) -> None:
    good = json.dumps(_raw_event())
    runless = json.dumps(_raw_event(run={}))
    later = json.dumps(_raw_event(eventType="COMPLETE", eventTime="2024-05-01T12:09:00Z"))
    text = f"{good}\n\n{runless}\n{{not json\n{later}\n"
    docs = list(ol.iter_documents(io.StringIO(text)))
    report = ol.ingest_events(store, docs)
    assert report.accepted == 2
    assert [(r["line"], r["field"]) for r in report.rejected] == [(3, "run.runId"), (4, "body")]
    assert "line 4: not valid JSON" in report.rejected[1]["reason"]
    assert store.get_executions()[0].last_known_state is ExecutionState.COMPLETE
    with pytest.raises(InvalidInputError, match="event 3"):
        ol.ingest_events(store, docs, stop_on_error=True)


def test_array_documents_report_each_events_line(store: Store) -> None:
    text = json.dumps([_raw_event(), _raw_event(job={"namespace": "x"})], indent=2)
    docs = list(ol.iter_documents(io.StringIO(text)))
    assert [line for line, _ in docs] == [2, text.splitlines().index("  {", 2) + 1]
    report = ol.ingest_events(store, docs)
    assert report.accepted == 1 and report.rejected[0]["line"] == docs[1][0]


def test_api_key_is_enforced(store: Store) -> None:
    srv = LineageServer(store, "127.0.0.1", 0, api_key="s3cret")
    srv.start_background()
    try:
        url = f"{srv.url}/api/v1/lineage"
        assert requests.post(url, json=_raw_event(), timeout=10).status_code == 401
        r = requests.post(
            url, json=_raw_event(), timeout=10, headers={"Authorization": "Bearer s3cret"}
        )
        assert r.status_code == 201
    finally:
        srv.shutdown()
        srv.server_close()


def test_dataset_and_job_events(store: Store) -> None:
    """Finding 3: a JobEvent's inputs and outputs keep their roles (declared events)."""
    ingest = ol.OpenLineageIngest(store)
    base = {
        "eventTime": "2024-05-01T12:00:00Z",
        "producer": "https://example.com/p",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
    }
    r = ingest.ingest(
        {**base, "dataset": {"namespace": "db", "name": "t", "facets": {"owner": {"name": "ana"}}}}
    )
    assert r.kind == "dataset" and r.execution_id is None
    [a] = store.get_artifacts_by_id(list(r.artifact_ids))
    assert a.name == "db|t" and a.custom_properties["ol.facet.owner"] == {"name": "ana"}
    j = ingest.ingest(
        {
            **base,
            "job": {"namespace": "ns", "name": "etl"},
            "inputs": [{"namespace": "db", "name": "t"}],
            "outputs": [{"namespace": "db", "name": "u"}],
        }
    )
    assert j.kind == "job" and j.artifact_ids[0] == r.artifact_ids[0]  # the same dataset
    [declared] = store.get_executions()
    assert declared.external_id == "ol:job:ns|etl" and declared.id == j.execution_id
    events = {e.type.value for e in store.get_events(execution_ids=[declared.id])}  # type: ignore[list-item]
    assert events == {"DECLARED_INPUT", "DECLARED_OUTPUT"}
    down = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=a.id)], "downstream")  # type: ignore[arg-type]
    assert [n.name for n in down.artifacts] == ["db|u"]
    assert [n.id for n in down.executions] == [declared.id]
    with pytest.raises(InvalidInputError, match=r"job\.name"):
        ingest.ingest({**base, "job": {"namespace": "ns"}})


def test_unambiguous_identities(store: Store) -> None:
    """Finding 7: (warehouse, sales/daily) and (warehouse/sales, daily) are two datasets."""
    ingest = ol.OpenLineageIngest(store)
    ingest.ingest(
        _raw_event(
            inputs=[{"namespace": "warehouse", "name": "sales/daily"}],
            outputs=[{"namespace": "warehouse/sales", "name": "daily"}],
        )
    )
    names = sorted(a.name for a in store.get_artifacts())  # type: ignore[type-var]
    assert names == ["warehouse/sales|daily", "warehouse|sales/daily"]


def test_symlinks_join_a_datasets_aliases(store: Store) -> None:
    """Finding 7: a later event naming a symlink reaches the same artifact; an alias that
    already is a dataset stays that dataset (Marquez's first-claim rule)."""
    ingest = ol.OpenLineageIngest(store)
    ingest.ingest(_raw_event(inputs=[{"namespace": "hive", "name": "db.other"}], outputs=[]))
    symlinks = {
        "symlinks": {
            "identifiers": [
                {"namespace": "hive", "name": "db.table", "type": "TABLE"},
                {"namespace": "hive", "name": "db.other", "type": "TABLE"},
            ]
        }
    }
    ingest.ingest(
        _raw_event(
            run={"runId": str(uuid.uuid4())},
            inputs=[],
            outputs=[{"namespace": "hdfs", "name": "/w/table", "facets": symlinks}],
        )
    )
    reader = _raw_event(
        run={"runId": str(uuid.uuid4())},
        job={"namespace": "ns", "name": "reader"},
        inputs=[
            {"namespace": "hive", "name": "db.table"},
            {"namespace": "hive", "name": "db.other"},
        ],
        outputs=[],
    )
    ingest.ingest(reader)
    table = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, "hdfs|/w/table")
    other = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, "hive|db.other")
    assert table is not None and other is not None
    assert store.get_artifact_by_type_and_name(ol.DATASET_TYPE, "hive|db.table") is None
    assert ol.resolve_dataset_key(store, "hive", "db.table") == "hdfs|/w/table"
    [run] = store.get_executions_by_external_ids([reader["run"]["runId"]])
    read = {e.artifact_id for e in store.get_events(execution_ids=[run.id])}  # type: ignore[list-item]
    assert read == {table.id, other.id}
