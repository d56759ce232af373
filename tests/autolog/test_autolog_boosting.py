"""autolog for XGBoost and LightGBM (native and scikit-learn APIs), on both backends."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from lineage_graph import questions
from lineage_graph.models import EventType, Execution, ExecutionState
from lineage_graph.store.base import Store
from lineage_graph.tracking import fields, run

xgb = pytest.importorskip("xgboost", reason="tests of autolog for XGBoost need xgboost")
lgb = pytest.importorskip("lightgbm", reason="tests of autolog for LightGBM need lightgbm")

RNG = np.random.RandomState(0)
X = RNG.rand(120, 4)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)
XV, YV = X[:40] + 0.01, Y[:40]


def _executions(store: Store) -> list[Execution]:
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, "r1")
    assert ctx is not None and ctx.id is not None
    return sorted(store.get_executions_by_context(ctx.id), key=lambda e: e.id or 0)


def _inputs(store: Store, execution_id: int) -> list[tuple[str, ...]]:
    return sorted(tuple(map(str, e.path)) for e in store.get_events(execution_ids=[execution_id])
                  if e.type is EventType.INPUT)


def test_xgboost_both_apis(store: Store, autolog_on: Callable[..., None]) -> None:
    autolog_on(store)
    with run("boost", name="r1", store=store):
        xgb.XGBClassifier(n_estimators=4, max_depth=2, n_jobs=1).fit(
            X, Y, eval_set=[(XV, YV)], verbose=False)
        xgb.train({"max_depth": 2, "objective": "binary:logistic", "nthread": 1},
                  xgb.DMatrix(X, Y), 4, evals=[(xgb.DMatrix(XV, YV), "valid")],
                  verbose_eval=False)
    clf, booster = _executions(store)  # the classifier's inner xgboost.train is not a sibling
    assert (clf.type, booster.type) == ("xgboost.XGBClassifier", "xgboost.train")
    assert clf.properties["n_estimators"] == 4
    assert booster.properties == {"max_depth": 2, "objective": "binary:logistic",
                                  "nthread": 1, "num_boost_round": 4}
    assert set(clf.custom_properties[fields.METRICS]) == {"validation_0-logloss"}
    assert set(booster.custom_properties[fields.METRICS]) == {"valid-logloss"}
    assert _inputs(store, clf.id or 0) == [("train",), ("validation_0",)]
    assert _inputs(store, booster.id or 0) == [("train",), ("validation_valid",)]
    # The same arrays are the same datasets through either API.
    datasets = store.get_artifacts_by_type("Dataset")
    assert len(datasets) == 2
    metrics = list(store.get_artifacts_by_type("Metrics"))
    assert all(len(m.custom_properties["history"]["valid-logloss"]) == 4
               for m in metrics if "valid-logloss" in m.custom_properties)
    [model] = [m for m in store.get_artifacts_by_type("Model")
               if m.uri == "memory://xgboost.core.Booster"]
    ranked = questions.models_trained_on(store, datasets[0].id or 0, "valid-logloss",
                                         higher_is_better=False)
    # ``models_trained_on`` answers a list, or (issue 13 onwards) a comparison with ``models``.
    assert model.id in [r.model.id for r in getattr(ranked, "models", ranked)]


def test_xgboost_failure(store: Store, autolog_on: Callable[..., None]) -> None:
    autolog_on(store)
    with run("boost", name="r1", store=store), pytest.raises(xgb.core.XGBoostError):
        xgb.train({"max_depth": -2}, xgb.DMatrix(X, Y), 2)
    [failed] = _executions(store)
    assert failed.last_known_state is ExecutionState.FAILED
    assert "max_depth" in failed.custom_properties[fields.ERROR_MESSAGE]


def test_lightgbm_both_apis(store: Store, autolog_on: Callable[..., None]) -> None:
    autolog_on(store)
    with run("boost", name="r1", store=store):
        lgb.LGBMClassifier(n_estimators=4, verbose=-1, n_jobs=1).fit(
            X, Y, eval_set=[(XV, YV)])
        lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1},
                  lgb.Dataset(X, Y), 4, valid_sets=[lgb.Dataset(XV, YV)], valid_names=["val"])
    clf, booster = _executions(store)
    assert (clf.type, booster.type) == ("lightgbm.LGBMClassifier", "lightgbm.train")
    assert booster.properties["num_boost_round"] == 4
    assert "valid_0-binary_logloss" in clf.custom_properties[fields.METRICS]
    assert set(booster.custom_properties[fields.METRICS]) == {"val-binary_logloss"}
    assert _inputs(store, booster.id or 0) == [("train",), ("validation_val",)]
    assert len(store.get_artifacts_by_type("Dataset")) == 2
