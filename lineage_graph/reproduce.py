"""What it takes to rebuild a model, and what of it differs today.

``manifest`` gathers, from what tracking recorded (``tracking.fields``), everything a person
needs to train the model again: the executions upstream of it (the training step first, then
the steps that made its inputs, oldest first), each with its parameters, its code (step
``module:qualname``, ``code_hash``, the file and that file's hash, git commit/branch/dirty),
Python, platform and library versions; and the datasets it was trained on (the dataset role,
``questions.training_datasets``) with URI, fingerprint and size.

``check`` compares a manifest with the machine it runs on:

* each dataset whose URI is a local path (or ``file://``) is fingerprinted again with the
  function tracking uses (``tracking.fingerprint``); other URIs are listed as not checked;
* each step's recorded source file, if it exists here, is hashed again (``module_hash``: the
  whole file, because the step's own ``code_hash`` needs the function imported) and its git
  commit read again;
* each recorded library version is compared with the installed one, and the Python version.

Every item is one ``Check`` (``same``, ``differs``, ``missing`` or ``unchecked``); a manifest
``differs`` when any item differs or is missing.

Public API::

    manifest(store, model) -> dict                  # the JSON document (FORMAT)
    check(manifest) -> CheckReport                  # compared with this machine, now

Example::

    m = reproduce.manifest(store, "Model:churn-v3")
    report = reproduce.check(m)
    [c.name for c in report.differences]
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlparse

from . import lineage, questions
from .answers import ExecutionSnapshot, LineageNode, NodeRef
from .errors import InvalidInputError, NotFoundError
from .models import Kind, Node
from .refs import resolve_node
from .tracking import fields

if TYPE_CHECKING:
    from .store.base import Store

__all__ = ["FORMAT", "Check", "CheckReport", "check", "manifest"]

FORMAT = "lineage-graph/reproduce/1"
Status = Literal["same", "differs", "missing", "unchecked"]
_CODE_FIELDS = (
    fields.STEP, fields.CODE_HASH, fields.CODE_FILE, fields.MODULE_HASH, fields.GIT_COMMIT,
    fields.GIT_BRANCH, fields.GIT_DIRTY,
)


# ---- the manifest ---------------------------------------------------------------------------


def _step_record(snap: ExecutionSnapshot, training: bool) -> dict[str, Any]:
    custom = snap.custom_properties
    env = custom.get(fields.ENVIRONMENT)
    libraries = {str(k): str(v) for k, v in env.items() if k != "python"} if isinstance(
        env, dict) else {}
    return {
        "execution": {"id": snap.execution.id, "type": snap.execution.type,
                      "name": snap.execution.name, "state": snap.execution.state},
        "training": training,
        "parameters": snap.parameters,
        "code": {k: custom[k] for k in _CODE_FIELDS if k in custom},
        "python_version": custom.get(fields.PYTHON_VERSION),
        "platform": custom.get(fields.PLATFORM),
        "libraries": dict(sorted(libraries.items())),
        "inputs": [{"id": i.id, "type": i.type, "name": i.name, "uri": i.uri,
                    "path": list(i.path)} for i in snap.inputs],
        "contexts": [{"id": c.id, "type": c.type, "name": c.name}
                     for c in [*snap.contexts, *snap.ancestors]],
    }


def _artifact_record(node: Node, roots: set[int]) -> dict[str, Any]:
    custom = node.custom_properties
    return {
        "id": node.id, "type": node.type, "name": node.name,
        "uri": getattr(node, "uri", None),
        "fingerprint": custom.get(fields.FINGERPRINT),
        "size": custom.get(fields.SIZE),
        "path_kind": custom.get(fields.PATH_KIND),
        "original": node.id in roots,  # nothing upstream produced it
    }


def manifest(store: Store, model: str | int | NodeRef | Node | LineageNode) -> dict[str, Any]:
    """Everything recorded that rebuilding ``model`` needs (module docstring), as JSON.

    Args:
        model: a reference to the model artifact (``Model:churn-v3``, ``a:12``, ``@champion``).

    Raises:
        NotFoundError: no such artifact, or nothing recorded produced it.
    """
    node = resolve_node(store, model, Kind.ARTIFACT)
    assert node.id is not None
    producer = questions.producer(store, node.id)
    if producer is None:
        raise NotFoundError(f"no recorded execution produced artifact {node.id}: nothing to "
                            "reproduce")
    upstream = lineage.upstream(store, NodeRef(kind=Kind.ARTIFACT, id=node.id))
    others = [i for i in upstream.ids(Kind.EXECUTION) if i != producer.execution.id]
    snaps = store.execution_snapshots(execution_ids=others) if others else []
    snaps.sort(key=lambda s: (s.execution.create_time or 0, s.execution.id))
    datasets = questions.training_datasets(store, node.id)
    roots = {d.id for d in questions.training_datasets(store, node.id, roots_only=True)}
    stored = store.get_artifacts_by_id([d.id for d in datasets])
    return {
        "format": FORMAT,
        "model": {**_artifact_record(node, set()), "original": False},
        "steps": [_step_record(producer, True), *(_step_record(s, False) for s in snaps)],
        "datasets": [_artifact_record(a, roots) for a in stored],
    }


# ---- checking it against today ---------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One item compared: what (``dataset``, ``code_file``, ``git_commit``, ``library``,
    ``python``), which one, the recorded and the current value, and the verdict."""

    what: str
    name: str
    recorded: Any
    now: Any
    status: Status
    note: str | None = None


