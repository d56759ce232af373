"""Neo4j in a container (testcontainers) where a Docker engine answers.

The engine check is one ``GET /_ping`` on the engine's socket with a short timeout, so a machine
without Docker pays well under a second. A container lives as long as the Python process that
started it (testcontainers' reaper removes it afterwards): right for a test session, wrong for a
one-shot CLI command, which is why the CLI provisions the local server instead.

testcontainers is an optional dependency (the ``docker`` extra: ``pip install
'lineage-graph[docker]'``), imported only when a container is started.

Environment:
    DOCKER_HOST: ``unix://<path>`` or ``tcp://host:port`` (default ``unix:///var/run/docker.sock``).
    LINEAGE_GRAPH_DOCKER: ``0`` never uses Docker; ``1`` requests it (an error if testcontainers
        is missing); unset: Docker is used when the engine answers and testcontainers is there.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import socket
from typing import Any
from urllib.parse import urlparse

from ..errors import UnavailableError
from ..target import Neo4jTarget
from .tools import Progress, log_progress

IMAGE = "neo4j:5.26-community"
DOCKER_ENV = "LINEAGE_GRAPH_DOCKER"
_DEFAULT_HOST = "unix:///var/run/docker.sock"
# Containers must stay referenced for the life of the process, or nothing keeps them.
_STARTED: list[Any] = []


_NO = ("0", "false", "no", "off")
MISSING = (
    "Docker was requested but testcontainers is not installed: "
    "pip install 'lineage-graph[docker]' (or unset LINEAGE_GRAPH_DOCKER to use a local Neo4j)"
)


def _setting() -> bool | None:
    """``LINEAGE_GRAPH_DOCKER``: False (vetoed), True (requested) or None (unset: automatic)."""
    raw = os.environ.get(DOCKER_ENV, "").strip().lower()
    if not raw:
        return None
    return raw not in _NO


def requested() -> bool:
    """True if ``LINEAGE_GRAPH_DOCKER`` explicitly asks for Docker (``1``, ``true`` ...).

    Code that writes history the user keeps (``connect()``, ``run()``) uses Docker only then.
    """
    return _setting() is True


def testcontainers_installed() -> bool:
    """True if the optional ``testcontainers`` package can be imported (it is not imported)."""
    return importlib.util.find_spec("testcontainers") is not None


def engine_answers(timeout: float = 0.5) -> bool:
    """True if a Docker engine answers ``/_ping`` (and ``LINEAGE_GRAPH_DOCKER`` is not ``0``)."""
    if _setting() is False:
        return False
    url = urlparse(os.environ.get("DOCKER_HOST") or _DEFAULT_HOST)
    try:
        if url.scheme == "unix":
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(timeout)
            conn.connect(url.path)
        elif url.scheme == "tcp" and url.hostname:
            conn = socket.create_connection((url.hostname, url.port or 2375), timeout=timeout)
        else:
            return False
        with conn:
            conn.settimeout(timeout)
            conn.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
            status = conn.recv(64)
    except OSError:
        return False
    words = status.split(b"\r\n", 1)[0].split()
    return len(words) >= 2 and words[0].startswith(b"HTTP/") and words[1] == b"200"


def usable() -> bool:
    """Should the resolver start a container? An engine answers and testcontainers is there.

    Raises:
        UnavailableError: ``LINEAGE_GRAPH_DOCKER=1`` asks for Docker, an engine answers, but
            testcontainers is not installed.
    """
    if not engine_answers():
        return False
    if testcontainers_installed():
        return True
    if _setting() is True:
        raise UnavailableError(MISSING)
    return False  # not asked for: the local server serves instead


def start_container(progress: Progress = log_progress) -> Neo4jTarget:
    """Start ``neo4j:5.26-community`` with a generated password and wait until Bolt answers.

    Returns:
        The container's target (``source="docker"``), Browser URL included.

    Raises:
        UnavailableError: testcontainers is not installed, or the container did not start.
    """
    try:
        from testcontainers.neo4j import Neo4jContainer  # the optional `docker` extra
    except ImportError as exc:
        raise UnavailableError(MISSING) from exc

    password = "lg" + secrets.token_urlsafe(24)
    progress(f"Starting {IMAGE} with Docker")
    container = Neo4jContainer(image=IMAGE, password=password, username="neo4j")
    container.with_exposed_ports(7474)
    try:
        container.start()
        host = container.get_container_host_ip()
        bolt = int(container.get_exposed_port(7687))
        http = int(container.get_exposed_port(7474))
    except Exception as exc:  # testcontainers/docker raise many kinds; all mean "no container"
        raise UnavailableError(f"could not start Neo4j in Docker ({IMAGE}): {exc}") from exc
    _STARTED.append(container)
    return Neo4jTarget(
        uri=f"bolt://{host}:{bolt}", user="neo4j", password=password, source="docker",
        browser_url=f"http://{host}:{http}/browser/?dbms=bolt://neo4j@{host}:{bolt}",
    )  # fmt: skip
