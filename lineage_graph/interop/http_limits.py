"""What ``serve`` checks before a body reaches the JSON decoder, as pure functions.

Each check raises ``HttpRefusal`` (an HTTP status and a one-line reason) or returns the
cleaned value, so the request handler has one ``except`` and every refusal is one JSON
answer and one log line:

* ``content_length``: ``Content-Length`` present, one value, ASCII digits, at most the limit;
* ``json_content_type``: ``application/json`` (a ``charset`` other than UTF-8 is refused);
* ``decode_body``: ``gzip``/``x-gzip``/``deflate``/``identity`` decompressed in pieces,
  stopping as soon as the *output* passes the limit (a compression bomb costs the limit, not
  its expansion);
* ``check_depth``: JSON nesting deeper than the limit is refused before ``json`` recurses;
* ``utf8``: the body is UTF-8 text;
* ``host_allowed`` / ``origin_allowed``: the ``Host`` is a name this server answers to (DNS
  rebinding) and an ``Origin``, when a browser sends one, is the server's own (cross-site
  writes from a web page).
"""

from __future__ import annotations

import ipaddress
import re
import zlib
from collections.abc import Collection
from http import HTTPStatus
from urllib.parse import urlsplit

MAX_BODY = 16 * 1024 * 1024  # bytes on the wire, and bytes after decompression
MAX_DEPTH = 64  # nesting of one event (the store keeps STRUCTs to 64 levels too)
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1"})

_CHUNK = 64 * 1024


class HttpRefusal(Exception):
    """A request refused with ``status``; ``str()`` is the reason sent as ``{"error": ...}``."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def content_length(values: list[str], limit: int = MAX_BODY) -> int:
    """The body length from the ``Content-Length`` header values.

    Raises:
        HttpRefusal: 411 none given, 400 several different or not a decimal number, 413 over
            ``limit``.
    """
    if not values:
        raise HttpRefusal(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
    texts = {v.strip() for v in values}
    if len(texts) != 1:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "conflicting Content-Length headers")
    text = texts.pop()
    # int() would take "+5", " 5", "5_0" and non-ASCII digits: only 0-9 is a length.
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"Content-Length {text[:40]!r} is not a number")
    length = int(text)
    if length > limit:
        raise HttpRefusal(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body of {length} bytes; the limit is {limit}"
        )
    return length


def json_content_type(value: str | None) -> None:
    """Accept ``application/json`` with an optional UTF-8 charset.

    A web page can POST ``text/plain`` or a form across origins without a CORS preflight;
    it cannot send ``application/json`` that way, so requiring it closes that door.

    Raises:
        HttpRefusal: 415 for anything else, or no Content-Type.
    """
    if not value:
        raise HttpRefusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json"
        )
    media, _, params = value.partition(";")
    if media.strip().lower() != "application/json":
        raise HttpRefusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type must be application/json, not {media.strip()[:60]!r}",
        )
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise HttpRefusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "charset must be utf-8")


def decode_body(raw: bytes, encoding: str | None, limit: int = MAX_BODY) -> bytes:
    """The body after its ``Content-Encoding``, never more than ``limit`` bytes.

    Raises:
        HttpRefusal: 415 an encoding other than gzip/deflate/identity, 400 not valid
            compressed data, 413 more than ``limit`` bytes once decompressed.
    """
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return raw
    if len(codings) > 1:
        raise HttpRefusal(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "one Content-Encoding at most")
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        wbits = 32 + zlib.MAX_WBITS  # zlib-wrapped (RFC 9110) or gzip, by the header
    else:
        raise HttpRefusal(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Content-Encoding {coding[:40]!r} is not supported"
        )
    return _inflate(raw, wbits, limit, coding)


def _inflate(raw: bytes, wbits: int, limit: int, coding: str) -> bytes:
    out = bytearray()
    data = raw
    try:
        while True:  # one pass per gzip member (``gzip.decompress`` takes several too)
            d = zlib.decompressobj(wbits)
            pending = data
            while pending and not d.eof:
                # max_length bounds each step's output; the rest waits in unconsumed_tail.
                piece = d.decompress(pending, min(_CHUNK, limit + 1 - len(out)))
                out += piece
                if len(out) > limit:
                    raise HttpRefusal(
                        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"body is over {limit} bytes once decompressed",
                    )
                pending = d.unconsumed_tail
                if not piece and not pending:
                    break
            if not d.eof:
                raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"body: truncated {coding} data")
            data = d.unused_data
            if not data.strip(b"\x00"):  # trailing zero padding is allowed by gzip(1)
                return bytes(out)
    except zlib.error as exc:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"body: not valid {coding} ({exc})") from None


# A JSON string (escapes included) or one bracket; everything else is skipped.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def check_depth(body: bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` (``json`` would recurse and fail).

    Raises:
        HttpRefusal: 400 naming the limit.
    """
    # bytes.count runs in C: most bodies cannot be too deep at all.
    if body.count(b"[") + body.count(b"{") <= limit:
        return
    depth = 0
    for m in _TOKENS.finditer(body):
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise HttpRefusal(
                    HTTPStatus.BAD_REQUEST, f"body: JSON nested deeper than {limit} levels"
                )
        elif token in (b"]", b"}"):
            depth = max(depth - 1, 0)


