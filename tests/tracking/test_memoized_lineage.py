"""Cached re-runs keep lineage exact (issue 13): the story of three runs and a failed one.

Run 1 computes a prepared dataset and a model; runs 2 and 3 are the same calls, served from
the cache; run 4 feeds the prepared data to a step that fails. The model was computed once,
in run 1: its upstream is run 1's steps and nothing else, its producer is run 1's ``fit``,
and the cached runs say that they reused it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage_graph import lineage, questions
from lineage_graph.models import EventType, ExecutionState, Reuse
from lineage_graph.store.base import Store
from lineage_graph.tracking import Dataset, run

from .test_step import FAILURE, broken, double, fit


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    p = tmp_path / "raw.txt"
    p.write_text("21")
    return p


def test_cached_runs_are_not_producers_and_point_at_the_run_that_computed(
    store: Store, raw: Path
) -> None:
    model_path = str(raw.with_name("m.bin"))
    runs = []
    for name in ("r1", "r2", "r3"):
        with run(pipeline="demo", name=name, store=store) as r:
            fit(double(Dataset(raw)), out=model_path)
        runs.append(r)
    with (
        pytest.raises(ValueError, match=str(FAILURE)),
        run(pipeline="demo", name="r4", store=store),
    ):
        broken(double(Dataset(raw)))

    r1_double, r1_fit = runs[0].records
    assert [rec.state for r in runs[1:] for rec in r.records] == [ExecutionState.CACHED] * 4
    model_id = next(a for a in r1_fit.output_ids
                    if store.get_artifacts_by_id([a])[0].type == "Model")

    # Upstream of the model: run 1's two steps and the two datasets, nothing from runs 2-4.
    up = lineage.upstream(store, lineage.artifact(model_id))
    assert [e.id for e in up.executions] == [r1_double.execution_id, r1_fit.execution_id]
    assert sorted(a.type for a in up.artifacts) == ["Dataset", "Dataset"]

    # The producer is the computing execution, not the last cached one.
    producer = questions.producer(store, model_id)
    assert producer is not None and producer.execution.id == r1_fit.execution_id

    # Each cached execution links to what it reused; none wrote an OUTPUT event.
    cached_fits = [r.records[1].execution_id for r in runs[1:]]
    assert store.get_reuses(original_ids=[r1_fit.execution_id]) == [
        Reuse(execution_id=e, original_id=r1_fit.execution_id) for e in cached_fits
    ]
    for r in runs[1:]:
        for rec in r.records:
            events = store.get_events(execution_ids=[rec.execution_id])
            assert {e.type for e in events} == {EventType.INPUT}
            assert rec.output_ids  # the reused outputs are still the call's outputs
    # The reused model is held by every run that used it.
    runs_of_model = {
        c.name for c in store.get_contexts_by_artifact(model_id) if c.type == "PipelineRun"
    }
    assert runs_of_model == {"r1", "r2", "r3"}
    assert len(store.get_artifacts_by_type("Model")) == 1
