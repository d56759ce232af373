"""Browser links, style, views, guide and asset server, checked against how neo4j-browser
5.24.0 reads them (its parsing rules are re-enacted here; the Chromium tests run the real one)."""

from __future__ import annotations

import re
import urllib.request
from typing import Any
from urllib.parse import unquote

import pytest

from lineage_graph.browser.config import conf_lines
from lineage_graph.browser.guide import Slide, guide_html
from lineage_graph.browser.links import browse_url, browser_base, connect_url
from lineage_graph.browser.serve import AssetServer
from lineage_graph.browser.style import (
    grass_text,
    post_connect_style,
    rules,
    style_command,
    type_labels_of,
)
from lineage_graph.browser.views import VIEWS, template, view
from lineage_graph.errors import InvalidInputError, UnavailableError
from lineage_graph.models import Kind
from lineage_graph.server import Neo4jTarget

BASE = "http://127.0.0.1:7474/browser/"
BOLT = "bolt://127.0.0.1:7687"


def browser_arg(url: str) -> str:
    """What the Browser puts in the editor: ``+`` -> space, decode once, arg= up to & or #."""
    decoded = unquote(url.replace("+", " "))
    match = re.search(r"[?&]arg=([^&#]*)", decoded)
    assert match, url
    return match.group(1)


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """neo4j-browser 5.24.0's GraphStyle.parse, re-enacted."""
    in_quote, in_rule, selector, body = False, False, "", ""
    sheet: dict[str, str] = {}
    for ch in text:
        skip = True  # structural characters are not kept
        if ch == "{":
            if in_quote:
                skip = False
            else:
                in_rule = True
        elif ch == "}":
            if in_quote:
                skip = False
            else:
                in_rule = False
                sheet[selector] = body
                selector, body = "", ""
        elif ch == "'":
            in_quote = not in_quote
        else:
            skip = False
        if not skip:
            if in_rule:
                body += ch
            elif not ch.isspace():
                selector += ch
    out: dict[str, dict[str, str]] = {}
    for sel, b in sheet.items():
        props: dict[str, str] = {}
        for decl in b.split(";"):
            parts = decl.split(":")
            if len(parts) >= 2 and parts[0] and parts[1]:
                props[parts[0].strip()] = parts[1].strip()
        out[sel] = props
    return out


def post_connect_commands(value: str) -> list[str]:
    """neo4j-browser 5.24.0's extractPostConnectCommandsFromServerConfig, re-enacted."""
    for pattern in (r"(`[^`]*?`)", r'("[^"]*?")', r"('[^']*?')"):
        value = re.sub(pattern, lambda m: m.group(1).replace(";", "@@semicolon@@"), value)
    return [c.strip().replace("@@semicolon@@", ";") for c in value.split(";") if c.strip()]


@pytest.mark.parametrize("query", [
    "MATCH (n) WHERE n.x = 1+2 RETURN n",
    "RETURN '100%' AS a, \"quoted\" AS b,\n  [1, 2] AS c // comment",
    ":play http://localhost:7399/guide.html",
])
def test_browse_url_round_trips(query: str) -> None:
    url = browse_url(BASE, BOLT, query, user="alice", database="neo4j")
    assert url.startswith(BASE + "?dbms=bolt%3A%2F%2Falice%40127.0.0.1%3A7687&db=neo4j&cmd=edit&")
    assert browser_arg(url) == query


