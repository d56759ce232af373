"""Why-failed's "last success before": exact answers on both backends.

The Neo4j statement reads the (type, create_time, id) index backwards from the failed
execution and stops at the first success in its scope; these cases pin what that walk must
skip (newer successes elsewhere, later ids at the same time, other types, failures) and what
it must find (a success in another run of the pipeline, one reached only through a grand-parent
context, one at the same create_time with a smaller id).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from lineage_graph import lineage as L
from lineage_graph import questions as Q
from lineage_graph.answers import FailedStep
from lineage_graph.models import ContextType, ExecutionState
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.neo4j_lineage import Neo4jLineageMixin

from .histories import History, histories, load

FAILED, CACHED = ExecutionState.FAILED, ExecutionState.CACHED


def pairs(steps: list[FailedStep]) -> list[tuple[str | None, str | None]]:
    return [
        (s.failed.execution.name, s.last_success.execution.name if s.last_success else None)
        for s in steps
    ]


@pytest.fixture(params=["scan", "listing"])
def window(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neo4j finds the last success by its index walk, or (a window of one candidate) mostly
    by listing the pipeline after that: both must give the reference's answer."""
    if request.param == "listing":
        monkeypatch.setattr(Neo4jLineageMixin, "_failed_scan_window", 1)


@pytest.mark.usefixtures("window")
def test_last_success_skips_other_pipelines_later_ids_and_failures(store: Store) -> None:
    h = History()
    team = h.context("Project", "team")
    fraud = h.context("Pipeline", "fraud", parent=team)
    ads = h.context("Pipeline", "ads", parent=team)
    churn = h.context("Pipeline", "churn")
    w1, w2, w3, w4 = (h.context("PipelineRun", f"fraud-w{i}", parent=fraud) for i in (1, 2, 3, 4))
    a1 = h.context("PipelineRun", "ads-a1", parent=ads)
    c1 = h.context("PipelineRun", "churn-c1", parent=churn)
    raw = h.artifact("Dataset", "raw")
    # Older successes of the fraud pipeline, in other runs: w1 through the run only (the
    # pipeline is its parent), w2 associated with run and pipeline (TFX's way).
    h.run("Trainer", "fraud-trainer-w1", inputs=[raw], contexts=[w1], t=100)
    h.run("Trainer", "fraud-trainer-w2", inputs=[raw], contexts=[w2, fraud], t=200, state=CACHED)
    h.run("Validator", "fraud-validator-w2", inputs=[raw], contexts=[w2], t=210)
    h.run("Trainer", "fraud-trainer-w2b", inputs=[raw], contexts=[w2], t=220, state=FAILED)
    # Newer same-type successes elsewhere: another pipeline, and no context at all.
    h.run("Trainer", "churn-trainer-c1", inputs=[raw], contexts=[c1, churn], t=300)
    h.run("Trainer", "adhoc-trainer", inputs=[raw], t=350)
    # Run w3 fails twice; a success of its pipeline at the trainer's own create_time with a
    # smaller id comes first, one with a larger id (written after it) must not count.
    h.run("Trainer", "fraud-trainer-w3-early", inputs=[raw], contexts=[w4], t=400)
    h.run("Trainer", "fraud-trainer-w3", inputs=[raw], contexts=[w3, fraud], t=400, state=FAILED)
    h.run("Validator", "fraud-validator-w3", inputs=[raw], contexts=[w3], t=400, state=FAILED)
    h.run("Trainer", "fraud-trainer-w3-late", inputs=[raw], contexts=[w4], t=400)
    # A newer churn success, then a failure of ads: its scope reaches the fraud runs through
    # the Project, so fraud's last success counts and churn's (not under team) does not.
    h.run("Trainer", "churn-trainer-c2", inputs=[raw], contexts=[c1, churn], t=450)
    h.run("Trainer", "ads-trainer-a1", inputs=[raw], contexts=[a1], t=500, state=FAILED)
    # A failure in no context: the last success of the type anywhere before it.
    h.run("Trainer", "orphan-trainer", inputs=[raw], t=460, state=FAILED)
    # A failed Validator in churn, which never validated successfully.
    h.run("Validator", "churn-validator-c1", inputs=[raw], contexts=[c1], t=470, state=FAILED)
    store.put_types([ContextType(name="Project")])
    load(store, h)

    assert pairs(Q.why_failed(store, L.context(w3))) == [
        ("fraud-trainer-w3", "fraud-trainer-w3-early"),
        ("fraud-validator-w3", "fraud-validator-w2"),
    ]
    # The pipeline's failures, each compared within the pipeline (w2b: before w2b only w1 and
    # the cached w2 exist, and CACHED counts as a success).
    assert pairs(Q.why_failed(store, L.context(fraud))) == [
        ("fraud-trainer-w2b", "fraud-trainer-w2"),
        ("fraud-trainer-w3", "fraud-trainer-w3-early"),
        ("fraud-validator-w3", "fraud-validator-w2"),
    ]
    assert pairs(Q.why_failed(store, L.context(a1))) == [
        ("ads-trainer-a1", "fraud-trainer-w3-late"),
    ]
    assert pairs(Q.why_failed(store, L.context(churn))) == [
        ("churn-validator-c1", None),
    ]
    orphan = next(e.id for e in h.executions if e.name == "orphan-trainer")
    assert orphan is not None
    assert pairs(Q.why_failed(store, L.execution(orphan))) == [
        ("orphan-trainer", "churn-trainer-c2"),
    ]


def _why_failed_everywhere(store: Store, h: History) -> dict[str, object]:
    starts = [L.context(c.id) for c in h.contexts if c.id is not None]
    starts += [L.execution(e.id) for e in h.executions
               if e.id is not None and e.last_known_state is FAILED]
    return {f"{r.kind.value} {r.id}": [s.model_dump() for s in Q.why_failed(store, r)]
            for r in starts}


@pytest.mark.parametrize("scan_window", [1, 2])
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(h=histories())
def test_listing_after_the_window_equals_the_oracle(
    lineage_neo4j: Neo4jStore, monkeypatch: pytest.MonkeyPatch, scan_window: int, h: History
) -> None:
    """Random histories with a window so small that most answers come from the pipeline
    listing (the oracle test covers the default window)."""
    monkeypatch.setattr(Neo4jLineageMixin, "_failed_scan_window", scan_window)
    memory = MemoryStore()
    load(memory, h)
    lineage_neo4j.clear()
    load(lineage_neo4j, h)
    assert _why_failed_everywhere(lineage_neo4j, h) == _why_failed_everywhere(memory, h)
