"""``lineage-graph browse --serve``: the guide, served with CORS on the port the server really
bound (``--port 0`` picks one), plays in Neo4j Browser (headless Chromium), and its text names
that port. What the views draw (full captions, failed and tainted marks, references) is
``test_readable_views``. Screenshot: ``tests/output/browse_guide.png``.
"""

from __future__ import annotations

import pytest
from browser_helpers import (  # tests/browser is on sys.path (pytest's rootdir import mode)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    TIMEOUT_MS,
    command_frame,
    open_and_login,
    run_editor,
    wait_for_post_connect,
)

from lineage_graph import demo
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

pytestmark = pytest.mark.browser


def test_guide_plays_from_the_asset_server(neo4j_target: Neo4jTarget) -> None:
    """The guide, served with CORS by ``AssetServer`` on localhost, plays in the Browser:
    the slides show, and clicking a query copies it into the editor."""
    from playwright.sync_api import sync_playwright

    from lineage_graph.browser.links import browse_url
    from lineage_graph.browser.serve import AssetServer
    from lineage_graph.cli.query import _documents, _type_labels, browser_base_url

    store = Neo4jStore.from_target(neo4j_target)
    try:
        # The guide's slides are the demo's questions: another test's models are not enough.
        store.clear()
        demo.load(store)
        base = browser_base_url(store, neo4j_target, None)
        server = AssetServer({}, port=0)
        server.bind()  # as browse --serve does: the port first, then the guide that names it
        documents = _documents(store, _type_labels(store), server.base_url)
        server.publish(documents)
    finally:
        store.close()
    guide = documents["/guide.html"].decode()
    assert "1. Which datasets trained" in guide
    assert f":style http://localhost:{server.port}/lineage.grass" in guide and server.port != 7399
    with server, sync_playwright() as playwright:
        url = browse_url(base, neo4j_target.uri, f":play {server.url('/guide.html')}",
                         user=neo4j_target.user, database=neo4j_target.database)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_and_login(page, url, neo4j_target.password)
            wait_for_post_connect(page)
            run_editor(page)
            frame = command_frame(page, f":play {server.url('/guide.html')}")
            frame.wait_for_selector('[data-testid="carousel"]', timeout=TIMEOUT_MS)
            assert "the eight questions" in frame.inner_text()
            frame.query_selector('[data-testid="nextSlide"]').click()
            runnable = page.wait_for_selector("pre.runnable >> visible=true", timeout=TIMEOUT_MS)
            runnable.click()
            page.wait_for_function(
                "() => (document.querySelector('#monaco-main-editor')?.innerText || '')"
                ".includes('collect(DISTINCT')",
                timeout=TIMEOUT_MS,
            )
            page.screenshot(path=str(OUTPUT / "browse_guide.png"))
        finally:
            browser.close()
