"""``run`` + ``@step`` on both backends: what one call records, failures, memoization rules."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import EventType, ExecutionState, Kind
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, Model, fields, fingerprint, log_metric, run, step

CALLS: Counter[str] = Counter()
FAILURE = ValueError("the data is bad")


@step
def double(data: Dataset, factor: int = 2, label: str = "x") -> Dataset:
    CALLS["double"] += 1
    out = Path(data).with_name(Path(data).stem + ".doubled")
    out.write_text(str(int(Path(data).read_text()) * factor))
    return Dataset(out)


@step(outputs={"out": Model})
def fit(data: Dataset, out: str, lr: float = 0.1) -> dict[str, Any]:
    CALLS["fit"] += 1
    Path(out).write_text(f"{Path(data).read_text()}*{lr}")
    log_metric("accuracy", 0.75)
    return {"model": Model(out), "lr": lr}


@step(memoize=False)
def always(data: Dataset) -> int:
    CALLS["always"] += 1
    return len(Path(data).read_text())


@step
def broken(data: Dataset, threshold: float = 0.5) -> None:
    CALLS["broken"] += 1
    raise FAILURE


@step
def big_result(data: Dataset, n: int) -> list[int]:
    CALLS["big_result"] += 1
    return list(range(n))


@step
def takes_object(data: Dataset, thing: object) -> int:
    CALLS["takes_object"] += 1
    return 1


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    p = tmp_path / "raw.txt"
    p.write_text("21")
    return p


def _states(store: Store) -> list[tuple[str | None, str]]:
    return [(e.name, e.last_known_state.value) for e in store.get_executions()]


def test_a_step_call_records_execution_params_inputs_outputs_and_contexts(
    store: Store, raw: Path
) -> None:
    with run(pipeline="demo", name="run-1", store=store) as r:
        result = fit(double(Dataset(raw), factor=3), out=str(raw.with_name("m.bin")), lr=0.5)
    assert result["lr"] == 0.5 and isinstance(result["model"], Model)
    [d, f] = store.get_executions()
    assert (d.type, d.name, d.last_known_state) == ("double", "run-1/double",
                                                    ExecutionState.COMPLETE)
    assert d.properties == {"factor": 3, "label": "x"}  # parameters as declared properties
    assert f.properties == {"lr": 0.5}
    assert f.custom_properties[fields.METRICS] == {"accuracy": 0.75}
    for e in (d, f):
        c = e.custom_properties
        assert str(c[fields.CODE_HASH]).startswith("sha256:")
        assert c[fields.PYTHON_VERSION] and isinstance(c[fields.ENVIRONMENT], dict)
        assert c[fields.STEP] in (f"{__name__}:double", f"{__name__}:fit")
    events = store.get_events(execution_ids=[f.id])  # type: ignore[list-item]
    by_type = {(ev.type, ev.path): ev.artifact_id for ev in events}
    assert set(by_type) == {(EventType.INPUT, ("data",)), (EventType.OUTPUT, ("out",)),
                            (EventType.OUTPUT, ("metrics",))}
    model = store.get_artifacts_by_id([by_type[(EventType.OUTPUT, ("out",))]])[0]
    assert model.type == "Model" and model.uri == str(raw.with_name("m.bin"))
    assert model.custom_properties[fields.FINGERPRINT] == fingerprint(model.uri).digest
    metrics = store.get_artifacts_by_id([by_type[(EventType.OUTPUT, ("metrics",))]])[0]
    assert metrics.type == "Metrics" and metrics.custom_properties["accuracy"] == 0.75
    # the doubled dataset is one artifact: output of `double`, input of `fit`
    doubled = by_type[(EventType.INPUT, ("data",))]
    d_out = [ev for ev in store.get_events(execution_ids=[d.id]) if ev.type is EventType.OUTPUT]  # type: ignore[list-item]
    assert [ev.artifact_id for ev in d_out] == [doubled]
    # contexts: both executions in the run and the pipeline; run CHILD_OF pipeline
    assert r.run_context.id is not None and r.pipeline_context.id is not None
    for e in (d, f):
        ctx_ids = {c.id for c in store.get_contexts_by_execution(e.id)}  # type: ignore[arg-type]
        assert ctx_ids == {r.run_context.id, r.pipeline_context.id}
    assert [p.id for p in store.get_parent_contexts(r.run_context.id)] == [
        r.pipeline_context.id]
    assert store.get_context_by_type_and_name("PipelineRun", "run-1").custom_properties[  # type: ignore[union-attr]
        fields.RUN_STATE] == "COMPLETE"


def test_a_failing_step_is_recorded_failed_and_its_exception_reraised_unchanged(
    store: Store, raw: Path
) -> None:
    with pytest.raises(ValueError, match="the data is bad") as caught, run(
        pipeline="demo", name="bad", store=store
    ):
        broken(Dataset(raw), threshold=0.9)
    assert caught.value is FAILURE  # the very object, not a wrapper
    [e] = store.get_executions()
    assert e.last_known_state is ExecutionState.FAILED
    c = e.custom_properties
    assert c[fields.ERROR_TYPE] == "ValueError"
    assert c[fields.ERROR_MESSAGE] == "the data is bad"
    tb = str(c[fields.ERROR_TRACEBACK])
    assert "raise FAILURE" in tb and tb.count("\n") < 20
    assert e.properties == {"threshold": 0.9}
    assert [ev.type for ev in store.get_events(execution_ids=[e.id])] == [EventType.INPUT]  # type: ignore[list-item]
    run_ctx = store.get_context_by_type_and_name("PipelineRun", "bad")
    assert run_ctx is not None and run_ctx.custom_properties[fields.RUN_STATE] == "FAILED"
    # a failed execution is never a cache hit: the step runs again
    with pytest.raises(ValueError, match="the data is bad"), run(
        pipeline="demo", name="bad-again", store=store
    ):
        broken(Dataset(raw), threshold=0.9)
    assert CALLS["broken"] == 2


def test_same_call_again_is_cached_not_run_and_linked_to_the_original(
    store: Store, raw: Path
) -> None:
    model_path = str(raw.with_name("m.bin"))
    with run(pipeline="demo", name="r1", store=store) as r1:
        first = fit(double(Dataset(raw)), out=model_path)
    with run(pipeline="demo", name="r2", store=store) as r2:
        second = fit(double(Dataset(raw)), out=model_path)
    assert CALLS == {"double": 1, "fit": 1}
    assert second == first  # the recorded result is replayed
    assert [r.state for r in r2.records] == [ExecutionState.CACHED] * 2
    for orig, cached in zip(r1.records, r2.records, strict=True):
        assert cached.cache_of == orig.execution_id
        assert cached.output_ids == orig.output_ids  # the same artifacts, not copies
        stored = store.get_executions_by_id([cached.execution_id])[0]
        assert stored.custom_properties[fields.CACHE_OF] == orig.execution_id
    assert len(store.get_artifacts_by_type("Model")) == 1


def test_linking_known_artifacts_does_not_rewrite_them(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store):
        double(Dataset(raw))
    before = {a.id: a.seq for a in store.get_artifacts()}
    with run(pipeline="demo", name="r2", store=store):
        double(Dataset(raw))  # cached: input and output linked again
    assert {a.id: a.seq for a in store.get_artifacts()} == before


def test_memoize_false_always_runs(store: Store, raw: Path) -> None:
    for name in ("r1", "r2"):
        with run(pipeline="demo", name=name, store=store):
            always(Dataset(raw))
    assert CALLS["always"] == 2
    assert [s for _, s in _states(store)] == ["COMPLETE", "COMPLETE"]


def test_run_memoize_false_reruns_memoizable_steps(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store):
        double(Dataset(raw))
    with run(pipeline="demo", name="r2", store=store, memoize=False):
        double(Dataset(raw))
    assert CALLS["double"] == 2


def test_changed_parameter_is_a_miss(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store):
        double(Dataset(raw), factor=2)
        double(Dataset(raw), factor=2)
        double(Dataset(raw), factor=3)
    assert CALLS["double"] == 2
    assert _states(store) == [("r1/double", "COMPLETE"), ("r1/double#2", "CACHED"),
                              ("r1/double#3", "COMPLETE")]


def test_changed_input_is_a_new_artifact_version_and_a_miss(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store):
        double(Dataset(raw))
    raw.write_text("5")
    with run(pipeline="demo", name="r2", store=store):
        double(Dataset(raw))
    raw.write_text("21")  # back to the first content: the first version again
    with run(pipeline="demo", name="r3", store=store):
        double(Dataset(raw))
    assert CALLS["double"] == 3  # r3 re-runs: r2 overwrote the output r1 recorded
    inputs = list(store.get_artifacts_by_uri(str(raw)))
    assert len(inputs) == 2  # two versions of raw.txt, the third call reused the first
    assert len({a.custom_properties[fields.FINGERPRINT] for a in inputs}) == 2


def test_deleted_or_changed_output_is_a_miss_and_the_step_reruns(
    store: Store, raw: Path
) -> None:
    model_path = raw.with_name("m.bin")
    with run(pipeline="demo", name="r1", store=store):
        fit(Dataset(raw), out=str(model_path))
    model_path.unlink()
    with run(pipeline="demo", name="r2", store=store) as r2:
        fit(Dataset(raw), out=str(model_path))
    assert CALLS["fit"] == 2 and r2.records[0].state is ExecutionState.COMPLETE
    model_path.write_text("tampered")
    with run(pipeline="demo", name="r3", store=store) as r3:
        fit(Dataset(raw), out=str(model_path))
    assert CALLS["fit"] == 3 and r3.records[0].state is ExecutionState.COMPLETE
    with run(pipeline="demo", name="r4", store=store) as r4:
        fit(Dataset(raw), out=str(model_path))
    assert CALLS["fit"] == 3 and r4.records[0].state is ExecutionState.CACHED
    assert r4.records[0].cache_of == r3.records[0].execution_id


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


STEP_SOURCE = '''
from pathlib import Path
from lineage_graph.tracking import Dataset, step

RAN = []

def helper(text):
    return text.upper()

@step
def shout(data: Dataset) -> str:
    RAN.append(1)
    return helper(Path(data).read_text())
'''


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("return helper(Path(data).read_text())", "return helper(Path(data).read_text()) + '!'"),
        ("return text.upper()", "return text.lower()"),  # only a helper it calls changed
    ],
    ids=["step-body", "helper"],
)
def test_changed_code_is_a_miss(store: Store, raw: Path, tmp_path: Path, old: str,
                                new: str) -> None:
    src = tmp_path / "user_steps.py"
    src.write_text(STEP_SOURCE)
    m1 = _load(src, "user_steps_v1")
    with run(pipeline="demo", name="r1", store=store):
        m1.shout(Dataset(raw))
    with run(pipeline="demo", name="r2", store=store):
        m1.shout(Dataset(raw))
    assert len(m1.RAN) == 1  # unchanged code: a hit
    src.write_text(STEP_SOURCE.replace(old, new))
    m2 = _load(src, "user_steps_v2")
    with run(pipeline="demo", name="r3", store=store) as r3:
        m2.shout(Dataset(raw))
    assert len(m2.RAN) == 1 and r3.records[0].state is ExecutionState.COMPLETE
    [e1, _, e3] = store.get_executions()
    assert e1.custom_properties[fields.CODE_HASH] != e3.custom_properties[fields.CODE_HASH]


def test_unrelated_code_in_the_same_file_keeps_the_hit(store: Store, raw: Path,
                                                       tmp_path: Path) -> None:
    src = tmp_path / "user_steps.py"
    src.write_text(STEP_SOURCE)
    m1 = _load(src, "user_steps_v3")
    with run(pipeline="demo", name="r1", store=store):
        m1.shout(Dataset(raw))
    src.write_text(STEP_SOURCE + "\n\ndef unrelated():\n    return 42\n")
    m2 = _load(src, "user_steps_v4")
    with run(pipeline="demo", name="r2", store=store) as r2:
        m2.shout(Dataset(raw))
    assert m2.RAN == [] and r2.records[0].state is ExecutionState.CACHED


def test_an_argument_that_cannot_be_keyed_makes_the_call_unmemoized(
    store: Store, raw: Path
) -> None:
    for name in ("r1", "r2"):
        with run(pipeline="demo", name=name, store=store):
            takes_object(Dataset(raw), thing=object())
    assert CALLS["takes_object"] == 2
    e = store.get_executions()[0]
    assert e.custom_properties[fields.MEMOIZABLE] is False
    assert e.custom_properties[fields.UNRECORDED_ARGS] == {"thing": "object"}
    assert fields.MEMO_KEY not in e.custom_properties


def test_a_result_too_large_to_keep_is_not_memoized(store: Store, raw: Path) -> None:
    for name in ("r1", "r2"):
        with run(pipeline="demo", name=name, store=store):
            assert len(big_result(Dataset(raw), n=20_000)) == 20_000
    assert CALLS["big_result"] == 2
    e = store.get_executions()[0]
    assert fields.RETURN_VALUE not in e.custom_properties
    assert e.custom_properties[fields.MEMOIZABLE] is False


def test_outside_a_run_a_step_is_a_plain_call(raw: Path) -> None:
    assert always(Dataset(raw)) == 2 and CALLS["always"] == 1


def test_run_level_metrics_and_run_reuse(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store) as r:
        r.log_metric("wall_seconds", 1.5)
        double(Dataset(raw))
    with run(pipeline="demo", name="r1", store=store, resume=True) as again:  # same context
        always(Dataset(raw))
        double(Dataset(raw), factor=5)
    assert again.run_context.id == r.run_context.id
    ctx = store.get_context_by_type_and_name("PipelineRun", "r1")
    assert ctx is not None and ctx.custom_properties[fields.RUN_METRICS] == {"wall_seconds": 1.5}
    assert len(store.get_contexts_by_type("Pipeline")) == 1
    assert sorted(n or "" for n, _ in _states(store)) == [
        "r1/always", "r1/double", "r1/double#2"]


def test_log_metric_needs_a_run_and_a_scalar() -> None:
    with pytest.raises(InvalidInputError, match="open run"):
        log_metric("x", 1.0)


def test_bad_step_declarations_are_refused() -> None:
    def identity(data: Dataset) -> Dataset:
        return data

    with pytest.raises(InvalidInputError, match="no argument 'nope'"):
        step(outputs={"nope": Model})(identity)
    with pytest.raises(InvalidInputError, match="type name 'not a type'"):
        step(type="not a type")(identity)
    assert step(lambda data: data).type == "lambda"  # a default type is made valid

    async def coroutine(data: Dataset) -> None:
        return None

    with pytest.raises(InvalidInputError, match="synchronous"):
        step(coroutine)


def test_nothing_in_the_store_needed_for_kind_listing(store: Store, raw: Path) -> None:
    with run(pipeline="demo", name="r1", store=store):
        double(Dataset(raw))
    kinds = {Kind.ARTIFACT: 2, Kind.EXECUTION: 1, Kind.CONTEXT: 2}
    for kind, n in kinds.items():
        assert len(store.list_nodes(kind).items) == n
