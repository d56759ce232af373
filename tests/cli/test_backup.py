"""``lineage-graph backup|restore``: the error cases, without a server (fast).

The round trip through a real server is ``tests/torture/test_local_server.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    """A user with an empty home (no local server was ever set up) and no NEO4J_URI."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("NEO4J_", "LINEAGE_GRAPH_"))}  # fmt: skip
    unset: dict[str, str | None] = {k: None for k in os.environ if k not in clean}
    return {**unset, **clean, "LINEAGE_GRAPH_HOME": str(tmp_path / "home"),
            "LINEAGE_GRAPH_DOCKER": "0"}  # fmt: skip


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, env: dict[str, str | None]) -> Done:
    result = CliRunner().invoke(app, list(args), env=env)
    return Done(result.exit_code, result.stdout, result.stderr)


def one_error_line(done: Done, code: int) -> str:
    assert done.returncode == code, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_backup_of_a_remote_server_says_what_to_do(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    remote = {**env, "NEO4J_URI": "neo4j+s://example.databases.neo4j.io"}
    line = one_error_line(cli("backup", str(tmp_path / "x.dump"), env=remote), 1)
    assert "neo4j-admin database dump" in line and "lineage-graph export json" in line
    line = one_error_line(
        cli("--uri", "bolt://db:7687", "restore", str(tmp_path / "x.dump"), env=env), 1
    )
    assert "bolt://db:7687" in line


def test_backup_without_a_local_server(env: dict[str, str | None], tmp_path: Path) -> None:
    line = one_error_line(cli("backup", str(tmp_path / "x.dump"), env=env), 4)
    assert "no local Neo4j was set up" in line
    assert not (tmp_path / "x.dump").exists()


def test_backup_into_a_missing_directory(env: dict[str, str | None], tmp_path: Path) -> None:
    line = one_error_line(cli("backup", str(tmp_path / "no" / "x.dump"), env=env), 1)
    assert str(tmp_path / "no") in line


def test_restore_needs_a_file_and_a_yes(env: dict[str, str | None], tmp_path: Path) -> None:
    line = one_error_line(cli("restore", str(tmp_path / "missing.dump"), env=env), 1)
    assert "missing.dump" in line
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"not a dump")
    line = one_error_line(cli("restore", str(dump), env=env), 1)
    assert "--yes" in line  # no terminal to ask: never replace the database unasked
    line = one_error_line(cli("restore", str(dump), "--yes", env=env), 4)
    assert "no local Neo4j was set up" in line
