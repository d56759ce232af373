"""Neo4j Browser, served by the local server, works: log in, run ``RETURN 1``, see the result.

Drives the Debian ``chromium`` through Playwright's Python package (never a downloaded browser).
A screenshot of the result is saved as ``tests/output/browser_return_1.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (  # tests/browser is on sys.path (pytest's rootdir import mode)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    scratch_local_server,
    wait_for_post_connect,
)

from lineage_graph.server import Neo4jTarget

pytestmark = pytest.mark.browser

QUERY = "RETURN 1 AS one, 6 * 7 AS answer"


@pytest.fixture(scope="module")
def browser_target(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Neo4jTarget]:
    """A server whose Browser URL is known: the session's, or (NEO4J_URI set) a scratch one."""
    if neo4j_target.browser_url is not None:
        yield neo4j_target
        return
    # NEO4J_URI names a server whose HTTP port we cannot know: start a local one for this test.
    with scratch_local_server(tmp_path_factory, "browser-home") as target:
        yield target


def test_login_and_return_1(browser_target: Neo4jTarget) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    assert browser_target.browser_url is not None
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(90_000)
            page.goto(browser_target.browser_url)

            # The `dbms=bolt://neo4j@host:port` link pre-fills address and user.
            page.wait_for_selector('[data-testid="password"]')
            host_port = browser_target.uri.split("://", 1)[1]
            assert page.input_value('[data-testid="boltaddress"]').endswith(host_port)
            page.fill('[data-testid="username"]', browser_target.user)
            page.fill('[data-testid="password"]', browser_target.password)
            page.click('[data-testid="connect"]')
            # Connected once the form is gone (a failed login keeps it, with the error). The
            # "You are connected" frame is not waited for: the server's post-connect commands
            # clear the stream right after connecting (no stylesheet frame is left behind).
            page.wait_for_selector('[data-testid="password"]', state="detached")
            assert not page.query_selector('[data-testid="errorBanner"]')
            wait_for_post_connect(page)  # its clear would wipe a frame run before it

            editor = page.locator('[data-testid="activeEditor"] textarea').first
            editor.wait_for()
            editor.fill(QUERY)
            page.click('[data-testid="editor-Run"]')

            frame = page.locator('[data-testid="frame"]').filter(
                has=page.locator('[data-testid="frameCommand"]', has_text=QUERY)
            )
            result = frame.locator('[data-testid="frame-loaded-contents"]')
            result.wait_for()
            text = result.inner_text()
            page.screenshot(path=str(OUTPUT / "browser_return_1.png"))
        finally:
            browser.close()
    cells = text.split()
    assert [c for c in cells if c in ("one", "answer")][:2] == ["one", "answer"], text
    assert "42" in cells and "1" in cells, text
