"""What every command shares (``lineage_graph.cli.common``), as a user sees it.

* ``--help`` and a query command load only what they need (the import cost of the CLI);
* the connection options work before the command (the root) and after it (they win);
* with ``--json`` an error is a JSON document on stdout, plus the one ``error:`` line on stderr;
* read-only commands never apply the schema; writing commands do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

ROOT = Path(__file__).resolve().parents[2]
CONNECTION_ENV = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
# Nothing of these may load for --help (issue 16): the driver, the server machinery, the
# Browser, interop, tracking, the store and what the store brings.
HEAVY = ("neo4j", "networkx", "lineage_graph.server", "lineage_graph.browser",
         "lineage_graph.interop", "lineage_graph.tracking", "lineage_graph.store",
         "lineage_graph.questions", "lineage_graph.lineage", "lineage_graph.demo")  # fmt: skip


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {"NEO4J_URI": target.uri, "NEO4J_USER": target.user,
           "NEO4J_PASSWORD": target.password}  # fmt: skip
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


def _subprocess_env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in CONNECTION_ENV}
    return {**clean, "PYTHONPATH": str(ROOT), **extra}


# Runs the CLI like ``python -m lineage_graph.cli`` and, at exit, writes every module the
# process holds: ``-X importtime`` would miss the modules loaded by ``importlib.import_module``
# (the root loads each command's module that way).
_RUN_AND_LIST = (
    "import atexit, json, os, sys\n"
    "atexit.register(lambda: open(os.environ['LG_MODULES_OUT'], 'w').write("
    "json.dumps(sorted(sys.modules))))\n"
    "sys.argv = ['lineage-graph', *sys.argv[1:]]\n"
    "from lineage_graph.cli import main\n"
    "main()\n"
)


def _imported(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str],
                                                              set[str]]:
    """Run the CLI with ARGS; the modules it imported."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "modules.json"
        done = subprocess.run(
            [sys.executable, "-c", _RUN_AND_LIST, *args],
            env={**env, "LG_MODULES_OUT": str(out)}, cwd=ROOT, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        modules = set(json.loads(out.read_text())) if out.exists() else set()
    return done, modules


# ---- import cost -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["--help"], ["show", "--help"], ["export", "json", "--help"], ["neo4j", "--help"]],
    ids=" ".join,
)  # fmt: skip
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    done, modules = _imported(args, _subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage" in done.stdout
    assert "lineage_graph.cli.app" in modules  # the parse worked
    assert sorted(m for m in modules if _under(m, HEAVY)) == []
    # Plain help: not rich's renderer. (A subcommand's help costs pydantic: typer >= 0.2x
    # validates the root's option values with pydantic before the subcommand runs.)
    heavy_for_help = ("rich", "pydantic") if args == ["--help"] else ("rich",)
    assert sorted(m for m in modules if _under(m, heavy_for_help)) == []


# The CLI modules a run may load besides the command's own (app, common) ...
_CLI_CORE = {"lineage_graph.cli", "lineage_graph.cli.app", "lineage_graph.cli.common"}


def test_root_help_loads_no_command_module() -> None:
    done, modules = _imported(["--help"], _subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "show" in done.stdout and "reproduce" in done.stdout
    assert sorted(m for m in modules if _under(m, ("lineage_graph.cli",))) == sorted(_CLI_CORE)


def test_show_help_loads_only_the_module_that_defines_show() -> None:
    done, modules = _imported(["show", "--help"], _subprocess_env())
    assert done.returncode == 0, done.stderr[-2000:]
    # cli.query registers deploy/alias (cli.deploy) and roles (cli.roles) as its own commands.
    own = {"lineage_graph.cli.query", "lineage_graph.cli.deploy", "lineage_graph.cli.roles"}
    cli = {m for m in modules if _under(m, ("lineage_graph.cli",))}
    assert sorted(cli) == sorted(_CLI_CORE | own)


def test_a_query_command_with_neo4j_uri_imports_no_server_or_browser(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget
) -> None:
    done, modules = _imported(["ls", "artifacts", "--json"],
                              _subprocess_env(**_env(neo4j_target)))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["count"] == 0
    assert "lineage_graph.store.neo4j" in modules
    server_or_browser = ("lineage_graph.server", "lineage_graph.browser")
    assert sorted(m for m in modules if _under(m, server_or_browser)) == []


def test_show_json_with_neo4j_uri_imports_only_what_a_point_question_needs(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget
) -> None:
    """Issue 16: a point question from the CLI costs the driver and the store, not the server
    machinery, the Browser, interop, tracking, rich's tables or networkx."""
    from lineage_graph.models import Artifact, ArtifactType

    neo4j_store.put_artifact_type(ArtifactType(name="Dataset"))
    [aid] = neo4j_store.put_artifacts([Artifact(type="Dataset", name="d", uri="s3://d")])
    done, modules = _imported(["show", f"a:{aid}", "--json"],
                              _subprocess_env(**_env(neo4j_target)))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["node"]["name"] == "d"
    assert "lineage_graph.store.neo4j" in modules
    unneeded = ("lineage_graph.server", "lineage_graph.browser", "lineage_graph.interop",
                "lineage_graph.tracking", "lineage_graph.demo", "rich", "networkx")  # fmt: skip
    assert sorted(m for m in modules if _under(m, unneeded)) == []
    cli = {m for m in modules if _under(m, ("lineage_graph.cli",))}
    assert cli - _CLI_CORE <= {"lineage_graph.cli.query", "lineage_graph.cli.deploy",
                               "lineage_graph.cli.roles", "lineage_graph.cli.output",
                               "lineage_graph.cli.refs"}  # fmt: skip


# ---- connection options --------------------------------------------------------------------------


@pytest.fixture
def no_env(tmp_path: Path) -> dict[str, str | None]:
    """CliRunner environment with no NEO4J_* and a home where no local server runs, so the
    only way to the database is the options on the command line."""
    return {**dict.fromkeys(CONNECTION_ENV), "LINEAGE_GRAPH_HOME": str(tmp_path / "home")}


def _invoke(args: list[str], env: Mapping[str, str | None]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, result.stdout, result.stderr


def _options(target: Neo4jTarget, password: str | None = None) -> list[str]:
    opts = ["--uri", target.uri, "--user", target.user,
            "--password", target.password if password is None else password]  # fmt: skip
    if target.database:
        opts += ["--database", target.database]
    return opts


def test_connection_options_before_the_command(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, no_env: dict[str, str | None],
    tmp_path: Path,
) -> None:
    code, out, err = _invoke([*_options(neo4j_target), "ls", "artifacts", "--json"], no_env)
    assert code == 0, err
    assert json.loads(out)["count"] == 0
    # A command group's command (export json) gets the root's options too.
    code, out, err = _invoke([*_options(neo4j_target), "export", "json", "-o",
                              str(tmp_path / "x.json"), "--json"], no_env)  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["format"] == "json"


def test_options_after_the_command_win_over_the_roots(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, no_env: dict[str, str | None],
) -> None:
    wrong = _options(neo4j_target, password="not-the-password")
    error = _json_error(*_invoke([*wrong, "ls", "artifacts", "--json"], no_env), 4,
                        "AuthenticationError")  # fmt: skip
    assert "credentials" in error["message"]
    code, out, err = _invoke(
        [*wrong, "ls", "artifacts", "--json", "--password", neo4j_target.password], no_env
    )
    assert code == 0, err
    assert json.loads(out)["items"] == []


def test_without_a_uri_or_a_local_server_the_error_says_what_to_do(
    no_env: dict[str, str | None],
) -> None:
    code, out, err = _invoke(["ls", "artifacts"], no_env)
    assert code == 4 and out == ""
    assert err.startswith("error: no Neo4j") and "NEO4J_URI" in err and err.count("\n") == 1


# ---- --json errors -------------------------------------------------------------------------------


def _json_error(code: int, out: str, err: str, exit_code: int, kind: str) -> dict[str, Any]:
    assert code == exit_code, (code, out, err)
    doc = json.loads(out)  # exactly one document on stdout
    error = doc["error"]
    assert error["type"] == kind and error["exit_code"] == exit_code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"error: {error['message']}"
    return error  # type: ignore[no-any-return]


def test_json_errors_caller_usage_and_backend(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget,
) -> None:
    env = _env(neo4j_target)
    error = _json_error(*_invoke(["show", "999999", "--json"], env), 1, "NotFoundError")
    assert "999999" in error["message"] and error["field"] is None
    error = _json_error(*_invoke(["ls", "executions", "--state", "DONE", "--json"], env), 1,
                        "InvalidInputError")  # fmt: skip
    assert error["field"] == "state"
    # A usage error raised before the command parsed its --json still answers in JSON.
    error = _json_error(*_invoke(["show", "--kind", "widget", "1", "--json"], env), 2,
                        "UsageError")  # fmt: skip
    assert "--kind" in error["message"] and error["field"] == "kind"
    unreachable = {"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x"}
    error = _json_error(*_invoke(["export", "json", "-o", os.devnull, "--json"], unreachable),
                        4, "UnavailableError")  # fmt: skip
    assert "127.0.0.1:9" in error["message"]


def test_without_json_an_error_is_only_the_stderr_line(neo4j_target: Neo4jTarget) -> None:
    code, out, err = _invoke(["show", "999999"], _env(neo4j_target))
    assert code == 1 and out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_json_error_from_the_installed_command(neo4j_target: Neo4jTarget) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", "upstream", "Model:", "--json"],
        env=_subprocess_env(**_env(neo4j_target)), cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    error = _json_error(done.returncode, done.stdout, done.stderr, 1, "InvalidInputError")
    assert error["field"] == "REF"


# ---- the schema: applied by writers only --------------------------------------------------------


def _schema_versions(target: Neo4jTarget) -> int:
    with neo4j.GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as d:
        records, _, _ = d.execute_query(
            "MATCH (v:SchemaVersion) RETURN count(v) AS n", database_=target.database
        )
        return int(records[0]["n"])


def test_read_only_commands_never_apply_the_schema(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    """The schema's last statement MERGEs the ``SchemaVersion`` node: with it deleted, reads
    must leave it deleted, and the first write must bring it back."""
    env = _env(neo4j_target)
    with neo4j.GraphDatabase.driver(
        neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)
    ) as driver:
        driver.execute_query("MATCH (v:SchemaVersion) DELETE v", database_=neo4j_target.database)
    try:
        assert _schema_versions(neo4j_target) == 0
        reads = [
            ["export", "json", "-o", str(tmp_path / "all.json")],
            ["export", "graphml", "-o", str(tmp_path / "all.graphml")],
            ["export", "openlineage", "-o", str(tmp_path / "all.jsonl")],
            ["ls", "artifacts"],
            ["incidents"],
            ["show", "1"],  # not found: exit 1, still a read
        ]
        for args in reads:
            code, _, err = _invoke(args, env)
            assert code in (0, 1), (args, err)
            assert _schema_versions(neo4j_target) == 0, f"{args} applied the schema"
        empty = tmp_path / "none.jsonl"
        empty.write_text("")
        code, out, err = _invoke(["import", "openlineage", str(empty), "--json"], env)
        assert code == 0, err
        assert json.loads(out)["accepted"] == 0
        assert _schema_versions(neo4j_target) == 1, "a writing command applies the schema"
    finally:
        neo4j_store.init_schema()
