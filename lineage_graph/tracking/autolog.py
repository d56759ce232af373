"""``autolog()``: history with no extra code for the libraries people train with.

    import lineage_graph
    lineage_graph.autolog()          # scikit-learn, XGBoost, LightGBM, PyTorch Lightning
    model = GridSearchCV(SVC(), {"C": [0.1, 1]}).fit(X, y)

Every top-level ``fit``/``train`` call of an installed library becomes one execution:

* its parameters (the estimator's ``get_params(deep=False)``, the booster's ``params``) as the
  execution's declared properties; values that are not plain (estimators, callables) as their
  ``repr``;
* the training data (and validation data: ``eval_set``, ``evals``, ``valid_sets``,
  ``val_dataloaders``) as ``Dataset`` INPUTs: the file it was read from when a patched reader
  read it, else its content fingerprint (``tracking.autolog_data``);
* the fitted model as a ``Model`` OUTPUT (``memory://<class>`` + the sha256 of its pickle
  stream), carrying the metrics; a ``Metrics`` OUTPUT with the metrics the library reports
  (``best_score_``, ``oob_score_``, ``n_iter_``, the eval metrics of boosters and Lightning's
  ``callback_metrics``; boosters' per-round history on the Metrics artifact; with
  ``training_score=True`` also ``score(X, y)`` on the training data);
* the environment, the calling script's code version (``code_hash`` of the calling function,
  ``code_file``, git) and timings, exactly as ``@step`` records them (``tracking.fields``);
* on an exception: state FAILED (CANCELED for ``KeyboardInterrupt``) with the error's type,
  message and traceback; the exception propagates unchanged.

Nested fits are not recorded twice: a fit made while another is running (a ``Pipeline``'s
steps, a ``GridSearchCV``'s refit, a meta-estimator's sub-estimators, ``xgboost.train`` inside
``XGBClassifier.fit``) is a *child* of it. A parent with children gets a ``Fit`` context (its
execution's name) that its children are associated with, CHILD_OF the run: the run holds the
parent only, never hundreds of siblings. A search's candidates are one child each (grid
parameters, cross-validated scores, rank; FAILED with the fold's error when its score is NaN);
the fits of cross-validation folds (``cross_validate``, ``cross_val_score``, the searches') are
not recorded: they are evaluation, and their scores are the candidates'. Parallel fits
(``n_jobs``) made on joblib threads are attributed to their parent; those made in worker
processes are not seen.

Inside ``with run(...)`` the executions join that run. Outside, autolog opens one implicit run
per process (pipeline: the script's name), ended at exit (FAILED when the script died of an
exception). Memoization stays opt-in: autolog never skips a fit.

Writes leave the training thread: fingerprints of the data and the model are computed where
the fit happens (they must see them as they were); the record is built and written by one
background writer, flushed when the run ends,
by ``flush()`` and at exit; a write that fails is a ``RuntimeWarning``, never the training's
exception. ``autolog(background=False)`` writes in the calling thread.

Public API::

    autolog(disable=False, *, store=None, pipeline=None, libraries=None,
            background=True, training_score=False) -> None
    flush() -> None                      # wait until every recorded fit is written
    recorded_model(obj) -> Model | None  # the Model handle of a fitted object (for @step)
    errors() -> list[str]                # writes that failed since autolog() was called
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import functools
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import math
import queue
import sys
import sysconfig
import threading
import traceback
import types
import uuid
import warnings
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import AlreadyExistsError, InvalidInputError
from ..models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactState,
    Context,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    ParentContext,
    PathStep,
    PropertyType,
    Value,
    type_label,
)
from . import fields
from .autolog_data import DataRef, model_ref
from .codehash import code_hash, file_hash
from .encoding import as_property, property_type
from .environment import environment_properties
from .handles import ArtifactRef
from .runs import Run, StepRecord, current_run, now_ms, run
from .steps import TRACEBACK_LINES, artifact_of

if TYPE_CHECKING:
    from ..store.base import Store
    from ..store.rules import WriteRules

R = TypeVar("R")

LIBRARIES: tuple[str, ...] = ("sklearn", "xgboost", "lightgbm", "lightning")
FIT_CONTEXT = "Fit"  # context of a parent fit and its children (CHILD_OF the run)
PARAM_TEXT_LIMIT = 250  # characters kept of a parameter recorded by its repr
HISTORY_LIMIT = 1000  # values kept per metric history (the last ones)

_frame: contextvars.ContextVar[Fit | None] = contextvars.ContextVar(
    "lineage_graph_autolog_fit", default=None)
# True inside fits that are not recorded (cross-validation folds), so their nested fits are not.
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lineage_graph_autolog_suppressed", default=False)


# ---- what an integration tells the core ---------------------------------------------------


@dataclass
class FitSpec:
    """One intercepted fit/train call, described lazily (nothing is computed for calls that
    are not recorded).

    Attributes:
        library: ``sklearn``, ``xgboost``...; an ``engine`` call inside a fit of the same
            library is part of that fit.
        type: the execution type (a valid type name).
        label: the execution's short name (``<run>/<label>``, ``<parent>/<label>``).
        owner: the object being fitted (a call re-entering the same object is the same fit).
        describe: fills the ``Fit``'s params and, for a top-level fit, its data.
        finish: after a successful call, fills metrics, the model and children.
    """

    library: str
    type: str
    label: str
    owner: object | None
    describe: Callable[[Fit], None]
    finish: Callable[[Fit, Any], None] | None = None
    engine: bool = False


@dataclass
class Fit:
    """A fit being recorded; integrations fill it in ``describe`` and ``finish``."""

    spec: FitSpec
    parent: Fit | None
    start: int = field(default_factory=now_ms)
    end: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    data: list[DataRef] = field(default_factory=list)
    unrecorded: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Value] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    model: Any = None
    has_model: bool = False
    model_handle: ArtifactRef | None = None
    model_properties: dict[str, Value] = field(default_factory=dict)
    children: list[Fit | ChildRecord] = field(default_factory=list)
    # Only fits this accepts become children; the others are not recorded (a search's folds).
    child_filter: Callable[[object], bool] | None = None
    # Errors of fits not recorded under this one, with the failing estimator's parameters.
    failures: list[tuple[dict[str, Any], BaseException]] = field(default_factory=list)
    state: ExecutionState = ExecutionState.RUNNING
    error: BaseException | None = None
    caller: _Caller | None = None

    @property
    def top_level(self) -> bool:
        return self.parent is None

    def set_model(self, obj: Any, **properties: Value) -> None:
        self.model, self.has_model = obj, True
        self.model_properties.update(properties)

    def add_metric(self, name: str, value: Any) -> None:
        number = _number(value)
        if number is not None:
            self.metrics[name] = number

    def add_history(self, name: str, values: Sequence[Any]) -> None:
        numbers = [n for n in (_number(v) for v in values) if n is not None]
        if numbers:
            self.history[name] = [float(n) for n in numbers[-HISTORY_LIMIT:]]
            self.metrics[name] = numbers[-1]


@dataclass
class ChildRecord:
    """A child known only from its parent's results (a search candidate)."""

    type: str
    label: str
    params: dict[str, Any]
    metrics: dict[str, Value]
    state: ExecutionState = ExecutionState.COMPLETE
    error: BaseException | str | None = None


