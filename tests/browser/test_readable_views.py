"""Graphs people can read in Neo4j Browser (headless Chromium, one page for the module).

On the demo history plus a small FAILED-and-tainted step, a fresh Chromium profile logs in to
a server lineage-graph configured (its ``post_connect_cmd`` applies the style) and checks:

* no stylesheet dump: after login the stream holds no ``:style`` frame (the post-connect
  ``clear`` removed it), yet the style is applied;
* full captions: every node of the upstream view of the demo model is drawn with its whole
  ``<type> <name>`` caption (no ellipsis), in its kind's colour;
* failed and tainted on one node: the FAILED step an incident reached is red with the orange
  ring and the caption ``FAILED TAINTED ...``; the tainted dataset beside it keeps the
  artifact colour (type colours survive in a downstream view) with the ring;
* ``browse --view why_failed c:RUN`` and ``--view deployed TARGET`` accept the CLI's
  references and their queries draw the failed step / the target; ``--view incident i:ID``
  draws the incident with everything it reached.

Screenshots: ``tests/output/readable_login.png``, ``readable_upstream.png``,
``readable_failed_tainted.png``, ``readable_why_failed.png``, ``readable_incident.png``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo4j
import pytest
from browser_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OUTPUT,
    TIMEOUT_MS,
    normalised,
    open_and_login,
    run_editor,
    scratch_local_server,
)
from typer.testing import CliRunner

from lineage_graph import demo, lineage
from lineage_graph.browser.style import KIND_PROPS
from lineage_graph.cli import app
from lineage_graph.grass import EVENT_TYPES, FAILED_COLOUR, TAINTED_RING
from lineage_graph.models import (
    Artifact,
    ArtifactAndEvent,
    EventType,
    Execution,
    ExecutionState,
    ExecutionType,
    Kind,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.neo4j import Neo4jStore

pytestmark = pytest.mark.browser

COLOUR = {k: dict(KIND_PROPS[k])["color"] for k in KIND_PROPS}


@dataclass(frozen=True)
class World:
    target: Neo4jTarget
    ids: demo.DemoIds
    raw: int  # the tainted dataset
    failed: int  # the FAILED step that read it
    page: Any


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {"NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password}
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


def _browse(target: Neo4jTarget, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["browse", *args, "--json"], env=_env(target))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _expected_captions(target: Neo4jTarget, query: str) -> list[str]:
    """The caption the style gives every node the query returns (sorted): the exact answer."""
    nodes: dict[str, Any] = {}

    def walk(v: Any) -> None:
        if isinstance(v, neo4j.graph.Node):
            nodes[v.element_id] = v
        elif isinstance(v, neo4j.graph.Relationship):
            for n in v.nodes:
                if n is not None:
                    nodes[n.element_id] = n
        elif isinstance(v, list):
            for x in v:
                walk(x)

    with neo4j.GraphDatabase.driver(target.uri, auth=(target.user, target.password),
                                    notifications_min_severity="OFF") as driver:
        records = driver.execute_query(query, database_=target.database).records
    for record in records:
        for value in record.values():
            walk(value)

    def caption(n: Any) -> str:
        if "Incident" in n.labels:
            return f"Incident {n['id']} {n['reason']}"
        words = (["FAILED"] if "Failed" in n.labels else []) + (
            ["TAINTED"] if "Tainted" in n.labels else [])
        if n["type"] in EVENT_TYPES:  # deployment events: action and target, not the name
            return " ".join([*words, n["type"], n["c.action"], n["c.target"]])
        return " ".join([*words, n["type"], n["name"]])

    return sorted(caption(n) for n in nodes.values())


@pytest.fixture(scope="module")
def world(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with _local(neo4j_target, tmp_path_factory) as target:
        store = Neo4jStore.from_target(target)
        try:
            store.init_schema()
            store.clear()
            ids = demo.load(store)
            store.put_types([ExecutionType(name="Train")])
            got = store.put_execution(
                Execution(type="Train", name="train-oom-2024-w01",
                          last_known_state=ExecutionState.FAILED),
                [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="clicks-2024-w01-raw"),
                                  event_type=EventType.INPUT)])
            raw = got.artifact_ids[0]
            lineage.mark_bad(store, lineage.artifact(raw), "clock skew in the raw clicks")
        finally:
            store.close()
        OUTPUT.mkdir(exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1600, "height": 1100})
                yield World(target, ids, raw, got.execution_id, page)
            finally:
                browser.close()


class _local:
    """The session's server if lineage-graph configured it (post_connect_cmd), else a scratch
    local one (NEO4J_URI names a server whose configuration is not ours)."""

    def __init__(self, target: Neo4jTarget, factory: pytest.TempPathFactory) -> None:
        self.target, self.factory, self.scratch = target, factory, None

    def __enter__(self) -> Neo4jTarget:
        if self.target.source in ("local", "provisioned") and self.target.browser_url:
            return self.target
        self.scratch = scratch_local_server(self.factory, "readable-home")
        return self.scratch.__enter__()  # type: ignore[no-any-return, attr-defined]

    def __exit__(self, *exc: object) -> None:
        if self.scratch is not None:
            self.scratch.__exit__(*exc)  # type: ignore[attr-defined]


# The caption, fill and ring of every node in the frame of a command, once two polls agree.
_DRAWN = """([want, expected]) => {
  const norm = s => (s || '').split(/\\s+/).filter(Boolean).join(' ');
  let frame = null;
  for (const f of document.querySelectorAll('[data-testid="frame"]')) {
    const cmd = norm(f.querySelector('[data-testid="frameCommand"]')?.textContent)
      .replace(/(\u2026|\\.\\.\\.)$/, '').trim();
    if (cmd && (cmd === want || (cmd.length >= 20 && want.startsWith(cmd)))) { frame = f; break; }
  }
  if (!frame) return null;
  const nodes = Array.from(frame.querySelectorAll('svg.neod3viz g.node'), g => [
    norm(Array.from(g.querySelectorAll('text.caption'), t => t.textContent).join(' ')),
    g.querySelector('circle.b-outline')?.getAttribute('fill') || '',
    g.querySelector('circle.b-outline')?.getAttribute('stroke') || '',
  ]);
  if (nodes.length < expected) return null;
  const seen = JSON.stringify(nodes);
  const settled = window.__lgSeen === seen;
  window.__lgSeen = seen;
  return settled ? nodes : null;
}"""


def _run(page: Any, query: str) -> None:
    """Replace the editor's text with ``query`` and run it (the page is logged in)."""
    page.click('[data-testid="activeEditor"]')
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)
    page.click('[data-testid="editor-Run"]')


