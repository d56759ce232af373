"""The local Neo4j server: configure, set its password, start in the background, stop.

The server is Neo4j's own entry point (``org.neo4j.server.CommunityEntryPoint``, what
``neo4j console`` runs) on the cached jars, listening on 127.0.0.1 only. Its pid, ports and
version are recorded in ``server.json`` in the state directory; a record whose process is gone
(or is not our server any more: another command line, or a reused pid with another start time)
is stale and gets removed. Start and stop hold a file lock so that concurrent callers (a test
session, a CLI) never start two servers on one data directory.

Ports are chosen right before the server is spawned (after the download and the password
setup), and the server is ready only when Bolt answers with our password from a socket our
process holds: if another program (another user's Neo4j, another ``LINEAGE_GRAPH_HOME``) took
the port meanwhile, start stops and names it. The state and data directories are 0700 (tightened
on every start) and everything in them 0600: the server runs with umask 077.

Environment:
    LINEAGE_GRAPH_BOLT_PORT / LINEAGE_GRAPH_HTTP_PORT: ports to use (must be free).
    LINEAGE_GRAPH_START_TIMEOUT: seconds to wait for Bolt (default 180).
    LINEAGE_GRAPH_HEAP: JVM max heap (default ``1g``); LINEAGE_GRAPH_PAGECACHE (default ``512m``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..errors import AuthenticationError, UnavailableError
from ..grass import post_connect_line
from ..target import Neo4jTarget, Source
from . import sockets
from .maven import NEO4J_VERSION, ensure_jars
from .paths import Paths
from .probe import bolt_version, http_version
from .tools import Progress, find_java, log_progress

USER = "neo4j"
DEFAULT_BOLT, DEFAULT_HTTP = 7687, 7474
BOLT_ENV, HTTP_ENV = "LINEAGE_GRAPH_BOLT_PORT", "LINEAGE_GRAPH_HTTP_PORT"
TIMEOUT_ENV = "LINEAGE_GRAPH_START_TIMEOUT"
_MAIN = "org.neo4j.server.CommunityEntryPoint"
_LISTEN = re.compile(r"^server\.(bolt|http)\.listen_address=127\.0\.0\.1:(\d+)$", re.MULTILINE)
# JVM flags `neo4j console` passes (from neo4j.conf's server.jvm.additional); launching the
# entry point directly skips that launcher, so they are given here.
_JVM_FLAGS = (
    "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields", "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024", "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true", "-Dfile.encoding=UTF-8",
)  # fmt: skip


@dataclass(frozen=True)
class ServerState:
    """What ``server.json`` records about a started server."""

    pid: int
    bolt_port: int
    http_port: int
    version: str
    server_home: str
    started_at: float
    #: The process's start time (clock ticks after boot, ``/proc/<pid>/stat``): a pid reused
    #: by another process after a reboot or a crash does not match it. None where unknown.
    proc_start: int | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        # `dbms=` points the Browser at our Bolt port and pre-fills the user name.
        return f"http://127.0.0.1:{self.http_port}/browser/?dbms=bolt://{USER}@127.0.0.1:{self.bolt_port}"


class LocalServer:
    """The one local server of an installation (see ``Paths``)."""

    def __init__(self, paths: Paths | None = None) -> None:
        self.paths = paths or Paths.from_env()

    # ---- reading state -------------------------------------------------------------------

    def status(self) -> ServerState | None:
        """The recorded server if its process is alive and ours; a stale record is removed.

        Ours: the process runs Neo4j's entry point on this home directory and, where the
        system tells, started when the record says (so a reused pid is not taken for it).
        """
        state = self._read_state()
        if state is None:
            return None
        if (
            _alive(state.pid)
            and _is_ours(state.pid, self.paths.server_home)
            and (state.proc_start is None or _proc_start(state.pid) in (None, state.proc_start))
        ):
            return state
        self.paths.state_file.unlink(missing_ok=True)
        return None

    def password(self) -> str:
        """The generated password of user ``neo4j``.

        Raises:
            UnavailableError: the server was never provisioned here.
        """
        try:
            return self.paths.password_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise UnavailableError(
                f"no password at {self.paths.password_file}: the local server was never "
                "provisioned here; run `lineage-graph neo4j start`"
            ) from None

    def target(self, state: ServerState, source: Source = "local") -> Neo4jTarget:
        """Connection details for a recorded server."""
        return Neo4jTarget(
            uri=state.uri, user=USER, password=self.password(),
            browser_url=state.browser_url, source=source,
        )  # fmt: skip

    def running_target(self) -> Neo4jTarget | None:
        """The recorded server if it is alive and Bolt answers with our password, else None.

        Raises:
            UnavailableError: it runs but refuses our password (the data dir was reset by hand).
        """
        state = self.status()
        if state is None:
            return None
        target = self.target(state)
        try:
            bolt_version(target.uri, target.user, target.password, timeout=3.0)
        except AuthenticationError:
            raise UnavailableError(self._refused(state)) from None
        except UnavailableError:
            return None
        return target

    def log_tail(self, lines: int = 20, *, debug: bool = False) -> list[str]:
        """The last non-blank lines of the console log (or ``debug.log``); [] if there is none."""
        path = self.paths.logs_dir / "debug.log" if debug else self.paths.console_log
        try:
            with open(path, "rb") as log:
                log.seek(0, os.SEEK_END)
                # Enough bytes for the lines asked for, without reading a huge log whole.
                log.seek(max(0, log.tell() - max(64 * 1024, lines * 1024)))
                text = log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return [line for line in text.splitlines() if line.strip()][-lines:] if lines > 0 else []

    # ---- start / stop --------------------------------------------------------------------

    def start(
        self,
        *,
        bolt_port: int | None = None,
        http_port: int | None = None,
        timeout: float | None = None,
        progress: Progress = log_progress,
    ) -> tuple[ServerState, bool]:
        """Start the server unless it already runs; wait until Bolt answers.

        Args:
            bolt_port: Bolt port (default: env, 7687, the previous port, or a free one).
            http_port: HTTP/Browser port (same defaults, 7474).
            timeout: seconds to wait for Bolt (default: env ``LINEAGE_GRAPH_START_TIMEOUT`` or 180).
            progress: receives one line per step.

        Returns:
            The server's state and whether this call started it (False: it was running).

        Raises:
            UnavailableError: Java/Maven missing, download failed, a requested port is taken,
                the server exited or did not answer in time (the message has the log tail).
        """
        with self._lock():
            return self._start_locked(bolt_port, http_port, timeout, progress)

    def _start_locked(
        self, bolt_port: int | None, http_port: int | None, timeout: float | None,
        progress: Progress,
    ) -> tuple[ServerState, bool]:  # fmt: skip
        self._tighten()
        running = self.status()
        if running is not None:
            self._wait_ready(running, None, _timeout(timeout))
            return running, False
        java = find_java()
        # Requested ports are checked now (an error before minutes of download) ...
        self._write_conf(*self._choose_ports(bolt_port, http_port))
        lib = ensure_jars(self.paths.cache, progress)
        password = self._ensure_password(str(java.path), lib, progress)
        # ... and chosen again just before the spawn: the download and the password setup
        # take long enough for another program to take a port that was free.
        bolt, http = self._choose_ports(bolt_port, http_port)
        self._write_conf(bolt, http)
        progress(f"Starting Neo4j {NEO4J_VERSION} on bolt://127.0.0.1:{bolt}")
        pid = self._spawn(str(java.path), lib)
        state = ServerState(
            pid, bolt, http, NEO4J_VERSION, str(self.paths.server_home), time.time(),
            _proc_start(pid),
        )  # fmt: skip
        self._write_state(state)
        self._wait_ready(state, password, _timeout(timeout))
        version = http_version(http) or NEO4J_VERSION
        if version != state.version:
            state = replace(state, version=version)
            self._write_state(state)
        return state, True

    def stop(self, timeout: float = 60.0) -> ServerState | None:
        """Stop the server cleanly (SIGTERM; SIGKILL after ``timeout`` s).

        Returns:
            The state of the server that was stopped, or None if none was running.
        """
        with self._lock():
            state = self.status()
            if state is None:
                return None
            _terminate(state.pid, timeout)
            self.paths.state_file.unlink(missing_ok=True)
            return state

    @contextlib.contextmanager
    def offline(self, progress: Progress = log_progress) -> Iterator[ServerState | None]:
        """Hold the server stopped (for ``neo4j-admin`` dump/load), then start it if it ran.

        Holds the start/stop lock throughout, so nothing starts the server meanwhile. The
        server comes back on the ports it had.

        Yields:
            The state of the server that was stopped, or None if none was running.
        """
        with self._lock():
            state = self.status()
            if state is not None:
                progress(f"Stopping Neo4j (pid {state.pid})")
                _terminate(state.pid, 60.0)
                self.paths.state_file.unlink(missing_ok=True)
            try:
                yield state
            finally:
                if state is not None:
                    self._start_locked(state.bolt_port, state.http_port, None, progress)

    # ---- internals -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        _private_dir(self.paths.state)
        with open(self.paths.lock_file, "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _read_state(self) -> ServerState | None:
        try:
            raw = json.loads(self.paths.state_file.read_text(encoding="utf-8"))
            known = {f.name for f in fields(ServerState)}
            state = ServerState(**{k: v for k, v in raw.items() if k in known})
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # A half-written or foreign file is as good as none.
            self.paths.state_file.unlink(missing_ok=True)
            return None
        try:
            pid, start = self._marker_file.read_text(encoding="utf-8").split()
            if int(pid) == state.pid:
                state = replace(state, proc_start=int(start))
        except (OSError, ValueError):
            pass
        return state

    @property
    def _marker_file(self) -> Path:
        # Beside server.json, not in it: versions before the marker reject unknown keys there
        # (and would drop the record of a running server).
        return self.paths.state / "server.pstart"

    def _write_state(self, state: ServerState) -> None:
        doc = asdict(state)
        marker = doc.pop("proc_start")
        if marker is not None:
            _write_private(self._marker_file, f"{state.pid} {marker}\n")
        scratch = self.paths.state_file.with_suffix(".tmp")
        _write_private(scratch, json.dumps(doc, indent=2) + "\n")
        scratch.replace(self.paths.state_file)

    def _tighten(self) -> None:
        """State and data directories 0700, their files 0600 (homes made before this rule)."""
        p = self.paths
        _private_dir(p.state)
        _private_dir(p.data_root)
        _private_dir(p.server_home)
        for top in (p.state, p.server_home):
            for root, dirs, files in os.walk(top):
                for name in dirs:
                    _restrict(Path(root, name), 0o700)
                for name in files:
                    _restrict(Path(root, name), 0o600)

    def _choose_ports(self, bolt: int | None, http: int | None) -> tuple[int, int]:
        bolt = bolt if bolt is not None else _env_port(BOLT_ENV)
        http = http if http is not None else _env_port(HTTP_ENV)
        for port, what, env, flag in ((bolt, "Bolt", BOLT_ENV, "--bolt-port"),
                                      (http, "HTTP", HTTP_ENV, "--http-port")):  # fmt: skip
            if port is not None and not _port_free(port):
                raise UnavailableError(
                    f"{what} port {port} is already in use on 127.0.0.1: stop what uses it or "
                    f"choose another port ({flag} or {env})"
                )
        previous = self._previous_ports()
        taken: set[int] = {p for p in (bolt, http) if p is not None}
        if bolt is None:
            bolt = _pick_port((DEFAULT_BOLT, previous.get("bolt")), taken)
            taken.add(bolt)
        if http is None:
            http = _pick_port((DEFAULT_HTTP, previous.get("http")), taken)
        if bolt == http:
            raise UnavailableError(f"Bolt and HTTP cannot share port {bolt}")
        return bolt, http

    def _previous_ports(self) -> dict[str, int]:
        # After the defaults, last time's ports: bookmarked Browser URLs keep working.
        try:
            text = (self.paths.conf_dir / "neo4j.conf").read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        return {kind: int(port) for kind, port in _LISTEN.findall(text)}

    def _write_conf(self, bolt: int, http: int) -> None:
        p = self.paths
        for directory in (p.data_root, p.server_home, p.conf_dir, p.data_dir, p.logs_dir,
                          p.run_dir):  # fmt: skip
            _private_dir(directory)
        lines = [
            "# Written by lineage-graph on every start; edits are overwritten.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address=127.0.0.1:{bolt}",
            f"server.bolt.advertised_address=127.0.0.1:{bolt}",
            "server.http.enabled=true",
            f"server.http.listen_address=127.0.0.1:{http}",
            f"server.http.advertised_address=127.0.0.1:{http}",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            "client.allow_telemetry=false",
            f"server.memory.pagecache.size={os.environ.get('LINEAGE_GRAPH_PAGECACHE', '512m')}",
            f"server.directories.data={p.data_dir}",
            f"server.directories.logs={p.logs_dir}",
            f"server.directories.run={p.run_dir}",
            # Guides and styles served by lineage-graph itself come from this machine.
            "browser.remote_content_hostname_whitelist=guides.neo4j.com,localhost,127.0.0.1",
            # The lineage style, applied inline by the Browser after every connect.
            post_connect_line(),
            # Log slow queries only: a benchmark would otherwise write every statement.
            "db.logs.query.enabled=INFO",
            "db.logs.query.threshold=1s",
        ]
        scratch = p.conf_dir / "neo4j.conf.tmp"
        _write_private(scratch, "\n".join(lines) + "\n")
        scratch.replace(p.conf_dir / "neo4j.conf")

    def _ensure_password(self, java: str, lib: Path, progress: Progress) -> str:
        p = self.paths
        if p.password_file.is_file():
            return self.password()
        if (p.data_dir / "databases" / "system").exists():
            raise UnavailableError(
                f"the databases in {p.data_dir} were created with a password lineage-graph no "
                f"longer has ({p.password_file} is missing): restore that file from a backup "
                "(one line: the password of user neo4j); the databases are left untouched"
            )
        progress("Setting the initial password")
        # Letters first: picocli would read a leading '-' as an option.
        password = "lg" + secrets.token_urlsafe(24)
        fd = os.open(p.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(password + "\n")
        os.chmod(p.password_file, 0o600)
        # `@file` makes picocli read the argument from the (0600) file, so the password
        # never appears on a command line where `ps` could show it.
        env = {**os.environ, "NEO4J_HOME": str(p.server_home), "NEO4J_CONF": str(p.conf_dir)}
        done = subprocess.run(
            [java, "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", "dbms",
             "set-initial-password", f"@{p.password_file}"],
            env=env, capture_output=True, text=True, timeout=300, check=False, umask=0o077,
        )  # fmt: skip
        if done.returncode != 0:
            p.password_file.unlink(missing_ok=True)
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise UnavailableError(
                "setting the initial Neo4j password failed: "
                + (detail[-1] if detail else f"exit {done.returncode}")
            )
        return password

    def _spawn(self, java: str, lib: Path) -> int:
        p = self.paths
        heap = os.environ.get("LINEAGE_GRAPH_HEAP", "1g")
        tmp = p.server_home / "tmp"
        _private_dir(tmp)
        argv = [
            java, "-Xms512m", f"-Xmx{heap}", *_JVM_FLAGS,
            f"-XX:ErrorFile={p.logs_dir}/hs_err_pid%p.log",
            # Jetty unpacks the Browser into java.io.tmpdir; keep that out of /tmp.
            f"-Djava.io.tmpdir={tmp}",
            "-cp", f"{lib}/*", _MAIN,
            f"--home-dir={p.server_home}", f"--config-dir={p.conf_dir}", "--console-mode",
        ]  # fmt: skip
        fd = os.open(p.console_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            log.write(f"---- lineage-graph start {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(p.console_log), os.O_WRONLY | os.O_APPEND, 0),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        # A new session: the server outlives this process and ignores its terminal's Ctrl-C.
        # posix_spawn rather than Popen: no Popen object left to warn about a running child.
        # The shell only sets umask 077 (what Neo4j writes - auth.ini, stores, logs - is
        # private) and execs java, so the pid is the server's.
        return os.posix_spawn(
            "/bin/sh", ["/bin/sh", "-c", 'umask 077 && exec "$0" "$@"', *argv],
            dict(os.environ), file_actions=actions, setsid=True,
            setsigdef=(signal.SIGINT, signal.SIGTERM, signal.SIGHUP),
        )  # fmt: skip

    def _wait_ready(self, state: ServerState, password: str | None, timeout: float) -> None:
        password = password if password is not None else self.password()
        deadline = time.monotonic() + timeout
        while True:
            if not _alive(state.pid):
                self.paths.state_file.unlink(missing_ok=True)
                taken = self._ports_taken(state)
                raise UnavailableError(
                    f"Neo4j exited during startup: {taken}" if taken
                    else f"Neo4j exited during startup; {self._tail_hint()}"
                )  # fmt: skip
            # Whatever answers must be our process: another program may hold the port.
            if sockets.held_by(state.bolt_port, state.pid) is False:
                self._abandon(state)
                raise UnavailableError(self._ports_taken(state) or self._refused(state))
            try:
                bolt_version(state.uri, USER, password, timeout=2.0)
                if sockets.held_by(state.bolt_port, state.pid) is not False:
                    return
            except AuthenticationError:
                if sockets.held_by(state.bolt_port, state.pid) is False:
                    self._abandon(state)
                    raise UnavailableError(
                        self._ports_taken(state) or self._refused(state)
                    ) from None
                raise UnavailableError(self._refused(state)) from None
            except UnavailableError:
                pass
            if time.monotonic() > deadline:
                hint = self._tail_hint()  # before stopping it adds its shutdown lines
                _terminate(state.pid, 30.0)
                self.paths.state_file.unlink(missing_ok=True)
                raise UnavailableError(
                    f"Neo4j did not answer on {state.uri} within {timeout:g} s and was "
                    f"stopped (raise {TIMEOUT_ENV} on a slow machine); {hint}"
                )
            time.sleep(0.5)

    def _abandon(self, state: ServerState) -> None:
        # Our server could not have the port: stop it (it would only fail to bind).
        _terminate(state.pid, 30.0)
        self.paths.state_file.unlink(missing_ok=True)

    def _ports_taken(self, state: ServerState) -> str | None:
        """Which of the server's ports another process listens on, and how to choose others."""
        for port, what, env, flag in (
            (state.bolt_port, "Bolt", BOLT_ENV, "--bolt-port"),
            (state.http_port, "HTTP", HTTP_ENV, "--http-port"),
        ):
            if sockets.held_by(port, state.pid) is False:
                owner = sockets.describe(port) or "another process"
                return (
                    f"{what} port {port} was free when chosen but is now taken by {owner}; "
                    f"start again to pick a free port, or choose one with {flag} or {env}; "
                    f"the data in {self.paths.data_dir} is untouched"
                )
        return None

    def _refused(self, state: ServerState) -> str:
        return (
            f"the Neo4j answering on {state.uri} (pid {state.pid}, data {self.paths.data_dir}) "
            f"refuses the password in {self.paths.password_file}: that file does not match "
            "the databases (restored from another machine, or edited?); put the right password "
            "in it, or stop this server (`lineage-graph neo4j stop`) and start it with other "
            "ports (--bolt-port/--http-port) if another program answers there; the databases "
            "are left untouched"
        )

    def _tail_hint(self) -> str:
        tail = self.log_tail(4)
        shown = " | ".join(line.strip()[:200] for line in tail) if tail else "(log is empty)"
        return f"last log lines: {shown} (full log: {self.paths.console_log})"


