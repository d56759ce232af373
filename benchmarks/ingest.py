"""Ingest one workload into one system in a fresh process, so its peak memory is its own.

``python -m benchmarks.ingest SYSTEM WORKLOAD WORKDIR`` prints one JSON line: IngestStats.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from .adapters import make
from .workloads import by_name


def main(argv: list[str]) -> int:
    system, workload, workdir = argv
    sut = make(system, workdir)
    try:
        sut.reset()
        stats = sut.ingest(by_name(workload))
    finally:
        sut.close()
    print(json.dumps(dataclasses.asdict(stats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
