"""Environment capture: Python, platform, ML library versions, git of the caller's repository."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import numpy
import sklearn

from lineage_graph.tracking import fields
from lineage_graph.tracking.environment import environment_properties, git_info


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_versions_of_installed_libraries_are_the_real_ones(tmp_path: Path) -> None:
    props = environment_properties(tmp_path / "x.py")
    env = props[fields.ENVIRONMENT]
    assert isinstance(env, dict)
    assert env["scikit-learn"] == sklearn.__version__
    assert env["numpy"] == numpy.__version__
    assert "tensorflow" not in env  # absent libraries are not invented
    assert props[fields.PYTHON_VERSION] == platform.python_version()
    assert props[fields.PLATFORM] == platform.platform()


def test_outside_a_repository_git_is_absent_not_an_error(tmp_path: Path) -> None:
    props = environment_properties(tmp_path / "script.py")
    assert fields.GIT_COMMIT not in props and fields.GIT_DIRTY not in props
    assert git_info(None) is None


def test_git_commit_and_dirty_flag_of_the_callers_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "train.py").write_text("print('hi')\n")
    _git(repo, "add", "train.py")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "first")
    head = _git(repo, "rev-parse", "HEAD")
    clean = git_info(repo / "train.py")
    assert clean is not None and (clean.commit, clean.dirty) == (head, False)
    (repo / "train.py").write_text("print('changed')\n")
    sub = repo / "sub"  # a different directory: not served from the per-directory cache
    sub.mkdir()
    dirty = git_info(sub / "other.py")
    assert dirty is not None and (dirty.commit, dirty.dirty) == (head, True)
