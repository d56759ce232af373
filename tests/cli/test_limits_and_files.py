"""Huge answers are cut with a note, and file errors are one line (issue 14, findings 9 and 6).

``upstream``/``downstream`` show at most 1000 nodes unless ``--limit``/``--all`` say otherwise,
and say when there are more; ``--json`` is written node by node. ``export`` to a missing
directory and ``import mlmd`` of a damaged store end with one ``error:`` line and exit 1.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactType,
    EventType,
    Execution,
    ExecutionType,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

FANOUT = 1005  # one execution writes this many models: downstream of its input is FANOUT + 1


def _env(target: Neo4jTarget) -> dict[str, str | None]:
    return {"NEO4J_URI": target.uri, "NEO4J_USER": target.user,
            "NEO4J_PASSWORD": target.password, "NEO4J_DATABASE": target.database,
            "COLUMNS": "200"}  # fmt: skip


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def cli(args: list[str], env: dict[str, str | None]) -> Done:
    result = CliRunner().invoke(app, args, env=env)
    return Done(result.exit_code, result.stdout, result.stderr)


def assert_one_error_line(done: Done, *needles: str) -> str:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def fanout(neo4j_target: Neo4jTarget) -> dict[str, str | None]:
    """A dataset read by one execution that wrote FANOUT models; the env reaching it."""
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="Model"),
                         ExecutionType(name="Trainer")])  # fmt: skip
        events = [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="wide", uri="/d"),
                                   event_type=EventType.INPUT)]  # fmt: skip
        events += [
            ArtifactAndEvent(artifact=Artifact(type="Model", name=f"m{i}", uri=f"/m/{i}"),
                             event_type=EventType.OUTPUT)
            for i in range(FANOUT)
        ]
        store.put_execution(Execution(type="Trainer", name="wide-trainer"), events)
    finally:
        store.close()
    return _env(neo4j_target)


def test_downstream_shows_1000_by_default_and_says_there_are_more(
    fanout: dict[str, str | None],
) -> None:
    done = cli(["downstream", "Dataset:wide"], fanout)
    assert done.returncode == 0, done.stderr
    assert "more than 1000 nodes" in done.stderr
    assert "--limit" in done.stderr and "--all" in done.stderr
    # 1000 rows: models, and the execution if the walk's order put it among the first 1000.
    assert done.stdout.count("/m/") + done.stdout.count("wide-trainer") == 1000


def test_limit_and_all(fanout: dict[str, str | None]) -> None:
    done = cli(["downstream", "Dataset:wide", "--limit", "3", "--json"], fanout)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["artifacts"]) + len(doc["executions"]) == 3
    assert doc["partial"] is True and "more than 3 nodes" in doc["more"]
    done = cli(["downstream", "Dataset:wide", "--all", "--json"], fanout)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (len(doc["artifacts"]), len(doc["executions"])) == (FANOUT, 1)
    assert doc["partial"] is False and doc["more"] is None
    done = cli(["upstream", "Model:m7", "--json"], fanout)
    doc = json.loads(done.stdout)
    assert {n["name"] for n in doc["artifacts"]} == {"wide"} and doc["more"] is None


def test_export_to_a_missing_directory_is_one_line(
    neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "dir" / "x.json"
    done = cli(["export", "json", "-o", str(target)], _env(neo4j_target))
    assert_one_error_line(done, str(target), "No such file or directory")


def _corrupt_mlmd(path: Path) -> None:
    """An MLMD store whose header and schema read fine but whose data pages are garbage."""
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb

    good = path.with_name("good.sqlite")
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(good)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    type_id = store.put_artifact_type(pb.ArtifactType(name="Dataset"))
    store.put_artifacts([pb.Artifact(type_id=type_id, uri=f"/data/{i}" + "x" * 200, name=f"a{i}")
                         for i in range(300)])  # fmt: skip
    del store
    with sqlite3.connect(good) as con:
        page = int(con.execute("PRAGMA page_size").fetchone()[0])
    raw = bytearray(good.read_bytes())
    pages = len(raw) // page
    raw[(pages - 6) * page :] = b"\xff" * (len(raw) - (pages - 6) * page)
    path.write_bytes(bytes(raw))


def test_import_of_a_damaged_mlmd_store_is_one_line(
    neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    damaged = tmp_path / "corrupt.sqlite"
    _corrupt_mlmd(damaged)
    assert damaged.read_bytes().startswith(b"SQLite format 3\0")
    done = cli(["import", "mlmd", str(damaged)], _env(neo4j_target))
    line = assert_one_error_line(done, "MLMD")
    assert "SELECT" not in line  # the reason, not the SQL ml-metadata ran
