"""One answer to "where is the database?", in the order DESIGN.md fixes.

1. ``NEO4J_URI`` (+ ``NEO4J_USER`` default ``neo4j``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``):
   any server, ``neo4j://`` routing URIs (clusters, Aura) included.
2. The local server this project started earlier (recorded pid alive and Bolt answers).
3. A Docker engine that answers: a testcontainers ``Neo4jContainer`` (``neo4j:5.26-community``;
   needs the ``docker`` extra, and is skipped without it unless ``LINEAGE_GRAPH_DOCKER=1``).
4. Provisioning: Neo4j 5.26 Community from Maven Central into the cache, started locally.

Steps 3 and 4 happen only with ``start=True``; step 3 only with ``docker_ok=True``. A container
is deleted when the process that started it exits, so only callers whose data may vanish (a
test session) allow it: ``connect()``, ``run()`` and the CLI pass ``docker_ok=False`` unless
``LINEAGE_GRAPH_DOCKER=1`` asks for Docker.
"""

from __future__ import annotations

from ..errors import UnavailableError
from ..target import Neo4jTarget
from . import docker
from .local import LocalServer
from .paths import Paths
from .probe import bolt_version
from .tools import Progress, log_progress


def resolve(
    *,
    start: bool = True,
    docker_ok: bool = True,
    paths: Paths | None = None,
    progress: Progress = log_progress,
) -> Neo4jTarget:
    """Find a Neo4j to talk to, starting one if allowed and needed.

    Args:
        start: may start a container or provision the local server (False: only existing ones).
        docker_ok: may use Docker (``connect()`` and the CLI pass False: a container dies
            with its process, and with it everything written to it).
        paths: where the local server lives (default: from the environment, see ``Paths``).
        progress: receives one line per provisioning step.

    Returns:
        The target; its ``source`` says which rule found it.

    Raises:
        UnavailableError: ``NEO4J_URI`` is set but does not answer, or nothing was found and
            nothing could be started (the message says what is missing and what to do).

    Example:
        >>> target = resolve()                      # doctest: +SKIP
        >>> target.uri, target.source               # doctest: +SKIP
        ('bolt://127.0.0.1:7687', 'local')
    """
    env = Neo4jTarget.from_env()
    if env is not None:
        try:
            bolt_version(env.uri, env.user, env.password, database=env.database)
        except UnavailableError as exc:
            raise UnavailableError(f"NEO4J_URI is set but unusable: {exc}") from None
        return env
    local = LocalServer(paths)
    running = local.running_target()
    if running is not None:
        return running
    if not start:
        raise UnavailableError(
            "no Neo4j: NEO4J_URI is not set and no local server is running; start one with "
            "`lineage-graph neo4j start` or set NEO4J_URI"
        )
    if docker_ok and docker.usable():
        return docker.start_container(progress)
    state, started = local.start(progress=progress)
    return local.target(state, "provisioned" if started else "local")
