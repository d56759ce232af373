"""The bulk first load (``neo4j-admin database import`` from CSV) writes the graph the write
path writes, continues ids and seq after it, refuses a store it must not replace, and backs
``import mlmd --bulk``.

A scratch local server of its own (temporary ``LINEAGE_GRAPH_HOME``, the user's jar cache)
serves this module: a bulk load replaces the whole database, so never the session's server.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lineage_graph import lineage
from lineage_graph.cli import app
from lineage_graph.errors import AlreadyExistsError, InvalidInputError
from lineage_graph.interop import export as ex
from lineage_graph.interop.bulk import Item, bulk_load
from lineage_graph.models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ParentContext,
    PropertyType,
    Reuse,
)
from lineage_graph.server import LocalServer, Paths, ServerState
from lineage_graph.server.maven import ensure_jars
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.target import Neo4jTarget

# tests/ as pytest puts it on sys.path for its packages (tests/server itself is not one).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from interop import mlmd_history
from torture.test_local_server import ISOLATING_ENV, free_port, home_paths

T0 = 1_700_000_000_000


@pytest.fixture(scope="module")
def scratch(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalServer, ServerState, Path]]:
    cache = Paths.from_env().cache
    ensure_jars(cache)
    root = tmp_path_factory.mktemp("bulk-home")
    server = LocalServer(home_paths(root, cache))
    with pytest.MonkeyPatch.context() as env:
        for name in ISOLATING_ENV:
            env.delenv(name, raising=False)
        state, _ = server.start(bolt_port=free_port(), http_port=free_port())
    try:
        yield server, state, root
    finally:
        server.stop()


@pytest.fixture
def server(scratch: tuple[LocalServer, ServerState, Path]) -> LocalServer:
    return scratch[0]


@pytest.fixture
def target(server: LocalServer) -> Neo4jTarget:
    """The scratch server's target, its database emptied (schema kept)."""
    state = server.status()
    assert state is not None
    target = server.target(state)
    with Neo4jStore.from_target(target) as store:
        store.init_schema()
        store.clear()
    return target


