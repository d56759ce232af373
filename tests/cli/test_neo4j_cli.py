"""``lineage-graph neo4j ...`` as a user runs it: a subprocess, in a temporary home.

Each test gets an empty ``LINEAGE_GRAPH_HOME`` that shares the user's jar cache, and no
NEO4J_URI; servers started here are stopped at the end of the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.server import NEO4J_VERSION, LocalServer, Paths
from lineage_graph.server.maven import ensure_jars

CLEARED = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "JAVA_HOME")


@pytest.fixture(scope="module")
def jar_cache() -> Path:
    cache = Paths.from_env().cache
    ensure_jars(cache)
    return cache


@pytest.fixture
def env(tmp_path: Path, jar_cache: Path) -> dict[str, str]:
    """The environment of a user with a fresh home and a filled jar cache."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in CLEARED and not k.startswith("LINEAGE_GRAPH_")
    }
    return {
        **clean,
        "LINEAGE_GRAPH_HOME": str(tmp_path / "home"),
        "LINEAGE_GRAPH_CACHE": str(jar_cache),
        "LINEAGE_GRAPH_DOCKER": "0",
    }


@pytest.fixture
def java_only_path(tmp_path: Path) -> str:
    """A PATH holding java and nothing else (so no mvn)."""
    real = subprocess.run(
        ["sh", "-c", 'readlink -f "$(command -v java)"'], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert real, "these tests need java on PATH"
    bin_dir = tmp_path / "java-only-bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(real)
    return str(bin_dir)


def cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", *args],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 4, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_java_missing(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "empty-bin").mkdir()
    done = cli("neo4j", "start", env={**env, "PATH": str(tmp_path / "empty-bin")})
    assert_one_line_error(done, "Java is not installed", "Java 17 or 21")


def test_maven_missing_when_the_cache_is_empty(
    env: dict[str, str], java_only_path: str, tmp_path: Path
) -> None:
    env = {**env, "PATH": java_only_path, "LINEAGE_GRAPH_CACHE": str(tmp_path / "empty-cache")}
    done = cli("neo4j", "start", env=env)
    assert_one_line_error(done, "Maven is not installed", "mvn")


def test_download_failure(env: dict[str, str], tmp_path: Path) -> None:
    cache = tmp_path / "empty-cache"
    env = {
        **env,
        "LINEAGE_GRAPH_CACHE": str(cache),
        # Nothing listens there, and an empty local repository forces Maven to ask it.
        "LINEAGE_GRAPH_MAVEN_REPO": f"http://127.0.0.1:{free_port()}/maven2",
        "LINEAGE_GRAPH_MAVEN_ARGS": f"-Dmaven.repo.local={tmp_path / 'empty-m2'}",
    }
    done = cli("neo4j", "start", env=env)
    assert_one_line_error(done, "could not download Neo4j", "LINEAGE_GRAPH_MAVEN_REPO")
    assert not list(cache.glob("*/lib")), "no half-filled jar directory is left"


def test_port_in_use(env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = cli("neo4j", "start", "--bolt-port", str(port), env=env)
        assert_one_line_error(done, f"Bolt port {port} is already in use", "--bolt-port")
        done = cli("neo4j", "start", env={**env, "LINEAGE_GRAPH_HTTP_PORT": str(port)})
        assert_one_line_error(done, f"HTTP port {port} is already in use")


@pytest.fixture
def lifecycle_env(env: dict[str, str], java_only_path: str) -> Iterator[dict[str, str]]:
    # No mvn on PATH and an unreachable repository: a cached start needs neither.
    env = {**env, "PATH": java_only_path, "LINEAGE_GRAPH_MAVEN_REPO": "http://127.0.0.1:9/"}
    env["LINEAGE_GRAPH_BOLT_PORT"], env["LINEAGE_GRAPH_HTTP_PORT"] = (
        str(free_port()),
        str(free_port()),
    )
    yield env
    home = Path(env["LINEAGE_GRAPH_HOME"])
    LocalServer(Paths(cache=Path(env["LINEAGE_GRAPH_CACHE"]), data_root=home / "data",
                      state=home / "state")).stop()  # fmt: skip


def test_start_stop_status_lifecycle(lifecycle_env: dict[str, str]) -> None:
    env = lifecycle_env
    state_file = Path(env["LINEAGE_GRAPH_HOME"]) / "state" / "server.json"

    # A stale record (its process is gone) does not fool status, and is cleaned up.
    dead = subprocess.Popen(["true"])
    dead.wait()
    state_file.parent.mkdir(parents=True)
    state_file.write_text(json.dumps({
        "pid": dead.pid, "bolt_port": 1, "http_port": 2, "version": NEO4J_VERSION,
        "server_home": "/nowhere", "started_at": 0,
    }))  # fmt: skip
    done = cli("neo4j", "status", "--json", env=env)
    assert done.returncode == 3 and json.loads(done.stdout)["running"] is False
    assert not state_file.exists()

    started = cli("neo4j", "start", "--json", env=env)
    assert started.returncode == 0, started.stderr
    doc = json.loads(started.stdout)
    assert doc["started"] is True and doc["running"] is True
    assert doc["uri"] == f"bolt://127.0.0.1:{env['LINEAGE_GRAPH_BOLT_PORT']}"
    assert doc["browser_url"].startswith(
        f"http://127.0.0.1:{env['LINEAGE_GRAPH_HTTP_PORT']}/browser/"
    )
    assert doc["data_dir"].startswith(env["LINEAGE_GRAPH_HOME"])
    pid = doc["pid"]

    again = cli("neo4j", "start", env=env)
    assert again.returncode == 0 and f"already running (pid {pid})" in again.stdout

    status = cli("neo4j", "status", "--json", env=env)
    assert status.returncode == 0
    doc = json.loads(status.stdout)
    assert (doc["running"], doc["answering"], doc["pid"]) == (True, True, pid)
    assert doc["version"] == NEO4J_VERSION
    assert {"uri", "browser_url", "data_dir"} <= doc.keys()

    password = cli("neo4j", "password", env=env).stdout.strip()
    assert password and password not in status.stdout + started.stdout + again.stdout
    with neo4j.GraphDatabase.driver(doc["uri"], auth=("neo4j", password)) as driver:
        records, _, _ = driver.execute_query("RETURN $x * 2 AS y", x=21)
    assert records[0]["y"] == 42

    logs = cli("neo4j", "logs", "-n", "20", env=env)
    assert logs.returncode == 0 and "Started." in logs.stdout

    stopped = cli("neo4j", "stop", env=env)
    assert stopped.returncode == 0 and f"Stopped Neo4j (pid {pid})" in stopped.stdout
    assert not process_alive(pid)
    second = cli("neo4j", "stop", env=env)
    assert second.returncode == 0 and "not running" in second.stdout
    final = cli("neo4j", "status", env=env)
    assert final.returncode == 3 and "not running" in final.stdout


def test_help_lists_the_neo4j_commands() -> None:
    result = CliRunner().invoke(app, ["neo4j", "--help"])
    assert result.exit_code == 0
    for command in ("start", "stop", "status", "logs", "password"):
        assert command in result.output
