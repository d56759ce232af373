"""``export json`` / ``import json``: a whole store moves and answers the same.

The demo history (plus what the demo lacks: a resolved incident, a REUSED link, a stored role,
a subscription cursor) is exported from the in-memory store and imported into a fresh
in-memory store and into Neo4j: same ids, same eight answers, same document again, and a
second import changes nothing. ``--merge`` remaps ids into a store with other history.
The CLI writes to stdout and reads stdin (subprocess), and its errors are one line.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from lineage_graph import demo, lineage, roles
from lineage_graph.cli import app
from lineage_graph.errors import InvalidInputError
from lineage_graph.interop import export as ex
from lineage_graph.interop.json_import import import_json, read_document
from lineage_graph.models import (
    Artifact,
    ArtifactType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    Reuse,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.tracking.subscriptions import StoreCursors, Watcher, new_artifacts

ROOT = Path(__file__).resolve().parents[2]


def _source() -> tuple[MemoryStore, demo.DemoIds]:
    """The demo, plus a resolved incident, a REUSED link, a stored role and a cursor."""
    store = MemoryStore()
    ids = demo.load(store)
    other = demo.locate(store).dataset
    done = lineage.mark_bad(store, lineage.artifact(other), "late rows")
    lineage.resolve_incident(store, done.id, "re-ingested")
    store.put_types([ExecutionType(name="CachedStep")])
    cached = store.put_executions([Execution(type="CachedStep", name="cached-train",
                                             last_known_state=ExecutionState.CACHED)])[0]
    store.put_reuses([Reuse(execution_id=cached, original_id=ids.failed_execution)])
    roles.set_role(store, "CachedStep", "training")
    StoreCursors(store).save("nightly-eval", 40)
    return store, ids


def _doc(store: Store) -> dict[str, Any]:
    doc = ex.to_json(store)
    doc.pop("exported_at")
    return doc


def _load(doc: dict[str, Any]) -> dict[str, Any]:
    return read_document(io.StringIO(json.dumps(doc)))


def _same_store(source: Store, ids: demo.DemoIds, target: Store) -> None:
    """The target answers every question as the source does, with the same ids."""
    assert demo.locate(target) == ids
    for ours, theirs in zip(demo.answers(source, ids), demo.answers(target, ids), strict=True):
        assert theirs.answer == ours.answer, ours.question
    model = lineage.artifact(ids.model)
    assert lineage.upstream(target, model) == lineage.upstream(source, model)
    assert lineage.incidents(target) == lineage.incidents(source)
    assert [lineage.incident(target, i.id) for i in lineage.incidents(target)] == [
        lineage.incident(source, i.id) for i in lineage.incidents(source)]
    assert roles.current(target) == roles.current(source)
    assert target.get_reuses(original_ids=[ids.failed_execution]) == source.get_reuses(
        original_ids=[ids.failed_execution])
    # The cursor counts in seq numbers, kept by the import: the consumer resumes exactly.
    sub = new_artifacts("nightly-eval", "Model")
    assert Watcher(target, sub).pending() == Watcher(source, sub).pending()


@pytest.mark.parametrize("backend", ["memory", "neo4j"])
def test_a_store_moves_and_answers_the_same(backend: str, request: pytest.FixtureRequest) -> None:
    source, ids = _source()
    doc = ex.to_json(source)
    jsonschema.validate(doc, ex.EXPORT_JSON_SCHEMA)
    assert doc["format"] == "lineage-graph/1" and doc["complete"] is True
    # The demo's open incident and its resolved false alarm, then this test's resolved one.
    assert [i["status"] for i in doc["incidents"]] == ["OPEN", "RESOLVED", "RESOLVED"]
    # The demo's cached re-run (three steps), then this test's link.
    assert len(doc["reuses"]) == 4 and doc["reuses"][-1] == {
        "execution_id": doc["executions"][-1]["id"], "original_id": ids.failed_execution}
    target: Store = MemoryStore() if backend == "memory" else request.getfixturevalue(
        "neo4j_store")

    report = import_json(target, _load(doc))
    assert report.mode == "kept ids"
    assert report.new["artifacts"] == len(doc["artifacts"])
    assert report.new["incidents"] == 3 and report.new["events"] == len(doc["events"])
    _same_store(source, ids, target)
    # export -> import -> export gives the same document (but for the export time).
    assert _doc(target) == _doc(source)

    again = import_json(target, _load(doc))
    assert not any(again.new.values()), again.new
    assert again.present["executions"] == len(doc["executions"])
    assert _doc(target) == _doc(source)
    _same_store(source, ids, target)


def test_upstream_export_keeps_contexts() -> None:
    store, ids = _source()
    answer = lineage.upstream(store, lineage.artifact(ids.model))
    sel = ex.with_contexts(store, ex.selection_of(answer, extra=[(Kind.ARTIFACT, ids.model)]))
    doc = ex.to_json(store, sel)
    assert doc["complete"] is False
    names = {c["name"] for c in doc["contexts"]}
    # The model's run and pipeline, and the runs of the datasets it was trained on.
    assert {"churn-prediction", demo.run_name("churn-prediction", demo.WEEKS[-1])} <= names
    assert {(a["artifact_id"], a["context_id"]) for a in doc["attributions"]} >= {
        (ids.model, ids.pipeline)}
    assert all(p["parent_id"] in {c["id"] for c in doc["contexts"]}
               for p in doc["parent_contexts"])


def _without_ids(value: Any) -> Any:
    """An answer with ids taken out (a merge gives new ids; names and shape stay)."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items()
                if k not in ("id", "via", "seq", "incidents") and not k.endswith("_id")}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_merge_remaps_ids_into_a_store_with_other_history() -> None:
    source, ids = _source()
    doc = _load(ex.to_json(source))
    target = MemoryStore()
    target.put_types([ArtifactType(name="Note")])
    target.put_artifacts([Artifact(type="Note", name=f"note-{i}") for i in range(5)])

    with pytest.raises(InvalidInputError) as refused:
        import_json(target, doc)
    assert refused.value.field == "merge"

    report = import_json(target, doc, merge=True)
    assert report.mode == "merged" and report.skipped_cursors == ["nightly-eval"]
    moved = demo.locate(target)
    assert moved.model != ids.model  # remapped: the store's own artifacts kept 1..5
    assert [a.name for a in target.get_artifacts_by_id([1, 2, 3, 4, 5])] == [
        f"note-{i}" for i in range(5)]
    for ours, theirs in zip(demo.answers(source, ids), demo.answers(target, moved), strict=True):
        assert _without_ids(theirs.answer) == _without_ids(ours.answer), ours.question
    assert roles.current(target).role_of("CachedStep") == "training"

    before = _doc(target)
    again = import_json(target, doc, merge=True)
    assert not any(again.new.values()), again.new
    assert _doc(target) == before


