"""Driver exceptions become lineage_graph.errors in one place (store/neo4j.py ``_translate``)."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ClientError

from lineage_graph.errors import (
    AlreadyExistsError,
    InvalidInputError,
    QueryTimeoutError,
    UnavailableError,
)
from lineage_graph.models import Artifact, Kind
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore


def test_unreachable_server_is_unavailable() -> None:
    with Neo4jStore.connect("bolt://127.0.0.1:1", "neo4j", "x") as store, pytest.raises(
        UnavailableError, match="unreachable"
    ):
        store.get_types(Kind.ARTIFACT)


def test_wrong_password_is_unavailable_with_a_hint(neo4j_target: Neo4jTarget) -> None:
    with Neo4jStore.connect(
        neo4j_target.uri, neo4j_target.user, "not-the-password"
    ) as store, pytest.raises(UnavailableError, match="NEO4J_PASSWORD"):
        store.get_types(Kind.ARTIFACT)


def test_malformed_uri_is_unavailable() -> None:
    with pytest.raises(UnavailableError, match="URI"):
        Neo4jStore.connect("http://nowhere:7474", "neo4j", "x")


def test_transaction_timeout_is_query_timeout(neo4j_target: Neo4jTarget) -> None:
    with Neo4jStore.from_target(neo4j_target, timeout=0.3) as store, pytest.raises(
        QueryTimeoutError
    ):
        store.run_read("UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n")


def test_our_own_cypher_bug_stays_a_client_error(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(ClientError):
        neo4j_store.run_read("RETURN $missing AS x")


def test_bad_input_never_reaches_the_database(typed_neo4j: Neo4jStore) -> None:
    seen: list[str] = []
    typed_neo4j._after_statement = seen.append
    try:
        with pytest.raises(InvalidInputError) as info:
            typed_neo4j.put_artifacts([Artifact(type="Dataset", properties={"nope": 1})])
    finally:
        typed_neo4j._after_statement = None
    assert info.value.field == "properties.nope"
    # Only the lock and the type read ran; no write statement.
    assert seen == ["counter_lock", "type_get_all"]
    assert typed_neo4j.stats()["artifacts"] == 0


def test_conflicting_name_is_already_exists(typed_neo4j: Neo4jStore) -> None:
    typed_neo4j.put_artifacts([Artifact(type="Dataset", name="a", uri="/1")])
    with pytest.raises(AlreadyExistsError):
        typed_neo4j.put_artifacts([Artifact(type="Dataset", name="a", uri="/2")])
