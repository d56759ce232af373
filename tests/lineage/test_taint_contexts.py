"""Taint stops at runs; a long-lived context is flagged only when what it holds now is tainted.

On the census story: run 1 pushed model v1 to ``prod``, run 2 pushed v2 (both runs are
children of the ``census-income`` pipeline). Bad examples of run 1 reach v1 only: run 1 is
tainted, but neither the pipeline nor ``prod`` (which holds v2 now). A bad raw CSV reaches v2
as well: now ``prod`` holds a tainted model and is flagged.
"""

from __future__ import annotations

import pytest

from lineage_graph import lineage as L
from lineage_graph.models import Kind
from lineage_graph.store.base import Store

from .histories import load
from .story import Census, census


@pytest.fixture
def story(store: Store) -> Census:
    c = census()
    load(store, c.h)
    return c


def _contexts(store: Store, source: int) -> list[str]:
    reached = store.taint_preview(L.artifact(source), (), ["Deployment"])
    return sorted(t.node.name or "" for t in reached if t.node.kind is Kind.CONTEXT)


def test_taint_of_an_old_run_flags_the_run_not_the_pipeline_or_deployment(
    store: Store, story: Census
) -> None:
    assert _contexts(store, story.examples[0]) == ["run-1"]


def test_taint_reaching_what_a_deployment_holds_now_flags_it(store: Store, story: Census) -> None:
    assert _contexts(store, story.csv) == ["prod", "run-1", "run-2", "run-3"]


def test_without_deployment_types_only_the_pipeline_is_long_lived(
    store: Store, story: Census
) -> None:
    reached = store.taint_preview(L.artifact(story.examples[0]), ())
    names = sorted(t.node.name or "" for t in reached if t.node.kind is Kind.CONTEXT)
    assert names == ["prod", "run-1"]


def test_recorded_incident_follows_the_same_rule(store: Store, story: Census) -> None:
    inc = store.incident_create(L.artifact(story.examples[0]), "bad rows", [], 1, ["Deployment"])
    full = L.incident(store, inc.id)
    contexts = sorted(t.node.name or "" for t in full.reached or [] if t.node.kind is Kind.CONTEXT)
    assert contexts == ["run-1"]