@pytest.mark.parametrize("bad", ["RETURN 'a&b'", "RETURN '#1'"])
def test_browse_url_refuses_what_the_browser_cannot_read(bad: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        browse_url(BASE, BOLT, bad)
    assert err.value.field == "query"


def test_browser_base_and_connect_url() -> None:
    assert browser_base("http://h:7474/browser/?dbms=bolt://x") == "http://h:7474/browser/"
    assert browser_base("http://h:7474") == "http://h:7474/browser/"
    assert connect_url("neo4j://bob@h:7687", "neo4j") == "neo4j://neo4j@h:7687"
    with pytest.raises(InvalidInputError):
        browser_base("bolt://h:7687")


def test_style_parses_as_the_browser_parses_it() -> None:
    labels = type_labels_of([(Kind.ARTIFACT, "mlmd.Dataset"), (Kind.EXECUTION, "Trainer")])
    text = grass_text(labels)
    assert "#" not in text and "&" not in text  # travels in a cmd=edit URL
    sheet = parse_grass(text)
    selectors = [s for s, _ in rules(labels)]
    assert list(sheet) == selectors
    for selector, props in rules(labels):
        assert sheet[selector] == {k: v.strip("'") for k, v in props}, selector
    # order: a type rule (kept only so the Browser adds no colour of its own) comes before the
    # kind rules, and the trouble rules come last among node rules
    order = {s: i for i, s in enumerate(selectors)}
    assert order["node.mlmd_Dataset"] < order["node.Artifact"] < order["node.Failed"]
    assert order["node.Trainer"] < order["node.Execution"] < order["node.Tainted"]
    assert sheet["node.Artifact"]["color"] != sheet["node.Execution"]["color"]
    assert sheet["node.Artifact"]["caption"] == "{type} {name}"


def test_style_command_and_post_connect_form_carry_the_same_sheet() -> None:
    expected = parse_grass(grass_text())
    command = style_command()
    assert command.startswith(":style ") and "\n" not in command
    assert parse_grass(command.removeprefix(":style ")) == expected
    assert browser_arg(browse_url(BASE, BOLT, command)) == command
    (only,) = post_connect_commands(post_connect_style())  # one command, not split on ';'
    assert only.startswith("style ")
    assert parse_grass(only.removeprefix("style ")) == expected


def test_conf_lines() -> None:
    lines = conf_lines()
    hosts = "guides.neo4j.com,localhost,127.0.0.1"
    assert lines[0] == f"browser.remote_content_hostname_whitelist={hosts}"
    assert lines[1].startswith("browser.post_connect_cmd=style node {")
    assert all("\n" not in line for line in lines)


def test_views_splice_only_an_int_and_a_kind() -> None:
    text = view("upstream", 42, Kind.ARTIFACT)
    assert text.startswith("MATCH (n:Artifact {id: 42})")
    assert "$" not in text and "__KIND__" not in text and "//" not in text
    assert "(n:Execution {id: 7})" in view("show", 7, Kind.EXECUTION)
    for bad in (None, True, "42", 4.2):
        with pytest.raises(InvalidInputError, match="needs an integer id"):
            view("show", bad, Kind.ARTIFACT)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="needs a kind"):
        view("show", 1, None)
    with pytest.raises(KeyError):
        view("drop_everything", 1, Kind.ARTIFACT)
    for name in VIEWS:
        header = [line for line in template(name).splitlines() if line.startswith("//")]
        assert header[0].startswith("// Browser view: "), name
        assert [h for h in header if h.startswith("// params:")], name
        assert header[-1].startswith("// returns:"), name


def test_views_walk_breadth_first(neo4j_target: Neo4jTarget) -> None:
    """Every view is planned without path enumeration (EXPLAIN on the real server)."""
    import neo4j

    driver = neo4j.GraphDatabase.driver(neo4j_target.uri,
                                        auth=(neo4j_target.user, neo4j_target.password),
                                        notifications_min_severity="OFF")

    def ops(p: Any) -> list[str]:
        return [p["operatorType"], *(o for c in p.get("children", []) for o in ops(c))]

    try:
        for name in VIEWS:
            kind = None if name in ("incident", "incidents", "overview") else Kind.ARTIFACT
            summary = driver.execute_query(
                "EXPLAIN " + view(name, 1, kind),  # type: ignore[arg-type]
                database_=neo4j_target.database,
            ).summary
            plan = ops(summary.plan)
            expands = [op for op in plan if "VarLengthExpand" in op]
            assert all("Pruning" in op for op in expands), (name, expands)
            assert not any(op.startswith("Repeat") for op in plan), (name, plan)
    finally:
        driver.close()


