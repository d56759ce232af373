"""Generated MLMD histories written with the real ml-metadata library (test helper).

Every entity and event kind: three artifact types (one declaring a property of each of the six
value types), three execution types, two context types (run CHILD_OF pipeline), all seven
event types, paths with index and key steps, every artifact and execution state, declared and
custom properties of every value type, names and external ids, attributions and associations.
Writes go in batches (``put_artifacts``/``put_executions``/``put_events``) so big stores are
quick to make.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from google.protobuf import any_pb2, struct_pb2
from ml_metadata.metadata_store import MetadataStore
from ml_metadata.proto import metadata_store_pb2 as pb

INPUT_TYPES = [pb.Event.INPUT, pb.Event.DECLARED_INPUT, pb.Event.INTERNAL_INPUT]
OUTPUT_TYPES = [
    pb.Event.OUTPUT,
    pb.Event.DECLARED_OUTPUT,
    pb.Event.INTERNAL_OUTPUT,
    pb.Event.PENDING_OUTPUT,
]


def open_rw(path: Path) -> MetadataStore:
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = str(path)
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return MetadataStore(config)


# Value types MLMD schema versions before 9 cannot hold (``build(legacy=True)`` leaves them out,
# so the store can be downgraded to an older schema, like one an older TFX wrote).
LEGACY_MISSING = ("b", "p")


def _set_values(target: Any, rng: random.Random, tag: int, legacy: bool = False) -> None:
    """One property of each value type under ``target`` (a proto map)."""
    target["i"].int_value = rng.randint(-(2**40), 2**40)
    target["d"].double_value = rng.random() * 100 - 50
    target["s"].string_value = f"text-{tag}-é"
    st = struct_pb2.Struct()
    st.update({"k": tag, "nested": {"list": [1, "two", True, None]}, "f": 0.5})
    target["st"].struct_value.CopyFrom(st)
    if legacy:
        return
    target["b"].bool_value = bool(tag % 2)
    packed = any_pb2.Any(type_url="type.googleapis.com/test.Thing", value=bytes([tag % 256, 0, 7]))
    target["p"].proto_value.CopyFrom(packed)


def _types(store: MetadataStore, legacy: bool = False) -> dict[str, int]:
    full = pb.ArtifactType(
        name="Dataset", version="1", description="training data", base_type=pb.ArtifactType.DATASET
    )
    for key, ptype in (
        ("i", pb.INT),
        ("d", pb.DOUBLE),
        ("s", pb.STRING),
        ("b", pb.BOOLEAN),
        ("st", pb.STRUCT),
        ("p", pb.PROTO),
    ):
        if not (legacy and key in LEGACY_MISSING):
            full.properties[key] = ptype
    model = pb.ArtifactType(name="Model", base_type=pb.ArtifactType.MODEL)
    model.properties["i"] = pb.INT
    metrics = pb.ArtifactType(name="tfx.Metrics", base_type=pb.ArtifactType.METRICS)
    trainer = pb.ExecutionType(name="Trainer", base_type=pb.ExecutionType.TRAIN)
    for key, ptype in (("i", pb.INT), ("d", pb.DOUBLE), ("s", pb.STRING)):
        trainer.properties[key] = ptype
    transform = pb.ExecutionType(
        name="Transform", version="2", base_type=pb.ExecutionType.TRANSFORM
    )
    evaluator = pb.ExecutionType(name="Evaluator", description="scores models")
    pipeline = pb.ContextType(name="Pipeline")
    run = pb.ContextType(name="PipelineRun")
    run.properties["s"] = pb.STRING
    return {
        "Dataset": store.put_artifact_type(full),
        "Model": store.put_artifact_type(model),
        "tfx.Metrics": store.put_artifact_type(metrics),
        "Trainer": store.put_execution_type(trainer),
        "Transform": store.put_execution_type(transform),
        "Evaluator": store.put_execution_type(evaluator),
        "Pipeline": store.put_context_type(pipeline),
        "PipelineRun": store.put_context_type(run),
    }


def build(
    path: Path,
    *,
    executions: int = 40,
    seed: int = 0,
    runs_every: int = 10,
    start: MetadataStore | None = None,
    legacy: bool = False,
) -> MetadataStore:
    """Write a generated history into the SQLite file ``path`` (appending if it exists).

    Each execution reads 1-3 earlier artifacts (input event kinds) and writes 1-2 new ones
    (output event kinds), so about 4 events per execution.

    ``legacy``: no BOOLEAN and PROTO values (MLMD schemas before 9 cannot hold them).

    Returns:
        The open read-write MLMD store.
    """
    rng = random.Random(seed)
    store = start or open_rw(path)
    t = _types(store, legacy)
    art_types = [t["Dataset"], t["Model"], t["tfx.Metrics"]]
    exe_types = [t["Trainer"], t["Transform"], t["Evaluator"]]
    a_states = list(pb.Artifact.State.values())
    e_states = list(pb.Execution.State.values())
    tag = len(store.get_artifacts_by_type("Dataset")) * 1000 + seed

    pipeline = pb.Context(
        type_id=t["Pipeline"], name=f"pipeline-{seed}", external_id=f"pipe-ext-{seed}"
    )
    _set_values(pipeline.custom_properties, rng, 1, legacy)
    [pipeline_id] = store.put_contexts([pipeline])

    # A seed dataset pool.
    seeds = []
    for k in range(3):
        a = pb.Artifact(
            type_id=t["Dataset"],
            uri=f"s3://bucket/{seed}/seed{k}",
            name=f"seed-{seed}-{k}",
            state=pb.Artifact.LIVE,
        )
        _set_values(a.properties, rng, k, legacy)
        seeds.append(a)
    pool = list(store.put_artifacts(seeds))

    batch = 500
    run_id = None
    for first in range(0, executions, batch):
        count = min(batch, executions - first)
        exes = []
        for n in range(first, first + count):
            e = pb.Execution(
                type_id=rng.choice(exe_types), last_known_state=e_states[n % len(e_states)]
            )
            if n % 3 == 0:
                e.name = f"exe-{seed}-{tag}-{n}"
            if n % 7 == 0:
                e.external_id = f"exe-ext-{seed}-{tag}-{n}"
            if e.type_id == t["Trainer"]:
                e.properties["i"].int_value = n
                e.properties["d"].double_value = n / 3
                e.properties["s"].string_value = f"lr={n}"
            _set_values(e.custom_properties, rng, n, legacy)
            exes.append(e)
        exe_ids = store.put_executions(exes)
        outs: list[pb.Artifact] = []
        plan: list[tuple[int, list[int], int]] = []  # (execution id, inputs, n outputs)
        for n, eid in zip(range(first, first + count), exe_ids, strict=False):
            inputs = rng.sample(pool[-50:], k=min(len(pool[-50:]), rng.randint(1, 3)))
            n_out = rng.randint(1, 2)
            for k in range(n_out):
                at = rng.choice(art_types)
                a = pb.Artifact(
                    type_id=at, uri=f"mem://{seed}/{n}/{k}", state=a_states[(n + k) % len(a_states)]
                )
                if (n + k) % 2 == 0:
                    a.name = f"art-{seed}-{tag}-{n}-{k}"
                if (n + k) % 11 == 0:
                    a.external_id = f"art-ext-{seed}-{tag}-{n}-{k}"
                if at == t["Dataset"]:
                    _set_values(a.properties, rng, n + k, legacy)
                elif at == t["Model"]:
                    a.properties["i"].int_value = n
                if k == 0:
                    _set_values(a.custom_properties, rng, n, legacy)
                outs.append(a)
            plan.append((eid, inputs, n_out))
        out_ids = list(store.put_artifacts(outs))
        events = []
        cursor = 0
        for n, (eid, inputs, n_out) in enumerate(plan, start=first):
            for k, aid in enumerate(inputs):
                ev = pb.Event(
                    artifact_id=aid,
                    execution_id=eid,
                    type=INPUT_TYPES[(n + k) % 3],
                    milliseconds_since_epoch=1_700_000_000_000 + n,
                )
                ev.path.steps.add().key = "examples"
                ev.path.steps.add().index = k
                events.append(ev)
            for k in range(n_out):
                aid = out_ids[cursor]
                cursor += 1
                ev = pb.Event(artifact_id=aid, execution_id=eid, type=OUTPUT_TYPES[(n + k) % 4])
                if n % 5:
                    ev.milliseconds_since_epoch = 1_700_000_000_500 + n
                if k % 2 == 0:
                    ev.path.steps.add().index = k
                    ev.path.steps.add().key = f"out{k}"
                events.append(ev)
        store.put_events(events)
        pool.extend(out_ids)
        # Contexts: a run every ``runs_every`` executions, CHILD_OF the pipeline.
        attributions, associations = [], []
        for i, (eid, _, _) in enumerate(plan, start=first):
            if run_id is None or i % runs_every == 0:
                run = pb.Context(type_id=t["PipelineRun"], name=f"run-{seed}-{tag}-{i}")
                run.properties["s"].string_value = f"run {i}"
                [run_id] = store.put_contexts([run])
                store.put_parent_contexts(
                    [pb.ParentContext(child_id=run_id, parent_id=pipeline_id)]
                )
            associations.append(pb.Association(execution_id=eid, context_id=run_id))
            associations.append(pb.Association(execution_id=eid, context_id=pipeline_id))
        for aid in out_ids:
            attributions.append(pb.Attribution(artifact_id=aid, context_id=pipeline_id))
        store.put_attributions_and_associations(attributions, associations)
    return store
