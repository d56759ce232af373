"""``lineage-graph serve``: the OpenLineage HTTP endpoint, ``POST /api/v1/lineage``.

This is where the OpenLineage HTTP transport posts by default (``url`` + ``api/v1/lineage``).
Also ``POST /api/v1/lineage/batch`` (a JSON array) and ``GET /api/v1/health``.

* 201 ``{"status": "accepted", ...}`` for an accepted event (replays are idempotent);
* 400 ``{"error": "<reason>", "field": "<json path>"}`` for a malformed one (nothing written);
  a batch is one transaction: one bad event (``"index"`` names it), found when it is checked
  or only when it is written, and none is written;
* 401 when a token is configured and ``Authorization: Bearer <token>`` differs;
* 403 a browser's cross-origin request (``Origin`` not this server's own);
* 421 a ``Host`` this server does not answer to (DNS rebinding); 400 none;
* 404 / 405 / 408 / 411 / 413 / 415 / 431 for wrong paths, methods, slow clients, no
  ``Content-Length``, oversize bodies (16 MB, after decompression too), a Content-Type other
  than ``application/json``, oversize headers;
* 503 when the database fails or the server is full (the client's retry policy may try again).

Every refusal is one JSON answer ``{"error": ...}`` and one log line; only a bug of ours
logs a traceback (and answers 500). The checks are ``http_limits``.

Bodies may be gzip-compressed (``Content-Encoding: gzip``, the client's ``compression``).
Binds 127.0.0.1 by default; another address needs a token (``LineageServer`` refuses to start
without one), because anyone who reaches the port could write lineage.

Connections: one thread accepts and reads request headers for every open connection with a
selector, so slow or half-open clients cost a socket, not a thread; a request whose headers
are complete goes to a fixed pool of worker threads. Timeouts bound how long a connection may
take to send its headers (``header_timeout``) and each read of its body (``body_timeout``).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import queue
import resource
import secrets
import selectors
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from ..errors import BackendError, InvalidInputError, UnavailableError, UserError
from ..store.base import Store
from . import http_limits as lim
from .http_limits import HttpRefusal
from .openlineage import BatchWriteError, OpenLineageIngest, loads_event, parse_event

LINEAGE_PATH = "/api/v1/lineage"
BATCH_PATH = "/api/v1/lineage/batch"
HEALTH_PATH = "/api/v1/health"
MAX_BODY = lim.MAX_BODY
MAX_HEADER = 64 * 1024
TOKEN_FILE = "serve-token"
log = logging.getLogger(__name__)

__all__ = [
    "BATCH_PATH",
    "HEALTH_PATH",
    "LINEAGE_PATH",
    "MAX_BODY",
    "LineageServer",
    "ensure_token",
]


def ensure_token(state_dir: Path | None = None) -> tuple[str, Path]:
    """The stored ``serve`` token, made on first use (0600, like the Neo4j password).

    Args:
        state_dir: where to keep it (default: the state directory, ``server.paths``).

    Returns:
        The token and its file.
    """
    if state_dir is None:
        from ..server.paths import Paths

        state_dir = Paths.from_env().state
    path = state_dir / TOKEN_FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token, path
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    os.chmod(path, 0o600)
    return token, path


def _max_connections(wanted: int) -> int:
    # Every open connection is a file descriptor: stay well inside the process's limit.
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft // 2))


class LineageServer(socketserver.TCPServer):
    """An HTTP server bound to a store. ``serve_forever()`` to run, ``shutdown()`` and
    ``server_close()`` to stop.

    Args:
        store: where events go.
        host: address to bind; anything but a loopback address needs ``token``.
        port: 0 for a free port.
        token: require ``Authorization: Bearer <token>`` on every POST.
        api_key: the former name of ``token``.
        allowed_hosts: more names clients may use in ``Host`` (IP addresses, localhost
            names, the bound name and this machine's names are always allowed).
        workers: threads that handle requests.
        header_timeout: seconds a connection may take to send a request's headers (or stay
            idle between requests).
        body_timeout: seconds any one read of a body may wait.
        request_timeout: seconds a whole request may take to arrive once its headers have.
        max_connections: open connections kept at once; more are answered 503.

    Raises:
        InvalidInputError: a non-loopback ``host`` without a token.
        UnavailableError: the address cannot be bound (taken, or not this machine's).

    Example::

        srv = LineageServer(store, "127.0.0.1", 0)
        srv.start_background()   # POST events to srv.url + "/api/v1/lineage"
    """

    allow_reuse_address = True
    request_queue_size = 1024  # the listen backlog: bursts of clients are queued, not reset

    def __init__(
        self,
        store: Store,
        host: str = "127.0.0.1",
        port: int = 5000,
        *,
        token: str | None = None,
        api_key: str | None = None,
        allowed_hosts: tuple[str, ...] | list[str] = (),
        workers: int = 16,
        header_timeout: float = 10.0,
        body_timeout: float = 30.0,
        request_timeout: float = 120.0,
        max_connections: int = 1000,
    ) -> None:
        token = token or api_key or None
        if token is None and not lim.is_loopback(host):
            raise InvalidInputError(
                f"serving on {host} lets any host that reaches it write lineage: give a token "
                "(--token, or --require-token for the stored one)",
                field="token",
            )
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        try:
            super().__init__((host.strip("[]"), port), _Handler)
        except OSError as exc:
            raise UnavailableError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from exc
        self.ingest = OpenLineageIngest(store)
        self.token = token
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.request_timeout = request_timeout
        self.allowed_hosts = self._names(host, allowed_hosts)
        self._conns = _Connections(self, _max_connections(max_connections))
        self._work: queue.Queue[_Pending | None] = queue.Queue(maxsize=4096)
        self._threads = [
            threading.Thread(target=self._conns.run, name="lineage-serve-io", daemon=True)
        ]
        self._threads += [
            threading.Thread(target=self._worker, name=f"lineage-serve-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _names(host: str, extra: tuple[str, ...] | list[str]) -> frozenset[str]:
        names = {h.strip().rstrip(".").lower() for h in extra if h.strip()}
        names.add(host.strip("[]").lower())
        with contextlib.suppress(OSError):
            names.add(socket.gethostname().lower())
            names.add(socket.getfqdn().lower())
        return frozenset(names)

    @property
    def url(self) -> str:
        """The base URL to give an OpenLineage client (``HttpConfig(url=...)``)."""
        host, port = self.server_address[:2]
        text = str(host)
        if ":" in text:
            text = f"[{text}]"
        return f"http://{text}:{port}"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, embedding); returns the thread."""
        thread = threading.Thread(target=self.serve_forever, name="lineage-serve", daemon=True)
        thread.start()
        return thread

    # ---- socketserver hooks ----------------------------------------------------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        # Not a thread per connection: the selector thread reads the headers.
        self._conns.add(_Pending(request, client_address, b""))

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        log.warning("%s connection error: %s", _peer(client_address), _oneline(exc))

    def server_close(self) -> None:
        """Stop listening, close every connection and stop the threads."""
        super().server_close()
        self._conns.stop()
        for _ in self._threads[1:]:
            with contextlib.suppress(queue.Full):
                self._work.put_nowait(None)
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=5)

    # ---- workers ---------------------------------------------------------------------------

    def dispatch(self, item: _Pending) -> None:
        """Give a connection whose request headers are complete to a worker."""
        try:
            self._work.put_nowait(item)
        except queue.Full:
            _refuse(item.sock, HTTPStatus.SERVICE_UNAVAILABLE, "server busy; retry later")
            log.warning("%s 503 server busy", _peer(item.addr))

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            try:
                self._serve_one(item)
            except Exception:  # pragma: no cover - a bug of ours; the worker must survive
                log.exception("%s request handling failed", _peer(item.addr))
                _close(item.sock)

    def _serve_one(self, item: _Pending) -> None:
        sock = item.sock
        reader = _Reader(sock, item.buf, time.monotonic() + self.request_timeout, self.body_timeout)
        try:
            handler = _Handler(_Conn(sock, reader), item.addr, self)  # type: ignore[arg-type]
        except OSError as exc:
            log.info("%s connection closed: %s", _peer(item.addr), _oneline(exc))
            _close(sock)
            return
        if handler.close_connection or reader.eof:
            _close(sock, linger=handler.unread)
        else:
            self._conns.add(_Pending(sock, item.addr, reader.leftover()))


