"""Story: a TFX pipeline's history as an MLMD import leaves it (TFX's type names: Examples,
ExampleStatistics, Schema, Model, ModelEvaluation, ModelBlessing, PushedModel; its component
class paths as execution types; pipeline / pipeline_run / node contexts without parent
links). The eight questions answer with the default roles, on both backends, exactly.
Also MLMD's own guide vocabulary (DataSet, SavedModel)."""

from __future__ import annotations

from typing import Any

import pytest

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph import roles
from lineage_graph.models import (
    ArtifactType,
    ContextType,
    ExecutionState,
    ExecutionType,
    PropertyType,
)
from lineage_graph.store.base import Store
from tests.lineage.histories import History, load

TFX = "tfx.components."
GEN = TFX + "example_gen.csv_example_gen.component.CsvExampleGen"
STATS = TFX + "statistics_gen.component.StatisticsGen"
SCHEMA = TFX + "schema_gen.component.SchemaGen"
TRAINER = TFX + "trainer.component.Trainer"
EVALUATOR = TFX + "evaluator.component.Evaluator"
PUSHER = TFX + "pusher.component.Pusher"
TYPES = [
    ArtifactType(name="ExternalArtifact"), ArtifactType(name="Examples"),
    ArtifactType(name="ExampleStatistics"), ArtifactType(name="Schema"),
    ArtifactType(name="ModelEvaluation", properties={"accuracy": PropertyType.DOUBLE}),
    ArtifactType(name="ModelBlessing"),
    *(ExecutionType(name=t) for t in (GEN, STATS, SCHEMA, TRAINER, EVALUATOR, PUSHER)),
    ContextType(name="pipeline"), ContextType(name="pipeline_run"), ContextType(name="node"),
    ArtifactType(name="DataSet"), ArtifactType(name="SavedModel"),
]
ENV: dict[str, Any] = {"python_version": "3.10", "lib.tensorflow": "2.15.0"}


def _taxi() -> tuple[History, dict[str, int]]:
    h = History()
    ids: dict[str, int] = {}
    pipeline = h.context("pipeline", "taxi")
    node = h.context("node", "taxi.Trainer")
    csv = h.artifact("ExternalArtifact", "taxi.csv")
    ids.update(pipeline=pipeline, csv=csv)
    for n, accuracy in ((1, 0.77), (2, 0.80), (3, None)):
        run = h.context("pipeline_run", f"run-{n}")
        ids[f"run-{n}"] = run
        ctx = [pipeline, run]
        _, (ex,) = h.run(GEN, f"gen-{n}", inputs=[csv],
                         outputs=[("Examples", f"examples-{n}", {})], contexts=ctx, **ENV)
        _, (st,) = h.run(STATS, f"stats-{n}", inputs=[ex],
                         outputs=[("ExampleStatistics", f"stats-{n}", {})], contexts=ctx, **ENV)
        _, (sc,) = h.run(SCHEMA, f"schema-{n}", inputs=[st],
                         outputs=[("Schema", f"schema-{n}", {})], contexts=ctx, **ENV)
        ids[f"examples-{n}"] = ex
        if accuracy is None:
            h.run(TRAINER, f"trainer-{n}", inputs=[ex, sc], contexts=[*ctx, node],
                  state=ExecutionState.FAILED, error="OOM", num_steps=3000, **ENV)
            continue
        trainer, (model,) = h.run(TRAINER, f"trainer-{n}", inputs=[ex, sc],
                                  outputs=[("Model", f"model-{n}", {})], contexts=[*ctx, node],
                                  num_steps=1000 * n, **ENV)
        _, (_, bl) = h.run(EVALUATOR, f"evaluator-{n}", inputs=[ex, model],
                            outputs=[("ModelEvaluation", f"eval-{n}", {"accuracy": accuracy}),
                                     ("ModelBlessing", f"blessing-{n}", {"blessed": 1})],
                            contexts=ctx, **ENV)
        _, (pushed,) = h.run(PUSHER, f"pusher-{n}", inputs=[model, bl],
                             outputs=[("PushedModel", f"pushed-{n}", {})], contexts=ctx, **ENV)
        ids.update({f"model-{n}": model, f"pushed-{n}": pushed, f"trainer-{n}": trainer})
    return h, ids


