"""RESULTS.md from one run's results: machine, command, tables, targets met or missed."""

from __future__ import annotations

import datetime as dt
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

NOTES = Path(__file__).with_name("NOTES.md")  # hand-written analysis, appended if present


def machine_info() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0

    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            p: version(p)
            for p in ("neo4j", "neo4j-rust-ext", "ml-metadata", "networkx", "protobuf")
        },
    }


def _best(
    results: dict[str, Any], workload: str, question: str, system: str
) -> dict[str, Any] | None:
    rows = [
        r
        for r in results["latency"]
        if r["workload"] == workload and r["question"] == question and r["system"] == system
    ]
    return min(rows, key=lambda r: r["median_ms"]) if rows else None


def _ingest(results: dict[str, Any], workload: str, system: str) -> dict[str, Any] | None:
    return next(
        (r for r in results["ingest"] if r["workload"] == workload and r["system"] == system), None
    )


def _bulk_target(results: dict[str, Any], workload: str) -> dict[str, Any]:
    """The bulk first load (``run --bulk``) against MLMD's batch calls on ``workload``."""
    row: dict[str, Any] = {
        "target": "bulk first load of a fresh store (neo4j-admin database import), "
        ">= 20x MLMD's batch calls",
        "workload": workload,
        "met": False,
    }
    rows = [r for r in results["ingest"] if r["workload"] == workload]
    bulk = next((r for r in rows if r.get("mode") == "bulk import (neo4j-admin)"), None)
    batch = next((r for r in rows if r.get("mode") == "batch calls"), None)
    if bulk is None or batch is None:
        missing = "no bulk row (run with --bulk)" if bulk is None else "no MLMD batch-call row"
        return {**row, "measured": f"not measured in this run: {missing}"}
    r = bulk["rate"] / batch["rate"]
    return {
        **row,
        "met": r >= 20,
        "measured": f"bulk {bulk['rate']:,.0f}/s vs MLMD batch {batch['rate']:,.0f}/s = "
        f"**{r:.1f}x** (need >= 20x; CSV + stop + import + start + schema)",
    }


