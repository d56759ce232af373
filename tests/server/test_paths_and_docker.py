"""Unit tests without a server: directory layout and the Docker engine check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lineage_graph.errors import UnavailableError
from lineage_graph.server import Paths
from lineage_graph.server.docker import engine_answers, start_container, usable


def test_home_puts_cache_data_and_state_under_it(
    isolated_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolated_env.setenv("LINEAGE_GRAPH_HOME", str(tmp_path))
    isolated_env.delenv("LINEAGE_GRAPH_CACHE", raising=False)
    paths = Paths.from_env()
    assert paths.cache == tmp_path / "cache"
    assert paths.data_dir == tmp_path / "data" / "neo4j" / "data"
    assert paths.password_file == tmp_path / "state" / "password"


def test_cache_override_moves_only_the_jars(
    isolated_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolated_env.setenv("LINEAGE_GRAPH_HOME", str(tmp_path / "home"))
    isolated_env.setenv("LINEAGE_GRAPH_CACHE", str(tmp_path / "jars"))
    paths = Paths.from_env()
    assert paths.cache == tmp_path / "jars"
    assert paths.state == tmp_path / "home" / "state"


def test_engine_check_sees_an_answering_engine(
    isolated_env: pytest.MonkeyPatch, fake_engine: str
) -> None:
    isolated_env.setenv("DOCKER_HOST", fake_engine)
    isolated_env.delenv("LINEAGE_GRAPH_DOCKER")
    assert engine_answers() is True
    isolated_env.setenv("LINEAGE_GRAPH_DOCKER", "0")  # the user's veto wins
    assert engine_answers() is False


def test_engine_check_is_false_without_engine(
    isolated_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolated_env.delenv("LINEAGE_GRAPH_DOCKER")
    isolated_env.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    assert engine_answers() is False
    isolated_env.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    assert engine_answers() is False


@pytest.fixture
def without_testcontainers(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the optional ``docker`` extra were not installed."""
    for name in ("testcontainers", "testcontainers.neo4j"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails, find_spec says None


@pytest.mark.usefixtures("without_testcontainers")
def test_without_testcontainers_docker_is_skipped_unless_requested(
    isolated_env: pytest.MonkeyPatch, fake_engine: str
) -> None:
    isolated_env.setenv("DOCKER_HOST", fake_engine)
    isolated_env.delenv("LINEAGE_GRAPH_DOCKER")
    assert engine_answers() is True
    assert usable() is False  # automatic: the local server serves instead
    isolated_env.setenv("LINEAGE_GRAPH_DOCKER", "1")  # requested: say what is missing
    with pytest.raises(UnavailableError, match=r"pip install 'lineage-graph\[docker\]'") as info:
        usable()
    assert "\n" not in str(info.value)


@pytest.mark.usefixtures("without_testcontainers")
def test_starting_a_container_without_testcontainers_is_one_clear_line() -> None:
    with pytest.raises(UnavailableError, match="testcontainers is not installed") as info:
        start_container()
    assert "\n" not in str(info.value)


def test_importing_the_server_does_not_import_testcontainers() -> None:
    code = "import sys, lineage_graph.server; print('testcontainers' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.strip() == "False"
