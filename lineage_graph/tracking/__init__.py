"""Record history as a side effect of training: runs, steps, memoization, subscriptions.

    from lineage_graph.tracking import run, step, Dataset, Model

    @step
    def train(data: Dataset, C: float = 1.0) -> Model: ...

    with run(pipeline="wine", name="run-7") as r:   # a second "run-7" needs resume=True
        model = train(Dataset("data/train.csv"), C=0.5)  # must exist, or optional=True
        r.log_metric("accuracy", 0.97)

Surprises are errors: an input path that does not exist (``MissingInputError``), a run name
already taken (``RunExistsError``, unless ``resume=True``); a failing run prints the
``lineage-graph why-failed c:ID`` command that explains it.

The names of everything recorded are in ``lineage_graph.tracking.fields``. Event-driven
consumers: ``Watcher(store, new_artifacts("evaluator", "Model")).poll(handler)``.
"""

from . import fields
from .fingerprint import Fingerprint, fingerprint
from .handles import (
    ArtifactRef,
    Dataset,
    File,
    MissingInputError,
    MissingInputWarning,
    Model,
    PushedModel,
)
from .runs import Run, RunExistsError, StepRecord, current_run, log_metric, run
from .steps import Step, step
from .subscriptions import (
    Delivery,
    FileCursors,
    StoreCursors,
    Subscription,
    Watcher,
    executions_reaching,
    incidents_opened,
    new_artifacts,
)

__all__ = [
    "ArtifactRef",
    "Dataset",
    "Delivery",
    "File",
    "FileCursors",
    "Fingerprint",
    "MissingInputError",
    "MissingInputWarning",
    "Model",
    "PushedModel",
    "Run",
    "RunExistsError",
    "Step",
    "StepRecord",
    "StoreCursors",
    "Subscription",
    "Watcher",
    "current_run",
    "executions_reaching",
    "fields",
    "fingerprint",
    "incidents_opened",
    "log_metric",
    "new_artifacts",
    "run",
    "step",
]
