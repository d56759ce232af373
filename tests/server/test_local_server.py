"""The local server's own behaviour: cache, stale records, ports, start timeout."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from lineage_graph.errors import UnavailableError
from lineage_graph.server import NEO4J_VERSION, LocalServer, Paths
from lineage_graph.server.maven import BROWSER_VERSION, cached_lib


def test_jar_cache_is_complete(jar_cache: Path) -> None:
    lib = cached_lib(jar_cache)
    assert lib is not None
    for jar in (f"neo4j-server-{NEO4J_VERSION}.jar", f"neo4j-browser-{BROWSER_VERSION}.jar"):
        assert (lib / jar).is_file()


def test_stale_record_is_removed(isolated_env: pytest.MonkeyPatch, home: Paths) -> None:
    server = LocalServer(home)
    server.paths.state.mkdir(parents=True)
    # A live pid that is not our server (this very test process) counts as stale too.
    for pid in (os.getpid(), 2**22 + 1):
        server.paths.state_file.write_text(
            f'{{"pid": {pid}, "bolt_port": 1, "http_port": 2, "version": "5.26.30", '
            f'"server_home": "{server.paths.server_home}", "started_at": 0}}'
        )
        assert server.status() is None
        assert not server.paths.state_file.exists()
    server.paths.state_file.write_text("{not json")
    assert server.status() is None
    assert server.stop() is None


def test_requested_port_in_use_is_refused(isolated_env: pytest.MonkeyPatch, home: Paths) -> None:
    server = LocalServer(home)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(UnavailableError, match=f"Bolt port {port} is already in use"):
            server.start(bolt_port=port)
        isolated_env.setenv("LINEAGE_GRAPH_HTTP_PORT", str(port))
        with pytest.raises(UnavailableError, match="LINEAGE_GRAPH_HTTP_PORT"):
            server.start()
    assert server.status() is None


def test_start_timeout_stops_the_server_and_shows_the_log(
    isolated_env: pytest.MonkeyPatch, home: Paths, free_port: Callable[[], int]
) -> None:
    server = LocalServer(home)
    with pytest.raises(UnavailableError) as caught:
        server.start(bolt_port=free_port(), http_port=free_port(), timeout=0.5)
    message = str(caught.value)
    assert "did not answer" in message and "LINEAGE_GRAPH_START_TIMEOUT" in message
    assert str(server.paths.console_log) in message
    assert server.status() is None
    # Nothing of it keeps running.
    home_arg = f"--home-dir={server.paths.server_home}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            assert home_arg not in proc.joinpath("cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
