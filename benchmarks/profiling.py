"""Where a lineage-graph question spends its time: the Cypher it sent, PROFILEd.

The store's statements are captured while the question runs once (by wrapping the driver's
``ManagedTransaction.run`` and ``Session.run``), then each is run again under ``PROFILE``.
Reported: the operators with rows and db hits, the server's own time (available + consumed),
and the client's wall time for the whole call, so the gap (driver decoding, Python) is visible.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import neo4j

from .adapters.base import Method, System


@contextmanager
def captured() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    # Writes run in managed transactions, reads as auto-commit statements on a session.
    originals = {cls: cls.run for cls in (neo4j.ManagedTransaction, neo4j.Session)}

    def spying(original: Any) -> Any:
        def spy(self: Any, query: Any, parameters: Any = None, **kw: Any) -> Any:
            text = query.text if isinstance(query, neo4j.Query) else query
            seen.append((str(text), dict(parameters or {}, **kw)))
            return original(self, query, parameters, **kw)

        return spy

    for cls, original in originals.items():
        cls.run = spying(original)  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        for cls, original in originals.items():
            cls.run = original  # type: ignore[method-assign]


def _flatten(plan: Any, depth: int = 0) -> list[dict[str, Any]]:
    args = plan.get("args", {}) if isinstance(plan, dict) else {}
    row = {
        "depth": depth,
        "operator": plan.get("operatorType", "?"),
        "rows": plan.get("rows", args.get("Rows")),
        "db_hits": plan.get("dbHits", args.get("DbHits")),
        "details": str(args.get("Details", ""))[:120],
    }
    out = [row]
    for child in plan.get("children", []):
        out.extend(_flatten(child, depth + 1))
    return out


def profile_lineage_graph(lg: System, fn: Method) -> dict[str, Any]:
    """Statements ``fn`` runs, each PROFILEd, and the client's wall time for ``fn``."""
    with captured() as seen:
        t0 = time.perf_counter()
        fn()
        wall_ms = (time.perf_counter() - t0) * 1000
    store = lg.store  # type: ignore[attr-defined]
    driver = store._driver
    statements = []
    for text, params in seen:
        # Twice: the first PROFILE of a new query text includes its planning time.
        for _ in range(2):
            with driver.session(database=store._database) as session:
                result = session.run("PROFILE\n" + text, params)
                rows = sum(1 for _ in result)
                summary = result.consume()
        ops = _flatten(summary.profile or {})
        statements.append(
            {
                "text": text,
                "params": {
                    k: (v if not isinstance(v, list) or len(v) < 20 else f"<{len(v)} items>")
                    for k, v in params.items()
                },
                "rows": rows,
                "server_ms": (summary.result_available_after or 0)
                + (summary.result_consumed_after or 0),
                "db_hits": sum(o["db_hits"] or 0 for o in ops),
                "operators": ops,
            }
        )
    return {"wall_ms": wall_ms, "statements": statements, "python": python_profile(fn)}


def python_profile(fn: Method, calls: int = 3, top: int = 12) -> str:
    """cProfile of ``calls`` calls of ``fn``: the client side (driver decoding, models)."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    # Keep the table only (drop the preamble and absolute paths' long prefixes).
    start = text.find("ncalls")
    body = text[start:] if start >= 0 else text
    return "\n".join(
        line.replace("/root/.pyenv/versions/3.11.7/lib/python3.11/", "")
        for line in body.splitlines()
        if line.strip()
    )
