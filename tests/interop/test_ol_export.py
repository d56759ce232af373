"""``export openlineage``: valid against the official 2-0-2 JSON Schema, what a Marquez takes
as is, and a round trip (in, out, into a fresh store) that gives the same graph."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest

from lineage_graph.interop import export as ex
from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.names import ol_key
from lineage_graph.interop.ol_events import EventTime
from lineage_graph.interop.ol_export import export_run_id
from lineage_graph.models import ExecutionState
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.tracking import Dataset, Model, run, step

from .graphs import CORPUS, corpus_files, graph, load_events, strip_added_facet_fields

SCHEMA = json.loads((Path(__file__).parent / "OpenLineage-2-0-2.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
EXACT = [p for p in corpus_files() if p.name != "simple_run_event.json"]


def assert_valid(events: Iterable[dict[str, Any]]) -> int:
    """Each event passes the 2-0-2 schema, formats included (date-time, uuid, and uri,
    which jsonschema checks only with an extra package: checked here by hand)."""
    assert {"date-time", "uuid"} <= set(VALIDATOR.format_checker.checkers)  # type: ignore[union-attr]
    n = 0
    for event in events:
        errors = [e.message for e in VALIDATOR.iter_errors(event)]
        assert errors == [], (errors[:3], json.dumps(event)[:500])
        uris = [event["producer"], event["schemaURL"]]
        facet_groups = [
            event.get("run", {}).get("facets", {}),
            event.get("job", {}).get("facets", {}),
        ]
        for d in [*event.get("inputs", []), *event.get("outputs", [])] + (
            [event["dataset"]] if "dataset" in event else []
        ):
            facet_groups += [
                d.get("facets", {}),
                d.get("inputFacets", {}),
                d.get("outputFacets", {}),
            ]
        for group in facet_groups:
            for facet in group.values():
                uris += [facet["_producer"], facet["_schemaURL"]]
        assert all(urlparse(u).scheme for u in uris), uris
        n += 1
    return n


def _ingest(store: Store, path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        report = ol.ingest_events(store, ol.iter_documents(fh))
    assert report.rejected == []


def _round_trip(store: Store) -> tuple[MemoryStore, list[dict[str, Any]]]:
    buf = io.StringIO()
    ex.write_openlineage(store, buf)
    events = [json.loads(line) for line in buf.getvalue().splitlines()]
    fresh = MemoryStore()
    report = ol.ingest_events(fresh, ol.iter_documents(io.StringIO(buf.getvalue())))
    assert report.rejected == [] and report.accepted == len(events)
    return fresh, events


def test_the_whole_corpus_exports_as_valid_2_0_2_and_comes_back(memory_store: MemoryStore) -> None:
    """All files in one store, events arriving in time order: the export reproduces the
    graph. (An alias applies to the events that arrive after the one declaring it; the export
    is in time order, so only a history whose aliases arrived before their time would name
    some datasets differently on the way back.)"""
    events_in = sorted(
        (e for p in corpus_files() for e in load_events(p)),
        key=lambda e: EventTime.parse(e["eventTime"]).us,
    )
    assert ol.ingest_events(memory_store, enumerate(events_in)).rejected == []
    fresh, events = _round_trip(memory_store)
    assert assert_valid(events) == len(events) > 100
    kinds = {e["schemaURL"].rsplit("/", 1)[1] for e in events}
    assert kinds == {"RunEvent", "JobEvent", "DatasetEvent"}  # finding 3: all three kinds
    # Naive input times come back with an offset (finding 8); the others as they were given.
    given = {e["eventTime"] for p in corpus_files() for e in load_events(p)}
    for e in events:
        when = e["eventTime"]
        assert when in given or (when.endswith("Z") and when[:-1] in given), when
    original = json.loads(json.dumps(_by_name(graph(memory_store))))
    run_id = export_run_id("run_id")  # the one non-UUID runId comes back as Marquez's UUID
    copy = json.loads(json.dumps(_by_name(graph(fresh))).replace(run_id, "run_id"))
    for key, node in original["nodes"].items():
        if key.endswith(" run_id"):  # its producer "producer" is not a URI: ours instead
            for g, producer in ((node, "producer"), (copy["nodes"][key], ex.PRODUCER)):
                props = g["custom_properties"]
                assert props.pop("ol.producer") == producer
                assert [r.pop() for r in props["ol.meta"]["events"]] == [producer]
    assert strip_added_facet_fields(original, copy) == original


def _by_name(g: dict[str, Any]) -> dict[str, Any]:
    """The graph with JSON-friendly keys (for renaming through JSON)."""
    return {
        "nodes": {" ".join(k): v for k, v in g["nodes"].items()},
        "events": [[*[" ".join(x) for x in e[:2]], e[2], list(e[3]), e[4]] for e in g["events"]],
        "links": [[t, " ".join(a), " ".join(b)] for t, a, b in g["links"]],
    }


@pytest.mark.parametrize("path", EXACT, ids=[p.name for p in EXACT])
def test_round_trip_gives_the_same_graph(store: Store, path: Path) -> None:
    """OpenLineage in, export, into a fresh store: every node, property, edge (with its
    timestamp) and link again; facets changed only by the ``_producer``/``_schemaURL`` the
    schema requires when a producer left them out."""
    _ingest(store, path)
    fresh, events = _round_trip(store)
    assert_valid(events)
    original = graph(store)
    assert strip_added_facet_fields(original, graph(fresh)) == original


def test_a_non_uuid_run_id_comes_back_as_marquezs_uuid(store: Store) -> None:
    _ingest(store, CORPUS / "simple_run_event.json")
    fresh, events = _round_trip(store)
    assert_valid(events)
    assert [e["run"]["runId"] for e in events] == ["0acf093b-3c88-3560-8dc6-22a33921d360"]
    [exe] = fresh.get_executions()
    assert exe.external_id == export_run_id("run_id")
    edges = {
        (e.type.value, a.name)
        for e in fresh.get_events(execution_ids=[exe.id])  # type: ignore[list-item]
        for a in fresh.get_artifacts_by_id([e.artifact_id])
    }
    assert edges == {
        ("INPUT", "bigquery|test.table.input"),
        ("OUTPUT", "bigquery|test.table.output"),
    }


# ---- history from tracking: jobs qualified by pipeline, parent runs, errors, real times ----


@step
def clean(raw: Dataset, threshold: float = 0.5) -> Dataset:
    out = Path(raw).with_name(Path(raw).stem + ".clean")
    out.write_text(Path(raw).read_text().strip())
    return Dataset(out)


@step(outputs={"out": Model})
def fit(data: Dataset, out: str, lr: float = 0.1) -> dict[str, Any]:
    if lr < 0:
        raise ValueError(f"learning rate {lr} is negative")
    Path(out).write_text(f"{Path(data).read_text()}*{lr}")
    return {"model": Model(out)}


def test_tracked_pipelines_export_with_qualified_jobs_parents_and_errors(
    store: Store, tmp_path: Path
) -> None:
    """Finding 8: three pipelines with the same two steps are six jobs, not two; each run
    names its pipeline run as parent; a failure carries its errorMessage; START is the
    step's start time, not the store's write time."""
    for pipeline in ("churn", "fraud", "wine"):
        raw = tmp_path / f"{pipeline}.csv"
        raw.write_text(pipeline)
        with run(pipeline=pipeline, name=f"{pipeline}-1", store=store):
            fit(clean(Dataset(raw)), out=str(tmp_path / f"{pipeline}.model"))
    with (
        pytest.raises(ValueError, match="negative"),
        run(pipeline="wine", name="wine-2", store=store),
    ):
        fit(clean(Dataset(tmp_path / "wine.csv")), out=str(tmp_path / "w2.model"), lr=-1.0)
    events = list(ex.to_openlineage(store, namespace="acme"))
    assert_valid(events)
    jobs = {e["job"]["name"] for e in events}
    assert jobs == {f"{p}.{s}" for p in ("churn", "fraud", "wine") for s in ("clean", "fit")}
    assert {e["job"]["namespace"] for e in events} == {"acme"}
    executions = {x.id: x for x in store.get_executions()}
    parents: dict[str, set[str]] = {}
    for e in events:
        parent = e["run"]["facets"]["parent"]
        pipeline = e["job"]["name"].split(".")[0]
        assert parent["job"] == {"namespace": "acme", "name": pipeline}
        assert parent["_producer"] == ex.PRODUCER
        parents.setdefault(e["run"]["runId"], set()).add(parent["run"]["runId"])
        exe = executions[e["run"]["facets"]["lineageGraph"]["id"]]
        if e["eventType"] == "START":
            assert EventTime.parse(e["eventTime"]).ms == exe.custom_properties["start_time"]
    # Four pipeline runs: each step's run has one parent run, the steps of a run share it.
    assert all(len(p) == 1 for p in parents.values())
    assert len({p for ps in parents.values() for p in ps}) == 4
    [failed] = [x for x in executions.values() if x.last_known_state is ExecutionState.FAILED]
    [fail] = [e for e in events if e["eventType"] == "FAIL"]
    assert fail["run"]["facets"]["lineageGraph"]["id"] == failed.id
    error = fail["run"]["facets"]["errorMessage"]
    assert error["message"] == "learning rate -1.0 is negative"
    assert error["programmingLanguage"] == "python"
    assert "raise ValueError" in error["stackTrace"]
    # Into a fresh store: six jobs under one namespace, each pipeline's runs under it.
    fresh = MemoryStore()
    assert ol.ingest_events(fresh, enumerate(events)).rejected == []
    job_names = sorted(c.name for c in fresh.get_contexts_by_type(ol.JOB_CONTEXT_TYPE) if c.name)
    assert job_names == sorted(
        [ol_key("acme", p) for p in ("churn", "fraud", "wine")] + [ol_key("acme", j) for j in jobs]
    )
    [back] = [x for x in fresh.get_executions() if x.last_known_state is ExecutionState.FAILED]
    assert back.custom_properties["error"] == "learning rate -1.0 is negative"
