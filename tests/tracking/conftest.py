"""Helpers for the tracking tests: the example pipeline as a module, and call counters.

Invocations are counted by wrapping each step's ``fn`` (the function the step really calls),
independently of what tracking records, so "nothing re-ran" is checked from outside.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lineage_graph.tracking import Step

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def wine() -> ModuleType:
    """``examples/wine_pipeline.py`` imported as ``wine_pipeline``."""
    sys.path.insert(0, str(EXAMPLES))
    import wine_pipeline

    return wine_pipeline


@pytest.fixture(scope="session")
def evaluator(wine: ModuleType) -> ModuleType:
    import evaluate_new_models

    return evaluate_new_models


def count_calls(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Wrap the ``fn`` of every step in ``module``; the counter says how often each really ran."""
    calls: Counter[str] = Counter()
    for value in list(vars(module).values()):
        if isinstance(value, Step):
            monkeypatch.setattr(value, "fn", _counting(value.fn, value.name, calls))
    return calls


def _counting(fn: Callable[..., Any], name: str, calls: Counter[str]) -> Callable[..., Any]:
    @functools.wraps(fn)  # keeps __wrapped__: the code hash is the original function's
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return fn(*args, **kwargs)

    return wrapper


@pytest.fixture
def wine_calls(wine: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    return count_calls(wine, monkeypatch)
