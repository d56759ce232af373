"""The one place where ``neo4j.exceptions`` become ``lineage_graph.errors``.

Classification is by the driver's exception class and the server's status code, never by
the words of a message:

=====================================================  ===================================
driver exception / server status code                  lineage_graph error
=====================================================  ===================================
``ServiceUnavailable``, ``SessionExpired``              ``UnavailableError``
``AuthError``                                           ``AuthenticationError``
``ConstraintError``                                     ``AlreadyExistsError``
``Neo.ClientError.Transaction.TransactionTimedOut*``    ``QueryTimeoutError``
``Neo.ClientError.Database.DatabaseNotFound``           ``UnavailableError``
``TransientError`` (after the driver's retries)         ``UnavailableError``
other ``ClientError``                                   re-raised: a bug of ours, kept loud
other ``Neo4jError``                                    ``BackendError``
``ConfigurationError``                                  ``UnavailableError``
a ``DriverError`` caused by a socket deadline           ``QueryTimeoutError``
=====================================================  ===================================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from ..errors import (
    AlreadyExistsError,
    AuthenticationError,
    BackendError,
    LineageGraphError,
    QueryTimeoutError,
    UnavailableError,
)

try:  # the driver's own deadline error; private, so tolerate its absence
    from neo4j._exceptions import SocketDeadlineExceededError as _Deadline
except ImportError:  # pragma: no cover - depends on the driver version
    _Deadline = TimeoutError  # type: ignore[assignment,misc]

#: Server status codes of a transaction that ran past ``db.transaction.timeout`` or the
#: timeout the client gave (``unit_of_work(timeout=...)``).
TIMEOUT_CODES = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"


def _timed_out(exc: BaseException) -> bool:
    """True if a deadline (the driver's or a socket's) is in ``exc``'s cause chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (_Deadline, TimeoutError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def translate() -> Iterator[None]:
    """Run the body; driver exceptions leave it as ``lineage_graph.errors`` (table above)."""
    try:
        yield
    except LineageGraphError:
        raise
    except (ServiceUnavailable, SessionExpired) as exc:
        raise UnavailableError(f"Neo4j is unreachable: {exc}") from exc
    except AuthError as exc:
        raise AuthenticationError(
            f"Neo4j refused the credentials (check NEO4J_USER/NEO4J_PASSWORD): {exc.message}"
        ) from exc
    except ConstraintError as exc:
        raise AlreadyExistsError(f"a unique key is already taken: {exc.message}") from exc
    except Neo4jError as exc:
        code = exc.code or ""
        if code in TIMEOUT_CODES:
            raise QueryTimeoutError(f"the query ran past its time budget: {exc.message}") from exc
        if code == DATABASE_NOT_FOUND:
            raise UnavailableError(
                f"no such database on this server (check NEO4J_DATABASE/--database): "
                f"{exc.message}"
            ) from exc
        if isinstance(exc, TransientError):
            raise UnavailableError(f"Neo4j kept failing transiently: {exc.message}") from exc
        if isinstance(exc, ClientError):
            raise  # a ClientError is our bug (bad Cypher, wrong parameter): keep it loud
        raise BackendError(f"Neo4j failed: {code} {exc.message}") from exc
    except ConfigurationError as exc:
        raise UnavailableError(f"cannot use this Neo4j configuration: {exc}") from exc
    except DriverError as exc:
        if _timed_out(exc):
            raise QueryTimeoutError(f"the query ran past its time budget: {exc}") from exc
        raise
