"""Tracking that cannot surprise (issue 17, item 3), on both backends unless a real process is
needed: a missing input is an error naming the parameter and path (``optional=True`` records
it, remote URIs are not checked); a run name already taken is refused unless ``resume=True``
(finished, in progress or interrupted, each said so); a failing run prints the ``why-failed``
command that explains it; the README's tracking snippet runs as written."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from lineage_graph import lineage, questions
from lineage_graph.errors import InvalidInputError
from lineage_graph.models import ArtifactState, EventType, ExecutionState
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.tracking import (
    Dataset,
    MissingInputError,
    MissingInputWarning,
    RunExistsError,
    fields,
    run,
    step,
)

CALLS: Counter[str] = Counter()
FAILURE = ValueError("the data is bad\nsecond line not printed")
README = Path(__file__).resolve().parents[2] / "README.md"


@step
def count_rows(data: Dataset) -> int:
    CALLS["count_rows"] += 1
    return len(Path(data).read_text().splitlines())


@step
def count_files(data: list[Dataset]) -> int:
    CALLS["count_files"] += 1
    return len(data)


@step(inputs=["source"])
def read_named(source: str) -> int:
    CALLS["read_named"] += 1
    return len(Path(source).read_text())


@step
def remote(data: Dataset) -> str:
    CALLS["remote"] += 1
    return str(data)


@step
def broken(data: Dataset) -> None:
    CALLS["broken"] += 1
    raise FAILURE


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    p = tmp_path / "rows.csv"
    p.write_text("a\nb\nc\n")
    return p


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user,
           "NEO4J_PASSWORD": target.password or ""}
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


def _run_ctx(store: Store, name: str) -> tuple[int, dict[str, object]]:
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, name)
    assert ctx is not None and ctx.id is not None, f"run {name} not recorded"
    return ctx.id, dict(ctx.custom_properties)


# ---- 1. missing inputs --------------------------------------------------------------------


def test_a_missing_input_is_an_error_naming_the_parameter_and_path(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "data" / "train.csv"
    with pytest.raises(MissingInputError) as raised, run(pipeline="p", name="r", store=store):
        count_rows(Dataset(missing))
    err = raised.value
    assert (err.field, err.path, err.value) == ("data", str(missing), str(missing))
    assert isinstance(err, FileNotFoundError) and isinstance(err, InvalidInputError)
    assert str(err) == (
        f"step 'count_rows': input 'data' ({missing}): no such file or directory; fix the "
        f"path or create it before the call, pass Dataset(path, optional=True) if the step "
        f"can run without it, or name the parameter in outputs= if the step writes it")
    assert CALLS == {}  # the function never ran
    # recorded as the run's failed step, without an unnamed ABANDONED artifact
    assert store.get_artifacts() == []
    [execution] = store.get_executions()
    assert execution.last_known_state is ExecutionState.FAILED
    assert execution.custom_properties[fields.ERROR_TYPE] == (
        "lineage_graph.tracking.handles.MissingInputError")
    run_id, custom = _run_ctx(store, "r")
    assert custom[fields.RUN_STATE] == "FAILED"
    [why] = questions.why_failed(store, lineage.context(run_id))
    assert why.failed.execution.id == execution.id and str(missing) in (why.failed.error or "")
    # ... and the run names the command that says so
    assert f"lineage-graph why-failed c:{run_id}" in capsys.readouterr().err


def test_missing_list_items_directories_and_named_inputs_are_each_named(
    store: Store, tmp_path: Path, csv: Path
) -> None:
    gone, no_dir = tmp_path / "gone.csv", tmp_path / "images"
    with pytest.raises(MissingInputError) as listed, run(pipeline="p", name="r1", store=store):
        count_files([Dataset(csv), Dataset(gone), Dataset(no_dir)])
    assert (listed.value.field, listed.value.path) == ("data[1]", str(gone))
    assert f"inputs 'data[1]' ({gone}), 'data[2]' ({no_dir}):" in str(listed.value)
    with pytest.raises(MissingInputError) as named, run(pipeline="p", name="r2", store=store):
        read_named(str(gone))
    assert (named.value.field, named.value.path) == ("source", str(gone))
    assert "File(path, optional=True)" in str(named.value)  # a plain path is a File
    assert CALLS == {}
    no_dir.mkdir()  # an existing directory is an input like a file
    gone.write_text("x")
    with run(pipeline="p", name="r3", store=store):
        assert count_files([Dataset(csv), Dataset(gone), Dataset(no_dir)]) == 3
    assert CALLS == {"count_files": 1}


def test_an_optional_missing_input_is_recorded_abandoned_with_a_warning(
    store: Store, tmp_path: Path
) -> None:
    missing = tmp_path / "maybe.csv"
    with run(pipeline="p", name="r", store=store), pytest.warns(
        MissingInputWarning,
        match=re.escape(f"step 'remote': optional input 'data' does not exist ({missing}); "
                        "recorded as ABANDONED"),
    ):
        assert remote(Dataset(missing, optional=True)) == str(missing)
    assert CALLS == {"remote": 1}
    [artifact] = store.get_artifacts()
    assert (artifact.uri, artifact.state, artifact.name) == (
        str(missing), ArtifactState.ABANDONED, None)
    [event] = store.get_events(artifact_ids=[artifact.id or 0])
    assert event.type is EventType.INPUT


@pytest.mark.parametrize("uri", ["s3://bucket/train.csv", "gs://bucket/train.csv",
                                 "https://example.org/train.csv"])
def test_remote_uris_are_not_checked(store: Store, uri: str) -> None:
    with run(pipeline="p", name="r", store=store):
        assert remote(Dataset(uri)) == uri
    [artifact] = store.get_artifacts()
    assert (artifact.uri, artifact.state) == (uri, ArtifactState.LIVE)


# ---- 2. run names -------------------------------------------------------------------------


def test_a_finished_run_name_is_refused_unless_resumed(store: Store, csv: Path) -> None:
    with run(pipeline="wine", name="run-7", store=store) as first:
        count_rows(Dataset(csv))
    with pytest.raises(RunExistsError) as raised, run(pipeline="wine2", name="run-7",
                                                      store=store):
        pytest.fail("the body of a refused run must not run")
    err = raised.value
    assert (err.field, err.name, err.state) == ("name", "run-7", "COMPLETE")
    assert re.fullmatch(r"run 'run-7' already finished COMPLETE at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
                        r"UTC; pass resume=True to add to it, or choose another name", str(err))
    # nothing was written: no pipeline "wine2", the run still COMPLETE with one execution
    assert [c.name for c in store.get_contexts_by_type(fields.PIPELINE)] == ["wine"]
    run_id, custom = _run_ctx(store, "run-7")
    assert custom[fields.RUN_STATE] == "COMPLETE"
    assert [e.name for e in store.get_executions_by_context(run_id)] == ["run-7/count_rows"]

    # resume=True appends to it (the same context, the next execution name)
    with run(pipeline="wine", name="run-7", store=store, resume=True) as again:
        count_rows(Dataset(csv))
    assert again.resumed and again.run_context.id == first.run_context.id == run_id
    assert sorted(e.name or "" for e in store.get_executions_by_context(run_id)) == [
        "run-7/count_rows", "run-7/count_rows#2"]
    assert _run_ctx(store, "run-7")[1][fields.RUN_STATE] == "COMPLETE"
    # ... but not into another pipeline's run
    with pytest.raises(InvalidInputError, match="belongs to pipeline 'wine'") as other, run(
            pipeline="other", name="run-7", store=store, resume=True):
        pass
    assert other.value.field == "pipeline"


def test_a_failed_run_is_finished_too_and_resume_starts_a_new_name(
    store: Store, csv: Path
) -> None:
    with pytest.raises(ValueError, match="the data is bad"), run(pipeline="p", name="bad",
                                                                   store=store):
        broken(Dataset(csv))
    with pytest.raises(RunExistsError, match=r"^run 'bad' already finished FAILED at "):
        run(pipeline="p", name="bad", store=store).__enter__()
    with run(pipeline="p", name="fresh", store=store, resume=True) as r:  # nothing to resume
        count_rows(Dataset(csv))
    assert not r.resumed and _run_ctx(store, "fresh")[1][fields.RUN_STATE] == "COMPLETE"


def test_a_run_open_in_this_process_is_refused(store: Store) -> None:
    with run(pipeline="p", name="open", store=store), pytest.raises(
        RunExistsError, match=r"^run 'open' is open in this process"
    ) as raised:
        run(pipeline="p", name="open", store=store).__enter__()
    assert raised.value.state == "RUNNING"


def test_a_run_whose_process_was_killed_is_interrupted_and_resumable(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path, csv: Path
) -> None:
    script = tmp_path / "dies.py"
    script.write_text(textwrap.dedent("""
        import os, signal
        from lineage_graph.tracking import run
        with run(pipeline="p", name="killed"):
            os.kill(os.getpid(), signal.SIGKILL)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], env=_env(neo4j_target))
    assert proc.wait(timeout=300) == -signal.SIGKILL
    _, custom = _run_ctx(neo4j_store, "killed")
    assert custom[fields.RUN_STATE] == "RUNNING"  # nothing ended it
    assert str(custom[fields.OPENED_BY]).startswith(f"{socket.gethostname()}/{proc.pid}/")
    with pytest.raises(RunExistsError) as raised:
        run(pipeline="p", name="killed", store=neo4j_store).__enter__()
    assert str(raised.value) == (
        f"run 'killed' was interrupted: its process (pid {proc.pid} on {socket.gethostname()}) "
        f"is gone and never ended it; pass resume=True to continue it, or choose another name")
    with run(pipeline="p", name="killed", store=neo4j_store, resume=True):
        count_rows(Dataset(csv))
    assert _run_ctx(neo4j_store, "killed")[1][fields.RUN_STATE] == "COMPLETE"