@dataclass(frozen=True)
class _Caller:
    file: str | None
    step: str
    function: Callable[..., Any] | None


# ---- settings and state -------------------------------------------------------------------


@dataclass
class _Settings:
    store: Store | None = None
    pipeline: str | None = None
    background: bool = True
    training_score: bool = False
    libraries: tuple[str, ...] = LIBRARIES


class _State:
    def __init__(self) -> None:
        self.enabled = False
        self.settings = _Settings()
        self.undo: list[Callable[[], None]] = []
        self.lock = threading.RLock()
        self.implicit: tuple[Run, contextvars.Context] | None = None
        self.atexit_registered = False
        self.models: weakref.WeakKeyDictionary[Any, ArtifactRef] = weakref.WeakKeyDictionary()
        self.models_by_id: dict[int, tuple[weakref.ref[Any] | None, ArtifactRef]] = {}
        self.hooked_runs: weakref.WeakSet[Run] = weakref.WeakSet()


_state = _State()


def active() -> bool:
    """Is autolog on (and this call not inside an unrecorded fit)?"""
    return _state.enabled and not _suppressed.get()


def in_unrecorded() -> bool:
    """Is this call inside a fit that autolog does not record (a cross-validation fold)?"""
    return _state.enabled and _suppressed.get()


def current_fit() -> Fit | None:
    """The fit being recorded in this thread, if any."""
    return _frame.get()


