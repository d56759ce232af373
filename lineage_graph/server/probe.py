"""Does a Neo4j answer? One Bolt round trip with the driver, and the HTTP discovery document.

Connectivity probing is the server layer's own business (is a server there, does it take our
password), so these driver exceptions are handled here; query errors are still translated only
in ``lineage_graph.store.neo4j``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from ..errors import UnavailableError


class BoltAuthError(UnavailableError):
    """The server answered but refused the credentials."""


def bolt_version(
    uri: str, user: str, password: str, *, database: str | None = None, timeout: float = 5.0
) -> str:
    """Connect once and return the server's version (``"5.26.30"``).

    Args:
        uri: any Neo4j URI (``bolt://``, ``neo4j://``, ``neo4j+s://`` ...).
        user: user name.
        password: password (never included in the error text).
        database: checked to exist when given.
        timeout: connection timeout in seconds.

    Returns:
        The version part of the server agent (``Neo4j/5.26.30`` gives ``5.26.30``).

    Raises:
        BoltAuthError: the server refused the credentials.
        UnavailableError: nothing answers at ``uri`` (the message gives the driver's reason).
    """
    try:
        with neo4j.GraphDatabase.driver(
            uri, auth=(user, password), connection_timeout=timeout, max_connection_pool_size=1
        ) as driver:
            info = driver.get_server_info()
            if database:
                # A query proves the database exists (verify_connectivity's kwargs are experimental).
                driver.execute_query("RETURN 1", database_=database)
    except AuthError as exc:
        raise BoltAuthError(f"{uri} refused the credentials for user {user!r}") from exc
    except (DriverError, Neo4jError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnavailableError(f"no Neo4j answers at {uri}: {reason}") from exc
    return info.agent.split("/", 1)[-1]


def http_version(http_port: int, *, timeout: float = 5.0) -> str | None:
    """The ``neo4j_version`` of the discovery document at ``http://127.0.0.1:<port>/``, or None."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/", timeout=timeout) as resp:
            document = json.loads(resp.read().decode("utf-8"))
    except (OSError, urllib.error.URLError, ValueError):
        return None
    version = document.get("neo4j_version") if isinstance(document, dict) else None
    return version if isinstance(version, str) else None