def test_a_run_in_progress_in_another_process_is_refused(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    script = tmp_path / "holds.py"
    script.write_text(textwrap.dedent("""
        import sys
        from lineage_graph.tracking import run
        with run(pipeline="p", name="busy"):
            print("open", flush=True)
            sys.stdin.readline()
    """))
    proc = subprocess.Popen([sys.executable, str(script)], env=_env(neo4j_target),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "open\n"
        with pytest.raises(RunExistsError) as raised:
            run(pipeline="p", name="busy", store=neo4j_store).__enter__()
        assert str(raised.value) == (
            f"run 'busy' is in progress in another process (pid {proc.pid} on "
            f"{socket.gethostname()}); pass resume=True to write into it too, or choose "
            f"another name")
    finally:
        proc.communicate("\n", timeout=120)
    assert proc.returncode == 0


# ---- 3. a failing run says how to explain it ---------------------------------------------


def test_a_failing_run_prints_its_reference_and_the_why_failed_command_once(
    store: Store, csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def counted_then_broken() -> None:
        count_rows(Dataset(csv))
        broken(Dataset(csv))

    def fails_between_steps() -> None:
        count_rows(Dataset(csv))
        raise KeyError("threshold")

    with pytest.raises(ValueError, match="the data is bad") as raised, run(
            pipeline="p", name="run-9", store=store):
        counted_then_broken()
    assert raised.value is FAILURE  # unchanged
    run_id, _ = _run_ctx(store, "run-9")
    [failed] = [e for e in store.get_executions()
                if e.last_known_state is ExecutionState.FAILED]
    assert capsys.readouterr().err == (
        f"lineage-graph: run 'run-9' (c:{run_id}) failed in step 'broken' (e:{failed.id}): "
        f"ValueError: the data is bad; see why: lineage-graph why-failed c:{run_id}\n")
    # an error between steps: the run's reference and the command, no step to name
    with pytest.raises(KeyError, match="threshold"), run(pipeline="p", name="run-10",
                                                         store=store):
        fails_between_steps()
    run_id, _ = _run_ctx(store, "run-10")
    assert capsys.readouterr().err == (
        f"lineage-graph: run 'run-10' (c:{run_id}) failed: KeyError: 'threshold'; "
        f"see why: lineage-graph why-failed c:{run_id}\n")
    # a run that succeeds prints nothing
    with run(pipeline="p", name="run-11", store=store):
        count_rows(Dataset(csv))
    assert capsys.readouterr().err == ""


def test_the_printed_command_explains_the_failure(
    neo4j_store: Store, neo4j_target: Neo4jTarget, csv: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match="the data is bad"), run(pipeline="p", name="run-9",
                                                                   store=neo4j_store):
        broken(Dataset(csv))
    command = capsys.readouterr().err.rsplit("see why: ", 1)[1].split()
    assert command[:2] == ["lineage-graph", "why-failed"]
    done = subprocess.run([*command, "--json"], env=_env(neo4j_target), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [(f["execution"]["name"], f["error"]) for f in answer["failed"]] == [
        ("run-9/broken", str(FAILURE))]


# ---- 5. the README's snippet -------------------------------------------------------------


def _readme_snippet() -> str:
    text = README.read_text()
    start = text.index("Record your own history")
    block = text[text.index("```python\n", start) + len("```python\n"):]
    return block[: block.index("```")]


def test_the_readme_tracking_snippet_runs_as_written(
    neo4j_store: Store, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    script = tmp_path / "snippet.py"
    script.write_text(_readme_snippet())

    def snippet() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script)], cwd=tmp_path,
                              env=_env(neo4j_target), capture_output=True, text=True,
                              timeout=300, check=False)

    # what it needs and says it needs: data/train.csv
    missing = snippet()
    assert missing.returncode != 0
    assert (f"MissingInputError: step 'train': input 'data' ({tmp_path}/data/train.csv): "
            "no such file or directory") in missing.stderr
    run_id, _ = _run_ctx(neo4j_store, "run-7")
    assert f"see why: lineage-graph why-failed c:{run_id}" in missing.stderr

    # with the file, as a new run: recorded, the model written
    neo4j_store.clear()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("x,y\n1,2\n")
    done = snippet()
    assert done.returncode == 0, done.stderr
    run_id, custom = _run_ctx(neo4j_store, "run-7")
    assert custom[fields.RUN_STATE] == "COMPLETE"
    [train] = neo4j_store.get_executions_by_context(run_id)
    assert (train.name, train.last_known_state, train.properties) == (
        "run-7/train", ExecutionState.COMPLETE, {"C": 0.5})
    [model] = neo4j_store.get_artifacts_by_type("Model")
    assert model.uri == str(tmp_path / "model.txt") and Path(model.uri).exists()

    # again: the name is taken, as the snippet's comment says
    again = snippet()
    assert again.returncode != 0
    assert "RunExistsError: run 'run-7' already finished COMPLETE at " in again.stderr
    assert "pass resume=True" in again.stderr

