"""Hostile values are validation errors naming the field, on both backends, and write nothing.

Each case once reached the database or was silently coerced: a bool taken for id 1, a string
id taken for an update of node 1, a 1 MB name that Neo4j refused with a backend error (which
HTTP clients retry forever), a STRUCT nested 5,000 deep that overflowed the stack.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import (
    Artifact,
    ArtifactType,
    Attribution,
    Event,
    EventType,
    ParentContext,
)
from lineage_graph.store.base import Store


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Event(artifact_id=True, execution_id=1, type=EventType.INPUT), "artifact_id"),
        (lambda: Event(artifact_id=1, execution_id="2", type=EventType.INPUT), "execution_id"),
        (lambda: Artifact(id="1", type="Dataset"), "id"),
        (lambda: Artifact(id=1.0, type="Dataset"), "id"),
        (lambda: Artifact(type="Dataset", create_time=False), "create_time"),
        (lambda: Artifact(type="Dataset", name=7), "name"),
        (lambda: Attribution(artifact_id=1, context_id=True), "context_id"),
        (lambda: ParentContext(child_id="1", parent_id=2), "child_id"),
    ],
)
def test_wrong_types_are_refused_not_coerced(make: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        make()
    assert [e["loc"][0] for e in info.value.errors()] == [field]


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("artifact", "field"),
    [
        (Artifact(type="Dataset", name="n" * 1_000_000), "name"),
        (Artifact(type="Dataset", external_id="é" * 3_000), "external_id"),
        (Artifact(type="Dataset", uri="s3://" + "x" * 10_000), "uri"),
    ],
    ids=["1MB-name", "6KB-external-id", "10KB-uri"],
)
def test_oversized_indexed_text_is_a_validation_error(
    store: Store, artifact: Artifact, field: str
) -> None:
    store.put_types([ArtifactType(name="Dataset")])
    with pytest.raises(InvalidInputError) as info:
        store.put_artifacts([artifact])
    assert info.value.field == field
    assert store.get_artifacts() == []


def test_struct_nested_5000_deep_is_a_validation_error(store: Store) -> None:
    store.put_types([ArtifactType(name="Dataset")])
    with pytest.raises(InvalidInputError) as info:
        store.put_artifacts([Artifact(type="Dataset", custom_properties={"s": _nested(5_000)})])
    assert info.value.field is not None and info.value.field.startswith("custom_properties.s")
    assert store.get_artifacts() == []
    # Deep, but within the limit: stored and read back equal.
    [a] = store.put_artifacts([Artifact(type="Dataset", custom_properties={"s": _nested(60)})])
    assert store.get_artifacts_by_id([a])[0].custom_properties["s"] == _nested(60)
