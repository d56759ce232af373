"""Bad input: the error names the field and the value, and nothing at all was written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import Artifact, Context, Execution, Kind, Node
from lineage_graph.store.base import Store

Dump = Callable[[Store], dict[str, Any]]
NAN = float("nan")

# (id, node, field, value); every node is an artifact unless it says otherwise
CASES: list[tuple[str, Node, str, object]] = [
    ("unknown-type", Artifact(type="NoSuchType"), "type", "NoSuchType"),
    ("bad-type-label", Artifact(type="Bad Label`"), "type", "Bad Label`"),
    ("reserved-type-label", Artifact(type="Execution"), "type", "Execution"),
    (
        "undeclared",
        Artifact(type="Dataset", properties={"colour": "red"}),
        "properties.colour",
        "red",
    ),
    ("int-as-double", Artifact(type="Dataset", properties={"weight": 1}), "properties.weight", 1),
    ("bool-as-int", Artifact(type="Dataset", properties={"rows": True}), "properties.rows", True),
    ("float-as-int", Artifact(type="Dataset", properties={"rows": 2.0}), "properties.rows", 2.0),
    ("str-as-int", Artifact(type="Dataset", properties={"rows": "2"}), "properties.rows", "2"),
    ("int-as-bool", Artifact(type="Dataset", properties={"ok": 1}), "properties.ok", 1),
    ("int-as-string", Artifact(type="Dataset", properties={"split": 3}), "properties.split", 3),
    ("str-as-struct", Artifact(type="Dataset", properties={"meta": "{}"}), "properties.meta", "{}"),
    (
        "dict-as-string",
        Artifact(type="Dataset", properties={"split": {"a": 1}}),
        "properties.split",
        {"a": 1},
    ),
    ("int-too-big", Artifact(type="Dataset", properties={"rows": 2**63}), "properties.rows", 2**63),
    (
        "int-too-small-custom",
        Artifact(type="Dataset", custom_properties={"x": -(2**63) - 1}),
        "custom_properties.x",
        -(2**63) - 1,
    ),
    (
        "nan-declared",
        Artifact(type="Dataset", properties={"weight": NAN}),
        "properties.weight",
        None,
    ),
    (
        "nan-custom",
        Artifact(type="Dataset", custom_properties={"w": NAN}),
        "custom_properties.w",
        None,
    ),
    (
        "inf-in-struct",
        Artifact(type="Dataset", properties={"meta": {"x": float("inf")}}),
        "properties.meta.x",
        float("inf"),
    ),
    (
        "int-key-in-struct",
        Artifact(type="Dataset", custom_properties={"s": {"k": {1: "a"}}}),
        "custom_properties.s.k",
        1,
    ),
    (
        "tuple-in-struct",
        Artifact(type="Dataset", custom_properties={"s": [(1, 2)]}),
        "custom_properties.s[0]",
        (1, 2),
    ),
    (
        "set-in-struct",
        Artifact(type="Dataset", custom_properties={"s": {"k": {1}}}),
        "custom_properties.s.k",
        {1},
    ),
    (
        "bad-custom-name",
        Artifact(type="Dataset", custom_properties={"a b": 1}),
        "custom_properties.a b",
        "a b",
    ),
    (
        "injection-name",
        Artifact(type="Dataset", custom_properties={"x`}) DETACH DELETE n //": 1}),
        "custom_properties.x`}) DETACH DELETE n //",
        "x`}) DETACH DELETE n //",
    ),
    (
        "empty-custom-name",
        Artifact(type="Dataset", custom_properties={"": 1}),
        "custom_properties.",
        "",
    ),
    (
        "lone-surrogate-value",
        Artifact(type="Dataset", custom_properties={"s": "a\ud800"}),
        "custom_properties.s",
        "a\ud800",
    ),
    ("lone-surrogate-name", Artifact(type="Dataset", name="\udfff"), "name", "\udfff"),
    ("empty-name", Artifact(type="Dataset", name=""), "name", ""),
    ("empty-external-id", Artifact(type="Dataset", external_id=""), "external_id", ""),
    (
        "execution-bad-prop",
        Execution(type="Trainer", properties={"epochs": 1.0}),
        "properties.epochs",
        1.0,
    ),
    ("context-undeclared", Context(type="Pipeline", properties={"x": 1}), "properties.x", 1),
    ("context-unknown-type", Context(type="Dataset"), "type", "Dataset"),  # an artifact type
]


@pytest.mark.parametrize(
    ("node", "field", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_node_is_refused_naming_field_and_value_and_nothing_is_written(
    typed: Store, dump: Dump, node: Node, field: str, value: object
) -> None:
    kind = node.kind
    goods: dict[Kind, Node] = {
        Kind.ARTIFACT: Artifact(type="Dataset", name="good", properties={"rows": 1}),
        Kind.EXECUTION: Execution(type="Trainer", name="good"),
        Kind.CONTEXT: Context(type="Pipeline", name="good"),
    }
    good = goods[kind]
    typed.put_nodes(kind, [good.model_copy(update={"name": "already-there"})])
    before = dump(typed)
    with pytest.raises(InvalidInputError) as info:
        typed.put_nodes(kind, [good, node])  # the good one first: it must not stay
    assert info.value.field == field
    if value is not None:
        assert info.value.value == value
    assert str(info.value)  # a readable message
    assert dump(typed) == before


def test_wrong_kind_of_node_is_refused(typed: Store, dump: Dump) -> None:
    before = dump(typed)
    with pytest.raises(InvalidInputError) as info:
        typed.put_nodes(Kind.ARTIFACT, [Execution(type="Trainer")])
    assert info.value.field == "kind"
    assert dump(typed) == before


def test_bad_update_in_a_batch_leaves_earlier_updates_undone(typed: Store, dump: Dump) -> None:
    a, b = typed.put_artifacts(
        [Artifact(type="Dataset", name="a"), Artifact(type="Dataset", name="b")]
    )
    before = dump(typed)
    with pytest.raises(InvalidInputError):
        typed.put_artifacts(
            [
                Artifact(id=a, type="Dataset", name="a", uri="changed"),
                Artifact(id=b, type="Dataset", name="b", properties={"rows": "x"}),
            ]
        )
    assert dump(typed) == before


def test_bad_input_in_later_batch_item_after_a_valid_insert_by_name(
    typed: Store, dump: Dump
) -> None:
    """Uniqueness failures (AlreadyExists) are all-or-nothing too."""
    from lineage_graph.errors import AlreadyExistsError

    typed.put_artifacts([Artifact(type="Dataset", name="taken", uri="x")])
    before = dump(typed)
    with pytest.raises(AlreadyExistsError):
        typed.put_artifacts(
            [
                Artifact(type="Dataset", name="fresh"),
                Artifact(type="Dataset", name="taken", uri="other"),
            ]
        )
    assert dump(typed) == before