def history() -> list[Item]:
    """Every feature: types with properties of each value type (and one evolved), STRUCTs,
    every value type as declared and custom property, FAILED and other states, all seven
    event types with index and key paths, a repeated event and link, attributions,
    associations, nested parent contexts, a reuse, names, external ids and odd strings."""
    every: dict[str, Any] = {"i": -(2**40), "d": 1e-300, "s": 'quo"te, comma\nline;semi', "b": True,
             "st": {"k": [1, "two", None, {"x": 0.5}]}, "e": "", "inf": float("inf")}  # fmt: skip
    items: list[Item] = [
        ArtifactType(name="Dataset", base_type="DATASET", properties={
            "rows": PropertyType.INT, "split": PropertyType.STRING}),
        ArtifactType(name="mlmd.Model", version="v1", description="a model",
                     properties={"acc": PropertyType.DOUBLE, "cfg": PropertyType.STRUCT,
                                 "ok": PropertyType.BOOLEAN}),
        ExecutionType(name="Trainer", properties={"lr": PropertyType.DOUBLE}),
        ExecutionType(name="Transform"),
        ContextType(name="Pipeline"),
        ContextType(name="PipelineRun", properties={"n": PropertyType.INT}),
        # Given again with one more property: put_types evolves it.
        ExecutionType(name="Trainer", properties={
            "lr": PropertyType.DOUBLE, "steps": PropertyType.INT}),
        Context(id=1, type="Pipeline", name="wine", custom_properties=every,
                create_time=T0, update_time=T0 + 5),
        Context(id=2, type="PipelineRun", name="run-1", properties={"n": 1}, create_time=T0),
        Context(id=5, type="PipelineRun", name="run-2", external_id="ext-run-2",
                properties={"n": 2}, create_time=T0 + 1),
    ]
    for i in range(1, 7):
        items.append(Artifact(
            id=i, type="Dataset" if i % 2 else "mlmd.Model", name=f"a{i}", uri=f"s3://b/{i}",
            state=list(ArtifactState)[i], create_time=T0 + i, update_time=T0 + 10 * i,
            properties={"rows": i, "split": "train"} if i % 2 else
            {"acc": 0.5 + i / 100, "cfg": {"depth": i, "tags": ["a", "b"]}, "ok": i > 3},
            custom_properties={"c": i} if i < 3 else {"c": str(i), "flag": False},
            external_id=f"art-{i}" if i == 4 else None,
        ))  # fmt: skip
    items.append(Artifact(id=9, type="Dataset", create_time=T0, custom_properties=every))
    items += [
        Execution(id=1, type="Trainer", name="train-1", properties={"lr": 0.1, "steps": 10},
                  last_known_state=ExecutionState.COMPLETE, create_time=T0 + 20),
        Execution(id=2, type="Trainer", name="train-2", last_known_state=ExecutionState.FAILED,
                  custom_properties={"error": "OOM"}, create_time=T0 + 30),
        Execution(id=3, type="Transform", last_known_state=ExecutionState.CACHED,
                  create_time=T0 + 40, update_time=T0 + 41),
    ]  # fmt: skip
    kinds = list(EventType)
    for n, (a, x) in enumerate([(1, 1), (3, 1), (2, 1), (4, 2), (5, 3), (6, 3), (9, 2)]):
        et = kinds[n]
        items.append(Event(artifact_id=a, execution_id=x, type=et,
                           path=("examples", n) if n % 2 else (n,), timestamp=T0 + 100 + n))
    items += [
        Event(artifact_id=1, execution_id=1, type=EventType.INPUT, path=(0,),
              timestamp=T0 + 999),  # a repeat: the first one stays
        Event(artifact_id=1, execution_id=1, type=EventType.INPUT, path=(),
              timestamp=T0 + 200),
        Attribution(artifact_id=1, context_id=2), Attribution(artifact_id=2, context_id=2),
        Attribution(artifact_id=2, context_id=2), Attribution(artifact_id=4, context_id=5),
        Association(execution_id=1, context_id=2), Association(execution_id=2, context_id=5),
        Association(execution_id=3, context_id=5),
        ParentContext(child_id=2, parent_id=1), ParentContext(child_id=5, parent_id=1),
        ParentContext(child_id=5, parent_id=2),
        Reuse(execution_id=3, original_id=1),
    ]  # fmt: skip
    # The normal path's import_nodes needs both times (a bulk load would default them).
    return [i.model_copy(update={"update_time": i.create_time + 7})
            if isinstance(i, Artifact | Execution | Context) and i.update_time is None
            and i.create_time is not None else i for i in items]  # fmt: skip


def node_order(items: list[Item]) -> list[Kind]:
    seen: list[Kind] = []
    for i in items:
        if isinstance(i, Artifact | Execution | Context) and i.kind not in seen:
            seen.append(i.kind)
    return seen


def raw_graph(store: Neo4jStore) -> dict[str, Any]:
    """Every node (labels, properties) and edge (type, ends, properties) but SchemaVersion's
    creation time, in a canonical order."""
    nodes = store.run_read(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
    )
    for row in nodes:
        row["labels"] = sorted(row["labels"])
        if "SchemaVersion" in row["labels"]:
            row["props"].pop("created", None)
    edges = store.run_read(
        "MATCH (a)-[r]->(b) RETURN labels(a) AS a, a.id AS a_id, a.kind AS a_kind, type(r) AS"
        " type, properties(r) AS props, labels(b) AS b, b.id AS b_id"
    )
    for row in edges:
        row["a"], row["b"] = sorted(row["a"]), sorted(row["b"])
    key = lambda row: json.dumps(row, sort_keys=True)  # noqa: E731
    return {"nodes": sorted(nodes, key=key), "edges": sorted(edges, key=key)}