def test_guide_html_escapes_and_marks_queries_runnable() -> None:
    html = guide_html("T <1>", [Slide("Q1", ("a < b",), ("MATCH (n)<-[:X]-(m) RETURN n",),
                                      "lineage-graph upstream 1")])
    assert "<title>T &lt;1&gt;</title>" in html
    assert html.count("<slide") == 1
    assert '<pre class="pre-scrollable code runnable">MATCH (n)&lt;-[:X]-(m) RETURN n</pre>' in html
    assert "<script" not in html


def test_asset_server_answers_cors_preflight_and_get() -> None:
    with AssetServer({"/lineage.grass": b"node {}", "/guide.html": b"<slide>x</slide>"},
                     port=0) as server:
        assert server.base_url.startswith("http://localhost:")
        pre = urllib.request.Request(server.url("/guide.html"), method="OPTIONS", headers={
            "Origin": "http://127.0.0.1:7474",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control,sentry-trace,baggage",
        })
        with urllib.request.urlopen(pre) as resp:
            assert resp.status == 204
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            assert "sentry-trace" in resp.headers["Access-Control-Allow-Headers"]
        with urllib.request.urlopen(server.url("/lineage.grass")) as resp:
            assert resp.read() == b"node {}"
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.base_url + "/etc/passwd")
        assert err.value.code == 404
        with pytest.raises(KeyError):
            server.url("/nope")
        # the port is taken while it serves: a second server says so in one line
        with pytest.raises(UnavailableError):
            AssetServer({}, port=server.port).bind()


def test_post_connect_applies_the_style_then_clears_the_stream() -> None:
    (line,) = [ln for ln in conf_lines() if ln.startswith("browser.post_connect_cmd=")]
    commands = post_connect_commands(line.removeprefix("browser.post_connect_cmd="))
    assert [c.split(" ", 1)[0] for c in commands] == ["style", "clear"]
    assert parse_grass(commands[0].removeprefix("style ")) == parse_grass(grass_text())


def test_style_keeps_kind_colours_under_trouble_marks() -> None:
    sheet = parse_grass(grass_text())
    assert "color" not in sheet["node.Tainted"]  # the kind's fill stays: type colours survive
    both = sheet["node.Failed.Tainted"]
    assert both["color"] == sheet["node.Failed"]["color"]
    assert both["border-color"] == sheet["node.Tainted"]["border-color"]
    assert both["caption"] == "FAILED TAINTED {type} {name}"
    selectors = list(sheet)
    assert selectors.index("node.Failed") < selectors.index("node.Tainted") < selectors.index(
        "node.Failed.Tainted")  # later rules win in the Browser
    assert sheet["node.Incident"]["caption"] == "Incident {id} {reason}"


def test_views_splice_only_validated_type_names() -> None:
    text = view("models_on", 3, Kind.ARTIFACT, model_types=["SavedModel", "mlmd.Model"])
    assert "x.type IN ['SavedModel', 'mlmd.Model']" in text and "'Model'" not in text
    with pytest.raises(InvalidInputError, match="model_types"):
        view("models_on", 3, Kind.ARTIFACT, model_types=["Model'] MATCH (n) DETACH DELETE n //"])
    deployed = view("deployed", 3, Kind.CONTEXT, deployment_types=["PushedModel", "Deployment"])
    assert "ev.type IN ['Deploy', 'SetAlias', 'Undeploy']" in deployed


