"""lineage-graph: version control for machine learning, as a native Neo4j graph.

    import lineage_graph as lg

    store = lg.connect()                      # finds or starts Neo4j
    with lg.run(pipeline="wine", name="run-1", store=store) as r:
        ...                                   # @lg.step functions record themselves
    lg.lineage.upstream(store, lg.lineage.artifact(42))

The rest of the package is private; import from here, ``lineage_graph.lineage`` and
``lineage_graph.questions``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    AlreadyExistsError,
    BackendError,
    InvalidInputError,
    LineageGraphError,
    NotFoundError,
    QueryTimeoutError,
    UnavailableError,
    UserError,
)
from .models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactState,
    ArtifactType,
    Association,
    Attribution,
    Context,
    ContextType,
    Event,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
    ListOptions,
    Page,
    ParentContext,
    PropertyFilter,
    PropertyType,
)

if TYPE_CHECKING:
    from . import lineage, questions
    from .connection import connect
    from .store.base import Store
    from .store.memory import MemoryStore
    from .store.neo4j import Neo4jStore
    from .tracking import Dataset, Model, PushedModel, log_metric, run, step

# Loaded on first use so ``import lineage_graph`` stays light (no driver, no networkx).
_LAZY = {
    "connect": ("lineage_graph.connection", "connect"),
    "Store": ("lineage_graph.store.base", "Store"),
    "MemoryStore": ("lineage_graph.store.memory", "MemoryStore"),
    "Neo4jStore": ("lineage_graph.store.neo4j", "Neo4jStore"),
    "run": ("lineage_graph.tracking", "run"),
    "step": ("lineage_graph.tracking", "step"),
    "log_metric": ("lineage_graph.tracking", "log_metric"),
    "Dataset": ("lineage_graph.tracking", "Dataset"),
    "Model": ("lineage_graph.tracking", "Model"),
    "PushedModel": ("lineage_graph.tracking", "PushedModel"),
    "lineage": ("lineage_graph.lineage", None),
    "questions": ("lineage_graph.questions", None),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'lineage_graph' has no attribute {name!r}") from None
    loaded = import_module(module)
    return loaded if attr is None else getattr(loaded, attr)


__all__ = [
    "AlreadyExistsError",
    "Artifact",
    "ArtifactAndEvent",
    "ArtifactState",
    "ArtifactType",
    "Association",
    "Attribution",
    "BackendError",
    "Context",
    "ContextType",
    "Dataset",
    "Event",
    "EventType",
    "Execution",
    "ExecutionState",
    "ExecutionType",
    "InvalidInputError",
    "Kind",
    "LineageGraphError",
    "ListOptions",
    "MemoryStore",
    "Model",
    "Neo4jStore",
    "NotFoundError",
    "Page",
    "ParentContext",
    "PropertyFilter",
    "PropertyType",
    "PushedModel",
    "QueryTimeoutError",
    "Store",
    "UnavailableError",
    "UserError",
    "connect",
    "lineage",
    "log_metric",
    "questions",
    "run",
    "step",
]
