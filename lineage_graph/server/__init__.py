"""Finding or provisioning Neo4j: the resolver, the local server, the Maven fetch.

``resolve()`` is the one entry point most code needs; ``LocalServer`` is what the
``lineage-graph neo4j`` commands drive. Nothing here imports ``browser``, ``cli`` or the
store's backends (the stylesheet the local server configures comes from the leaf
``lineage_graph.grass``).
"""

from ..target import Neo4jTarget
from .local import LocalServer, ServerState
from .maven import BROWSER_VERSION, NEO4J_VERSION
from .paths import Paths
from .resolver import resolve

__all__ = [
    "BROWSER_VERSION",
    "NEO4J_VERSION",
    "LocalServer",
    "Neo4jTarget",
    "Paths",
    "ServerState",
    "resolve",
]
