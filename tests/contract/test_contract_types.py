"""Types: put/get, evolution (adding is fine, changing or removing is not), can_add_fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.errors import AlreadyExistsError, InvalidInputError, NotFoundError
from lineage_graph.models import (
    ArtifactType,
    ContextType,
    ExecutionType,
    Kind,
    PropertyType,
)
from lineage_graph.store.base import Store

P = PropertyType


def test_put_and_get_types_of_each_kind(store: Store) -> None:
    ids = store.put_types(
        [
            ArtifactType(name="Dataset", version="1", description="rows", properties={"n": P.INT}),
            ExecutionType(name="Trainer", properties={"lr": P.DOUBLE}),
            ContextType(name="Pipeline"),
        ]
    )
    assert len(set(ids)) == 3
    a = store.get_artifact_type("Dataset")
    assert (a.id, a.name, a.version, a.description, a.properties) == (
        ids[0],
        "Dataset",
        "1",
        "rows",
        {"n": P.INT},
    )
    assert store.get_execution_type("Trainer").properties == {"lr": P.DOUBLE}
    assert store.get_context_type("Pipeline").id == ids[2]
    assert [t.name for t in store.get_artifact_types()] == ["Dataset"]
    assert [t.name for t in store.get_types(Kind.EXECUTION, ["Trainer", "Nope"])] == ["Trainer"]


def test_same_name_in_two_kinds_are_two_types(store: Store) -> None:
    a, e = store.put_types([ArtifactType(name="Thing"), ExecutionType(name="Thing")])
    assert a != e
    assert store.get_artifact_type("Thing").id == a
    assert store.get_execution_type("Thing").id == e


def test_unknown_type_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_artifact_type("Missing")
    assert store.get_types(Kind.CONTEXT, ["Missing"]) == []


def test_putting_the_same_type_again_returns_its_id(store: Store) -> None:
    t = ArtifactType(name="Dataset", properties={"n": P.INT})
    first = store.put_artifact_type(t)
    assert store.put_artifact_type(t) == first
    assert len(store.get_artifact_types()) == 1


def test_adding_a_property_evolves_the_type(store: Store) -> None:
    first = store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT}))
    again = store.put_artifact_type(
        ArtifactType(name="Dataset", properties={"n": P.INT, "split": P.STRING})
    )
    assert again == first
    assert store.get_artifact_type("Dataset").properties == {"n": P.INT, "split": P.STRING}


def test_changing_a_property_type_is_refused_and_names_it(store: Store) -> None:
    store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT}))
    with pytest.raises(AlreadyExistsError, match="'n'"):
        store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.DOUBLE}))
    assert store.get_artifact_type("Dataset").properties == {"n": P.INT}


def test_removing_a_property_is_refused_and_names_it(store: Store) -> None:
    store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT, "m": P.INT}))
    with pytest.raises(AlreadyExistsError, match="'m'"):
        store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT}))
    assert store.get_artifact_type("Dataset").properties == {"n": P.INT, "m": P.INT}


def test_can_add_fields_false_refuses_new_properties(store: Store) -> None:
    store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT}))
    with pytest.raises(AlreadyExistsError, match="'extra'"):
        store.put_artifact_type(
            ArtifactType(name="Dataset", properties={"n": P.INT, "extra": P.STRING}),
            can_add_fields=False,
        )
    # the same definition is still fine without adding
    store.put_artifact_type(
        ArtifactType(name="Dataset", properties={"n": P.INT}), can_add_fields=False
    )
    assert store.get_artifact_type("Dataset").properties == {"n": P.INT}


def test_base_type_cannot_change(store: Store) -> None:
    store.put_artifact_type(ArtifactType(name="Model", base_type="MODEL"))
    with pytest.raises(AlreadyExistsError, match="base_type"):
        store.put_artifact_type(ArtifactType(name="Model", base_type="DATASET"))
    assert store.get_artifact_type("Model").base_type == "MODEL"


def test_dotted_mlmd_system_type_names_are_accepted(store: Store) -> None:
    tid = store.put_artifact_type(ArtifactType(name="mlmd.Dataset"))
    assert store.get_artifact_type("mlmd.Dataset").id == tid


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (ArtifactType(name="has space"), "name"),
        (ArtifactType(name="1digit"), "name"),
        (ArtifactType(name="Robert`) DETACH DELETE (n"), "name"),
        (ArtifactType(name="Artifact"), "name"),  # reserved label
        (ArtifactType(name="Ok", properties={"bad name": P.INT}), "properties.bad name"),
        (ArtifactType(name="Ok", properties={"x`y": P.INT}), "properties.x`y"),
    ],
)
def test_bad_type_definitions_are_refused_and_nothing_is_written(
    store: Store, dump: Callable[[Store], dict[str, Any]], bad: ArtifactType, field: str
) -> None:
    store.put_artifact_type(ArtifactType(name="Existing"))
    before = dump(store)
    with pytest.raises(InvalidInputError) as info:
        store.put_types([ArtifactType(name="Fine"), bad])
    assert info.value.field == field
    assert info.value.value in (bad.name, *bad.properties)
    assert dump(store) == before


def test_put_types_is_all_or_nothing_on_evolution_conflict(
    store: Store, dump: Callable[[Store], dict[str, Any]]
) -> None:
    store.put_artifact_type(ArtifactType(name="Dataset", properties={"n": P.INT}))
    before = dump(store)
    with pytest.raises(AlreadyExistsError):
        store.put_types(
            [ArtifactType(name="New"), ArtifactType(name="Dataset", properties={"n": P.STRING})]
        )
    assert dump(store) == before
