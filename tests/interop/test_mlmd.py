"""MLMD import: stores written with the real ml-metadata library, compared field by field."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from ml_metadata.metadata_store import MetadataStore
from ml_metadata.proto import metadata_store_pb2 as pb

from lineage_graph.answers import NodeRef
from lineage_graph.errors import InvalidInputError
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.models import Artifact, Kind
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore

from .mlmd_history import build, open_rw

Q = pb.LineageSubgraphQueryOptions


def _expected_value(v: Any) -> Any:
    which = v.WhichOneof("value")
    if which == "struct_value":
        return json_format.MessageToDict(v.struct_value)
    if which == "proto_value":
        return {
            "@type": v.proto_value.type_url,
            "value": base64.b64encode(v.proto_value.value).decode(),
        }
    return getattr(v, which)


def _props(m: Any) -> dict[str, Any]:
    return {k: _expected_value(m[k]) for k in m}


def assert_same_as_mlmd(store: Store, mlmd: MetadataStore) -> None:
    """Every field of every type, node, event and link equals MLMD's (read from the protos)."""
    for kind, pb_types in (
        (Kind.ARTIFACT, mlmd.get_artifact_types()),
        (Kind.EXECUTION, mlmd.get_execution_types()),
        (Kind.CONTEXT, mlmd.get_context_types()),
    ):
        ours = {t.name: t for t in store.get_types(kind)}
        assert set(ours) == {t.name for t in pb_types}
        for t in pb_types:
            mine = ours[t.name]
            assert mine.version == (t.version or None)
            assert mine.description == (t.description or None)
            base = (
                type(t).SystemDefinedBaseType.Name(t.base_type) if t.HasField("base_type") else None
            )
            assert mine.base_type == (None if base == "UNSET" else base)
            declared = {k: pb.PropertyType.Name(p) for k, p in t.properties.items()}
            declared = {k: "STRUCT" if p == "PROTO" else p for k, p in declared.items()}
            assert {k: p.value for k, p in mine.properties.items()} == declared

    for kind, nodes in (
        (Kind.ARTIFACT, mlmd.get_artifacts()),
        (Kind.EXECUTION, mlmd.get_executions()),
        (Kind.CONTEXT, mlmd.get_contexts()),
    ):
        stored = {n.id: n for n in store.get_nodes_by_id(kind, [n.id for n in nodes])}
        assert len(stored) == len(nodes)
        for n in nodes:
            mine = stored[n.id]
            assert mine.type == n.type
            assert mine.name == (n.name if n.HasField("name") else None)
            assert mine.external_id == (n.external_id if n.HasField("external_id") else None)
            assert mine.create_time == n.create_time_since_epoch
            assert mine.update_time == n.last_update_time_since_epoch
            assert mine.properties == _props(n.properties)
            assert mine.custom_properties == _props(n.custom_properties)
            for name, value in mine.properties.items():  # value types kept exactly
                assert type(value) is type(_expected_value(n.properties[name]))
            if kind is Kind.ARTIFACT:
                assert mine.uri == (n.uri if n.HasField("uri") else None)
                assert mine.state.value == pb.Artifact.State.Name(n.state)
            elif kind is Kind.EXECUTION:
                assert mine.last_known_state.value == pb.Execution.State.Name(n.last_known_state)

    exe_ids = [e.id for e in mlmd.get_executions()]
    expected_events = set()
    for e in mlmd.get_events_by_execution_ids(exe_ids):
        steps = tuple(s.index if s.WhichOneof("value") == "index" else s.key for s in e.path.steps)
        expected_events.add(
            (
                e.artifact_id,
                e.execution_id,
                pb.Event.Type.Name(e.type),
                steps,
                e.milliseconds_since_epoch,
            )
        )
    ours = {
        (e.artifact_id, e.execution_id, e.type.value, e.path, e.timestamp)
        for e in store.get_events(execution_ids=exe_ids)
    }
    assert ours == expected_events

    for c in mlmd.get_contexts():
        assert {a.id for a in store.get_artifacts_by_context(c.id)} == {
            a.id for a in mlmd.get_artifacts_by_context(c.id)
        }
        assert {e.id for e in store.get_executions_by_context(c.id)} == {
            e.id for e in mlmd.get_executions_by_context(c.id)
        }
        assert {p.id for p in store.get_parent_contexts(c.id)} == {
            p.id for p in mlmd.get_parent_contexts_by_context(c.id)
        }


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, MetadataStore]:
    path = tmp_path / "mlmd.sqlite"
    rw = build(path, executions=45, seed=3, runs_every=7)
    return path, rw


