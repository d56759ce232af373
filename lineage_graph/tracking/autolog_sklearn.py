"""autolog for scikit-learn, and for every estimator with its API (XGBoost's and LightGBM's
``XGBClassifier``, ``LGBMRegressor``... included).

Patched when imported (see ``autolog.when_imported``):

* ``fit``, ``fit_transform`` and ``fit_predict`` of every ``BaseEstimator`` subclass that
  defines them, also classes defined later (``BaseEstimator.__init_subclass__``);
* the cross-validation fold runners (``_fit_and_score``, ``_fit_and_predict``): folds are
  evaluation, not recorded;
* ``sklearn.utils.parallel.Parallel.__call__``: joblib worker threads see the running fit.

What a fit records: ``get_params(deep=False)``; ``X``/``y``/``sample_weight`` as training data
and ``eval_set`` pairs as validation data; metrics: ``score(X, y)`` on the training data
(``training_score``), ``best_score_``, ``oob_score_``, ``n_iter_``, and the boosters'
``evals_result`` (last value each, the history on the Metrics artifact), ``best_iteration``;
a search's candidates from ``cv_results_``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import types
from collections.abc import Callable
from typing import Any

from ..models import ExecutionState, Value
from . import autolog as core
from .autolog_data import describe_data, iter_pairs

FIT_METHODS: tuple[str, ...] = ("fit", "fit_transform", "fit_predict")
# Fitted attributes that are metrics the estimator reports about its own training.
_REPORTED = ("best_score_", "oob_score_", "n_iter_", "best_iteration_", "best_iteration",
             "best_score", "loss_", "best_loss_")
_CV_PREFIXES = ("mean_test_", "std_test_", "rank_test_", "mean_train_", "std_train_")


def install() -> None:
    core.when_imported("sklearn.base", _patch_base)
    core.when_imported("sklearn.utils.parallel", _patch_parallel)
    core.when_imported("sklearn.model_selection._validation", _patch_folds)
    core.when_imported("sklearn.model_selection._search", _patch_folds)


# ---- patching ---------------------------------------------------------------------------------


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    todo = [cls]
    while todo:
        c = todo.pop()
        out.append(c)
        try:
            todo.extend(c.__subclasses__())
        except TypeError:  # ``type.__subclasses__`` needs an instance
            continue
    return out


def patch_estimators(base: type) -> None:
    """Patch every existing subclass of ``base`` (including itself)."""
    for cls in _subclasses(base):
        patch_class(cls)


def _patch_base(module: types.ModuleType) -> None:
    base = module.BaseEstimator
    patch_estimators(base)
    inherited = base.__dict__.get("__init_subclass__")

    def init_subclass(cls: type, /, **kwargs: Any) -> None:
        if inherited is not None:
            inherited.__func__(cls, **kwargs)
        else:
            super(base, cls).__init_subclass__(**kwargs)
        if core.active() or core._state.enabled:
            patch_class(cls)

    core.patch(base, "__init_subclass__", classmethod(init_subclass))


def patch_class(cls: type) -> None:
    """Wrap the fit methods ``cls`` itself defines (inherited ones are wrapped where defined)."""
    for name in FIT_METHODS:
        fn = cls.__dict__.get(name)
        if fn is None or core.wrapped(fn) or not callable(fn):
            continue
        core.patch(cls, name, _wrap(fn))


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not core.active():
            if core.in_unrecorded():  # a fold: not recorded, but its error explains a candidate
                return core.unrecorded(lambda: original(self, *args, **kwargs), None, self)
            return original(self, *args, **kwargs)
        return core.call(spec_for(self, args, kwargs),
                         lambda: original(self, *args, **kwargs))

    return core.mark(fit)  # type: ignore[no-any-return]


def _patch_parallel(module: types.ModuleType) -> None:
    parallel = module.Parallel
    original = parallel.__call__
    if core.wrapped(original):
        return

    @functools.wraps(original)
    def call(self: Any, iterable: Any) -> Any:
        return original(self, core.carry_tasks(iterable))

    core.patch(parallel, "__call__", core.mark(call))


def _patch_folds(module: types.ModuleType) -> None:
    for name in ("_fit_and_score", "_fit_and_predict"):
        original = module.__dict__.get(name)
        if original is None or core.wrapped(original):
            continue
        core.patch(module, name, core.mark(_fold_runner(original)))


def _fold_runner(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def run_fold(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        if not core._state.enabled:
            return original(estimator, *args, **kwargs)
        return core.unrecorded(lambda: original(estimator, *args, **kwargs), None, estimator)

    return run_fold


# ---- describing a fit ---------------------------------------------------------------------------


def _library(cls: type) -> str:
    return cls.__module__.split(".", 1)[0]


def _label(obj: Any, parent: core.Fit | None) -> str:
    """A Pipeline's step name, a search's ``refit``, else the class name."""
    cls_name = type(obj).__name__
    if parent is None:
        return cls_name
    owner = parent.spec.owner
    if owner is not None and getattr(owner, "__dict__", {}).get("best_estimator_") is obj:
        return "refit"
    for attr in ("steps", "transformer_list", "estimators"):
        items = getattr(owner, attr, None)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, tuple) and len(item) >= 2 and item[1] is obj:
                    return str(item[0])
    return cls_name


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


def spec_for(est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> core.FitSpec:
    cls = type(est)
    library = _library(cls)

    def describe(fit: core.Fit) -> None:
        get_params = getattr(est, "get_params", None)
        if callable(get_params):
            fit.params = dict(get_params(deep=False))
        fit.spec.label = _label(est, fit.parent)
        if _is_search(est):
            # A search: its refit is a child, its fold fits are not recorded.
            fit.child_filter = lambda o: o is not None and o is est.__dict__.get(
                "best_estimator_")
        elif not _is_meta(fit.params):
            # Fits inside a plain estimator (LogisticRegression's LabelEncoder) are its
            # implementation, not steps of the user's work.
            fit.child_filter = _nothing
        if not fit.top_level:
            return
        x = _argument(args, kwargs, 0, "X")
        y = _argument(args, kwargs, 1, "y")
        refs, missing = describe_data("train", x, y, kwargs.get("sample_weight"))
        pairs = list(iter_pairs(kwargs.get("eval_set")))
        if kwargs.get("eval_X") is not None:  # LightGBM 4.6+: eval_X/eval_y
            ex, ey = kwargs["eval_X"], kwargs.get("eval_y")
            pairs += (list(zip(ex, ey or [None] * len(ex), strict=False))
                      if isinstance(ex, (list, tuple)) else [(ex, ey)])
        for i, (vx, vy) in enumerate(pairs):
            if vx is x and vy is y:
                continue  # the training data listed for monitoring
            more, lost = describe_data(f"validation_{i}", vx, vy)
            refs += more
            missing += lost
        fit.data = refs
        fit.unrecorded.update({m.split(":", 1)[0]: m.split(":", 1)[1] for m in missing})

    def finish(fit: core.Fit, result: Any) -> None:
        fit.set_model(est, estimator=f"{cls.__module__}.{cls.__qualname__}")
        _reported(fit, est)
        if hasattr(est, "cv_results_"):
            _candidates(fit, est)
        if fit.top_level and core.training_score_enabled():
            x = _argument(args, kwargs, 0, "X")
            y = _argument(args, kwargs, 1, "y")
            score = getattr(est, "score", None)
            if callable(score) and x is not None and y is not None:
                # A score that cannot be computed (unlabelled data...) is left out.
                with contextlib.suppress(Exception):
                    fit.add_metric("training_score", score(x, y))

    return core.FitSpec(library=library, type=core.execution_type(library, cls.__name__),
                        label=cls.__name__, owner=est, describe=describe, finish=finish)


def _nothing(_: object) -> bool:
    return False


def _is_estimator(value: Any) -> bool:
    return callable(getattr(value, "fit", None)) and not isinstance(value, type)


def _is_meta(params: dict[str, Any]) -> bool:
    """Does an estimator with these parameters fit other estimators (Pipeline, Bagging...)?"""
    for value in params.values():
        if _is_estimator(value):
            return True
        if isinstance(value, (list, tuple)) and any(
            _is_estimator(v[1] if isinstance(v, tuple) and len(v) > 1 else v) for v in value
        ):
            return True
    return False


def _is_search(est: Any) -> bool:
    return any(c.__name__ == "BaseSearchCV" for c in type(est).__mro__)


def _reported(fit: core.Fit, est: Any) -> None:
    """Metrics the estimator reports as fitted attributes, and boosters' eval results."""
    for attr in _REPORTED:
        value = _attribute(est, attr)
        if value is None:
            continue
        if isinstance(value, dict):  # LightGBM's best_score_: {valid: {metric: value}}
            for valid, metrics in value.items():
                if isinstance(metrics, dict):
                    for metric, v in metrics.items():
                        fit.add_metric(f"best_score.{valid}-{metric}", v)
            continue
        if attr.startswith("best_iteration") and value in (0, -1):
            continue  # no early stopping: nothing to report
        if attr == "n_iter_" and getattr(value, "size", 1) > 1:
            value = max(value.tolist())
        fit.add_metric(attr.rstrip("_"), value)
    evals: Any = _attribute(est, "evals_result_")
    get_evals = getattr(est, "evals_result", None)
    if evals is None and callable(get_evals):
        try:
            evals = get_evals()
        except Exception:
            evals = None
    add_eval_history(fit, evals)


