"""History never goes to a throwaway container unless asked (issue 14, finding 8).

With a Docker engine answering (a fake socket) and no ``NEO4J_URI``, ``connect()`` and
``run()`` go to the local server; a container only with ``allow_docker=True`` or
``LINEAGE_GRAPH_DOCKER=1``. ``resolve()`` itself keeps its order (the test session uses it).
Neither a container nor a server is really started: both starters are replaced by recorders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lineage_graph
from lineage_graph.errors import UnavailableError
from lineage_graph.server import LocalServer, resolve
from lineage_graph.server import docker as docker_module


class Started(Exception):
    """Raised by the recording starters: which one the resolver chose."""


@pytest.fixture
def chosen(
    isolated_env: pytest.MonkeyPatch, fake_engine: str, tmp_path: Path
) -> pytest.MonkeyPatch:
    env = isolated_env
    env.setenv("DOCKER_HOST", fake_engine)
    env.delenv("LINEAGE_GRAPH_DOCKER")
    env.setenv("LINEAGE_GRAPH_HOME", str(tmp_path))  # no local server runs there
    env.setattr(docker_module, "testcontainers_installed", lambda: True)

    def container(*_: object, **__: object) -> None:
        raise Started("docker")

    def local(*_: object, **__: object) -> None:
        raise Started("local")

    env.setattr(docker_module, "start_container", container)
    env.setattr(LocalServer, "start", local)
    assert docker_module.usable()  # a container would be possible here
    return env


def _choice(call: object) -> str:
    with pytest.raises(Started) as caught:
        call()  # type: ignore[operator]
    return str(caught.value)


def test_connect_and_run_never_pick_docker_by_default(chosen: pytest.MonkeyPatch) -> None:
    assert _choice(lineage_graph.connect) == "local"
    assert _choice(lambda: lineage_graph.run("nightly")) == "local"


def test_docker_only_when_asked(chosen: pytest.MonkeyPatch) -> None:
    assert _choice(lambda: lineage_graph.connect(allow_docker=True)) == "docker"
    chosen.setenv("LINEAGE_GRAPH_DOCKER", "1")
    assert _choice(lineage_graph.connect) == "docker"
    assert _choice(lambda: lineage_graph.run("nightly")) == "docker"
    chosen.setenv("LINEAGE_GRAPH_DOCKER", "0")
    assert _choice(lambda: lineage_graph.connect(allow_docker=True)) == "local"


def test_resolver_order_is_unchanged(chosen: pytest.MonkeyPatch) -> None:
    assert _choice(lambda: resolve(start=True)) == "docker"
    assert _choice(lambda: resolve(start=True, docker_ok=False)) == "local"
    with pytest.raises(UnavailableError, match="no local server is running"):
        lineage_graph.connect(start=False)
