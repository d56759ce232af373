"""Writes a small MLflow history with the real ``mlflow`` package (run as a script, so
MLflow's process-wide state never touches the test process).

    python mlflow_history.py TRACKING_URI [second]

Experiments ``churn`` and ``fraud``; in ``churn``: a parent run ``sweep`` with two nested
runs (``lr-0.1`` FINISHED with a training and an evaluation dataset, a metric history and a
logged model; ``lr-1.0`` FAILED), and ``baseline`` with its own model; in ``fraud``: one run
with a dataset. The registered model ``churn-model`` has version 1 (from ``lr-0.1``) and
version 2 (from ``baseline``), and the alias ``champion`` on version 1. With ``second``,
one more run is added to ``fraud`` (for incremental imports).
"""

from __future__ import annotations

import sys
import warnings

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")


def frame(seed: int, n: int = 40) -> pd.DataFrame:
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 3)
    return pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=(x[:, 0] > 0.5).astype(int))


def fit(data: pd.DataFrame, c: float) -> LogisticRegression:
    return LogisticRegression(C=c).fit(data[["a", "b", "c"]], data["y"])


def first() -> None:
    train, test = frame(0), frame(1)
    mlflow.set_experiment("churn")
    with mlflow.start_run(run_name="sweep"):
        mlflow.log_param("grid", "C in [0.1, 1.0]")
        with mlflow.start_run(run_name="lr-0.1", nested=True):
            mlflow.log_params({"C": 0.1, "solver": "lbfgs"})
            mlflow.log_input(mlflow.data.from_pandas(train, source="/data/churn/train.csv",
                                                     name="churn-train", targets="y"),
                             context="training")
            mlflow.log_input(mlflow.data.from_pandas(test, source="/data/churn/test.csv",
                                                     name="churn-test", targets="y"),
                             context="evaluation")
            for step, loss in enumerate([0.9, 0.6, 0.4]):
                mlflow.log_metric("loss", loss, step=step)
            mlflow.log_metric("accuracy", 0.81)
            mlflow.sklearn.log_model(fit(train, 0.1), name="model",
                                     registered_model_name="churn-model")
        with mlflow.start_run(run_name="lr-1.0", nested=True) as failing:
            mlflow.log_params({"C": 1.0, "solver": "lbfgs"})
            mlflow.log_input(mlflow.data.from_pandas(train, source="/data/churn/train.csv",
                                                     name="churn-train", targets="y"),
                             context="training")
        MlflowClient().set_terminated(failing.info.run_id, status="FAILED")
    with mlflow.start_run(run_name="baseline"):
        mlflow.log_params({"C": 1.0, "solver": "liblinear"})
        mlflow.log_input(mlflow.data.from_pandas(train, source="/data/churn/train.csv",
                                                 name="churn-train", targets="y"),
                         context="training")
        mlflow.log_metric("accuracy", 0.77)
        mlflow.sklearn.log_model(fit(train, 1.0), name="model",
                                 registered_model_name="churn-model")
    MlflowClient().set_registered_model_alias("churn-model", "champion", "1")
    mlflow.set_experiment("fraud")
    with mlflow.start_run(run_name="fraud-1"):
        mlflow.log_param("depth", 3)
        mlflow.log_input(mlflow.data.from_pandas(frame(2), source="/data/fraud.csv",
                                                 name="fraud", targets="y"),
                         context="training")
        mlflow.log_metric("auc", 0.9)


def second() -> None:
    mlflow.set_experiment("fraud")
    with mlflow.start_run(run_name="fraud-2"):
        mlflow.log_param("depth", 4)
        mlflow.log_metric("auc", 0.92)


if __name__ == "__main__":
    mlflow.set_tracking_uri(sys.argv[1])
    if len(sys.argv) > 2 and sys.argv[2] == "second":
        second()
    else:
        first()
