"""Where the database is: the resolver's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["env", "local", "docker", "provisioned"]


@dataclass(frozen=True)
class Neo4jTarget:
    """Connection details for one Neo4j server.

    ``source`` says how it was found: ``env`` (NEO4J_URI), ``local`` (a server this project
    started earlier), ``docker`` (testcontainers), ``provisioned`` (just started from the cache).
    ``password`` is never included in ``repr`` so it cannot leak into logs.
    """

    uri: str
    user: str
    password: str
    database: str | None = None
    browser_url: str | None = None
    source: Source = "env"

    def __repr__(self) -> str:
        return (
            f"Neo4jTarget(uri={self.uri!r}, user={self.user!r}, database={self.database!r}, "
            f"browser_url={self.browser_url!r}, source={self.source!r})"
        )
