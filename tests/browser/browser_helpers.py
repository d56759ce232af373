"""Driving Neo4j Browser in the Debian chromium (Playwright's Python package, no download)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[1] / "output"
TIMEOUT_MS = 90_000


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


def run_editor(page: Any) -> None:
    """Press Run once the editor holds the link's text (the Browser fills it after start-up)."""
    page.wait_for_function(
        "() => (document.querySelector('#monaco-main-editor')?.innerText || '').trim().length > 2",
        timeout=TIMEOUT_MS,
    )
    page.click('[data-testid="editor-Run"]')


def drawn_nodes(page: Any, expected: int) -> list[tuple[str, str]]:
    """(caption text, fill colour) of every node drawn in the newest graph, once settled."""
    page.wait_for_function(
        f"() => document.querySelectorAll('svg.neod3viz g.node').length >= {expected}",
        timeout=TIMEOUT_MS,
    )
    frame = page.query_selector_all('[data-testid="frame"]')[0]  # newest frame is first
    nodes = []
    for g in frame.query_selector_all("svg.neod3viz g.node"):
        caption = " ".join(t.text_content().strip() for t in g.query_selector_all("text.caption"))
        ring = g.query_selector("circle.b-outline")
        nodes.append((caption, ring.get_attribute("fill") if ring else ""))
    return nodes