# ---- connections: a selector reads headers; workers handle complete requests ------------------


@dataclass
class _Pending:
    sock: socket.socket
    addr: Any
    buf: bytes
    deadline: float = 0.0
    data: bytearray = field(default_factory=bytearray)


def _headers_complete(buf: bytes | bytearray) -> bool:
    # http.server accepts bare LF line ends as well as CRLF.
    return b"\r\n\r\n" in buf or b"\n\n" in buf


class _Connections:
    """The selector thread: new and idle keep-alive connections until their headers arrive."""

    def __init__(self, server: LineageServer, limit: int) -> None:
        self.server = server
        self.limit = limit
        self.selector = selectors.DefaultSelector()
        self.inbox: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)
        self.count = 0
        self.count_lock = threading.Lock()
        self.stopped = threading.Event()

    def add(self, item: _Pending) -> None:
        if self.stopped.is_set():
            _close(item.sock)
            return
        if item.buf and _headers_complete(item.buf):
            self.server.dispatch(item)  # pipelined: the next request is already here
            return
        with self.count_lock:
            full = self.count >= self.limit
            if not full:
                self.count += 1
        if full:
            _refuse(item.sock, HTTPStatus.SERVICE_UNAVAILABLE, "too many connections")
            log.warning("%s 503 too many connections", _peer(item.addr))
            return
        self.inbox.put(item)
        with contextlib.suppress(OSError):
            self.wake_w.send(b"x")

    def _forget(self, item: _Pending) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(item.sock)
        with self.count_lock:
            self.count -= 1

    def stop(self) -> None:
        self.stopped.set()
        with contextlib.suppress(OSError):
            self.wake_w.send(b"x")

    def run(self) -> None:
        try:
            self._loop()
        finally:
            for key in list(self.selector.get_map().values()):
                if isinstance(key.data, _Pending):
                    _close(key.data.sock)
            self.selector.close()
            self.wake_r.close()
            self.wake_w.close()

    def _loop(self) -> None:
        while not self.stopped.is_set():
            events = self.selector.select(timeout=0.25)
            while True:
                try:
                    item = self.inbox.get_nowait()
                except queue.Empty:
                    break
                item.data = bytearray(item.buf)
                item.deadline = time.monotonic() + self.server.header_timeout
                try:
                    item.sock.setblocking(False)
                    self.selector.register(item.sock, selectors.EVENT_READ, item)
                except (OSError, ValueError):
                    self._forget(item)
                    _close(item.sock)
            for key, _ in events:
                if key.data is None:
                    with contextlib.suppress(OSError):
                        self.wake_r.recv(4096)
                    continue
                self._readable(key.data)
            self._expire()

    def _readable(self, item: _Pending) -> None:
        try:
            chunk = item.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._forget(item)
            _close(item.sock)
            return
        item.data += chunk
        if _headers_complete(item.data):
            self._forget(item)
            item.buf = bytes(item.data)
            item.data = bytearray()
            self.server.dispatch(item)
        elif len(item.data) > MAX_HEADER:
            self._forget(item)
            _refuse(item.sock, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large")
            log.warning("%s 431 headers over %d bytes", _peer(item.addr), MAX_HEADER)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in list(self.selector.get_map().values()):
            item = key.data
            if isinstance(item, _Pending) and item.deadline < now:
                self._forget(item)
                if item.data:  # a request began and stalled: say so; an idle one just closes
                    _refuse(item.sock, HTTPStatus.REQUEST_TIMEOUT, "request headers too slow")
                    log.info("%s 408 request headers too slow", _peer(item.addr))
                else:
                    _close(item.sock)


def _peer(addr: Any) -> str:
    if isinstance(addr, tuple) and addr:
        return str(addr[0])
    return str(addr)


def _oneline(exc: BaseException | None) -> str:
    text = " ".join(str(exc).split()) if exc is not None else ""
    return f"{type(exc).__name__}: {text}"[:200] if exc is not None else "unknown"


def _close(sock: socket.socket, *, linger: bool = False) -> None:
    """Close a connection; ``linger``: the client may still be sending a body we did not
    read, so stop writing and drain a little first (closing with unread data sends a reset,
    which can destroy the answer before the client reads it)."""
    try:
        if linger:
            sock.settimeout(1.0)
            sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + 2.0
            total = 0
            while time.monotonic() < end and total < 4 * MAX_BODY:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                total += len(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            sock.close()


def _refuse(sock: socket.socket, status: HTTPStatus, reason: str) -> None:
    """Answer on a connection no handler runs for, then close it (without lingering: the
    selector thread must not wait on one client)."""
    data = json.dumps({"error": reason}).encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        sock.settimeout(1.0)
        sock.sendall(head + data)
    except OSError:
        pass
    _close(sock)


class _Reader:
    """The connection's input: the bytes the selector already read, then the socket."""

    def __init__(self, sock: socket.socket, buf: bytes, deadline: float, step: float) -> None:
        self.sock = sock
        self.buf = bytearray(buf)
        self.eof = False
        self.deadline = deadline  # the whole request, however slowly it trickles in
        self.step = step  # any one read

    def _fill(self) -> bool:
        if self.eof:
            return False
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request took too long")
        self.sock.settimeout(min(self.step, left))
        chunk = self.sock.recv(65536)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self.buf.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                n = end + 1
                break
            if limit >= 0 and len(self.buf) >= limit:
                n = limit
                break
            if not self._fill():
                n = len(self.buf)
                break
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read(self, n: int = -1) -> bytes:
        """Exactly ``n`` bytes unless the connection ends first (``-1``: nothing: a request
        body is only ever read by its length)."""
        while len(self.buf) < n and self._fill():
            pass
        n = min(max(n, 0), len(self.buf))
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def leftover(self) -> bytes:
        return bytes(self.buf)

    def close(self) -> None:
        pass


class _Writer:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: bytes) -> int:
        self.sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class _Conn:
    sock: socket.socket
    reader: _Reader


# ---- one request -----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: LineageServer
    request: _Conn
    protocol_version = "HTTP/1.1"
    # Answer garbage and HTTP/0.9 request lines with a status line and headers too (0.9
    # answers are a bare body, which no client can tell from an error).
    default_request_version = "HTTP/1.0"
    unread = False  # a body is left unread on the connection: close it with care
    body_done = False  # the body was read (or there was none to read)

    # The selector, not this class, loops over a connection's requests: handle one.
    def setup(self) -> None:
        self.connection = self.request.sock
        self.rfile = self.request.reader  # type: ignore[assignment]
        self.wfile = _Writer(self.request.sock)  # type: ignore[assignment]

    def handle(self) -> None:
        self.close_connection = True
        try:
            self.handle_one_request()
        except (ConnectionError, TimeoutError) as exc:
            self.close_connection = True
            log.info("%s connection lost: %s", self.address_string(), _oneline(exc))

    def finish(self) -> None:
        pass

    def address_string(self) -> str:
        return _peer(self.client_address)

    # ---- answers and the log: one line per request ----------------------------------------

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _reply logs the request with its outcome

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), " ".join((format % args).split())[:300])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own refusals (bad request line, header too long, unknown method).
        status = HTTPStatus(code)
        self.close_connection = True
        if status == HTTPStatus.NOT_IMPLEMENTED:  # an unknown method is the client's error
            self._reply(
                HTTPStatus.METHOD_NOT_ALLOWED,
                {"error": message or status.phrase},
                {"Allow": "GET, HEAD, POST, OPTIONS"},
            )
            return
        self._reply(status, {"error": message or status.phrase})

    def _reply(
        self,
        status: HTTPStatus,
        body: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode("utf-8") if body is not None else b""
        if status >= 400:
            level = logging.ERROR if status >= 500 else logging.WARNING
            reason = body.get("error") if body else ""
            log.log(
                level,
                "%s %s %s -> %d %s",
                self.address_string(),
                getattr(self, "command", None) or "-",
                (getattr(self, "path", None) or "-")[:200],
                status.value,
                " ".join(str(reason).split())[:300],
            )
        else:
            log.info("%s %s %s -> %d", self.address_string(), self.command, self.path[:200], status)
        self.send_response_only(status)
        self.send_header("Server", "lineage-graph")
        self.send_header("Date", self.date_time_string())
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def _refuse(self, refusal: HttpRefusal, headers: dict[str, str] | None = None) -> None:
        self._reply(refusal.status, {"error": str(refusal)}, headers)

    # ---- checks every method shares -------------------------------------------------------

    def _host(self) -> str:
        names = self.headers.get_all("Host") or []
        if len(names) > 1:
            raise HttpRefusal(HTTPStatus.BAD_REQUEST, "more than one Host header")
        value = names[0] if names else None
        lim.host_allowed(value, self.server.allowed_hosts)
        assert value is not None
        return value

    def _not_cross_origin(self, host: str) -> None:
        lim.origin_allowed(self.headers.get("Origin"), host, self.headers.get("Sec-Fetch-Site"))

    def _discard_body(self) -> None:
        """Before refusing: read a body of a valid length, so the connection can go on; else
        close it."""
        if self.body_done or self.unread:
            return
        self.body_done = True
        values = self.headers.get_all("Content-Length") or []
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if not values and not chunked:
            return
        try:
            if chunked:
                raise HttpRefusal(HTTPStatus.LENGTH_REQUIRED, "chunked")
            length = lim.content_length(values)
            got = self.rfile.read(length)
            if len(got) == length:
                return
        except (HttpRefusal, OSError):
            pass
        self.close_connection = True
        self.unread = True

    # ---- methods ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        try:
            self._host()
        except HttpRefusal as r:
            self._discard_body()
            self._refuse(r)
            return
        self._discard_body()
        if self.path.split("?", 1)[0].rstrip("/") == HEALTH_PATH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no resource at {self.path[:200]}"})

    do_HEAD = do_GET

    def do_OPTIONS(self) -> None:
        # A CORS preflight gets no Access-Control-Allow-* header: browsers then refuse to
        # send the cross-origin request itself.
        self._discard_body()
        try:
            host = self._host()
            self._not_cross_origin(host)
        except HttpRefusal as r:
            self._refuse(r)
            return
        self._reply(HTTPStatus.NO_CONTENT, None, {"Allow": "GET, HEAD, POST, OPTIONS"})

    def _method_not_allowed(self) -> None:
        self._discard_body()
        self._reply(
            HTTPStatus.METHOD_NOT_ALLOWED,
            {"error": f"{self.command} is not supported; POST events"},
            {"Allow": "GET, HEAD, POST, OPTIONS"},
        )

    do_PUT = do_DELETE = do_PATCH = _method_not_allowed

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            host = self._host()
            self._not_cross_origin(host)
            if path not in (LINEAGE_PATH, BATCH_PATH):
                raise HttpRefusal(HTTPStatus.NOT_FOUND, f"POST events to {LINEAGE_PATH}")
            self._authorize()
            body = self._body()
        except HttpRefusal as r:
            self._discard_body()
            headers = {"WWW-Authenticate": "Bearer"} if r.status == 401 else None
            self._refuse(r, headers)
            return
        try:
            data = _decode_json(body)
            if path == BATCH_PATH:
                self._batch(data)
            else:
                result = self.server.ingest.ingest(data)
                self._reply(HTTPStatus.CREATED, {"status": "accepted", **result.as_dict()})
        except HttpRefusal as r:
            self._refuse(r)
        except UserError as exc:
            self._reply(
                HTTPStatus.BAD_REQUEST,
                {"error": str(exc), "field": getattr(exc, "field", None)},
            )
        except BackendError as exc:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(exc)})
        except Exception:  # a bug of ours: say so without a traceback on the wire
            log.exception("failed to ingest an OpenLineage event")
            self._reply(
                HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error; see server log"}
            )

    def _batch(self, data: object) -> None:
        if not isinstance(data, list):
            raise InvalidInputError("body: a batch must be a JSON array", field="body")
        # All or nothing: every event is checked before any is planned, then all of them are
        # written in one transaction (a clash found only at write time writes nothing either).
        events = []
        for i, item in enumerate(data):
            try:
                events.append(parse_event(item))
            except InvalidInputError as exc:
                self._reply(
                    HTTPStatus.BAD_REQUEST,
                    {"error": f"event {i}: {exc}; no event of the batch was written",
                     "field": exc.field, "index": i},
                )  # fmt: skip
                return
        try:
            results = self.server.ingest.ingest_all(events)
        except BatchWriteError as exc:
            self._reply(
                HTTPStatus.BAD_REQUEST,
                {"error": f"{exc}; no event of the batch was written",
                 "field": exc.field, "index": exc.index, "written": 0},
            )  # fmt: skip
            return
        self._reply(
            HTTPStatus.CREATED, {"status": "accepted", "results": [r.as_dict() for r in results]}
        )

    def _authorize(self) -> None:
        token = self.server.token
        if not token:
            return
        given = self.headers.get("Authorization") or ""
        scheme, _, value = given.strip().partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode("utf-8", "replace"), token.encode("utf-8")
        )
        if not ok:
            raise HttpRefusal(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer token")

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = self.unread = True
            raise HttpRefusal(
                HTTPStatus.LENGTH_REQUIRED, "send a Content-Length (chunked bodies are refused)"
            )
        try:
            length = lim.content_length(self.headers.get_all("Content-Length") or [])
        except HttpRefusal as r:
            if r.status != HTTPStatus.LENGTH_REQUIRED:
                self.close_connection = self.unread = True
            raise
        lim.json_content_type(self.headers.get("Content-Type"))
        self.body_done = True
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = self.unread = True
            raise HttpRefusal(HTTPStatus.REQUEST_TIMEOUT, "body too slow") from None
        if len(raw) < length:
            self.close_connection = True
            raise HttpRefusal(
                HTTPStatus.BAD_REQUEST,
                f"body ended after {len(raw)} of {length} bytes (Content-Length)",
            )
        return lim.decode_body(raw, self.headers.get("Content-Encoding"))


def _decode_json(body: bytes) -> object:
    """The JSON document of a body: UTF-8, not too deep, strict JSON (no NaN)."""
    text = lim.utf8(body)
    lim.check_depth(body, lim.MAX_DEPTH + 1)  # +1: a batch's array around the events
    try:
        return loads_event(text)
    except RecursionError:  # check_depth should make this unreachable; stay a 400 anyway
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "body: JSON nested too deeply") from None
