"""Train a wine classifier with scikit-learn; lineage-graph records the whole history.

The data ships with scikit-learn (``sklearn.datasets.load_wine``): nothing is downloaded.
The only lineage-graph code is the import, ``@step`` on each function and the ``with run(...)``
block in ``main``. Everything else is an ordinary training script.

    python examples/wine_pipeline.py --workdir /tmp/wine            # Neo4j via the resolver
    python examples/wine_pipeline.py --workdir /tmp/wine --C -1     # a failing run

It prints the run's name, metrics, pushed model, and which steps ``ran`` or were ``reused``.
Run it twice: the second run re-runs nothing (every step is CACHED). Edit
``<workdir>/config/hparams.json`` and only train, evaluate and push run again; reorder the rows
of ``<workdir>/data/wine.csv`` and only ingest runs again (its output is the same data).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lineage_graph.models import ExecutionState
from lineage_graph.tracking import Dataset, Model, PushedModel, fingerprint, log_metric, run, step

DEFAULT_HPARAMS: dict[str, Any] = {"C": 1.0, "max_iter": 500}


# ---- plain helpers -------------------------------------------------------------------------

def read_table(path: str | Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=float)


def write_table(path: str | Path, header: list[str], data: np.ndarray) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([[repr(float(x)) for x in row] for row in data])


def export_wine(path: str | Path) -> None:
    """The raw input: scikit-learn's wine data as a CSV (what a user would have on disk)."""
    wine = load_wine()
    data = np.column_stack([wine.data, wine.target])
    write_table(path, [*wine.feature_names, "target"], data)


# ---- the pipeline's steps --------------------------------------------------------------------

@step(outputs={"out": Dataset})
def ingest(raw: Dataset, out: str) -> Dataset:
    """Validate the raw table and write it in a canonical row order."""
    header, data = read_table(raw)
    if header[-1] != "target" or np.isnan(data).any():
        raise ValueError(f"{raw}: expected numeric columns ending in 'target'")
    data = data[np.lexsort(data.T[::-1])]  # row order must not matter downstream
    write_table(out, header, data)
    return Dataset(out)


@step(outputs={"out": "Statistics"})
def statistics(examples: Dataset, out: str) -> dict[str, Any]:
    """Per-column summary statistics (a side branch: nothing downstream reads them)."""
    header, data = read_table(examples)
    stats = {h: {"mean": float(data[:, i].mean()), "std": float(data[:, i].std())}
             for i, h in enumerate(header)}
    Path(out).write_text(json.dumps(stats, indent=1, sort_keys=True))
    return {"rows": int(data.shape[0]), "columns": len(header)}


@step(outputs={"train_out": Dataset, "test_out": Dataset})
def split(examples: Dataset, train_out: str, test_out: str, test_size: float = 0.25,
          seed: int = 7) -> tuple[Dataset, Dataset]:
    """Stratified train/test split."""
    header, data = read_table(examples)
    train, test = train_test_split(data, test_size=test_size, random_state=seed,
                                   stratify=data[:, -1])
    write_table(train_out, header, train)
    write_table(test_out, header, test)
    return Dataset(train_out), Dataset(test_out)


@step(outputs={"out": Dataset})
def features(data: Dataset, out: str) -> Dataset:
    """Feature engineering (stateless, so train, test and new data get the same columns)."""
    header, table = read_table(data)
    idx = {h: i for i, h in enumerate(header)}
    ratio = table[:, idx["flavanoids"]] / table[:, idx["total_phenols"]]
    log_proline = np.log(table[:, idx["proline"]])
    engineered = np.column_stack([table[:, :-1], ratio, log_proline, table[:, -1]])
    write_table(out, [*header[:-1], "flavanoid_ratio", "log_proline", "target"], engineered)
    return Dataset(out)


@step(outputs={"out": Model})
def train(train_features: Dataset, out: str, C: float = 1.0, max_iter: int = 500,
          seed: int = 7) -> Model:
    """Standardise + logistic regression, saved with joblib."""
    _, table = read_table(train_features)
    model = make_pipeline(StandardScaler(),
                          LogisticRegression(C=C, max_iter=max_iter, random_state=seed))
    x, y = table[:, :-1], table[:, -1].astype(int)
    log_metric("cv_accuracy", float(cross_val_score(model, x, y, cv=5).mean()))
    model.fit(x, y)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out)
    return Model(out)


@step
def evaluate(model: Model, test_features: Dataset) -> dict[str, float]:
    """Accuracy and macro F1 on held-out data."""
    _, table = read_table(test_features)
    clf = joblib.load(model)
    predicted = clf.predict(table[:, :-1])
    truth = table[:, -1].astype(int)
    metrics = {"accuracy": float(accuracy_score(truth, predicted)),
               "f1_macro": float(f1_score(truth, predicted, average="macro"))}
    for name, value in metrics.items():
        log_metric(name, value)
    return metrics


@step
def push(model: Model, accuracy: float, serving_dir: str,
         threshold: float = 0.9) -> PushedModel | None:
    """Deploy (copy into the serving directory, one folder per model version) if good enough."""
    if accuracy < threshold:
        return None
    target = Path(serving_dir) / fingerprint(model).short / "model.joblib"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, target)
    return PushedModel(target)


# ---- the run ----------------------------------------------------------------------------------

def prepare_workdir(workdir: Path) -> None:
    """Raw data and hyperparameters, written once (edit them to see what re-runs)."""
    if not (workdir / "data" / "wine.csv").exists():
        export_wine(workdir / "data" / "wine.csv")
    cfg = workdir / "config" / "hparams.json"
    if not cfg.exists():
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(json.dumps(DEFAULT_HPARAMS, indent=1))


def main(workdir: str | Path, *, store: Any = None, run_name: str | None = None,
         overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the pipeline once in ``workdir``.

    Returns:
        The ``run`` name, the ``metrics``, the ``pushed`` model (None: below the threshold),
        and the steps that really ``ran`` and those ``reused`` from earlier runs (CACHED), in
        call order.
    """
    wd = Path(workdir).absolute()
    prepare_workdir(wd)
    hp = {**json.loads((wd / "config" / "hparams.json").read_text()), **(overrides or {})}
    out = wd / "artifacts"
    with run(pipeline="wine-classifier", name=run_name, store=store) as r:
        examples = ingest(Dataset(wd / "data" / "wine.csv"), out=str(out / "examples.csv"))
        statistics(examples, out=str(out / "statistics.json"))
        train_set, test_set = split(examples, train_out=str(out / "train.csv"),
                                    test_out=str(out / "test.csv"))
        train_x = features(train_set, out=str(out / "train_features.csv"))
        test_x = features(test_set, out=str(out / "test_features.csv"))
        model = train(train_x, out=str(out / "model.joblib"), C=float(hp["C"]),
                      max_iter=int(hp["max_iter"]))
        metrics = evaluate(model, test_x)
        pushed = push(model, metrics["accuracy"], serving_dir=str(wd / "serving"))
    return {"run": r.name, "metrics": metrics, "pushed": str(pushed) if pushed else None,
            "ran": [s.step for s in r.records if s.state is not ExecutionState.CACHED],
            "reused": [s.step for s in r.records if s.state is ExecutionState.CACHED]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="wine-workdir")
    parser.add_argument("--run-name")
    parser.add_argument("--C", type=float, help="override the regularisation strength")
    args = parser.parse_args()
    result = main(args.workdir, run_name=args.run_name,
                  overrides={"C": args.C} if args.C is not None else None)
    print(json.dumps(result))
