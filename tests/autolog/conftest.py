"""autolog tests: autolog on for one test, against the test's store, and off afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lineage_graph.store.base import Store
from lineage_graph.tracking import autolog as al


@pytest.fixture
def autolog_on() -> Iterator[Callable[..., None]]:
    """Call it as ``autolog_on(store, **options)``; autolog is disabled after the test."""

    def enable(store: Store, **options: Any) -> None:
        al.autolog(store=store, **options)

    yield enable
    al.autolog(disable=True)
    assert al.errors() == [], al.errors()
