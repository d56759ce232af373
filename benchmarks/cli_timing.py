"""Whole-process timings of the CLI beside the cheapest process that does the same work.

Each pair is run alternately (so a burst of load hits both alike), ``reps`` times, and the
median wall time of each is compared: ``lineage-graph --help`` against ``python -c "import
typer"`` (the CLI's own floor: its framework), and ``lineage-graph show a:ID --json`` against
a Python one-liner that imports the driver and runs one query for the same node. Both sides get
the server through ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``.

Both sides run from bytecode, as an installed package does (pip compiles it at install): a
``PYTHONDONTWRITEBYTECODE`` in the environment (set in development sandboxes) would otherwise
make every CLI process compile the package's sources again, while the baseline's modules come
compiled from site-packages. The bytecode goes to a private ``PYTHONPYCACHEPREFIX`` (nothing is
written beside the sources) and the warm-up run of each side fills it. ``bytecode=False``
measures with the environment as it is.

Just this table, without the rest of the benchmark::

    python -m benchmarks.cli_timing [--reps 9] [--id ARTIFACT_ID] [--cli module|script]

The server is ``NEO4J_URI`` if set, else the local one lineage-graph runs (started if needed);
the artifact is ``--id`` or the first one stored. ``--cli module`` (the default here) runs
``python -m lineage_graph.cli`` from this checkout; ``script`` the installed ``lineage-graph``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

ONE_QUERY = (
    "import os, neo4j\n"
    "d = neo4j.GraphDatabase.driver(os.environ['NEO4J_URI'],"
    " auth=(os.environ['NEO4J_USER'], os.environ['NEO4J_PASSWORD']))\n"
    "r = d.execute_query('MATCH (a:Artifact {id: $id}) RETURN a', id=int(os.environ['LG_ID']),"
    " database_=os.environ.get('NEO4J_DATABASE') or None)\n"
    "print(r.records[0]['a']['name'])\n"
    "d.close()\n"
)


def _cli(how: str = "script") -> list[str]:
    found = shutil.which("lineage-graph") if how == "script" else None
    return [found] if found else [sys.executable, "-m", "lineage_graph.cli"]


def _wall_ms(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    ms = (time.perf_counter() - t0) * 1000
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-500:]}")
    return ms


def measure(
    target: Any, artifact_id: int, reps: int = 9, cli: str = "script", bytecode: bool = True
) -> list[dict[str, Any]]:
    """Rows of (what, baseline, baseline median ms, CLI command, CLI median ms, ratio).

    ``cli``: ``script`` (the installed ``lineage-graph``, else the module) or ``module``.
    ``bytecode``: run both sides from bytecode in a private cache (see the module docstring).
    """
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "lineage-graph-pyc")
    env.update(
        NEO4J_URI=target.uri,
        NEO4J_USER=target.user,
        NEO4J_PASSWORD=target.password,
        LG_ID=str(artifact_id),
    )
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    argv = _cli(cli)
    pairs = [
        (
            "help",
            'python -c "import typer"',
            [sys.executable, "-c", "import typer"],
            "lineage-graph --help",
            [*argv, "--help"],
        ),
        (
            "point question",
            "python -c <import neo4j; one MATCH by id>",
            [sys.executable, "-c", ONE_QUERY],
            f"lineage-graph show a:{artifact_id} --json",
            [*argv, "show", f"a:{artifact_id}", "--json"],
        ),
    ]
    rows = []
    for what, base_label, base_cmd, cli_label, cli_cmd in pairs:
        _wall_ms(base_cmd, env)  # warm the file cache for both
        _wall_ms(cli_cmd, env)
        base, mine = [], []
        for _ in range(reps):
            base.append(_wall_ms(base_cmd, env))
            mine.append(_wall_ms(cli_cmd, env))
        b, m = statistics.median(base), statistics.median(mine)
        rows.append(
            {
                "what": what,
                "baseline": base_label,
                "baseline_ms": b,
                "command": cli_label,
                "command_ms": m,
                "ratio": m / b,
                "n": reps,
                "bytecode": bytecode,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cli_timing", description=__doc__)
    p.add_argument("--reps", type=int, default=9)
    p.add_argument("--id", type=int, default=None, help="artifact id (default: the first)")
    p.add_argument("--cli", choices=("module", "script"), default="module")
    p.add_argument("--no-bytecode", action="store_true",
                   help="keep PYTHONDONTWRITEBYTECODE as the environment has it")
    args = p.parse_args(argv)
    from lineage_graph.connection import connect
    from lineage_graph.server import resolve
    from lineage_graph.target import Neo4jTarget

    target = Neo4jTarget.from_env() or resolve(start=True, docker_ok=False)
    with connect(target) as store:
        artifact_id = args.id
        if artifact_id is None:
            rows = store.run_read("MATCH (a:Artifact) RETURN min(a.id) AS id")
            artifact_id = rows[0]["id"]
    if artifact_id is None:
        raise SystemExit("no artifact stored: load one first (lineage-graph demo)")
    for row in measure(target, artifact_id, args.reps, args.cli, not args.no_bytecode):
        print(
            f"{row['command']:40} {row['command_ms']:8.1f} ms vs {row['baseline']}"
            f" {row['baseline_ms']:8.1f} ms = {row['ratio']:.2f}x ({row['n']} + {row['n']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
