"""The side-by-side run: ``python -m benchmarks.run [--size smoke|full]``.

For each workload (chains, then TFX-like stores, smallest first): networkx ingests in this
process; MLMD and lineage-graph each ingest in a child process (``benchmarks.ingest``) so their
peak memory is their own; then every question is asked of every system, the answers are
checked equal, and only then are warm repetitions timed. ``--out`` writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import logging
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .adapters import make
from .adapters.base import IngestStats, Method, System
from .workloads import SIZES, Workload, chain, chain_roots, tfx

SYSTEMS = ("networkx", "mlmd", "lineage-graph")
QUESTIONS = {
    "chain": ("roots", "upstream"),
    "tfx": (
        "show", "by_name", "roots", "upstream", "downstream_models", "last_deployed",
        "why_failed",
    ),
}
REPO = Path(__file__).resolve().parent.parent
# The ingest row of the bulk first load (``--bulk``); report.py finds it by this mode.
BULK_MODE = "bulk import (neo4j-admin)"


def workloads(size: str) -> list[Workload]:
    plan = SIZES[size]
    return [chain(d) for d in plan["chain"]] + [tfx(n) for n in plan["tfx"]]


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def time_method(fn: Method, reps: int, budget_s: float) -> list[float]:
    """Warm repetitions (the caller already ran ``fn`` once): ``reps`` of them, fewer (but at
    least 3) if they would take longer than ``budget_s``."""
    gc.collect()
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < reps and (len(samples) < 3 or time.perf_counter() < deadline):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def time_paired(
    fn: Method, floor: Method, reps: int, budget_s: float
) -> tuple[list[float], list[float]]:
    """``fn`` and the floor timed alternately (a burst of load hits both alike), like
    ``time_method``: the samples of each."""
    gc.collect()
    mine: list[float] = []
    base: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(mine) < reps and (len(mine) < 3 or time.perf_counter() < deadline):
        t0 = time.perf_counter()
        floor()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        base.append(t1 - t0)
        mine.append(t2 - t1)
    return mine, base


def ingest_in_child(system: str, wl: Workload, workdir: str) -> IngestStats:
    cmd = [sys.executable, "-m", "benchmarks.ingest", system, wl.name, workdir]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{system} ingest of {wl.name} failed:\n{out.stderr[-3000:]}")
    return IngestStats(**json.loads(out.stdout.strip().splitlines()[-1]))


def _size(answer: Any) -> int:
    return len(answer) if isinstance(answer, (list, tuple)) else (0 if answer is None else 1)


def _describe_difference(answers: dict[str, Any]) -> str:
    items = list(answers.items())
    ref_name, ref = items[0]
    parts = []
    for name, ans in items[1:]:
        if ans == ref:
            continue
        if isinstance(ans, list) and isinstance(ref, list):
            only_ref = sorted(set(map(str, ref)) - set(map(str, ans)))[:3]
            only_this = sorted(set(map(str, ans)) - set(map(str, ref)))[:3]
            parts.append(
                f"{name} ({len(ans)}) vs {ref_name} ({len(ref)}): only {ref_name} "
                f"{only_ref}, only {name} {only_this}"
            )
        else:
            parts.append(f"{name}={str(ans)[:200]!r} vs {ref_name}={str(ref)[:200]!r}")
    return "; ".join(parts)


def expected(wl: Workload, question: str) -> Any:
    """An answer known without any system (chains only), a cross-check of the oracle itself."""
    if wl.kind == "chain" and question == "roots":
        return chain_roots(wl.size)
    return None


def run(
    size: str = "smoke",
    *,
    reps: int | None = None,
    budget_s: float | None = None,
    systems: tuple[str, ...] = SYSTEMS,
    only: tuple[str, ...] = (),
    workdir: str | None = None,
    log: Callable[[str], None] = print,
    profile: bool = True,
    isolate: bool = True,
    mlmd_loop_max: int = 200_000,
    bulk: bool = False,
) -> dict[str, Any]:
    """Run the benchmark; returns the results (see ``write_markdown`` for their use).

    ``isolate=False`` ingests in this process (faster to start, but peak memory is then
    this process's, not the ingest's): for the smoke test only. Workloads above
    ``mlmd_loop_max`` nodes+edges are loaded into MLMD with its batch calls instead of the
    ``put_execution`` loop (which runs at a few thousand per second): the ingest table says
    which mode each figure is. ``bulk`` adds a lineage-graph row for each TFX workload loaded
    again by ``neo4j-admin database import`` (``BULK_MODE``, in this process), after which the
    store holds that load for the questions.
    """
    # The server warns about event types no workload uses (e.g. DECLARED_OUTPUT): noise here.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    reps = reps or (5 if size == "smoke" else 30)
    budget_s = budget_s if budget_s is not None else (1.0 if size == "smoke" else 15.0)
    workdir = workdir or tempfile.mkdtemp(prefix="lg-bench-")
    results: dict[str, Any] = {
        "size": size,
        "ingest": [],
        "latency": [],
        "checks": [],
        "profiles": [],
        "floor": [],
        "load_before": os.getloadavg(),
    }
    lg: System | None = None
    mlmd: System | None = None
    last: Workload | None = None
    try:
        if "lineage-graph" in systems:
            lg = make("lineage-graph", workdir)
            results["server"] = server_info(lg)
        if "mlmd" in systems:
            mlmd = make("mlmd", workdir)
        for wl in workloads(size):
            if only and wl.name not in only:
                continue
            log(f"== {wl.name}: {wl.count():,} nodes+edges")
            live: dict[str, System] = {}
            if "networkx" in systems:
                nx_sys = make("networkx", workdir)
                nx_sys.reset()
                st = nx_sys.ingest(wl)
                results["ingest"].append(
                    {
                        "workload": wl.name,
                        "system": "networkx",
                        "mode": "add_node/add_edge",
                        **dataclasses.asdict(st),
                        "rate": st.rate,
                    }
                )
                live["networkx"] = nx_sys
            total = wl.count()
            for name, sut in (("mlmd", mlmd), ("lineage-graph", lg)):
                if sut is None:
                    continue
                how = name
                if name == "mlmd" and total > mlmd_loop_max:
                    how = "mlmd-batch"
                log(f"   ingest {how} ...")
                if isolate:
                    if name == "mlmd":
                        sut.close()  # the child recreates the SQLite file; reopened after
                    st = ingest_in_child(how, wl, workdir)
                else:
                    sut.reset()
                    sut.batch = how == "mlmd-batch"  # type: ignore[attr-defined]
                    st = sut.ingest(wl)
                    sut.batch = False  # type: ignore[attr-defined]
                size_bytes = sut.store_bytes()
                mode = {
                    "mlmd": "put_execution loop",
                    "mlmd-batch": "batch calls",
                    "lineage-graph": "put_* batches, one transaction each",
                }[how]
                row = {
                    "workload": wl.name,
                    "system": name,
                    "mode": mode,
                    **dataclasses.asdict(st),
                    "rate": st.rate,
                }
                if size_bytes is not None:
                    row["store_bytes"] = size_bytes
                results["ingest"].append(row)
                log(
                    f"   {name}: {st.elements:,} in {st.seconds:.1f}s = {st.rate:,.0f}/s, "
                    f"peak RSS {st.peak_rss_mb:.0f} MB"
                )
                live[name] = sut
            if bulk and lg is not None and wl.kind == "tfx" and "lineage-graph" in live:
                log("   ingest lineage-graph bulk ...")
                st = lg.ingest_bulk(wl)  # type: ignore[attr-defined]
                results["ingest"].append({"workload": wl.name, "system": "lineage-graph",
                                          "mode": BULK_MODE, **dataclasses.asdict(st),
                                          "rate": st.rate})  # fmt: skip
                log(f"   lineage-graph bulk: {st.elements:,} in {st.seconds:.1f}s = "
                    f"{st.rate:,.0f}/s")
            if lg is not None and "lineage-graph" in live:
                results["floor"].append(_floor(wl.name, lg, reps, budget_s, log))
            for question in QUESTIONS[wl.kind]:
                _ask(wl, question, live, reps, budget_s, results, log, profile)
            live.pop("networkx", None)
            gc.collect()
            last = wl
        if lg is not None and last is not None and last.questions.model:
            from .cli_timing import measure

            log("== CLI, whole processes")
            model = lg.store.get_artifact_by_type_and_name(  # type: ignore[attr-defined]
                last.questions.model_type, last.questions.model
            )
            results["cli"] = measure(lg.target, model.id)  # type: ignore[attr-defined]
            for row in results["cli"]:
                log(f"   {row['command']:40} {row['command_ms']:8.1f} ms vs {row['baseline']}"
                    f" {row['baseline_ms']:8.1f} ms = {row['ratio']:.2f}x")
    finally:
        for sut in (lg, mlmd):
            if sut is not None:
                sut.close()
    results["load_after"] = os.getloadavg()
    return results


def _floor(
    workload: str, lg: System, reps: int, budget_s: float, log: Callable[[str], None]
) -> dict[str, Any]:
    """The floor of a point question: a bare ``RETURN 1`` round trip, same driver and session
    settings as every question, measured beside them (after the same warm-up)."""
    fn = lg.floor  # type: ignore[attr-defined]
    fn()
    samples = time_method(fn, max(reps, 100), budget_s)
    row = {
        "workload": workload,
        "n": len(samples),
        "median_ms": statistics.median(samples) * 1000,
        "p95_ms": percentile(samples, 95) * 1000,
    }
    log(f"   floor (RETURN 1)  median {row['median_ms']:.2f} ms p95 {row['p95_ms']:.2f} ms")
    return row


def _ask(
    wl: Workload,
    question: str,
    live: dict[str, System],
    reps: int,
    budget_s: float,
    results: dict[str, Any],
    log: Callable[[str], None],
    profile: bool,
) -> None:
    methods: dict[tuple[str, str], Method] = {}
    for name, sut in live.items():
        for mname, fn in sut.methods(wl, question).items():
            methods[(name, mname)] = fn
    if not methods:
        return
    answers = {f"{s}/{m}": fn() for (s, m), fn in methods.items()}  # also the warm-up
    exp = expected(wl, question)
    if exp is not None:
        answers["expected"] = exp
    equal = all(a == next(iter(answers.values())) for a in answers.values())
    size = _size(next(iter(answers.values())))
    check = {
        "workload": wl.name,
        "question": question,
        "equal": equal,
        "answer_size": size,
        "systems": sorted(answers),
        "detail": "" if equal else _describe_difference(answers),
    }
    results["checks"].append(check)
    if not equal:
        log(f"   {question}: ANSWERS DIFFER, not timed: {check['detail']}")
        return
    for (sname, mname), fn in methods.items():
        floor_samples: list[float] = []
        if sname == "lineage-graph":
            # The question's own floor, timed in turn with it: a separate block of floor
            # timings can land in a quieter (or busier) moment than the question's.
            samples, floor_samples = time_paired(
                fn, live[sname].floor, reps, budget_s  # type: ignore[attr-defined]
            )
        else:
            samples = time_method(fn, reps, budget_s)
        row = {
            "workload": wl.name,
            "question": question,
            "system": sname,
            "method": mname,
            "answer_size": size,
            "n": len(samples),
            "median_ms": statistics.median(samples) * 1000,
            "p95_ms": percentile(samples, 95) * 1000,
        }
        if floor_samples:
            row["paired_floor_ms"] = statistics.median(floor_samples) * 1000
        results["latency"].append(row)
        log(
            f"   {question:18} {sname:14} {mname:30} median {row['median_ms']:9.2f} ms "
            f"p95 {row['p95_ms']:9.2f} ms (n={len(samples)}, answer {size})"
        )
    if profile and "lineage-graph" in live:
        from .profiling import profile_lineage_graph

        lg_methods = [fn for (s, _), fn in methods.items() if s == "lineage-graph"]
        if lg_methods:
            results["profiles"].append(
                {
                    "workload": wl.name,
                    "question": question,
                    **profile_lineage_graph(live["lineage-graph"], lg_methods[0]),
                }
            )


def server_info(lg: System) -> dict[str, Any]:
    from .cypher import bench_query

    rows = lg.store.run_read(bench_query("server_version"))  # type: ignore[attr-defined]
    kernel = next((r for r in rows if r["name"] == "Neo4j Kernel"), rows[0] if rows else {})
    return {
        "neo4j": f"{kernel.get('versions', ['?'])[0]} {kernel.get('edition', '')}".strip(),
        "data_dir": lg.data_dir(),
    }  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    p.add_argument("--size", choices=sorted(SIZES), default="smoke")
    p.add_argument("--reps", type=int, default=None, help="warm repetitions per method")
    p.add_argument("--budget", type=float, default=None, help="seconds per method at most")
    p.add_argument("--systems", default=",".join(SYSTEMS))
    p.add_argument("--only", default="", help="comma-separated workload names (e.g. tfx-1M)")
    p.add_argument(
        "--out",
        default=None,
        help="markdown file to write (default: benchmarks/RESULTS.md for full)",
    )
    p.add_argument("--json", default=None, help="also write the raw results here")
    p.add_argument(
        "--mlmd-loop-max",
        type=int,
        default=200_000,
        help="above this many nodes+edges, load MLMD with its batch calls",
    )
    p.add_argument("--bulk", action="store_true",
                   help="also load each TFX workload by neo4j-admin import (restarts the "
                        "local server; the questions then run on that load)")
    p.add_argument(
        "--render",
        default=None,
        metavar="JSON",
        help="only re-render --out from a saved --json (e.g. after editing NOTES.md)",
    )
    args = p.parse_args(argv)
    if args.render:
        from .report import write_markdown

        saved = json.loads(Path(args.render).read_text())
        out = args.out or str(REPO / "benchmarks" / "RESULTS.md")
        Path(out).write_text(write_markdown(saved))
        print(f"wrote {out}")
        return 0
    command = "python -m benchmarks.run " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    started = time.time()
    results = run(
        args.size,
        reps=args.reps,
        budget_s=args.budget,
        systems=tuple(s for s in args.systems.split(",") if s),
        only=tuple(s for s in args.only.split(",") if s),
        mlmd_loop_max=args.mlmd_loop_max,
        bulk=args.bulk,
    )
    results["command"] = command
    results["started"] = started
    results["elapsed_s"] = time.time() - started
    from .report import machine_info, write_markdown

    results["machine"] = machine_info()
    out = args.out or (str(REPO / "benchmarks" / "RESULTS.md") if args.size == "full" else None)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if out:
        Path(out).write_text(write_markdown(results))
        print(f"wrote {out}")
    bad = [c for c in results["checks"] if not c["equal"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
