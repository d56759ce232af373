"""What the crash tests run and how they compare graphs (test helper).

Three workloads, each a separate process so it can die without cleanup: an OpenLineage file
import, an MLMD import and a tracked run (``lineage_graph.tracking`` ``run``/``step``). Each
re-run finishes the job (OpenLineage and MLMD imports are idempotent; a tracked run is
resumed under its name, its steps done before the crash become cache hits).

``canonical`` is the JSON export (``interop.export``) with what legitimately differs between
two runs of the same workload taken out:

* ids (nodes are keyed by kind, type and name instead; a nameless node keeps its id: the
  MLMD import keeps MLMD's ids), ``seq``, ``create_time``/``update_time``, ``exported_at``;
* with ``tracked``: the wall-clock ``start_time``/``end_time`` of runs and steps, the
  ``opened_by`` (host/pid/nonce) of the run, their event timestamps (not of OpenLineage
  nodes, whose times are the events' own), and the CACHED executions a
  resumed run records for the steps it did not have to run again (with their REUSED links
  and context links): ``cached`` counts them, so a test can assert how many there are; and
  the names of step executions (``<run>/<step>#n``: a resumed run's hits take numbers, so
  the calls it computes are numbered after them): a step call is keyed by its ``memo_key``
  instead (the step, its code, inputs and parameters).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from lineage_graph.interop import export
from lineage_graph.store.base import Store
from lineage_graph.target import Neo4jTarget

ROOT = Path(__file__).resolve().parents[2]
VOLATILE_CUSTOM = frozenset({"start_time", "end_time", "opened_by"})


def spawn(target: Neo4jTarget, code: str, *args: str, cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    """``code`` in a new Python process writing to ``target`` (NEO4J_* in its environment).

    A tracked run records the git commit of its working directory: give it one outside this
    repository (others commit to it while the tests run)."""
    env = {
        **os.environ,
        "NEO4J_URI": target.uri,
        "NEO4J_USER": target.user,
        "NEO4J_PASSWORD": target.password,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


CONNECT = """
import os, sys
from lineage_graph.store.neo4j import Neo4jStore
store = Neo4jStore.connect(os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                           os.environ["NEO4J_PASSWORD"])
"""

OPENLINEAGE = (
    CONNECT
    + """
from lineage_graph.interop import openlineage as ol
with open(sys.argv[1]) as f:
    report = ol.ingest_events(store, ol.iter_documents(f))
assert not report.rejected, report.rejected
"""
)

MLMD = (
    CONNECT
    + """
from lineage_graph.interop.mlmd import import_mlmd, open_mlmd
import_mlmd(store, open_mlmd(sys.argv[1]), batch=10)
"""
)

# argv: data directory, number of iterations. Every step's output is a pure function of its
# inputs and parameters, so a re-run writes the same files (and a resumed run gets hits).
TRACKED = (
    CONNECT
    + """
from pathlib import Path
from lineage_graph.tracking import Dataset, Model, run, step

DATA = Path(sys.argv[1])

@step
def prep(src: Dataset, i: int) -> Dataset:
    assert src.path is not None
    out = DATA / f"part-{i}.csv"
    out.write_text(f"part {i}\\n" + src.path.read_text())
    return Dataset(str(out))

@step
def train(data: Dataset, i: int) -> Model:
    out = DATA / f"model-{i}.bin"
    out.write_bytes(bytes([i % 256]) * 64)
    return Model(str(out))

source = DATA / "source.csv"
with run(pipeline="torture", name="torture-run", store=store, resume=True) as r:
    for i in range(int(sys.argv[2])):
        train(prep(Dataset(str(source)), i=i), i=i)
    r.log_metric("iterations", int(sys.argv[2]))