def answers(store: Store) -> dict[str, Any]:
    """A few lineage questions, as plain data."""
    def dump(result: Any) -> Any:
        return json.loads(json.dumps(result.model_dump(mode="json"), sort_keys=True))

    return {
        "up": dump(lineage.upstream(store, lineage.artifact(6))),
        "down": dump(lineage.downstream(store, lineage.artifact(1))),
        "children": sorted(c.id or 0 for c in store.get_child_contexts(1)),
        "in_run": sorted(a.id or 0 for a in store.get_artifacts_by_context(2)),
    }


def exported(store: Store) -> dict[str, Any]:
    doc = ex.to_json(store)
    doc.pop("exported_at")
    return doc


@pytest.mark.heavy  # a server restart and a schema build: about 70 s on 2 cores
def test_bulk_load_writes_the_graph_the_write_path_writes(
    target: Neo4jTarget, server: LocalServer
) -> None:
    items = history()
    assert node_order(items) == [Kind.CONTEXT, Kind.ARTIFACT, Kind.EXECUTION]
    report = bulk_load(target, items, server=server)
    assert (report.nodes, report.types, report.events, report.attributions,
            report.associations, report.parent_contexts, report.reuses) == (
        {"artifact": 7, "execution": 3, "context": 3}, 6, 8, 3, 3, 3, 1)  # fmt: skip
    with Neo4jStore.from_target(target) as store:
        bulk_raw, bulk_doc, bulk_answers = raw_graph(store), exported(store), answers(store)
        failed = store.run_read("MATCH (e:Failed) RETURN e.id AS id, labels(e) AS labels")
        failed[0]["labels"].sort()
        after = writes_after(store)
        store.clear()
        # The normal path, into the same server: contexts, artifacts, executions, as above.
        store.put_types([i for i in items if isinstance(i, ArtifactType | ExecutionType |
                                                             ContextType)])  # fmt: skip
        for kind in node_order(items):
            store.import_nodes(kind, [i for i in items if isinstance(
                i, Artifact | Execution | Context) and i.kind is kind])  # fmt: skip
        write_links(store, items)
        normal_raw, normal_doc, normal_answers = raw_graph(store), exported(store), answers(store)
    memory = MemoryStore()
    memory.put_types([i for i in items if isinstance(i, ArtifactType | ExecutionType |
                                                          ContextType)])  # fmt: skip
    for kind in node_order(items):
        memory.import_nodes(kind, [i for i in items if isinstance(
            i, Artifact | Execution | Context) and i.kind is kind])  # fmt: skip
    write_links(memory, items)

    assert failed == [{"id": 2, "labels": ["Execution", "Failed", "Trainer"]}]
    assert bulk_raw == normal_raw
    assert bulk_doc == normal_doc == exported(memory)
    assert bulk_answers == normal_answers == answers(memory)
    # Exact values the CSV could have mangled.
    wine = next(c for c in bulk_doc["contexts"] if c["id"] == 1)
    assert wine["custom_properties"] == {"i": -(2**40), "d": 1e-300,
                                         "s": 'quo"te, comma\nline;semi', "b": True,
                                         "st": {"k": [1, "two", None, {"x": 0.5}]}, "e": "",
                                         "inf": float("inf")}  # fmt: skip
    assert [n["seq"] for n in bulk_doc["contexts"]] == [1, 2, 3]
    # Writes after the load: the next type, artifact and context ids, seq continues (13
    # nodes loaded), and a name the load claimed is still claimed.
    assert after == (7, 10, 6, 14, "refused")
    assert sorted(n["seq"] for n in bulk_doc["executions"]) == [11, 12, 13]
    first = [e["timestamp"] for e in bulk_doc["events"]
             if (e["artifact_id"], e["execution_id"], e["path"]) == (1, 1, [0])]
    assert first == [T0 + 100]


