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


def _raises_not_implemented(member: object) -> bool:
    try:
        source = inspect.getsource(member)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return False
    return "raise NotImplementedError" in source


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda c: c.__name__)
def test_optional_protocol_methods_are_implemented(backend: type[Store]) -> None:
    """Store methods with a NotImplementedError default (e.g. import_nodes) are overridden."""
    for name, member in _public_methods(Store).items():
        if _raises_not_implemented(member):
            assert getattr(backend, name) is not member, f"{backend.__name__} lacks {name}"
            assert not _raises_not_implemented(getattr(backend, name)), f"{backend.__name__}.{name}"


# Backend plumbing that is deliberately not part of the protocol: constructors, the
# transaction runners and schema/diagnostic helpers of Neo4j, the graph handle of memory.
# Anything else a user could call on one backend must first be added to Store.
BACKEND_EXTRAS = {
    MemoryStore: {"graph", "state"},
    Neo4jStore: {"connect", "from_target", "read", "write", "run_read", "apply_schema", "stats"},
}


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda c: c.__name__)
def test_backends_expose_only_the_protocol_plus_known_plumbing(backend: type[Store]) -> None:
    extra = set(_public_methods(backend)) - set(_public_methods(Store))
    assert extra <= BACKEND_EXTRAS[backend], (
        f"{backend.__name__} has public methods outside Store: "
        f"{sorted(extra - BACKEND_EXTRAS[backend])}; add them to Store (both backends) "
        "or make them private"
    )


def test_both_backends_construct_and_pass_isinstance(store: Store) -> None:
    assert isinstance(store, Store)
    store.init_schema()  # idempotent on a live store
    store.init_schema()
