"""The Neo4j that lineage-graph provisions styles the Browser by itself (``post_connect_cmd``).

No style link, no asset server: a fresh Chromium profile logs in to the local server's
Browser, runs a ``browse`` query, and the nodes come out in the kind colours, because the
server's ``browser.post_connect_cmd`` carries the stylesheet inline. When the session's
database is not a local server (NEO4J_URI set), a scratch local server is started for this
test. Screenshot: ``tests/output/post_connect_style.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (  # tests/browser is on sys.path (pytest's rootdir import mode)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    drawn_nodes,
    open_and_login,
    run_editor,
    scratch_local_server,
    wait_for_post_connect,
)

from lineage_graph.browser.links import browse_url
from lineage_graph.browser.style import KIND_PROPS
from lineage_graph.browser.views import view
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


@pytest.fixture(scope="module")
def local_target(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Neo4jTarget]:
    """A server lineage-graph configured: the session's if local, else a scratch one."""
    if neo4j_target.source in ("local", "provisioned") and neo4j_target.browser_url:
        yield neo4j_target
        return
    with scratch_local_server(tmp_path_factory, "post-connect-home") as target:
        yield target


def test_local_server_styles_the_browser_on_connect(local_target: Neo4jTarget) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    assert local_target.browser_url is not None
    store = Neo4jStore.from_target(local_target)
    try:
        store.init_schema()
        store.clear()
        store.put_types([ArtifactType(name="Dataset"), ArtifactType(name="Model"),
                         ExecutionType(name="Trainer")])
        result = store.put_execution(
            Execution(type="Trainer", name="train-1", last_known_state=ExecutionState.COMPLETE),
            [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="clicks"),
                              event_type=EventType.INPUT),
             ArtifactAndEvent(artifact=Artifact(type="Model", name="ranker"),
                              event_type=EventType.OUTPUT)],
        )
    finally:
        store.close()
    dataset_id = result.artifact_ids[0]
    query = view("downstream", dataset_id, Kind.ARTIFACT)
    url = browse_url(local_target.browser_url, local_target.uri, query, user=local_target.user)
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_and_login(page, url, local_target.password)
            # post_connect_cmd runs after the server settings arrive: wait for its style and
            # the clear after it (which would wipe a frame run before it).
            wait_for_post_connect(page)
            run_editor(page)
            drawn = drawn_nodes(page, 3, query)
            page.screenshot(path=str(OUTPUT / "post_connect_style.png"))
        finally:
            browser.close()
    fills = sorted(fill for _, fill in drawn)
    artifact = dict(KIND_PROPS[Kind.ARTIFACT])["color"]
    execution = dict(KIND_PROPS[Kind.EXECUTION])["color"]
    assert fills == sorted([artifact, artifact, execution]), drawn
    captions = " ".join(c for c, _ in drawn)
    assert "Dataset" in captions and "Trainer" in captions and "Model" in captions
