"""``tag``/``untag`` (and ``ls --tag``), ``archive`` and ``delete`` (refused while a live
deployment depends on the node, unless ``--force``), through typer's ``CliRunner`` and a
subprocess on the demo history in real Neo4j; the curation rules on both backends; and
``incident show|resolve`` (verified here, built elsewhere).

Demo facts used: churn-prediction-prod serves churn-prediction-model-2024-w13 (rolled back);
fraud-detection-prod serves the w15 fraud model, trained on customer-events-2024-w14 among
others; churn-prediction-model-2024-w15 is deployed nowhere now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from lineage_graph import curation, demo
from lineage_graph.cli import app
from lineage_graph.errors import InvalidInputError, NotFoundError
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactType,
    EventType,
    Execution,
    ExecutionType,
    Kind,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.store.neo4j import Neo4jStore
from tests.cli.test_query_cli import ROOT, _env, run_both, run_json

CHURN_W13 = f"Model:{demo.model_name('churn-prediction', 13)}"
CHURN_W15 = f"Model:{demo.model_name('churn-prediction', 15)}"
CHURN_W14 = f"Model:{demo.model_name('churn-prediction', 14)}"
EVENTS_W14 = f"Dataset:{demo.raw_name('customer-events', 14)}"


@pytest.fixture(scope="module")
def env(neo4j_target: Neo4jTarget) -> dict[str, str]:
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        demo.load(store)
    finally:
        store.close()
    return _env(neo4j_target)


def runner(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, args, env=env)
    return r.exit_code, r.stdout, r.stderr


def sub(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "lineage_graph.cli", *args],
                       env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                       capture_output=True, text=True, timeout=300, check=False)
    return p.returncode, p.stdout, p.stderr


def _doc(result: tuple[int, str, str]) -> Any:
    code, stdout, stderr = result
    assert code == 0, stderr
    return json.loads(stdout)


def _error(result: tuple[int, str, str], words: str) -> str:
    code, stdout, stderr = result
    lines = stderr.strip().splitlines()
    assert code == 1 and len(lines) == 1 and words in lines[0], (code, stdout, stderr)
    return lines[0]


def test_tag_untag_and_ls_by_tag(env: dict[str, str]) -> None:
    first = _doc(runner(["tag", CHURN_W15, "golden", "prod-ready", "--json"], env))
    assert first["action"] == "tagged" and first["node"]["tags"] == ["golden", "prod-ready"]
    again = _doc(sub(["tag", CHURN_W15, "golden", "--json"], env))
    assert again["node"]["tags"] == ["golden", "prod-ready"]
    assert again["node"]["update_time_ms"] == first["node"]["update_time_ms"]  # no write
    model_id = first["node"]["id"]
    for doc in run_json(["ls", "artifacts", "--tag", "golden"], env):
        assert [n["id"] for n in doc["items"]] == [model_id]
    for code, stdout, _ in run_both(["ls", "artifacts", "--tag", "golden"], env):
        assert code == 0 and "golden, prod-ready" in stdout  # the tags column
    untagged = _doc(sub(["untag", CHURN_W15, "prod-ready", "--json"], env))
    assert untagged["action"] == "untagged" and untagged["node"]["tags"] == ["golden"]
    (doc, _) = run_json(["ls", "artifacts", "--tag", "prod-ready"], env)
    assert doc["items"] == []
    code, stdout, _ = runner(["untag", CHURN_W15, "golden"], env)
    assert code == 0 and stdout == (
        f"untagged a:{model_id}: Model {demo.model_name('churn-prediction', 15)} "
        "(tags: none; state LIVE)\n")


def test_bad_tag_is_an_error_naming_the_field(env: dict[str, str]) -> None:
    for code, stdout, stderr in run_both(["tag", CHURN_W15, "bad tag", "--json"], env):
        assert code == 1 and "tag 'bad tag' is invalid" in stderr
        assert json.loads(stdout)["error"]["field"] == "TAG"
    for args in (["ls", "artifacts", "--tag", "no/slash"], ["tag", "a:99999", "x"]):
        for code, _, stderr in run_both(args, env):
            assert code == 1 and len(stderr.strip().splitlines()) == 1, stderr


def test_archive(env: dict[str, str]) -> None:
    doc = _doc(sub(["archive", CHURN_W14, "--json"], env))
    assert doc["action"] == "archived" and doc["node"]["state"] == "MARKED_FOR_DELETION"
    (listed, _) = run_json(["ls", "artifacts", "--state", "MARKED_FOR_DELETION"], env)
    assert [n["id"] for n in listed["items"]] == [doc["node"]["id"]]
    code, stdout, _ = runner(["archive", CHURN_W14], env)  # again: nothing changes
    assert code == 0 and "state MARKED_FOR_DELETION" in stdout
    for result in run_both(["archive", "e:53"], env):
        _error(result, "only artifacts are archived (e:53")


def test_delete_refuses_what_a_live_deployment_needs(env: dict[str, str]) -> None:
    for result in run_both(["delete", CHURN_W13], env):
        line = _error(result, "is needed by live deployment 'churn-prediction-prod'")
        assert "undeploy first, or delete --force" in line
    for result in run_both(["delete", EVENTS_W14, "--json"], env):
        assert json.loads(result[1])["error"]["type"] == "InUseError"
        _error(result, "'fraud-detection-prod' (serving fraud-detection-model-2024-w15)")
    (still, _) = run_json(["show", CHURN_W13], env)
    assert still["node"]["name"] == demo.model_name("churn-prediction", 13)


def test_delete_removes_the_node_and_its_events(env: dict[str, str]) -> None:
    (shown, _) = run_json(["show", CHURN_W15], env)
    model_id = shown["node"]["id"]
    doc = _doc(runner(["delete", CHURN_W15, "--json"], env))
    # Its events as demo.py records them: the Trainer's OUTPUT, Evaluator and Pusher INPUTs,
    # and the INPUT of the deploy that preceded the rollback.
    assert doc == {**doc, "action": "deleted", "events": 4, "broke_deployments": []}
    assert doc["node"]["id"] == model_id
    for result in run_both(["show", f"a:{model_id}"], env):
        assert result[0] == 1 and "no node" in result[2]
    forced = _doc(sub(["delete", CHURN_W13, "--force", "--json"], env))
    assert forced["broke_deployments"] == ["churn-prediction-prod"]
    code, stdout, _ = sub(["delete", f"Model:{demo.model_name('churn-prediction', 12)}"],
                               env)
    assert code == 0 and stdout.startswith("deleted a:") and "event(s)" in stdout


def test_incident_show_and_resolve(env: dict[str, str]) -> None:
    (listed, _) = run_json(["incidents"], env)
    [open_one] = [i for i in listed["incidents"] if i["status"] == "OPEN"]
    for code, stdout, _ in run_both(["incident", "show", str(open_one["id"])], env):
        assert code == 0 and f"incident {open_one['id']} OPEN" in stdout
        # The churn w12/w13 models it reached were deleted above: paths through them say so.
        assert "(through a deleted node)" in stdout
    resolved = _doc(runner(["incident", "resolve", str(open_one["id"]), "--json"], env))
    assert resolved["incident"]["status"] == "RESOLVED"
    again = _doc(sub(["incident", "resolve", str(open_one["id"]), "--json"], env))
    assert again["incident"]["status"] == "RESOLVED"  # idempotent


def _small(store: Store) -> tuple[int, int]:
    store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="Model"),
                     ExecutionType(name="Trainer")])
    done = store.put_execution(Execution(type="Trainer", name="t"), [
        ArtifactAndEvent(artifact=Artifact(type="Dataset", name="d"), event_type=EventType.INPUT),
        ArtifactAndEvent(artifact=Artifact(type="Model", name="m"), event_type=EventType.OUTPUT),
    ])
    return done.artifact_ids[0], done.execution_id


def test_curation_rules_on_both_backends(store: Store) -> None:
    data, execution = _small(store)
    tagged = curation.tag(store, f"a:{data}", ["raw", "v1.2"])
    assert curation.tags_of(tagged) == ["raw", "v1.2"]
    assert tagged.custom_properties == {"tag.raw": True, "tag.v1.2": True}
    assert curation.tags_of(curation.untag(store, f"a:{data}", ["raw", "absent"])) == ["v1.2"]
    assert curation.archive(store, f"a:{data}").state.value == "MARKED_FOR_DELETION"  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError):
        curation.archive(store, f"e:{execution}")
    with pytest.raises(InvalidInputError):
        curation.tag(store, f"a:{data}", [""])
    assert curation.live_dependents(store, f"a:{data}") == []
    gone = curation.delete(store, f"a:{data}")
    assert gone.events == 1 and gone.broke == []
    assert store.get_events(execution_ids=[execution])[0].type is EventType.OUTPUT
    assert len(store.get_events(execution_ids=[execution])) == 1
    with pytest.raises(NotFoundError):
        curation.tag(store, f"a:{data}", ["x"])
    assert store.get_nodes_by_id(Kind.ARTIFACT, [data]) == []
