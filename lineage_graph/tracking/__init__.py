"""Record history as a side effect of training: runs, steps, memoization, subscriptions.

    from lineage_graph.tracking import run, step, Dataset, Model

    @step
    def train(data: Dataset, C: float = 1.0) -> Model: ...

    with run(pipeline="wine", name="run-7") as r:
        model = train(Dataset("data/train.csv"), C=0.5)
        r.log_metric("accuracy", 0.97)

The names of everything recorded are in ``lineage_graph.tracking.fields``.
"""

from . import fields
from .fingerprint import Fingerprint, fingerprint
from .handles import ArtifactRef, Dataset, File, Model, PushedModel
from .run import Run, StepRecord, current_run, log_metric, run
from .step import Step, step

__all__ = [
    "ArtifactRef",
    "Dataset",
    "File",
    "Fingerprint",
    "Model",
    "PushedModel",
    "Run",
    "Step",
    "StepRecord",
    "current_run",
    "fields",
    "fingerprint",
    "log_metric",
    "run",
    "step",
]
