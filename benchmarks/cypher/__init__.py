"""Cypher the benchmark itself runs (not the library's): one statement per file."""

from __future__ import annotations

from pathlib import Path
from typing import LiteralString


def bench_query(name: str) -> LiteralString:
    """The text of ``benchmarks/cypher/<name>.cypher`` (our own file, trusted like a literal)."""
    return (Path(__file__).parent / f"{name}.cypher").read_text().strip()
