"""Artifacts, executions, contexts: CRUD, uniqueness, idempotent retries, exact round trip."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from lineage_graph.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from lineage_graph.models import (
    Artifact,
    ArtifactState,
    ArtifactType,
    Context,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    Node,
    PropertyType,
    Value,
)
from lineage_graph.store.base import Store

SAMPLES: dict[Kind, Node] = {
    Kind.ARTIFACT: Artifact(
        type="Dataset",
        name="train",
        uri="gs://b/train",
        state=ArtifactState.LIVE,
        external_id="ext-train",
        properties={"rows": 10, "split": "train"},
        custom_properties={"note": "first"},
    ),
    Kind.EXECUTION: Execution(
        type="Trainer",
        name="fit-1",
        last_known_state=ExecutionState.RUNNING,
        properties={"lr": 0.1, "epochs": 3},
        custom_properties={"host": "a"},
    ),
    Kind.CONTEXT: Context(
        type="Pipeline", name="p1", properties={"owner": "ana"}, custom_properties={"k": 1}
    ),
}
KINDS = list(SAMPLES)


def _content(node: Node) -> dict[str, object]:
    return node.model_dump(exclude={"id", "create_time", "update_time", "seq"})


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_insert_then_get_by_id(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind]
    [nid] = typed.put_nodes(kind, [node])
    [got] = typed.get_nodes_by_id(kind, [nid])
    assert got.id == nid
    assert _content(got) == _content(node)
    assert got.create_time is not None and got.update_time is not None and got.seq is not None
    assert got.update_time >= got.create_time
    assert typed.get_nodes_by_id(kind, [nid + 1000]) == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_ids_are_distinct_and_get_keeps_the_order_asked(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind]
    ids = typed.put_nodes(
        kind,
        [node.model_copy(update={"name": f"n{i}", "external_id": None}) for i in range(3)],
    )
    assert len(set(ids)) == 3
    got = typed.get_nodes_by_id(kind, [ids[2], 999_999, ids[0]])
    assert [g.id for g in got] == [ids[2], ids[0]]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_update_by_id_replaces_content_keeps_create_time_bumps_seq(
    typed: Store, kind: Kind
) -> None:
    node = SAMPLES[kind]
    [nid] = typed.put_nodes(kind, [node])
    [before] = typed.get_nodes_by_id(kind, [nid])
    changed = node.model_copy(
        update={"id": nid, "name": "renamed", "custom_properties": {"other": 2.5}}
    )
    assert typed.put_nodes(kind, [changed]) == [nid]
    [after] = typed.get_nodes_by_id(kind, [nid])
    assert after.name == "renamed"
    assert after.custom_properties == {"other": 2.5}  # replaced, not merged
    assert after.create_time == before.create_time
    assert after.update_time is not None and before.update_time is not None
    assert after.update_time >= before.update_time
    assert after.seq is not None and before.seq is not None and after.seq > before.seq
    # the old name is free again, the new one is taken
    assert typed._by_type_and_name(kind, node.type, "renamed") is not None
    assert typed._by_type_and_name(kind, node.type, node.name or "") is None


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_update_of_unknown_id_is_not_found(typed: Store, kind: Kind) -> None:
    with pytest.raises(NotFoundError):
        typed.put_nodes(kind, [SAMPLES[kind].model_copy(update={"id": 4242})])
    assert typed.list_nodes(kind).items == []


def _other_type(store: Store, kind: Kind) -> str:
    """A second type of ``kind`` without required properties (puts Evaluator if needed)."""
    if kind is Kind.EXECUTION:
        store.put_execution_type(ExecutionType(name="Evaluator"))
        return "Evaluator"
    return {Kind.ARTIFACT: "Model", Kind.CONTEXT: "PipelineRun"}[kind]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_update_cannot_change_the_type(typed: Store, kind: Kind) -> None:
    other = _other_type(typed, kind)
    [nid] = typed.put_nodes(kind, [SAMPLES[kind].model_copy(update={"properties": {}})])
    moved = SAMPLES[kind].model_copy(update={"id": nid, "type": other, "properties": {}})
    with pytest.raises(InvalidInputError) as info:
        typed.put_nodes(kind, [moved])
    assert (info.value.field, info.value.value) == ("type", other)
    assert typed.get_nodes_by_id(kind, [nid])[0].type == SAMPLES[kind].type


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_same_name_in_another_type_is_another_node(typed: Store, kind: Kind) -> None:
    other = _other_type(typed, kind)
    node = SAMPLES[kind].model_copy(update={"external_id": None})
    a = typed.put_nodes(kind, [node])
    b = typed.put_nodes(kind, [node.model_copy(update={"type": other, "properties": {}})])
    assert a != b
    assert len(typed.list_nodes(kind).items) == 2


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_equal_retry_returns_the_same_id_and_writes_nothing(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind]
    [first] = typed.put_nodes(kind, [node])
    [stored] = typed.get_nodes_by_id(kind, [first])
    assert typed.put_nodes(kind, [node]) == [first]
    assert typed.put_nodes(kind, [node, node]) == [first, first]
    assert len(typed.list_nodes(kind).items) == 1
    [again] = typed.get_nodes_by_id(kind, [first])
    assert again == stored  # not even update_time or seq moved


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_same_type_and_name_with_other_content_is_already_exists(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind].model_copy(update={"external_id": None})
    typed.put_nodes(kind, [node])
    with pytest.raises(AlreadyExistsError):
        typed.put_nodes(kind, [node.model_copy(update={"custom_properties": {"x": 1}})])
    with pytest.raises(AlreadyExistsError):  # two different nodes with one name in a batch
        typed.put_nodes(
            kind,
            [
                node.model_copy(update={"name": "twin"}),
                node.model_copy(update={"name": "twin", "custom_properties": {"y": 1}}),
            ],
        )
    assert len(typed.list_nodes(kind).items) == 1


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_external_id_is_unique(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind].model_copy(update={"external_id": "ext-1", "name": None})
    [first] = typed.put_nodes(kind, [node])
    assert typed.put_nodes(kind, [node]) == [first]  # equal retry
    with pytest.raises(AlreadyExistsError):
        typed.put_nodes(kind, [node.model_copy(update={"custom_properties": {"z": 0}})])
    with pytest.raises(AlreadyExistsError):
        typed.put_nodes(kind, [node.model_copy(update={"name": "some name"})])
    getters: dict[Kind, Callable[[Iterable[str]], Sequence[Node]]] = {
        Kind.ARTIFACT: typed.get_artifacts_by_external_ids,
        Kind.EXECUTION: typed.get_executions_by_external_ids,
        Kind.CONTEXT: typed.get_contexts_by_external_ids,
    }
    found = getters[kind](["ext-1", "unknown"])
    assert [n.id for n in found] == [first]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_update_onto_a_taken_name_is_already_exists(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind].model_copy(update={"external_id": None})
    _a, b = typed.put_nodes(
        kind, [node.model_copy(update={"name": "a"}), node.model_copy(update={"name": "b"})]
    )
    with pytest.raises(AlreadyExistsError):
        typed.put_nodes(kind, [node.model_copy(update={"id": b, "name": "a"})])
    assert typed.get_nodes_by_id(kind, [b])[0].name == "b"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_unnamed_nodes_are_always_new(typed: Store, kind: Kind) -> None:
    node = SAMPLES[kind].model_copy(update={"name": None, "external_id": None})
    ids = typed.put_nodes(kind, [node, node]) + typed.put_nodes(kind, [node])
    assert len(set(ids)) == 3


def test_seq_is_store_wide_and_increases_with_every_write(typed: Store) -> None:
    ids = [typed.put_nodes(k, [SAMPLES[k]])[0] for k in KINDS]
    seqs = [typed.get_nodes_by_id(k, [i])[0].seq or 0 for k, i in zip(KINDS, ids, strict=False)]
    assert all(s > 0 for s in seqs)
    assert seqs == sorted(seqs) and len(set(seqs)) == 3  # one counter for all kinds


def test_mlmd_style_getters(typed: Store) -> None:
    aid = typed.put_nodes(Kind.ARTIFACT, [SAMPLES[Kind.ARTIFACT]])[0]
    eid = typed.put_nodes(Kind.EXECUTION, [SAMPLES[Kind.EXECUTION]])[0]
    cid = typed.put_nodes(Kind.CONTEXT, [SAMPLES[Kind.CONTEXT]])[0]
    assert [a.id for a in typed.get_artifacts_by_id([aid])] == [aid]
    assert [a.id for a in typed.get_artifacts_by_type("Dataset")] == [aid]
    assert typed.get_artifacts_by_type("Model") == []
    assert typed.get_artifacts_by_type("NoSuchType") == []
    assert [a.id for a in typed.get_artifacts_by_uri("gs://b/train")] == [aid]
    art = typed.get_artifact_by_type_and_name("Dataset", "train")
    assert art is not None and art.id == aid
    assert typed.get_artifact_by_type_and_name("Dataset", "nope") is None
    ex = typed.get_execution_by_type_and_name("Trainer", "fit-1")
    assert ex is not None and ex.id == eid
    ctx = typed.get_context_by_type_and_name("Pipeline", "p1")
    assert ctx is not None and ctx.id == cid
    assert [e.id for e in typed.get_executions_by_type("Trainer")] == [eid]
    assert [c.id for c in typed.get_contexts_by_type("Pipeline")] == [cid]
    assert [e.id for e in typed.get_executions_by_id([eid])] == [eid]
    assert [c.id for c in typed.get_contexts_by_id([cid])] == [cid]


# ---- exact round trip of property values -----------------------------------------------------

ROUND_TRIP: dict[str, Value] = {
    "int": 1,
    "zero": 0,
    "neg": -7,
    "big": 2**63 - 1,
    "small": -(2**63),
    "float": 1.0,
    "neg_zero": -0.0,
    "inf": float("inf"),
    "pi": 3.141592653589793,
    "true": True,
    "false": False,
    "text": 'héllo \U0001f600 \n\t"quoted" `tick` $x {y}',
    "empty": "",
    "struct_dict": {"a": 1, "b": [1.0, True, None, "s"], "c": {"d": {}}},
    "struct_list": [1, 1.0, False, "x", [], {"k": [2]}],
    "empty_dict": {},
    "empty_list": [],
}


def _assert_exact(got: object, want: object) -> None:
    assert type(got) is type(want), f"{got!r} ({type(got).__name__}) != {want!r}"
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys()
        for k in want:
            _assert_exact(got[k], want[k])
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want, strict=False):
            _assert_exact(g, w)
    elif isinstance(want, float):
        assert repr(got) == repr(want)  # keeps -0.0 apart from 0.0
    else:
        assert got == want


def test_custom_property_values_round_trip_exactly(typed: Store) -> None:
    [aid] = typed.put_artifacts([Artifact(type="Dataset", custom_properties=ROUND_TRIP)])
    [got] = typed.get_artifacts_by_id([aid])
    _assert_exact(got.custom_properties, ROUND_TRIP)
    # and through list_nodes too
    [listed] = typed.get_artifacts()
    _assert_exact(listed.custom_properties, ROUND_TRIP)


def test_declared_property_values_round_trip_exactly(typed: Store) -> None:
    props: dict[str, Value] = {
        "rows": 1,
        "weight": 1.0,
        "ok": True,
        "split": "1",
        "meta": {"n": 1, "x": [1.0]},
    }
    [aid] = typed.put_artifacts([Artifact(type="Dataset", properties=props)])
    [got] = typed.get_artifacts_by_id([aid])
    _assert_exact(got.properties, props)
    [aid2] = typed.put_artifacts([Artifact(type="Dataset", properties={"meta": [1, "a"]})])
    _assert_exact(typed.get_artifacts_by_id([aid2])[0].properties, {"meta": [1, "a"]})


def test_declared_and_custom_properties_with_one_name_stay_apart(typed: Store) -> None:
    [aid] = typed.put_artifacts(
        [Artifact(type="Dataset", properties={"rows": 5}, custom_properties={"rows": "five"})]
    )
    [got] = typed.get_artifacts_by_id([aid])
    assert got.properties == {"rows": 5}
    assert got.custom_properties == {"rows": "five"}


def test_property_names_like_system_fields_cannot_overwrite_them(typed: Store) -> None:
    custom: dict[str, Value] = {
        "id": 99,
        "type": "X",
        "name": "evil",
        "uri": "u",
        "state": "DELETED",
        "create_time": 1,
        "seq": 0,
        "external_id": "e",
    }
    [aid] = typed.put_artifacts([Artifact(type="Dataset", name="real", custom_properties=custom)])
    [got] = typed.get_artifacts_by_id([aid])
    assert (got.id, got.type, got.name, got.uri, got.state) == (
        aid,
        "Dataset",
        "real",
        None,
        ArtifactState.UNKNOWN,
    )
    assert got.external_id is None and got.create_time != 1
    assert got.custom_properties == custom


def test_returned_values_do_not_alias_the_store(typed: Store) -> None:
    [aid] = typed.put_artifacts([Artifact(type="Dataset", custom_properties={"s": {"a": [1]}})])
    [got] = typed.get_artifacts_by_id([aid])
    struct = got.custom_properties["s"]
    assert isinstance(struct, dict)
    struct["a"].append(2)
    assert typed.get_artifacts_by_id([aid])[0].custom_properties == {"s": {"a": [1]}}


# ---- import_nodes: another store's history, ids and times kept ---------------------------------


def test_import_nodes_keeps_ids_and_times_and_moves_the_counter(typed: Store) -> None:
    old = [
        Artifact(
            id=40,
            type="Dataset",
            name="imported",
            create_time=1000,
            update_time=2000,
            properties={"rows": 1},
        ),
        Artifact(id=7, type="Model", create_time=5, update_time=6),
    ]
    typed.import_nodes(Kind.ARTIFACT, old)
    got = {a.id: a for a in typed.get_artifacts()}
    assert set(got) == {7, 40}
    assert (got[40].create_time, got[40].update_time, got[40].properties) == (
        1000,
        2000,
        {"rows": 1},
    )
    assert got[40].seq is not None and got[7].seq is not None
    [fresh] = typed.put_artifacts([Artifact(type="Dataset", name="new")])
    assert fresh > 40  # later inserts never collide with imported ids
    # re-import overwrites in place (an idempotent re-run of an import)
    typed.import_nodes(Kind.ARTIFACT, [old[0].model_copy(update={"uri": "u"})])
    assert typed.get_artifacts_by_id([40])[0].uri == "u"
    assert len(typed.get_artifacts()) == 3


def test_import_nodes_keeps_uniqueness_and_is_all_or_nothing(typed: Store, dump: Any) -> None:
    typed.import_nodes(
        Kind.ARTIFACT, [Artifact(id=1, type="Dataset", name="a", create_time=1, update_time=1)]
    )
    before = dump(typed)
    with pytest.raises(AlreadyExistsError):
        typed.import_nodes(
            Kind.ARTIFACT,
            [
                Artifact(id=2, type="Dataset", name="b", create_time=1, update_time=1),
                Artifact(id=3, type="Dataset", name="a", create_time=1, update_time=1),
            ],
        )
    with pytest.raises(InvalidInputError) as info:
        typed.import_nodes(
            Kind.ARTIFACT, [Artifact(id=1, type="Model", create_time=1, update_time=1)]
        )
    assert info.value.field == "type"
    with pytest.raises(InvalidInputError) as info:
        typed.import_nodes(Kind.ARTIFACT, [Artifact(type="Dataset", create_time=1, update_time=1)])
    assert (info.value.field, info.value.value) == ("id", None)
    assert dump(typed) == before


def test_update_by_id_always_writes_even_with_equal_content(typed: Store) -> None:
    [aid] = typed.put_artifacts([Artifact(type="Dataset", name="a")])
    [before] = typed.get_artifacts_by_id([aid])
    assert typed.put_artifacts([before]) == [aid]  # an update by id, same content
    [after] = typed.get_artifacts_by_id([aid])
    assert after.seq is not None and before.seq is not None and after.seq > before.seq
    assert after.create_time == before.create_time


def test_update_onto_a_taken_external_id_is_already_exists(typed: Store) -> None:
    a, b = typed.put_artifacts(
        [Artifact(type="Dataset", external_id="x"), Artifact(type="Dataset", external_id="y")]
    )
    with pytest.raises(AlreadyExistsError):
        typed.put_artifacts([Artifact(id=b, type="Dataset", external_id="x")])
    assert typed.get_artifacts_by_id([b])[0].external_id == "y"
    # moving an external id away frees it
    typed.put_artifacts([Artifact(id=a, type="Dataset", external_id="z")])
    assert typed.put_artifacts([Artifact(id=b, type="Dataset", external_id="x")]) == [b]


def test_get_by_id_repeats_and_unknowns(typed: Store) -> None:
    [aid] = typed.put_artifacts([Artifact(type="Dataset", name="a")])
    assert [a.id for a in typed.get_artifacts_by_id([aid, aid, -5, 2**63 - 1])] == [aid, aid]


def test_put_types_twice_in_one_batch_evolves_once(typed: Store) -> None:
    ids = typed.put_types(
        [
            ArtifactType(name="Fresh", properties={"a": PropertyType.INT}),
            ArtifactType(
                name="Fresh", properties={"a": PropertyType.INT, "b": PropertyType.STRING}
            ),
        ]
    )
    assert ids[0] == ids[1]
    assert typed.get_artifact_type("Fresh").properties == {
        "a": PropertyType.INT,
        "b": PropertyType.STRING,
    }
