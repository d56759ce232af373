"""MLMD stores of an older schema (read from an upgraded copy) and MLMD history merged into
tracked history, after which both answer the eight questions."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from ml_metadata.metadata_store import MetadataStore, downgrade_schema
from ml_metadata.proto import metadata_store_pb2 as pb

from lineage_graph import lineage, questions
from lineage_graph.errors import AlreadyExistsError
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
from lineage_graph.models import ExecutionState, Kind, ListOptions
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, Model, PushedModel, log_metric, run, step

from .mlmd_history import build, open_rw
from .test_mlmd import assert_same_as_mlmd


def _schema_version(path: Path) -> int:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT schema_version FROM MLMDEnv").fetchone()[0])


def _downgrade(path: Path, version: int) -> None:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE
    downgrade_schema(config, downgrade_to_schema_version=version)


def test_an_older_schema_is_read_from_an_upgraded_copy(store: Store, tmp_path: Path) -> None:
    """Finding 9: a v8 store (an older TFX's) imports; the original file is not touched."""
    path = tmp_path / "old.sqlite"
    build(path, executions=14, seed=8, runs_every=5, legacy=True)
    _downgrade(path, 8)
    assert _schema_version(path) == 8
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mlmd = open_mlmd(path)
    report = import_mlmd(store, mlmd)
    assert report.schema_upgraded_from == 8 and report.new["execution"] == 14
    assert_same_as_mlmd(store, mlmd)  # every field, id and link, read through the copy
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert _schema_version(path) == 8
    del mlmd  # the copy goes with its store object
    again = import_mlmd(store, open_mlmd(path))
    assert sum(again.new.values()) == 0 and sum(again.updated.values()) == 0


# ---- a tracked pipeline (wine) and a TFX-style MLMD store (taxi) in one store --------------


@step
def prepare(raw: Dataset, out: str, scale: float = 1.0) -> Dataset:
    Path(out).write_text(Path(raw).read_text() * int(scale))
    return Dataset(out)


@step(outputs={"out": Model})
def train(data: Dataset, out: str, lr: float = 0.1) -> dict[str, Any]:
    if lr > 1:
        raise ValueError(f"diverged at lr={lr}")
    Path(out).write_text(f"model of {Path(data).read_text()} at {lr}")
    log_metric("accuracy", 0.9)
    return {"model": Model(out)}


@step(outputs={"out": PushedModel})
def push(model: Model, out: str) -> dict[str, Any]:
    Path(out).write_text(Path(model).read_text())
    return {"pushed": PushedModel(out)}


def _tracked(store: Store, tmp_path: Path) -> dict[str, Path]:
    raw = tmp_path / "wine.csv"
    raw.write_text("1,2,3\n")
    files = {n: tmp_path / n for n in ("clean.csv", "model.bin", "served.bin", "m2.bin")}
    with run(pipeline="wine", name="wine-1", store=store):
        model = train(
            prepare(Dataset(raw), out=str(files["clean.csv"])), out=str(files["model.bin"])
        )
        push(model["model"], out=str(files["served.bin"]))
    with (
        pytest.raises(ValueError, match="diverged"),
        run(pipeline="wine", name="wine-2", store=store),
    ):
        train(Dataset(files["clean.csv"]), out=str(files["m2.bin"]), lr=5.0)
    return {"raw": raw, **files}


def _taxi(path: Path) -> MetadataStore:
    """A TFX-style history: ExampleGen -> Examples -> Trainer -> Model -> Pusher; two runs
    that push, a third whose Trainer FAILED. Its types overlap tracking's (Model,
    PushedModel) and its pipeline context type is TFX's (``pipeline``)."""
    mlmd = open_rw(path)
    examples_t = mlmd.put_artifact_type(pb.ArtifactType(name="Examples"))
    model_t = pb.ArtifactType(name="Model")
    model_t.properties["accuracy"] = pb.DOUBLE
    model_tid = mlmd.put_artifact_type(model_t)
    pushed_t = mlmd.put_artifact_type(pb.ArtifactType(name="PushedModel"))
    gen_t = mlmd.put_execution_type(pb.ExecutionType(name="ExampleGen"))
    trainer = pb.ExecutionType(name="Trainer")
    trainer.properties["learning_rate"] = pb.DOUBLE
    trainer_t = mlmd.put_execution_type(trainer)
    pusher_t = mlmd.put_execution_type(pb.ExecutionType(name="Pusher"))
    pipeline_t = mlmd.put_context_type(pb.ContextType(name="pipeline"))
    run_t = mlmd.put_context_type(pb.ContextType(name="pipeline_run"))
    pipeline = pb.Context(type_id=pipeline_t, name="taxi")
    [pipeline.id] = mlmd.put_contexts([pipeline])

    def execution(type_id: int, state: Any, lr: float | None = None) -> pb.Execution:
        e = pb.Execution(type_id=type_id, last_known_state=state)
        if lr is not None:
            e.properties["learning_rate"].double_value = lr
        return e

    done = pb.Execution.COMPLETE
    examples: list[int] = []
    for n, lr, accuracy in ((1, 0.1, 0.8), (2, 0.01, 0.85), (3, 9.0, None)):
        ctx = pb.Context(type_id=run_t, name=f"taxi-{n}")
        [ctx.id] = mlmd.put_contexts([ctx])
        mlmd.put_parent_contexts([pb.ParentContext(child_id=ctx.id, parent_id=pipeline.id)])
        contexts = [pipeline, ctx]
        if n < 3:
            ex = pb.Artifact(type_id=examples_t, uri=f"gs://taxi/examples/{n}")
            [_, [ex_id], _] = mlmd.put_execution(
                execution(gen_t, done), [(ex, pb.Event(type=pb.Event.OUTPUT))], contexts
            )
            examples.append(ex_id)
        [data] = mlmd.get_artifacts_by_id([examples[-1]])
        if accuracy is None:
            mlmd.put_execution(
                execution(trainer_t, pb.Execution.FAILED, lr),
                [(data, pb.Event(type=pb.Event.INPUT))],
                contexts,
            )
            continue
        model = pb.Artifact(type_id=model_tid, uri=f"gs://taxi/models/{n}", name=f"taxi-model-{n}")
        model.properties["accuracy"].double_value = accuracy
        [_, [_, model_id], _] = mlmd.put_execution(
            execution(trainer_t, done, lr),
            [(data, pb.Event(type=pb.Event.INPUT)), (model, pb.Event(type=pb.Event.OUTPUT))],
            contexts,
        )
        pushed = pb.Artifact(type_id=pushed_t, uri=f"gs://serving/taxi/{n}")
        mlmd.put_execution(
            execution(pusher_t, done),
            [
                (mlmd.get_artifacts_by_id([model_id])[0], pb.Event(type=pb.Event.INPUT)),
                (pushed, pb.Event(type=pb.Event.OUTPUT)),
            ],
            contexts,
        )
    return mlmd


def _one(store: Store, kind: Kind, type_name: str, **match: Any) -> Any:
    """The one node of a type whose fields equal ``match``."""
    nodes = store.list_nodes(kind, ListOptions(type=type_name)).items
    found = [n for n in nodes if all(getattr(n, k) == v for k, v in match.items())]
    assert len(found) == 1, (type_name, match, nodes)
    return found[0]


def test_mlmd_merges_into_tracked_history_and_both_answer_the_eight_questions(
    store: Store, tmp_path: Path
) -> None:
    files = _tracked(store, tmp_path)
    path = tmp_path / "taxi.sqlite"
    _taxi(path)
    # MLMD's ids 1, 2, ... are taken by the tracked history: the id-keeping import refuses.
    with pytest.raises(AlreadyExistsError, match="merge"):
        import_mlmd(store, open_mlmd(path))
    report = import_mlmd(store, open_mlmd(path), merge=True)
    assert report.new == {"context": 4, "artifact": 6, "execution": 7}
    assert report.events_new == 11 and report.parent_contexts == 3
    again = import_mlmd(store, open_mlmd(path), merge=True)  # found again by external id
    assert again.new == {"context": 0, "artifact": 0, "execution": 0}
    assert again.updated == {"context": 0, "artifact": 0, "execution": 0}
    assert again.events_new == 0 and again.events_known == 11

    wine_model = _one(store, Kind.ARTIFACT, "Model", uri=str(files["model.bin"]))
    taxi_model = _one(store, Kind.ARTIFACT, "Model", name="taxi-model-2")
    assert taxi_model.external_id == f"mlmd:artifact:{_mlmd_id(path, 'taxi-model-2')}"
    clean = _one(store, Kind.ARTIFACT, "Dataset", uri=str(files["clean.csv"]))
    raw = _one(store, Kind.ARTIFACT, "Dataset", uri=str(files["raw"]))
    ex2 = _one(store, Kind.ARTIFACT, "Examples", uri="gs://taxi/examples/2")
    ex1 = _one(store, Kind.ARTIFACT, "Examples", uri="gs://taxi/examples/1")

    # 1. Which datasets trained it?
    assert {a.uri for a in questions.training_datasets(store, wine_model.id)} == {
        str(files["clean.csv"]),
        str(files["raw"]),
    }
    assert [a.uri for a in questions.training_datasets(store, taxi_model.id)] == [
        "gs://taxi/examples/2"
    ]
    # 2. Which hyperparameters?
    assert questions.hyperparameters(store, wine_model.id) == {"lr": 0.1}
    assert questions.hyperparameters(store, taxi_model.id) == {"learning_rate": 0.01}
    # 3. Which pipeline and run?
    wine = questions.pipeline_and_run(store, wine_model.id)
    assert {(c.type, c.name) for c in wine.contexts} == {
        ("Pipeline", "wine"),
        ("PipelineRun", "wine-1"),
    }
    taxi = questions.pipeline_and_run(store, taxi_model.id)
    assert {(c.type, c.name) for c in taxi.contexts} == {
        ("pipeline", "taxi"),
        ("pipeline_run", "taxi-2"),
    }
    # 4. Which library and code versions?
    versions = questions.versions(store, wine_model.id)
    assert str(versions.code["code_hash"]).startswith("sha256:")
    assert versions.environment["python_version"]
    assert questions.versions(store, taxi_model.id).code == {}
    # 5. Why did it fail?
    wine_2 = _one(store, Kind.CONTEXT, "PipelineRun", name="wine-2")
    [failed] = questions.why_failed(store, lineage.context(wine_2.id))
    assert failed.failed.error == "diverged at lr=5.0"
    assert failed.last_success is not None
    assert (
        failed.last_success.execution.id
        == _one(store, Kind.EXECUTION, "train", last_known_state=ExecutionState.COMPLETE).id
    )
    assert {
        (c.field, c.before, c.after) for c in failed.diff.changes if c.section == "parameters"
    } == {  # type: ignore[union-attr]
        ("lr", 0.1, 5.0)
    }
    taxi_3 = _one(store, Kind.CONTEXT, "pipeline_run", name="taxi-3")
    [broken] = questions.why_failed(store, lineage.context(taxi_3.id))
    assert broken.failed.execution.type == "Trainer"
    assert broken.last_success is not None
    assert broken.last_success.properties == {"learning_rate": 0.01}
    assert {
        (c.field, c.before, c.after) for c in broken.diff.changes if c.section == "parameters"
    } == {  # type: ignore[union-attr]
        ("learning_rate", 0.01, 9.0)
    }
    # 6. Which version was deployed last?
    wine_served = questions.last_deployed(store, lineage.artifact(wine_model.id))
    assert wine_served is not None and wine_served.model is not None
    assert wine_served.model.id == wine_model.id
    taxi_pipeline = _one(store, Kind.CONTEXT, "pipeline", name="taxi")
    taxi_served = questions.last_deployed(store, lineage.context(taxi_pipeline.id))
    assert taxi_served is not None and taxi_served.model is not None
    assert taxi_served.model.id == taxi_model.id
    # 7. Models trained on this dataset, best first.
    assert [
        (r.model.id, r.metric)
        for r in questions.models_trained_on(store, clean.id, "accuracy").models
    ] == [(wine_model.id, 0.9)]
    ranked = questions.models_trained_on(store, ex2.id, "accuracy").models
    assert [(r.model.name, r.metric) for r in ranked] == [("taxi-model-2", 0.85)]
    # 8. What did the corrupt data reach?
    tainted = questions.cleanup_list(store, lineage.artifact(raw.id))
    assert {m.node.id for m in tainted.models} == {wine_model.id}
    assert {d.node.uri for d in tainted.deployments} == {str(files["served.bin"])}
    old = questions.cleanup_list(store, lineage.artifact(ex1.id))
    assert {m.node.name for m in old.models} == {"taxi-model-1"}
    assert {d.node.uri for d in old.deployments} == {"gs://serving/taxi/1"}


def _mlmd_id(path: Path, name: str) -> int:
    mlmd = open_mlmd(path)
    [a] = [a for a in mlmd.get_artifacts() if a.name == name]
    return int(a.id)
