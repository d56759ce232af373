"""``diff`` (two runs; run N of a pipeline), ``explain`` and ``upstream --as-of`` on the demo
history, through typer's ``CliRunner`` and a subprocess, with their error cases.

The demo's churn pipeline: week 13's run and week 14's differ in their inputs (new weekly
data) and code (churn-prediction@1.4.0 -> 1.5.0), not in parameters or environment; week 15's
model was trained on examples made from customer-events w14/w15 and crm-accounts w15.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from lineage_graph import demo
from lineage_graph.models import Artifact, ArtifactAndEvent, Event, EventType, Execution
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore
from tests.cli.test_query_cli import _env, run_both, run_json

W13 = f"PipelineRun:{demo.run_name('churn-prediction', 13)}"
W14 = f"PipelineRun:{demo.run_name('churn-prediction', 14)}"
MODEL = f"Model:{demo.model_name('churn-prediction', 15)}"
EVENTS_W14 = f"Dataset:{demo.raw_name('customer-events', 14)}"
EVENTS_W12 = f"Dataset:{demo.raw_name('customer-events', 12)}"


@pytest.fixture(scope="module")
def loaded(neo4j_target: Neo4jTarget) -> tuple[dict[str, str], int]:
    """The demo, plus a model whose trainer got a second input after a known instant
    (after the model was created)."""
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        demo.load(store)
        first = store.put_execution(
            Execution(type="Trainer", name="asof-train"),
            [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="asof-d1"),
                              event_type=EventType.INPUT),
             ArtifactAndEvent(artifact=Artifact(type="Model", name="asof-model"),
                              event_type=EventType.OUTPUT)])
        time.sleep(0.05)
        between = int(time.time() * 1000)
        time.sleep(0.05)
        [d2] = store.put_artifacts([Artifact(type="Dataset", name="asof-d2")])
        store.put_events([Event(artifact_id=d2, execution_id=first.execution_id,
                                type=EventType.INPUT)])
    finally:
        store.close()
    return _env(neo4j_target), between


def _changes(step: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["section"], c["field"]) for c in step["changes"]}


def test_diff_two_runs(loaded: tuple[dict[str, str], int]) -> None:
    env, _ = loaded
    (doc, _) = run_json(["diff", W13, W14], env)
    assert (doc["run_a"]["name"], doc["run_b"]["name"]) == (
        "churn-prediction-2024-w13", "churn-prediction-2024-w14")
    assert doc["changed"] is True
    steps = {s["step"]: s for s in doc["steps"]}
    assert sorted(steps) == ["Evaluator", "ExampleGen", "Pusher", "Trainer"]
    assert _changes(steps["Trainer"]) == {("inputs", "INPUT ['examples']"),
                                          ("code", "code_version"), ("code", "git_commit")}
    [code] = [c for c in steps["Trainer"]["changes"] if c["field"] == "code_version"]
    assert (code["before"], code["after"]) == ("churn-prediction@1.4.0",
                                               "churn-prediction@1.5.0")
    assert steps["Pusher"]["changes"] == []
    assert steps["Trainer"]["before"]["name"] == "churn-prediction-2024-w13/Trainer"


def test_diff_run_n_of_a_pipeline_is_the_same_answer(
    loaded: tuple[dict[str, str], int],
) -> None:
    env, _ = loaded
    (by_runs, _) = run_json(["diff", W13, W14], env)
    # Weeks 10..15 are runs 1..6: run 4 is week 13.
    (by_n, _) = run_json(["diff", "Pipeline:churn-prediction", "--run", "4"], env)
    assert by_n == by_runs
    for code, stdout, _ in run_both(["diff", W13, W14], env):
        assert code == 0
        assert (f"c:{by_runs['run_a']['id']}: PipelineRun churn-prediction-2024-w13  ->  "
                f"c:{by_runs['run_b']['id']}: PipelineRun churn-prediction-2024-w14") in stdout
        assert "churn-prediction@1.5.0" in stdout and "unchanged steps: Pusher" in stdout


@pytest.mark.parametrize(("args", "words"), [
    (["diff", "Pipeline:churn-prediction"], "give RUN_B, or a pipeline and --run N"),
    (["diff", W13, W14, "--run", "1"], "give RUN_B, or a pipeline and --run N"),
    (["diff", "Pipeline:churn-prediction", "--run", "6"], "has 6 runs"),
    (["diff", MODEL, W14], "among contexts"),
    (["diff", "a:92", W14], "names an artifact, not a context"),
    (["explain", MODEL, EVENTS_W14], "is not downstream of"),
    (["explain", EVENTS_W12, MODEL], "is not downstream of"),
    (["explain", "c:1", MODEL], "is a context"),
    (["upstream", MODEL, "--as-of", "soon"], "--as-of 'soon' is not a time"),
    (["upstream", "e:53", "--as-of", "2024-01-01"], "--as-of needs an artifact"),
    (["upstream", MODEL, "--as-of", "0s", "--current"], "choose --as-of or --current"),
])
def test_errors_are_one_line_exit_1(
    loaded: tuple[dict[str, str], int], args: list[str], words: str,
) -> None:
    env, _ = loaded
    for code, stdout, stderr in run_both(args, env):
        lines = stderr.strip().splitlines()
        assert code == 1 and len(lines) == 1 and words in lines[0], stderr
        assert stdout == ""


def test_explain_prints_the_path(loaded: tuple[dict[str, str], int]) -> None:
    env, _ = loaded
    (doc, _) = run_json(["explain", EVENTS_W14, MODEL], env)
    assert doc["length"] == 4
    assert [(n["type"], n["name"], n["via"]) for n in doc["path"]] == [
        ("Dataset", "customer-events-2024-w14", None),
        ("ExampleGen", "churn-prediction-2024-w15/ExampleGen", "INPUT"),
        ("Examples", "churn-prediction-2024-w15/examples-train", "OUTPUT"),
        ("Trainer", "churn-prediction-2024-w15/Trainer", "INPUT"),
        ("Model", "churn-prediction-model-2024-w15", "OUTPUT"),
    ]
    ids = [n["id"] for n in doc["path"]]
    for code, stdout, _ in run_both(["explain", EVENTS_W14, MODEL], env):
        assert code == 0
        assert stdout.splitlines() == [
            f"a:{ids[4]}: Model churn-prediction-model-2024-w15 is downstream of "
            f"a:{ids[0]}: Dataset customer-events-2024-w14 (4 hops):",
            f"a:{ids[0]}: Dataset customer-events-2024-w14",
            f"  -[INPUT]-> e:{ids[1]}: ExampleGen churn-prediction-2024-w15/ExampleGen",
            f"  -[OUTPUT]-> a:{ids[2]}: Examples churn-prediction-2024-w15/examples-train",
            f"  -[INPUT]-> e:{ids[3]}: Trainer churn-prediction-2024-w15/Trainer",
            f"  -[OUTPUT]-> a:{ids[4]}: Model churn-prediction-model-2024-w15",
        ]


def test_upstream_as_of(loaded: tuple[dict[str, str], int]) -> None:
    env, between = loaded

    def names(doc: dict[str, Any]) -> list[str]:
        return sorted(n["name"] for n in doc["artifacts"] + doc["executions"])

    # Without --as-of, the upstream of an artifact is as of its creation (DESIGN.md).
    (plain, _) = run_json(["upstream", "Model:asof-model"], env)
    assert names(plain) == ["asof-d1", "asof-train"]
    (then, _) = run_json(["upstream", "Model:asof-model", "--as-of", str(between)], env)
    assert names(then) == ["asof-d1", "asof-train"]
    for now in ("0s", time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 2)) + "Z"):
        (later, _) = run_json(["upstream", "Model:asof-model", "--as-of", now], env)
        assert names(later) == ["asof-d1", "asof-d2", "asof-train"], now
    (before, _) = run_json(["upstream", "Model:asof-model", "--as-of", "2024-01-01"], env)
    assert names(before) == []
    # --current: also what was recorded after the model came to be (the late input).
    (current, _) = run_json(["upstream", "Model:asof-model", "--current"], env)
    assert names(current) == ["asof-d1", "asof-d2", "asof-train"]
