"""One root error, two branches; every layer raises from this tree.

    LineageGraphError
     +-- UserError                 the caller's problem: fix the input and retry
     |    +-- InvalidInputError    bad name, undeclared/wrongly typed property, dangling
     |    |    |                   reference (also a ``ValueError``)
     |    |    +-- InvalidTypeError  a value of the wrong kind (also a ``TypeError``)
     |    +-- NotFoundError        an id, name or REF that does not exist
     |    +-- AlreadyExistsError   a (type, name) or external id taken by different content
     |    +-- HandlerFailedError   a subscription handler failed; its delivery stays pending
     +-- BackendError              the infrastructure's problem: retry later or fix the setup
          +-- UnavailableError     no server, Java or Maven missing, download failed, port taken
          |    +-- AuthenticationError  a server answered but refused the credentials
          +-- QueryTimeoutError    a query exceeded its time budget

Driver exceptions (``neo4j.exceptions``) are translated into these in exactly one place,
``lineage_graph.store.neo4j_errors.translate``; nothing above it sees them.
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


class InvalidTypeError(InvalidInputError, TypeError):
    """A value is of the wrong kind (where Python's protocols expect a ``TypeError``)."""


class NotFoundError(UserError, LookupError):
    """Something referred to does not exist."""


class AlreadyExistsError(UserError):
    """A unique key is taken by different content."""


class HandlerFailedError(UserError):
    """A subscription's handler raised or exited non-zero; the delivery stays pending."""


class BackendError(LineageGraphError):
    """The database or its provisioning is the problem."""


class UnavailableError(BackendError):
    """The database cannot be reached or provisioned. The message says what to do."""


class AuthenticationError(UnavailableError):
    """A server answered but refused the user name or password."""


class QueryTimeoutError(BackendError):
    """A query ran past its time budget."""