def _attribute(obj: Any, name: str) -> Any:
    try:  # fitted attributes are often properties that raise until they are set
        return getattr(obj, name, None)
    except Exception:
        return None


def add_eval_history(fit: core.Fit, evals: Any) -> None:
    """``{data name: {metric: [per round]}}`` (XGBoost, LightGBM) as ``<data>-<metric>``."""
    if not isinstance(evals, dict):
        return
    for data_name, metrics in evals.items():
        if isinstance(metrics, dict):
            for metric, values in metrics.items():
                if isinstance(values, (list, tuple)):
                    fit.add_history(f"{data_name}-{metric}", values)


def _candidates(fit: core.Fit, search: Any) -> None:
    """One child per candidate of a search, from ``cv_results_``."""
    results: dict[str, Any] = search.cv_results_
    candidates = results.get("params") or []
    base = getattr(search, "estimator", None)
    base_params: dict[str, Any] = {}
    if base is not None and callable(getattr(base, "get_params", None)):
        base_params = dict(base.get_params(deep=False))
    cls = type(base) if base is not None else type(search)
    type_name = core.execution_type(_library(cls), cls.__name__)
    records: list[core.Fit | core.ChildRecord] = []
    for i, params in enumerate(candidates):
        metrics: dict[str, Value] = {}
        failed = False
        for key, column in results.items():
            if key.startswith(_CV_PREFIXES) or key in ("mean_fit_time", "mean_score_time"):
                try:
                    value = column[i]
                except (IndexError, TypeError):
                    continue
                number = core._number(value)
                if number is not None:
                    metrics[key] = number
                elif key.startswith("mean_test_") and isinstance(value, float) and math.isnan(
                        value):
                    failed = True
        child = core.ChildRecord(type=type_name, label=f"candidate-{i}",
                                 params={**base_params, **params}, metrics=metrics)
        if failed:
            child.state = ExecutionState.FAILED
            child.error = _failure_for(fit, params) or (
                "the fit failed on at least one fold (its score is NaN)")
        records.append(child)
    fit.children[:0] = records
    best = getattr(search, "best_params_", None)
    if isinstance(best, dict):
        value = core.param_value(best)
        if value is not None:
            fit.model_properties["best_params"] = value


def _failure_for(fit: core.Fit, params: dict[str, Any]) -> BaseException | None:
    for failed_params, exc in fit.failures:
        if all(_same(failed_params.get(k), v) for k, v in params.items()):
            return exc
    return None


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (inspect.isclass(type(a)) and repr(a) == repr(b))
    except Exception:
        return repr(a) == repr(b)
