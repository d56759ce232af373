"""``POST /api/v1/lineage/batch`` is one transaction, and an OpenLineage import stores roles.

A batch whose events are all well-formed can still fail when written (an event claims a name
the store gives to another node). Before, the events ahead of it stayed written; now nothing
of the batch is. A batch also means exactly what its events posted one by one mean: each is
planned as if the ones before it were written (a run's START then its COMPLETE, an alias
declared by one event and used by the next, a parent job that a later event is the job of).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.server import LineageServer
from lineage_graph.models import Execution, ExecutionType
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

from .serve_client import event, post
from .test_kill_client import _canonical

BATCH = "/api/v1/lineage/batch"
RUN_A = "00000000-0000-4000-8000-00000000000a"
RUN_B = "00000000-0000-4000-8000-00000000000b"
RUN_C = "00000000-0000-4000-8000-00000000000c"


@pytest.fixture
def served(store: Store) -> Iterator[tuple[Store, int]]:
    srv = LineageServer(store, "127.0.0.1", 0)
    srv.start_background()
    try:
        yield store, int(srv.server_address[1])
    finally:
        srv.shutdown()
        srv.server_close()


def _only_canary(store: Store, canary: int) -> bool:
    return (
        [e.id for e in store.get_executions()] == [canary]
        and store.get_artifacts() == []
        and (store.get_contexts() == [])
    )


def test_a_batch_failing_at_write_time_half_way_writes_nothing(
    served: tuple[Store, int],
) -> None:
    store, port = served
    # The canary: an execution of the type a job "train" gets, named like the third event's
    # run, under another external id. Every event is well-formed; only writing the third
    # one finds its name taken.
    store.put_types([ExecutionType(name=ol.job_type_name("train"))])
    canary = store.put_executions([Execution(type=ol.job_type_name("train"), name=RUN_C)])[0]
    batch = [
        event(RUN_A, job={"namespace": "ns", "name": "prep"}),
        event(RUN_B, job={"namespace": "ns", "name": "prep"}, eventType="COMPLETE"),
        event(RUN_C, job={"namespace": "ns", "name": "train"}),
        event(str(uuid.uuid4()), job={"namespace": "ns", "name": "eval"}),
    ]
    answer = post(port, batch, path=BATCH)
    assert answer.status == 400, answer.body
    doc = answer.json()
    assert doc["index"] == 2 and doc["written"] == 0
    assert "no event of the batch was written" in doc["error"]
    assert _only_canary(store, canary)  # events 0 and 1 were not kept

    # Without the clashing event, the same batch lands whole.
    again = post(port, [batch[0], batch[1], batch[3]], path=BATCH)
    assert again.status == 201, again.body
    assert len(again.json()["results"]) == 3
    assert sorted(e.name for e in store.get_executions()) == sorted(
        [RUN_A, RUN_B, RUN_C, batch[3]["run"]["runId"]]
    )


def _story() -> list[dict[str, Any]]:
    """Events that depend on the ones before them (see the module docstring)."""
    alias = {"symlinks": {"identifiers": [{"namespace": "hive", "name": "raw.t", "type": "T"}]}}
    columns = {
        "columnLineage": {
            "fields": {"y": {"inputFields": [{"namespace": "db", "name": "in", "field": "x"}]}}
        }
    }
    parent = {"parent": {"run": {"runId": RUN_C}, "job": {"namespace": "ns", "name": "dag"}}}
    return [
        event(RUN_A, outputs=[{"namespace": "db", "name": "in", "facets": alias}]),
        event(
            RUN_A,
            eventType="COMPLETE",
            eventTime="2024-05-01T12:05:00Z",
            outputs=[{"namespace": "db", "name": "out", "facets": columns}],
        ),
        event(
            RUN_B,
            job={"namespace": "ns", "name": "child"},
            run={"runId": RUN_B, "facets": parent},
            inputs=[{"namespace": "hive", "name": "raw.t"}],  # the alias of db/in
        ),
        event(RUN_C, job={"namespace": "ns", "name": "dag"}, eventType="COMPLETE"),
        event(
            RUN_A,
            eventType="FAIL",
            eventTime="2024-05-01T12:04:00Z",  # older than the COMPLETE: the COMPLETE stays
            outputs=[{"namespace": "db", "name": "out", "facets": columns}],
        ),
    ]


def test_a_batch_means_what_its_events_posted_one_by_one_mean(memory_store: MemoryStore) -> None:
    # Planning is backend-independent (the batch view reads through the Store API); the
    # transaction itself is proven on both backends by the test above.
    srv = LineageServer(memory_store, "127.0.0.1", 0)
    srv.start_background()
    try:
        _one_by_one(memory_store, int(srv.server_address[1]))
    finally:
        srv.shutdown()
        srv.server_close()


def _one_by_one(store: Store, port: int) -> None:
    story = _story()
    answer = post(port, story, path=BATCH)
    assert answer.status == 201, answer.body
    one_by_one = MemoryStore()
    ingest = ol.OpenLineageIngest(one_by_one)
    for e in story:
        ingest.ingest(e)
    assert _canonical(store) == _canonical(one_by_one)
    # The exact answer: three runs, the alias resolved, run A's COMPLETE kept.
    runs = {x.name: x for x in store.get_executions_by_type(ol.job_type_name("job"))}
    assert runs[RUN_A].last_known_state.value == "COMPLETE"
    names = sorted(a.name for a in store.get_artifacts_by_type(ol.DATASET_TYPE))
    assert names == ["db|in", "db|out"]
    # A replay of the whole batch changes nothing.
    before = _canonical(store)
    assert post(port, story, path=BATCH).status == 201
    assert _canonical(store) == before


# ---- roles ------------------------------------------------------------------------------------


def _training_file(path: Path) -> None:
    job_type = {"jobType": {"processingType": "BATCH", "integration": "X", "jobType": "TRAINING"}}
    lines = [
        event(RUN_A, job={"namespace": "ml", "name": "fit", "facets": job_type}),
        event(RUN_B, job={"namespace": "ml", "name": "prep"}),  # no facet: no role
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines))


def test_openlineage_import_stores_its_roles(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    _training_file(path)
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}  # fmt: skip
    done = CliRunner().invoke(app, ["import", "openlineage", str(path)], env=env)
    assert done.exit_code == 0, done.output
    shown = CliRunner().invoke(app, ["roles", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    # ol.Dataset is a dataset by default: nothing to store for it.
    assert doc["stored"] == {"ol.fit": "training"}
    assert doc["roles"]["ol.Dataset"] == "dataset" and "ol.prep" not in doc["roles"]
    assert ol.job_type_name("fit") in doc["by_role"]["training"]


def test_a_person_s_role_is_kept_and_a_batch_stores_roles_once(memory_store: MemoryStore) -> None:
    from lineage_graph import roles

    srv = LineageServer(memory_store, "127.0.0.1", 0)
    srv.start_background()
    try:
        _roles_once(roles, memory_store, int(srv.server_address[1]))
    finally:
        srv.shutdown()
        srv.server_close()


def _roles_once(roles: Any, store: Store, port: int) -> None:
    roles.set_role(store, "ol.Dataset", "none")  # a person's choice, over the default
    job_type = {"jobType": {"jobType": "train"}}
    batch = [event(RUN_A, job={"namespace": "ml", "name": "fit", "facets": job_type})]
    assert post(port, batch, path=BATCH).status == 201
    assert roles.current(store).stored == {"ol.Dataset": "none", "ol.fit": "training"}
    seq = max(c.seq or 0 for c in store.get_contexts())
    # The same types again: the mapping is not written again.
    assert post(port, [event(RUN_B, job=batch[0]["job"])], path=BATCH).status == 201
    roles_ctx = [c for c in store.get_contexts() if c.type != ol.JOB_CONTEXT_TYPE]
    assert all((c.seq or 0) <= seq for c in roles_ctx)
