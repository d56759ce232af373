"""``reproduce``: the manifest of a really tracked model, and ``--check`` against today.

The pipeline is a small project written into ``tmp_path`` and committed to its own git
repository, so the recorded source file and commit are the test's own (not this repository's,
whose HEAD other people move): a clean check finds nothing, a changed csv is named, and a new
commit of the source is named.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from lineage_graph import reproduce
from lineage_graph.cli import app
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.base import Store
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.tracking import Dataset, environment, fingerprint, run
from lineage_graph.tracking.environment import library_versions

ROOT = Path(__file__).resolve().parents[2]

PROJECT = '''
from pathlib import Path

from lineage_graph.tracking import Dataset, Model, step


@step
def prepare(raw: Dataset, min_rows: int = 1) -> Dataset:
    rows = Path(raw).read_text().splitlines()
    out = Path(raw).with_name("clean.csv")
    out.write_text("\\n".join(r for r in rows if r.strip()))
    return Dataset(out)


@step(outputs={"model": Model})
def train(data: Dataset, model: str, learning_rate: float = 0.1, depth: int = 3) -> None:
    Path(model).write_text(f"{len(Path(data).read_text())}:{learning_rate}:{depth}")
'''


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          timeout=60)
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> ModuleType:
    """The pipeline module, committed in a git repository of its own."""
    src = tmp_path / "proj"
    src.mkdir()
    (src / "pipeline.py").write_text(textwrap.dedent(PROJECT))
    _git(src, "init", "-q")
    _git(src, "add", "pipeline.py")
    _git(src, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "v1")
    spec = importlib.util.spec_from_file_location(f"pipeline_{tmp_path.name}",
                                                  src / "pipeline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    environment._git_info_cached.cache_clear()  # a git answer per directory is cached
    return module


def _train(store: Store, project: ModuleType, tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    raw = data / "customers.csv"
    raw.write_text("id,spend\n1,10\n\n2,20\n")
    model = data / "model.bin"
    with run(pipeline="churn", name="churn-1", store=store):
        project.train(project.prepare(Dataset(raw)), model=str(model), learning_rate=0.05)
    return raw, model


def _model_ref(store: Store) -> str:
    (model,) = store.get_artifacts_by_type("Model")
    return f"Model:{model.name}"


def test_the_manifest_holds_what_rebuilding_needs(
    store: Store, project: ModuleType, tmp_path: Path
) -> None:
    raw, model = _train(store, project, tmp_path)
    doc = reproduce.manifest(store, _model_ref(store))
    assert doc["format"] == "lineage-graph/reproduce/1"
    assert doc["model"]["uri"] == str(model)
    assert doc["model"]["fingerprint"] == fingerprint(model).digest
    train, prepare = doc["steps"]
    assert (train["execution"]["type"], train["training"]) == ("train", True)
    assert (prepare["execution"]["type"], prepare["training"]) == ("prepare", False)
    assert train["parameters"] == {"learning_rate": 0.05, "depth": 3}
    assert prepare["parameters"] == {"min_rows": 1}
    source = str(Path(str(project.__file__)).resolve())
    head = _git(Path(source).parent, "rev-parse", "HEAD")
    for step in (train, prepare):
        code = step["code"]
        assert code["code_hash"].startswith("sha256:") and code["git_commit"] == head
        assert Path(code["code_file"]).resolve() == Path(source)
        assert step["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}." \
            f"{sys.version_info.micro}"
        assert step["libraries"] == library_versions()
    assert {c["name"] for c in train["contexts"]} == {"churn", "churn-1"}
    by_uri = {d["uri"]: d for d in doc["datasets"]}
    assert set(by_uri) == {str(raw), str(raw.with_name("clean.csv"))}
    assert by_uri[str(raw)]["fingerprint"] == fingerprint(raw).digest
    assert by_uri[str(raw)]["original"] is True
    assert by_uri[str(raw.with_name("clean.csv"))]["original"] is False

    # Nothing changed: every item is the same.
    report = reproduce.check(doc)
    assert report.differences == [] and not report.differs
    assert {c.what for c in report.checks} == {"dataset", "code_file", "git_commit", "python",
                                                "library"}

    # The raw csv changes: exactly that dataset is named.
    raw.write_text("id,spend\n1,10\n2,21\n")
    changed = reproduce.check(doc)
    assert [(c.what, c.recorded, c.now) for c in changed.differences] == [
        ("dataset", by_uri[str(raw)]["fingerprint"], fingerprint(raw).digest)]
    assert changed.differences[0].note == str(raw)


def test_a_new_commit_of_the_source_is_named(
    memory_store: Store, project: ModuleType, tmp_path: Path
) -> None:
    _train(memory_store, project, tmp_path)
    model = memory_store.get_artifacts_by_type("Model")[0]
    doc = reproduce.manifest(memory_store, f"a:{model.id}")
    src = Path(str(project.__file__))
    src.write_text(src.read_text() + "\n# tuned\n")
    _git(src.parent, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q",
         "-am", "v2")
    environment._git_info_cached.cache_clear()
    found = {(c.what, str(Path(c.name).resolve())) for c in reproduce.check(doc).differences}
    assert found == {("code_file", str(src.resolve())), ("git_commit", str(src.resolve()))}


def test_a_manifest_of_another_format_is_refused() -> None:
    from lineage_graph.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="is not 'lineage-graph/reproduce/1'"):
        reproduce.check({"format": "other"})


# ---- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    neo4j_store: Neo4jStore, neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch
) -> Neo4jStore:
    monkeypatch.setenv("NEO4J_URI", neo4j_target.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_target.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_target.password)
    return neo4j_store


def _invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


def test_reproduce_command(cli_env: Neo4jStore, project: ModuleType, tmp_path: Path) -> None:
    raw, _ = _train(cli_env, project, tmp_path)
    ref = _model_ref(cli_env)
    saved = tmp_path / "manifest.json"

    r = _invoke(["reproduce", ref, "--json", "-o", str(saved)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert json.loads(saved.read_text()) == doc
    assert [s["execution"]["type"] for s in doc["steps"]] == ["train", "prepare"]

    text = _invoke(["reproduce", ref])
    assert text.exit_code == 0 and "learning_rate=0.05" in text.stdout

    clean = _invoke(["reproduce", ref, "--check"])
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.strip().endswith("0 differ, " + str(
        len(reproduce.check(doc).checks)) + " the same")

    raw.write_text("id,spend\n9,99\n")
    dirty = _invoke(["reproduce", ref, "--check", "--json"])
    assert dirty.exit_code == 1
    report = json.loads(dirty.stdout)
    assert [(d["what"], d["note"]) for d in report["differences"]] == [("dataset", str(raw))]
    lines = _invoke(["reproduce", ref, "--check"]).stdout.splitlines()
    assert lines[0].startswith("DIFFERS   dataset Dataset:") and str(raw) in lines[0]

    # A saved manifest, checked in a fresh process without a database.
    proc = subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", "reproduce", "--check", "--manifest",
         str(saved), "--json"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert [d["note"] for d in json.loads(proc.stdout)["differences"]] == [str(raw)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reproduce"], "error: give a MODEL (or --check --manifest FILE)"),
        (["reproduce", "Model:no-such-model"], "error: "),
        (["reproduce", "--check", "--manifest", "/nonexistent/m.json"],
         "error: /nonexistent/m.json does not exist"),
        (["reproduce", "--manifest", "x.json"], "error: --manifest goes with --check"),
    ],
    ids=["no-model", "unknown-model", "missing-manifest", "manifest-without-check"],
)
def test_reproduce_errors_are_one_line(cli_env: Neo4jStore, args: list[str],
                                       message: str) -> None:
    r = _invoke(args)
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines
