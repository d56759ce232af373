"""The local server never mistakes another program for itself, and keeps its files private.

Issue 14, finding 7: a port taken between its choice and the spawn, a dead or reused pid in
``server.json``, world-readable data. Servers here run in temporary homes and are stopped.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lineage_graph.cli import app
from lineage_graph.errors import UnavailableError
from lineage_graph.server import LocalServer, Paths
from lineage_graph.server.local import _MAIN

# A process that listens on the port given as argv[1] and prints "ready" (an intruder).
LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8)\n"
    "print('ready', flush=True); time.sleep(600)\n"
)


def _proc_start(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[19])


def _record(paths: Paths, pid: int, proc_start: int | None) -> None:
    paths.state.mkdir(parents=True, exist_ok=True)
    paths.state_file.write_text(json.dumps({
        "pid": pid, "bolt_port": 1, "http_port": 2, "version": "5.26.30",
        "server_home": str(paths.server_home), "started_at": 0,
    }))  # fmt: skip
    if proc_start is not None:
        (paths.state / "server.pstart").write_text(f"{pid} {proc_start}\n")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_status_with_a_dead_pid_is_not_running(
    isolated_env: pytest.MonkeyPatch, home: Paths
) -> None:
    done = subprocess.run(["true"], check=True)
    assert done.returncode == 0
    gone = subprocess.Popen(["true"])
    gone.wait()
    _record(home, gone.pid, None)
    assert LocalServer(home).status() is None
    assert not home.state_file.exists()
    # The command says so too, with LSB's "not running" exit code.
    _record(home, gone.pid, None)
    isolated_env.setenv("LINEAGE_GRAPH_HOME", str(home.data_root.parent))
    isolated_env.setenv("LINEAGE_GRAPH_CACHE", str(home.cache))
    result = CliRunner().invoke(app, ["neo4j", "status"])
    assert result.exit_code == 3, result.output
    assert "not running" in result.output


def test_status_rejects_a_reused_pid_with_our_command_line(
    isolated_env: pytest.MonkeyPatch, home: Paths
) -> None:
    # Not java, though its command line names our entry point and home (a reused pid can).
    impostor = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", _MAIN,
         f"--home-dir={home.server_home}"]
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while _MAIN.encode() not in Path(f"/proc/{impostor.pid}/cmdline").read_bytes():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        _record(home, impostor.pid, _proc_start(impostor.pid))
        assert LocalServer(home).status() is None
        assert not home.state_file.exists()
    finally:
        impostor.kill()
        impostor.wait()


def test_start_tightens_an_existing_home(isolated_env: pytest.MonkeyPatch, home: Paths) -> None:
    dbms = home.data_dir / "dbms"
    dbms.mkdir(parents=True, mode=0o755)
    for directory in (home.data_root, home.server_home, home.data_dir, dbms):
        os.chmod(directory, 0o755)
    auth = dbms / "auth.ini"
    auth.write_text("neo4j:secret\n")
    os.chmod(auth, 0o644)
    home.state.mkdir(parents=True, mode=0o755)
    home.password_file.write_text("pw\n")
    os.chmod(home.password_file, 0o644)
    isolated_env.setenv("PATH", str(home.state))  # no java: start fails right after tightening
    isolated_env.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UnavailableError, match="Java"):
        LocalServer(home).start()
    for directory in (home.state, home.data_root, home.server_home, home.data_dir, dbms):
        assert _mode(directory) == 0o700, directory
    assert _mode(auth) == 0o600
    assert _mode(home.password_file) == 0o600


def test_port_taken_between_choice_and_spawn_is_named(
    isolated_env: pytest.MonkeyPatch, home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LocalServer(home)
    intruders: list[subprocess.Popen[str]] = []
    spawn = LocalServer._spawn

    def late_intruder(self: LocalServer, java: str, lib: Path) -> int:
        # Another program takes the Bolt port after it was chosen, before Neo4j binds it.
        port = self._previous_ports()["bolt"]
        intruder = subprocess.Popen([sys.executable, "-c", LISTENER, str(port)],
                                    stdout=subprocess.PIPE, text=True)  # fmt: skip
        intruders.append(intruder)
        assert intruder.stdout is not None and intruder.stdout.readline() == "ready\n"
        return spawn(self, java, lib)

    monkeypatch.setattr(LocalServer, "_spawn", late_intruder)
    try:
        with pytest.raises(UnavailableError) as caught:
            server.start(timeout=120)
    finally:
        for intruder in intruders:
            intruder.kill()
            intruder.wait()
    message = str(caught.value)
    port = server._previous_ports()["bolt"]
    assert f"Bolt port {port}" in message
    assert f"pid {intruders[0].pid}" in message
    assert "--bolt-port" in message and "LINEAGE_GRAPH_BOLT_PORT" in message
    assert "delete" not in message.lower()
    assert "\n" not in message
    assert server.status() is None
    # Our Neo4j does not keep running behind the error.
    home_arg = f"--home-dir={server.paths.server_home}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            assert home_arg not in proc.joinpath("cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
