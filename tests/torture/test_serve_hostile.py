"""``serve`` against hostile clients: every finding of issue 14 on the HTTP endpoint.

Each test once failed: a 1 MB gzip body that expanded to 1 GiB took the server to 2.1 GB; a
web page could write lineage with a form POST; 6 of 200 concurrent POSTs were reset; 300
half-open connections held 300 threads; ``Content-Length: abc`` dropped the connection;
100,000 nested ``[`` answered 500; a non-UTF-8 body logged a traceback; a batch ``[good,
bad]`` answered 400 and kept the good event.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from lineage_graph.errors import InvalidInputError
from lineage_graph.interop.server import LineageServer, ensure_token
from lineage_graph.store.base import Store
from lineage_graph.store.memory import MemoryStore

from .serve_client import event, post, request_bytes, send_raw

LINEAGE = "/api/v1/lineage"
BATCH = "/api/v1/lineage/batch"


def _start(store: Store, **kwargs: object) -> LineageServer:
    srv = LineageServer(store, "127.0.0.1", 0, **kwargs)  # type: ignore[arg-type]
    srv.start_background()
    return srv


def _stop(srv: LineageServer) -> None:
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def server(memory_store: MemoryStore) -> Iterator[LineageServer]:
    srv = _start(memory_store)
    yield srv
    _stop(srv)


def _port(srv: LineageServer) -> int:
    return int(srv.server_address[1])


def _nothing_written(store: Store) -> bool:
    return store.get_executions() == [] and store.get_artifacts() == []


# ---- compression bomb ------------------------------------------------------------------------

_SERVER_SCRIPT = """
import sys
from lineage_graph.interop.server import LineageServer
from lineage_graph.store.memory import MemoryStore
srv = LineageServer(MemoryStore(), "127.0.0.1", 0)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""