def test_select_takes_every_cli_reference() -> None:
    from lineage_graph import demo
    from lineage_graph.browser.select import select
    from lineage_graph.cli.query import _named
    from lineage_graph.errors import NotFoundError
    from lineage_graph.store.memory import MemoryStore

    store = MemoryStore()
    ids = demo.load(store)
    run = select(store, "why_failed", f"PipelineRun:{demo.run_name(*demo.FAILED_RUN)}")
    assert run.node is not None and run.node.id == ids.failed_run
    assert run.node_ref == f"c:{ids.failed_run}"  # what `report` takes
    assert run.query == select(store, "why_failed", f"c:{ids.failed_run}").query
    assert f"(n:Context {{id: {ids.failed_run}}})" in run.query
    target = select(store, "deployed", f"{demo.ROLLED_BACK}-prod", find_named=_named)
    assert target.node is not None and target.node.id == ids.target
    alias = select(store, "deployed", f"@{demo.CHAMPION}", find_named=_named)
    assert alias.node is not None and alias.node.kind is Kind.ARTIFACT
    for ref in (f"i:{ids.incident}", f"incident:{ids.incident}", str(ids.incident)):
        chosen = select(store, "incident", ref)
        assert chosen.incident_id == ids.incident and chosen.node_ref == f"i:{ids.incident}"
        assert chosen.query.startswith(f"MATCH (i:Incident {{id: {ids.incident}}})")
    assert select(store, "incidents", None).query == view("incidents")
    assert select(store, "show", None).query == view("overview")
    with pytest.raises(InvalidInputError, match="i:ID"):
        select(store, "incident", "i:x")
    with pytest.raises(NotFoundError):
        select(store, "incident", "i:9999")
    with pytest.raises(InvalidInputError, match="--view upstream follows artifacts"):
        select(store, "upstream", f"c:{ids.failed_run}")
    with pytest.raises(InvalidInputError, match="--view 'sideways'"):
        select(store, "sideways", "a:1")


def _rows(target: Neo4jTarget, query: str) -> list[dict[str, Any]]:
    import neo4j

    with neo4j.GraphDatabase.driver(target.uri, auth=(target.user, target.password),
                                    notifications_min_severity="OFF") as driver:
        records = driver.execute_query(query, database_=target.database).records
    return [r.data() for r in records]


def test_deployed_and_models_on_views_answer_from_events_and_roles(
    neo4j_target: Neo4jTarget,
) -> None:
    """``deployed`` shows a target's deployment events (the demo's rollback is what is live
    now) and pushes; ``models_on`` finds models by the stored roles (a TFX ``SavedModel``),
    not by the type name ``Model``."""
    from lineage_graph import demo, roles
    from lineage_graph.answers import ROLE_DEPLOYMENT, ROLE_MODEL
    from lineage_graph.models import (
        Artifact,
        ArtifactAndEvent,
        ArtifactType,
        EventType,
        Execution,
        ExecutionType,
    )
    from lineage_graph.store.neo4j import Neo4jStore

    store = Neo4jStore.from_target(neo4j_target)
    try:
        store.init_schema()
        store.clear()
        ids = demo.load(store)
        store.put_types([ArtifactType(name="SavedModel"), ExecutionType(name="Trainer")])
        tfx = store.put_execution(
            Execution(type="Trainer", name="tfx-train"),
            [ArtifactAndEvent(artifact=Artifact(type="Dataset", name="tfx-examples"),
                              event_type=EventType.INPUT),
             ArtifactAndEvent(artifact=Artifact(type="SavedModel", name="tfx-saved-model"),
                              event_type=EventType.OUTPUT)])
        mapping = roles.current(store)
    finally:
        store.close()
    types = {"model_types": mapping.types(ROLE_MODEL),
             "deployment_types": mapping.types(ROLE_DEPLOYMENT)}
    (row,) = _rows(neo4j_target, view("deployed", ids.target, Kind.CONTEXT, **types))
    live = f"{demo.ROLLED_BACK}-prod"
    assert [name for name, _ in row["live"]] == [live]
    assert row["live"][0][1].startswith(f"{live}/rollback@")
    assert [t["name"] for t in row["targets"]] == [live]
    assert {e["c.action"] for e in row["events"]} >= {"rollback"}
    assert all(p["type"] in ("PushedModel", "Pusher") for p in row["pushes"]) and row["pushes"]
    (by_model,) = _rows(neo4j_target, view("deployed", ids.model, Kind.ARTIFACT, **types))
    assert {name for name, _ in by_model["live"]} >= {live}

    (on,) = _rows(neo4j_target, view("models_on", tfx.artifact_ids[0], Kind.ARTIFACT, **types))
    assert [m["name"] for m in on["models"]] == ["tfx-saved-model"]
    (old,) = _rows(neo4j_target, view("models_on", tfx.artifact_ids[0], Kind.ARTIFACT))
    assert old["models"] == []  # the old hard-coded ['Model'] found nothing