store.close()
"""
)


def tracked_data(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "source.csv").write_text("a,b\n1,2\n")
    return directory


def openlineage_file(path: Path, runs: int) -> Path:
    """A chain of jobs: run i reads table i and writes table i+1; START then COMPLETE."""
    lines = []
    for i in range(runs):
        for state, second in (("START", 0), ("COMPLETE", 1)):
            lines.append(
                {
                    "eventType": state,
                    "eventTime": f"2024-05-01T{i // 60:02d}:{i % 60:02d}:{second:02d}Z",
                    "run": {"runId": f"00000000-0000-4000-8000-{i:012d}"},
                    "job": {"namespace": "airflow", "name": f"job_{i % 7}"},
                    "inputs": [{"namespace": "pg://db", "name": f"t{i}"}],
                    "outputs": [{"namespace": "pg://db", "name": f"t{i + 1}"}],
                    "producer": "https://example.com/torture",
                    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
                }
            )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def run_to_end(
    target: Neo4jTarget, code: str, *args: str, cwd: Path = ROOT, timeout: float = 600
) -> None:
    proc = spawn(target, code, *args, cwd=cwd)
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err.decode(errors="replace")[-3000:]


def canonical(store: Store, *, tracked: bool = False) -> dict[str, Any]:
    """The store's export without what legitimately differs between runs (module doc)."""
    doc = export.to_json(store)
    cached = {
        x["id"] for x in doc["executions"] if tracked and x.get("last_known_state") == "CACHED"
    }
    keys: dict[tuple[str, int], Any] = {}
    nodes: dict[str, list[str]] = {}
    for kind, section in (
        ("artifact", "artifacts"),
        ("execution", "executions"),
        ("context", "contexts"),
    ):
        out = []
        for full in doc[section]:
            if kind == "execution" and full["id"] in cached:
                continue
            name = full.get("name")
            drop = {"id", "seq", "create_time", "update_time"}
            memo = full.get("custom_properties", {}).get("memo_key")
            if tracked and kind == "execution" and memo and not _from_openlineage(full["type"]):
                name = memo  # a step call: what it computed, not the number its name got
                drop.add("name")
            keys[(kind, full["id"])] = [kind, full["type"], name if name else full["id"]]
            record = {k: v for k, v in full.items() if k not in drop}
            if tracked and not _from_openlineage(record["type"]):
                record["custom_properties"] = {
                    k: v for k, v in record["custom_properties"].items() if k not in VOLATILE_CUSTOM
                }
            out.append(json.dumps(record, sort_keys=True))
        nodes[section] = sorted(out)

    def edges(section: str, ends: tuple[tuple[str, str], ...], drop: tuple[str, ...] = ()) -> Any:
        rows = []
        for e in doc[section]:
            if any(e.get(field) in cached for kind, field in ends if kind == "execution"):
                continue
            ours = drop and not _from_openlineage(keys[("execution", e["execution_id"])][1])
            row = {k: v for k, v in e.items() if not (ours and k in drop)}
            for kind, field in ends:
                row[field] = keys[(kind, e[field])]
            rows.append(json.dumps(row, sort_keys=True))
        return sorted(rows)

    when = ("timestamp",) if tracked else ()
    return {
        "types": sorted(
            json.dumps({k: v for k, v in t.items() if k != "id"}, sort_keys=True)
            for t in doc["types"]
        ),
        **nodes,
        "events": edges(
            "events", (("artifact", "artifact_id"), ("execution", "execution_id")), when
        ),
        "attributions": edges(
            "attributions", (("artifact", "artifact_id"), ("context", "context_id"))
        ),
        "associations": edges(
            "associations", (("execution", "execution_id"), ("context", "context_id"))
        ),
        "parent_contexts": edges(
            "parent_contexts", (("context", "child_id"), ("context", "parent_id"))
        ),
        "reuses": [] if tracked else doc["reuses"],
        "cached": len(cached),
    }


def _from_openlineage(type_name: str) -> bool:
    # OpenLineage times are the events' own (eventTime): never volatile.
    return type_name.startswith("ol.")


def assert_same(got: dict[str, Any], clean: dict[str, Any]) -> None:
    """Equal except ``cached``; on a difference, name the first section that differs."""
    for section, value in clean.items():
        if section != "cached" and got[section] != value:
            extra = sorted(set(got[section]) - set(value))[:3]
            missing = sorted(set(value) - set(got[section]))[:3]
            raise AssertionError(
                f"{section} differs from the clean run: {len(got[section])} vs {len(value)}; "
                f"extra {extra}; missing {missing}"
            )