def _gzip_bomb(expanded: int) -> bytes:
    # gzip members may follow one another (RFC 1952; gzip.decompress reads them all): one
    # 64 MiB member of JSON whitespace compressed once, repeated.
    member = gzip.compress(b" " * (64 << 20), compresslevel=9)
    return member * (expanded // (64 << 20))


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_gzip_bomb_is_refused_at_the_decompressed_limit() -> None:
    """1 MB of gzip that expands to 1 GiB: 413, and the server's peak memory barely moves."""
    bomb = _gzip_bomb(1 << 30)
    assert len(bomb) < 2 << 20
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        assert send_raw(port, request_bytes("GET", "/api/v1/health")).status == 200
        before = _vm_hwm_kb(proc.pid)
        answer = post(port, bomb, headers={"Content-Encoding": "gzip"})
        after = _vm_hwm_kb(proc.pid)
        assert answer.status == 413, answer.body
        assert "decompressed" in answer.json()["error"]
        growth_mb = (after - before) / 1024
        sys.stderr.write(f"gzip bomb: peak RSS {before // 1024} -> {after // 1024} MB\n")
        # The old server grew by about 2 GB; the limit is 16 MB of output (+ the 1 MB body).
        assert growth_mb < 100, f"peak RSS grew by {growth_mb:.0f} MB"
        assert send_raw(port, request_bytes("GET", "/api/v1/health")).status == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_compressed_bodies_within_the_limit_are_accepted(
    server: LineageServer, memory_store: MemoryStore, coding: str
) -> None:
    raw = json.dumps(event()).encode()
    body = gzip.compress(raw) if coding == "gzip" else zlib.compress(raw)
    assert post(_port(server), body, headers={"Content-Encoding": coding}).status == 201
    assert len(memory_store.get_executions()) == 1
    for bad, status in [(body[:-5], 400), (b"\x1f\x8bnot gzip", 400)]:
        assert post(_port(server), bad, headers={"Content-Encoding": "gzip"}).status == status
    assert post(_port(server), body, headers={"Content-Encoding": "br"}).status == 415


# ---- browsers: origin, content type, host ----------------------------------------------------


def test_cross_origin_writes_are_refused(server: LineageServer, memory_store: MemoryStore) -> None:
    port = _port(server)
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": f"http://localhost:{port}"},  # another origin than the Host's
        {"Sec-Fetch-Site": "cross-site"},
    ):
        answer = post(port, event(), headers=headers)
        assert answer.status == 403, (headers, answer.body)
        assert "error" in answer.json()
    assert _nothing_written(memory_store)
    # A preflight gets no CORS permission, so a browser never sends the write itself.
    pre = send_raw(
        port,
        request_bytes(
            "OPTIONS",
            LINEAGE,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
            length=None,
        ),
    )
    assert pre.status == 403 and "access-control-allow-origin" not in pre.headers
    # The server's own origin (and no Origin at all, as every OpenLineage client) is fine.
    own = post(
        port, event(), headers={"Origin": f"http://127.0.0.1:{port}"}, host=f"127.0.0.1:{port}"
    )
    assert own.status == 201, own.body


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x",
     "application/x-ndjson", "application/json; charset=latin-1"],
)  # fmt: skip
def test_non_json_content_types_are_refused(
    server: LineageServer, memory_store: MemoryStore, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    answer = post(_port(server), event(), headers=headers, content_type=None)
    assert answer.status == 415, answer.body
    assert _nothing_written(memory_store)


@pytest.mark.parametrize("content_type", ["application/json", "Application/JSON; charset=UTF-8"])
def test_json_content_types_are_accepted(server: LineageServer, content_type: str) -> None:
    assert post(_port(server), event(), content_type=content_type).status == 201


def test_host_must_be_this_server(server: LineageServer, memory_store: MemoryStore) -> None:
    port = _port(server)
    rebound = post(port, event(), host=f"attacker.example:{port}")  # DNS rebinding
    assert rebound.status == 421, rebound.body
    assert post(port, event(), host=None).status == 400
    assert _nothing_written(memory_store)
    assert post(port, event(), host=f"localhost:{port}").status == 201


# ---- the token -------------------------------------------------------------------------------


def test_binding_beyond_localhost_needs_a_token(memory_store: MemoryStore) -> None:
    with pytest.raises(InvalidInputError, match="token"):
        LineageServer(memory_store, "0.0.0.0", 0)
    srv = LineageServer(memory_store, "0.0.0.0", 0, token="s3cret-token")
    srv.start_background()
    try:
        port = _port(srv)
        refused = post(port, event())
        assert refused.status == 401 and refused.headers["www-authenticate"] == "Bearer"
        wrong = post(port, event(), headers={"Authorization": "Bearer s3cret-tokeN"})
        assert wrong.status == 401
        assert _nothing_written(memory_store)
        ok = post(port, event(), headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status == 201, ok.body
    finally:
        _stop(srv)


def test_serve_command_refuses_a_public_bind_without_a_token(tmp_path: Path) -> None:
    env = {**os.environ, "LINEAGE_GRAPH_HOME": str(tmp_path), "NEO4J_URI": "bolt://127.0.0.1:9"}
    env.pop("LINEAGE_GRAPH_TOKEN", None)
    env.pop("LINEAGE_GRAPH_API_KEY", None)
    cmd = [sys.executable, "-m", "lineage_graph.cli", "serve", "--host", "0.0.0.0", "--port", "0"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stderr
    assert "--require-token" in done.stderr and "Traceback" not in done.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "lineage_graph.cli", "serve", "--show-token"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    token_file = tmp_path / "state" / "serve-token"
    assert shown.stdout.strip() == token_file.read_text().strip()
    assert token_file.stat().st_mode & 0o777 == 0o600


def test_stored_token_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    token, path = ensure_token(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600 and len(token) >= 32
    assert ensure_token(tmp_path) == (token, path)


# ---- connections -----------------------------------------------------------------------------


def test_200_concurrent_posts_are_all_answered(
    server: LineageServer, memory_store: MemoryStore
) -> None:
    port = _port(server)
    n = 200
    barrier = threading.Barrier(n)
    statuses: list[int | str] = [0] * n
    bodies = [json.dumps(event(str(uuid.uuid4()))).encode() for _ in range(n)]

    def one(i: int) -> None:
        data = request_bytes("POST", LINEAGE, bodies[i], {"Content-Type": "application/json"})
        barrier.wait()
        try:
            statuses[i] = send_raw(port, data, timeout=120).status
        except OSError as exc:
            statuses[i] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = [s for s in statuses if s != 201]
    assert failed == [], f"{len(failed)} of {n} not accepted: {failed[:5]}"
    assert len(memory_store.get_executions()) == n


def test_300_half_open_connections_hold_no_threads(
    server: LineageServer, memory_store: MemoryStore
) -> None:
    port = _port(server)
    threads_before = threading.active_count()
    socks = []
    try:
        for i in range(300):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(f"POST {LINEAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {i}".encode())
            socks.append(s)
        ok = post(port, event())
        assert ok.status == 201, ok.body
        grown = threading.active_count() - threads_before
        assert grown <= 2, f"{grown} more threads with 300 half-open connections"
    finally:
        for s in socks:
            s.close()
    assert len(memory_store.get_executions()) == 1


def test_stalled_bodies_time_out_and_others_still_get_through(memory_store: MemoryStore) -> None:
    srv = _start(memory_store, workers=4, body_timeout=0.5, header_timeout=1.0)
    port = _port(srv)
    socks = []
    try:
        for _ in range(8):  # twice the workers: all of them stuck on a body that never comes
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(
                request_bytes("POST", LINEAGE, b"", {"Content-Type": "application/json"},
                              length="100")
            )  # fmt: skip
            socks.append(s)
        ok = post(port, event())
        assert ok.status == 201, ok.body
        for s in socks:  # each is told, not just dropped
            head = s.recv(4096)
            assert head.startswith(b"HTTP/1.1 408"), head
        # Partial headers that never finish: 408 as well, after header_timeout.
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"POST /api/v1/lineage HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(s)
        assert s.recv(4096).startswith(b"HTTP/1.1 408")
    finally:
        for s in socks:
            s.close()
        _stop(srv)


@pytest.mark.parametrize(
    ("values", "status"),
    [(["abc"], 400), (["-1"], 400), (["+5"], 400), ([" 5_0"], 400), (["5", "6"], 400),
     ([], 411), (["99999999999"], 413)],
)  # fmt: skip
def test_bad_content_length_is_answered(
    server: LineageServer, memory_store: MemoryStore, values: list[str], status: int
) -> None:
    headers = [("Content-Type", "application/json")] + [("Content-Length", v) for v in values]
    body = json.dumps(event()).encode()
    answer = send_raw(_port(server), request_bytes("POST", LINEAGE, body, headers, length=None))
    assert answer.status == status, answer.body
    assert "error" in answer.json()
    assert _nothing_written(memory_store)


def test_keep_alive_connection_serves_several_requests(server: LineageServer) -> None:
    with requests.Session() as s:
        for i in range(5):
            r = s.post(f"{server.url}{LINEAGE}", json=event(str(uuid.uuid4())), timeout=30)
            assert r.status_code == 201, (i, r.text)
        r = s.post(f"{server.url}{LINEAGE}", data=b"{", timeout=30,
                   headers={"Content-Type": "application/json"})  # fmt: skip
        assert r.status_code == 400
        assert s.get(f"{server.url}/api/v1/health", timeout=30).json() == {"status": "ok"}


# ---- bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"a":' * 100_000, b'{"run": ' + b"[" * 65 + b"]" * 65 + b"}",
     json.dumps({**event(), "run": {"runId": str(uuid.uuid4()), "facets": {"x": [[[[[[[[]]]]]]]]}},
                "deep": "[[[[" * 100}).encode().replace(b'"x": [', b'"x": ' + b"[" * 70)],
    ids=["100k-arrays", "100k-objects", "66-levels", "deep-facet-brackets-in-strings"],
)  # fmt: skip
def test_deep_nesting_is_a_400(
    server: LineageServer, memory_store: MemoryStore, body: bytes
) -> None:
    answer = post(_port(server), body)
    assert answer.status == 400, answer.body
    assert _nothing_written(memory_store)


def test_brackets_inside_strings_do_not_count(server: LineageServer) -> None:
    e = event(producer="[" * 5000 + '\\"{' * 100)
    assert post(_port(server), e).status == 201


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b'{"eventTime": "\xc3\x28"}', b"\xed\xa0\x80"],
    ids=["bom", "bad", "surrogate"],
)
def test_non_utf8_body_is_a_400(
    server: LineageServer, memory_store: MemoryStore, body: bytes
) -> None:
    answer = post(_port(server), body)
    assert answer.status == 400 and "UTF-8" in answer.json()["error"]
    assert _nothing_written(memory_store)


