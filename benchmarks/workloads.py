"""Seeded benchmark workloads as plain Python records, streamed so no system holds them all.

Two families, both deterministic for a given (size, seed):

* ``chain(depth)``: ``d0 -> Step1 -> x1 -> Step2 -> ... -> Step<depth> -> model``. Every 50th
  step also reads a fresh root ``Dataset`` and every 70th a root ``Config``, so "root datasets
  of the model" has 1 + depth//50 answers and a type filter that matters.
* ``tfx(target)``: TFX-like pipelines, about ``target`` nodes+edges. Pipelines -> runs
  (``PipelineRun`` CHILD_OF ``Pipeline``); each run is ExampleGen -> StatisticsGen -> SchemaGen ->
  Transform -> Trainer -> Evaluator -> Pusher. ExampleGen reads shared raw datasets (Zipf
  popularity, so one is "most shared"); the Evaluator also reads the pipeline's last blessed
  model as its baseline; Pusher runs only when the model is blessed; 5% of runs fail at a
  random step, and run 4 always fails in its Trainer (``FAILED``, custom property ``error``,
  no outputs, run ends there).

Records reference each other by ``key`` (a string unique per kind). Executions are emitted in
ingest order with their input keys and new output artifacts, which is exactly MLMD's
``put_execution`` unit; ``contexts`` are the keys every artifact of the call is attributed to and
the execution associated with (MLMD's rule). ``attributions`` lists the distinct
(artifact, context) pairs this call adds, so every system counts the same edges.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

BASE_TIME_MS = 1_700_000_000_000


class ContextRec(NamedTuple):
    key: str
    type: str
    name: str
    parent: str | None  # key of the parent context (a CHILD_OF edge), if any


class ArtifactRec(NamedTuple):
    key: str
    type: str
    name: str
    uri: str
    create_time: int
    props: dict[str, Any]


class ExecRec(NamedTuple):
    key: str
    type: str
    name: str
    state: str  # ExecutionState value
    create_time: int
    props: dict[str, Any]
    inputs: list[tuple[str, str]]  # (artifact key, event path name)
    outputs: list[tuple[ArtifactRec, str]]  # (new artifact, event path name)
    contexts: list[str]  # context keys: association + attribution of every artifact
    attributions: list[tuple[str, str]]  # distinct (artifact key, context key) pairs added


Record = ContextRec | ArtifactRec | ExecRec


def split_batch(buf: list[Record]) -> tuple[list[ArtifactRec], list[ExecRec]]:
    """A batch's artifacts (standalone ones and executions' outputs) and its executions."""
    arts: list[ArtifactRec] = []
    execs: list[ExecRec] = []
    for rec in buf:
        if isinstance(rec, ArtifactRec):
            arts.append(rec)
        elif isinstance(rec, ExecRec):
            execs.append(rec)
            arts.extend(a for a, _ in rec.outputs)
    return arts, execs


def count_elements(rec: Record) -> int:
    """Nodes + edges a record adds: the unit of every throughput figure."""
    if isinstance(rec, ContextRec):
        return 1 + (1 if rec.parent else 0)
    if isinstance(rec, ArtifactRec):
        return 1
    return (
        1
        + len(rec.outputs)
        + len(rec.inputs)
        + len(rec.outputs)  # one OUTPUT event per new artifact
        + len(rec.contexts)  # associations
        + len(rec.attributions)
    )


@dataclass(frozen=True)
class Questions:
    """Parameters of the benchmark questions for one workload (keys are names, see below)."""

    model: str | None = None  # artifact name whose upstream / roots are asked
    model_type: str = "Model"
    root_type: str = "Dataset"  # the type "root datasets" are filtered to
    dataset: str | None = None  # raw dataset name whose downstream models are asked
    pipeline: str | None = None  # pipeline context name for "last deployed"
    failed_run: str | None = None  # run context name for "why failed"


@dataclass(frozen=True)
class Workload:
    """A named, seeded workload: its types, a record stream and the question parameters."""

    name: str
    kind: str  # "chain" or "tfx"
    size: int  # depth for chains, target nodes+edges for tfx
    seed: int
    artifact_types: tuple[str, ...]
    execution_types: tuple[str, ...]
    context_types: tuple[str, ...]
    questions: Questions = field(default_factory=Questions)

    def records(self) -> Iterator[Record]:
        """The records in ingest order (regenerated on every call, identically)."""
        if self.kind == "chain":
            return _chain_records(self.size)
        return _tfx_records(self.size, self.seed)

    def count(self) -> int:
        """Nodes + edges of the whole workload."""
        return sum(count_elements(r) for r in self.records())


# ---- deep chains -------------------------------------------------------------------------

CHAIN_SIDE_DATASET_EVERY = 50
CHAIN_SIDE_CONFIG_EVERY = 70


def chain(depth: int) -> Workload:
    """A linear chain of ``depth`` executions ending in ``chain<depth>-model``."""
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    return Workload(
        name=f"chain-{depth}",
        kind="chain",
        size=depth,
        seed=0,
        artifact_types=("Dataset", "Config", "Examples", "Model"),
        execution_types=("Step",),
        context_types=(),
        questions=Questions(model=f"chain{depth}-model"),
    )


def chain_roots(depth: int) -> list[str]:
    """The expected root Dataset names of a chain (a cross-check independent of any system)."""
    names = [f"chain{depth}-d0"]
    names += [
        f"chain{depth}-side{i}" for i in range(1, depth + 1) if i % CHAIN_SIDE_DATASET_EVERY == 0
    ]
    return sorted(names)


def _chain_records(depth: int) -> Iterator[Record]:
    p = f"chain{depth}"
    t = BASE_TIME_MS
    yield ArtifactRec(f"{p}-d0", "Dataset", f"{p}-d0", f"mem://{p}/d0", t, {})
    prev = f"{p}-d0"
    for i in range(1, depth + 1):
        t += 1
        inputs = [(prev, "in")]
        if i % CHAIN_SIDE_DATASET_EVERY == 0:
            side = f"{p}-side{i}"
            yield ArtifactRec(side, "Dataset", side, f"mem://{p}/side{i}", t, {})
            inputs.append((side, "side"))
        if i % CHAIN_SIDE_CONFIG_EVERY == 0:
            cfg = f"{p}-config{i}"
            yield ArtifactRec(cfg, "Config", cfg, f"mem://{p}/config{i}", t, {})
            inputs.append((cfg, "config"))
        out_name = f"{p}-model" if i == depth else f"{p}-x{i}"
        out = ArtifactRec(
            out_name,
            "Model" if i == depth else "Examples",
            out_name,
            f"mem://{p}/{out_name}",
            t,
            {},
        )
        yield ExecRec(
            f"{p}-step{i}",
            "Step",
            f"{p}-step{i}",
            "COMPLETE",
            t,
            {"step": i},
            inputs,
            [(out, "out")],
            [],
            [],
        )
        prev = out_name


# ---- TFX-like store ----------------------------------------------------------------------

TFX_ARTIFACT_TYPES = (
    "RawDataset",
    "Examples",
    "ExampleStatistics",
    "Schema",
    "TransformGraph",
    "TransformedExamples",
    "Model",
    "ModelEvaluation",
    "ModelBlessing",
    "PushedModel",
)
TFX_EXECUTION_TYPES = (
    "ExampleGen",
    "StatisticsGen",
    "SchemaGen",
    "Transform",
    "Trainer",
    "Evaluator",
    "Pusher",
)
TFX_STEPS = TFX_EXECUTION_TYPES
FAILED_RUN_RATE = 0.05
BLESS_RATE = 0.8
ZIPF_S = 1.1
FORCED_FAILED_RUN = 4  # this run always fails in its Trainer
ELEMENTS_PER_RUN = 70  # measured average, used only to size pools; the stream stops at target


def _pools(target: int) -> tuple[int, int, int]:
    runs = max(4, target // ELEMENTS_PER_RUN)
    pipelines = max(2, runs // 200)
    datasets = max(5, runs // 20)
    return runs, pipelines, datasets


def tfx(target: int, seed: int = 7) -> Workload:
    """A TFX-like store of about ``target`` nodes+edges (it stops at the first run past it)."""
    if target < 100:
        raise ValueError(f"target must be >= 100 nodes+edges, got {target}")
    label = (
        f"{target // 1_000_000}M"
        if target % 1_000_000 == 0
        else f"{target // 1000}k"
        if target % 1000 == 0
        else str(target)
    )
    wl = Workload(
        name=f"tfx-{label}",
        kind="tfx",
        size=target,
        seed=seed,
        artifact_types=TFX_ARTIFACT_TYPES,
        execution_types=TFX_EXECUTION_TYPES,
        context_types=("Pipeline", "PipelineRun"),
    )
    return Workload(**{**wl.__dict__, "questions": _tfx_questions(wl)})


def _tfx_questions(wl: Workload) -> Questions:
    """The most-shared raw dataset, pipeline 0, its first failed run and its last model."""
    uses: dict[str, int] = {}
    failed_run: str | None = None
    model: str | None = None
    for rec in wl.records():
        if (
            isinstance(rec, ExecRec)
            and rec.type == "Trainer"
            and rec.outputs
            and (rec.props.get("pipeline") == "pipeline-0000")
        ):
            model = rec.outputs[0][0].name
        if isinstance(rec, ExecRec) and rec.type == "ExampleGen":
            for key, _ in rec.inputs:
                uses[key] = uses.get(key, 0) + 1
        if isinstance(rec, ExecRec) and rec.state == "FAILED" and failed_run is None:
            failed_run = rec.props["run"]
    dataset = max(sorted(uses), key=lambda k: uses[k])  # sorted: ties break by name
    return Questions(
        model=model,
        root_type="RawDataset",
        dataset=dataset,
        pipeline="pipeline-0000",
        failed_run=failed_run,
    )


def _zipf_cdf(n: int, s: float) -> list[float]:
    weights = [1.0 / (k**s) for k in range(1, n + 1)]
    total = sum(weights)
    acc, out = 0.0, []
    for w in weights:
        acc += w / total
        out.append(acc)
    return out


def _tfx_records(target: int, seed: int) -> Iterator[Record]:
    import bisect

    rng = random.Random(seed)
    _, n_pipelines, n_datasets = _pools(target)
    cdf = _zipf_cdf(n_datasets, ZIPF_S)
    t = BASE_TIME_MS
    emitted = 0
    # Bounded cross-run state only (memory stays flat as the store grows): pipeline keys,
    # raw dataset keys, each pipeline's last blessed model, attributed (dataset, pipeline) pairs.
    raw_pipeline_pairs: set[tuple[str, str]] = set()
    last_blessed: dict[str, str] = {}
    run_no: dict[str, int] = {}

    for d in range(n_datasets):
        rec = ArtifactRec(
            f"raw-{d:05d}",
            "RawDataset",
            f"raw-{d:05d}",
            f"gs://lake/raw/{d:05d}",
            t,
            {"rows": 1000 + d},
        )
        emitted += 1
        yield rec
    for p in range(n_pipelines):
        pc = ContextRec(f"pipeline-{p:04d}", "Pipeline", f"pipeline-{p:04d}", None)
        emitted += 1
        yield pc

    r = 0
    while emitted < target:
        pipe = f"pipeline-{r % n_pipelines:04d}"
        k = run_no.get(pipe, 0)
        run_no[pipe] = k + 1
        run = f"{pipe}/run-{k:05d}"
        rc = ContextRec(run, "PipelineRun", run, pipe)
        emitted += count_elements(rc)
        yield rc
        ctxs = [pipe, run]
        attributed: set[tuple[str, str]] = set()
        fail_at = rng.randrange(len(TFX_STEPS)) if rng.random() < FAILED_RUN_RATE else -1
        if r == FORCED_FAILED_RUN:
            fail_at = TFX_STEPS.index("Trainer")  # every size, even the smoke one, has a failure
        blessed = rng.random() < BLESS_RATE
        made: dict[str, str] = {}  # artifact type -> key, this run

        first = f"raw-{bisect.bisect_left(cdf, rng.random()):05d}"
        raw_inputs = [first]
        if rng.random() < 0.3:
            second = f"raw-{rng.randrange(n_datasets):05d}"
            if second != first:
                raw_inputs.append(second)

        plan: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = [
            ("ExampleGen", [(x, "input_base") for x in raw_inputs], [("Examples", "examples")]),
            ("StatisticsGen", [("@Examples", "examples")], [("ExampleStatistics", "statistics")]),
            ("SchemaGen", [("@ExampleStatistics", "statistics")], [("Schema", "schema")]),
            (
                "Transform",
                [("@Examples", "examples"), ("@Schema", "schema")],
                [
                    ("TransformGraph", "transform_graph"),
                    ("TransformedExamples", "transformed_examples"),
                ],
            ),
            (
                "Trainer",
                [
                    ("@TransformedExamples", "examples"),
                    ("@TransformGraph", "transform_graph"),
                    ("@Schema", "schema"),
                ],
                [("Model", "model")],
            ),
            (
                "Evaluator",
                [("@Model", "model"), ("@Examples", "examples")]
                + ([(last_blessed[pipe], "baseline_model")] if pipe in last_blessed else []),
                [("ModelEvaluation", "evaluation"), ("ModelBlessing", "blessing")],
            ),
            (
                "Pusher",
                [("@Model", "model"), ("@ModelBlessing", "model_blessing")],
                [("PushedModel", "pushed_model")],
            ),
        ]
        for step_no, (etype, ins, outs) in enumerate(plan):
            if etype == "Pusher" and not blessed:
                break
            t += 1000
            failed = step_no == fail_at
            inputs = [(made[x[1:]] if x.startswith("@") else x, path) for x, path in ins]
            outputs: list[tuple[ArtifactRec, str]] = []
            if not failed:
                for atype, path in outs:
                    key = f"{run}/{atype}"
                    props: dict[str, Any] = {}
                    if atype == "ModelBlessing":
                        props = {"blessed": 1 if blessed else 0}
                    elif atype == "ModelEvaluation":
                        props = {"accuracy": round(0.6 + 0.4 * rng.random(), 4)}
                    outputs.append(
                        (ArtifactRec(key, atype, key, f"gs://lake/{key}", t, props), path)
                    )
                    made[atype] = key
            eprops: dict[str, Any] = {"pipeline": pipe, "run": run}
            if etype == "Trainer":
                eprops["learning_rate"] = round(10 ** rng.uniform(-4, -1), 6)
            if failed:
                eprops["error"] = f"{etype} failed: OOM at batch {rng.randrange(1, 5000)}"
            new_attr: list[tuple[str, str]] = []
            for akey in [k for k, _ in inputs] + [a.key for a, _ in outputs]:
                for c in ctxs:
                    pair = (akey, c)
                    if pair in attributed:
                        continue
                    attributed.add(pair)
                    if akey.startswith("raw-") and c == pipe:
                        if pair in raw_pipeline_pairs:
                            continue
                        raw_pipeline_pairs.add(pair)
                    elif c == pipe and not akey.startswith(run + "/"):
                        continue  # a baseline model: attributed to its pipeline by its own run
                    new_attr.append(pair)
            ex = ExecRec(
                f"{run}/{etype}",
                etype,
                f"{run}/{etype}",
                "FAILED" if failed else "COMPLETE",
                t,
                eprops,
                inputs,
                outputs,
                ctxs,
                new_attr,
            )
            emitted += count_elements(ex)
            yield ex
            if failed:
                break
        if (blessed and fail_at == -1) or (blessed and fail_at == 6):
            # the model was blessed by a completed Evaluator (Pusher failing does not unbless)
            last_blessed[pipe] = made["Model"]
        r += 1


def by_name(name: str) -> Workload:
    """The workload called ``name`` (``chain-1000``, ``tfx-100k``, ``tfx-1M``, ``tfx-3000``)."""
    kind, _, size = name.partition("-")
    mult = {"k": 1_000, "M": 1_000_000}.get(size[-1:], 1)
    number = int(size[:-1]) if mult > 1 else int(size)
    if kind == "chain":
        return chain(number)
    if kind == "tfx":
        return tfx(number * mult)
    raise ValueError(f"unknown workload {name!r}")


SIZES: dict[str, dict[str, tuple[int, ...]]] = {
    "smoke": {"chain": (30, 120), "tfx": (3_000,)},
    "full": {"chain": (100, 1_000, 10_000), "tfx": (10_000, 100_000, 1_000_000)},
}
