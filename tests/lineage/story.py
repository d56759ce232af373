"""The census story: a hand-written history that reads like the user's day.

raw census CSV -> ExampleGen -> examples -> Transform -> transformed -> Trainer -> model
-> Pusher -> pushed model in the "prod" deployment; three runs of one pipeline:

* run-1: model v1 (learning_rate 0.1, code aaa, torch 2.0), accuracy 0.81, pushed to prod;
* run-2: model v2 (learning_rate 0.01, code bbb, torch 2.1), accuracy 0.86, pushed to prod;
  later someone records that run-2's Trainer also read ``holdout.csv`` (a late event);
* run-3: the Trainer FAILED with "OOM" after torch was upgraded to 2.2.
"""

from __future__ import annotations

from dataclasses import dataclass

from lineage_graph.models import ExecutionState

from .histories import History


@dataclass
class Census:
    h: History
    csv: int
    holdout: int
    pipeline: int
    runs: list[int]
    prod: int
    examples: list[int]
    transformed: list[int]
    models: list[int]
    pushed: list[int]
    trainers: list[int]
    failed_trainer: int


def census() -> Census:
    h = History()
    pipeline = h.context("Pipeline", "census-income")
    prod = h.context("Deployment", "prod")
    csv = h.artifact("Dataset", "census.csv", uri="gs://data/census.csv")
    holdout = h.artifact("Dataset", "holdout.csv", uri="gs://data/holdout.csv")
    runs, examples, transformed, models, pushed, trainers = [], [], [], [], [], []
    settings = [(0.1, "aaa", "2.0", 0.81), (0.01, "bbb", "2.1", 0.86)]
    for n, (lr, code, torch, acc) in enumerate(settings, start=1):
        run = h.context("PipelineRun", f"run-{n}", parent=pipeline)
        runs.append(run)
        env = {"python_version": "3.11", "lib.torch": torch, "code_hash": code,
               "git_commit": f"commit-{code}"}
        _, (ex,) = h.run("ExampleGen", f"examplegen-{n}", inputs=[csv],
                         outputs=[("Examples", f"examples-{n}", {})], contexts=[run], **env)
        _, (tr,) = h.run("Transform", f"transform-{n}", inputs=[ex],
                         outputs=[("Examples", f"transformed-{n}", {})], contexts=[run], **env)
        trainer, (model,) = h.run("Trainer", f"trainer-{n}", inputs=[tr],
                                  outputs=[("Model", f"model-v{n}", {"accuracy": acc})],
                                  contexts=[run], learning_rate=lr, epochs=10, **env)
        _, (push,) = h.run("Pusher", f"pusher-{n}", inputs=[model],
                           outputs=[("PushedModel", f"pushed-v{n}", {})], contexts=[run, prod],
                           **env)
        examples.append(ex)
        transformed.append(tr)
        models.append(model)
        pushed.append(push)
        trainers.append(trainer)
    h.late_input(holdout, trainers[1], h.tick())
    run3 = h.context("PipelineRun", "run-3", parent=pipeline)
    runs.append(run3)
    env3 = {"python_version": "3.11", "lib.torch": "2.2", "code_hash": "bbb",
            "git_commit": "commit-bbb"}
    _, (ex3,) = h.run("ExampleGen", "examplegen-3", inputs=[csv],
                      outputs=[("Examples", "examples-3", {})], contexts=[run3], **env3)
    _, (tr3,) = h.run("Transform", "transform-3", inputs=[ex3],
                      outputs=[("Examples", "transformed-3", {})], contexts=[run3], **env3)
    failed, _ = h.run("Trainer", "trainer-3", inputs=[tr3], contexts=[run3],
                      state=ExecutionState.FAILED, learning_rate=0.01, epochs=10,
                      error="OOM: CUDA out of memory", **env3)
    examples.append(ex3)
    transformed.append(tr3)
    return Census(h, csv, holdout, pipeline, runs, prod, examples, transformed, models,
                  pushed, trainers, failed)
