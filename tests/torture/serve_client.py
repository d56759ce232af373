"""Raw HTTP for the ``serve`` torture tests: bytes out exactly as written, the answer parsed."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any

EVENT_TEMPLATE: dict[str, Any] = {
    "eventType": "START",
    "eventTime": "2024-05-01T12:00:00Z",
    "producer": "https://example.com/p",
    "run": {"runId": "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11"},
    "job": {"namespace": "ns", "name": "job"},
    "inputs": [{"namespace": "db", "name": "in"}],
    "outputs": [{"namespace": "db", "name": "out"}],
}


def event(run_id: str = "3f5e2b7c-3c5e-4a8e-9d7e-2b8f1f0c9a11", **changes: Any) -> dict[str, Any]:
    e: dict[str, Any] = json.loads(json.dumps(EVENT_TEMPLATE))
    e["run"]["runId"] = run_id
    e.update(changes)
    return e


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request_bytes(
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    host: str | None = "127.0.0.1",
    length: str | None = "auto",
) -> bytes:
    """One HTTP/1.1 request as bytes; ``length`` "auto" is the real Content-Length, None none."""
    lines = [f"{method} {path} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    lines += [f"{k}: {v}" for k, v in items]
    if length == "auto":
        lines.append(f"Content-Length: {len(body)}")
    elif length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_raw(port: int, data: bytes, *, timeout: float = 30.0, half_close: bool = True) -> Answer:
    """Send ``data`` on a new connection, then read one answer.

    Raises:
        ConnectionError: the server closed or reset without answering.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        if half_close:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
        method = data.split(b" ", 1)[0].decode("latin-1")
        resp = http.client.HTTPResponse(sock, method=method)
        try:
            resp.begin()
        except http.client.RemoteDisconnected as exc:
            raise ConnectionError(f"closed without an answer: {exc}") from exc
        body = resp.read()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)


def post(
    port: int,
    body: bytes | Any,
    *,
    path: str = "/api/v1/lineage",
    headers: dict[str, str] | None = None,
    content_type: str | None = "application/json",
    host: str | None = "127.0.0.1",
    length: str | None = "auto",
) -> Answer:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = dict(headers or {})
    if content_type is not None:
        h.setdefault("Content-Type", content_type)
    return send_raw(port, request_bytes("POST", path, data, h, host=host, length=length))
