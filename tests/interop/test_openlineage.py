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
    a = store.get_artifact_by_type_and_name(ol.DATASET_TYPE, f"s3://lake/{name}")
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
    assert {n.name for n in up.artifacts} == {"s3://lake/raw/events", "s3://lake/clean/events"}
    assert {n.type for n in up.executions} == {"ol.daily.prep", "ol.daily.train"}
    down = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=raw)], "downstream")
    assert {n.name for n in down.artifacts} == {"s3://lake/clean/events", "s3://lake/models/churn"}
    assert len(down.executions) == 3

    [p, t, s] = (store.get_executions_by_external_ids([r])[0] for r in (prep, train, score))
    assert (p.last_known_state, t.last_known_state, s.last_known_state) == (
        ExecutionState.COMPLETE,
        ExecutionState.COMPLETE,
        ExecutionState.FAILED,
    )
    assert s.custom_properties["ol.facet.errorMessage"]["message"] == "OOM"  # type: ignore[index]
    # Parent run facet: the run sits in the DAG run's context, whose parent is the DAG's job.
    run_ctx = store.get_context_by_type_and_name(ol.RUN_CONTEXT_TYPE, dag_run)
    assert run_ctx is not None and run_ctx.id is not None
    assert {e.id for e in store.get_executions_by_context(run_ctx.id)} == {p.id, t.id}
    assert [c.name for c in store.get_parent_contexts(run_ctx.id)] == ["airflow/daily"]
    job_ctx = store.get_context_by_type_and_name(ol.JOB_CONTEXT_TYPE, "airflow/daily.prep")
    assert job_ctx is not None and job_ctx.id is not None
    assert [c.name for c in store.get_parent_contexts(job_ctx.id)] == ["airflow/daily"]
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
        (_raw_event(run={"runId": "not-a-uuid"}), "run.runId"),
        (_raw_event(run={}), "run.runId"),
        (_raw_event(eventType="FINISHED"), "eventType"),
        (_raw_event(eventTime="yesterday"), "eventTime"),
        (_raw_event(job={"namespace": "ns"}), "job.name"),
        (_raw_event(inputs={"namespace": "db"}), "inputs"),
        (_raw_event(outputs=[{"namespace": "db", "name": ""}]), "outputs[0].name"),
        (_raw_event(producer=None), "producer"),
        (
            _raw_event(
                run={
                    "runId": "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11",
                    "facets": {"parent": {"run": {}, "job": {}}},
                }
            ),
            "run.facets.parent.run.runId",
        ),
        ([1, 2], "event"),
    ],
)
def test_malformed_events_get_400_with_reason(
    store: Store, server: LineageServer, event: Any, field: str
) -> None:
    r = requests.post(f"{server.url}/api/v1/lineage", json=event, timeout=10)
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == field and field in body["error"]
    assert store.get_executions() == [] and store.get_artifacts() == []


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
    ingest.ingest(_raw_event(eventType="ABORT", eventTime="2024-05-01T12:07:00Z"))
    assert store.get_executions()[0].last_known_state is ExecutionState.CANCELED


def test_json_lines_with_a_bad_line_reports_it(store: Store) -> None:
    good = json.dumps(_raw_event())
    bad = json.dumps(_raw_event(run={"runId": "x"}))
    docs = list(ol.iter_documents(io.StringIO(f"{good}\n\n{bad}\n")))
    report = ol.ingest_events(store, docs)
    assert report.accepted == 1
    assert report.rejected == [
        {"line": 3, "field": "run.runId", "reason": "run.runId: 'x' is not a UUID"}
    ]
    with pytest.raises(InvalidInputError, match="event 3"):
        ol.ingest_events(store, docs, stop_on_error=True)


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
    assert a.name == "db/t" and a.custom_properties["ol.facet.owner"] == {"name": "ana"}
    j = ingest.ingest(
        {
            **base,
            "job": {"namespace": "ns", "name": "etl"},
            "inputs": [{"namespace": "db", "name": "t"}],
        }
    )
    assert j.kind == "job" and j.artifact_ids == r.artifact_ids  # the same dataset
    assert store.get_executions() == []
    with pytest.raises(InvalidInputError, match="must not have a job"):
        ingest.ingest(
            {
                **base,
                "dataset": {"namespace": "db", "name": "t"},
                "job": {"namespace": "ns", "name": "x"},
            }
        )
