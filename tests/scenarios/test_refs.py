"""Story: artifact 1 and execution 1 both exist (ids are separate sequences per kind), so a
bare ``1`` cannot be read one way: it is an error that lists both; ``a:1``/``e:1`` and
``TYPE:NAME`` say which. Both backends, exact messages."""

from __future__ import annotations

import pytest

from lineage_graph import refs
from lineage_graph.errors import InvalidInputError, NotFoundError
from lineage_graph.models import (
    Artifact,
    ArtifactType,
    Execution,
    ExecutionType,
    Kind,
)
from lineage_graph.store.base import Store


@pytest.fixture
def two_ones(store: Store) -> Store:
    store.put_types([ArtifactType(name="Model"), ExecutionType(name="Trainer")])
    assert store.put_artifacts([Artifact(type="Model", name="churn-v3"),
                                Artifact(type="Model", name="churn-v4")]) == [1, 2]
    assert store.put_executions([Execution(type="Trainer", name="run-7/train")]) == [1]
    return store


def test_a_bare_id_in_two_kinds_is_an_error_listing_both(two_ones: Store) -> None:
    with pytest.raises(InvalidInputError) as err:
        refs.resolve_node(two_ones, "1")
    assert str(err.value) == (
        "REF '1' is ambiguous: artifact a:1 (Model churn-v3), "
        "execution e:1 (Trainer run-7/train); write a:1 or e:1"
    )
    assert err.value.field == "REF"


def test_references_that_say_which(two_ones: Store) -> None:
    assert refs.resolve_node(two_ones, "a:1").name == "churn-v3"
    assert refs.resolve_node(two_ones, "e:1").name == "run-7/train"
    assert refs.resolve_node(two_ones, "execution:1").kind is Kind.EXECUTION
    assert refs.resolve_node(two_ones, "Trainer:run-7/train").id == 1
    assert refs.resolve_node(two_ones, "2").name == "churn-v4"  # only an artifact has id 2
    assert refs.resolve_node(two_ones, 2).name == "churn-v4"
    assert refs.resolve_node(two_ones, "1", Kind.EXECUTION).kind is Kind.EXECUTION
    assert refs.ref_text(refs.resolve_node(two_ones, "e:1")) == "e:1"
    with pytest.raises(NotFoundError, match="no node 'c:1' among contexts"):
        refs.resolve_node(two_ones, "c:1")
    with pytest.raises(InvalidInputError, match="REF 'a:1' names an artifact, not an execution"):
        refs.resolve_node(two_ones, "a:1", Kind.EXECUTION)
    with pytest.raises(InvalidInputError, match="is negative"):
        refs.parse_ref("-3")
    with pytest.raises(InvalidInputError, match="neither an id nor TYPE:NAME"):
        refs.parse_ref("churn")
