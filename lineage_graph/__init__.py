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

if TYPE_CHECKING:
    from . import lineage, questions
    from .connection import connect
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
        Reuse,
    )
    from .store.base import Store
    from .store.memory import MemoryStore
    from .store.neo4j import Neo4jStore
    from .tracking import Dataset, Model, PushedModel, log_metric, run, step
    from .tracking.autolog import autolog

# Loaded on first use so ``import lineage_graph`` (and every CLI start) stays light: no
# pydantic, no driver, no networkx until a name is used.
_LAZY = {
    "AlreadyExistsError": ("lineage_graph.errors", "AlreadyExistsError"),
    "BackendError": ("lineage_graph.errors", "BackendError"),
    "InvalidInputError": ("lineage_graph.errors", "InvalidInputError"),
    "LineageGraphError": ("lineage_graph.errors", "LineageGraphError"),
    "NotFoundError": ("lineage_graph.errors", "NotFoundError"),
    "QueryTimeoutError": ("lineage_graph.errors", "QueryTimeoutError"),
    "UnavailableError": ("lineage_graph.errors", "UnavailableError"),
    "UserError": ("lineage_graph.errors", "UserError"),
    "Artifact": ("lineage_graph.models", "Artifact"),
    "ArtifactAndEvent": ("lineage_graph.models", "ArtifactAndEvent"),
    "ArtifactState": ("lineage_graph.models", "ArtifactState"),
    "ArtifactType": ("lineage_graph.models", "ArtifactType"),
    "Association": ("lineage_graph.models", "Association"),
    "Attribution": ("lineage_graph.models", "Attribution"),
    "Context": ("lineage_graph.models", "Context"),
    "ContextType": ("lineage_graph.models", "ContextType"),
    "Event": ("lineage_graph.models", "Event"),
    "EventType": ("lineage_graph.models", "EventType"),
    "Execution": ("lineage_graph.models", "Execution"),
    "ExecutionState": ("lineage_graph.models", "ExecutionState"),
    "ExecutionType": ("lineage_graph.models", "ExecutionType"),
    "Kind": ("lineage_graph.models", "Kind"),
    "ListOptions": ("lineage_graph.models", "ListOptions"),
    "Page": ("lineage_graph.models", "Page"),
    "ParentContext": ("lineage_graph.models", "ParentContext"),
    "PropertyFilter": ("lineage_graph.models", "PropertyFilter"),
    "PropertyType": ("lineage_graph.models", "PropertyType"),
    "Reuse": ("lineage_graph.models", "Reuse"),

    "connect": ("lineage_graph.connection", "connect"),
    "Store": ("lineage_graph.store.base", "Store"),
    "MemoryStore": ("lineage_graph.store.memory", "MemoryStore"),
    "Neo4jStore": ("lineage_graph.store.neo4j", "Neo4jStore"),
    "run": ("lineage_graph.tracking", "run"),
    "autolog": ("lineage_graph.tracking.autolog", "autolog"),
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
    "Reuse",
    "Store",
    "UnavailableError",
    "UserError",
    "autolog",
    "connect",
    "lineage",
    "log_metric",
    "questions",
    "run",
    "step",
]
