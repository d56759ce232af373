"""Fixtures for the server tests: temporary homes that share the user's jar cache.

Every home here is a fresh ``LINEAGE_GRAPH_HOME`` layout under pytest's tmp dir, so these
tests never touch the user's own local server; they reuse the real jar cache so that only the
first run on a machine downloads. Servers started here are stopped in teardown.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lineage_graph.server import LocalServer, Neo4jTarget, Paths, resolve
from lineage_graph.server.maven import ensure_jars

ISOLATING_ENV = (
    "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE",
    "LINEAGE_GRAPH_HOME", "LINEAGE_GRAPH_BOLT_PORT", "LINEAGE_GRAPH_HTTP_PORT",
    "LINEAGE_GRAPH_START_TIMEOUT", "LINEAGE_GRAPH_MAVEN_REPO", "LINEAGE_GRAPH_MAVEN_ARGS",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def temp_paths(root: Path, cache: Path) -> Paths:
    return Paths(cache=cache, data_root=root / "data", state=root / "state")


@pytest.fixture
def home(tmp_path: Path, jar_cache: Path) -> Paths:
    """An empty temporary home sharing the user's jar cache."""
    return temp_paths(tmp_path, jar_cache)


@pytest.fixture(name="free_port")
def _free_port() -> Callable[[], int]:
    """Gives an unused TCP port on 127.0.0.1 per call."""
    return free_port


@pytest.fixture(scope="session")
def jar_cache() -> Path:
    """The user's jar cache, filled now if empty (the one download of a fresh machine)."""
    cache = Paths.from_env().cache
    ensure_jars(cache)
    return cache


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No NEO4J_URI, no Docker, no port/home overrides from the caller's shell."""
    for name in ISOLATING_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINEAGE_GRAPH_DOCKER", "0")
    return monkeypatch


@pytest.fixture(scope="module")
def provisioned(
    tmp_path_factory: pytest.TempPathFactory, jar_cache: Path
) -> Iterator[tuple[Paths, Neo4jTarget]]:
    """A server provisioned by ``resolve()`` in an empty temporary home (stopped afterwards)."""
    paths = temp_paths(tmp_path_factory.mktemp("home"), jar_cache)
    with pytest.MonkeyPatch.context() as env:
        for name in ISOLATING_ENV:
            env.delenv(name, raising=False)
        env.setenv("LINEAGE_GRAPH_DOCKER", "0")
        # Free ports, so that 7687/7474 stay for the user's own server.
        env.setenv("LINEAGE_GRAPH_BOLT_PORT", str(free_port()))
        env.setenv("LINEAGE_GRAPH_HTTP_PORT", str(free_port()))
        target = resolve(start=True, paths=paths)
    try:
        yield paths, target
    finally:
        LocalServer(paths).stop()


@pytest.fixture
def fake_engine() -> Iterator[str]:
    """A unix socket answering ``/_ping`` like the Docker engine does."""
    directory = tempfile.mkdtemp(prefix="lgd", dir="/tmp")  # socket paths must be short
    path = f"{directory}/docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")

    threading.Thread(target=serve, daemon=True).start()
    yield f"unix://{path}"
    server.close()
    Path(path).unlink(missing_ok=True)
    Path(directory).rmdir()
