"""Event-driven: every new Model recorded anywhere is evaluated on a fixed benchmark.

A consumer subscribed to "new artifacts of type Model" (durable cursor in the store). For each
model it opens a run of the ``wine-model-evaluation`` pipeline and calls the same ``features``
and ``evaluate`` steps the training pipeline uses. The handler is idempotent: a model delivered
twice (the consumer died mid-way) is a cache hit the second time, nothing is evaluated again.

    python examples/evaluate_new_models.py --workdir /tmp/wine-eval --once
    lineage-graph watch --artifact-type Model --name evaluate-new-models \\
        --handler examples/evaluate_new_models.py:handle   # the same, from the CLI
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or imported

from wine_pipeline import evaluate, export_wine, features

from lineage_graph.tracking import Dataset, Model, fields, fingerprint, run
from lineage_graph.tracking.subscriptions import Delivery, Watcher, new_artifacts

SUBSCRIPTION = "evaluate-new-models"


def evaluate_model(
    delivery: Delivery, *, store: Any, workdir: str | Path
) -> dict[str, float] | None:
    """Evaluate the delivered model on the benchmark, recorded as its own run.

    Returns:
        The metrics, or None when that model version is no longer on disk (its file was
        overwritten by a newer model, which has its own delivery).
    """
    node = delivery.node
    assert node is not None and node.uri is not None
    recorded = node.custom_properties.get(fields.FINGERPRINT)
    if not Path(node.uri).exists() or fingerprint(node.uri).digest != recorded:
        return None
    bench_raw = Path(workdir).absolute() / "benchmark" / "wine.csv"
    if not bench_raw.exists():
        export_wine(bench_raw)
    with run(pipeline="wine-model-evaluation", name=f"evaluate-model-{node.id}", store=store):
        bench = features(Dataset(bench_raw), out=str(bench_raw.with_name("features.csv")))
        return evaluate(Model(node.uri), bench)


def handle(delivery: Delivery, store: Any) -> None:
    """``lineage-graph watch --handler`` entry point (workdir from $EVAL_WORKDIR or cwd)."""
    import os

    metrics = evaluate_model(delivery, store=store,
                             workdir=os.environ.get("EVAL_WORKDIR", "wine-eval"))
    print(json.dumps({"model": delivery.node.id if delivery.node else None,
                      "metrics": metrics}))


def consume(store: Any, workdir: str | Path, *, max_deliveries: int | None = None) -> int:
    """Evaluate every model recorded since the last call (or ever); returns how many."""
    watcher = Watcher(store, new_artifacts(SUBSCRIPTION, "Model"), start="beginning")
    return watcher.poll(lambda d: evaluate_model(d, store=store, workdir=workdir),
                        max_deliveries=max_deliveries)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="wine-eval")
    parser.add_argument("--once", action="store_true", help="handle what is there, then exit")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    from lineage_graph.connection import connect

    with connect() as s:
        if args.once:
            print(json.dumps({"evaluated": consume(s, args.workdir)}))
        else:
            w = Watcher(s, new_artifacts(SUBSCRIPTION, "Model"), start="beginning")
            w.run(lambda d: evaluate_model(d, store=s, workdir=args.workdir),
                  interval=args.interval)
