"""What autolog knows about training data and fitted models: content fingerprints and sources.

* In-memory data (numpy arrays, pandas DataFrames and Series, scipy sparse matrices, torch
  tensors, lists) is identified by a sha256 over its values, shape and column names, so the
  same data is the same ``Dataset`` artifact wherever it came from.
* Data read from a file by a patched reader (``pandas.read_csv`` and friends,
  ``numpy.loadtxt``/``genfromtxt``/``load``) remembers that file: a DataFrame carries it in
  ``DataFrame.attrs`` (pandas passes ``attrs`` on through column selection, ``drop``, row
  filters...), an array in a weak registry that also answers for views of it. Such data is
  recorded as the file, fingerprinted when it was read: the artifact ``@step`` records for
  ``Dataset(path)``. Conversions that copy values out (``df.to_numpy()``, fancy indexing) lose
  the file; the data is then identified by its content.
* A fitted model is identified by the sha256 of its pickle stream (streamed, never held).

The fingerprints are sha256 like ``tracking.fingerprint``'s, but over values, not files.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import Value
from . import fields
from .fingerprint import Fingerprint, fingerprint
from .handles import ArtifactRef, Dataset, Model

# The key under which a DataFrame remembers its file (pandas propagates ``attrs``).
SOURCE_ATTR = "lineage_graph.source"
MEMORY_SCHEME = "memory://"

_lock = threading.Lock()
# id(array) -> (weak reference, source): numpy arrays are unhashable, so no WeakKeyDictionary.
_array_sources: dict[int, tuple[weakref.ref[Any], FileSource]] = {}
# (path, size, mtime_ns) -> fingerprint: a file read twice is hashed once.
_file_prints: dict[tuple[str, int, int], Fingerprint] = {}


@dataclass(frozen=True)
class FileSource:
    """The file some data was read from, with its fingerprint at read time."""

    path: str
    fp: Fingerprint

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "digest": self.fp.digest, "size": self.fp.size,
                "kind": self.fp.kind}

    @classmethod
    def from_dict(cls, d: Any) -> FileSource | None:
        if not isinstance(d, dict) or not isinstance(d.get("path"), str):
            return None
        try:
            return cls(d["path"], Fingerprint(str(d["digest"]), int(d["size"]), d["kind"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class DataRef:
    """One artifact of a fit's data: a handle, its event path, and (files) its fingerprint."""

    path: tuple[str | int, ...]
    ref: ArtifactRef
    fp: Fingerprint | None = None


# ---- file sources ---------------------------------------------------------------------------


def file_source(path: str | os.PathLike[str]) -> FileSource | None:
    """The source record of a local file (None when it is not one)."""
    p = Path(os.fspath(path)).absolute()
    try:
        st = p.stat()
    except OSError:
        return None
    if not p.is_file() and not p.is_dir():
        return None
    key = (str(p), st.st_size, st.st_mtime_ns)
    with _lock:
        found = _file_prints.get(key)
    if found is None:
        found = fingerprint(p)
        with _lock:
            _file_prints[key] = found
    return FileSource(str(p), found)


def remember_source(obj: Any, source: FileSource) -> None:
    """Attach ``source`` to data just read from it (DataFrame ``attrs`` or the array registry)."""
    attrs = getattr(obj, "attrs", None)
    if isinstance(attrs, dict):
        attrs[SOURCE_ATTR] = source.as_dict()
        return
    if type(obj).__module__ == "numpy" and type(obj).__name__ == "ndarray":
        key = id(obj)

        def forget(_: weakref.ref[Any], key: int = key) -> None:
            with _lock:
                _array_sources.pop(key, None)

        try:
            ref = weakref.ref(obj, forget)
        except TypeError:
            return
        with _lock:
            _array_sources[key] = (ref, source)


def source_of(obj: Any) -> FileSource | None:
    """The file ``obj`` (or the array it is a view of) was read from, if known."""
    attrs = getattr(obj, "attrs", None)
    if isinstance(attrs, dict) and SOURCE_ATTR in attrs:
        return FileSource.from_dict(attrs[SOURCE_ATTR])
    if isinstance(obj, (str, os.PathLike)):
        text = os.fspath(obj)
        # xgboost/lightgbm accept "train.csv?format=csv" and similar URIs.
        return file_source(text.split("?", 1)[0]) if "://" not in text else None
    seen = 0
    while obj is not None and seen < 32:  # views chain through ``.base``
        with _lock:
            entry = _array_sources.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        obj = getattr(obj, "base", None)
        seen += 1
    return None


