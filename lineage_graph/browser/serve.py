"""A tiny local HTTP server for the Browser's guide and style (CORS-enabled, read-only).

Neo4j Browser fetches ``:play <url>`` guides and ``:style <url>`` stylesheets with the page's
own ``fetch``: only over http(s), only from hosts on the server's allowlist
(``browser.remote_content_hostname_whitelist``, default ``guides.neo4j.com,localhost``: the
port is ignored), and cross-origin, so the answer needs CORS headers. Guides are fetched with
``pragma``/``cache-control`` headers, which makes the browser send a preflight ``OPTIONS``
first. Neo4j itself cannot serve extra static files (``/browser`` is served from exactly one
neo4j-browser jar), hence this server.

It serves a fixed set of documents held in memory (no file system access, no directory
listing) and binds to 127.0.0.1 only.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

from ..errors import UnavailableError

DEFAULT_PORT = 7399
# "localhost", not "127.0.0.1": the Browser's default allowlist already contains it.
DEFAULT_HOST_NAME = "localhost"

_ALLOWED_HEADERS = "pragma, cache-control, content-type, sentry-trace, baggage"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".grass": "text/plain; charset=utf-8",
    ".cypher": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def _content_type(path: str) -> str:
    for suffix, value in _CONTENT_TYPES.items():
        if path.endswith(suffix):
            return value
    return "application/octet-stream"


def _handler(documents: Mapping[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "lineage-graph-assets"

        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
            # Browser 5.x sends pragma/cache-control and, through its Sentry instrumentation,
            # sentry-trace/baggage: echo whatever the preflight asks for (read-only content).
            requested = self.headers.get("Access-Control-Request-Headers")
            self.send_header("Access-Control-Allow-Headers", requested or _ALLOWED_HEADERS)
            self.send_header("Access-Control-Max-Age", "600")
            # Chromium's Private Network Access preflight for pages on other local origins.
            self.send_header("Access-Control-Allow-Private-Network", "true")

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, body: bool) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            doc = documents.get(path)
            if doc is None:
                self.send_response(404)
                self._cors()
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                message = f"not found: {path}\n".encode()
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                if body:
                    self.wfile.write(message)
                return
            self.send_response(200)
            self._cors()
            self.send_header("Content-Type", _content_type(path))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(doc)))
            self.end_headers()
            if body:
                self.wfile.write(doc)

        def do_GET(self) -> None:
            self._send(body=True)

        def do_HEAD(self) -> None:
            self._send(body=False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the CLI prints what matters

    return Handler


class AssetServer:
    """Serves ``documents`` (URL path -> bytes) on 127.0.0.1 in a background thread.

    Use as a context manager, or ``start()`` / ``stop()``; ``serve_forever()`` blocks.

    Args:
        documents: e.g. ``{"/lineage.grass": b"...", "/guide.html": b"..."}``.
        port: TCP port; 0 picks a free one (see ``port`` after start).
        host_name: the host name put into URLs (must be on the Browser's allowlist).
    """

    def __init__(
        self,
        documents: Mapping[str, bytes],
        *,
        port: int = DEFAULT_PORT,
        host_name: str = DEFAULT_HOST_NAME,
    ) -> None:
        self._documents = dict(documents)
        self._requested_port = port
        self.host_name = host_name
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            return self._requested_port
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://localhost:<port>``."""
        return f"http://{self.host_name}:{self.port}"

    def url(self, path: str) -> str:
        """The full URL of a served document.

        Raises:
            KeyError: nothing is served at ``path``.
        """
        if path not in self._documents:
            raise KeyError(f"no document at {path!r}; served: {sorted(self._documents)}")
        return self.base_url + path

    def publish(self, documents: Mapping[str, bytes]) -> None:
        """Serve these documents too (replacing any at the same paths): documents that name
        the server's own URL are made after ``bind`` picked the port."""
        self._documents.update(documents)

    def bind(self) -> None:
        """Open the listening socket.

        Raises:
            UnavailableError: the port is taken.
        """
        if self._httpd is not None:
            return
        try:
            self._httpd = ThreadingHTTPServer(
                ("127.0.0.1", self._requested_port), _handler(self._documents)
            )
        except OSError as exc:
            raise UnavailableError(
                f"cannot serve the Browser guide and style on 127.0.0.1:{self._requested_port}: "
                f"{exc.strerror or exc}; pick another port with --port"
            ) from exc
        self._httpd.daemon_threads = True

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self."""
        self.bind()
        assert self._httpd is not None
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="lineage-graph-assets", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve in this thread until interrupted (KeyboardInterrupt) or stopped."""
        self.bind()
        assert self._httpd is not None
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
