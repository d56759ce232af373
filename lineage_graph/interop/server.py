"""``lineage-graph serve``: the OpenLineage HTTP endpoint, ``POST /api/v1/lineage``.

This is where the OpenLineage HTTP transport posts by default (``url`` + ``api/v1/lineage``).
Also ``POST /api/v1/lineage/batch`` (a JSON array) and ``GET /api/v1/health``.

* 201 ``{"status": "accepted", ...}`` for an accepted event (replays are idempotent);
* 400 ``{"error": "<reason>", "field": "<json path>"}`` for a malformed one (nothing written);
* 401 when an API key is configured and the ``Authorization: Bearer <key>`` header differs;
* 404 / 405 / 413 / 415 for wrong paths, methods, oversize or non-JSON bodies;
* 503 when the database fails (the client's retry policy may try again).

Bodies may be gzip-compressed (``Content-Encoding: gzip``, the client's ``compression``).
Binds 127.0.0.1 by default: lineage from other hosts needs an explicit ``--host``.
"""

from __future__ import annotations

import gzip
import hmac
import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import BackendError, InvalidInputError, UnavailableError, UserError
from ..store.base import Store
from .openlineage import OpenLineageIngest, loads_event

LINEAGE_PATH = "/api/v1/lineage"
BATCH_PATH = "/api/v1/lineage/batch"
HEALTH_PATH = "/api/v1/health"
MAX_BODY = 16 * 1024 * 1024
log = logging.getLogger(__name__)


class LineageServer(ThreadingHTTPServer):
    """An HTTP server bound to a store. ``serve_forever()`` to run, ``shutdown()`` to stop."""

    daemon_threads = True

    def __init__(
        self, store: Store, host: str = "127.0.0.1", port: int = 5000, *, api_key: str | None = None
    ) -> None:
        """Bind ``host:port`` (0: a free port) and serve ``store``.

        Raises:
            UnavailableError: the address cannot be bound (taken, or not this machine's).
        """
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise UnavailableError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from exc
        self.ingest = OpenLineageIngest(store)
        self.api_key = api_key

    @property
    def url(self) -> str:
        """The base URL to give an OpenLineage client (``HttpConfig(url=...)``)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, embedding); returns the thread."""
        thread = threading.Thread(target=self.serve_forever, name="lineage-serve", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: LineageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == HEALTH_PATH:
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no resource at {self.path}"})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path not in (LINEAGE_PATH, BATCH_PATH):
            self._drain()
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"POST events to {LINEAGE_PATH}"})
            return
        if not self._authorized():
            self._drain()
            self._reply(HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong API key"})
            return
        body = self._body()
        if body is None:
            return
        try:
            data = loads_event(body)
            if path == BATCH_PATH:
                if not isinstance(data, list):
                    raise InvalidInputError("body: a batch must be a JSON array", field="body")
                results = []
                for i, item in enumerate(data):
                    try:
                        results.append(self.server.ingest.ingest(item).as_dict())
                    except InvalidInputError as exc:
                        raise InvalidInputError(f"event {i}: {exc}", field=exc.field) from None
                self._reply(HTTPStatus.CREATED, {"status": "accepted", "results": results})
            else:
                result = self.server.ingest.ingest(data)
                self._reply(HTTPStatus.CREATED, {"status": "accepted", **result.as_dict()})
        except UserError as exc:
            self._reply(
                HTTPStatus.BAD_REQUEST, {"error": str(exc), "field": getattr(exc, "field", None)}
            )
        except BackendError as exc:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(exc)})
        except Exception:  # a bug of ours: say so without a traceback on the wire
            log.exception("failed to ingest an OpenLineage event")
            self._reply(
                HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error; see server log"}
            )

    def _authorized(self) -> bool:
        if not self.server.api_key:
            return True
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.api_key}"
        return hmac.compare_digest(given.encode(), expected.encode())

    def _drain(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large or unsized"})
            return None
        raw = self.rfile.read(length)
        ctype = self.headers.get("Content-Type", "application/json").split(";")[0].strip()
        if ctype not in ("application/json", "application/x-ndjson", ""):
            self._reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": f"expected JSON, got {ctype}"})
            return None
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError):
                self._reply(HTTPStatus.BAD_REQUEST, {"error": "body: not valid gzip"})
                return None
        return raw