def training_score_enabled() -> bool:
    return _state.settings.training_score


# ---- the core: one call ----------------------------------------------------------------------


def call(spec: FitSpec, fn: Callable[[], R]) -> R:
    """Run ``fn`` (the library's own fit) and record it per the nesting rules above."""
    if not active():
        return fn()
    parent = _frame.get()
    if parent is not None:
        if spec.owner is not None and parent.spec.owner is spec.owner:
            return fn()  # fit_transform -> fit on the same object: one fit
        if spec.engine and parent.spec.library == spec.library:
            return fn()  # xgboost.train inside XGBClassifier.fit: part of it
        if parent.child_filter is not None and not parent.child_filter(spec.owner):
            return unrecorded(fn, parent, spec.owner)
    fit = Fit(spec, parent)
    try:
        if parent is None:
            fit.caller = _caller()
        spec.describe(fit)
    except Exception as exc:  # describing must never break training
        _warn(f"could not describe {spec.type}: {exc}")
        return fn()
    token = _frame.set(fit)
    try:
        result = fn()
    except BaseException as exc:
        _frame.reset(token)
        fit.end, fit.error = now_ms(), exc
        fit.state = (ExecutionState.FAILED if isinstance(exc, Exception)
                     else ExecutionState.CANCELED)
        _done(fit)
        raise
    _frame.reset(token)
    fit.end = now_ms()
    if spec.finish is not None:
        try:
            spec.finish(fit, result)
        except Exception as exc:
            _warn(f"could not read the results of {spec.type}: {exc}")
    fit.state = ExecutionState.COMPLETE
    _done(fit)
    return result


def unrecorded(fn: Callable[[], R], parent: Fit | None = None, owner: object = None) -> R:
    """Run ``fn`` without recording the fits it makes (cross-validation folds).

    A failure is remembered on ``parent`` (with the estimator's parameters), so a search
    can say why a candidate failed.
    """
    token = _suppressed.set(True)
    try:
        return fn()
    except Exception as exc:
        target = parent or _frame.get()
        if target is not None:
            get_params = getattr(owner, "get_params", None)
            try:
                params = get_params(deep=True) if callable(get_params) else {}
            except Exception:
                params = {}
            target.failures.append((params, exc))
        raise
    finally:
        _suppressed.reset(token)


def _done(fit: Fit) -> None:
    if fit.parent is not None:
        fit.parent.children.append(fit)  # list.append is atomic: joblib threads may share it
        return
    try:
        run_ = _run_for_fit()
        if fit.has_model and fit.state is ExecutionState.COMPLETE:
            # Fingerprinted now: the object may change once the caller has it back.
            fit.model_handle = model_ref(fit.model, fit.spec.library, uuid.uuid4().hex)
            fit.model_handle.properties.update(fit.model_properties)
            _remember_model(fit.model, fit.model_handle)
        fit.model = None
    except Exception as exc:
        _warn(f"could not record {fit.spec.type}: {exc}")
        return
    # Building the record (parameters, artifacts) and writing it happen in the writer.
    _writer.submit(run_, fit, background=_state.settings.background
                   and not _is_memory(run_.store))


class _Carry:
    """A joblib task that runs with its submitter's fit (threads do not inherit contextvars).

    Pickled (process backends) it becomes the bare task: workers record nothing.
    """

    def __init__(self, fn: Any, fit: Fit | None, suppressed: bool) -> None:
        self.fn, self.fit, self.suppressed = fn, fit, suppressed

    def with_config_and_warning_filters(self, *args: Any) -> _Carry:
        inner = getattr(self.fn, "with_config_and_warning_filters", None)
        if inner is not None:
            self.fn = inner(*args)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        t1, t2 = _frame.set(self.fit), _suppressed.set(self.suppressed)
        try:
            return self.fn(*args, **kwargs)
        finally:
            _suppressed.reset(t2)
            _frame.reset(t1)

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return _identity, (self.fn,)


