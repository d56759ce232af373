"""Story: a TFX-like history written with the real ml-metadata library, imported with
``import_mlmd`` (keeping MLMD's ids, and merged), then the eight questions. TFX's vocabulary
(Examples, Model, ModelEvaluation, ModelBlessing, PushedModel, its component class paths) is
covered by the default roles; a type outside it (``Embeddings``, MLMD base type DATASET)
gets its role from the import: a merge stores it, an id-keeping import reports it. Both
backends, exact answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ml_metadata.metadata_store import MetadataStore
from ml_metadata.proto import metadata_store_pb2 as pb

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph import roles
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.models import Kind
from lineage_graph.store.base import Store

TFX = "tfx.components."
GEN = TFX + "example_gen.csv_example_gen.component.CsvExampleGen"
TRAINER = TFX + "trainer.component.Trainer"
EVALUATOR = TFX + "evaluator.component.Evaluator"
PUSHER = TFX + "pusher.component.Pusher"
T0 = 1_700_000_000_000
MINUTE = 60_000


def _write_taxi(path: Path) -> None:
    """Three runs of a taxi pipeline: two pushed (run 2's model better), run 3's Trainer
    FAILED. Event times are set (minutes apart), as TFX's launcher would."""
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    mlmd = MetadataStore(config)
    art = {name: mlmd.put_artifact_type(pb.ArtifactType(name=name, base_type=base))
           for name, base in (("ExternalArtifact", None), ("Examples", pb.ArtifactType.DATASET),
                              ("Embeddings", pb.ArtifactType.DATASET),
                              ("Model", pb.ArtifactType.MODEL), ("ModelEvaluation", None),
                              ("ModelBlessing", None), ("PushedModel", None))}
    exe = {name: mlmd.put_execution_type(pb.ExecutionType(name=name, base_type=base))
           for name, base in ((GEN, None), (TRAINER, pb.ExecutionType.TRAIN),
                              (EVALUATOR, pb.ExecutionType.EVALUATE),
                              (PUSHER, pb.ExecutionType.DEPLOY))}
    ctx = {name: mlmd.put_context_type(pb.ContextType(name=name))
           for name in ("pipeline", "pipeline_run")}
    clock = [T0]

    def artifact(type_name: str, name: str, **props: Any) -> pb.Artifact:
        a = pb.Artifact(type_id=art[type_name], name=name, uri=f"gs://taxi/{name}",
                        state=pb.Artifact.LIVE)
        for k, v in props.items():
            if isinstance(v, float):
                a.custom_properties[k].double_value = v
            else:
                a.custom_properties[k].string_value = str(v)
        return a

    def step(type_name: str, name: str, run: str, inputs: list[pb.Artifact],
             outputs: list[pb.Artifact], *, failed: bool = False,
             **props: Any) -> list[pb.Artifact]:
        clock[0] += MINUTE
        e = pb.Execution(type_id=exe[type_name], name=name,
                         last_known_state=pb.Execution.FAILED if failed
                         else pb.Execution.COMPLETE)
        for k, v in props.items():
            if isinstance(v, int):
                e.custom_properties[k].int_value = v
            else:
                e.custom_properties[k].string_value = str(v)
        pairs = []
        for kind, arts in ((pb.Event.INPUT, inputs), (pb.Event.OUTPUT, outputs)):
            for a in arts:
                ev = pb.Event(type=kind, milliseconds_since_epoch=clock[0])
                pairs.append((a, ev))
        contexts = [pb.Context(type_id=ctx["pipeline"], name="taxi"),
                    pb.Context(type_id=ctx["pipeline_run"], name=run)]
        _, ids, _ = mlmd.put_execution(e, pairs, contexts, reuse_context_if_already_exist=True)
        for a, i in zip([p[0] for p in pairs], ids, strict=True):
            a.id = i
        return outputs

    csv = artifact("ExternalArtifact", "taxi.csv")
    for n, (steps, acc) in enumerate(((1000, 0.77), (2000, 0.80), (4000, None)), start=1):
        run = f"run-{n}"
        (examples,) = step(GEN, f"gen-{n}", run, [csv], [artifact("Examples", f"examples-{n}")])
        if acc is None:
            step(TRAINER, f"trainer-{n}", run, [examples], [], failed=True, num_steps=steps,
                 error="OOM", python_version="3.10")
            continue
        model, _ = step(TRAINER, f"trainer-{n}", run, [examples],
                        [artifact("Model", f"model-{n}"), artifact("Embeddings",
                                                                   f"embeddings-{n}")],
                        num_steps=steps, python_version="3.10")
        _, blessing = step(EVALUATOR, f"evaluator-{n}", run, [model, examples],
                                    [artifact("ModelEvaluation", f"evaluation-{n}",
                                              accuracy=acc),
                                     artifact("ModelBlessing", f"blessing-{n}")])
        step(PUSHER, f"pusher-{n}", run, [model, blessing], [artifact("PushedModel",
                                                                      f"pushed-{n}")])


def _id(store: Store, kind: Kind, type_name: str, name: str) -> int:
    found = {
        Kind.ARTIFACT: store.get_artifact_by_type_and_name,
        Kind.EXECUTION: store.get_execution_by_type_and_name,
        Kind.CONTEXT: store.get_context_by_type_and_name,
    }[kind](type_name, name)
    assert found is not None and found.id is not None
    return found.id


def _names(nodes: Any) -> list[str | None]:
    return [n.name for n in nodes]


@pytest.fixture
def taxi_file(tmp_path: Path) -> Path:
    path = tmp_path / "metadata.sqlite"
    _write_taxi(path)
    return path


@pytest.mark.parametrize("merge", [False, True])
def test_the_eight_questions_on_an_imported_tfx_history(
    store: Store, taxi_file: Path, merge: bool
) -> None:
    report = import_mlmd(store, open_mlmd(taxi_file), merge=merge)
    # Roles: TFX's types are defaults; Embeddings is a dataset by its MLMD base type.
    assert report.roles == {"Embeddings": "dataset"}
    assert report.roles_stored is merge
    assert roles.current(store).stored == ({"Embeddings": "dataset"} if merge else {})
    if not merge:  # an id-keeping import leaves the mapping to a person (or a merge)
        roles.extend(store, report.roles)
    mapping = roles.current(store)
    assert mapping.role_of("Examples") == "dataset" and mapping.role_of("Model") == "model"
    assert mapping.role_of("ModelEvaluation") == "evaluation"
    assert mapping.role_of("PushedModel") == "deployment"
    assert mapping.role_of(TRAINER) == "training"

    model = _id(store, Kind.ARTIFACT, "Model", "model-2")
    # 1. datasets: the examples, the CSV; not the embeddings the trainer wrote beside it
    assert _names(Q.training_datasets(store, model)) == ["taxi.csv", "examples-2"]
    # 2-4. the Trainer's parameters, its contexts, its versions
    assert Q.hyperparameters(store, model) == {"num_steps": 2000}
    assert [c.name for c in Q.pipeline_and_run(store, model).contexts] == ["taxi", "run-2"]
    assert Q.versions(store, model).environment == {"python_version": "3.10"}
    # 5. run-3's Trainer failed; its last success was run-2's
    (failed,) = Q.why_failed(store, L.context(_id(store, Kind.CONTEXT, "pipeline_run",
                                                  "run-3")))
    assert failed.failed.execution.name == "trainer-3" and failed.failed.error == "OOM"
    assert failed.last_success is not None
    assert failed.last_success.execution.name == "trainer-2"
    assert [(c.field, c.before, c.after) for c in failed.diff.changes  # type: ignore[union-attr]
            if c.section == "parameters"] == [("num_steps", 2000, 4000)]
    # 6. run-2's push is live, at its push time; run-1's came before it
    got = Q.last_deployed(store, L.artifact(model))
    assert got is not None and got.live and got.action == "push"
    assert (got.deployed.name, got.model.name if got.model else None) == ("pushed-2", "model-2")
    assert got.at == T0 + 8 * MINUTE
    (target,) = Q.deployments(store, L.artifact(model)).targets
    assert [(e.action, e.model.name) for e in target.history if e.model] == [
        ("push", "model-1"), ("push", "model-2")]
    # 7. accuracy lives on ModelEvaluation; model-2 beat model-1, deployed before it
    csv = _id(store, Kind.ARTIFACT, "ExternalArtifact", "taxi.csv")
    seven = Q.models_trained_on(store, csv, "accuracy")
    assert [(r.model.name, r.metric, r.source.name if r.source else None)
            for r in seven.models] == [("model-2", 0.8, "evaluation-2"),
                                       ("model-1", 0.77, "evaluation-1")]
    (pipeline,) = seven.pipelines
    assert pipeline.baseline is not None and pipeline.baseline.model.name == "model-1"
    assert pipeline.better is True and not seven.mixed
    # 8. corrupt run-1 examples reached model-1 and its push, not run-2's
    eight = Q.cleanup_list(store, L.artifact(_id(store, Kind.ARTIFACT, "Examples",
                                                 "examples-1")))
    assert _names(t.node for t in eight.models) == ["model-1"]
    assert _names(t.node for t in eight.deployments) == ["pushed-1"]


def test_roles_of_imported_vocabularies(store: Store) -> None:
    """What an import passes to the mapping: MLMD base types first, else the defaults
    (TFX, MLflow, OpenLineage); column-level OpenLineage types have no role."""
    from lineage_graph.models import ArtifactType, ContextType, ExecutionType

    tfx = [ArtifactType(name="Examples"), ArtifactType(name="Model"),
           ArtifactType(name="ModelBlessing"), ArtifactType(name="ModelEvaluation"),
           ArtifactType(name="PushedModel"), ExecutionType(name=TRAINER),
           ArtifactType(name="Custom", base_type="MODEL"), ArtifactType(name="Other")]
    assert roles.of_types(tfx) == {
        "Custom": "model", "Examples": "dataset", "Model": "model",
        "ModelBlessing": "evaluation", "ModelEvaluation": "evaluation",
        "PushedModel": "deployment", TRAINER: "training"}
    assert roles.missing(store, tfx) == {"Custom": "model"}
    ol = [ArtifactType(name="ol.Dataset"), ArtifactType(name="ol.DatasetField"),
          ExecutionType(name="ol.ColumnTransform"), ContextType(name="ol.Job")]
    assert roles.of_types(ol) == {"ol.ColumnTransform": "none", "ol.Dataset": "dataset",
                                  "ol.DatasetField": "none", "ol.Job": "pipeline"}
    assert roles.missing(store, ol) == {}  # the defaults say it all: nothing to store
    mapping = roles.current(store)
    assert mapping.role_of("ol.DatasetField") is None and "ol.DatasetField" not in mapping.roles
    assert mapping.role_of("mlflow.Experiment") == "pipeline"
    assert roles.learn(store, tfx).stored == {"Custom": "model"}
    assert roles.learn(store, tfx).stored == {"Custom": "model"}  # idempotent
