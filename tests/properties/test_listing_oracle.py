"""Hypothesis: Neo4j's list_nodes answers exactly what the in-memory oracle answers.

Random small stores (mixed-type custom values, ties, ``None`` names, contexts) and random
``ListOptions`` (type, states, uri, context, name globs, property filters with every
operator, order by id/name/seq/type, direction, page size); every page of both backends
must hold the same ids in the same order.
Times are left out of filters and ordering: the two stores write at different instants.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_graph.models import (
    AnyType,
    Artifact,
    ArtifactState,
    ArtifactType,
    Attribution,
    Context,
    ContextType,
    Kind,
    ListOptions,
    PropertyFilter,
    PropertyType,
    Value,
)
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

P = PropertyType
TYPES: list[AnyType] = [
    ArtifactType(
        name="Dataset",
        properties={"rows": P.INT, "w": P.DOUBLE, "s": P.STRING, "ok": P.BOOLEAN, "meta": P.STRUCT},
    ),
    ArtifactType(name="Model", properties={"rows": P.INT}),
    ContextType(name="Run"),
]
DECLARED: dict[str, st.SearchStrategy[Value]] = {
    "rows": st.sampled_from([0, 1, 2, -3]),
    "w": st.sampled_from([0.0, 1.0, 2.5, -0.5]),
    "s": st.sampled_from(["", "a", "b", "ab"]),
    "ok": st.booleans(),
    "meta": st.sampled_from([{"a": 1}, [1, 2]]),
}
SCALAR: st.SearchStrategy[Value] = st.sampled_from(
    [0, 1, 2, 1.0, 2.5, -1.5, True, False, "a", "b", ""]
)
CUSTOM: st.SearchStrategy[Value] = SCALAR | st.sampled_from([{"x": 1}, [1]])


@st.composite
def artifacts(draw: st.DrawFn) -> list[Artifact]:
    out: list[Artifact] = []
    for i in range(draw(st.integers(2, 10))):
        type_name = draw(st.sampled_from(["Dataset", "Model"]))
        keys = ["rows"] if type_name == "Model" else list(DECLARED)
        # Mostly present properties, so filters compare values rather than miss keys.
        props: dict[str, Value] = {k: draw(DECLARED[k]) for k in keys if draw(st.integers(0, 4))}
        custom: dict[str, Value] = {"c": draw(CUSTOM)} | draw(
            st.dictionaries(st.just("d"), CUSTOM, max_size=1)
        )
        out.append(
            Artifact(
                type=type_name,
                name=draw(st.sampled_from([None, f"n{i}", f"m{i}", f"a{i}"])),
                uri=draw(st.sampled_from([None, "u1", "u2"])),
                state=draw(
                    st.sampled_from(
                        [ArtifactState.LIVE, ArtifactState.PENDING, ArtifactState.UNKNOWN]
                    )
                ),
                properties=props,
                custom_properties=custom,
            )
        )
    return out


FILTERS = st.builds(
    PropertyFilter,
    name=st.sampled_from(["rows", "w", "s", "ok", "meta", "c", "c", "c", "d", "missing"]),
    op=st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
    value=SCALAR,
    custom=st.booleans(),
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # Each filter is present about half the time, so combinations get exercised.
    return st.one_of(st.none(), strategy)


OPTIONS = st.fixed_dictionaries(
    {
        "type": _maybe(st.sampled_from(["Dataset", "Model", "Unknown"])),
        "types": _maybe(st.lists(st.sampled_from(["Dataset", "Model"]), min_size=1).map(tuple)),
        "uri": _maybe(st.sampled_from(["u1", "u2"])),
        "states": _maybe(
            st.lists(st.sampled_from(["LIVE", "PENDING", "UNKNOWN"]), min_size=1).map(tuple)
        ),
        "name": _maybe(st.sampled_from(["n0", "m1", "a2"])),
        "name_glob": _maybe(st.sampled_from(["n*", "*1", "?2", "*", "a?*", "n.*", "x"])),
        "properties": st.lists(FILTERS, min_size=1, max_size=2).map(tuple) | st.just(()),
        "changed_after": _maybe(st.integers(0, 8)),
        "order_by": st.sampled_from(["id", "name", "seq", "type"]),
        "descending": st.booleans(),
        "limit": _maybe(st.integers(2, 4)),
        "context_id": _maybe(st.just(1)),
    }
).map(lambda d: {k: val for k, val in d.items() if val is not None})


def _load(store: Store, arts: list[Artifact], linked: list[bool]) -> None:
    store.clear()
    store.put_types(TYPES)
    [ctx] = store.put_contexts([Context(type="Run", name="r")])
    assert ctx == 1  # both stores count from 1 after clear(), so context_id=1 is this one
    ids = store.put_artifacts(arts)  # seq follows input order in both backends
    store.put_attributions_and_associations(
        [
            Attribution(artifact_id=i, context_id=ctx)
            for i, on in zip(ids, linked, strict=False)
            if on
        ],
        [],
    )


def _pages(store: Store, options: ListOptions) -> list[list[int]]:
    pages: list[list[int]] = []
    while True:
        page = store.list_nodes(Kind.ARTIFACT, options)
        pages.append([a.id for a in page.items])
        if page.next_cursor is None or len(pages) > 20:
            return pages
        options = options.model_copy(update={"cursor": page.next_cursor})


def test_neo4j_listing_matches_the_memory_oracle(
    memory_store: MemoryStore, neo4j_store: Neo4jStore
) -> None:
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(arts=artifacts(), data=st.data(), raw=st.lists(OPTIONS, min_size=3, max_size=6))
    def run(arts: list[Artifact], data: st.DataObject, raw: list[dict[str, Any]]) -> None:
        # names must be unique per type: drop repeats before loading
        names = [(a.type, a.name) for a in arts]
        arts = [a for i, a in enumerate(arts) if a.name is None or names[i] not in names[:i]]
        linked = data.draw(st.lists(st.booleans(), min_size=len(arts), max_size=len(arts)))
        _load(memory_store, arts, linked)
        _load(neo4j_store, arts, linked)
        for opts in raw:
            options = ListOptions(**opts)
            assert _pages(neo4j_store, options) == _pages(memory_store, options), options

    run()
