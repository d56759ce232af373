"""Shared fixtures: a real Neo4j for the whole session (through the resolver), clean per test.

Missing infrastructure fails the test with the resolver's message; nothing skips silently.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lineage_graph.errors import UnavailableError
from lineage_graph.server import Neo4jTarget, resolve
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    """The session's Neo4j: NEO4J_URI, a running local server, Docker, or one provisioned now.

    Tests empty the database between tests, so two test sessions on one server would wipe each
    other's data: a session holds an exclusive lock on the server for its whole run, and a
    second session waits for it.
    """
    try:
        target = resolve(start=True)
    except UnavailableError as exc:
        pytest.fail(f"these tests need a real Neo4j and none could be had: {exc}", pytrace=False)
    key = hashlib.sha256(f"{target.uri} {target.database}".encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"lineage-graph-tests-{key}.lock"
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(f"waiting for another test session on {target.uri} to finish\n")
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write(str(os.getpid()))
        lock.flush()
        yield target


@pytest.fixture(scope="session")
def _neo4j_session_store(neo4j_target: Neo4jTarget) -> Iterator[Neo4jStore]:
    store = Neo4jStore.from_target(neo4j_target)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture
def neo4j_store(_neo4j_session_store: Neo4jStore) -> Neo4jStore:
    """A Neo4j store with an empty database (schema kept)."""
    _neo4j_session_store.clear()
    return _neo4j_session_store


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture(params=["memory", "neo4j"])
def store(request: pytest.FixtureRequest) -> MemoryStore | Neo4jStore:
    """Both backends, one after the other: the contract every backend keeps."""
    name = "memory_store" if request.param == "memory" else "neo4j_store"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