def test_generated_history_has_every_kind(history: tuple[Path, MetadataStore]) -> None:
    _, rw = history
    events = rw.get_events_by_execution_ids([e.id for e in rw.get_executions()])
    assert {e.type for e in events} == set(pb.Event.Type.values()) - {pb.Event.UNKNOWN}
    steps = {s.WhichOneof("value") for e in events for s in e.path.steps}
    assert steps == {"index", "key"}
    assert {a.state for a in rw.get_artifacts()} == set(pb.Artifact.State.values())
    assert {e.last_known_state for e in rw.get_executions()} == set(pb.Execution.State.values())


def test_import_keeps_every_field_and_id(store: Store, history: tuple[Path, MetadataStore]) -> None:
    path, _ = history
    mlmd = open_mlmd(path)
    report = import_mlmd(store, mlmd, batch=16)
    assert report.new["artifact"] == len(mlmd.get_artifacts())
    assert report.events_skipped == 0
    assert_same_as_mlmd(store, mlmd)


def test_new_ids_continue_after_imported_ones(
    store: Store, history: tuple[Path, MetadataStore]
) -> None:
    path, _ = history
    mlmd = open_mlmd(path)
    import_mlmd(store, mlmd)
    top = max(a.id for a in mlmd.get_artifacts())
    [new_id] = store.put_artifacts(
        [Artifact(type="Model", name="after-import", properties={"i": 1})]
    )
    assert new_id == top + 1


def test_second_import_brings_only_what_is_new(
    store: Store, history: tuple[Path, MetadataStore]
) -> None:
    path, rw = history
    import_mlmd(store, open_mlmd(path), batch=10)
    again = import_mlmd(store, open_mlmd(path), batch=10)
    assert sum(again.new.values()) == 0 and sum(again.updated.values()) == 0
    assert again.events_new == 0 and again.events_known > 0

    # MLMD moves on: one artifact changes state, a second pipeline runs.
    [changed] = rw.get_artifacts_by_id([5])
    changed.state = pb.Artifact.DELETED
    changed.custom_properties["note"].string_value = "cleaned up"
    rw.put_artifacts([changed])
    before = {k: len(v) for k, v in (("a", rw.get_artifacts()), ("e", rw.get_executions()))}
    build(path, executions=12, seed=4, start=rw)
    after = {k: len(v) for k, v in (("a", rw.get_artifacts()), ("e", rw.get_executions()))}

    mlmd = open_mlmd(path)
    third = import_mlmd(store, mlmd, batch=10)
    assert third.new["artifact"] == after["a"] - before["a"]
    assert third.new["execution"] == after["e"] - before["e"]
    assert third.updated == {"context": 0, "artifact": 1, "execution": 0}
    assert third.events_new > 0
    assert_same_as_mlmd(store, mlmd)


def _mlmd_walk(
    mlmd: MetadataStore, kind: Kind, node_id: int, hops: int, up: bool
) -> tuple[set[int], set[int]]:
    start = Q.StartingNodes(filter_query=f"id = {node_id}")
    options = Q(max_num_hops=hops, direction=Q.UPSTREAM if up else Q.DOWNSTREAM)
    if kind is Kind.ARTIFACT:
        options.starting_artifacts.CopyFrom(start)
    else:
        options.starting_executions.CopyFrom(start)
    g = mlmd.get_lineage_subgraph(options, field_mask_paths=["artifacts", "executions"])
    arts, exes = {a.id for a in g.artifacts}, {e.id for e in g.executions}
    (arts if kind is Kind.ARTIFACT else exes).discard(node_id)
    return arts, exes