def _names(results: dict[str, Any], prefix: str) -> list[str]:
    seen = list(dict.fromkeys(r["workload"] for r in results["ingest"]))
    return [w for w in seen if w.startswith(prefix)]


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target (issues 9 and 16) with its measured ratio(s) and whether it was met."""
    chains, tfxs = _names(results, "chain-"), _names(results, "tfx-")
    out: list[dict[str, Any]] = []

    def latency_target(
        label: str, wl: str | None, question: str, vs_mlmd: float, vs_nx: float | None
    ) -> None:
        if wl is None:
            return
        lg = _best(results, wl, question, "lineage-graph")
        ml = _best(results, wl, question, "mlmd")
        nx = _best(results, wl, question, "networkx")
        if not (lg and ml and (nx or vs_nx is None)):
            out.append(
                {
                    "target": label,
                    "workload": wl,
                    "met": False,
                    "measured": "not measured (answers differed or a system was skipped)",
                }
            )
            return
        r_ml = ml["median_ms"] / lg["median_ms"]
        parts = [
            (
                f"MLMD best ({ml['method']}) {ml['median_ms']:.1f} ms / lineage-graph "
                f"{lg['median_ms']:.1f} ms = **{r_ml:.1f}x** (need >= {vs_mlmd:g}x)"
            )
        ]
        met = r_ml >= vs_mlmd
        if vs_nx is not None and nx:
            r_nx = lg["median_ms"] / nx["median_ms"]
            parts.append(
                f"lineage-graph / networkx {nx['median_ms']:.2f} ms = **{r_nx:.1f}x** "
                f"(need <= {vs_nx:g}x)"
            )
            met = met and r_nx <= vs_nx
        out.append(
            {
                "target": label,
                "workload": wl,
                "question": question,
                "met": met,
                "measured": "; ".join(parts),
            }
        )

    longest = chains[-1] if chains else None
    latency_target(
        "root datasets at the end of the deepest chain, >= 50x MLMD", longest, "roots", 50, None
    )
    mid = "chain-1000" if "chain-1000" in chains else longest
    latency_target(f"full upstream at {mid}, >= 10x MLMD", mid, "upstream", 10, None)
    biggest = tfxs[-1] if tfxs else None
    latency_target(
        f"downstream models of the most-shared raw dataset ({biggest}), >= 20x "
        "MLMD and within 1.5x networkx",
        biggest,
        "downstream_models",
        20,
        1.5,
    )
    out.extend(point_targets(results, tfxs))
    if biggest:
        lg = _ingest(results, biggest, "lineage-graph")
        loops = [
            r
            for r in results["ingest"]
            if r["system"] == "mlmd"
            and r.get("mode", "put_execution loop") == "put_execution loop"
            and r["workload"].startswith("tfx-")
        ]
        ml = loops[-1] if loops else None  # the largest TFX store MLMD loaded by its loop
        if lg and ml:
            r = lg["rate"] / ml["rate"]
            where = (
                ""
                if ml["workload"] == biggest
                else f" (MLMD's put_execution loop measured on {ml['workload']}; {biggest} was "
                "loaded into MLMD with its batch calls, see the ingest table)"
            )
            out.append(
                {
                    "target": f"ingest nodes+edges/s ({biggest}), >= 10x MLMD",
                    "workload": biggest,
                    "met": r >= 10,
                    "measured": f"lineage-graph {lg['rate']:,.0f}/s vs MLMD "
                    f"{ml['rate']:,.0f}/s = **{r:.1f}x** (need >= 10x){where}",
                }
            )
    if biggest:
        lg = _ingest(results, biggest, "lineage-graph")
        batch = next(
            (
                r
                for r in results["ingest"]
                if r["workload"] == biggest and r.get("mode") == "batch calls"
            ),
            None,
        )
        if lg and batch:
            r = lg["rate"] / batch["rate"]
            out.append(
                {
                    "target": f"ingest nodes+edges/s ({biggest}), >= 2x MLMD's batch calls",
                    "workload": biggest,
                    "met": r >= 2,
                    "measured": f"lineage-graph {lg['rate']:,.0f}/s vs MLMD batch "
                    f"{batch['rate']:,.0f}/s = **{r:.1f}x** (need >= 2x)",
                }
            )
        out.append(_bulk_target(results, biggest))
    for row in results.get("cli", []):
        out.append(
            {
                "target": f"CLI {row['what']}: `{row['command']}` <= 1.3x {row['baseline']}",
                "workload": "cli",
                "met": row["ratio"] <= 1.3,
                "measured": f"{row['command_ms']:.0f} ms vs {row['baseline_ms']:.0f} ms = "
                f"**{row['ratio']:.2f}x** (need <= 1.3x; medians of {row['n']} processes)",
            }
        )
    if len(tfxs) >= 2:
        small, big = tfxs[-2], tfxs[-1]
        a, b = _ingest(results, small, "lineage-graph"), _ingest(results, big, "lineage-graph")
        if a and b:
            r = b["peak_rss_mb"] / a["peak_rss_mb"]
            out.append(
                {
                    "target": f"client memory flat from {small} to {big} (within 20%)",
                    "workload": big,
                    "met": r <= 1.2,
                    "measured": f"peak RSS {a['peak_rss_mb']:.0f} MB -> "
                    f"{b['peak_rss_mb']:.0f} MB = **{r:.2f}x** (need <= 1.20x)",
                }
            )
    return out


#: Point questions: a small answer, so the floor (one round trip) is what they should cost.
POINT_QUESTIONS = ("show", "by_name", "roots", "upstream", "last_deployed", "why_failed")


def floor_of(results: dict[str, Any], workload: str) -> dict[str, Any] | None:
    return next((f for f in results.get("floor", []) if f["workload"] == workload), None)


def floor_ms(results: dict[str, Any], workload: str, lg: dict[str, Any]) -> float | None:
    """The floor a lineage-graph row is read against: the cheaper of the workload's own block
    of ``RETURN 1`` timings and the one timed in turn with this row. Under load either can be
    inflated (a quiet block beside a busy question, or a round trip right after a heavy
    statement), and the true floor is the cheapest round trip, so the smaller is the fair one."""
    fl = floor_of(results, workload)
    found = [float(fl["median_ms"])] if fl else []
    if "paired_floor_ms" in lg:
        found.append(float(lg["paired_floor_ms"]))
    return min(found) if found else None


def point_targets(results: dict[str, Any], tfxs: list[str]) -> list[dict[str, Any]]:
    """Per point question two rows: median <= 2x the floor at every scale; no slower than
    MLMD's best at the two largest scales (100k and 1M in a full run)."""
    out = []
    big = tfxs[-2:]
    for q in POINT_QUESTIONS:
        parts, met, ml_parts, ml_met = [], True, [], True
        for wl in tfxs:
            lg = _best(results, wl, q, "lineage-graph")
            fl = floor_ms(results, wl, lg) if lg else None
            if lg is None or fl is None:
                continue
            r_floor = lg["median_ms"] / fl
            text = f"{wl}: {lg['median_ms']:.2f} ms = **{r_floor:.1f}x** floor ({fl:.2f} ms)"
            met = met and r_floor <= 2
            parts.append(text)
            ml = _best(results, wl, q, "mlmd")
            if wl in big and ml:
                r_ml = ml["median_ms"] / lg["median_ms"]
                ml_parts.append(f"{wl}: MLMD {ml['median_ms']:.2f} ms / {lg['median_ms']:.2f} ms "
                                f"= **{r_ml:.2f}x**")  # fmt: skip
                ml_met = ml_met and r_ml >= 1
        if parts:
            out.append({"target": f"point question `{q}`: <= 2x the floor at every scale",
                        "workload": tfxs[-1], "question": q, "met": met,
                        "measured": "; ".join(parts)})  # fmt: skip
        if ml_parts:
            out.append({"target": f"point question `{q}`: >= 1x MLMD at the two largest scales",
                        "workload": tfxs[-1], "question": q, "met": ml_met,
                        "measured": "; ".join(ml_parts)})  # fmt: skip
    return out


