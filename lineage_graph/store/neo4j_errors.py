"""The one place where ``neo4j.exceptions`` become ``lineage_graph.errors``."""

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
    BackendError,
    LineageGraphError,
    QueryTimeoutError,
    UnavailableError,
)


@contextmanager
def translate() -> Iterator[None]:
    """The one place where ``neo4j.exceptions`` become ``lineage_graph.errors``."""
    try:
        yield
    except LineageGraphError:
        raise
    except (ServiceUnavailable, SessionExpired) as exc:
        raise UnavailableError(f"Neo4j is unreachable: {exc}") from exc
    except AuthError as exc:
        raise UnavailableError(
            f"Neo4j refused the credentials (check NEO4J_USER/NEO4J_PASSWORD): {exc.message}"
        ) from exc
    except ConstraintError as exc:
        raise AlreadyExistsError(f"a unique key is already taken: {exc.message}") from exc
    except Neo4jError as exc:
        code = exc.code or ""
        if "TransactionTimedOut" in code or "TransactionTimedOutClientConfiguration" in code:
            raise QueryTimeoutError(f"the query ran past its time budget: {exc.message}") from exc
        if isinstance(exc, TransientError):
            raise UnavailableError(f"Neo4j kept failing transiently: {exc.message}") from exc
        if isinstance(exc, ClientError):
            raise  # a ClientError is our bug (bad Cypher, wrong parameter): keep it loud
        raise BackendError(f"Neo4j failed: {code} {exc.message}") from exc
    except ConfigurationError as exc:
        raise UnavailableError(f"cannot use this Neo4j configuration: {exc}") from exc
    except DriverError as exc:
        if "timed out" in str(exc).lower():
            raise QueryTimeoutError(f"the query ran past its time budget: {exc}") from exc
        raise
