"""autolog for LightGBM's native API: ``lightgbm.train`` (``LGBMClassifier.fit``... is an
estimator: ``autolog_sklearn``).

``lightgbm.Dataset`` remembers what it was built from, so ``train`` records ``train_set``
and ``valid_sets`` as Dataset inputs. Parameters: ``params`` plus ``num_boost_round``;
metrics: each validation set's last value (``<valid name>-<metric>``, read through a
``record_evaluation`` callback added to a copy of ``callbacks``), the history on the Metrics
artifact, ``best_iteration``; the model: the returned ``Booster``.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

from . import autolog as core
from .autolog_sklearn import add_eval_history, patch_estimators
from .autolog_xgboost import data_of, remembering_init


def install() -> None:
    core.when_imported("lightgbm", _patch)


def _patch(module: types.ModuleType) -> None:
    engine = module.engine
    wrapper = core.mark(_train(engine.train, module))
    core.patch(engine, "train", wrapper)
    core.patch(module, "train", wrapper)
    dataset = module.Dataset
    if not core.wrapped(dataset.__init__):
        core.patch(dataset, "__init__", core.mark(remembering_init(dataset.__init__,
                                                                   "lightgbm")))
    patch_estimators(module.sklearn.LGBMModel)


def _train(original: Callable[..., Any], lgb: types.ModuleType) -> Callable[..., Any]:
    @functools.wraps(original)
    def train(params: Any, train_set: Any, *args: Any, **kwargs: Any) -> Any:
        if not core.active():
            return original(params, train_set, *args, **kwargs)
        num_boost_round = args[0] if args else kwargs.get("num_boost_round", 100)
        valid_sets = list(args[1] if len(args) > 1 else kwargs.get("valid_sets") or [])
        valid_names = list(args[2] if len(args) > 2 else kwargs.get("valid_names") or [])
        evals: dict[str, Any] = {}
        if len(args) <= 6:  # callbacks not given positionally: add ours to a copy
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), lgb.record_evaluation(evals)]

        def describe(fit: core.Fit) -> None:
            fit.params = {**dict(params or {}), "num_boost_round": num_boost_round}
            if not fit.top_level:
                return
            refs, missing = data_of(train_set, "train")
            for i, valid in enumerate(valid_sets):
                if valid is train_set:
                    continue
                name = valid_names[i] if i < len(valid_names) else f"valid_{i}"
                more, lost = data_of(valid, f"validation_{name}")
                refs += more
                missing += lost
            fit.data = refs
            fit.unrecorded.update(dict(m.split(":", 1) for m in missing))

        def finish(fit: core.Fit, booster: Any) -> None:
            fit.set_model(booster, estimator="lightgbm.Booster")
            add_eval_history(fit, evals)
            best = getattr(booster, "best_iteration", 0)
            if best:
                fit.add_metric("best_iteration", best)

        spec = core.FitSpec(library="lightgbm", type="lightgbm.train", label="train",
                            owner=None, describe=describe, finish=finish, engine=True)
        return core.call(spec, lambda: original(params, train_set, *args, **kwargs))

    return train
