"""Where the database is: the resolver's answer (a leaf: imports nothing of lineage_graph)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

Source = Literal["env", "local", "docker", "provisioned"]

DEFAULT_USER = "neo4j"


@dataclass(frozen=True)
class Neo4jTarget:
    """Connection details for one Neo4j server.

    ``source`` says how it was found: ``env`` (NEO4J_URI or explicit options), ``local`` (a
    server this project started earlier), ``docker`` (testcontainers), ``provisioned`` (just
    started from the cache). ``password`` is never included in ``repr`` so it cannot leak
    into logs.
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

    @classmethod
    def given(
        cls,
        uri: str | None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> Neo4jTarget | None:
        """The target explicit settings describe, or None when ``uri`` is empty.

        Missing parts default as Neo4j's tools do: user ``neo4j``, an empty password, the
        server's default database.

        Example:
            >>> Neo4jTarget.given("bolt://db:7687", None, "secret").user
            'neo4j'
        """
        uri = (uri or "").strip()
        if not uri:
            return None
        return cls(
            uri=uri,
            user=user or DEFAULT_USER,
            password=password or "",
            database=database or None,
            source="env",
        )

    @classmethod
    def from_env(cls) -> Neo4jTarget | None:
        """The target ``NEO4J_URI`` (+ ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``)
        describes, or None if ``NEO4J_URI`` is unset or empty."""
        return cls.given(
            os.environ.get("NEO4J_URI"),
            os.environ.get("NEO4J_USER"),
            os.environ.get("NEO4J_PASSWORD"),
            os.environ.get("NEO4J_DATABASE"),
        )
