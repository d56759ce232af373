"""Open the product store: resolve where Neo4j is, then connect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .target import Neo4jTarget

if TYPE_CHECKING:
    from .store.neo4j import Neo4jStore


def connect(
    target: Neo4jTarget | None = None, *, start: bool = True, allow_docker: bool | None = None
) -> Neo4jStore:
    """A Neo4j-backed store.

    History written here must outlive the process, so a throwaway Docker container is used
    only when asked for: a container started by testcontainers is deleted when the process
    exits, taking everything written to it.

    Args:
        target: where the server is; by default the resolver decides (NEO4J_URI, a local
            server started earlier, or one provisioned now when ``start`` is true).
        start: allow the resolver to provision and start a local server.
        allow_docker: allow the resolver to start an ephemeral Neo4j container (its data is
            lost when this process exits). Default: only if ``LINEAGE_GRAPH_DOCKER=1`` is set.

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

        if allow_docker is None:
            from .server.docker import requested

            allow_docker = requested()
        target = resolve(start=start, docker_ok=allow_docker)
    return Neo4jStore.from_target(target)
