"""Story: the wine pipeline three times with caching, then a failed run. Run 1 computes
everything; run 2 reuses run 1's ingest (CACHED, REUSED-linked, holding examples-1 in its run
without an OUTPUT event) and trains model-2 with other parameters; run 3 is all cache hits;
run 4 reuses the ingest again and its train FAILED. Every answer names the run that actually
computed each artifact, never a cached re-run, on both backends, exactly."""

from __future__ import annotations

import pytest

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.models import (
    ArtifactType,
    Attribution,
    ExecutionState,
    ExecutionType,
    PropertyType,
    Reuse,
)
from lineage_graph.store.base import Store
from tests.lineage.histories import History, load

CACHED, FAILED = ExecutionState.CACHED, ExecutionState.FAILED


def _history() -> tuple[History, dict[str, int]]:
    h = History()
    ids: dict[str, int] = {}
    pipeline = h.context("Pipeline", "wine")
    data = h.artifact("Dataset", "wine.csv")
    runs = [h.context("PipelineRun", f"run-{n}", parent=pipeline) for n in (1, 2, 3, 4)]
    ids.update(pipeline=pipeline, data=data, **{f"run-{n}": r for n, r in enumerate(runs, 1)})

    def cached(step: str, n: int, original: int, inputs: list[int], held: list[int],
               **props: float) -> int:
        """A cache hit: reads its inputs, holds the original's outputs in its run (an
        attribution, no OUTPUT event) and is REUSED-linked to the original."""
        e, _ = h.run(step, f"run-{n}/{step}", inputs=inputs, contexts=[runs[n - 1]],
                     state=CACHED, **props)
        h.reuses.append(Reuse(execution_id=e, original_id=original))
        h.attributions += [Attribution(artifact_id=a, context_id=runs[n - 1]) for a in held]
        return e

    # run 1: everything computed.
    ingest1, (examples,) = h.run("ingest", "run-1/ingest", inputs=[data],
                                 outputs=[("Examples", "examples-1", {})], contexts=[runs[0]])
    train1, (model1,) = h.run("train", "run-1/train", inputs=[examples],
                              outputs=[("Model", "model-1", {})], contexts=[runs[0]], C=1.0)
    evaluate1, (metrics1,) = h.run("evaluate", "run-1/evaluate", inputs=[model1, examples],
                                   outputs=[("Metrics", "metrics-1", {"accuracy": 0.90})],
                                   contexts=[runs[0]])
    # run 2: the ingest is a cache hit; train runs with C=0.5.
    ingest2 = cached("ingest", 2, ingest1, [data], [examples])
    train2, (model2,) = h.run("train", "run-2/train", inputs=[examples],
                              outputs=[("Model", "model-2", {})], contexts=[runs[1]], C=0.5)
    evaluate2, (metrics2,) = h.run("evaluate", "run-2/evaluate", inputs=[model2, examples],
                                   outputs=[("Metrics", "metrics-2", {"accuracy": 0.93})],
                                   contexts=[runs[1]])
    # run 3: all cache hits of run 2 (and run 1's ingest).
    ingest3 = cached("ingest", 3, ingest1, [data], [examples])
    train3 = cached("train", 3, train2, [examples], [model2], C=0.5)
    evaluate3 = cached("evaluate", 3, evaluate2, [model2, examples], [metrics2])
    # run 4: ingest cached again; train with C=2.0 runs out of memory.
    ingest4 = cached("ingest", 4, ingest1, [data], [examples])
    train4, _ = h.run("train", "run-4/train", inputs=[examples], contexts=[runs[3]],
                      state=FAILED, C=2.0, error="MemoryError: 12 GiB")
    ids.update(examples=examples, model1=model1, model2=model2, metrics1=metrics1,
               metrics2=metrics2, ingest1=ingest1, ingest2=ingest2, ingest3=ingest3,
               ingest4=ingest4, train1=train1, train2=train2, train3=train3, train4=train4,
               evaluate1=evaluate1, evaluate2=evaluate2, evaluate3=evaluate3)
    return h, ids


