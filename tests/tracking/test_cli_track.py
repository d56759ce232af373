"""``lineage-graph ls`` and ``lineage-graph watch`` against real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, Model, run, step


@step
def make_model(data: Dataset, out: str, fail: bool = False) -> Model:
    if fail:
        raise RuntimeError("no GPU")
    Path(out).write_text(Path(data).read_text() + "!")
    return Model(out)


@pytest.fixture
def env(neo4j_target: Neo4jTarget) -> dict[str, str]:
    e = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
         "NEO4J_PASSWORD": neo4j_target.password}
    if neo4j_target.database:
        e["NEO4J_DATABASE"] = neo4j_target.database
    return e


@pytest.fixture
def history(neo4j_store: Store, tmp_path: Path) -> Store:
    """Two models (two runs) and one failed execution."""
    raw = tmp_path / "raw.txt"
    raw.write_text("a")
    for i in (1, 2):
        with run(pipeline="cli", name=f"run-{i}", store=neo4j_store):
            make_model(Dataset(raw), out=str(tmp_path / f"m{i}.bin"))
    with pytest.raises(RuntimeError), run(pipeline="cli", name="run-3", store=neo4j_store):
        make_model(Dataset(raw), out=str(tmp_path / "m3.bin"), fail=True)
    return neo4j_store


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_ls_lists_with_type_and_state_filters(history: Store, env: dict[str, str]) -> None:
    code, out, _ = _invoke(env, "ls", "executions", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [(i["name"], i["state"]) for i in doc["items"]] == [
        ("run-1/make_model", "COMPLETE"), ("run-2/make_model", "COMPLETE"),
        ("run-3/make_model", "FAILED")]
    code, out, _ = _invoke(env, "ls", "executions", "--state", "failed", "--json")
    assert [i["name"] for i in json.loads(out)["items"]] == ["run-3/make_model"]
    code, out, _ = _invoke(env, "ls", "artifacts", "--type", "Model", "--json")
    assert [i["type"] for i in json.loads(out)["items"]] == ["Model", "Model"]
    code, out, _ = _invoke(env, "ls", "contexts", "--type", "PipelineRun")
    assert code == 0 and "run-3" in out and "PipelineRun" in out
    code, out, _ = _invoke(env, "ls", "artifacts", "--limit", "1", "--json")
    assert json.loads(out)["truncated"] is True and json.loads(out)["count"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ls", "executions", "--state", "DONE"), "'DONE' is not a"),
        (("ls", "contexts", "--state", "LIVE"), "contexts have no state"),
        (("watch", "--name", "x", "--once"), "choose exactly one stream"),
        (("watch", "--name", "bad name", "--incidents", "--once"), "subscription name"),
    ],
)
def test_bad_input_is_one_line_on_stderr(history: Store, env: dict[str, str],
                                         args: tuple[str, ...], message: str) -> None:
    code, out, err = _invoke(env, *args)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_watch_once_delivers_each_model_once(history: Store, env: dict[str, str]) -> None:
    args = ("watch", "--name", "printer", "--artifact-type", "Model", "--once", "--json")
    code, out, _ = _invoke(env, *args)
    assert code == 0
    doc = json.loads(out)
    assert doc["handled"] == 2
    assert [d["node"]["type"] for d in doc["deliveries"]] == ["Model", "Model"]
    code, out, _ = _invoke(env, *args)
    assert json.loads(out)["handled"] == 0
    code, out, _ = _invoke(env, "watch", "--name", "failures", "--execution-state", "FAILED",
                           "--once")
    assert code == 0 and "run-3/make_model FAILED" in out and "handled 1" in out


def test_watch_exec_failure_keeps_the_delivery_for_the_next_watch(
    history: Store, env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "handled.log"
    first_model = min(a.id or 0 for a in history.get_artifacts_by_type("Model"))
    script = tmp_path / "handler.py"
    script.write_text(
        "import json, os, sys\n"
        "d = json.load(sys.stdin)\n"
        f"open({str(log)!r}, 'a').write(os.environ['LG_NODE_ID'] + ' ' + d['key'] + '\\n')\n"
        f"sys.exit(3 if os.environ.get('FAIL_ON') == os.environ['LG_NODE_ID'] else 0)\n")
    cmd = f"{sys.executable} {script}"
    base = ("watch", "--name", "deployer", "--artifact-type", "Model", "--once", "--exec", cmd)
    code, _, err = _invoke({**env, "FAIL_ON": str(first_model)}, *base)
    assert code == 1 and "exited with status 3" in err and err.count("\n") == 1
    code, out, _ = _invoke(env, *base)
    assert code == 0 and "handled 2" in out
    lines = log.read_text().splitlines()
    models = sorted(a.id or 0 for a in history.get_artifacts_by_type("Model"))
    assert [int(ln.split()[0]) for ln in lines] == [models[0], models[0], models[1]]
    assert lines[0] == lines[1]  # the same delivery (same key), delivered again


def test_watch_python_handler(history: Store, env: dict[str, str], tmp_path: Path) -> None:
    out_file = tmp_path / "seen.json"
    handler = tmp_path / "my_handler.py"
    handler.write_text(
        "import json\n"
        "def on_model(delivery, store):\n"
        f"    with open({str(out_file)!r}, 'a') as f:\n"
        "        f.write(json.dumps([delivery.node.id, len(store.get_artifacts())]) + '\\n')\n")
    code, _, err = _invoke(env, "watch", "--name", "py", "--artifact-type", "Model", "--once",
                           "--handler", f"{handler}:on_model")
    assert code == 0, err
    assert len(out_file.read_text().splitlines()) == 2


def test_the_installed_command_lists(history: Store, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "lineage_graph.cli", "ls", "artifacts",
                           "--type", "Model", "--json"], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == 2


def test_watch_follows_until_max_deliveries(history: Store, env: dict[str, str]) -> None:
    code, out, err = _invoke(env, "watch", "--name", "follower", "--artifact-type", "Model",
                             "--max", "2", "--interval", "0.1", "--json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]  # JSON Lines while following
    assert [d["node"]["type"] for d in lines] == ["Model", "Model"]
    assert lines[0]["key"] != lines[1]["key"]


def test_watch_incidents_reaching_a_model(history: Store, env: dict[str, str]) -> None:
    from lineage_graph import lineage

    models = sorted(a.id or 0 for a in history.get_artifacts_by_type("Model"))
    [raw] = history.get_artifacts_by_type("Dataset")
    args = ("watch", "--name", "guard", "--incidents", "--reaching", f"a:{models[0]}",
            "--once", "--json")
    assert json.loads(_invoke(env, *args)[1])["handled"] == 0
    lineage.mark_bad(history, lineage.artifact(raw.id or 0), "mislabelled rows")
    doc = json.loads(_invoke(env, *args)[1])
    assert [d["incident"]["reason"] for d in doc["deliveries"]] == ["mislabelled rows"]
    code, _, err = _invoke(env, "watch", "--name", "g2", "--artifact-type", "Model",
                           "--reaching", "1", "--once")
    assert code == 1 and "--reaching needs --incidents" in err
