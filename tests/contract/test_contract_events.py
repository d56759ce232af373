"""Events, attributions, associations, parent/child contexts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import (
    Artifact,
    Association,
    Attribution,
    Context,
    Event,
    EventType,
    Execution,
    Kind,
    ParentContext,
)
from lineage_graph.store.base import Store


def _graph(store: Store) -> tuple[list[int], int, list[int]]:
    """Two artifacts, one execution, two contexts."""
    a = store.put_artifacts([Artifact(type="Dataset", name="a0"), Artifact(type="Model", name="m")])
    [e] = store.put_executions([Execution(type="Trainer", name="t")])
    c = store.put_contexts(
        [Context(type="Pipeline", name="p"), Context(type="PipelineRun", name="r")]
    )
    return a, e, c


def _key(e: Event) -> tuple[int, int, str, str]:
    """Sortable identity of an event (repr keeps the step 1 apart from "1")."""
    return (e.artifact_id, e.execution_id, e.type.value, repr(tuple(e.path)))


@pytest.mark.parametrize("etype", list(EventType), ids=lambda t: t.value)
def test_each_event_type_round_trips(typed: Store, etype: EventType) -> None:
    (a, _), e, _ = _graph(typed)
    ev = Event(artifact_id=a, execution_id=e, type=etype, path=("inputs", 0, "x", -1), timestamp=5)
    typed.put_events([ev])
    assert typed.get_events_by_artifact_ids([a]) == [ev]
    assert typed.get_events_by_execution_ids([e]) == [ev]
    assert isinstance(typed.get_events(artifact_ids=[a])[0].path[1], int)


def test_event_without_timestamp_gets_one(typed: Store) -> None:
    (a, _), e, _ = _graph(typed)
    typed.put_events([Event(artifact_id=a, execution_id=e, type=EventType.INPUT)])
    [got] = typed.get_events(execution_ids=[e])
    assert isinstance(got.timestamp, int) and got.timestamp > 1_600_000_000_000
    assert got.path == ()


def test_events_are_found_by_either_end_and_only_those(typed: Store) -> None:
    (a, m), e, _ = _graph(typed)
    [e2] = typed.put_executions([Execution(type="Trainer", name="t2")])
    events = [
        Event(artifact_id=a, execution_id=e, type=EventType.INPUT, timestamp=1),
        Event(artifact_id=m, execution_id=e, type=EventType.OUTPUT, path=("model",), timestamp=2),
        Event(artifact_id=m, execution_id=e2, type=EventType.INPUT, timestamp=3),
    ]
    typed.put_events(events)
    assert sorted(map(_key, typed.get_events(execution_ids=[e]))) == sorted(map(_key, events[:2]))
    assert sorted(map(_key, typed.get_events(artifact_ids=[m]))) == sorted(map(_key, events[1:]))
    assert sorted(map(_key, typed.get_events(artifact_ids=[a], execution_ids=[e2]))) == sorted(
        map(_key, [events[0], events[2]])
    )
    assert typed.get_events(artifact_ids=[9999]) == []
    assert typed.get_events() == []


def test_same_pair_can_have_several_events_by_type_and_path(typed: Store) -> None:
    (a, _), e, _ = _graph(typed)
    events = [
        Event(artifact_id=a, execution_id=e, type=EventType.INPUT, path=("x", 0), timestamp=1),
        Event(artifact_id=a, execution_id=e, type=EventType.INPUT, path=("x", 1), timestamp=1),
        Event(artifact_id=a, execution_id=e, type=EventType.INPUT, path=("x", "1"), timestamp=1),
        Event(
            artifact_id=a, execution_id=e, type=EventType.DECLARED_INPUT, path=("x", 0), timestamp=1
        ),
        Event(artifact_id=a, execution_id=e, type=EventType.OUTPUT, path=("x", 0), timestamp=1),
    ]
    typed.put_events(events)
    got = typed.get_events(artifact_ids=[a])
    assert sorted(map(_key, got)) == sorted(map(_key, events))  # "1" and 1 stay apart


def test_duplicate_event_is_a_noop_keeping_the_first_timestamp(typed: Store) -> None:
    (a, _), e, _ = _graph(typed)
    ev = Event(artifact_id=a, execution_id=e, type=EventType.INPUT, path=("p",), timestamp=10)
    typed.put_events([ev])
    typed.put_events([ev, ev])
    typed.put_events([ev.model_copy(update={"timestamp": 99})])  # a retry with a new clock
    assert typed.get_events(artifact_ids=[a]) == [ev]


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("artifact_id", lambda a, e: Event(artifact_id=999, execution_id=e, type=EventType.INPUT)),
        (
            "execution_id",
            lambda a, e: Event(artifact_id=a, execution_id=999, type=EventType.OUTPUT),
        ),
    ],
)
def test_dangling_event_is_refused_and_nothing_is_written(
    typed: Store,
    dump: Callable[[Store], dict[str, Any]],
    field: str,
    make: Callable[[int, int], Event],
) -> None:
    (a, _), e, _ = _graph(typed)
    before = dump(typed)
    good = Event(artifact_id=a, execution_id=e, type=EventType.INPUT, timestamp=1)
    with pytest.raises(InvalidInputError) as info:
        typed.put_events([good, make(a, e)])
    assert (info.value.field, info.value.value) == (field, 999)
    assert dump(typed) == before


def test_attributions_and_associations(typed: Store) -> None:
    (a, m), e, (p, r) = _graph(typed)
    typed.put_attributions_and_associations(
        [
            Attribution(artifact_id=a, context_id=p),
            Attribution(artifact_id=m, context_id=p),
            Attribution(artifact_id=m, context_id=r),
        ],
        [Association(execution_id=e, context_id=r)],
    )
    # idempotent
    typed.put_attributions_and_associations(
        [Attribution(artifact_id=a, context_id=p)], [Association(execution_id=e, context_id=r)]
    )
    assert [x.id for x in typed.get_artifacts_by_context(p)] == [a, m]
    assert [x.id for x in typed.get_artifacts_by_context(r)] == [m]
    assert [x.id for x in typed.get_executions_by_context(r)] == [e]
    assert typed.get_executions_by_context(p) == []
    assert [c.id for c in typed.get_contexts_by_artifact(m)] == [p, r]
    assert [c.id for c in typed.get_contexts_by_execution(e)] == [r]
    assert typed.get_contexts_by_artifact(9999) == []


@pytest.mark.parametrize(
    ("field", "attr", "assoc"),
    [
        ("artifact_id", [Attribution(artifact_id=999, context_id=-1)], []),
        ("context_id", [Attribution(artifact_id=-1, context_id=999)], []),
        ("execution_id", [], [Association(execution_id=999, context_id=-1)]),
        ("context_id", [], [Association(execution_id=-1, context_id=999)]),
    ],
)
def test_dangling_links_are_refused_and_nothing_is_written(
    typed: Store,
    dump: Callable[[Store], dict[str, Any]],
    field: str,
    attr: list[Attribution],
    assoc: list[Association],
) -> None:
    (a, _), e, (p, _) = _graph(typed)
    # -1 stands for "the real one"
    attr = [
        x.model_copy(
            update={
                k: {"artifact_id": a, "context_id": p}[k]
                for k in ("artifact_id", "context_id")
                if getattr(x, k) == -1
            }
        )
        for x in attr
    ]
    assoc = [
        x.model_copy(
            update={
                k: {"execution_id": e, "context_id": p}[k]
                for k in ("execution_id", "context_id")
                if getattr(x, k) == -1
            }
        )
        for x in assoc
    ]
    before = dump(typed)
    with pytest.raises(InvalidInputError) as info:
        typed.put_attributions_and_associations(
            [Attribution(artifact_id=a, context_id=p), *attr],
            [Association(execution_id=e, context_id=p), *assoc],
        )
    assert (info.value.field, info.value.value) == (field, 999)
    assert dump(typed) == before


def test_parent_and_child_contexts(typed: Store) -> None:
    ids = typed.put_contexts(
        [
            Context(type="Pipeline", name="p"),
            Context(type="PipelineRun", name="r1"),
            Context(type="PipelineRun", name="r2"),
        ]
    )
    p, r1, r2 = ids
    links = [ParentContext(child_id=r1, parent_id=p), ParentContext(child_id=r2, parent_id=p)]
    typed.put_parent_contexts(links)
    typed.put_parent_contexts(links[:1])  # idempotent
    assert [c.id for c in typed.get_child_contexts(p)] == [r1, r2]
    assert [c.id for c in typed.get_parent_contexts(r1)] == [p]
    assert typed.get_parent_contexts(p) == []
    assert typed.get_child_contexts(r1) == []
    assert typed.get_child_contexts(9999) == []
    # a context may have several parents (a DAG, as in MLMD)
    typed.put_parent_contexts([ParentContext(child_id=r2, parent_id=r1)])
    assert [c.id for c in typed.get_parent_contexts(r2)] == [p, r1]


@pytest.mark.parametrize("shape", ["self", "two", "three"])
def test_parent_cycle_is_refused_and_nothing_is_written(
    typed: Store, dump: Callable[[Store], dict[str, Any]], shape: str
) -> None:
    c = typed.put_contexts([Context(type="Pipeline", name=f"c{i}") for i in range(4)])
    typed.put_parent_contexts(
        [ParentContext(child_id=c[1], parent_id=c[0]), ParentContext(child_id=c[2], parent_id=c[1])]
    )
    before = dump(typed)
    closing = {
        "self": ParentContext(child_id=c[3], parent_id=c[3]),
        "two": ParentContext(child_id=c[0], parent_id=c[1]),
        "three": ParentContext(child_id=c[0], parent_id=c[2]),
    }[shape]
    fine = ParentContext(child_id=c[3], parent_id=c[0])
    with pytest.raises(InvalidInputError) as info:
        typed.put_parent_contexts([fine, closing])
    assert (info.value.field, info.value.value) == ("parent_id", closing.parent_id)
    assert dump(typed) == before


def test_cycle_within_one_batch_is_refused(
    typed: Store, dump: Callable[[Store], dict[str, Any]]
) -> None:
    a, b = typed.put_contexts(
        [Context(type="Pipeline", name="a"), Context(type="Pipeline", name="b")]
    )
    before = dump(typed)
    with pytest.raises(InvalidInputError):
        typed.put_parent_contexts(
            [ParentContext(child_id=a, parent_id=b), ParentContext(child_id=b, parent_id=a)]
        )
    assert dump(typed) == before


def test_dangling_parent_link_is_refused(
    typed: Store, dump: Callable[[Store], dict[str, Any]]
) -> None:
    [a] = typed.put_contexts([Context(type="Pipeline", name="a")])
    before = dump(typed)
    for link, field in (
        (ParentContext(child_id=a, parent_id=999), "parent_id"),
        (ParentContext(child_id=999, parent_id=a), "child_id"),
    ):
        with pytest.raises(InvalidInputError) as info:
            typed.put_parent_contexts([link])
        assert (info.value.field, info.value.value) == (field, 999)
    assert dump(typed) == before


def test_events_and_links_at_nodes_created_in_the_same_transaction(
    typed: Store, dump: Callable[[Store], dict[str, Any]]
) -> None:
    """Nodes created, then linked (twice over, duplicates in a batch, ends old and new) in
    ONE transaction: each event and link exists once, with the first timestamp (Neo4j CREATEs
    at nodes the transaction created instead of MERGEing: this pins it to MERGE's answer)."""
    [old_a] = typed.put_artifacts([Artifact(type="Dataset", name="old")])
    [old_c] = typed.put_contexts([Context(type="Pipeline", name="p")])

    def work(w: Any) -> tuple[int, int, int]:
        [a] = w.put_nodes(Kind.ARTIFACT, [Artifact(type="Model", name="m")])
        [e] = w.put_nodes(Kind.EXECUTION, [Execution(type="Trainer", name="t")])
        [c] = w.put_nodes(Kind.CONTEXT, [Context(type="PipelineRun", name="r")])
        ev = Event(artifact_id=a, execution_id=e, type=EventType.OUTPUT, path=("m",), timestamp=5)
        old_in = Event(artifact_id=old_a, execution_id=e, type=EventType.INPUT, timestamp=6)
        w.put_events([ev, ev.model_copy(update={"timestamp": 7}), old_in, old_in])
        w.put_events([ev.model_copy(update={"timestamp": 8}), old_in])  # again: no-ops
        links = (
            [Attribution(artifact_id=a, context_id=c), Attribution(artifact_id=a, context_id=c),
             Attribution(artifact_id=old_a, context_id=c),
             Attribution(artifact_id=a, context_id=old_c)],
            [Association(execution_id=e, context_id=c), Association(execution_id=e, context_id=c),
             Association(execution_id=e, context_id=old_c)],
        )
        w.put_links(*links)
        w.put_links(*links)  # again: no-ops
        return a, e, c

    a, e, c = typed.atomic(work)
    assert sorted(typed.get_events(execution_ids=[e]), key=_key) == sorted(
        [
            Event(artifact_id=a, execution_id=e, type=EventType.OUTPUT, path=("m",), timestamp=5),
            Event(artifact_id=old_a, execution_id=e, type=EventType.INPUT, timestamp=6),
        ],
        key=_key,
    )
    assert [x.id for x in typed.get_artifacts_by_context(c)] == [old_a, a]
    assert [x.id for x in typed.get_contexts_by_artifact(a)] == [old_c, c]
    assert [x.id for x in typed.get_executions_by_context(c)] == [e]
    assert [x.id for x in typed.get_contexts_by_execution(e)] == [old_c, c]
    # A dangling end in the same kind of write is still refused, naming the field, and the
    # whole transaction is rolled back.
    before = dump(typed)

    def dangling(w: Any) -> None:
        [x] = w.put_nodes(Kind.EXECUTION, [Execution(type="Trainer", name="t2")])
        w.put_events([Event(artifact_id=999, execution_id=x, type=EventType.INPUT)])

    with pytest.raises(InvalidInputError) as info:
        typed.atomic(dangling)
    assert (info.value.field, info.value.value) == ("artifact_id", 999)

    def dangling_link(w: Any) -> None:
        [x] = w.put_nodes(Kind.ARTIFACT, [Artifact(type="Model", name="m2")])
        w.put_links([Attribution(artifact_id=x, context_id=999)], [])

    with pytest.raises(InvalidInputError) as info:
        typed.atomic(dangling_link)
    assert (info.value.field, info.value.value) == ("context_id", 999)
    assert dump(typed) == before