def test_batch_with_a_bad_event_writes_nothing(store: Store) -> None:
    srv = _start(store)
    try:
        good = event(str(uuid.uuid4()))
        bad = event(str(uuid.uuid4()), job={"namespace": "ns"})
        answer = post(_port(srv), [good, bad], path=BATCH)
        assert answer.status == 400, answer.body
        doc = answer.json()
        assert doc["index"] == 1 and doc["field"] == "job.name"
        assert "event 1" in doc["error"]
        assert _nothing_written(store)
        again = post(_port(srv), [good, event(str(uuid.uuid4()))], path=BATCH)
        assert again.status == 201 and len(again.json()["results"]) == 2
        assert len(store.get_executions()) == 2
    finally:
        _stop(srv)


# ---- the log ---------------------------------------------------------------------------------


def test_each_refusal_is_one_log_line_without_traceback(
    server: LineageServer, caplog: pytest.LogCaptureFixture
) -> None:
    port = _port(server)
    hostile = [
        request_bytes("POST", LINEAGE, b"{}", {"Content-Type": "application/json"}, length="abc"),
        request_bytes("POST", LINEAGE, b"[" * 100_000, {"Content-Type": "application/json"}),
        request_bytes("POST", LINEAGE, b"\xff", {"Content-Type": "application/json"}),
        request_bytes("POST", LINEAGE, b"{}", {"Content-Type": "text/plain"}),
        request_bytes("POST", LINEAGE, b"{}", {"Origin": "http://evil.example"}),
        request_bytes("BREW", "/coffee", b""),
        b"GARBAGE\r\n\r\n",
        b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n",
    ]
    caplog.set_level(logging.INFO, logger="lineage_graph.interop.server")
    for data in hostile:
        answer = send_raw(port, data)
        assert 400 <= answer.status < 500, (data[:40], answer.status, answer.body)
        assert "error" in answer.json()
    deadline = time.monotonic() + 5
    while len(caplog.records) < len(hostile) and time.monotonic() < deadline:
        time.sleep(0.05)
    records = [r for r in caplog.records if r.name == "lineage_graph.interop.server"]
    assert len(records) == len(hostile), [r.getMessage() for r in records]
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in records)
