"""Fixtures for Neo4j-only tests: a store whose driver counts sessions, transactions and
statements (round trips), and small helpers to look at the raw graph."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase

from lineage_graph.models import ArtifactType, ContextType, ExecutionType, PropertyType
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

P = PropertyType
TYPES = [
    ArtifactType(name="Dataset", properties={"rows": P.INT, "meta": P.STRUCT}),
    ArtifactType(name="mlmd.Model", properties={"accuracy": P.DOUBLE}),
    ExecutionType(name="Trainer", properties={"lr": P.DOUBLE}),
    ContextType(name="Pipeline"),
]


@dataclass
class Counts:
    sessions: int = 0
    transactions: int = 0  # transaction-function attempts and auto-commit runs
    statements: int = 0  # every query sent: one network round trip each

    def reset(self) -> None:
        self.sessions = self.transactions = self.statements = 0


class _CountingTx:
    def __init__(self, tx: Any, counts: Counts) -> None:
        self._tx, self._counts = tx, counts

    def run(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        self._counts.statements += 1
        return self._tx.run(query, parameters, **kwargs)


class _CountingSession:
    def __init__(self, session: Any, counts: Counts) -> None:
        self._s, self._counts = session, counts

    def __enter__(self) -> _CountingSession:
        self._s.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._s.__exit__(*exc)

    def _wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(tx: Any, *args: Any, **kwargs: Any) -> Any:
            self._counts.transactions += 1
            return fn(_CountingTx(tx, self._counts), *args, **kwargs)

        return wrapped

    def execute_write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._s.execute_write(self._wrap(fn), *args, **kwargs)

    def execute_read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._s.execute_read(self._wrap(fn), *args, **kwargs)

    def run(self, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
        self._counts.transactions += 1
        self._counts.statements += 1
        return self._s.run(query, parameters, **kwargs)


class CountingDriver:
    """Wraps a real driver; every session, transaction and statement is counted."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.counts = Counts()

    def session(self, **kwargs: Any) -> _CountingSession:
        self.counts.sessions += 1
        return _CountingSession(self.driver.session(**kwargs), self.counts)

    def verify_connectivity(self) -> None:
        self.driver.verify_connectivity()

    def close(self) -> None:
        self.driver.close()


@pytest.fixture(scope="session")
def raw_driver(neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    driver = GraphDatabase.driver(
        neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)
    )
    yield driver
    driver.close()


@pytest.fixture
def counted(neo4j_store: Neo4jStore, raw_driver: Driver, neo4j_target: Neo4jTarget) -> Iterator[
    tuple[Neo4jStore, Counts]
]:
    """A Neo4j store (clean database, test types put) whose round trips are counted."""
    neo4j_store.put_types(TYPES)
    driver = CountingDriver(raw_driver)
    store = Neo4jStore(driver, neo4j_target.database)  # type: ignore[arg-type]
    yield store, driver.counts
    store.close()


@pytest.fixture
def typed_neo4j(neo4j_store: Neo4jStore) -> Neo4jStore:
    """The clean Neo4j store with the test types put."""
    neo4j_store.put_types(TYPES)
    return neo4j_store


def graph_counts(store: Neo4jStore) -> dict[str, Any]:
    """Nodes per kind, relationships, types and counter values: "nothing written" checks."""
    return store.stats()
