"""``Store.import_nodes`` (the MLMD import's core write) on both backends."""

from __future__ import annotations

import pytest

from lineage_graph.errors import AlreadyExistsError, InvalidInputError
from lineage_graph.models import Artifact, ArtifactType, Context, ContextType, Kind
from lineage_graph.store.base import Store


@pytest.fixture
def typed(store: Store) -> Store:
    store.put_types(
        [ArtifactType(name="Data"), ArtifactType(name="Model"), ContextType(name="Run")]
    )
    return store


def test_keeps_ids_and_times_and_moves_the_counter(typed: Store) -> None:
    typed.import_nodes(
        Kind.ARTIFACT,
        [
            Artifact(id=40, type="Data", name="a", create_time=5, update_time=7),
            Artifact(
                id=12,
                type="Model",
                uri="s3://m",
                create_time=1,
                update_time=2,
                custom_properties={"k": {"x": [1, 2]}},
            ),
        ],
    )
    got = {a.id: a for a in typed.get_artifacts_by_id([12, 40])}
    assert (got[40].create_time, got[40].update_time, got[40].name) == (5, 7, "a")
    assert got[12].custom_properties == {"k": {"x": [1, 2]}} and got[12].uri == "s3://m"
    assert got[12].seq is not None
    assert typed.put_artifacts([Artifact(type="Data", name="next")]) == [41]
    typed.import_nodes(
        Kind.CONTEXT, [Context(id=3, type="Run", name="r", create_time=1, update_time=1)]
    )
    assert typed.put_contexts([Context(type="Run", name="r2")]) == [4]


def test_overwrites_by_id_and_checks_keys(typed: Store) -> None:
    typed.import_nodes(
        Kind.ARTIFACT,
        [
            Artifact(id=1, type="Data", name="a", create_time=1, update_time=1),
            Artifact(id=2, type="Data", name="b", create_time=1, update_time=1),
        ],
    )
    typed.import_nodes(
        Kind.ARTIFACT,
        [Artifact(id=1, type="Data", name="a", state="LIVE", create_time=1, update_time=9)],
    )
    [a] = typed.get_artifacts_by_id([1])
    assert (a.state.value, a.update_time) == ("LIVE", 9)
    with pytest.raises(InvalidInputError, match="type"):
        typed.import_nodes(
            Kind.ARTIFACT, [Artifact(id=1, type="Model", create_time=1, update_time=1)]
        )
    with pytest.raises(AlreadyExistsError):
        typed.import_nodes(
            Kind.ARTIFACT, [Artifact(id=3, type="Data", name="b", create_time=1, update_time=1)]
        )
    assert typed.get_artifacts_by_id([3]) == []
    with pytest.raises(InvalidInputError, match="create_time"):
        typed.import_nodes(Kind.ARTIFACT, [Artifact(id=4, type="Data")])