def reader(fn: Callable[..., Any], path_arg: str) -> Callable[..., Any]:
    """Wrap a reader so that what it returns remembers the file it read (``path_arg``)."""

    def read(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        where = kwargs.get(path_arg, args[0] if args else None)
        if isinstance(where, (str, os.PathLike)) and "://" not in os.fspath(where):
            try:
                source = file_source(where)
            except OSError:
                source = None
            if source is not None:
                remember_source(result, source)
        return result

    read.__wrapped__ = fn  # type: ignore[attr-defined]
    read.__name__ = getattr(fn, "__name__", "read")
    read.__doc__ = getattr(fn, "__doc__", None)
    return read


PANDAS_READERS: tuple[str, ...] = (
    "read_csv", "read_table", "read_parquet", "read_json", "read_feather", "read_excel",
    "read_orc", "read_pickle", "read_fwf", "read_sas", "read_stata", "read_spss",
)
NUMPY_READERS: tuple[tuple[str, str], ...] = (
    ("loadtxt", "fname"), ("genfromtxt", "fname"), ("load", "file"), ("fromfile", "file"),
)


def reader_patches(module: Any) -> list[tuple[str, Callable[..., Any]]]:
    """``(name, wrapper)`` for the readers of ``pandas`` or ``numpy`` (``module``)."""
    if module.__name__ == "pandas":
        names = [(n, "filepath_or_buffer") for n in PANDAS_READERS]
        names = [(n, "path" if n in ("read_parquet", "read_feather", "read_orc") else a)
                 for n, a in names]
    else:
        names = list(NUMPY_READERS)
    return [(n, reader(getattr(module, n), a)) for n, a in names if hasattr(module, n)]


# ---- content fingerprints -------------------------------------------------------------------


class _Unhashable(Exception):
    """The value has no content fingerprint we can compute."""


def _feed_array(h: Any, a: Any) -> dict[str, Value]:
    import numpy as np

    a = np.asarray(a)
    h.update(f"ndarray|{a.dtype.str}|{a.shape}|".encode())
    if a.dtype.hasobject:
        _feed_objects(h, a.ravel().tolist())
    else:
        h.update(np.ascontiguousarray(a).tobytes() if a.size < 4096
                 else memoryview(np.ascontiguousarray(a)).cast("B"))  # type: ignore[arg-type]
    out: dict[str, Value] = {"rows": int(a.shape[0]) if a.ndim else 1}
    if a.ndim == 2:
        out["columns"] = int(a.shape[1])
    return out


def _feed_objects(h: Any, values: list[Any]) -> None:
    try:
        h.update(pickle.dumps(values, protocol=4))
    except Exception as exc:
        raise _Unhashable(str(exc)) from exc


def _feed_pandas(h: Any, obj: Any) -> dict[str, Value]:
    import pandas as pd

    hashed = pd.util.hash_pandas_object(obj, index=False).to_numpy()
    if isinstance(obj, pd.DataFrame):
        h.update(f"DataFrame|{list(map(str, obj.columns))}|{list(map(str, obj.dtypes))}|"
                 .encode())
        meta: dict[str, Value] = {"rows": len(obj), "columns": obj.shape[1],
                                  "column_names": [str(c) for c in obj.columns][:200]}
    else:
        h.update(f"Series|{obj.name}|{obj.dtype}|".encode())
        meta = {"rows": len(obj)}
    h.update(memoryview(hashed).cast("B"))
    return meta


def _feed(h: Any, obj: Any) -> tuple[str, dict[str, Value]]:
    """Feed ``obj``'s content to ``h``; returns its format name and descriptive properties."""
    module = type(obj).__module__.split(".", 1)[0]
    name = type(obj).__name__
    if module == "pandas" and name in ("DataFrame", "Series"):
        return name, _feed_pandas(h, obj)
    if module == "numpy":
        return "ndarray", _feed_array(h, obj)
    if module == "scipy" and hasattr(obj, "tocsr"):
        csr = obj.tocsr()
        h.update(f"sparse|{csr.shape}|".encode())
        for part in (csr.data, csr.indices, csr.indptr):
            _feed_array(h, part)
        return "sparse", {"rows": int(csr.shape[0]), "columns": int(csr.shape[1])}
    if module == "torch" and hasattr(obj, "detach"):
        return "tensor", _feed_array(h, obj.detach().cpu().numpy())
    if isinstance(obj, (list, tuple)):
        return "list", _feed_array(h, obj)
    raise _Unhashable(f"no fingerprint for {type(obj).__qualname__}")


def content_digest(*parts: Any) -> tuple[str, str, dict[str, Value]] | None:
    """``(sha256:<hex>, format, properties)`` of the given values (None ones skipped).

    Returns None when a part cannot be fingerprinted.
    """
    h = hashlib.sha256()
    fmt = ""
    props: dict[str, Value] = {}
    for i, part in enumerate(parts):
        h.update(f"|part{i}|".encode())
        if part is None:
            continue
        try:
            f, p = _feed(h, part)
        except (_Unhashable, TypeError, ValueError):
            return None
        if not fmt:
            fmt, props = f, p
    return "sha256:" + h.hexdigest(), fmt or "none", props


def memory_dataset(*parts: Any, type_name: str = fields.DATASET) -> ArtifactRef | None:
    """A handle for in-memory data, identified by its content (None if it has none)."""
    found = content_digest(*parts)
    if found is None:
        return None
    digest, fmt, props = found
    props = {**props, "format": fmt}
    return ArtifactRef(f"{MEMORY_SCHEME}{fmt}", type=type_name, fingerprint=digest,
                       properties=props)


def describe_data(
    role: str, x: Any, y: Any = None, weight: Any = None
) -> tuple[list[DataRef], list[str]]:
    """The artifacts of one data role (``train``, ``validation``...): files or content.

    Features and targets read from one file are that file; otherwise features, targets and
    weights together are one in-memory dataset, except a part read from a file, which is
    recorded as its file.

    Returns:
        The data references, and the names of parts that could not be recorded.
    """
    refs: list[DataRef] = []
    missing: list[str] = []
    parts = {"X": x, "y": y, "sample_weight": weight}
    sources = {k: source_of(v) for k, v in parts.items() if v is not None}
    files = {s.path for s in sources.values() if s is not None}
    in_memory = {k: v for k, v in parts.items() if v is not None and sources.get(k) is None}
    seen: set[str] = set()
    for name, source in sources.items():
        if source is None or source.path in seen:
            continue
        seen.add(source.path)
        path: tuple[str | int, ...] = (role,) if len(files) == 1 and not in_memory else (
            role, name)
        refs.append(DataRef(path, Dataset(source.path), source.fp))
    if in_memory:
        ref = memory_dataset(*(in_memory.get(k) for k in ("X", "y", "sample_weight")))
        if ref is None:
            missing.extend(f"{role}.{k}:{type(v).__qualname__}" for k, v in in_memory.items())
        else:
            refs.append(DataRef((role,) if not refs else (role, "data"), ref))
    return refs, missing


# ---- models ---------------------------------------------------------------------------------


class _HashSink:
    def __init__(self) -> None:
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, b: bytes) -> int:
        self.h.update(b)
        self.size += len(b)
        return len(b)


