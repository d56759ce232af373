"""A hash of a step's code: its source plus the project code it calls.

What counts as "the code": the function's source, and - recursively - the source of every
function or class it refers to by a global name that is defined in *project* code (not the
standard library or site-packages), the whole file of every project module it refers to, and
the value of simple module-level constants it reads. lineage-graph's own code counts as a library
(also when installed in editable mode). Editing one step therefore invalidates
that step (and steps calling the edited helper), not every step in the same file; changing
a library does not change the hash (library versions are recorded separately).
Limits: calls through objects (``self.helper()``) or dynamic dispatch are not followed.
"""

from __future__ import annotations

import hashlib
import inspect
import sysconfig
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SIMPLE = (bool, int, float, str, bytes, type(None))
_LIBRARY_ROOTS = tuple(
    str(Path(p).resolve())
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)


_OWN_PACKAGE = str(Path(__file__).resolve().parents[1])  # lineage_graph/: a library too


def _is_project_file(filename: str | None) -> bool:
    if not filename or filename.startswith("<"):
        return False
    resolved = str(Path(filename).resolve())
    if resolved.startswith(_OWN_PACKAGE):
        return False  # tracking's own API (log_metric, Dataset...) is not the user's code
    return not any(resolved.startswith(root) for root in _LIBRARY_ROOTS)


def _source_of(obj: Any) -> bytes:
    try:
        return inspect.getsource(obj).encode()
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        # No source (REPL, zipped): the bytecode and constants still change with the code.
        return repr((code.co_code, code.co_consts)).encode() if code is not None else b""


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # nested functions, comprehensions, lambdas
            names |= _code_names(const)
    return names


def file_hash(path: str | Path) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_hash(fn: Callable[..., Any]) -> str:
    """Hash the function and the project code it reaches through global names.

    Args:
        fn: the step function (undecorated).

    Returns:
        ``"sha256:<hex>"``.
    """
    h = hashlib.sha256()
    seen: set[int] = set()

    def visit(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        obj = inspect.unwrap(obj) if callable(obj) else obj
        h.update(_source_of(obj))
        code = getattr(obj, "__code__", None)
        if code is None:
            return
        g = getattr(obj, "__globals__", {})
        for name in sorted(_code_names(code)):
            if name not in g:
                continue
            value = g[name]
            h.update(name.encode())
            if isinstance(value, _SIMPLE):
                h.update(repr(value).encode())
            elif isinstance(value, types.ModuleType):
                file = getattr(value, "__file__", None)
                if _is_project_file(file) and id(value) not in seen:
                    seen.add(id(value))
                    h.update(Path(file).read_bytes())  # type: ignore[arg-type]
            elif inspect.isfunction(value) or inspect.isclass(value):
                step_fn = getattr(value, "__lg_step__", None)  # a decorated step: its function
                target = step_fn.fn if step_fn is not None else value
                if _is_project_file(inspect.getsourcefile(target) if _has_file(target) else None):
                    visit(target)
            elif getattr(value, "__lg_step__", None) is not None:
                visit(value.__lg_step__.fn)

    visit(fn)
    return "sha256:" + h.hexdigest()


def _has_file(obj: Any) -> bool:
    try:
        return inspect.getsourcefile(obj) is not None
    except TypeError:
        return False


def defining_file(fn: Callable[..., Any]) -> str | None:
    """The file defining ``fn``, or None (REPL, builtins)."""
    try:
        return inspect.getsourcefile(inspect.unwrap(fn))
    except TypeError:
        return None