@pytest.fixture
def wine(store: Store) -> dict[str, int]:
    h, ids = _history()
    store.put_types([
        ArtifactType(name="Metrics", properties={"accuracy": PropertyType.DOUBLE}),
        ExecutionType(name="ingest"), ExecutionType(name="train"),
        ExecutionType(name="evaluate"),
    ])
    load(store, h)
    return ids


def _names(nodes: object) -> list[str | None]:
    return [n.name for n in nodes]  # type: ignore[attr-defined]


def test_upstream_and_provenance_name_the_run_that_computed_it(
    store: Store, wine: dict[str, int]
) -> None:
    up = L.upstream(store, L.artifact(wine["model2"]))
    assert _names(up.artifacts) == ["wine.csv", "examples-1"]
    assert _names(up.executions) == ["run-1/ingest", "run-2/train"]
    # The cache hits that hold model-2 and examples-1 are not producers, now either.
    now = L.upstream(store, L.artifact(wine["model2"]), current=True)
    assert _names(now.executions) == ["run-1/ingest", "run-2/train"]
    producer = Q.producer(store, wine["model2"])
    assert producer is not None and producer.execution.name == "run-2/train"
    assert producer.execution.state == "COMPLETE"
    assert Q.hyperparameters(store, wine["model2"]) == {"C": 0.5}
    run = Q.pipeline_and_run(store, wine["model2"])
    assert [c.name for c in run.contexts] == ["run-2"]
    assert [c.name for c in run.ancestors] == ["wine"]
    assert _names(Q.training_datasets(store, wine["model2"])) == ["wine.csv", "examples-1"]
    # Who reused what: the REUSED links, both ways.
    reuses = store.get_reuses(execution_ids=[wine["train3"]])
    assert [(r.execution_id, r.original_id) for r in reuses] == [(wine["train3"], wine["train2"])]


def test_downstream_lists_each_model_once(store: Store, wine: dict[str, int]) -> None:
    down = L.downstream(store, L.artifact(wine["examples"]), types=["Model"])
    assert _names(down.artifacts) == ["model-1", "model-2"]
    leaves = L.downstream(store, L.artifact(wine["data"]), roots_only=True, kinds=["artifact"])
    assert _names(leaves.artifacts) == ["metrics-1", "metrics-2"]


def test_models_on_ranks_two_models_not_four(store: Store, wine: dict[str, int]) -> None:
    got = Q.models_trained_on(store, wine["data"], "accuracy")
    assert got.metric_found and not got.mixed
    assert [(r.model.name, r.metric, r.source.name if r.source else None)
            for r in got.models] == [("model-2", 0.93, "metrics-2"), ("model-1", 0.90, "metrics-1")]
    (wine_pipeline,) = got.pipelines
    assert wine_pipeline.pipeline is not None and wine_pipeline.pipeline.name == "wine"
    assert wine_pipeline.newest is not None and wine_pipeline.newest.model.name == "model-2"
    assert wine_pipeline.baseline is None and wine_pipeline.better is None  # never deployed


def test_the_failed_run_is_compared_with_the_last_successful_train(
    store: Store, wine: dict[str, int]
) -> None:
    (step,) = Q.why_failed(store, L.context(wine["run-4"]))
    assert step.failed.execution.name == "run-4/train"
    assert step.failed.error == "MemoryError: 12 GiB"
    # The last success of the step is run 3's cache hit (same parameters as run 2's train).
    assert step.last_success is not None
    assert step.last_success.execution.name == "run-3/train"
    assert step.diff is not None
    assert [(c.section, c.field, c.before, c.after) for c in step.diff.changes] == [
        ("parameters", "C", 0.5, 2.0),
        ("state", "last_known_state", "CACHED", "FAILED"),
    ]
    # Upstream of the failed run's train: run 1's ingest computed its input.
    up = L.upstream(store, L.execution(wine["train4"]))
    assert _names(up.executions) == ["run-1/ingest"]
