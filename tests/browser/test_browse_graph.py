"""``lineage-graph browse`` opens a readable graph in Neo4j Browser (headless Chromium).

The test loads the demo history, asks ``browse`` for the style link and for the upstream
view of the latest churn model, opens both in the Debian ``chromium`` through Playwright's
Python package (never a downloaded browser), logs in, runs them, and checks what is drawn:
one node per upstream node, captions ``<type> <name>`` (the Browser wraps and truncates them
with an ellipsis), artifacts blue and executions green; a FAILED execution red and a
tainted artifact orange. Screenshots: ``tests/output/browse_upstream.png``,
``tests/output/browse_trouble.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (  # tests/browser is on sys.path (pytest's rootdir import mode)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    TIMEOUT_MS,
    command_frame,
    drawn_nodes,
    open_and_login,
    run_editor,
)
from typer.testing import CliRunner

from lineage_graph import demo, lineage
from lineage_graph.browser.style import KIND_PROPS, rules
from lineage_graph.cli import app
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    ArtifactType,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

pytestmark = pytest.mark.browser


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {"NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password}
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


def _browse(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["browse", *args, "--json"], env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _matches(caption: str, label: str) -> bool:
    """A drawn caption matches ``type name`` allowing the Browser's wrapping and ``…``."""
    words = caption.replace("…", "").split()
    text = " ".join(words)
    squeezed = label.replace(" ", "")
    return bool(text) and squeezed.startswith(text.replace(" ", ""))


def _draw(
    target: Neo4jTarget, link: dict[str, Any], expected: int, screenshot: str
) -> list[tuple[str, str]]:
    """Run the style link, then the query link, in one Chromium page; what the query drew."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            # 1. The style link: one Run applies the lineage style (the Browser keeps it).
            open_and_login(page, link["style_url"], target.password)
            run_editor(page)
            page.wait_for_function(
                "() => (localStorage.getItem('neo4j.grass') || '').includes('node.Artifact')",
                timeout=TIMEOUT_MS,
            )
            # 2. The query link: connected already, the query is in the editor. Its frame is
            # found by its command: a server's post-connect `:style` frame may sit above it.
            open_and_login(page, link["url"], target.password)
            run_editor(page)
            drawn = drawn_nodes(page, expected, link["query"])
            page.wait_for_timeout(1500)  # let the force layout settle for the screenshot
            page.screenshot(path=str(OUTPUT / screenshot))
        finally:
            browser.close()
    return drawn


def test_browse_upstream_is_drawn_with_captions(neo4j_target: Neo4jTarget) -> None:
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        ids = demo.load(store)
        up = lineage.upstream(store, lineage.artifact(ids.model))
        (model,) = store.get_artifacts_by_id([ids.model])
    finally:
        store.close()
    expected = {f"{n.type} {n.name}": n.kind for n in up.nodes}
    expected[f"{model.type} {model.name}"] = Kind.ARTIFACT
    env = _env(neo4j_target)
    link = _browse(env, f"a:{ids.model}", "--view", "upstream")
    assert "&cmd=edit&arg=" in link["url"]
    drawn = _draw(neo4j_target, link, len(expected), "browse_upstream.png")

    assert len(drawn) == len(expected), drawn
    colours = {k: dict(KIND_PROPS[k])["color"] for k in (Kind.ARTIFACT, Kind.EXECUTION)}
    for label, kind in expected.items():
        hits = [fill for caption, fill in drawn if _matches(caption, label)]
        assert hits, f"no node captioned like {label!r}; drawn: {drawn}"
        assert colours[kind] in hits, f"{label!r} is not drawn in {colours[kind]}: {hits}"


def test_failed_and_tainted_nodes_stand_out(neo4j_target: Neo4jTarget) -> None:
    """A FAILED execution is drawn red and an artifact an open incident reached orange (the
    ``node.Failed`` / ``node.Tainted`` rules, through the labels the store sets); the clean
    nodes beside them keep their kind colours."""
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="ExampleStatistics"),
                         ExecutionType(name="Trainer"), ExecutionType(name="StatisticsGen")])
        raw = ArtifactAndEvent(artifact=Artifact(type="Dataset", name="clicks"),
                               event_type=EventType.INPUT)
        failed = store.put_execution(
            Execution(type="Trainer", name="train-oom", last_known_state=ExecutionState.FAILED),
            [raw])
        stats = store.put_execution(
            Execution(type="StatisticsGen", name="stats-1",
                      last_known_state=ExecutionState.COMPLETE),
            [ArtifactAndEvent(artifact=Artifact(id=failed.artifact_ids[0], type="Dataset",
                                                name="clicks"), event_type=EventType.INPUT),
             ArtifactAndEvent(artifact=Artifact(type="ExampleStatistics", name="stats-clicks"),
                              event_type=EventType.OUTPUT)])
        lineage.mark_bad(store, lineage.artifact(stats.artifact_ids[1]), "wrong histogram")
    finally:
        store.close()
    link = _browse(_env(neo4j_target), f"a:{failed.artifact_ids[0]}", "--view", "downstream")
    drawn = _draw(neo4j_target, link, 4, "browse_trouble.png")

    colour = {selector: dict(props).get("color") for selector, props in rules()}
    by_caption = dict(drawn)
    assert len(by_caption) == 4, drawn

    def fill_of(words: str) -> str:
        hits = [fill for caption, fill in by_caption.items() if _matches(caption, words)]
        assert len(hits) == 1, f"no single node captioned like {words!r}; drawn: {drawn}"
        return hits[0]

    assert fill_of("FAILED Trainer train-oom") == colour["node.Failed"]
    assert fill_of("TAINTED ExampleStatistics stats-clicks") == colour["node.Tainted"]
    assert fill_of("Dataset clicks") == colour["node.Artifact"]
    assert fill_of("StatisticsGen stats-1") == colour["node.Execution"]
    assert colour["node.Failed"] != colour["node.Execution"]
    assert colour["node.Tainted"] != colour["node.Artifact"]


def test_guide_plays_from_the_asset_server(neo4j_target: Neo4jTarget) -> None:
    """The guide, served with CORS by ``AssetServer`` on localhost, plays in the Browser:
    the slides show, and clicking a query copies it into the editor."""
    from playwright.sync_api import sync_playwright

    from lineage_graph.browser.links import browse_url
    from lineage_graph.browser.serve import AssetServer
    from lineage_graph.cli.query import _documents, _type_labels, browser_base_url

    store = Neo4jStore.from_target(neo4j_target)
    try:
        if not store.get_artifacts_by_type("Model"):
            demo.load(store)
        documents = _documents(store, _type_labels(store))
        base = browser_base_url(store, neo4j_target, None)
    finally:
        store.close()
    assert b"1. Which datasets trained" in documents["/guide.html"]
    with AssetServer(documents, port=0) as server, sync_playwright() as playwright:
        url = browse_url(base, neo4j_target.uri, f":play {server.url('/guide.html')}",
                         user=neo4j_target.user, database=neo4j_target.database)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_and_login(page, url, neo4j_target.password)
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