# ---- process and port helpers ----------------------------------------------------------------


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    raw = os.environ.get(TIMEOUT_ENV, "180")
    try:
        return float(raw)
    except ValueError:
        raise UnavailableError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None


def _env_port(name: str) -> int | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UnavailableError(f"{name}={raw!r} is not a TCP port number")
    return int(raw)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As Netty binds: a port left in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick_port(preferred: tuple[int | None, ...], taken: set[int]) -> int:
    for port in preferred:
        if port is not None and port not in taken and _port_free(port):
            return port
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in taken:
            return port


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; reaps it if it is our exited child (so it is not a zombie)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True  # no /proc (macOS): kill(0) is all we know
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_ours(pid: int, server_home: Path) -> bool:
    """Guards against pid reuse: the process must be Neo4j running on our home directory."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return False
    homes = {f"--home-dir={home}".encode() for home in (server_home, server_home.resolve())}
    if _MAIN.encode() not in cmdline or homes.isdisjoint(cmdline):
        return False
    try:
        exe = Path(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return True  # another user's process hides its binary; the command line matched
    # Our java, or the shell that execs it in the instant after the spawn.
    return exe.name.startswith("java") or exe == Path("/bin/sh").resolve()


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM (Neo4j shuts down cleanly), then SIGKILL after ``timeout`` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.2)
    if _alive(pid):
        raise UnavailableError(f"could not stop Neo4j (pid {pid}); kill it by hand")


def _proc_start(pid: int) -> int | None:
    """The process's start time in clock ticks after boot (``/proc/<pid>/stat`` field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        return int(stat.rsplit(")", 1)[-1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _restrict(path, 0o700)


def _restrict(path: Path, most: int) -> None:
    """Clear the group and other bits (``most``: the widest mode allowed); symlinks are left."""
    with contextlib.suppress(OSError):
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) & ~most:
            os.chmod(path, stat.S_IMODE(info.st_mode) & most)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)
