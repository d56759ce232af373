"""Event-driven: every new Model recorded anywhere is evaluated on a fixed benchmark.

A consumer subscribed to "new artifacts of type Model" (durable cursor in the store). For each
model it opens a run of the ``wine-model-evaluation`` pipeline and calls the same ``features``
and ``evaluate`` steps the training pipeline uses. The handler is idempotent: a model delivered
twice (the consumer died mid-way) is a cache hit the second time, nothing is evaluated again
(its run is resumed: ``resume=True``).

``--once`` prints what it did: ``{"delivered": 19, "evaluated": 1, "reused": 0, "skipped": 18}``
- of the 19 models delivered, 1 was evaluated now, 0 had been evaluated before (cache hits) and
18 were skipped because that model version is not on disk (an overwritten file, a remote URI).

    python examples/evaluate_new_models.py --workdir /tmp/wine-eval --once
    lineage-graph watch --artifact-type Model --name evaluate-new-models \\
        --handler examples/evaluate_new_models.py:handle   # the same, from the CLI
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or imported

from wine_pipeline import evaluate, export_wine, features

from lineage_graph.models import ExecutionState
from lineage_graph.tracking import Dataset, Model, fields, fingerprint, run
from lineage_graph.tracking.subscriptions import Delivery, Watcher, new_artifacts

SUBSCRIPTION = "evaluate-new-models"


def evaluate_model(delivery: Delivery, *, store: Any, workdir: str | Path) -> dict[str, Any]:
    """Evaluate the delivered model on the benchmark, recorded as its own run.

    Returns:
        ``{"model": id, "outcome": ..., "metrics": ...}``: ``evaluated`` (the evaluation ran
        now), ``reused`` (a cache hit: this model was evaluated before) or ``skipped`` (that
        model version is not a local file any more - overwritten by a newer model, which has
        its own delivery - or never was; ``reason`` says which, no metrics).
    """
    node = delivery.node
    assert node is not None
    recorded = node.custom_properties.get(fields.FINGERPRINT)
    skipped = {"model": node.id, "outcome": "skipped", "metrics": None}
    if not node.uri or not Path(node.uri).is_file():
        return {**skipped, "reason": f"no local file at {node.uri!r}"}
    if fingerprint(node.uri).digest != recorded:
        return {**skipped, "reason": f"{node.uri} now holds another model version"}
    bench_raw = Path(workdir).absolute() / "benchmark" / "wine.csv"
    if not bench_raw.exists():
        export_wine(bench_raw)
    # resume=True: a model delivered again (the consumer died after evaluating it) joins the
    # run its first delivery recorded, instead of being refused as a run name taken.
    with run(pipeline="wine-model-evaluation", name=f"evaluate-model-{node.id}", store=store,
             resume=True) as r:
        bench = features(Dataset(bench_raw), out=str(bench_raw.with_name("features.csv")))
        metrics = evaluate(Model(node.uri), bench)
    cached = r.records[-1].state is ExecutionState.CACHED
    return {"model": node.id, "outcome": "reused" if cached else "evaluated",
            "metrics": metrics}


def handle(delivery: Delivery, store: Any) -> None:
    """``lineage-graph watch --handler`` entry point (workdir from $EVAL_WORKDIR or cwd)."""
    import os

    print(json.dumps(evaluate_model(delivery, store=store,
                                    workdir=os.environ.get("EVAL_WORKDIR", "wine-eval"))))


def consume(store: Any, workdir: str | Path, *, max_deliveries: int | None = None
            ) -> dict[str, int]:
    """Evaluate every model recorded since the last call (or ever).

    Returns:
        How many models were ``delivered``, and of those how many were ``evaluated`` now,
        ``reused`` (evaluated before: a cache hit) and ``skipped`` (not on disk).
    """
    counts = Counter({"delivered": 0, "evaluated": 0, "reused": 0, "skipped": 0})

    def one(delivery: Delivery) -> None:
        counts[evaluate_model(delivery, store=store, workdir=workdir)["outcome"]] += 1
        counts["delivered"] += 1

    watcher = Watcher(store, new_artifacts(SUBSCRIPTION, "Model"), start="beginning")
    watcher.poll(one, max_deliveries=max_deliveries)
    return dict(counts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="wine-eval")
    parser.add_argument("--once", action="store_true", help="handle what is there, then exit")
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    from lineage_graph.connection import connect

    with connect() as s:
        if args.once:
            print(json.dumps(consume(s, args.workdir)))
        else:
            w = Watcher(s, new_artifacts(SUBSCRIPTION, "Model"), start="beginning")
            w.run(lambda d: print(json.dumps(evaluate_model(d, store=s, workdir=args.workdir)),
                                  flush=True),
                  interval=args.interval)