@pytest.fixture
def taxi(store: Store) -> dict[str, int]:
    h, ids = _taxi()
    store.put_types(TYPES)
    load(store, h)
    return ids


def _names(nodes: Any) -> list[str]:
    return sorted(n.name for n in nodes)


def test_the_eight_questions_on_a_tfx_history(store: Store, taxi: dict[str, int]) -> None:
    model = taxi["model-2"]
    # 1. datasets: Examples and the external CSV; statistics and schema are not datasets
    assert _names(Q.training_datasets(store, model)) == ["examples-2", "taxi.csv"]
    # 2-4. the Trainer's parameters, its contexts, its versions
    assert Q.hyperparameters(store, model) == {"num_steps": 2000}
    assert [c.name for c in Q.pipeline_and_run(store, model).contexts] == [
        "taxi", "taxi.Trainer", "run-2"]
    assert Q.versions(store, model).environment == {"python_version": "3.10",
                                                    "tensorflow": "2.15.0"}
    # 5. run-3's Trainer failed; its last success was run-2's
    (failed,) = Q.why_failed(store, L.context(taxi["run-3"]))
    assert failed.failed.execution.name == "trainer-3" and failed.failed.error == "OOM"
    assert failed.last_success is not None
    assert failed.last_success.execution.name == "trainer-2"
    # 6. the pushed model of run-2 is live; pushes without a Deployment context go to the
    #    pipeline (the pipeline-role root of the Pusher's contexts)
    got = Q.last_deployed(store, L.context(taxi["pipeline"]))
    assert got is not None and got.live and got.action == "push"
    assert (got.deployed.name, got.model.name if got.model else None) == ("pushed-2", "model-2")
    assert [c.name for c in got.contexts] == ["taxi"]
    (target,) = Q.deployments(store, L.artifact(taxi["model-1"])).targets
    assert [e.model.name for e in target.history if e.model] == ["model-1", "model-2"]
    # 7. accuracy lives on ModelEvaluation; model-2 beat model-1, deployed before it
    seven = Q.models_trained_on(store, taxi["csv"], "accuracy")
    assert [(r.model.name, r.metric, r.source.type if r.source else None)
            for r in seven.models] == [("model-2", 0.8, "ModelEvaluation"),
                                       ("model-1", 0.77, "ModelEvaluation")]
    (taxi_pipeline,) = seven.pipelines
    assert taxi_pipeline.pipeline is not None and taxi_pipeline.pipeline.name == "taxi"
    assert taxi_pipeline.baseline is not None
    assert taxi_pipeline.baseline.model.name == "model-1"
    assert taxi_pipeline.better is True and not seven.mixed
    # 8. corrupt run-1 examples reached model-1 and its push, not run-2
    eight = Q.cleanup_list(store, L.artifact(taxi["examples-1"]))
    assert _names(t.node for t in eight.models) == ["model-1"]
    assert _names(t.node for t in eight.deployments) == ["pushed-1"]


def test_mlmd_guide_vocabulary(store: Store) -> None:
    """MLMD's getting-started types: a DataSet trains a SavedModel."""
    h = History()
    data = h.artifact("DataSet", "mnist")
    _, (model,) = h.run("Trainer", "trainer", inputs=[data],
                        outputs=[("SavedModel", "mnist-model", {"accuracy": 0.9})],
                        learning_rate=0.1)
    store.put_types([
        ArtifactType(name="DataSet"),
        ArtifactType(name="SavedModel", properties={"accuracy": PropertyType.DOUBLE}),
    ])
    load(store, h)
    assert _names(Q.training_datasets(store, model)) == ["mnist"]
    got = Q.models_trained_on(store, data, "accuracy")
    assert [(r.model.name, r.metric) for r in got.models] == [("mnist-model", 0.9)]
    # The stored mapping decides. Without its role a SavedModel is still the output of a
    # training step (Trainer); without that role too, it is no model.
    roles.set_role(store, "SavedModel", "none")
    assert len(Q.models_trained_on(store, data, "accuracy").models) == 1
    roles.set_role(store, "Trainer", "none")
    assert Q.models_trained_on(store, data, "accuracy").models == []
    assert roles.current(store).stored == {"SavedModel": "none", "Trainer": "none"}
    roles.unset_role(store, "SavedModel")
    assert len(Q.models_trained_on(store, data, "accuracy").models) == 1
