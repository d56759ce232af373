"""list_nodes: every filter, ordering by each field both ways, cursor paging."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from lineage_graph.errors import InvalidInputError
from lineage_graph.models import (
    Artifact,
    ArtifactState,
    Association,
    Attribution,
    Context,
    Execution,
    ExecutionState,
    Kind,
    ListOptions,
    PropertyFilter,
)
from lineage_graph.store.base import Store

S = ArtifactState


def _seed(store: Store) -> list[Artifact]:
    """Six artifacts of two types, written a few ms apart so their times differ."""
    specs = [
        {
            "type": "Dataset",
            "name": "d1",
            "uri": "u1",
            "state": S.LIVE,
            "external_id": "x1",
            "properties": {"rows": 10, "weight": 0.5, "split": "train", "ok": True},
            "custom_properties": {"score": 1, "tag": "a"},
        },
        {
            "type": "Dataset",
            "name": "d2",
            "uri": "u2",
            "state": S.LIVE,
            "properties": {"rows": 20, "weight": 1.5, "split": "eval", "ok": False},
            "custom_properties": {"score": 2.5, "tag": "b"},
        },
        {
            "type": "Dataset",
            "name": None,
            "uri": "u1",
            "state": S.PENDING,
            "properties": {"rows": 30, "meta": {"rows": 1}},
            "custom_properties": {"score": "3"},
        },
        {
            "type": "Model",
            "name": "m1",
            "uri": "u3",
            "state": S.DELETED,
            "external_id": "x2",
            "properties": {"accuracy": 0.9},
            "custom_properties": {"score": True},
        },
        {
            "type": "Model",
            "name": "m2",
            "uri": None,
            "state": S.LIVE,
            "properties": {"accuracy": 0.7},
            "custom_properties": {"score": 3},
        },
        {"type": "Model", "name": None, "state": S.UNKNOWN},
    ]
    for spec in specs:
        store.put_artifacts([Artifact(**spec)])  # type: ignore[arg-type]
        time.sleep(0.003)  # distinct create_time values; nothing asserts on durations
    return store.get_artifacts()


def _ids(store: Store, kind: Kind = Kind.ARTIFACT, **options: Any) -> list[int]:
    return [n.id for n in store.list_nodes(kind, ListOptions(**options)).items]


def _where(arts: list[Artifact], pred: Callable[[Artifact], bool]) -> list[int]:
    return [a.id for a in arts if pred(a)]  # type: ignore[misc]


def test_no_filter_lists_all_by_id(typed: Store) -> None:
    arts = _seed(typed)
    assert _ids(typed) == sorted(a.id for a in arts if a.id is not None)
    assert len(arts) == 6


def test_filters_on_system_fields(typed: Store) -> None:
    arts = _seed(typed)
    assert _ids(typed, type="Model") == _where(arts, lambda a: a.type == "Model")
    assert _ids(typed, types=("Model", "Dataset")) == _where(arts, lambda a: True)
    assert _ids(typed, types=("Nope",)) == []
    assert _ids(typed, name="d2") == _where(arts, lambda a: a.name == "d2")
    assert _ids(typed, uri="u1") == _where(arts, lambda a: a.uri == "u1")
    assert _ids(typed, external_ids=("x2", "x1", "zz")) == _where(
        arts, lambda a: a.external_id in ("x1", "x2")
    )
    assert _ids(typed, states=("LIVE",)) == _where(arts, lambda a: a.state is S.LIVE)
    assert _ids(typed, states=("PENDING", "DELETED")) == _where(
        arts, lambda a: a.state in (S.PENDING, S.DELETED)
    )
    assert _ids(typed, type="Dataset", states=("LIVE",), uri="u1") == _where(
        arts, lambda a: a.name == "d1"
    )


def test_execution_state_filter(typed: Store) -> None:
    ids = typed.put_executions(
        [Execution(type="Trainer", name=f"t{s.value}", last_known_state=s) for s in ExecutionState]
    )
    got = _ids(typed, Kind.EXECUTION, states=("FAILED", "COMPLETE"))
    assert got == sorted(
        i
        for i, s in zip(ids, ExecutionState, strict=False)
        if s in (ExecutionState.FAILED, ExecutionState.COMPLETE)
    )


@pytest.mark.parametrize(
    ("flt", "pred"),
    [
        (PropertyFilter(name="rows", value=20), lambda a: a.properties.get("rows") == 20),
        (
            PropertyFilter(name="rows", op=">=", value=20),
            lambda a: a.properties.get("rows", -1) >= 20,
        ),
        (
            PropertyFilter(name="rows", op="<", value=20.5),  # int property vs float bound
            lambda a: a.properties.get("rows", 99) < 20.5,
        ),
        (
            PropertyFilter(name="rows", op="!=", value=10),
            lambda a: "rows" in a.properties and a.properties["rows"] != 10,
        ),
        (
            PropertyFilter(name="weight", op=">", value=1),
            lambda a: a.properties.get("weight", 0) > 1,
        ),
        (PropertyFilter(name="split", value="eval"), lambda a: a.properties.get("split") == "eval"),
        (
            PropertyFilter(name="split", op="<", value="f"),
            lambda a: a.properties.get("split", "z") < "f",
        ),
        (PropertyFilter(name="ok", value=True), lambda a: a.properties.get("ok") is True),
        (PropertyFilter(name="ok", value=False), lambda a: a.properties.get("ok") is False),
        (
            PropertyFilter(name="accuracy", op="<=", value=0.7),
            lambda a: a.properties.get("accuracy", 9) <= 0.7,
        ),
        (PropertyFilter(name="meta", value="x"), lambda a: False),  # STRUCTs never match
        (PropertyFilter(name="missing", value=1), lambda a: False),
    ],
)
def test_declared_property_filters(
    typed: Store, flt: PropertyFilter, pred: Callable[[Artifact], bool]
) -> None:
    arts = _seed(typed)
    expected = _where(arts, pred)
    assert _ids(typed, properties=(flt,)) == expected


@pytest.mark.parametrize(
    ("flt", "expected_scores"),
    [
        (PropertyFilter(name="score", value=1, custom=True), [1]),  # 1 != True
        (PropertyFilter(name="score", value=True, custom=True), [True]),
        (PropertyFilter(name="score", value="3", custom=True), ["3"]),
        (PropertyFilter(name="score", op=">", value=1, custom=True), [2.5, 3]),  # numbers only
        (PropertyFilter(name="score", op="<=", value=2.5, custom=True), [1, 2.5]),
        (PropertyFilter(name="score", value=1.0, custom=True), [1]),  # 1 = 1.0, True is not
        # != against another type matches (Cypher); a missing property never does
        (PropertyFilter(name="score", op="!=", value=1, custom=True), [2.5, "3", True, 3]),
        (PropertyFilter(name="tag", op=">=", value="b", custom=True), "b"),
        (PropertyFilter(name="rows", value=10, custom=True), []),  # declared is not custom
    ],
)
def test_custom_property_filters_keep_types_apart(
    typed: Store, flt: PropertyFilter, expected_scores: object
) -> None:
    arts = _seed(typed)
    got = typed.list_nodes(Kind.ARTIFACT, ListOptions(properties=(flt,))).items
    if isinstance(expected_scores, str):
        assert [a.custom_properties["tag"] for a in got] == [expected_scores]
        return
    scores = [a.custom_properties["score"] for a in got]
    assert [(type(s), s) for s in scores] == [(type(s), s) for s in expected_scores]  # type: ignore[attr-defined]
    assert len(arts) == 6


def test_property_filters_are_anded(typed: Store) -> None:
    arts = _seed(typed)
    flt = (PropertyFilter(name="rows", op=">", value=5), PropertyFilter(name="ok", value=True))
    assert _ids(typed, properties=flt) == _where(arts, lambda a: a.name == "d1")


def test_time_range_filters(typed: Store) -> None:
    arts = _seed(typed)
    creates = sorted({a.create_time for a in arts if a.create_time is not None})
    assert len(creates) >= 3
    lo, hi = creates[1], creates[-1]
    assert _ids(typed, create_time_min=lo) == _where(arts, lambda a: a.create_time >= lo)  # type: ignore[operator]
    assert _ids(typed, create_time_max=hi) == _where(arts, lambda a: a.create_time < hi)  # type: ignore[operator]
    assert _ids(typed, create_time_min=lo, create_time_max=hi) == _where(
        arts,
        lambda a: lo <= a.create_time < hi,  # type: ignore[operator]
    )
    # update one node later: update_time moves, create_time does not
    time.sleep(0.003)
    first = arts[0]
    typed.put_artifacts([first.model_copy(update={"custom_properties": {"new": 1}})])
    [updated] = typed.get_artifacts_by_id([first.id])  # type: ignore[list-item]
    assert updated.update_time is not None and updated.update_time > hi
    assert _ids(typed, update_time_min=updated.update_time) == [first.id]
    assert first.id in _ids(typed, update_time_max=updated.update_time + 1)
    assert first.id not in _ids(typed, create_time_min=hi + 1)


def test_changed_after_uses_seq(typed: Store) -> None:
    arts = _seed(typed)
    mark = max(a.seq for a in arts if a.seq is not None)
    assert _ids(typed, changed_after=mark) == []
    typed.put_artifacts([arts[2].model_copy(update={"custom_properties": {"v": 2}})])
    assert _ids(typed, changed_after=mark) == [arts[2].id]


def test_context_filters(typed: Store) -> None:
    arts = _seed(typed)
    [e] = typed.put_executions([Execution(type="Trainer", name="t")])
    p, r = typed.put_contexts(
        [Context(type="Pipeline", name="p"), Context(type="PipelineRun", name="r")]
    )
    a_ids = [a.id for a in arts if a.id is not None]
    typed.put_attributions_and_associations(
        [
            Attribution(artifact_id=a_ids[0], context_id=p),
            Attribution(artifact_id=a_ids[3], context_id=p),
        ],
        [Association(execution_id=e, context_id=r)],
    )
    assert _ids(typed, context_id=p) == [a_ids[0], a_ids[3]]
    assert _ids(typed, context_id=p, type="Model") == [a_ids[3]]
    assert _ids(typed, context_id=r) == []
    assert _ids(typed, Kind.EXECUTION, context_id=r) == [e]
    assert _ids(typed, Kind.CONTEXT, artifact_id=a_ids[0]) == [p]
    assert _ids(typed, Kind.CONTEXT, execution_id=e) == [r]
    assert _ids(typed, Kind.CONTEXT, execution_id=999) == []


ORDERS = [
    (f, d) for f in ("id", "create_time", "update_time", "name", "seq") for d in (False, True)
]


def _expected_order(arts: list[Artifact], field: str, descending: bool) -> list[int]:
    # Ascending: non-null keys ascending then nulls, ties by id; descending is the reverse.
    def key(a: Artifact) -> tuple[bool, Any, int]:
        k = getattr(a, field)
        return (k is None, k if k is not None else 0, a.id or 0)

    return [a.id for a in sorted(arts, key=key, reverse=descending)]  # type: ignore[misc]


@pytest.mark.parametrize(("field", "descending"), ORDERS)
def test_ordering(typed: Store, field: str, descending: bool) -> None:
    arts = _seed(typed)
    assert _ids(typed, order_by=field, descending=descending) == _expected_order(
        arts, field, descending
    )


@pytest.mark.parametrize(("field", "descending"), ORDERS)
@pytest.mark.parametrize("limit", [1, 2, 4, 6, 7])
def test_pages_cover_everything_exactly_once_in_order(
    typed: Store, field: str, descending: bool, limit: int
) -> None:
    arts = _seed(typed)
    seen: list[int] = []
    options = ListOptions(order_by=field, descending=descending, limit=limit)  # type: ignore[arg-type]
    pages = 0
    while True:
        page = typed.list_nodes(Kind.ARTIFACT, options)
        pages += 1
        assert len(page.items) <= limit
        seen += [a.id for a in page.items]
        if page.next_cursor is None:
            break
        assert page.items, "a cursor is only given when more rows follow"
        options = options.model_copy(update={"cursor": page.next_cursor})
        assert pages <= 10
    assert seen == _expected_order(arts, field, descending)
    assert pages == max(1, -(-len(arts) // limit))


def test_paging_with_filters(typed: Store) -> None:
    arts = _seed(typed)
    opts = ListOptions(type="Dataset", limit=2, order_by="name")
    first = typed.list_nodes(Kind.ARTIFACT, opts)
    second = typed.list_nodes(Kind.ARTIFACT, opts.model_copy(update={"cursor": first.next_cursor}))
    assert second.next_cursor is None
    assert [a.id for a in first.items + second.items] == _expected_order(
        [a for a in arts if a.type == "Dataset"], "name", False
    )


def test_rows_written_between_pages_do_not_repeat_rows(typed: Store) -> None:
    _seed(typed)
    first = typed.list_nodes(Kind.ARTIFACT, ListOptions(limit=3))
    typed.put_artifacts([Artifact(type="Model", name="late")])
    rest = typed._all(Kind.ARTIFACT)
    second = typed.list_nodes(Kind.ARTIFACT, ListOptions(limit=10, cursor=first.next_cursor))
    got = [a.id for a in first.items + second.items]
    assert got == [a.id for a in rest] and len(set(got)) == len(got)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "eyJ4IjoxfQ", "!!!!", "eyJvIjoibmFtZSIsImQiOmZhbHNlLCJrIjpudWxsLCJpIjozfQ"],
)
def test_bad_cursor_is_invalid_input(typed: Store, cursor: str) -> None:
    # the last one is a real cursor, but for order_by=name: useless for order_by=id
    _seed(typed)
    with pytest.raises(InvalidInputError) as info:
        typed.list_nodes(Kind.ARTIFACT, ListOptions(limit=2, cursor=cursor))
    assert (info.value.field, info.value.value) == ("cursor", cursor)


def test_cursor_of_another_direction_is_refused(typed: Store) -> None:
    _seed(typed)
    page = typed.list_nodes(Kind.ARTIFACT, ListOptions(limit=2))
    with pytest.raises(InvalidInputError) as info:
        typed.list_nodes(
            Kind.ARTIFACT, ListOptions(limit=2, descending=True, cursor=page.next_cursor)
        )
    assert info.value.field == "cursor"


@pytest.mark.parametrize(
    ("kind", "options", "field", "value"),
    [
        (Kind.ARTIFACT, {"type": "bad type"}, "options.type", "bad type"),
        (Kind.ARTIFACT, {"types": ("Ok", "x y")}, "options.types", "x y"),
        (
            Kind.ARTIFACT,
            {"properties": (PropertyFilter(name="a b", value=1),)},
            "options.properties.a b",
            "a b",
        ),
        (
            Kind.ARTIFACT,
            {"properties": (PropertyFilter(name="w", value=float("nan")),)},
            "options.properties.w",
            None,
        ),
        (Kind.ARTIFACT, {"states": ("RUNNING",)}, "options.states", "RUNNING"),
        (Kind.EXECUTION, {"states": ("LIVE",)}, "options.states", "LIVE"),
        (Kind.CONTEXT, {"states": ("LIVE",)}, "options.states", "LIVE"),
        (Kind.EXECUTION, {"uri": "u1"}, "options.uri", "u1"),
        (Kind.CONTEXT, {"context_id": 1}, "options.context_id", 1),
        (Kind.ARTIFACT, {"artifact_id": 1}, "options.artifact_id", 1),
    ],
)
def test_bad_list_options_are_invalid_input(
    typed: Store, kind: Kind, options: dict[str, Any], field: str, value: object
) -> None:
    with pytest.raises(InvalidInputError) as info:
        typed.list_nodes(kind, ListOptions(**options))
    assert info.value.field == field
    if value is not None:
        assert info.value.value == value
