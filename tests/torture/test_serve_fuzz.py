"""Hypothesis over the HTTP endpoint: garbage bodies, random JSON, compression and headers.

Whatever a client sends, the server answers (never a reset, never 5xx), its answer is one
JSON document, it keeps serving, a canary node already in the store survives, and the store
stays consistent (every run it holds is linked to its job: each event was all or nothing).
Bodies: random bytes, random JSON, events with fields replaced, well-formed events with
hostile names (quotes, backticks, unicode, huge), NaN/Infinity tokens and numbers past
float64, deep nesting; plain, gzip, deflate or truncated. The quick run tries ``EXAMPLES``
requests; the heavy one many more (the count is printed at the end).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage_graph.interop.server import LineageServer
from lineage_graph.models import Artifact, ArtifactType
from lineage_graph.store.memory import MemoryStore

from .serve_client import EVENT_TEMPLATE, request_bytes, send_raw

EXAMPLES = 60
HEAVY_EXAMPLES = 3000
_tried: dict[str, int] = {"n": 0}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    event: dict[str, Any] = json.loads(json.dumps(EVENT_TEMPLATE))
    for key in draw(st.lists(st.sampled_from(sorted(event)), max_size=3)):
        event[key] = draw(json_values)
    if draw(st.booleans()):
        event["run"] = {"runId": draw(st.uuids()).hex, "facets": draw(json_values)}
    return draw(st.sampled_from([event, [event], [event, draw(json_values)]]))


hostile_names = st.one_of(
    st.sampled_from(["'", '"', "`", "`) DETACH DELETE n //", "\u202e", "😀", "a" * 20_000, ""]),
    st.text(max_size=30),
)


@st.composite
def hostile_events(draw: st.DrawFn) -> Any:
    """Well-formed events (they reach the store) with hostile names and values."""
    event: dict[str, Any] = json.loads(json.dumps(EVENT_TEMPLATE))
    event["run"] = {"runId": str(draw(st.uuids()))}
    event["job"] = {"namespace": draw(hostile_names), "name": draw(hostile_names)}
    event["inputs"] = [{"namespace": draw(hostile_names), "name": draw(hostile_names)}]
    event["eventType"] = draw(st.sampled_from(["START", "COMPLETE", "FAIL", "OTHER", "start"]))
    if draw(st.booleans()):
        event["run"]["facets"] = {draw(hostile_names): {"_producer": "p", "v": draw(json_values)}}
    return event


NAN_BODIES = [
    b'{"eventType": NaN}', b'{"eventTime": Infinity}', b"[NaN]", b"-Infinity",
    b'{"run": {"runId": 1e999}}', b'{"x": ' + b"9" * 5000 + b"}",
]  # fmt: skip

bodies = st.one_of(
    hostile_events().map(lambda v: json.dumps(v).encode()),  # first: shrinks towards it
    st.binary(max_size=600),
    st.sampled_from(NAN_BODIES),
    hostile_events().map(lambda v: json.dumps(v).encode()),
    st.lists(hostile_events(), min_size=1, max_size=3).map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_events().map(lambda v: json.dumps(v).encode()),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n),
    st.text(max_size=200).map(lambda t: t.encode("utf-16")),
)

header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "", "text/plain",
     "application/x-www-form-urlencoded", "application/json; charset=latin-1", "APPLICATION/JSON",
     "multipart/form-data"]
) | header_text  # fmt: skip
lengths = st.sampled_from(
    ["auto", "auto", "auto", None, "abc", "-1", "+3", "", "0", "99999999999", "1e3", " 7", "7 7",
     "more", "less"]
)  # fmt: skip
encodings = st.sampled_from(
    [None, None, "gzip", "deflate", "x-gzip", "br", "gzip, gzip", "identity"]
)
compressions = st.sampled_from(["as-declared", "none", "gzip", "truncated"])
hosts = st.sampled_from(["127.0.0.1", "localhost", None, "evil.example", "[::1]:80", "a b", ""])
paths = st.sampled_from(
    ["/api/v1/lineage", "/api/v1/lineage/batch", "/api/v1/lineage?x=1", "/api/v1/health", "/",
     "/%00", "//api/v1/lineage"]
)  # fmt: skip
methods = st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "OPTIONS", "HEAD", "BREW"])
extra_headers = st.lists(
    st.tuples(
        st.sampled_from(
            ["Origin", "Authorization", "Expect", "Transfer-Encoding", "Sec-Fetch-Site", "X-A",
             "Connection", "Content-Encoding", "Host"]
        ),
        header_text,
    ),
    max_size=3,
)  # fmt: skip


def _encode(body: bytes, encoding: str | None, how: str) -> bytes:
    if how == "none":
        return body
    if how == "gzip" or (how == "as-declared" and encoding in ("gzip", "x-gzip", "gzip, gzip")):
        return gzip.compress(body)
    if how == "as-declared" and encoding == "deflate":
        return zlib.compress(body)
    if how == "truncated":
        return gzip.compress(body)[:-4]
    return body


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[tuple[LineageServer, MemoryStore, int]]:
    store = MemoryStore()
    store.put_types([ArtifactType(name="Canary")])
    [canary] = store.put_artifacts([Artifact(type="Canary", name="tweety", uri="file:///canary")])
    srv = LineageServer(store, "127.0.0.1", 0, body_timeout=2.0, header_timeout=2.0)
    srv.start_background()
    yield srv, store, canary
    srv.shutdown()
    srv.server_close()
    statuses = {k: v for k, v in sorted(_tried.items()) if k != "n"}
    print(f"\nserve fuzz: {_tried['n']} requests tried, answers {statuses}")


QUICK = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
requests = st.fixed_dictionaries(
    {
        "method": methods,
        "path": paths,
        "body": bodies,
        "content_type": content_types,
        "length": lengths,
        "encoding": encodings,
        "how": compressions,
        "host": hosts,
        "extra": extra_headers,
        "clean": st.booleans(),
    }
)


@QUICK
@given(request=requests)
def test_garbage_never_gets_5xx_and_the_canary_survives(
    fuzz_server: tuple[LineageServer, MemoryStore, int], request: dict[str, Any]
) -> None:
    _fuzz_once(*fuzz_server, **request)


@pytest.mark.heavy
@settings(QUICK, max_examples=HEAVY_EXAMPLES)
@given(request=requests)
def test_garbage_never_gets_5xx_and_the_canary_survives_heavy(
    fuzz_server: tuple[LineageServer, MemoryStore, int], request: dict[str, Any]
) -> None:
    _fuzz_once(*fuzz_server, **request)


def _fuzz_once(
    srv: LineageServer,
    store: MemoryStore,
    canary: int,
    method: str,
    path: str,
    body: bytes,
    content_type: str,
    length: str | None,
    encoding: str | None,
    how: str,
    host: str | None,
    extra: list[tuple[str, str]],
    clean: bool,
) -> None:
    if clean:  # a well-formed request around the body, so that bodies reach the ingest
        method, content_type, length, extra = "POST", "application/json", "auto", []
        path = path if path.startswith("/api/v1/lineage") else "/api/v1/lineage"
        host = "127.0.0.1"
    port = int(srv.server_address[1])
    _tried["n"] += 1
    data = _encode(body, encoding, how)
    headers: list[tuple[str, str]] = [("Content-Type", content_type)]
    if encoding is not None:
        headers.append(("Content-Encoding", encoding))
    headers += [(k, v) for k, v in extra if k != "Expect" or v.lower() != "100-continue"]
    if length == "more":
        length = str(len(data) + 10)
    elif length == "less":
        length = str(max(len(data) - 3, 0))
    raw = request_bytes(method, path, data, headers, host=host, length=length)
    answer = send_raw(port, raw, timeout=30)
    _tried[str(answer.status)] = _tried.get(str(answer.status), 0) + 1
    assert 100 <= answer.status < 500, (answer.status, answer.body[:300])
    if answer.body:
        doc = answer.json()
        if answer.status >= 400:
            assert "error" in doc
    [found] = store.get_artifacts_by_id([canary])
    assert (found.type, found.name) == ("Canary", "tweety")
    if answer.status == 201:
        _tried["written"] = _tried.get("written", 0) + 1
        for x in store.get_executions():  # every run came whole, with its job
            assert x.id is not None and store.get_contexts_by_execution(x.id), x


def test_after_the_fuzz_the_server_still_serves(
    fuzz_server: tuple[LineageServer, MemoryStore, int],
) -> None:
    srv, store, canary = fuzz_server
    health = send_raw(int(srv.server_address[1]), request_bytes("GET", "/api/v1/health"))
    assert health.status == 200
    assert store.get_artifacts_by_id([canary])[0].name == "tweety"
