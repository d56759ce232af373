"""Does a Neo4j answer? One Bolt round trip with the driver, and the HTTP discovery document.

Driver exceptions become ``lineage_graph.errors`` through the store's one translation
(``lineage_graph.store.neo4j_errors.translate``); this module only words them for a probe:
anything short of an answer is "no Neo4j answers at <uri>".
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from ..errors import AuthenticationError, LineageGraphError, UnavailableError
from ..store.neo4j_errors import translate


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
        AuthenticationError: the server refused the credentials.
        UnavailableError: nothing answers at ``uri`` (the message gives the driver's reason).
    """
    try:
        with translate(), neo4j.GraphDatabase.driver(
            uri, auth=(user, password), connection_timeout=timeout, max_connection_pool_size=1
        ) as driver:
            info = driver.get_server_info()
            if database:
                # A query proves the database exists (verify_connectivity's kwargs are
                # experimental).
                driver.execute_query("RETURN 1", database_=database)
    except AuthenticationError as exc:
        raise AuthenticationError(f"{uri} refused the credentials for user {user!r}") from exc
    except (LineageGraphError, DriverError, Neo4jError, OSError, ValueError) as exc:
        # The driver's own words, not our translation's prefix (the caller adds context).
        cause = exc.__cause__ if isinstance(exc, LineageGraphError) and exc.__cause__ else exc
        reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
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
