"""Exports: JSON (schema-checked), networkx, GraphML, OpenLineage out and back in."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import networkx as nx

from lineage_graph import lineage
from lineage_graph.answers import NodeRef
from lineage_graph.interop import export as ex
from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.interop.names import ol_key
from lineage_graph.models import Kind
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore

from .graphs import graph, strip_added_facet_fields
from .mlmd_history import build


def _filled(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    build(path, executions=20, seed=5, runs_every=6)
    import_mlmd(store, open_mlmd(path))


def test_json_export_follows_its_schema_and_holds_everything(store: Store, tmp_path: Path) -> None:
    _filled(store, tmp_path)
    doc = ex.to_json(store)
    jsonschema.validate(doc, ex.EXPORT_JSON_SCHEMA)
    assert [a["id"] for a in doc["artifacts"]] == [a.id for a in store.get_artifacts()]
    for record in doc["artifacts"]:
        [stored] = store.get_artifacts_by_id([record["id"]])
        assert record == ex.store_record(stored)
    exe_ids = [e.id for e in store.get_executions()]
    assert len(doc["events"]) == len(store.get_events(execution_ids=exe_ids))  # type: ignore[arg-type]
    pairs = {(r["child_id"], r["parent_id"]) for r in doc["parent_contexts"]}
    assert pairs == {
        (c.id, p.id) for c in store.get_contexts() for p in store.get_parent_contexts(c.id)
    }  # type: ignore[arg-type]
    assert len(doc["associations"]) == 2 * len(exe_ids)  # a run and the pipeline each


def test_answer_export_keeps_only_the_answer(store: Store, tmp_path: Path) -> None:
    _filled(store, tmp_path)
    last = store.get_artifacts()[-1]
    start = NodeRef(kind=Kind.ARTIFACT, id=last.id)  # type: ignore[arg-type]
    answer = lineage.upstream(store, start)
    sel = ex.selection_of(answer, extra=[(Kind.ARTIFACT, last.id)])  # type: ignore[list-item]
    g = ex.to_networkx(store, sel)
    assert {k for k in g if k.startswith("artifact:")} == {
        f"artifact:{i}" for i in [*answer.ids(Kind.ARTIFACT), last.id]
    }
    events = [d for _, _, d in g.edges(data=True) if d["rel"] not in ("ATTRIBUTED_TO",)]
    expected = store.lineage_edges([*[n.ref for n in answer.nodes], start])
    assert len(events) == len(expected)
    # every node of the answer reaches the start along the exported edges
    for n in answer.nodes:
        assert nx.has_path(g, ex.node_key(n.kind, n.id), f"artifact:{last.id}")


def test_graphml_round_trips_through_networkx(store: Store, tmp_path: Path) -> None:
    _filled(store, tmp_path)
    out = tmp_path / "store.graphml"
    flat = ex.write_graphml(store, out)
    back = nx.read_graphml(out, force_multigraph=True)
    assert set(back.nodes) == set(flat.nodes)
    assert back.number_of_edges() == flat.number_of_edges()
    some = next(k for k, d in flat.nodes(data=True) if "p.st" in d)
    assert back.nodes[some] == flat.nodes[some]
    assert (
        json.loads(back.nodes[some]["p.st"])
        == store.get_artifacts_by_id([int(some.split(":")[1])])[0].properties["st"]
    )


def _ol_history(store: Store) -> None:
    ingest = ol.OpenLineageIngest(store)
    runs = [f"8d3c1f0e-0000-4000-8000-00000000000{i}" for i in range(4)]

    def ev(
        i: int, kind: str, minute: int, job: str, ins: list[str], outs: list[str]
    ) -> dict[str, Any]:
        return {
            "eventType": kind,
            "eventTime": f"2024-05-01T12:{minute:02d}:00+00:00",
            "producer": "https://example.com/p",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": runs[i], "facets": {"nominalTime": {"nominalStartTime": "x"}}},
            "job": {"namespace": "spark", "name": job, "facets": {"sql": {"query": "select"}}},
            "inputs": [{"namespace": "hive", "name": n} for n in ins],
            "outputs": [
                {
                    "namespace": "hive",
                    "name": n,
                    "facets": {"version": {"datasetVersion": "7"}},
                    "outputFacets": {"outputStatistics": {"rowCount": 3}},
                }
                for n in outs
            ],
        }

    for e in (
        ev(0, "START", 0, "ingest", ["raw"], []),
        ev(0, "COMPLETE", 1, "ingest", ["raw"], ["bronze"]),
        ev(1, "START", 2, "refine", ["bronze"], []),
        ev(1, "COMPLETE", 3, "refine", ["bronze"], ["silver"]),
        ev(2, "START", 4, "features", ["silver", "bronze"], []),
        ev(2, "FAIL", 5, "features", ["silver", "bronze"], ["gold"]),
        ev(3, "RUNNING", 6, "report", ["silver"], ["dash"]),
    ):
        ingest.ingest(e)


def _lineage_by_name(store: Store) -> dict[str, Any]:
    """Datasets' upstream/downstream and runs' states, keyed by names (ids may differ)."""
    out: dict[str, Any] = {}
    for a in store.get_artifacts():
        ref = NodeRef(kind=Kind.ARTIFACT, id=a.id)  # type: ignore[arg-type]
        for d in ("upstream", "downstream"):
            r = store.lineage_walk([ref], d)  # type: ignore[arg-type]
            out[f"{a.name} {d}"] = (
                sorted(n.name or "" for n in r.artifacts),
                sorted(n.name or "" for n in r.executions),
            )
    for e in store.get_executions():
        out[f"run {e.external_id}"] = (e.type, e.last_known_state)
    return out


def test_openlineage_export_round_trips_into_a_fresh_store(store: Store) -> None:
    _ol_history(store)
    buf = io.StringIO()
    n = ex.write_openlineage(store, buf)
    assert n == 7  # each event back at its own time (finding 6), no longer START + latest
    fresh = MemoryStore()
    report = ol.ingest_events(fresh, ol.iter_documents(io.StringIO(buf.getvalue())))
    assert report.rejected == [] and report.accepted == n
    assert _lineage_by_name(fresh) == _lineage_by_name(store)
    # Every property too; facets gain only the _producer/_schemaURL the schema requires.
    original = graph(store)
    assert strip_added_facet_fields(original, graph(fresh)) == original
    assert ex.job_facets_of(fresh, "spark", "refine") == {
        "sql": {
            "query": "select",
            "_producer": "https://example.com/p",
            "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet",
        }
    }


def test_mlmd_history_exports_to_openlineage_with_the_same_lineage(
    store: Store, tmp_path: Path
) -> None:
    _filled(store, tmp_path)
    events = list(ex.to_openlineage(store))
    fresh = MemoryStore()
    report = ol.ingest_events(fresh, enumerate(events))
    assert report.rejected == []

    # Map each original artifact to its dataset in the fresh store and compare downstream sets.
    def name_of(a: Any) -> str:  # namespace "lineage-graph", name "<type>/<name or id-N>"
        return ol_key("lineage-graph", f"{a.type}/{a.name if a.name is not None else f'id-{a.id}'}")

    linked = {
        e.artifact_id
        for e in store.get_events(execution_ids=[x.id for x in store.get_executions()])
    }  # type: ignore[misc]
    for a in store.get_artifacts_by_id(sorted(linked)[::5]):
        mine = store.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=a.id)], "downstream")  # type: ignore[arg-type]
        theirs_node = fresh.get_artifact_by_type_and_name(ol.DATASET_TYPE, name_of(a))
        assert theirs_node is not None
        theirs = fresh.lineage_walk([NodeRef(kind=Kind.ARTIFACT, id=theirs_node.id)], "downstream")  # type: ignore[arg-type]
        assert sorted(
            name_of(n) for n in store.get_artifacts_by_id(mine.ids(Kind.ARTIFACT))
        ) == sorted(n.name for n in theirs.artifacts)
        assert len(mine.executions) == len(theirs.executions)
