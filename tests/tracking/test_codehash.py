"""The code hash covers the user's code, not libraries (lineage-graph's own code included)."""

from __future__ import annotations

import json

from lineage_graph.tracking import log_metric, runs
from lineage_graph.tracking.codehash import _is_project_file, code_hash

THRESHOLD = 0.5


def uses_library_and_constant(x: float) -> str:
    log_metric("x", x)
    return json.dumps(x > THRESHOLD)


def test_library_files_are_not_project_code() -> None:
    assert not _is_project_file(runs.__file__)
    assert not _is_project_file(json.__file__)
    assert _is_project_file(__file__)


def test_module_constants_it_reads_are_part_of_the_hash() -> None:
    before = code_hash(uses_library_and_constant)
    assert before == code_hash(uses_library_and_constant)  # stable
    globals()["THRESHOLD"] = 0.9
    try:
        assert code_hash(uses_library_and_constant) != before
    finally:
        globals()["THRESHOLD"] = 0.5
