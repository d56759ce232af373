"""The resolver's order: NEO4J_URI, the recorded local server, (Docker), provisioning."""

from __future__ import annotations

import stat
from pathlib import Path

import neo4j
import pytest

from lineage_graph.errors import UnavailableError
from lineage_graph.server import LocalServer, Neo4jTarget, Paths, resolve


def test_provisions_when_nothing_else(provisioned: tuple[Paths, Neo4jTarget]) -> None:
    paths, target = provisioned
    assert target.source == "provisioned"
    assert target.uri.startswith("bolt://127.0.0.1:")
    assert target.user == "neo4j"
    assert target.password not in ("", "neo4j", "password")
    assert target.browser_url is not None and "/browser/" in target.browser_url
    # Databases and logs live in the home's data dir, the password in its state dir, 0600.
    assert (paths.data_dir / "databases" / "neo4j").is_dir()
    assert (paths.logs_dir / "neo4j.log").is_file()
    assert stat.S_IMODE(paths.password_file.stat().st_mode) == 0o600
    assert paths.password_file.read_text().strip() == target.password


def test_password_is_never_shown(provisioned: tuple[Paths, Neo4jTarget]) -> None:
    paths, target = provisioned
    assert target.password not in repr(target)
    state = LocalServer(paths).status()
    assert state is not None
    cmdline = Path(f"/proc/{state.pid}/cmdline").read_bytes().decode()
    assert target.password not in cmdline
    for log in paths.logs_dir.glob("*.log"):
        assert target.password not in log.read_text(errors="replace"), log.name


def test_cypher_round_trip(provisioned: tuple[Paths, Neo4jTarget]) -> None:
    _, target = provisioned
    with neo4j.GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as driver:
        driver.execute_query("CREATE (:RoundTrip {name: $name, n: $n})", name="answer", n=42)
        records, _, _ = driver.execute_query(
            "MATCH (r:RoundTrip {name: $name}) RETURN r.n AS n", name="answer"
        )
        driver.execute_query("MATCH (r:RoundTrip) DELETE r")
    assert [record["n"] for record in records] == [42]


def test_recorded_local_server_is_reused(
    provisioned: tuple[Paths, Neo4jTarget], isolated_env: pytest.MonkeyPatch
) -> None:
    paths, first = provisioned
    pid = LocalServer(paths).status()
    assert pid is not None
    found = resolve(start=False, paths=paths)
    assert (found.source, found.uri, found.password) == ("local", first.uri, first.password)
    again = resolve(start=True, paths=paths)  # still no second server
    assert again.source == "local"
    assert LocalServer(paths).status() == pid


def test_neo4j_uri_wins_over_the_local_server(
    provisioned: tuple[Paths, Neo4jTarget], isolated_env: pytest.MonkeyPatch
) -> None:
    paths, local = provisioned
    isolated_env.setenv("NEO4J_URI", local.uri.replace("bolt://", "neo4j://"))
    isolated_env.setenv("NEO4J_PASSWORD", local.password)
    isolated_env.setenv("NEO4J_DATABASE", "neo4j")
    found = resolve(start=True, paths=paths)
    assert found.source == "env"
    assert found.uri.startswith("neo4j://")  # routing URIs are taken as given
    assert (found.user, found.database) == ("neo4j", "neo4j")


def test_unusable_neo4j_uri_is_an_error_not_a_fallback(
    provisioned: tuple[Paths, Neo4jTarget], isolated_env: pytest.MonkeyPatch
) -> None:
    paths, local = provisioned
    isolated_env.setenv("NEO4J_URI", local.uri)
    isolated_env.setenv("NEO4J_PASSWORD", "not-the-password")
    with pytest.raises(UnavailableError, match=r"NEO4J_URI.*refused the credentials"):
        resolve(start=True, paths=paths)
    isolated_env.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    with pytest.raises(UnavailableError, match="NEO4J_URI is set but unusable"):
        resolve(start=True, paths=paths)


def test_without_start_nothing_is_started(isolated_env: pytest.MonkeyPatch, home: Paths) -> None:
    paths = home
    with pytest.raises(UnavailableError, match="lineage-graph neo4j start"):
        resolve(start=False, paths=paths)
    assert not paths.state_file.exists()
    assert not paths.server_home.exists()
