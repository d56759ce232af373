"""A scikit-learn script whose whole history comes from one line: ``autolog()``.

The data ships with scikit-learn (``load_wine``), written once to a CSV that the script reads
with pandas, as a user would. Everything after the ``autolog()`` call is an ordinary training
script: a pipeline, a grid search, a final model; ``--C -1`` makes the pipeline's fit fail.

    python examples/autolog_sklearn.py --workdir /tmp/wine-autolog
    python examples/autolog_sklearn.py --workdir /tmp/wine-autolog --C -1   # a failed fit
    lineage-graph ls executions        # one per fit; the search's candidates are its children
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lineage_graph.tracking.autolog import autolog


def export_wine(path: Path) -> None:
    """The raw input: scikit-learn's wine data as a CSV (what a user would have on disk)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        load_wine(as_frame=True).frame.to_csv(path, index=False)


def main(workdir: str | Path, C: float = 1.0) -> dict[str, float]:
    wine = Path(workdir) / "wine.csv"
    export_wine(wine)
    data = pd.read_csv(wine)
    train, test = train_test_split(data, test_size=0.25, random_state=7, stratify=data["target"])
    x, y = train.drop(columns="target"), train["target"]

    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=500))
    model.fit(x, y)

    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
                          {"logisticregression__C": [0.05, 0.5, 5.0]}, cv=3)
    search.fit(x, y)

    xt, yt = test.drop(columns="target"), test["target"]
    return {"pipeline": float(model.score(xt, yt)), "search": float(search.score(xt, yt))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="wine-autolog")
    parser.add_argument("--C", type=float, default=1.0)
    args = parser.parse_args()
    autolog()  # the only lineage-graph line
    print(main(args.workdir, C=args.C))
