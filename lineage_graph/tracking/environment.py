"""What the code ran on, captured without being asked: Python, platform, ML libraries, git.

Git is asked about the repository of the *caller's* file (``git -C <its directory>``); no git
binary, no repository or a timeout all mean "absent" (``None``), never an error.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..models import Value
from . import fields

# Distributions worth recording when present (PyPI names, as importlib.metadata knows them).
ML_DISTRIBUTIONS: tuple[str, ...] = (
    "tensorflow", "tensorflow-cpu", "keras", "torch", "torchvision", "jax", "jaxlib",
    "scikit-learn", "xgboost", "lightgbm", "catboost", "numpy", "pandas", "polars", "pyarrow",
    "scipy", "statsmodels", "transformers", "datasets", "onnx", "onnxruntime", "joblib",
    "lineage-graph",
)


@dataclass(frozen=True)
class GitInfo:
    commit: str
    dirty: bool
    branch: str | None = None


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Versions of the ML distributions installed in this interpreter, by distribution name."""
    found: dict[str, str] = {}
    for dist in ML_DISTRIBUTIONS:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True, text=True, timeout=10, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},  # a status must not take locks
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_info(path: str | os.PathLike[str] | None) -> GitInfo | None:
    """Commit and dirty flag of the git work tree containing ``path`` (a file or directory).

    Returns:
        ``None`` when ``path`` is unknown, git is missing, or it is not in a work tree.
    """
    if path is None:
        return None
    p = Path(path)
    directory = p if p.is_dir() else p.parent
    if not directory.is_dir():
        return None
    return _git_info_cached(str(directory.resolve()))


@lru_cache(maxsize=64)
def _git_info_cached(directory: str) -> GitInfo | None:
    # Cached per process: a run's steps would otherwise spawn two git processes each.
    head = _git(Path(directory), "rev-parse", "HEAD")
    if head is None:
        return None
    # Untracked files do not count: outputs written inside the work tree would otherwise
    # make every run after the first "dirty".
    status = _git(Path(directory), "status", "--porcelain", "--untracked-files=no")
    branch = (_git(Path(directory), "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
    return GitInfo(commit=head.strip(), dirty=bool(status and status.strip()),
                   branch=branch if branch and branch != "HEAD" else None)


def environment_properties(caller_file: str | os.PathLike[str] | None) -> dict[str, Value]:
    """The custom properties describing the environment (see ``fields``).

    Args:
        caller_file: the file whose git repository is recorded (the step's or run's caller).
    """
    props: dict[str, Value] = {
        fields.PYTHON_VERSION: platform.python_version(),
        fields.PLATFORM: platform.platform(),
        fields.ENVIRONMENT: {"python": platform.python_version(), **library_versions()},
    }
    git = git_info(caller_file)
    if git is not None:
        props[fields.GIT_COMMIT] = git.commit
        props[fields.GIT_DIRTY] = git.dirty
        if git.branch is not None:
            props[fields.GIT_BRANCH] = git.branch
    return props