@dataclass
class CheckReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def differences(self) -> list[Check]:
        """Items that differ or are missing today."""
        return [c for c in self.checks if c.status in ("differs", "missing")]

    @property
    def differs(self) -> bool:
        return bool(self.differences)

    def as_dict(self) -> dict[str, Any]:
        return {"differs": self.differs,
                "differences": [asdict(c) for c in self.differences],
                "checks": [asdict(c) for c in self.checks]}


def _local_path(uri: str | None) -> Path | None:
    """The local file a URI names (a plain path or ``file://``), else None."""
    if not uri:
        return None
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    # "C:\\data" parses with a one-letter scheme: a Windows path, not a URL.
    if parsed.scheme == "" or len(parsed.scheme) == 1:
        return Path(uri)
    return None


def _verdict(recorded: Any, now: Any) -> Status:
    if now is None:
        return "missing"
    return "same" if recorded == now else "differs"


def _datasets(items: Iterable[Mapping[str, Any]]) -> Iterable[Check]:
    from .tracking.fingerprint import fingerprint

    for d in items:
        name = f"{d.get('type')}:{d.get('name') or d.get('id')}"
        recorded = d.get("fingerprint")
        path = _local_path(d.get("uri"))
        if recorded is None or path is None:
            why = "no fingerprint was recorded" if recorded is None else "not a local path"
            yield Check("dataset", name, recorded, None, "unchecked", why)
            continue
        try:
            now: str | None = fingerprint(path).digest
        except FileNotFoundError:
            now = None
        yield Check("dataset", name, recorded, now, _verdict(recorded, now), str(path))


def _code(steps: Iterable[Mapping[str, Any]]) -> Iterable[Check]:
    from .tracking.codehash import file_hash
    from .tracking.environment import git_info

    seen: set[str] = set()
    for step in steps:
        code = step.get("code") or {}
        source = code.get(fields.CODE_FILE)
        if not isinstance(source, str) or source in seen:
            continue
        seen.add(source)
        path = Path(source)
        recorded = code.get(fields.MODULE_HASH)
        now = file_hash(path) if path.is_file() else None
        yield Check("code_file", source, recorded, now, _verdict(recorded, now))
        commit = code.get(fields.GIT_COMMIT)
        if commit is not None:
            git = git_info(path) if path.exists() else None
            now_commit = git.commit if git is not None else None
            yield Check("git_commit", source, commit, now_commit, _verdict(commit, now_commit),
                        None if git is None else ("dirty" if git.dirty else None))


def _environment(steps: Iterable[Mapping[str, Any]]) -> Iterable[Check]:
    libraries: dict[str, str] = {}
    pythons: set[str] = set()
    for step in steps:
        libraries.update(step.get("libraries") or {})
        if step.get("python_version"):
            pythons.add(str(step["python_version"]))
    for py in sorted(pythons):
        yield Check("python", "python", py, platform.python_version(),
                    _verdict(py, platform.python_version()))
    for dist, version in sorted(libraries.items()):
        try:
            now: str | None = metadata.version(dist)
        except metadata.PackageNotFoundError:
            now = None
        yield Check("library", dist, version, now, _verdict(version, now))


def check(doc: Mapping[str, Any]) -> CheckReport:
    """Compare a manifest (``manifest`` or a saved one) with this machine now.

    Raises:
        InvalidInputError: not a manifest of this format.
    """
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, Mapping) else None
        raise InvalidInputError(f"format {found!r} is not {FORMAT!r}", field="manifest",
                                value=found)
    steps = list(doc.get("steps") or [])
    report = CheckReport()
    report.checks.extend(_datasets(doc.get("datasets") or []))
    report.checks.extend(_code(steps))
    report.checks.extend(_environment(steps))
    return report
