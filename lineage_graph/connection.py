"""Open the product store: resolve where Neo4j is, then connect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .target import Neo4jTarget

if TYPE_CHECKING:
    from .store.neo4j import Neo4jStore


def connect(target: Neo4jTarget | None = None, *, start: bool = True) -> Neo4jStore:
    """A Neo4j-backed store.

    Args:
        target: where the server is; by default the resolver decides (NEO4J_URI, a local
            server started earlier, Docker, or one provisioned now when ``start`` is true).
        start: allow the resolver to provision and start a local server.

    Returns:
        A ``Neo4jStore`` that owns its driver; close it (or use ``with``) when done.

    Raises:
        UnavailableError: no server could be found or started; the message says what to do.

    Example:
        >>> with connect() as store:                # doctest: +SKIP
        ...     store.init_schema()
    """
    from .store.neo4j import Neo4jStore

    if target is None:
        # Only when asked to find one: the resolver brings the provisioning machinery.
        from .server import resolve

        target = resolve(start=start)
    return Neo4jStore.from_target(target)