def model_digest(obj: Any) -> tuple[str, int] | None:
    """``(sha256:<hex>, bytes)`` of ``obj``'s pickle stream (``pickle.dump``'s bytes), or None
    when it cannot be pickled."""
    sink = _HashSink()
    try:
        pickle.Pickler(sink, protocol=pickle.DEFAULT_PROTOCOL).dump(obj)
    except Exception:  # unpicklable models exist (lambdas in a FunctionTransformer)
        return None
    return "sha256:" + sink.h.hexdigest(), sink.size


def model_ref(obj: Any, framework: str, unique: str) -> ArtifactRef:
    """The handle of a fitted model: ``memory://<class>`` with its pickle fingerprint.

    ``unique`` versions a model without one (unpicklable), so it is never merged with another.
    """
    cls = type(obj)
    qualname = f"{cls.__module__}.{cls.__qualname__}"
    digest = model_digest(obj)
    props: dict[str, Value] = {"framework": framework, "class": qualname}
    if digest is None:
        version = f"unpicklable:{unique}"
    else:
        version, props[fields.SIZE] = digest
    return Model(f"{MEMORY_SCHEME}{qualname}", fingerprint=version, properties=props)


def iter_pairs(eval_set: Any) -> Iterator[tuple[Any, Any]]:
    """``(X, y)`` pairs of an ``eval_set`` argument (a list of pairs)."""
    if not isinstance(eval_set, (list, tuple)):
        return
    for item in eval_set:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            yield item[0], item[1]