# ---- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def _cli(args: list[str], env: dict[str, str], stdin: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", *args], input=stdin,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_stdout_and_stdin_through_the_real_command(
    cli_env: dict[str, str], neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    source, ids = _source()
    import_json(neo4j_store, _load(ex.to_json(source)))

    out = _cli(["export", "json", "-o", "-"], cli_env)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "-").exists() and not (ROOT / "-").exists()
    doc = json.loads(out.stdout)
    assert doc["format"] == "lineage-graph/1" and len(doc["incidents"]) == 3
    assert out.stderr.startswith("wrote stdout: ")

    neo4j_store.clear()
    back = _cli(["import", "json", "-", "--json"], cli_env, stdin=out.stdout)
    assert back.returncode == 0, back.stderr
    report = json.loads(back.stdout)
    assert report["mode"] == "kept ids"
    assert report["new"]["artifacts"] == len(doc["artifacts"])
    _same_store(source, ids, neo4j_store)


def test_cli_file_round_trip_and_upstream(cli_env: dict[str, str], neo4j_store: Neo4jStore,
                                          tmp_path: Path) -> None:
    source, _ = _source()
    path = tmp_path / "store.json"
    path.write_text(json.dumps(ex.to_json(source)))
    runner = CliRunner()
    first = runner.invoke(app, ["import", "json", str(path), "--json"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["import", "json", str(path)])
    assert again.exit_code == 0 and again.stdout.strip() == "imported (kept ids): nothing new"

    up = tmp_path / "up.json"
    model = f"Model:{demo.model_name('churn-prediction', demo.WEEKS[-1])}"
    r = runner.invoke(app, ["export", "json", model, "--upstream", "-o", str(up)])
    assert r.exit_code == 0, r.output
    names = {c["name"] for c in json.loads(up.read_text())["contexts"]}
    assert "churn-prediction" in names


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "lineage-graph/2", "exported_at": 1}',
         "error: format 'lineage-graph/2' is not 'lineage-graph/1'"),
        ('{"format": "lineage-graph/1", "artifacts": [',
         "is not JSON: Expecting value at line 1 column 45"),
        (None, "does not exist"),
    ],
    ids=["version", "malformed", "missing"],
)
def test_import_errors_are_one_line(cli_env: dict[str, str], tmp_path: Path,
                                    content: str | None, message: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_text(content)
    r = CliRunner().invoke(app, ["import", "json", str(path)])
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines


def test_import_error_from_stdin_is_one_line(cli_env: dict[str, str]) -> None:
    r = _cli(["import", "json", "-"], cli_env, stdin='{"format": "lineage-graph/export"}')
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "error: format 'lineage-graph/export' is not 'lineage-graph/1' "
        "(an export of an older lineage-graph: export it again)"]
