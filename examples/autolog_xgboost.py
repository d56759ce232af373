"""An XGBoost script whose whole history comes from one line: ``autolog()``.

The data ships with scikit-learn (``load_breast_cancer``), written once to a CSV that the
script reads with pandas. It trains with both XGBoost APIs: ``XGBClassifier.fit`` with a
validation set, and ``xgboost.train`` on ``DMatrix`` objects with ``evals``; each is one
execution with the eval metrics XGBoost reports (per round on the Metrics artifact).

    python examples/autolog_xgboost.py --workdir /tmp/cancer-autolog
    python examples/autolog_xgboost.py --workdir /tmp/cancer-autolog --max-depth -2  # fails
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from lineage_graph.tracking.autolog import autolog


def export_data(path: Path) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)


def main(workdir: str | Path, max_depth: int = 3, rounds: int = 20) -> dict[str, float]:
    csv = Path(workdir) / "cancer.csv"
    export_data(csv)
    data = pd.read_csv(csv)
    train, valid = train_test_split(data, test_size=0.3, random_state=0)
    x, y = train.drop(columns="target"), train["target"]
    xv, yv = valid.drop(columns="target"), valid["target"]

    clf = xgb.XGBClassifier(n_estimators=rounds, max_depth=max_depth, learning_rate=0.3,
                            n_jobs=1, random_state=0)
    clf.fit(x, y, eval_set=[(xv, yv)], verbose=False)

    booster = xgb.train({"objective": "binary:logistic", "max_depth": max_depth, "eta": 0.3,
                         "nthread": 1, "seed": 0},
                        xgb.DMatrix(x, y), num_boost_round=rounds,
                        evals=[(xgb.DMatrix(xv, yv), "valid")], verbose_eval=False)
    predicted = booster.predict(xgb.DMatrix(xv)) > 0.5
    return {"classifier": float(clf.score(xv, yv)),
            "booster": float((predicted == yv.to_numpy()).mean())}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="cancer-autolog")
    parser.add_argument("--max-depth", type=int, default=3)
    args = parser.parse_args()
    autolog()  # the only lineage-graph line
    print(main(args.workdir, max_depth=args.max_depth))
