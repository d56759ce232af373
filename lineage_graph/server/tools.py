"""The external programs the local server needs: ``java`` (17 or 21) and, once, ``mvn``."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UnavailableError

Progress = Callable[[str], None]
"""Receives one short line per provisioning step (the CLI shows it in a spinner)."""

_log = logging.getLogger("lineage_graph.server")

# Neo4j 5.26 LTS supports exactly these Java releases.
SUPPORTED_JAVA = (17, 21)
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def log_progress(message: str) -> None:
    """Default progress sink: the ``lineage_graph.server`` logger at INFO."""
    _log.info("%s", message)


@dataclass(frozen=True)
class Java:
    """A usable ``java`` executable."""

    path: Path
    major: int


def find_java() -> Java:
    """The ``java`` to run Neo4j with: ``$JAVA_HOME/bin/java`` if JAVA_HOME is set, else PATH's.

    Returns:
        The executable and its major version.

    Raises:
        UnavailableError: no java, or a release Neo4j 5.26 does not support.
    """
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if not os.access(candidate, os.X_OK):
            raise UnavailableError(
                f"JAVA_HOME={java_home} has no bin/java: point JAVA_HOME at a Java 17 or 21 "
                "installation, or unset it to use the java on PATH"
            )
        where = str(candidate)
    else:
        found = shutil.which("java")
        if found is None:
            raise UnavailableError(
                "Java is not installed (no `java` on PATH): the local Neo4j needs Java 17 or 21, "
                "e.g. `apt-get install openjdk-17-jre-headless`, or set NEO4J_URI to use "
                "another Neo4j"
            )
        where = found
    major = _java_major(where)
    if major not in SUPPORTED_JAVA:
        raise UnavailableError(
            f"{where} is Java {major}, but Neo4j 5.26 runs on Java 17 or 21: install one and "
            "put it first on PATH or set JAVA_HOME to it"
        )
    return Java(Path(where), major)


def _java_major(java: str) -> int:
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnavailableError(f"could not run `{java} -version`: {exc}") from exc
    match = _VERSION.search(done.stderr + done.stdout)
    if match is None:
        raise UnavailableError(f"could not read the Java version from `{java} -version`")
    first = int(match.group(1))
    # Java 8 and older report "1.8.0_x".
    return int(match.group(2) or 0) if first == 1 else first


def find_mvn() -> Path:
    """The ``mvn`` used to fetch the jars (only needed while the jar cache is empty).

    Raises:
        UnavailableError: Maven is not on PATH.
    """
    found = shutil.which("mvn")
    if found is None:
        raise UnavailableError(
            "Maven is not installed (no `mvn` on PATH): it is needed once, to fetch Neo4j's "
            "jars from Maven Central; install it (e.g. `apt-get install maven`) or set "
            "NEO4J_URI to use another Neo4j"
        )
    return Path(found)
