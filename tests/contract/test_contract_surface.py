"""API coverage: both backends implement every public method of Store, with its signature."""

from __future__ import annotations

import inspect

import pytest

from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore

BACKENDS = [MemoryStore, Neo4jStore]


def _public_methods(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda c: c.__name__)
def test_no_abstract_method_left(backend: type[Store]) -> None:
    assert not getattr(backend, "__abstractmethods__", frozenset()), (
        f"{backend.__name__} leaves abstract: {sorted(backend.__abstractmethods__)}"
    )


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda c: c.__name__)
def test_every_store_method_has_the_protocol_signature(backend: type[Store]) -> None:
    ours = _public_methods(backend)
    for name, member in _public_methods(Store).items():
        assert name in ours, f"{backend.__name__} lacks {name}"
        want = inspect.signature(member)  # type: ignore[arg-type]
        got = inspect.signature(ours[name])  # type: ignore[arg-type]
        assert list(got.parameters) == list(want.parameters), (
            f"{backend.__name__}.{name}{got} differs from Store.{name}{want}"
        )
        for pname, param in want.parameters.items():
            assert got.parameters[pname].kind == param.kind, f"{backend.__name__}.{name}({pname})"
            assert got.parameters[pname].default == param.default, (
                f"{backend.__name__}.{name}({pname}) default"
            )


def test_backends_expose_the_same_public_surface() -> None:
    memory = set(_public_methods(MemoryStore))
    neo4j = set(_public_methods(Neo4jStore))
    store = set(_public_methods(Store))
    # Backend-specific extras (constructors, the graph handle) are allowed; anything a user
    # might call on one store and not the other must be in Store first.
    extras = {"graph", "state", "from_target", "from_env", "driver", "database"}
    assert (memory - store) <= extras, f"MemoryStore-only methods: {sorted(memory - store - extras)}"
    assert (neo4j - store) <= extras, f"Neo4jStore-only methods: {sorted(neo4j - store - extras)}"


def test_both_backends_construct_and_pass_isinstance(store: Store) -> None:
    assert isinstance(store, Store)
    store.init_schema()  # idempotent on a live store
    store.init_schema()
