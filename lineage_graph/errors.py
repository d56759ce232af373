"""One root error, two branches.

    LineageGraphError
     +-- UserError               the caller's problem: fix the input and retry
     |    +-- InvalidInputError  bad name, undeclared/wrongly typed property, dangling reference
     |    +-- NotFoundError      an id, name or REF that does not exist
     |    +-- AlreadyExistsError a (type, name) or external id taken by different content
     +-- BackendError            the infrastructure's problem: retry later or fix the setup
          +-- UnavailableError   no server, Java or Maven missing, download failed, port taken
          +-- QueryTimeoutError  a query exceeded its time budget

Driver exceptions (``neo4j.exceptions``) are translated into these in exactly one place,
``lineage_graph.store.neo4j``; nothing above the store layer sees them.
"""

from __future__ import annotations


class LineageGraphError(Exception):
    """Root of every error lineage-graph raises on purpose."""


class UserError(LineageGraphError):
    """The caller's input is the problem."""


class InvalidInputError(UserError, ValueError):
    """Input is malformed. ``field`` and ``value`` name what is wrong."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class NotFoundError(UserError, LookupError):
    """Something referred to does not exist."""


class AlreadyExistsError(UserError):
    """A unique key is taken by different content."""


class BackendError(LineageGraphError):
    """The database or its provisioning is the problem."""


class UnavailableError(BackendError):
    """The database cannot be reached or provisioned. The message says what to do."""


class QueryTimeoutError(BackendError):
    """A query ran past its time budget."""