def _identity(x: Any) -> Any:
    return x


def carry_tasks(iterable: Iterable[Any]) -> Iterable[Any]:
    """Wrap joblib ``(fn, args, kwargs)`` tasks so worker threads see the current fit."""
    fit, suppressed = _frame.get(), _suppressed.get()
    if fit is None and not suppressed:
        return iterable
    return ((_Carry(fn, fit, suppressed), args, kwargs) for fn, args, kwargs in iterable)


# ---- values -----------------------------------------------------------------------------------


def _number(value: Any) -> int | float | None:
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "size", 1) == 1:
        try:
            value = item()
        except (TypeError, ValueError):
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def param_value(value: Any) -> Value | None:
    """A storable form of a parameter: plain values as they are, the rest as text."""
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        return number
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):  # nan, inf
        return str(value)
    if property_type(value) is not None:
        return as_property(value)
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    text = repr(value)
    return text if len(text) <= PARAM_TEXT_LIMIT else text[: PARAM_TEXT_LIMIT - 3] + "..."


def _params(raw: dict[str, Any]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for k, v in raw.items():
        value = param_value(v)
        if value is not None and isinstance(k, str):
            out[_property_key(k)] = value
    return out


def _property_key(name: str) -> str:
    from ..interop.names import property_name  # a leaf module: names only

    return property_name(name)


def execution_type(library: str, cls_name: str) -> str:
    """``<library>.<Class>``, made a valid type name."""
    from ..interop.names import type_name

    return type_name(f"{library}.{cls_name}")


# ---- the caller ------------------------------------------------------------------------------

_LIBRARY_ROOTS = tuple(
    str(Path(p).resolve())
    for p in {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
)
_OWN = str(Path(__file__).resolve().parents[1])


@functools.lru_cache(maxsize=512)
def _is_user_file(filename: str) -> bool:
    if not filename or filename.startswith("<"):
        return False
    resolved = str(Path(filename).resolve())
    return not resolved.startswith(_OWN) and not any(resolved.startswith(r)
                                                     for r in _LIBRARY_ROOTS)


def _caller() -> _Caller:
    """The user code that called the fit: the first frame outside libraries and us."""
    frame = sys._getframe(2)
    last = frame
    while frame is not None:
        if _is_user_file(frame.f_code.co_filename):
            break
        last = frame
        frame = frame.f_back  # type: ignore[assignment]
    chosen = frame or last
    code = chosen.f_code
    module = chosen.f_globals.get("__name__", "?")
    fn = chosen.f_globals.get(code.co_name)
    function = fn if inspect.isfunction(fn) and fn.__code__ is code else None
    return _Caller(file=code.co_filename if _is_user_file(code.co_filename) else None,
                   step=f"{module}:{getattr(code, 'co_qualname', code.co_name)}",
                   function=function)


@functools.lru_cache(maxsize=64)
def _code_fields(file: str | None, function: Callable[..., Any] | None) -> dict[str, Value]:
    out: dict[str, Value] = dict(environment_properties(file))
    if file is not None:
        out[fields.CODE_FILE] = file
        with contextlib.suppress(OSError):
            out[fields.MODULE_HASH] = file_hash(file)
    if function is not None:
        out[fields.CODE_HASH] = code_hash(function)
    elif fields.MODULE_HASH in out:
        out[fields.CODE_HASH] = out[fields.MODULE_HASH]  # module-level code: the file is it
    return out


# ---- records: what the writer writes -----------------------------------------------------------


@dataclass
class _Exec:
    type: str
    label: str
    state: ExecutionState
    params: dict[str, Value]
    custom: dict[str, Value]
    inputs: list[tuple[tuple[PathStep, ...], Artifact]] = field(default_factory=list)
    model: Artifact | None = None
    metrics: dict[str, Value] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    children: list[_Exec] = field(default_factory=list)


def _error_fields(error: BaseException | str) -> dict[str, Value]:
    if isinstance(error, str):
        return {fields.ERROR_TYPE: "FitFailed", fields.ERROR_MESSAGE: error}
    cls = type(error)
    lines = "".join(traceback.format_exception(error)).splitlines()
    return {
        fields.ERROR_TYPE: (cls.__qualname__ if cls.__module__ == "builtins"
                            else f"{cls.__module__}.{cls.__qualname__}"),
        fields.ERROR_MESSAGE: str(error),
        fields.ERROR_TRACEBACK: "\n".join(lines[-TRACEBACK_LINES:]),
    }


def _build(fit: Fit, run_: Run, base: dict[str, Value] | None = None) -> _Exec:
    """The record of a finished fit and its children (computed in the training thread)."""
    if base is None:
        caller = fit.caller or _Caller(None, "?", None)
        base = {fields.STEP: caller.step, **_code_fields(caller.file or run_.caller_file,
                                                          caller.function)}
    custom: dict[str, Value] = {**base, fields.START_TIME: fit.start,
                                fields.END_TIME: fit.end or now_ms(), fields.MEMOIZABLE: False}
    if fit.unrecorded:
        custom[fields.UNRECORDED_ARGS] = dict(fit.unrecorded)
    if fit.error is not None:
        custom.update(_error_fields(fit.error))
    if fit.metrics:
        custom[fields.METRICS] = dict(fit.metrics)
    record = _Exec(type=fit.spec.type, label=fit.spec.label, state=fit.state,
                   params=_params(fit.params), custom=custom, metrics=dict(fit.metrics),
                   history=dict(fit.history))
    if fit.top_level:
        record.inputs = [(d.path, artifact_of(d.ref, d.fp)) for d in fit.data]
        if fit.model_handle is not None:
            record.model = artifact_of(fit.model_handle)
    child_base = dict(base.items())
    for child in fit.children:
        if isinstance(child, Fit):
            record.children.append(_build(child, run_, child_base))
        else:
            c_custom: dict[str, Value] = {**child_base, fields.MEMOIZABLE: False}
            if child.metrics:
                c_custom[fields.METRICS] = dict(child.metrics)
            if child.error is not None:
                c_custom.update(_error_fields(child.error))
            record.children.append(_Exec(type=child.type, label=child.label,
                                         state=child.state, params=_params(child.params),
                                         custom=c_custom, metrics=dict(child.metrics)))
    return record


def _remember_model(obj: Any, ref: ArtifactRef) -> None:
    try:
        _state.models[obj] = ref
    except TypeError:  # unhashable or not weak-referenceable: keep by id while alive
        try:
            wr: weakref.ref[Any] | None = weakref.ref(obj)
        except TypeError:
            wr = None
        _state.models_by_id[id(obj)] = (wr, ref)


def recorded_model(obj: Any) -> ArtifactRef | None:
    """The ``Model`` handle autolog recorded for a fitted object (its latest fit), if any.

    Pass it to a ``@step`` (``push(recorded_model(clf))``) to link later steps to it.
    """
    try:
        found = _state.models.get(obj)
    except TypeError:
        found = None
    if found is not None:
        return found
    entry = _state.models_by_id.get(id(obj))
    if entry is not None and (entry[0] is None or entry[0]() is obj):
        return entry[1]
    return None


# ---- runs ------------------------------------------------------------------------------------


def _script_name() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    stem = Path(path).stem if path else ""
    return stem or "python"


def _run_for_fit() -> Run:
    """The run a top-level fit joins: the current one, else this process's implicit run."""
    explicit = current_run()
    if explicit is not None:
        with _state.lock:
            if explicit not in _state.hooked_runs:
                explicit.on_exit.append(flush)
                _state.hooked_runs.add(explicit)
        return explicit
    with _state.lock:
        if _state.implicit is None:
            r = run(_state.settings.pipeline or _script_name(), store=_state.settings.store)
            main = sys.modules.get("__main__")
            r.caller_file = getattr(main, "__file__", None) or r.caller_file
            r.on_exit.append(flush)
            ctx = contextvars.copy_context()
            # Entered in a context of its own: the implicit run is never ``current_run()``,
            # so a later ``with run(...)`` in the script behaves as without autolog.
            ctx.run(r.__enter__)
            _state.implicit = (r, ctx)
            if not _state.atexit_registered:
                atexit.register(_at_exit)
                _state.atexit_registered = True
        return _state.implicit[0]


def _close_implicit(exc: BaseException | None) -> None:
    with _state.lock:
        implicit, _state.implicit = _state.implicit, None
    if implicit is None:
        return
    r, ctx = implicit
    try:
        ctx.run(r.__exit__, type(exc) if exc else None, exc,
                exc.__traceback__ if exc else None)
    except Exception as error:
        _warn(f"could not end the implicit run {r.name!r}: {error}")


def _at_exit() -> None:
    # An uncaught exception is in sys.last_value by the time atexit handlers run.
    exc = getattr(sys, "last_value", None)
    flush()
    _close_implicit(exc if isinstance(exc, BaseException) else None)


def _is_memory(store: Store) -> bool:
    from ..store.memory import MemoryStore

    # The in-memory store is not safe for concurrent writers, and is fast: write inline.
    return isinstance(store, MemoryStore)


# ---- the writer --------------------------------------------------------------------------------


class _Writer:
    """Writes records in order, in one background thread (or inline)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[Run, Fit]] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.names: dict[tuple[int, str, str], int] = {}

    def submit(self, run_: Run, record: Fit, *, background: bool) -> None:
        if not background:
            self._write_one(run_, record)
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="lineage-graph-autolog",
                                               daemon=True)
                self.thread.start()
        self.queue.put((run_, record))

    def _loop(self) -> None:
        while True:
            run_, record = self.queue.get()
            try:
                self._write_one(run_, record)
            finally:
                self.queue.task_done()

    def flush(self) -> None:
        if self.thread is not None and threading.current_thread() is not self.thread:
            self.queue.join()

    def _write_one(self, run_: Run, fit: Fit) -> None:
        try:
            write(run_, _build(fit, run_), self)
        except Exception as exc:
            message = f"lineage-graph autolog could not record {fit.spec.type}: {exc}"
            self.errors.append(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def next_name(self, run_: Run, type_: str, label: str, check: bool) -> str:
        base = f"{run_.name}/{label}"
        key = (id(run_), type_, label)
        n = self.names.get(key, 0)
        while True:
            name = base if n == 0 else f"{base}#{n + 1}"
            n += 1
            if not check or run_.store.get_execution_by_type_and_name(type_, name) is None:
                self.names[key] = n
                return name


_writer = _Writer()


def _walk(record: _Exec) -> Iterable[_Exec]:
    yield record
    for child in record.children:
        yield from _walk(child)


def _declare(run_: Run, record: _Exec) -> dict[int, tuple[dict[str, Value], dict[str, Value]]]:
    """Declare types; split each execution's params into declared and custom properties."""
    split: dict[int, tuple[dict[str, Value], dict[str, Value]]] = {}
    for ex in _walk(record):
        types: dict[str, PropertyType] = {}
        for k, v in ex.params.items():
            t = property_type(v)
            if t is not None:
                types[k] = t
        declared = run_.ensure_type(Kind.EXECUTION, ex.type, types)
        props = {k: v for k, v in ex.params.items() if declared.get(k) == types.get(k)}
        # A parameter the type declares with another value type stays a custom property.
        extra = {k: v for k, v in ex.params.items() if k not in props}
        split[id(ex)] = (props, extra)
    for type_name in (fields.DATASET, fields.MODEL, fields.METRICS_TYPE):
        run_.ensure_type(Kind.ARTIFACT, type_name)
    for _, a in record.inputs:
        run_.ensure_type(Kind.ARTIFACT, a.type)
    run_.ensure_type(Kind.CONTEXT, FIT_CONTEXT)
    return split


def _metrics_artifact(name: str, metrics: dict[str, Value],
                      history: dict[str, list[float]]) -> Artifact:
    import hashlib
    import json

    blob = json.dumps([metrics, history], sort_keys=True, default=str).encode()
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    custom: dict[str, Value] = {**metrics, fields.FINGERPRINT: digest}
    if history:
        custom["history"] = {k: list(v) for k, v in history.items()}
    return Artifact(type=fields.METRICS_TYPE, state=ArtifactState.LIVE,
                    external_id=f"{fields.METRICS_TYPE}:autolog:{name}@{digest}",
                    custom_properties=custom)


def write(run_: Run, record: _Exec, writer: _Writer) -> None:
    """Write one top-level record with its children: one transaction."""
    split = _declare(run_, record)
    check = run_.resumed
    while True:
        name = writer.next_name(run_, record.type, record.label, check)
        try:
            result = run_.store.atomic(
                lambda w, name=name: _put_tree(w, run_, record, name, split))  # type: ignore[misc]
            break
        except AlreadyExistsError:
            if check:
                raise
            check = True  # another process writes into this run: look names up
    run_.records.append(StepRecord(step=record.label, execution_id=result[0],
                                   state=record.state, output_ids=result[1]))


def _put_tree(
    w: WriteRules,
    run_: Run,
    record: _Exec,
    name: str,
    split: dict[int, tuple[dict[str, Value], dict[str, Value]]],
) -> tuple[int, list[int]]:
    assert run_.run_context.id is not None
    contexts = [run_.pipeline_context, run_.run_context]
    return _put_one(w, record, name, contexts, run_.run_context.id, split)


def _put_one(
    w: WriteRules,
    record: _Exec,
    name: str,
    contexts: list[Context],
    parent_context_id: int,
    split: dict[int, tuple[dict[str, Value], dict[str, Value]]],
) -> tuple[int, list[int]]:
    props, extra = split[id(record)]
    events: list[ArtifactAndEvent] = [
        ArtifactAndEvent(artifact=a, event_type=EventType.INPUT, path=p) for p, a in record.inputs
    ]
    if record.model is not None:
        model = record.model
        if record.metrics:
            # Metrics describe the model they were measured on (readers rank models by them);
            # its system fields win over a metric of the same name.
            model = model.model_copy(update={"custom_properties": {
                **record.metrics, **model.custom_properties}})
        events.append(ArtifactAndEvent(artifact=model, event_type=EventType.OUTPUT,
                                       path=("model",)))
    if record.metrics and record.model is not None:
        events.append(ArtifactAndEvent(
            artifact=_metrics_artifact(name, record.metrics, record.history),
            event_type=EventType.OUTPUT, path=("metrics",)))
    own = list(contexts)
    group: Context | None = None
    if record.children:
        [group_id] = w.put_contexts([Context(type=FIT_CONTEXT, name=name)], reuse=True)
        w.put_parents([ParentContext(child_id=group_id, parent_id=parent_context_id)])
        group = Context(id=group_id, type=FIT_CONTEXT, name=name)
        own.append(group)
    execution = Execution(type=record.type, name=name, last_known_state=record.state,
                          properties=props, custom_properties={**extra, **record.custom})
    result = w.put_execution(execution, events, own, link_existing=True)
    outputs = [aid for aid, e in zip(result.artifact_ids, events, strict=True)
               if e.event_type is EventType.OUTPUT]
    if group is not None:
        assert group.id is not None
        taken: dict[str, int] = {}
        for child in record.children:
            n = taken.get(child.label, 0)
            taken[child.label] = n + 1
            child_name = f"{name}/{child.label}" + (f"#{n + 1}" if n else "")
            _put_one(w, child, child_name, [group], group.id, split)
    return result.execution_id, outputs


# ---- lazy patching: hooks that run when a library is imported ----------------------------------


_hooks: dict[str, list[Callable[[types.ModuleType], None]]] = {}


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: Any, name: str) -> None:
        self.inner, self.name = inner, name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        create = getattr(self.inner, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        self.inner.exec_module(module)
        _run_hooks(self.name, module)


class _Finder(importlib.abc.MetaPathFinder):
    """Runs autolog's patches right after a watched module is imported (lazy: autolog()
    imports no library, and a library never imported is never patched)."""

    def __init__(self) -> None:
        self.busy: set[str] = set()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _hooks or fullname in self.busy:
            return None
        self.busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self.busy.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader, fullname)
        return spec


_finder = _Finder()


def _run_hooks(name: str, module: types.ModuleType) -> None:
    for hook in _hooks.pop(name, []):
        try:
            hook(module)
        except Exception as exc:
            _warn(f"could not patch {name}: {exc}")


def when_imported(name: str, hook: Callable[[types.ModuleType], None]) -> None:
    """Run ``hook(module)`` now if ``name`` is imported, else right after it is."""
    module = sys.modules.get(name)
    if module is not None:
        try:
            hook(module)
        except Exception as exc:
            _warn(f"could not patch {name}: {exc}")
        return
    _hooks.setdefault(name, []).append(hook)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def patch(owner: Any, name: str, replacement: Any) -> None:
    """Set ``owner.name`` and remember how to undo it (``autolog(disable=True)``)."""
    had_own = name in vars(owner)
    original = vars(owner).get(name)
    setattr(owner, name, replacement)

    def undo() -> None:
        if had_own:
            setattr(owner, name, original)
        else:
            with contextlib.suppress(AttributeError):
                delattr(owner, name)

    _state.undo.append(undo)


def wrapped(fn: Any) -> bool:
    """Is ``fn`` one of autolog's wrappers?"""
    return bool(getattr(fn, "__lg_autolog__", False))


def mark(fn: Any) -> Any:
    fn.__lg_autolog__ = True
    return fn


# ---- public API --------------------------------------------------------------------------------


def autolog(
    disable: bool = False,
    *,
    store: Store | None = None,
    pipeline: str | None = None,
    libraries: Sequence[str] | None = None,
    background: bool = True,
    training_score: bool = False,
) -> None:
    """Record every fit of the installed ML libraries, with no other code.

    Args:
        disable: undo every patch, write what is pending and end the implicit run.
        store: where fits outside ``run(...)`` are recorded (default ``connect()``); inside a
            run, its store.
        pipeline: the implicit run's pipeline name (default: the script's file name).
        libraries: a subset of ``LIBRARIES`` (default: all, each only if installed).
        background: write from a background thread (a fit waits for nothing).
        training_score: also record ``score(X, y)`` on the training data of scikit-learn
            estimators (``training_score``; one prediction pass, so off by default).

    Raises:
        InvalidInputError: an unknown library name.

    Example:
        >>> import lineage_graph
        >>> lineage_graph.autolog()  # doctest: +SKIP
        >>> LogisticRegression().fit(X, y)  # recorded  # doctest: +SKIP
    """
    chosen = tuple(libraries) if libraries is not None else LIBRARIES
    unknown = [lib for lib in chosen if lib not in LIBRARIES]
    if unknown:
        raise InvalidInputError(f"autolog knows {', '.join(LIBRARIES)}, not {unknown[0]!r}",
                                field="libraries", value=unknown[0])
    with _state.lock:
        _disable()
        if disable:
            return
        _state.settings = _Settings(store=store, pipeline=pipeline, background=background,
                                    training_score=training_score, libraries=chosen)
        _state.enabled = True
    from . import autolog_lightgbm, autolog_lightning, autolog_sklearn, autolog_xgboost

    when_imported("pandas", _patch_readers)
    when_imported("numpy", _patch_readers)
    installers = {"sklearn": autolog_sklearn.install, "xgboost": autolog_xgboost.install,
                  "lightgbm": autolog_lightgbm.install, "lightning": autolog_lightning.install}
    for lib in chosen:
        installers[lib]()


def _patch_readers(module: types.ModuleType) -> None:
    from .autolog_data import reader_patches

    for name, wrapper in reader_patches(module):
        if not wrapped(getattr(module, name)):
            patch(module, name, mark(wrapper))


def _disable() -> None:
    was = _state.enabled
    _state.enabled = False
    _hooks.clear()
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_finder)
    for undo in reversed(_state.undo):
        undo()
    _state.undo.clear()
    if was:
        flush()
        _close_implicit(None)


def flush() -> None:
    """Wait until every fit recorded so far is written."""
    _writer.flush()


def errors() -> list[str]:
    """The writes that failed (each was also a ``RuntimeWarning``)."""
    return list(_writer.errors)


def _warn(message: str) -> None:
    warnings.warn(f"lineage-graph autolog: {message}", RuntimeWarning, stacklevel=3)


def check_type_name(name: str) -> str:
    """``name`` if valid as a type name (raises ``InvalidInputError`` otherwise)."""
    try:
        type_label(name)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="type", value=name) from exc
    return name
