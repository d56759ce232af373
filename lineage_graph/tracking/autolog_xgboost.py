"""autolog for XGBoost's native API: ``xgboost.train`` (the scikit-learn API,
``XGBClassifier.fit``..., is an estimator like any other: ``autolog_sklearn``).

``DMatrix``/``QuantileDMatrix`` remember what they were built from (a file, or the content
fingerprint of data, labels and weights), so ``train`` records ``dtrain`` and the ``evals``
as Dataset inputs. Parameters: ``params`` plus ``num_boost_round`` and
``early_stopping_rounds``; metrics: each eval's last value (``<eval name>-<metric>``), the
per-round history on the Metrics artifact, ``best_iteration``/``best_score``; the model: the
returned ``Booster``.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

from . import autolog as core
from .autolog_data import DataRef, describe_data
from .autolog_sklearn import add_eval_history, patch_estimators

DATA_ATTR = "_lineage_graph_data"


def install() -> None:
    core.when_imported("xgboost", _patch)


def _patch(module: types.ModuleType) -> None:
    training = module.training
    wrapper = core.mark(_train(training.train))
    core.patch(training, "train", wrapper)
    core.patch(module, "train", wrapper)
    for cls in (module.DMatrix, getattr(module, "QuantileDMatrix", None)):
        if cls is not None and "__init__" in vars(cls) and not core.wrapped(cls.__init__):
            core.patch(cls, "__init__", core.mark(remembering_init(cls.__init__, "xgboost")))
    # Without scikit-learn its estimators do not derive from BaseEstimator: patch them here.
    patch_estimators(module.sklearn.XGBModel)


def remembering_init(original: Callable[..., Any], library: str) -> Callable[..., Any]:
    """Wrap a data container's ``__init__`` (``data``, ``label``, ``weight``) to remember
    what it holds; skipped inside a fit of ``library`` (its own internal containers)."""

    @functools.wraps(original)
    def init(self: Any, data: Any = None, label: Any = None, *args: Any, **kwargs: Any) -> None:
        original(self, data, label, *args, **kwargs)
        fit = core.current_fit()
        if not core.active() or (fit is not None and fit.spec.library == library):
            return
        try:
            refs, missing = describe_data("data", data, label, kwargs.get("weight"))
            self.__dict__[DATA_ATTR] = (refs, missing)
        except Exception as exc:  # remembering must never break loading
            core._warn(f"could not fingerprint a {type(self).__name__}: {exc}")

    return init


def data_of(container: Any, role: str) -> tuple[list[DataRef], list[str]]:
    """What a remembered container holds, under event path ``role``."""
    found = getattr(container, "__dict__", {}).get(DATA_ATTR)
    if found is None:
        return [], [f"{role}:{type(container).__qualname__}"]
    refs, missing = found
    return ([DataRef((role, *r.path[1:]), r.ref, r.fp) for r in refs],
            [m.replace("data", role, 1) for m in missing])


def _train(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def train(params: Any, dtrain: Any, *args: Any, **kwargs: Any) -> Any:
        if not core.active():
            return original(params, dtrain, *args, **kwargs)
        if kwargs.get("evals_result") is None:
            kwargs["evals_result"] = {}  # to read the eval metrics; the caller passed none
        evals_result = kwargs["evals_result"]
        num_boost_round = args[0] if args else kwargs.get("num_boost_round", 10)

        def describe(fit: core.Fit) -> None:
            fit.params = {**dict(params or {}), "num_boost_round": num_boost_round}
            for key in ("early_stopping_rounds", "maximize"):
                if kwargs.get(key) is not None:
                    fit.params[key] = kwargs[key]
            if not fit.top_level:
                return
            refs, missing = data_of(dtrain, "train")
            for dmat, name in kwargs.get("evals") or ():
                if dmat is dtrain:
                    continue
                more, lost = data_of(dmat, f"validation_{name}")
                refs += more
                missing += lost
            fit.data = refs
            fit.unrecorded.update(dict(m.split(":", 1) for m in missing))

        def finish(fit: core.Fit, booster: Any) -> None:
            fit.set_model(booster, estimator="xgboost.Booster")
            add_eval_history(fit, evals_result)
            for attr in ("best_iteration", "best_score"):
                try:
                    value = getattr(booster, attr)
                except (AttributeError, ValueError):
                    continue
                fit.add_metric(attr, value)

        spec = core.FitSpec(library="xgboost", type="xgboost.train", label="train", owner=None,
                            describe=describe, finish=finish, engine=True)
        return core.call(spec, lambda: original(params, dtrain, *args, **kwargs))

    return train
