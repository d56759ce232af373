"""Arrows point one way (DESIGN.md, "Layers"): checked twice.

* At run time: in a fresh interpreter, importing a lower layer loads no module of a higher one
  (``sys.modules`` after the import).
* In the source: no module of a lower layer imports a higher one anywhere, not even inside a
  function (a lazy import is still an arrow, and a lazy cycle is still a cycle).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lineage_graph"

UPPER = ("lineage_graph.server", "lineage_graph.browser", "lineage_graph.cli")


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _loaded_after(statement: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``statement``."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    ["lineage_graph.store", "lineage_graph.store.neo4j", "lineage_graph.store.memory",
     "lineage_graph.store.base", "lineage_graph.connection", "lineage_graph.target"],
)  # fmt: skip
def test_store_loads_no_server_browser_or_cli(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert module in loaded
    assert [m for m in loaded if _under(m, UPPER)] == []


def test_cli_root_loads_no_command_server_browser_or_store() -> None:
    """Issue 16: the root of the CLI (what every command and ``--help`` pay) is typer, the
    errors and the target; commands load their modules when they run (``cli.app.COMMANDS``)."""
    loaded = _loaded_after("import lineage_graph.cli.app")
    heavy = ("lineage_graph.server", "lineage_graph.browser", "lineage_graph.store",
             "lineage_graph.interop", "lineage_graph.tracking", "lineage_graph.models",
             "neo4j", "pydantic", "rich", "networkx")  # fmt: skip
    assert [m for m in loaded if _under(m, heavy)] == []
    cli = [m for m in loaded if _under(m, ("lineage_graph.cli",))]
    assert cli == ["lineage_graph.cli", "lineage_graph.cli.app", "lineage_graph.cli.common"]


def test_server_loads_no_browser_or_cli() -> None:
    loaded = _loaded_after("import lineage_graph.server")
    assert "lineage_graph.server.local" in loaded
    assert [m for m in loaded if _under(m, ("lineage_graph.browser", "lineage_graph.cli"))] == []


def test_browser_loads_no_server_or_cli() -> None:
    modules = ("config", "guide", "links", "serve", "style", "views")
    loaded = _loaded_after("\n".join(f"import lineage_graph.browser.{m}" for m in modules))
    assert [m for m in loaded if _under(m, ("lineage_graph.server", "lineage_graph.cli"))] == []


# ---- the same rules in the source, lazy imports included -------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code, as absolute names."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            found.add(stem)
            # `from . import x` may name a submodule: count it too.
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


# (layer, the layers it must never import)
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("lineage_graph.store", UPPER),
    ("lineage_graph.server", ("lineage_graph.browser", "lineage_graph.cli")),
    ("lineage_graph.browser", ("lineage_graph.server", "lineage_graph.cli")),
    ("lineage_graph.target", ("lineage_graph",)),
    ("lineage_graph.errors", ("lineage_graph",)),
    ("lineage_graph.grass", UPPER),
]


@pytest.mark.parametrize(("layer", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_no_arrow_points_up_even_lazily(layer: str, forbidden: tuple[str, ...]) -> None:
    path = PACKAGE.joinpath(*layer.split(".")[1:])
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
    assert files, layer
    wrong = {
        f"{f.relative_to(ROOT)} imports {name}"
        for f in files
        for name in _imports(f)
        if _under(name, forbidden) and not _under(name, (layer,))
    }
    assert sorted(wrong) == []
