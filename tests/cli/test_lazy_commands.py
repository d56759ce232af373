"""The root loads a command's module only when that command runs (``cli.app.COMMANDS``).

What the lazy root must keep: the same commands in the same order as the modules define them,
the same ``--help`` listing as if every module were loaded, and a usage error or a
subcommand's help as before. No server is needed.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from lineage_graph.cli import app

cli_app = importlib.import_module("lineage_graph.cli.app")
try:
    from typer._click.utils import make_default_short_help
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.utils import make_default_short_help

MODULES = list(dict.fromkeys(module for _, module, _ in cli_app.COMMANDS))


def _eager_commands() -> dict[str, Any]:
    """Every module's commands built the way the root builds one module, in COMMANDS' order."""
    built: dict[str, Any] = {}
    for module in MODULES:
        built.update(cli_app.load_module(module))
    return built


def test_commands_lists_every_command_each_module_defines_once() -> None:
    eager = _eager_commands()
    names = [name for name, _, _ in cli_app.COMMANDS]
    assert len(names) == len(set(names))
    # Help order is COMMANDS' order; every command a module defines is listed, no other.
    assert sorted(eager) == sorted(names)
    for module in MODULES:
        listed = [name for name, m, _ in cli_app.COMMANDS if m == module]
        assert list(cli_app.load_module(module)) == listed, module


def test_each_summary_gives_the_listing_the_commands_own_help_gives() -> None:
    eager = _eager_commands()
    for name, _, summary in cli_app.COMMANDS:
        command = eager[name]
        assert not command.hidden, name
        for limit in range(10, 240):
            assert make_default_short_help(summary, limit) == command.get_short_help_str(
                limit
            ), (name, limit)


def _help_text(group: Any, width: int) -> str:
    ctx = group.make_context("lineage-graph", ["--help"], resilient_parsing=True,
                             max_content_width=width, terminal_width=width)  # fmt: skip
    return str(group.get_help(ctx))


@pytest.mark.parametrize("width", [50, 80, 120])
def test_root_help_is_what_every_module_loaded_would_print(width: int) -> None:
    lazy = typer.main.get_command(app)
    loaded = typer.main.get_command(app)
    for name in loaded.commands:  # type: ignore[attr-defined]
        loaded.commands[name]  # type: ignore[attr-defined]  # loads every module
    assert _help_text(lazy, width) == _help_text(loaded, width)
    assert "show" in _help_text(lazy, width)


def test_a_typo_is_still_one_usage_line_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["shwo", "a:1"])
    assert result.exit_code == 2
    assert "No such command 'shwo'" in result.stderr
    assert "Did you mean 'show'?" in result.stderr


@pytest.mark.parametrize(
    "args", [["show", "--help"], ["neo4j", "--help"], ["alias", "--help"], ["incident"]],
    ids=" ".join,
)  # fmt: skip
def test_a_commands_own_help_loads_and_prints(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), result.output
    assert "Usage: " in result.output


def test_a_verb_is_built_alone_the_same_as_with_its_module() -> None:
    """``show`` builds only ``show`` (not the dozen other commands of ``cli.query``), and it is
    the command the whole module would give."""
    for name, module, _ in cli_app.COMMANDS:
        if name in cli_app.NOUNS:
            continue
        alone = cli_app.load_module(module, only=name)
        assert list(alone) == [name], (name, list(alone))
        whole = cli_app.load_module(module)[name]
        assert alone[name].help == whole.help
        assert [p.name for p in alone[name].params] == [p.name for p in whole.params]
