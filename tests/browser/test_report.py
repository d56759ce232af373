"""``lineage-graph report REF -o FILE.html``: one self-contained page, readable offline.

The layout and the SVG are checked in Python (layers point the way data flows; names are
escaped); the CLI on Neo4j (the page for a model, a run and an incident, and the error cases);
then headless Chromium opens the three pages with the network switched off (an offline
context that also aborts every non-file request) and reads the drawn graph from the DOM: the
expected nodes, the kind colours, the FAILED and TAINTED marks. Screenshots:
``tests/output/report_model.png``, ``report_run.png``, ``report_incident.png``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_ARGS, OUTPUT
from typer.testing import CliRunner

from lineage_graph import demo, lineage
from lineage_graph.cli import app
from lineage_graph.models import Kind
from lineage_graph.refs import ref_text
from lineage_graph.report import build_report, render_page
from lineage_graph.report.layout import layered
from lineage_graph.report.svg import (
    FAILED_COLOUR,
    KIND_COLOURS,
    TAINTED_COLOUR,
    GraphEdge,
    GraphNode,
    render_svg,
)
from lineage_graph.server import Neo4jTarget
from lineage_graph.store.memory import MemoryStore
from lineage_graph.store.neo4j import Neo4jStore


def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {"NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password}
    if target.database:
        env["NEO4J_DATABASE"] = target.database
    return env


# ---- layout and SVG (pure) -------------------------------------------------------------------


def test_layers_point_the_way_data_flows_and_long_edges_get_waypoints() -> None:
    # d1 -> e1 -> m, d2 -> e1, d1 -> m (skips a column), and a cycle m -> d1 to break.
    edges = [("d1", "e1"), ("d2", "e1"), ("e1", "m"), ("d1", "m"), ("m", "x")]
    place = layered(["d1", "d2", "e1", "m", "x"], edges)
    col = {n: c for n, (c, _) in place.positions.items()}
    assert col == {"d1": 0, "d2": 0, "e1": 1, "m": 2, "x": 3}
    assert len(place.routes[("d1", "m")]) == 1 and place.routes[("d1", "m")][0][0] == 1
    assert place == layered(["x", "m", "e1", "d2", "d1"], list(reversed(edges)))  # deterministic
    cyclic = layered(["a", "b"], [("a", "b"), ("b", "a")])
    assert sorted(c for c, _ in cyclic.positions.values()) == [0, 1]


def test_barycentre_ordering_removes_a_crossing() -> None:
    # Sorted by name the right column would be [p, q] while p is fed by b and q by a.
    place = layered(["a", "b", "p", "q"], [("a", "q"), ("b", "p")])
    row = {n: r for n, (_, r) in place.positions.items()}
    assert (row["a"] < row["b"]) == (row["q"] < row["p"])


def test_svg_escapes_names_and_marks_failed_and_tainted() -> None:
    nodes = [
        GraphNode(Kind.ARTIFACT, 1, "Dataset", '<script>alert("x")</script>', "LIVE", (7,)),
        GraphNode(Kind.EXECUTION, 2, "Trainer", "train & test", "FAILED", (7,)),
        GraphNode(Kind.ARTIFACT, 3, "Model", "m", "LIVE", (), start=True),
    ]
    svg = render_svg(nodes, [GraphEdge("a:1", "e:2", "INPUT"), GraphEdge("e:2", "a:3", "OUTPUT")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "train &amp; test" in svg
    assert 'data-ref="e:2" data-kind="execution"' in svg
    assert svg.count('data-failed="true"') == 1 and svg.count('data-tainted="true"') == 2
    assert "FAILED TAINTED #7 e:2" in svg


def test_report_on_the_demo_answers_for_a_model_a_run_and_an_incident() -> None:
    store = MemoryStore()
    ids = demo.load(store)
    model = build_report(store, f"a:{ids.model}")
    assert model.subject == "model"
    up = lineage.upstream(store, lineage.artifact(ids.model))
    drawn = {n.ref for n in model.nodes}
    assert {ref_text(n) for n in up.nodes} | {f"a:{ids.model}"} <= drawn
    titles = [s.title for s in model.sections]
    for title in ("Training datasets", "Hyperparameters", "Pipeline and run", "Code",
                  "Environment", "Metrics and properties", "Why it failed", "Deployments",
                  "Models trained on its datasets (by auc)", "Open incidents"):
        assert title in titles
    run = build_report(store, f"c:{ids.failed_run}")
    assert run.subject == "run"
    failed = [n.ref for n in run.nodes if n.failed]
    assert failed == [f"e:{ids.failed_execution}"]
    incident = build_report(store, f"i:{ids.incident}")
    reached = lineage.incident(store, ids.incident).reached or []
    expected = {ref_text(t.node) for t in reached if t.node.kind is not Kind.CONTEXT}
    assert {n.ref for n in incident.nodes} == expected | {f"a:{ids.corrupt}"}
    assert all(n.tainted for n in incident.nodes)
    page = render_page(incident)
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


# ---- the CLI and the page in Chromium, offline (Neo4j) ------------------------------------


@pytest.fixture(scope="module")
def pages(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[demo.DemoIds, dict[str, Path], set[str]]:
    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.clear()
        ids = demo.load(store)
        upstream = {ref_text(n) for n in lineage.upstream(store, lineage.artifact(ids.model)).nodes}
    finally:
        store.close()
    out = tmp_path_factory.mktemp("report")
    files: dict[str, Path] = {}
    env = _env(neo4j_target)
    for name, ref in (("model", f"a:{ids.model}"), ("run", f"c:{ids.failed_run}"),
                      ("incident", f"i:{ids.incident}")):
        files[name] = out / f"{name}.html"
        result = CliRunner().invoke(app, ["report", ref, "-o", str(files[name]), "--json"],
                                    env=env)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["path"] == str(files[name])
    return ids, files, upstream


def test_report_cli_errors_are_one_line(
    neo4j_target: Neo4jTarget, pages: tuple[demo.DemoIds, dict[str, Path], set[str]],
) -> None:
    ids, files, _ = pages
    env = _env(neo4j_target)
    runner = CliRunner()
    exists = runner.invoke(app, ["report", f"a:{ids.model}", "-o", str(files["model"])], env=env)
    assert exists.exit_code == 1 and "--output" in exists.stderr and "--force" in exists.stderr
    nodir = runner.invoke(app, ["report", f"a:{ids.model}", "-o", "/nonexistent/x.html"], env=env)
    assert nodir.exit_code == 1 and "no directory" in nodir.stderr
    missing = runner.invoke(app, ["report", "a:999999", "-o", str(files["model"]) + ".2"],
                            env=env)
    assert missing.exit_code == 1 and len(missing.stderr.strip().splitlines()) == 1
    bad = runner.invoke(app, ["report", "i:x", "-o", str(files["model"]) + ".3"], env=env)
    assert bad.exit_code == 1 and "i:ID" in bad.stderr
    stdout = runner.invoke(app, ["report", f"e:{ids.failed_execution}", "-o", "-"], env=env)
    assert stdout.exit_code == 0 and stdout.stdout.startswith("<!DOCTYPE html>")


_READ_GRAPH = """() => Array.from(document.querySelectorAll('svg.lineage g.node'), g => ({
  ref: g.dataset.ref, kind: g.dataset.kind, failed: g.dataset.failed === 'true',
  tainted: g.dataset.tainted === 'true', incidents: g.dataset.incidents,
  fill: g.querySelector('rect').getAttribute('fill'),
  stroke: g.querySelector('rect').getAttribute('stroke'),
  text: Array.from(g.querySelectorAll('text'), t => t.textContent).join(' | '),
  box: g.getBoundingClientRect().width,
}))"""


def test_report_pages_open_offline_with_the_expected_graph(
    pages: tuple[demo.DemoIds, dict[str, Path], set[str]],
) -> None:
    from playwright.sync_api import sync_playwright

    ids, files, upstream = pages
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    OUTPUT.mkdir(exist_ok=True)
    requested: list[str] = []

    def block(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    drawn: dict[str, list[dict[str, Any]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1600, "height": 1200})
            context.route("**/*", block)
            page = context.new_page()
            for name, path in files.items():
                page.goto(path.as_uri())
                page.wait_for_selector("svg.lineage g.node")
                drawn[name] = page.evaluate(_READ_GRAPH)
                shot = OUTPUT / f"report_{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")
        finally:
            browser.close()
    assert all(u.startswith("file:") for u in requested), requested

    # The model: its upstream is drawn, each node in its kind's colour, the model marked start.
    model_refs = {n["ref"] for n in drawn["model"]}
    assert upstream | {f"a:{ids.model}"} <= model_refs, model_refs  # and what it fed
    for n in drawn["model"]:
        assert n["fill"] == KIND_COLOURS[Kind(n["kind"])], n
        assert n["box"] > 0
    assert any(n["ref"] == f"a:{ids.model}" for n in drawn["model"])

    # The failed run: exactly its FAILED Trainer marked, red border, the word on the node.
    failed = [n for n in drawn["run"] if n["failed"]]
    assert [n["ref"] for n in failed] == [f"e:{ids.failed_execution}"]
    assert failed[0]["stroke"] == FAILED_COLOUR and "FAILED" in failed[0]["text"]
    assert {n["kind"] for n in drawn["run"]} == {"artifact", "execution"}

    # The incident: the corrupt dataset and everything it reached, all TAINTED with its id.
    assert any(n["ref"] == f"a:{ids.corrupt}" for n in drawn["incident"])
    for n in drawn["incident"]:
        assert n["tainted"] and n["incidents"].split() == [str(ids.incident)], n
        assert n["stroke"] == TAINTED_COLOUR and f"TAINTED #{ids.incident}" in n["text"]
        assert n["fill"] == KIND_COLOURS[Kind(n["kind"])]
