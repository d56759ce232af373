"""Finding or provisioning Neo4j: the resolver, the local server, the Maven fetch."""

from .target import Neo4jTarget

__all__ = ["Neo4jTarget", "resolve"]


def resolve(*, start: bool = True) -> Neo4jTarget:  # replaced by the Foundation work
    raise NotImplementedError