def utf8(body: bytes) -> str:
    """The body as text.

    Raises:
        HttpRefusal: 400 when it is not UTF-8, naming the byte offset.
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"body: not UTF-8 (byte {exc.start})") from None


def split_host(value: str) -> tuple[str, int | None]:
    """``host[:port]`` (``[v6]:port`` too) as a lower-case name and a port (None: not given).

    Raises:
        ValueError: not a host, or a bad port.
    """
    parts = urlsplit("//" + value.strip())
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        raise ValueError(value)
    host = parts.hostname
    if not host:
        raise ValueError(value)
    return host.rstrip(".").lower(), parts.port


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """True for names and addresses that reach this machine only."""
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(value: str | None, names: Collection[str]) -> str:
    """The host name of a valid ``Host`` header this server answers to.

    An IP literal is always allowed: DNS rebinding needs a name. A name must be one of
    ``names`` (the bound name, this machine's names, the ones given) or a localhost name.

    Raises:
        HttpRefusal: 400 no or a malformed Host, 421 a name this server is not.
    """
    if not value:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, "a Host header is required")
    try:
        host, _ = split_host(value)
    except ValueError:
        raise HttpRefusal(HTTPStatus.BAD_REQUEST, f"Host {value[:60]!r} is malformed") from None
    if is_ip(host) or host in LOCAL_NAMES or host in names:
        return host
    raise HttpRefusal(
        HTTPStatus.MISDIRECTED_REQUEST, f"this server does not answer to Host {host[:60]!r}"
    )


def origin_allowed(origin: str | None, host_header: str, fetch_site: str | None) -> None:
    """Refuse a browser's cross-origin request.

    ``Origin`` is sent by browsers (never by the OpenLineage clients); when present it must
    be ``http://<the Host this request was sent to>``. ``Sec-Fetch-Site: cross-site`` is
    refused as well.

    Raises:
        HttpRefusal: 403.
    """
    if fetch_site is not None and fetch_site.strip().lower() in ("cross-site", "same-site"):
        raise HttpRefusal(HTTPStatus.FORBIDDEN, "cross-site requests are not accepted")
    if origin is None:
        return
    try:
        parts = urlsplit(origin.strip())
        own = split_host(host_header)
        same = (
            parts.scheme in ("http", "https")
            and parts.hostname is not None
            and (parts.hostname.rstrip(".").lower(), parts.port) == own
            and not parts.path
        )
    except ValueError:
        same = False
    if not same:
        raise HttpRefusal(
            HTTPStatus.FORBIDDEN, f"requests from origin {origin.strip()[:80]!r} are not accepted"
        )
