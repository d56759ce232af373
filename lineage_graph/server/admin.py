"""Backup and restore of the local server: Neo4j's own ``neo4j-admin database dump|load``.

Neo4j Community dumps and loads only a stopped database, so both stop the local server, run
``org.neo4j.cli.AdminTool`` (what ``bin/neo4j-admin`` runs) on the cached jars, and start the
server again on its ports if it was running. Only the ``neo4j`` database (the history) is
dumped: the ``system`` database holds the password, which stays with this installation.

The archive is Neo4j's dump format: ``neo4j-admin database load`` of any Neo4j 5.26 (or later)
reads it, and ``lineage-graph restore`` reads a dump made by ``neo4j-admin database dump``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInputError, UnavailableError
from .local import LocalServer
from .maven import ensure_jars
from .tools import Progress, find_java, log_progress

DATABASE = "neo4j"
_ADMIN = "org.neo4j.cli.AdminTool"


@dataclass(frozen=True)
class AdminReport:
    """What a backup or restore did."""

    file: Path
    bytes: int
    seconds: float
    restarted: bool


def backup(
    path: Path, *, server: LocalServer | None = None, progress: Progress = log_progress
) -> AdminReport:
    """Dump the local server's ``neo4j`` database into ``path`` (a new or replaced file).

    The dump is written next to ``path`` first and renamed into place when complete, so a
    failed backup never leaves a truncated file under the name given.

    Raises:
        InvalidInputError: the directory of ``path`` does not exist.
        UnavailableError: no local server was ever provisioned here, or the dump failed.
    """
    server = server or LocalServer()
    path = Path(path).expanduser().resolve()
    if not path.parent.is_dir():
        raise InvalidInputError(f"{path.parent} does not exist", field="FILE", value=str(path))
    _require_provisioned(server)
    t0 = time.monotonic()
    scratch = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with server.offline(progress) as state:
        progress(f"Dumping database {DATABASE} to {path}")
        try:
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                _admin(server, ["database", "dump", "--to-stdout", DATABASE], progress,
                       stdout=out)  # fmt: skip
            scratch.replace(path)
        finally:
            scratch.unlink(missing_ok=True)
    return AdminReport(path, path.stat().st_size, time.monotonic() - t0, state is not None)


def restore(
    path: Path, *, server: LocalServer | None = None, progress: Progress = log_progress
) -> AdminReport:
    """Replace the local server's ``neo4j`` database with the dump in ``path``.

    Raises:
        InvalidInputError: ``path`` is not a readable file.
        UnavailableError: no local server was ever provisioned here, or the load failed (the
            database is then as ``neo4j-admin`` left it; its message says why).
    """
    server = server or LocalServer()
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a file", field="FILE", value=str(path))
    _require_provisioned(server)
    t0 = time.monotonic()
    with server.offline(progress) as state, path.open("rb") as dump:
        progress(f"Loading {path} into database {DATABASE}")
        _admin(server, ["database", "load", "--from-stdin", "--overwrite-destination=true",
                        DATABASE], progress, stdin=dump)  # fmt: skip
    return AdminReport(path, path.stat().st_size, time.monotonic() - t0, state is not None)


def _require_provisioned(server: LocalServer) -> None:
    if not server.paths.password_file.is_file() or not (
        server.paths.conf_dir / "neo4j.conf"
    ).is_file():
        raise UnavailableError(
            f"no local Neo4j was set up in {server.paths.server_home}: backup and restore work "
            "on the server `lineage-graph neo4j start` runs (for another server use neo4j-admin "
            "there, or keep a copy with `lineage-graph export json`)"
        )


def _admin(
    server: LocalServer, args: list[str], progress: Progress, **streams: object
) -> None:
    """Run ``neo4j-admin <args>`` on this installation; its error text in one line if it fails."""
    p = server.paths
    java = find_java()
    lib = ensure_jars(p.cache, progress)
    env = {**os.environ, "NEO4J_HOME": str(p.server_home), "NEO4J_CONF": str(p.conf_dir)}
    err_path = p.logs_dir / "admin.log"
    fd = os.open(err_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w+", encoding="utf-8") as err:
        done = subprocess.run(
            [str(java.path), f"-Djava.io.tmpdir={p.server_home / 'tmp'}", "-cp", f"{lib}/*",
             _ADMIN, *args],
            env=env, stderr=err, check=False, umask=0o077, **streams,  # type: ignore[call-overload]
        )  # fmt: skip
        err.seek(0)
        text = err.read()
    if done.returncode != 0:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit {done.returncode}"
        with contextlib.suppress(StopIteration):
            # The first line that names the problem beats a stack trace's last frame.
            reason = next(line for line in lines if not line.startswith(("at ", "...")))
        raise UnavailableError(
            f"neo4j-admin {' '.join(args[:2])} failed: {reason} (log: {err_path})"
        )
