"""Driving Neo4j Browser in the Debian chromium (Playwright's Python package, no download)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lineage_graph.server import LocalServer, Neo4jTarget, Paths

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[1] / "output"
TIMEOUT_MS = 90_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def scratch_local_server(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[Neo4jTarget]:
    """A local server of lineage-graph's own, for a test whose session database is elsewhere."""
    root = tmp_path_factory.mktemp(name)
    server = LocalServer(Paths(cache=Paths.from_env().cache, data_root=root / "data",
                               state=root / "state"))  # fmt: skip
    state, _ = server.start(bolt_port=free_port(), http_port=free_port())
    try:
        yield server.target(state)
    finally:
        server.stop()


def open_and_login(page: Any, url: str, password: str) -> None:
    """Open a Browser link; log in if the connect form shows (the link pre-fills the user)."""
    page.goto(url)
    page.wait_for_selector('[data-testid="editor-Run"]', timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if page.query_selector('[data-testid="password"]'):
            page.fill('[data-testid="password"]', password)
            page.click('[data-testid="connect"]')
            page.wait_for_selector('[data-testid="password"]', state="detached",
                                   timeout=TIMEOUT_MS)
            return
        if page.query_selector("text=You are connected as user"):
            return
        page.wait_for_timeout(250)
    raise AssertionError("the Browser neither connected nor showed its connect form")


def wait_for_post_connect(page: Any) -> None:
    """Wait until the local server's post-connect commands (``:style ...`` then ``clear``)
    have run: a command run before them would have its frame cleared away."""
    page.wait_for_function(
        "() => (localStorage.getItem('neo4j.grass') || '').includes('node.Failed.Tainted')",
        timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)  # the post-connect commands run one after the other


def run_editor(page: Any) -> None:
    """Press Run once the editor holds the link's text (the Browser fills it after start-up)."""
    page.wait_for_function(
        "() => (document.querySelector('#monaco-main-editor')?.innerText || '').trim().length > 2",
        timeout=TIMEOUT_MS,
    )
    page.click('[data-testid="editor-Run"]')


# Finds the newest frame whose command is `want` (whitespace-normalised; a frame header that
# the Browser cut short with an ellipsis matches as a prefix). The stream also holds frames the
# Browser ran by itself (the server's post-connect `:style`, `:play start` ...), which may land
# above ours, so "the newest frame" is not the one of our query.
_FIND_FRAME = """(want) => {
  const norm = s => (s || '').split(/\\s+/).filter(Boolean).join(' ');
  for (const frame of document.querySelectorAll('[data-testid="frame"]')) {
    const cmd = norm(frame.querySelector('[data-testid="frameCommand"]')?.textContent)
      .replace(/(\u2026|\\.\\.\\.)$/, '').trim();
    if (cmd && (cmd === want || (cmd.length >= 20 && want.startsWith(cmd)))) return frame;
  }
  return null;
}
"""

# The (caption, fill) of every node drawn in that frame once there are `expected` and two
# polls in a row saw the same drawing (the post-connect style may repaint the graph).
_DRAWN = """([want, expected]) => {
  const frame = (""" + _FIND_FRAME.strip() + """)(want);
  if (!frame) return null;
  const norm = s => (s || '').split(/\\s+/).filter(Boolean).join(' ');
  const nodes = Array.from(frame.querySelectorAll('svg.neod3viz g.node'), g => [
    norm(Array.from(g.querySelectorAll('text.caption'), t => t.textContent).join(' ')),
    g.querySelector('circle.b-outline')?.getAttribute('fill') || '',
  ]);
  if (nodes.length < expected) return null;
  const seen = JSON.stringify(nodes);
  const settled = window.__lgLastDrawn === seen;
  window.__lgLastDrawn = seen;
  return settled ? nodes : null;
}
"""


def normalised(command: str) -> str:
    """A command as a frame header shows it: whitespace runs collapsed to one space."""
    return " ".join(command.split())


def command_frame(page: Any, command: str) -> Any:
    """The newest frame of ``command`` (an ElementHandle), once it is in the stream."""
    handle = page.wait_for_function(_FIND_FRAME, arg=normalised(command), timeout=TIMEOUT_MS)
    return handle.as_element()


def drawn_nodes(page: Any, expected: int, command: str) -> list[tuple[str, str]]:
    """(caption text, fill colour) of every node drawn in the frame of ``command``.

    Waits until that frame shows at least ``expected`` nodes and the drawing is stable.
    """
    handle = page.wait_for_function(
        _DRAWN, arg=[normalised(command), expected], timeout=TIMEOUT_MS, polling=300
    )
    return [(caption, fill) for caption, fill in handle.json_value()]
