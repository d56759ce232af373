"""put_execution, put_lineage_subgraph (atomic), and deletes with their edges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.errors import AlreadyExistsError, InvalidInputError
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    Association,
    Attribution,
    Context,
    Event,
    EventType,
    Execution,
    ExecutionState,
    Kind,
    ParentContext,
)
from lineage_graph.store.base import Store

Dump = Callable[[Store], dict[str, Any]]


def test_put_execution_with_new_artifacts_and_contexts(typed: Store) -> None:
    result = typed.put_execution(
        Execution(type="Trainer", name="fit", properties={"lr": 0.01}),
        [
            ArtifactAndEvent(
                artifact=Artifact(type="Dataset", name="train", uri="u"),
                event_type=EventType.INPUT,
                path=("examples", 0),
            ),
            ArtifactAndEvent(
                artifact=Artifact(type="Model", name="m"),
                event_type=EventType.OUTPUT,
                path=("model",),
            ),
            ArtifactAndEvent(artifact=Artifact(type="Model", name="no-event")),
        ],
        [Context(type="Pipeline", name="p"), Context(type="PipelineRun", name="r1")],
    )
    e = result.execution_id
    a_train, a_model, _a_plain = result.artifact_ids
    assert len(set(result.artifact_ids)) == 3 and len(result.context_ids) == 2
    events = sorted(
        ((ev.artifact_id, ev.type, ev.path) for ev in typed.get_events(execution_ids=[e])),
        key=repr,
    )
    assert events == sorted(
        [(a_train, EventType.INPUT, ("examples", 0)), (a_model, EventType.OUTPUT, ("model",))],
        key=repr,
    )
    for cid in result.context_ids:
        assert [x.id for x in typed.get_executions_by_context(cid)] == [e]
        assert [x.id for x in typed.get_artifacts_by_context(cid)] == sorted(result.artifact_ids)
    [ex] = typed.get_executions_by_id([e])
    assert ex.properties == {"lr": 0.01}


def test_put_execution_with_existing_artifacts_and_reused_context(typed: Store) -> None:
    [data] = typed.put_artifacts([Artifact(type="Dataset", name="train", uri="u")])
    [ctx] = typed.put_contexts([Context(type="Pipeline", name="p", properties={"owner": "ana"})])
    # an existing artifact by id; the context by (type, name) with other content: reused as is
    result = typed.put_execution(
        Execution(type="Trainer", name="fit"),
        [
            ArtifactAndEvent(
                artifact=Artifact(id=data, type="Dataset", name="train", uri="u"),
                event_type=EventType.INPUT,
            )
        ],
        [Context(type="Pipeline", name="p")],
    )
    assert result.artifact_ids == [data] and result.context_ids == [ctx]
    assert typed.get_contexts_by_id([ctx])[0].properties == {"owner": "ana"}
    assert len(typed.get_artifacts()) == 1 and len(typed.get_contexts()) == 1
    # a second run with the same inputs: new execution, same artifact, same context
    second = typed.put_execution(
        Execution(type="Trainer", name="fit-2"),
        [
            ArtifactAndEvent(
                artifact=Artifact(type="Dataset", name="train", uri="u"), event_type=EventType.INPUT
            )
        ],
        [Context(type="Pipeline", name="p")],
    )
    assert second.artifact_ids == [data] and second.context_ids == [ctx]
    assert [x.id for x in typed.get_executions_by_context(ctx)] == sorted(
        [result.execution_id, second.execution_id]
    )


def test_put_execution_without_context_reuse_needs_equal_content(typed: Store) -> None:
    typed.put_contexts([Context(type="Pipeline", name="p", properties={"owner": "ana"})])
    with pytest.raises(AlreadyExistsError):
        typed.put_execution(
            Execution(type="Trainer", name="fit"),
            [],
            [Context(type="Pipeline", name="p")],
            reuse_context_if_already_exist=False,
        )
    assert typed.get_executions() == []


def test_put_execution_reuses_artifacts_by_external_id(typed: Store) -> None:
    [a] = typed.put_artifacts([Artifact(type="Dataset", external_id="ext", uri="old")])
    result = typed.put_execution(
        Execution(type="Trainer", name="fit"),
        [
            ArtifactAndEvent(
                artifact=Artifact(type="Dataset", external_id="ext", uri="new"),
                event_type=EventType.OUTPUT,
            )
        ],
    )
    assert result.artifact_ids == [a]
    assert typed.get_artifacts_by_id([a])[0].uri == "new"  # updated in place, as MLMD does
    with pytest.raises(AlreadyExistsError):
        typed.put_execution(
            Execution(type="Trainer", name="fit-2"),
            [ArtifactAndEvent(artifact=Artifact(type="Dataset", external_id="ext", uri="newer"))],
            reuse_artifact_if_already_exist_by_external_id=False,
        )


def test_put_execution_updates_an_execution_by_id(typed: Store) -> None:
    r = typed.put_execution(Execution(type="Trainer", name="fit"))
    r2 = typed.put_execution(
        Execution(
            id=r.execution_id, type="Trainer", name="fit", last_known_state=ExecutionState.COMPLETE
        ),
        [ArtifactAndEvent(artifact=Artifact(type="Model", name="m"), event_type=EventType.OUTPUT)],
    )
    assert r2.execution_id == r.execution_id
    assert (
        typed.get_executions_by_id([r.execution_id])[0].last_known_state is ExecutionState.COMPLETE
    )


def test_put_execution_retry_is_idempotent(typed: Store, dump: Dump) -> None:
    args = (
        Execution(type="Trainer", name="fit"),
        [
            ArtifactAndEvent(
                artifact=Artifact(type="Dataset", name="d"), event_type=EventType.INPUT, path=("x",)
            )
        ],
        [Context(type="Pipeline", name="p")],
    )
    first = typed.put_execution(*args)
    before = dump(typed)
    assert typed.put_execution(*args) == first
    after = dump(typed)
    assert after == before


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("execution", "properties.lr"),
        ("artifact", "properties.rows"),
        ("context", "type"),
        ("last_artifact", "custom_properties.bad name"),
    ],
)
def test_put_execution_is_all_or_nothing(typed: Store, dump: Dump, where: str, field: str) -> None:
    [existing] = typed.put_artifacts([Artifact(type="Dataset", name="existing", uri="keep")])
    typed.put_contexts([Context(type="Pipeline", name="p")])
    before = dump(typed)
    execution = Execution(type="Trainer", name="fit")
    artifacts = [
        ArtifactAndEvent(
            artifact=Artifact(id=existing, type="Dataset", name="existing", uri="changed"),
            event_type=EventType.INPUT,
        ),
        ArtifactAndEvent(artifact=Artifact(type="Model", name="m"), event_type=EventType.OUTPUT),
    ]
    contexts = [Context(type="Pipeline", name="p"), Context(type="PipelineRun", name="r")]
    if where == "execution":
        execution = execution.model_copy(update={"properties": {"lr": "fast"}})
    elif where == "artifact":
        artifacts.append(
            ArtifactAndEvent(artifact=Artifact(type="Dataset", properties={"rows": 1.5}))
        )
    elif where == "context":
        contexts.append(Context(type="NoSuchContextType", name="x"))
    else:
        artifacts.append(
            ArtifactAndEvent(
                artifact=Artifact(type="Model", name="m2", custom_properties={"bad name": 1}),
                event_type=EventType.OUTPUT,
            )
        )
    with pytest.raises(InvalidInputError) as info:
        typed.put_execution(execution, artifacts, contexts)
    assert info.value.field == field
    assert dump(typed) == before


def test_put_lineage_subgraph(typed: Store) -> None:
    execs = [Execution(type="Trainer", name="t1"), Execution(type="Trainer", name="t2")]
    arts = [
        Artifact(type="Dataset", name="d"),
        Artifact(type="Model", name="m1"),
        Artifact(type="Model", name="m2"),
    ]
    ctxs = [Context(type="Pipeline", name="p")]
    ev = Event(artifact_id=0, execution_id=0, type=EventType.INPUT)  # ids filled by index
    events = [
        (0, 0, ev),
        (0, 1, ev.model_copy(update={"type": EventType.OUTPUT, "path": ("out", 0)})),
        (1, 0, ev),
        (1, 2, ev.model_copy(update={"type": EventType.OUTPUT})),
    ]
    e_ids, a_ids, c_ids = typed.put_lineage_subgraph(execs, arts, ctxs, events)
    assert len(e_ids) == 2 and len(a_ids) == 3 and len(c_ids) == 1
    got = sorted(
        (x.execution_id, x.artifact_id, x.type.value, repr(x.path))
        for x in typed.get_events(execution_ids=e_ids)
    )
    assert got == sorted(
        [
            (e_ids[0], a_ids[0], "INPUT", "()"),
            (e_ids[0], a_ids[1], "OUTPUT", "('out', 0)"),
            (e_ids[1], a_ids[0], "INPUT", "()"),
            (e_ids[1], a_ids[2], "OUTPUT", "()"),
        ]
    )
    assert [x.id for x in typed.get_artifacts_by_context(c_ids[0])] == sorted(a_ids)
    assert [x.id for x in typed.get_executions_by_context(c_ids[0])] == sorted(e_ids)
    # retry: the same ids, nothing new
    assert typed.put_lineage_subgraph(execs, arts, ctxs, events) == (e_ids, a_ids, c_ids)
    assert len(typed.get_artifacts()) == 3


@pytest.mark.parametrize(
    ("event", "field"),
    [((2, 0), "execution_index"), ((0, 5), "artifact_index"), ((-1, 0), "execution_index")],
)
def test_put_lineage_subgraph_bad_index_writes_nothing(
    typed: Store, dump: Dump, event: tuple[int, int], field: str
) -> None:
    before = dump(typed)
    ev = Event(artifact_id=0, execution_id=0, type=EventType.INPUT)
    with pytest.raises(InvalidInputError) as info:
        typed.put_lineage_subgraph(
            [Execution(type="Trainer", name="t")],
            [Artifact(type="Dataset", name="d")],
            [Context(type="Pipeline", name="p")],
            [(0, 0, ev), (*event, ev)],
        )
    assert (info.value.field, info.value.value) == (
        field,
        event[0] if "execution" in field else event[1],
    )
    assert dump(typed) == before


def _linked_world(store: Store) -> dict[str, int]:
    a, m = store.put_artifacts(
        [Artifact(type="Dataset", name="a"), Artifact(type="Model", name="m")]
    )
    [e] = store.put_executions([Execution(type="Trainer", name="e")])
    p, r = store.put_contexts(
        [Context(type="Pipeline", name="p"), Context(type="PipelineRun", name="r")]
    )
    store.put_events(
        [
            Event(artifact_id=a, execution_id=e, type=EventType.INPUT),
            Event(artifact_id=m, execution_id=e, type=EventType.OUTPUT),
        ]
    )
    store.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=p), Attribution(artifact_id=m, context_id=r)],
        [Association(execution_id=e, context_id=r)],
    )
    store.put_parent_contexts([ParentContext(child_id=r, parent_id=p)])
    return {"a": a, "m": m, "e": e, "p": p, "r": r}


def test_delete_artifact_removes_its_edges(typed: Store) -> None:
    w = _linked_world(typed)
    assert typed.delete_artifacts([w["a"], 9999]) == 1
    assert typed.get_artifacts_by_id([w["a"]]) == []
    assert [(x.artifact_id, x.type) for x in typed.get_events(execution_ids=[w["e"]])] == [
        (w["m"], EventType.OUTPUT)
    ]
    assert typed.get_artifacts_by_context(w["p"]) == []
    assert typed.delete_artifacts([w["a"]]) == 0  # idempotent
    # the name is free again
    [again] = typed.put_artifacts([Artifact(type="Dataset", name="a")])
    assert again != w["a"]  # ids are never reused


def test_delete_execution_removes_events_and_associations(typed: Store) -> None:
    w = _linked_world(typed)
    assert typed.delete_executions([w["e"]]) == 1
    assert typed.get_events(artifact_ids=[w["a"], w["m"]]) == []
    assert typed.get_executions_by_context(w["r"]) == []
    assert len(typed.get_artifacts()) == 2


def test_delete_context_removes_links_and_parent_edges(typed: Store) -> None:
    w = _linked_world(typed)
    assert typed.delete_contexts([w["p"]]) == 1
    assert typed.get_parent_contexts(w["r"]) == []
    assert typed.get_contexts_by_artifact(w["a"]) == []
    assert [c.id for c in typed.get_contexts_by_artifact(w["m"])] == [w["r"]]
    assert len(typed.get_artifacts()) == 2 and len(typed.get_events(execution_ids=[w["e"]])) == 2


def test_delete_by_kind_touches_only_that_kind(typed: Store) -> None:
    w = _linked_world(typed)
    # artifact id 1 and execution id 1 may coincide: deleting execution ids leaves artifacts
    assert typed.delete_nodes(Kind.EXECUTION, [w["a"], w["m"]]) == len({w["a"], w["m"]} & {w["e"]})
    assert len(typed.get_artifacts()) == 2


def test_clear_forgets_everything(typed: Store) -> None:
    _linked_world(typed)
    typed.clear()
    assert typed.get_artifacts() == [] and typed.get_contexts() == []
    assert typed.get_artifact_types() == [] and typed.get_context_types() == []


def test_put_execution_with_one_artifact_read_and_written(typed: Store) -> None:
    """The same artifact twice (input and output of one execution): one node, two events."""
    art = Artifact(type="Dataset", name="inplace")
    r = typed.put_execution(
        Execution(type="Trainer", name="mutate"),
        [
            ArtifactAndEvent(artifact=art, event_type=EventType.INPUT),
            ArtifactAndEvent(artifact=art, event_type=EventType.OUTPUT),
        ],
    )
    assert r.artifact_ids[0] == r.artifact_ids[1]
    assert sorted(e.type.value for e in typed.get_events(execution_ids=[r.execution_id])) == [
        "INPUT",
        "OUTPUT",
    ]


def test_delete_counts_each_existing_node_once(typed: Store) -> None:
    a, b = typed.put_artifacts([Artifact(type="Dataset"), Artifact(type="Dataset")])
    assert typed.delete_artifacts([a, a, b, 12345]) == 2
    assert typed.delete_artifacts([]) == 0
    assert typed.get_artifacts() == []
