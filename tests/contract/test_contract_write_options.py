"""The write core's explicit options, on both backends: link_existing, skip_unchanged, atomic."""

from __future__ import annotations

import pytest

from lineage_graph.errors import InvalidInputError, NotFoundError
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Context,
    EventType,
    Execution,
    Kind,
    ParentContext,
)
from lineage_graph.store.base import Store
from lineage_graph.store.rules import WriteRules


def test_link_existing_links_a_stored_artifact_without_rewriting_it(typed: Store) -> None:
    [model_id] = typed.put_artifacts(
        [Artifact(type="Model", name="m", external_id="model@1", uri="/m")]
    )
    [pipeline_id] = typed.put_contexts([Context(type="Pipeline", name="p")])
    [stored] = typed.get_artifacts_by_id([model_id])
    [pipeline] = typed.get_contexts_by_id([pipeline_id])
    # The caller's copy differs from what is stored (another uri): linked as stored, not written.
    used = Artifact(type="Model", name="m", external_id="model@1", uri="/elsewhere")
    result = typed.put_execution(
        Execution(type="Trainer", name="evaluate"),
        [ArtifactAndEvent(artifact=used, event_type=EventType.INPUT)],
        [pipeline],
        link_existing=True,
    )
    assert result.artifact_ids == [model_id]
    assert result.context_ids == [pipeline_id]
    [after] = typed.get_artifacts_by_id([model_id])
    assert after == stored  # same uri, same seq, same update_time
    assert [c.id for c in typed.get_contexts_by_artifact(model_id)] == [pipeline_id]
    events = typed.get_events(execution_ids=[result.execution_id])
    assert [(e.artifact_id, e.type) for e in events] == [(model_id, EventType.INPUT)]


def test_link_existing_refuses_an_unknown_id(typed: Store) -> None:
    with pytest.raises(NotFoundError):
        typed.put_execution(
            Execution(type="Trainer", name="x"),
            [ArtifactAndEvent(artifact=Artifact(id=999, type="Model"), event_type=EventType.INPUT)],
            link_existing=True,
        )
    assert typed.get_executions() == []


def test_atomic_is_all_or_nothing_across_several_writes(typed: Store) -> None:
    [pipeline_id] = typed.put_contexts([Context(type="Pipeline", name="p")])

    def work(w: WriteRules) -> None:
        [run_id] = w.put_contexts([Context(type="PipelineRun", name="r1")], reuse=True)
        w.put_parents([ParentContext(child_id=run_id, parent_id=pipeline_id)])
        w.put_parents([ParentContext(child_id=pipeline_id, parent_id=run_id)])  # a cycle

    with pytest.raises(InvalidInputError) as info:
        typed.atomic(work)
    assert info.value.field == "parent_id"
    assert typed.get_context_by_type_and_name("PipelineRun", "r1") is None
    assert typed.get_child_contexts(pipeline_id) == []


def test_skip_unchanged_update_writes_nothing(typed: Store) -> None:
    [a] = typed.put_artifacts([Artifact(type="Dataset", name="d", properties={"rows": 1})])
    [stored] = typed.get_artifacts_by_id([a])
    same = Artifact(id=a, type="Dataset", name="d", properties={"rows": 1})
    assert typed.atomic(lambda w: w.put_nodes(Kind.ARTIFACT, [same], skip_unchanged=True)) == [a]
    assert typed.get_artifacts_by_id([a]) == [stored]
    # Without the option an update by id is a write: seq moves.
    typed.put_artifacts([same])
    [moved] = typed.get_artifacts_by_id([a])
    assert moved.seq is not None and stored.seq is not None and moved.seq > stored.seq


def test_import_skip_unchanged_keeps_value_types_apart(typed: Store) -> None:
    base = Artifact(
        id=7, type="Dataset", name="d", custom_properties={"x": 1}, create_time=5, update_time=5
    )
    first = typed.import_nodes(Kind.ARTIFACT, [base], skip_unchanged=True)
    assert (first.new, first.updated, first.unchanged) == (1, 0, 0)
    again = typed.import_nodes(Kind.ARTIFACT, [base], skip_unchanged=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    for value in (1.0, True):
        changed = base.model_copy(update={"custom_properties": {"x": value}})
        counts = typed.import_nodes(Kind.ARTIFACT, [changed], skip_unchanged=True)
        assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 0)
        [stored] = typed.get_artifacts_by_id([7])
        assert type(stored.custom_properties["x"]) is type(value)
