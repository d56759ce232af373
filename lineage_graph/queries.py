"""Registry of the named Cypher statements shipped in ``cypher/`` (``lineage_graph._cypher``).

One statement per file. A file's header is ``//`` comment lines; one of them may read
``// params: $a, $b`` and another ``// returns: x, y``. ``query("artifact_get")`` returns the
text of ``cypher/queries/artifact_get.cypher``; ``schema()`` returns the schema statements in
file-name order. Files are never split on ``;`` or stripped of comments (URLs contain ``//``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import LiteralString

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: LiteralString
    declared_params: frozenset[str]

    @property
    def used_params(self) -> frozenset[str]:
        """Parameters the statement body refers to (header comments excluded)."""
        body = "\n".join(
            line for line in self.text.splitlines() if not line.lstrip().startswith("//")
        )
        return frozenset(_PARAM.findall(body))


def _parse(name: str, text: str) -> NamedQuery:
    declared: set[str] = set()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        header = stripped[2:].strip()
        if header.lower().startswith("params:"):
            declared.update(_PARAM.findall(header))
    # Files are package data written by us, so their text is as trusted as a literal.
    trusted: LiteralString = text.strip()  # type: ignore[assignment,unused-ignore]
    return NamedQuery(name, trusted, frozenset(declared))


def _directory(sub: str) -> dict[str, NamedQuery]:
    root = resources.files("lineage_graph._cypher").joinpath(sub)
    found: dict[str, NamedQuery] = {}
    for entry in root.iterdir():
        if entry.name.endswith(".cypher"):
            name = entry.name.removesuffix(".cypher")
            found[name] = _parse(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


@cache
def all_queries() -> dict[str, NamedQuery]:
    """Every named query in ``cypher/queries``, by name."""
    return _directory("queries")


@cache
def schema() -> list[NamedQuery]:
    """Schema statements (constraints, indexes, version node) in file-name order."""
    return list(_directory("schema").values())


def query(name: str) -> LiteralString:
    """The text of the named query.

    Raises:
        KeyError: no file ``cypher/queries/<name>.cypher`` exists.
    """
    try:
        return all_queries()[name].text
    except KeyError:
        raise KeyError(f"no named query {name!r} in cypher/queries") from None
