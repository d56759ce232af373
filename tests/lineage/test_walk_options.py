"""The walk options (one value the layers pass) and the shared answer rules, on both backends."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.profiling import captured
from lineage_graph import lineage as L
from lineage_graph.answers import (
    LineageNode,
    LineageResult,
    NodeRef,
    WalkKeywords,
    WalkOptions,
    edge_order,
    node_order,
)
from lineage_graph.errors import InvalidInputError
from lineage_graph.models import Kind
from lineage_graph.store.base import Store
from lineage_graph.store.lineage_rules import Reached, taint_answer
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore
from lineage_graph.store.neo4j_codec import CUSTOM
from lineage_graph.store.neo4j_lineage_rows import walk_node

from .histories import History, load
from .story import Census, census


@pytest.fixture
def story(store: Store) -> Census:
    c = census()
    load(store, c.h)
    return c


def test_walk_keywords_are_the_walk_options() -> None:
    assert set(WalkKeywords.__annotations__) == {f.name for f in dataclasses.fields(WalkOptions)}


def test_options_and_keywords_ask_the_same(store: Store, story: Census) -> None:
    start = L.artifact(story.models[1])
    by_keywords = L.upstream(store, start, types=["Dataset"], kinds=["artifact"], with_edges=True)
    options = WalkOptions(types=["Dataset"], kinds=[Kind.ARTIFACT], with_edges=True)
    assert L.upstream(store, start, options) == by_keywords
    # A store walk is of the graph as it is now; the service's is as of the model's creation
    # (holdout.csv was recorded as an input of its trainer later).
    now = L.upstream(store, start, options, current=True)
    assert store.lineage_walk([start], "upstream", options) == now
    assert [n.name for n in now.nodes] == ["census.csv", "holdout.csv"]
    assert [n.name for n in by_keywords.nodes] == ["census.csv"]
    assert by_keywords.edges is not None
    # Keywords given with options replace its fields.
    assert L.upstream(store, start, options, types=None, with_edges=False) == L.upstream(
        store, start, kinds=["artifact"]
    )
    # A store walk takes the keywords too (callers outside the services use them).
    assert store.lineage_walk([start], "upstream", max_depth=2) == L.upstream(
        store, start, WalkOptions(max_depth=2), current=True
    )


@pytest.mark.parametrize(
    ("keywords", "field"),
    [
        ({"kinds": ["context"]}, "kinds"),
        ({"kinds": ["nonsense"]}, "kinds"),
        ({"max_depth": -1}, "max_depth"),
        ({"max_depth": True}, "max_depth"),
        ({"types": ["not a name"]}, "types"),
        ({"limit": 0}, "limit"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_options_are_refused_alike(
    store: Store, story: Census, keywords: WalkKeywords, field: str
) -> None:
    start = L.artifact(story.models[1])
    with pytest.raises(InvalidInputError) as caught:
        L.downstream(store, start, **keywords)
    assert caught.value.field == field
    with pytest.raises(InvalidInputError):
        L.downstream(store, start, WalkOptions(**keywords))


def test_limit_cuts_in_answer_order(store: Store, story: Census) -> None:
    full = L.downstream(store, L.artifact(story.csv))
    cut = L.downstream(store, L.artifact(story.csv), limit=3)
    assert cut.partial and cut.reason == "node limit 3 reached"
    assert len(cut.nodes) == 3
    assert sorted(cut.nodes, key=node_order) == cut.nodes
    assert full.edges is None
    edges = L.downstream(store, L.artifact(story.csv), with_edges=True).edges or []
    assert edges == sorted(edges, key=edge_order)


def _n(kind: Kind, i: int) -> LineageNode:
    return LineageNode(kind=kind, id=i, type="T")


def _r(kind: Kind, i: int) -> NodeRef:
    return NodeRef(kind=kind, id=i)


def test_taint_via_is_the_lowest_id_predecessor_one_hop_closer() -> None:
    a, x = Kind.ARTIFACT, Kind.EXECUTION
    run = LineageNode(kind=Kind.CONTEXT, id=7, type="PipelineRun")
    source = _r(a, 1)
    reached = [
        # x5 and x3 read the source; x9 read a2 (two hops further).
        Reached(node=_n(x, 5), hops=1, preds=[source], contexts=[run]),
        Reached(node=_n(x, 3), hops=1, preds=[source], contexts=[]),
        Reached(node=_n(a, 2), hops=2, preds=[_r(x, 5), _r(x, 3)], contexts=[run]),
        # a4 was written by x9 (3 hops) and x3 (1 hop): only x3 is one hop closer.
        Reached(node=_n(x, 9), hops=3, preds=[_r(a, 2)], contexts=[]),
        Reached(node=_n(a, 4), hops=2, preds=[_r(x, 9), _r(x, 3)], contexts=[]),
    ]
    got = taint_answer(source, reversed(reached))
    assert [(t.node.kind, t.node.id, t.hops, t.via) for t in got] == [
        (a, 2, 2, _r(x, 3)),
        (a, 4, 2, _r(x, 3)),
        (x, 3, 1, source),
        (x, 5, 1, source),
        (x, 9, 3, _r(a, 2)),
        # The run holds x5 (1 hop) and a2 (2 hops): reached through x5, one hop further.
        (Kind.CONTEXT, 7, 2, _r(x, 5)),
    ]


def test_a_context_is_reached_through_its_nearest_lowest_id_member() -> None:
    a, x = Kind.ARTIFACT, Kind.EXECUTION
    run = LineageNode(kind=Kind.CONTEXT, id=1, type="PipelineRun")
    source = _r(a, 1)
    reached = [
        Reached(node=_n(x, 2), hops=1, preds=[source], contexts=[]),
        Reached(node=_n(a, 9), hops=2, preds=[_r(x, 2)], contexts=[run]),
        Reached(node=_n(a, 4), hops=2, preds=[_r(x, 2)], contexts=[run]),
        Reached(node=_n(x, 3), hops=3, preds=[_r(a, 4)], contexts=[run]),
    ]
    (context,) = [t for t in taint_answer(source, reached) if t.node.kind is Kind.CONTEXT]
    assert (context.hops, context.via) == (3, _r(a, 4))


def _names(result: LineageResult) -> list[str | None]:
    return [n.name for n in result.nodes]


@pytest.mark.parametrize("late", [False, True])
def test_upstream_as_of_creation_with_and_without_anything_newer(store: Store, late: bool) -> None:
    # Without the late input, nothing in the store is newer than the model: Neo4j walks the
    # current graph without time tests (the same answer); with it, the as-of walk leaves it out.
    h = History()
    raw = h.artifact("Dataset", "raw.csv")
    extra = h.artifact("Dataset", "extra.csv")
    trainer, (model,) = h.run("Trainer", "trainer", inputs=[raw],
                              outputs=[("Model", "model", {})])
    if late:
        h.late_input(extra, trainer, h.tick())
    load(store, h)
    start = L.artifact(model)
    assert _names(L.upstream(store, start)) == ["raw.csv", "trainer"]
    current = ["raw.csv", "extra.csv", "trainer"] if late else ["raw.csv", "trainer"]
    assert _names(L.upstream(store, start, current=True)) == current
    # An explicit time at or after everything is the current graph too; before the start's
    # own creation nothing led to it (a negative time: not even nodes without times).
    assert _names(L.upstream(store, start, as_of=h.tick())) == current
    assert _names(L.upstream(store, start, as_of=-1)) == []
    assert _names(L.upstream(store, start, roots_only=True)) == ["raw.csv"]
    roots_now = ["raw.csv", "extra.csv"] if late else ["raw.csv"]
    assert _names(L.upstream(store, start, roots_only=True, current=True)) == roots_now
    # "As of creation" is an upstream notion: a downstream walk is of the current graph.
    down = [L.artifact(extra)], "downstream"
    assert store.lineage_walk(*down, as_of_creation=True) == store.lineage_walk(*down)
    assert _names(store.lineage_walk(*down)) == (["model", "trainer"] if late else [])


def test_walk_answers_carry_incidents_in_one_statement(neo4j_store: Neo4jStore) -> None:
    h = History()
    raw = h.artifact("Dataset", "raw.csv")
    _, (model,) = h.run("Trainer", "trainer", inputs=[raw], outputs=[("Model", "model", {})])
    load(neo4j_store, h)
    bad = L.mark_bad(neo4j_store, L.artifact(raw), "bad rows")
    memory = MemoryStore()
    load(memory, h)
    L.mark_bad(memory, L.artifact(raw), "bad rows")
    asks = [
        lambda s: L.upstream(s, L.artifact(model)),
        lambda s: L.upstream(s, L.artifact(model), current=True),
        lambda s: L.downstream(s, L.artifact(raw)),
        lambda s: L.upstream(s, L.artifact(model), roots_only=True, as_of=h.tick()),
    ]
    for ask in asks:
        with captured() as seen:
            got = ask(neo4j_store)
        assert len(seen) == 1, [text.splitlines()[0] for text, _ in seen]
        assert got == ask(memory)
        assert all(n.incidents == (bad.id,) for n in got.nodes), got.nodes
    # The store's own walk carries no incidents unless asked (callers outside the services).
    plain = neo4j_store.lineage_walk([L.artifact(model)], "upstream")
    assert [n.incidents for n in plain.nodes] == [(), ()]


def test_walk_rows_build_the_nodes_model_construct_builds() -> None:
    row = [7, True, "Model", "m", "/m", "LIVE", 1_000, [[CUSTOM + "k", "v"]], [4, 2, 4]]
    for with_properties, marks in ((False, None), (True, [4, 2, 4]), (False, [])):
        got = walk_node([*row[:8], marks], with_properties)
        props = {"k": "v"} if with_properties else None
        incidents = tuple(sorted(set(marks or ())))
        fields = {"kind", "id", "type", "name", "uri", "state", "create_time", "properties"}
        built = LineageNode.model_construct(
            fields | ({"incidents"} if incidents else set()), kind=Kind.ARTIFACT, id=7,
            type="Model", name="m", uri="/m", state="LIVE", create_time=1_000, hops=None,
            properties=props, incidents=incidents,
        )
        assert got == built
        assert list(got.__dict__) == list(LineageNode.model_fields)
        assert got.model_fields_set == built.model_fields_set
        assert got.__pydantic_extra__ is None and got.__pydantic_private__ is None
