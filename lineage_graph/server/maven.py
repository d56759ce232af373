"""Fetching Neo4j Community's jars (Browser included) from Maven Central into the cache.

No distribution archive is published to Central for 5.26, so the server is assembled from
its artifacts: a generated ``pom.xml`` depending on ``org.neo4j:neo4j`` (the DBMS),
``org.neo4j.app:neo4j-server`` (HTTP, Bolt, the ``CommunityEntryPoint`` main class) and
``org.neo4j.client:neo4j-browser``, then ``mvn dependency:copy-dependencies``.

The copy goes to a scratch directory that is renamed into place only when complete, and a
manifest lists the jars; a complete cache is used without Maven and without the network.

Environment:
    LINEAGE_GRAPH_MAVEN_REPO: a repository URL to use instead of Maven Central (a mirror).
    LINEAGE_GRAPH_MAVEN_ARGS: extra ``mvn`` arguments, e.g. ``-s settings.xml`` or
        ``-Dmaven.repo.local=/path``.
"""

from __future__ import annotations

import collections
import fcntl
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import UnavailableError
from .tools import Progress, find_mvn, log_progress

NEO4J_VERSION = "5.26.30"
# The newest Browser on Central; 5.26's own Browser build is not published there.
BROWSER_VERSION = "5.24.0"
CENTRAL = "https://repo.maven.apache.org/maven2"
REPO_ENV = "LINEAGE_GRAPH_MAVEN_REPO"
ARGS_ENV = "LINEAGE_GRAPH_MAVEN_ARGS"
_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
_MANIFEST = "MANIFEST.txt"
# A cache without these is not a server, whatever Maven said.
_REQUIRED = (
    f"neo4j-{NEO4J_VERSION}.jar",
    f"neo4j-server-{NEO4J_VERSION}.jar",
    f"neo4j-browser-{BROWSER_VERSION}.jar",
)
_DOWNLOADED = re.compile(r"Downloaded from [^:]+: \S+ \(([\d.,]+) (B|kB|KB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def lib_dir(cache: Path) -> Path:
    """Where the jars of this Neo4j version live inside ``cache``."""
    return cache / f"neo4j-{NEO4J_VERSION}" / "lib"


def cached_lib(cache: Path) -> Path | None:
    """The jar directory if it is complete (every jar in its manifest present), else None."""
    lib = lib_dir(cache)
    manifest = lib / _MANIFEST
    if not manifest.is_file():
        return None
    names = manifest.read_text(encoding="utf-8").split()
    if not names or not all((lib / name).is_file() for name in names):
        return None
    return lib


def ensure_jars(cache: Path, progress: Progress = log_progress) -> Path:
    """Return the jar directory, fetching it from Maven Central first if the cache lacks it.

    Args:
        cache: the jar cache root (``Paths.cache``).
        progress: receives short status lines while Maven runs.

    Returns:
        The directory holding every jar of the server (for ``java -cp "<dir>/*"``).

    Raises:
        UnavailableError: Maven missing, the download failed, or the result is incomplete.
    """
    found = cached_lib(cache)
    if found is not None:
        return found
    mvn = find_mvn()
    version_dir = lib_dir(cache).parent
    version_dir.mkdir(parents=True, exist_ok=True)
    # Several processes may provision at once (test sessions, a CLI): one downloads.
    with open(version_dir / ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = cached_lib(cache)
        if found is not None:
            return found
        return _fetch(mvn, version_dir, progress)


def _pom(repo: str | None) -> str:
    repos = ""
    if repo:
        url = escape(repo)
        # Re-declaring the id "central" replaces Central for dependencies and plugins alike.
        repos = (
            f"<repositories><repository><id>central</id><url>{url}</url></repository>"
            "</repositories><pluginRepositories><pluginRepository><id>central</id>"
            f"<url>{url}</url></pluginRepository></pluginRepositories>"
        )
    deps = "".join(
        f"<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId>"
        f"<version>{v}</version></dependency>"
        for g, a, v in (
            ("org.neo4j", "neo4j", NEO4J_VERSION),
            ("org.neo4j.app", "neo4j-server", NEO4J_VERSION),
            ("org.neo4j.client", "neo4j-browser", BROWSER_VERSION),
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<project><modelVersion>4.0.0</modelVersion><groupId>local.lineage-graph</groupId>"
        "<artifactId>neo4j-runtime</artifactId><version>1</version><packaging>pom</packaging>"
        f"{repos}<dependencies>{deps}</dependencies></project>\n"
    )


def _fetch(mvn: Path, version_dir: Path, progress: Progress) -> Path:
    repo = os.environ.get(REPO_ENV) or None
    where = repo or "Maven Central"
    (version_dir / "pom.xml").write_text(_pom(repo), encoding="utf-8")
    scratch = version_dir / f"lib.partial-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    command = [
        str(mvn), "-B", "-Dstyle.color=never", "-f", str(version_dir / "pom.xml"),
        *shlex.split(os.environ.get(ARGS_ENV, "")),
        f"{_PLUGIN}:copy-dependencies", "-DincludeScope=runtime",
        f"-DoutputDirectory={scratch}",
    ]  # fmt: skip
    progress(f"Fetching Neo4j {NEO4J_VERSION} from {where} (once, ~140 MB)")
    tail: collections.deque[str] = collections.deque(maxlen=60)
    files, size = 0, 0.0
    try:
        proc = subprocess.Popen(
            command, cwd=version_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True, errors="replace",
        )  # fmt: skip
    except OSError as exc:
        raise UnavailableError(f"could not run Maven ({mvn}): {exc}") from exc
    assert proc.stdout is not None
    with proc:
        for line in proc.stdout:
            tail.append(line.rstrip())
            got = _DOWNLOADED.search(line)
            if got:
                files += 1
                size += float(got.group(1).replace(",", "")) * _UNITS[got.group(2)]
                progress(
                    f"Fetching Neo4j {NEO4J_VERSION} from {where}: "
                    f"{files} files, {size / 1e6:.0f} MB"
                )
    if proc.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise UnavailableError(_failure(where, list(tail), proc.returncode))
    missing = [name for name in _REQUIRED if not (scratch / name).is_file()]
    if missing:
        shutil.rmtree(scratch, ignore_errors=True)
        raise UnavailableError(
            f"Maven finished but {', '.join(missing)} is missing from the fetched jars; "
            f"delete {version_dir} and retry"
        )
    names = sorted(p.name for p in scratch.glob("*.jar"))
    (scratch / _MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
    target = lib_dir(version_dir.parent)
    shutil.rmtree(target, ignore_errors=True)  # an incomplete copy from an older attempt
    scratch.rename(target)
    progress(f"Fetched {len(names)} jars into {target}")
    return target


_REASONS = (
    ("Connection refused", "connection refused"),
    ("UnknownHost", "unknown host"),
    ("Unknown host", "unknown host"),
    ("timed out", "connection timed out"),
    ("Could not find artifact", "artifact not found in the repository"),
    ("status code: 4", "the repository refused the request"),
    ("status code: 5", "the repository had a server error"),
    ("PKIX", "TLS certificate not trusted"),
)


def _failure(where: str, tail: list[str], code: int) -> str:
    errors = [line.removeprefix("[ERROR]").strip() for line in tail if line.startswith("[ERROR]")]
    first = next((e for e in errors if e), tail[-1] if tail else "no output")
    text = " ".join(errors)
    download = any(word in text for word in ("transfer", "resolve", "Connect", "download"))
    if download:
        reason = next((short for key, short in _REASONS if key in text), first[:160])
        return (
            f"could not download Neo4j {NEO4J_VERSION} from {where} ({reason}): check the "
            f"network or proxy (Maven reads ~/.m2/settings.xml), or set {REPO_ENV} to a "
            "reachable Maven mirror"
        )
    return f"Maven failed (exit {code}) while fetching Neo4j {NEO4J_VERSION}: {first[:200]}"