def test_lineage_equals_mlmd_and_the_oracle(
    store: Store, history: tuple[Path, MetadataStore]
) -> None:
    path, rw = history
    mlmd = open_mlmd(path)
    import_mlmd(store, mlmd)
    oracle = MemoryStore()
    import_mlmd(oracle, mlmd)
    starts = [(Kind.ARTIFACT, a.id) for a in rw.get_artifacts()[::6]]
    starts += [(Kind.EXECUTION, e.id) for e in rw.get_executions()[::9]]
    compared = 0
    for kind, node_id in starts:
        ref = NodeRef(kind=kind, id=node_id)
        for direction in ("upstream", "downstream"):
            for hops in (1, 2, 5, 40):  # within MLMD's 100-hop cap
                expected = _mlmd_walk(mlmd, kind, node_id, hops, direction == "upstream")
                got = store.lineage_walk([ref], direction, max_depth=hops)  # type: ignore[arg-type]
                assert (set(got.ids(Kind.ARTIFACT)), set(got.ids(Kind.EXECUTION))) == expected
                compared += bool(expected[0] or expected[1])
            full = store.lineage_walk([ref], direction)  # type: ignore[arg-type]
            ref_answer = oracle.lineage_walk([ref], direction)  # type: ignore[arg-type]
            assert full == ref_answer
    assert compared > 20  # the walks were not all empty


def test_tfx_type_names_are_kept_and_odd_names_are_mapped(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tfx.sqlite"
    rw = open_rw(path)
    t = pb.ExecutionType(name="tfx.components.trainer.component.Trainer")
    t.properties["train args"] = pb.STRING
    tid = rw.put_execution_type(t)
    odd = pb.ArtifactType(name="my-data set")
    odd_id = rw.put_artifact_type(odd)
    e = pb.Execution(type_id=tid)
    e.properties["train args"].string_value = "--epochs 3"
    [eid] = rw.put_executions([e])
    [aid] = rw.put_artifacts([pb.Artifact(type_id=odd_id, uri="/data")])
    report = import_mlmd(store, open_mlmd(path))
    assert "type tfx.components.trainer.component.Trainer" not in report.renamed
    assert report.renamed["type my-data set"] == "my_data_set"
    [mine] = store.get_executions_by_id([eid])
    assert mine.type == "tfx.components.trainer.component.Trainer"
    assert mine.properties == {"train_args": "--epochs 3"}
    [data] = store.get_artifacts_by_id([aid])
    assert data.type == "my_data_set"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not a database at all, just some bytes" * 3, "not an SQLite database"),
        (b"", "not an SQLite database"),
    ],
)
def test_corrupt_file_is_one_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(content)
    with pytest.raises(InvalidInputError) as info:
        open_mlmd(bad)
    assert reason in str(info.value) and "\n" not in str(info.value)
    assert bad.read_bytes() == content  # never touched


def test_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    with pytest.raises(InvalidInputError, match="not an MLMD store: it lacks the MLMD tables"):
        open_mlmd(foreign)
    assert foreign.read_bytes() == before


def test_truncated_mlmd_file_is_one_clear_error(
    tmp_path: Path, history: tuple[Path, MetadataStore]
) -> None:
    path, _ = history
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(path.read_bytes()[:4096])
    with pytest.raises(InvalidInputError) as info:
        open_mlmd(broken)
    assert str(broken) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        open_mlmd(tmp_path / "nope.sqlite")


def test_mysql_config_files_parse(tmp_path: Path) -> None:
    from lineage_graph.interop.mlmd import mysql_config_from_file

    j = tmp_path / "m.json"
    j.write_text('{"host": "db.internal", "port": 3307, "database": "mlmd", "user": "ml"}')
    config = mysql_config_from_file(j)
    assert (config.mysql.host, config.mysql.port, config.mysql.database) == (
        "db.internal",
        3307,
        "mlmd",
    )
    assert config.mysql.skip_db_creation  # an import never creates a database
    t = tmp_path / "m.textproto"
    t.write_text('host: "h" database: "d"')
    assert mysql_config_from_file(t).mysql.host == "h"
    bad = tmp_path / "bad.json"
    bad.write_text('{"hostname": "x"}')
    with pytest.raises(InvalidInputError, match="not valid"):
        mysql_config_from_file(bad)