def _fmt_bytes(n: int | None) -> str:
    if not n:
        return "-"
    return f"{n / 1024 / 1024:,.1f} MB"


def write_markdown(results: dict[str, Any]) -> str:
    m = results.get("machine", {})
    server = results.get("server", {})
    when = dt.datetime.fromtimestamp(results.get("started", 0), dt.UTC)
    lines = [
        "# Benchmarks: lineage-graph (Neo4j) vs MLMD (SQLite) vs networkx (in memory)",
        "",
        "Written by the runner from one run; every figure below comes from that run.",
        "",
        f"- Date: {when:%Y-%m-%d %H:%M} UTC; took {results.get('elapsed_s', 0) / 60:.1f} min",
        (
            f"- Command: `{results.get('command', '?')}` (from the repository root; Neo4j from "
            "`NEO4J_URI`/`NEO4J_USER`/`NEO4J_PASSWORD` or the resolver)"
        ),
        (
            f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
            f"{m.get('ram_gb', '?')} GB "
            f"RAM, {m.get('os', '?')}, Python {m.get('python', '?')}"
        ),
        (
            f"- Load average (1/5/15 min) before: {_load(results.get('load_before'))}, after: "
            f"{_load(results.get('load_after'))} (a shared machine: compare ratios, not absolutes)"
        ),
        f"- Neo4j: {server.get('neo4j', '?')}, data directory `{server.get('data_dir', '?')}`",
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items()),
        "",
        "## Targets (ratios in this run)",
        "",
        "| target | result | measured |",
        "|---|---|---|",
    ]
    for t in evaluate_targets(results):
        lines.append(f"| {t['target']} | {'MET' if t['met'] else '**MISSED**'} | {t['measured']} |")
    lines += [
        "",
        "## Answers checked equal before timing",
        "",
        "| workload | question | answer size | equal | compared |",
        "|---|---|---|---|---|",
    ]
    for c in results["checks"]:
        lines.append(
            f"| {c['workload']} | {c['question']} | {c['answer_size']} | "
            f"{'yes' if c['equal'] else '**NO**: ' + c['detail']} | "
            f"{', '.join(c['systems'])} |"
        )
    lines += [
        "",
        "## Ingest",
        "",
        (
            "Nodes+edges = artifacts, executions, contexts + events, attributions, "
            "associations, parent links. MLMD: one `put_execution` per execution; "
            "lineage-graph: the store's batch `put_*` calls (UNWIND batches); networkx: "
            "`add_node`/`add_edge` in this process. Peak RSS is the ingesting process's "
            "(MLMD and lineage-graph ingest in a child process; base = before the first record)."
        ),
        "",
        (
            "| workload | system | mode | nodes+edges | seconds | nodes+edges/s | "
            "peak RSS (base) | store on disk |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["ingest"]:
        lines.append(
            f"| {r['workload']} | {r['system']} | {r.get('mode', '')} | "
            f"{r['elements']:,} | "
            f"{r['seconds']:.2f} | {r['rate']:,.0f} | {r['peak_rss_mb']:.0f} MB "
            f"({r['base_rss_mb']:.0f}) | {_fmt_bytes(r.get('store_bytes'))} |"
        )
    lines += [
        "",
        "## Latency (warm repetitions; median and p95 in ms)",
        "",
        (
            "The floor is a bare `RETURN 1` through the store's own read path (same driver, "
            "session settings and decoding). `floor` is its own block of timings beside each "
            "workload; `paired floor` is the same round trip timed in turn with each "
            "lineage-graph call (floor, question, floor, question, ...). `lineage-graph / "
            "floor` divides by the smaller of the two: under load either can be inflated (a "
            "round trip right after a heavy statement is slower), and the true floor is the "
            "cheapest round trip."
        ),
        "",
        (
            "| workload | question | answer | floor | paired floor | networkx | "
            "MLMD best (method) | lineage-graph | lineage-graph / floor | "
            "MLMD / lineage-graph | lineage-graph / networkx |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    pairs = list(dict.fromkeys((r["workload"], r["question"]) for r in results["latency"]))
    for wl, q in pairs:
        fl = floor_of(results, wl)
        nx = _best(results, wl, q, "networkx")
        ml = _best(results, wl, q, "mlmd")
        lg = _best(results, wl, q, "lineage-graph")
        size = (nx or ml or lg or {}).get("answer_size", "?")

        def cell(r: dict[str, Any] | None, method: bool = False) -> str:
            if r is None:
                return "-"
            txt = f"{r['median_ms']:.2f} / {r['p95_ms']:.2f}"
            return f"{txt} ({r['method']})" if method else txt

        paired = floor_ms(results, wl, lg) if lg else None
        r0 = f"{lg['median_ms'] / paired:.1f}x" if paired and lg else "-"
        pcell = f"{lg['paired_floor_ms']:.2f}" if lg and "paired_floor_ms" in lg else "-"
        r1 = f"{ml['median_ms'] / lg['median_ms']:.1f}x" if ml and lg else "-"
        r2 = f"{lg['median_ms'] / nx['median_ms']:.1f}x" if nx and lg else "-"
        lines.append(
            f"| {wl} | {q} | {size} | {cell(fl)} | {pcell} | {cell(nx)} | {cell(ml, True)} "
            f"| {cell(lg)} "
            f"| {r0} | {r1} | {r2} |"
        )
    lines += [
        "",
        "Every method timed (MLMD's best above is the faster of these):",
        "",
        "| workload | question | system | method | n | median ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["latency"]:
        lines.append(
            f"| {r['workload']} | {r['question']} | {r['system']} | {r['method']} | "
            f"{r['n']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} |"
        )
    if results.get("cli"):
        lines += [
            "",
            "## CLI (whole processes, side by side; medians)",
            "",
            "| what | baseline | ms | lineage-graph | ms | ratio | processes |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in results["cli"]:
            lines.append(
                f"| {row['what']} | `{row['baseline']}` | {row['baseline_ms']:.0f} | "
                f"`{row['command']}` | {row['command_ms']:.0f} | {row['ratio']:.2f}x | "
                f"{row['n']} + {row['n']} |"
            )
    lines += _profiles(results)
    if NOTES.exists():
        lines += ["", NOTES.read_text().strip()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell (one line, no column bars)."""
    return " ".join(text.replace("|", "/").split())


def _load(v: Any) -> str:
    return "/".join(f"{x:.1f}" for x in v) if v else "?"


def _profiles(results: dict[str, Any]) -> list[str]:
    targets = evaluate_targets(results)
    missed = {(t["workload"], t.get("question")) for t in targets if not t["met"]}
    lines = [
        "",
        "## Cypher profiles of lineage-graph's questions",
        "",
        (
            "Each statement the question sent, run again under PROFILE (profiling adds "
            "overhead; the server time shown is PROFILE's). `wall` is the client's time for "
            "the whole call; the gap to the server time is the driver and Python. Missed "
            "targets first, with the full operator tree."
        ),
    ]
    profs = sorted(
        results.get("profiles", []), key=lambda p: (p["workload"], p["question"]) not in missed
    )
    for p in profs:
        is_missed = (p["workload"], p["question"]) in missed
        lines += [
            "",
            f"### {p['workload']} / {p['question']}" + (" (target MISSED)" if is_missed else ""),
            "",
            f"wall {p['wall_ms']:.2f} ms for {len(p['statements'])} statement(s)",
        ]
        for s in p["statements"]:
            ops = s["operators"]
            lines.append(
                f"- server {s['server_ms']} ms, {s['rows']} rows, {s['db_hits']:,} db "
                f"hits; operators: " + " <- ".join(dict.fromkeys(o["operator"] for o in ops))
            )
            if is_missed:
                lines += [
                    "",
                    "```cypher",
                    s["text"],
                    "```",
                    "",
                    "| operator | rows | db hits | details |",
                    "|---|---|---|---|",
                ]
                for o in ops:
                    lines.append(
                        f"| {'  ' * o['depth']}{o['operator']} | {o['rows']} | "
                        f"{o['db_hits']} | {_cell(o['details'])} |"
                    )
        if is_missed and p.get("python"):
            lines += [
                "",
                (
                    f"Client side, cProfile of 3 calls (wall {p['wall_ms']:.1f} ms per "
                    "call incl. profiling overhead), top functions by own time:"
                ),
                "",
                "```",
                p["python"],
                "```",
            ]
    return lines
