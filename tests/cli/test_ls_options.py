"""``ls`` options on the demo history (plus one artifact with a long name and JSON text):
``--sort/--desc``, ``--offset``, ``--after`` cursors, ``--name`` globs, ``--where``,
``--since``, checked ``--type``/``--state``, tables that fit (piped, on a terminal, ``--wide``),
human and ISO times, decoded JSON properties; and ``--version`` and how nodes are named.

Each case runs through typer's ``CliRunner`` and as a subprocess (``run_both``/``run_json``
from the query CLI tests) against the session's real Neo4j.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from typing import Any

import pytest

from lineage_graph import demo
from lineage_graph.models import Artifact, ArtifactType
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore
from tests.cli.test_query_cli import ROOT, _env, run_both, run_json

LONG = "report-" + "x" * 113  # 120 characters: longer than any table cell is allowed
ENV_TEXT = '{"python": "3.11.9", "torch": "2.3.0"}'
STARTED = 1711966500000  # 2024-04-01 10:15 UTC
# The demo's models (id, name, framework, auc), as demo.py writes them.
MODELS = {
    27: ("churn-prediction-model-2024-w10", "xgboost", 0.842),
    32: ("fraud-detection-model-2024-w10", "torch", 0.903),
    37: ("demand-forecast-model-2024-w10", "scikit-learn", 0.781),
    41: ("churn-prediction-model-2024-w11", "xgboost", 0.829),
    45: ("fraud-detection-model-2024-w11", "torch", 0.89),
    49: ("demand-forecast-model-2024-w11", "scikit-learn", 0.768),
    54: ("churn-prediction-model-2024-w12", "xgboost", 0.863),
    59: ("fraud-detection-model-2024-w12", "torch", 0.924),
    64: ("demand-forecast-model-2024-w12", "scikit-learn", 0.802),
    68: ("churn-prediction-model-2024-w13", "xgboost", 0.859),
    73: ("fraud-detection-model-2024-w13", "torch", 0.92),
    77: ("demand-forecast-model-2024-w13", "scikit-learn", 0.798),
    82: ("churn-prediction-model-2024-w14", "xgboost", 0.851),
    88: ("demand-forecast-model-2024-w14", "scikit-learn", 0.79),
    92: ("churn-prediction-model-2024-w15", "xgboost", 0.854),
    97: ("fraud-detection-model-2024-w15", "torch", 0.915),
    102: ("demand-forecast-model-2024-w15", "scikit-learn", 0.793),
}
ARTIFACTS = 105  # the demo's 104 and the long-named report


@pytest.fixture(scope="module")
def env(neo4j_target: Neo4jTarget) -> dict[str, str]:
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        demo.load(store)
        store.put_types([ArtifactType(name="Report")])
        store.put_artifacts([Artifact(
            type="Report", name=LONG, uri="file:///reports/" + "y" * 100,
            custom_properties={"environment": ENV_TEXT, "started_at": STARTED})])
        models = {a.id: (a.name, a.properties["framework"], a.custom_properties["auc"])
                  for a in store.get_artifacts_by_type("Model")}
    finally:
        store.close()
    assert models == MODELS, "the demo changed: update MODELS"
    return _env(neo4j_target)


def _ids(doc: dict[str, Any]) -> list[int]:
    return [n["id"] for n in doc["items"]]


def _pages(args: list[str], env: dict[str, str]) -> list[list[int]]:
    pages, after = [], []
    while True:
        doc = run_json([*args, *after], env)[0]
        pages.append(_ids(doc))
        assert doc["truncated"] is (doc["next_cursor"] is not None)
        if doc["next_cursor"] is None or len(pages) > 10:
            return pages
        after = ["--after", doc["next_cursor"]]


def test_sort_by_name_descending_pages_with_cursors(env: dict[str, str]) -> None:
    pages = _pages(["ls", "artifacts", "--type", "Model", "--sort", "name", "--desc",
                    "--limit", "5"], env)
    by_name = sorted(MODELS, key=lambda i: MODELS[i][0], reverse=True)
    assert pages == [by_name[0:5], by_name[5:10], by_name[10:15], by_name[15:]]


def test_sort_by_type_then_id(env: dict[str, str]) -> None:
    (doc, _) = run_json(["ls", "artifacts", "--sort", "type", "--limit", "200"], env)
    keys = [(n["type"], n["id"]) for n in doc["items"]]
    assert len(keys) == ARTIFACTS and keys == sorted(keys)
    (doc, _) = run_json(["ls", "artifacts", "--sort", "create_time", "--desc", "--limit", "1"],
                        env)
    assert doc["items"][0]["name"] == LONG  # written last


def test_offset_skips_rows_and_the_cursor_continues_after_the_page(
    env: dict[str, str],
) -> None:
    ordered = sorted(MODELS)
    (doc, _) = run_json(["ls", "artifacts", "-t", "Model", "--limit", "3", "--offset", "2"],
                        env)
    assert _ids(doc) == ordered[2:5]
    (rest, _) = run_json(["ls", "artifacts", "-t", "Model", "--after", doc["next_cursor"]],
                         env)
    assert _ids(rest) == ordered[5:]


def test_name_glob(env: dict[str, str]) -> None:
    (doc, _) = run_json(["ls", "artifacts", "--name", "*-model-2024-w1?", "--type", "Model"],
                        env)
    assert _ids(doc) == sorted(MODELS)
    (doc, _) = run_json(["ls", "artifacts", "--name", "churn-*-w1[45]"], env)
    assert _ids(doc) == []  # brackets are literal, not a character class
    (doc, _) = run_json(["ls", "artifacts", "--name", "fraud-detection-model-2024-w1?"], env)
    assert [n["name"] for n in doc["items"]] == [
        MODELS[i][0] for i in (32, 45, 59, 73, 97)]


def test_where_on_custom_and_declared_properties(env: dict[str, str]) -> None:
    (doc, _) = run_json(["ls", "artifacts", "-t", "Model", "--where", "auc>=0.9"], env)
    assert _ids(doc) == [i for i in sorted(MODELS) if MODELS[i][2] >= 0.9]
    (doc, _) = run_json(["ls", "artifacts", "-t", "Model", "--where", "framework=torch",
                         "--where", "auc<0.91"], env)
    assert _ids(doc) == [32, 45]
    (doc, _) = run_json(["ls", "artifacts", "--where", "version='2024.15'"], env)
    assert _ids(doc) == [92, 97, 102]  # quoted: a string, not the float 2024.15
    (doc, _) = run_json(["ls", "artifacts", "-t", "ModelEvaluation", "--where",
                         "blessed=false"], env)
    assert doc["count"] > 0 and all(n["properties"]["blessed"] is False for n in doc["items"])
    (doc, _) = run_json(["ls", "contexts", "--where", "week!=10", "--type", "PipelineRun"],
                        env)
    assert {n["custom_properties"]["week"] for n in doc["items"]} == {11, 12, 13, 14, 15}


def test_since(env: dict[str, str]) -> None:
    for when, count in (("2100-01-01", 0), ("1d", ARTIFACTS), ("2024-04-01T10:15+02:00",
                                                                ARTIFACTS)):
        (doc, _) = run_json(["ls", "artifacts", "--since", when], env)
        assert doc["count"] == count, when


@pytest.mark.parametrize(("args", "field", "words"), [
    (["--type", "Modle"], "type", ["'Model'", "known: Dataset, Examples, Model"]),
    (["--type", "dataset"], "type", ["did you mean 'Dataset'"]),
    (["--state", "faild"], "state", ["did you mean 'FAILED'", "COMPLETE"]),
    (["--where", "auc>>1"], "where", ["PROPERTY OP VALUE"]),
    (["--where", "auc"], "where", ["PROPERTY OP VALUE"]),
    (["--where", "1x>1"], "where", ["property name '1x' is invalid"]),
    (["--since", "yesterday"], "since", ["is not a time", "7d"]),
    (["--after", "bogus"], "after", ["not a cursor"]),
])
def test_bad_options_are_one_line_errors_naming_the_field(
    env: dict[str, str], args: list[str], field: str, words: list[str],
) -> None:
    what = "executions" if field == "state" else "artifacts"
    for code, stdout, stderr in run_both(["ls", what, *args], env):
        lines = stderr.strip().splitlines()
        assert code == 1 and len(lines) == 1 and lines[0].startswith("error: --"), stderr
        assert all(w in lines[0] for w in words), lines[0]
        assert stdout == ""
    for code, stdout, _ in run_both(["ls", what, *args, "--json"], env):
        assert code == 1 and json.loads(stdout)["error"]["field"] == field


def test_bad_sort_is_a_usage_error(env: dict[str, str]) -> None:
    for code, _, stderr in run_both(["ls", "artifacts", "--sort", "size"], env):
        assert code == 2 and "--sort" in stderr


def test_piped_table_is_one_line_per_row_with_long_cells_cut(env: dict[str, str]) -> None:
    plain = {k: v for k, v in env.items() if k != "COLUMNS"}
    for code, stdout, _ in run_both(["ls", "artifacts"], plain):
        lines = stdout.splitlines()
        # title, top border, header, rule, one line per artifact, bottom border
        assert code == 0 and len(lines) == ARTIFACTS + 5
        row = next(line for line in lines if "report-xxx" in line)
        assert LONG not in row and "…" in row
        assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b", row)  # created, human
    for code, stdout, _ in run_both(["ls", "artifacts", "--wide", "-t", "Report"], plain):
        assert code == 0 and LONG in stdout and "y" * 100 in stdout


def test_terminal_table_fits_the_terminal(env: dict[str, str]) -> None:
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    plain = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lineage_graph.cli", "ls", "artifacts", "-t", "Report",
         "-t", "Model", "--limit", "3"],
        env={**os.environ, **plain, "PYTHONPATH": str(ROOT), "TERM": "dumb"},
        stdin=child, stdout=child, stderr=child, cwd=ROOT)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=120) == 0
    os.close(main)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode())
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 3 + 5 + 1, text  # and the "(more: ...)" line
    assert max(len(line) for line in lines if not line.startswith("(more")) <= 80, text


def test_json_times_are_iso_and_json_text_is_decoded(env: dict[str, str]) -> None:
    (doc, _) = run_json(["ls", "artifacts", "-t", "Report"], env)
    [node] = doc["items"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", node["create_time"])
    assert isinstance(node["create_time_ms"], int)
    assert node["custom_properties"]["environment"] == {"python": "3.11.9", "torch": "2.3.0"}
    assert node["custom_properties"]["started_at"] == STARTED  # JSON keeps the number
    for code, stdout, _ in run_both(["show", f"Report:{LONG}"], env):
        assert code == 0
        assert '{"python":"3.11.9","torch":"2.3.0"}' in stdout  # compact in tables
        assert "2024-04-01 10:15" in stdout and str(STARTED) not in stdout


def test_nodes_are_named_by_the_reference_to_paste(env: dict[str, str]) -> None:
    for code, stdout, _ in run_both(["show", "a:92"], env):
        assert code == 0 and "a:92: Model churn-prediction-model-2024-w15" in stdout
    for code, stdout, _ in run_both(["upstream", "a:92", "--limit", "1"], env):
        assert code == 0 and "upstream of a:92: Model churn-prediction-model-2024-w15" in stdout


def test_version(env: dict[str, str]) -> None:
    from importlib.metadata import version

    for code, stdout, _ in run_both(["--version"], env):
        assert code == 0 and stdout == f"lineage-graph {version('lineage-graph')}\n"
