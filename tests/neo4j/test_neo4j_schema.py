"""The schema: applied idempotently, enforced by the database itself, kept by clear()."""

from __future__ import annotations

import json

import pytest
from neo4j import Driver
from neo4j.exceptions import ConstraintError
from typer.testing import CliRunner

from lineage_graph.cli.app import app
from lineage_graph.queries import schema
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore


def _names(driver: Driver, what: str) -> set[str]:
    with driver.session() as s:
        return {r["name"] for r in s.run(f"SHOW {what} YIELD name")}


def test_apply_schema_twice_is_idempotent(neo4j_store: Neo4jStore, raw_driver: Driver) -> None:
    # The session fixture already applied it once: every statement now reports no change.
    steps = neo4j_store.apply_schema()
    assert [s.name for s in steps] == [q.name for q in schema()]
    assert not any(s.created for s in steps)
    constraints_before = _names(raw_driver, "CONSTRAINTS")
    indexes_before = _names(raw_driver, "INDEXES")
    neo4j_store.init_schema()
    assert _names(raw_driver, "CONSTRAINTS") == constraints_before
    assert _names(raw_driver, "INDEXES") == indexes_before
    for name in ("artifact_id", "artifact_type_and_name", "execution_external_id",
                 "contexttype_name", "counter_kind", "incident_id"):
        assert name in constraints_before
    for name in ("artifact_by_uri", "artifact_by_state", "execution_by_last_known_state",
                 "context_by_create_time", "artifact_by_seq"):
        assert name in indexes_before
    with raw_driver.session() as s:
        assert s.run("MATCH (v:SchemaVersion) RETURN collect(v.version) AS v").single()["v"] == [1]


def test_every_schema_statement_is_if_not_exists_or_merge() -> None:
    for q in schema():
        assert "IF NOT EXISTS" in q.text or q.text.lstrip("/ \n").find("MERGE") >= 0, q.name


def test_composite_type_name_uniqueness_is_enforced_by_the_database(
    neo4j_store: Neo4jStore, raw_driver: Driver
) -> None:
    """Community 5.26 supports composite uniqueness: even a writer bypassing the store
    cannot create a second (type, name)."""
    with raw_driver.session() as s:
        s.run("CREATE (:Artifact {id: 1, type: 'D', name: 'x'})").consume()
        with pytest.raises(ConstraintError):
            s.run("CREATE (:Artifact {id: 2, type: 'D', name: 'x'})").consume()
        # Unnamed nodes are exempt (a constraint ignores nodes missing a property).
        s.run("CREATE (:Artifact {id: 3, type: 'D'}), (:Artifact {id: 4, type: 'D'})").consume()
        with pytest.raises(ConstraintError):
            s.run("CREATE (:Artifact {id: 5, type: 'E', external_id: 'x1'}),"
                  " (:Artifact {id: 6, type: 'F', external_id: 'x1'})").consume()


def test_clear_keeps_schema_and_version(neo4j_store: Neo4jStore, raw_driver: Driver) -> None:
    constraints = _names(raw_driver, "CONSTRAINTS")
    with raw_driver.session() as s:
        s.run("UNWIND range(1, 2500) AS i CREATE (:Artifact {id: i})-[:INPUT]->"
              "(:Execution {id: i})").consume()
    neo4j_store.clear()
    stats = neo4j_store.stats()
    assert (stats["artifacts"], stats["executions"], stats["relationships"]) == (0, 0, 0)
    assert stats["counters"] == {}
    assert _names(raw_driver, "CONSTRAINTS") == constraints
    with raw_driver.session() as s:
        assert s.run("MATCH (v:SchemaVersion) RETURN count(v) AS n").single()["n"] == 1


def test_cli_init_reports_and_is_idempotent(neo4j_target: Neo4jTarget) -> None:
    args = ["init", "--json", "--uri", neo4j_target.uri, "--user", neo4j_target.user,
            "--password", neo4j_target.password]
    if neo4j_target.database:
        args += ["--database", neo4j_target.database]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["created"] == []  # the session already applied it
    assert doc["already_present"] == [q.name for q in schema()]
    human = CliRunner().invoke(app, args[:1] + args[2:])
    assert human.exit_code == 0
    assert f"0 created, {len(schema())} already present" in human.stdout


def test_cli_init_unreachable_server_is_one_line_and_exit_4() -> None:
    result = CliRunner().invoke(
        app, ["init", "--uri", "bolt://127.0.0.1:1", "--password", "x", "--no-start"]
    )
    assert result.exit_code == 4
    assert result.stderr.startswith("error: Neo4j is unreachable")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