def writes_after(store: Neo4jStore) -> tuple[int, int, int, int | None, str]:
    """Normal writes into a bulk-loaded store: (type id, artifact id, context id, the
    artifact's seq, what a second claim of a loaded name got)."""
    [type_id] = store.put_types([ArtifactType(name="Report")])
    [new_id] = store.put_artifacts([Artifact(type="Report", name="r")])
    [ctx_id] = store.put_contexts([Context(type="Pipeline", name="other")])
    [new] = store.get_artifacts_by_id([new_id])
    try:
        store.put_artifacts([Artifact(type="Dataset", name="a1", uri="elsewhere")])
        claim = "taken twice"
    except AlreadyExistsError:
        claim = "refused"
    return type_id, new_id, ctx_id, new.seq, claim


def write_links(store: Store, items: list[Item]) -> None:
    store.put_events([i for i in items if isinstance(i, Event)])
    store.put_attributions_and_associations(
        [i for i in items if isinstance(i, Attribution)],
        [i for i in items if isinstance(i, Association)],
    )
    store.put_parent_contexts([i for i in items if isinstance(i, ParentContext)])
    store.put_reuses([i for i in items if isinstance(i, Reuse)])


def test_refuses_a_store_that_holds_anything(
    target: Neo4jTarget, server: LocalServer
) -> None:
    with Neo4jStore.from_target(target) as store:
        store.put_types([ContextType(name="Pipeline")])
        before = raw_graph(store)
        with pytest.raises(InvalidInputError, match="needs an empty store; this one holds 1 types"):
            bulk_load(target, history(), server=server)
        assert raw_graph(store) == before


def test_refuses_a_server_that_is_not_the_local_one(
    target: Neo4jTarget, server: LocalServer
) -> None:
    remote = Neo4jTarget(uri=target.uri, user=target.user, password=target.password,
                         source="env")  # fmt: skip
    with pytest.raises(InvalidInputError, match="needs the local server") as err:
        bulk_load(remote, history(), server=server)
    assert err.value.field == "bulk"


def test_refuses_what_the_write_path_refuses_before_touching_the_store(
    target: Neo4jTarget, server: LocalServer
) -> None:
    dangling = [*history(), Event(artifact_id=77, execution_id=1, type=EventType.INPUT)]
    with pytest.raises(InvalidInputError, match="artifact_id: no artifact with id 77"):
        bulk_load(target, dangling, server=server)
    cycle = [*history(), ParentContext(child_id=1, parent_id=5)]
    with pytest.raises(InvalidInputError, match="cycle"):
        bulk_load(target, cycle, server=server)
    with Neo4jStore.from_target(target) as store:
        assert store.stats()["contexts"] == 0


@pytest.mark.heavy  # a server restart and a schema build: about 70 s on 2 cores
def test_import_mlmd_bulk_from_the_cli(
    target: Neo4jTarget, scratch: tuple[LocalServer, ServerState, Path], tmp_path: Path
) -> None:
    from lineage_graph.interop.mlmd import import_mlmd, open_mlmd

    path = tmp_path / "mlmd.sqlite"
    mlmd_history.build(path, executions=30)
    _, _, root = scratch
    env = {"LINEAGE_GRAPH_HOME": str(root), "LINEAGE_GRAPH_CACHE": str(Paths.from_env().cache),
           **dict.fromkeys(ISOLATING_ENV, "")}  # fmt: skip
    runner = CliRunner()
    out = runner.invoke(app, ["import", "mlmd", str(path), "--bulk", "--json"], env=env)
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    memory = MemoryStore()
    expected = import_mlmd(memory, open_mlmd(path))
    assert doc["new"] == expected.as_dict()["new"]
    with Neo4jStore.from_target(target) as store:
        assert exported(store) == exported(memory)
    again = runner.invoke(app, ["import", "mlmd", str(path), "--bulk"], env=env)
    assert again.exit_code != 0
    assert "needs an empty store" in again.output