def _drawn(page: Any, query: str, expected: int, shot: str) -> list[tuple[str, str, str]]:
    handle = page.wait_for_function(_DRAWN, arg=[normalised(query), expected],
                                    timeout=TIMEOUT_MS, polling=400)
    page.wait_for_timeout(800)  # let the force layout settle for the screenshot
    path = OUTPUT / shot
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return [tuple(n) for n in handle.json_value()]


def test_login_applies_the_style_without_a_stylesheet_frame(world: World) -> None:
    link = _browse(world.target, f"a:{world.ids.model}", "--view", "upstream")
    page = world.page
    open_and_login(page, link["url"], world.target.password)
    page.wait_for_function(
        "() => (localStorage.getItem('neo4j.grass') || '').includes('node.Failed.Tainted')",
        timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)  # the post-connect commands run one after the other
    commands = page.evaluate("""() => Array.from(
        document.querySelectorAll('[data-testid="frame"] [data-testid="frameCommand"]'),
        c => c.textContent.trim())""")
    page.screenshot(path=str(OUTPUT / "readable_login.png"))
    assert not [c for c in commands if c.startswith(":style")], commands

    run_editor(page)  # the link's upstream query, still in the editor
    drawn = _drawn(page, link["query"], 2, "readable_upstream.png")
    expected = _expected_captions(world.target, link["query"])
    assert sorted(c for c, _, _ in drawn) == expected  # whole captions, no ellipsis
    assert all("\u2026" not in c for c, _, _ in drawn)
    assert {f for _, f, _ in drawn} == {COLOUR[Kind.ARTIFACT], COLOUR[Kind.EXECUTION]}


def test_failed_and_tainted_show_on_one_node(world: World) -> None:
    link = _browse(world.target, f"a:{world.raw}", "--view", "downstream")
    _run(world.page, link["query"])
    drawn = _drawn(world.page, link["query"], 3, "readable_failed_tainted.png")
    by_caption = {c: (fill, ring) for c, fill, ring in drawn}
    assert by_caption == {
        "TAINTED Dataset clicks-2024-w01-raw": (COLOUR[Kind.ARTIFACT], TAINTED_RING),
        "FAILED TAINTED Train train-oom-2024-w01": (FAILED_COLOUR, TAINTED_RING),
        f"Incident {_incident_of(world)} clock skew in the raw clicks": (
            "rgb(40, 40, 40)", "rgb(220, 30, 40)"),
    }


def _incident_of(world: World) -> int:
    store = Neo4jStore.from_target(world.target)
    try:
        (inc,) = [i for i in lineage.incidents(store) if i.source == lineage.artifact(world.raw)]
        return inc.id
    finally:
        store.close()


def test_browse_views_take_run_target_and_incident_references(world: World) -> None:
    ids = world.ids
    run = _browse(world.target, f"PipelineRun:{demo.run_name(*demo.FAILED_RUN)}",
                  "--view", "why_failed")
    assert run["node"]["id"] == ids.failed_run and run["node"]["kind"] == "context"
    assert run["report_command"] == f"lineage-graph report c:{ids.failed_run} -o lineage.html"
    assert run["query"] == _browse(world.target, f"c:{ids.failed_run}", "--view",
                                   "why_failed")["query"]
    target = _browse(world.target, f"{demo.ROLLED_BACK}-prod", "--view", "deployed")
    assert target["node"]["id"] == ids.target
    assert _expected_captions(world.target, target["query"])  # draws the target's history
    refused = CliRunner().invoke(app, ["browse", f"c:{ids.failed_run}", "--view", "upstream"],
                                 env=_env(world.target))
    assert refused.exit_code == 1 and "--view upstream" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    _run(world.page, run["query"])
    drawn = _drawn(world.page, run["query"], 2, "readable_why_failed.png")
    assert sorted(c for c, _, _ in drawn) == _expected_captions(world.target, run["query"])
    failed = [f for c, f, _ in drawn if c.startswith("FAILED Trainer")]
    assert failed == [FAILED_COLOUR], drawn

    incident = _browse(world.target, f"i:{ids.incident}", "--view", "incident")
    assert incident["incident"] == ids.incident
    assert "&cmd=edit&arg=" in incident["url"]
    _run(world.page, incident["query"])
    expected = _expected_captions(world.target, incident["query"])
    drawn = _drawn(world.page, incident["query"], len(expected), "readable_incident.png")
    assert sorted(c for c, _, _ in drawn) == expected
