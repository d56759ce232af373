"""Test helpers: a store's whole graph keyed by names (ids differ between stores), and the
lineage OpenLineage events imply, computed from the raw JSON alone."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lineage_graph.interop import openlineage as ol
from lineage_graph.interop.ol_events import EventTime, canonical_run_id
from lineage_graph.models import Kind, Node
from lineage_graph.store.base import Store

CORPUS = Path(__file__).parent / "corpus"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".json", ".jsonl"))


def load_events(path: Path) -> list[dict[str, Any]]:
    """The events of a corpus file (a JSON document, an array, or JSON Lines)."""
    text = path.read_text(encoding="utf-8").strip()
    if text.startswith("["):
        return list(json.loads(text))
    if path.suffix == ".json":
        return [json.loads(text)]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ---- a store's graph, by names ---------------------------------------------------------------


def _ident(node: Node) -> tuple[str, str, str]:
    return (node.kind.value, node.type, node.name or node.external_id or f"#{node.id}")


def _times(value: Any) -> Any:
    """ISO times inside ``ol.meta`` as microseconds (the export writes them as RFC 3339)."""
    if isinstance(value, str):
        try:
            return EventTime.parse(value).us
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_times(v) for v in value]
    return value


def graph(store: Store) -> dict[str, Any]:
    """Every node (content without ids, seq and store times) and edge, keyed by names."""
    nodes: dict[tuple[str, str, str], Any] = {}
    by_id: dict[tuple[Kind, int], tuple[str, str, str]] = {}
    every = [
        *store.get_artifacts(),
        *store.get_executions(),
        *store.get_contexts(),
    ]
    for n in every:
        assert n.id is not None
        by_id[(n.kind, n.id)] = _ident(n)
        props = dict(n.custom_properties)
        for key in (ol.P_EVENT_TIME, "ol.meta"):
            if key in props:
                props[key] = _times(props[key])
        record = n.model_dump(exclude={"id", "seq", "create_time", "update_time", "kind"})
        record["custom_properties"] = props
        nodes[_ident(n)] = record
    exe_ids = [n.id for n in store.get_executions() if n.id is not None]
    events = sorted(
        (
            by_id[(Kind.ARTIFACT, e.artifact_id)],
            by_id[(Kind.EXECUTION, e.execution_id)],
            e.type.value,
            e.path,
            e.timestamp,
        )
        for e in store.get_events(execution_ids=exe_ids)
    )
    links = set()
    for c in store.get_contexts():
        assert c.id is not None
        for a in store.get_artifacts_by_context(c.id):
            links.add(("ATTRIBUTED_TO", _ident(a), _ident(c)))
        for x in store.get_executions_by_context(c.id):
            links.add(("ASSOCIATED_WITH", _ident(x), _ident(c)))
        for p in store.get_parent_contexts(c.id):
            links.add(("CHILD_OF", _ident(c), _ident(p)))
    return {"nodes": nodes, "events": events, "links": sorted(links)}


def strip_added_facet_fields(original: Any, copy: Any) -> Any:
    """``copy`` without the ``_producer``/``_schemaURL`` the export added to facets that
    lacked them (the one documented change the OpenLineage schema requires)."""
    if isinstance(original, dict) and isinstance(copy, dict):
        out = {k: strip_added_facet_fields(original.get(k), v) for k, v in copy.items()}
        for added in ("_producer", "_schemaURL"):
            if added in out and added not in original:
                del out[added]
        return out
    if isinstance(original, list) and isinstance(copy, list) and len(original) == len(copy):
        return [strip_added_facet_fields(a, b) for a, b in zip(original, copy, strict=True)]
    return copy


# ---- what the events imply -----------------------------------------------------------------


def implied_lineage(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Dataset -> run/job -> dataset edges and field -> field edges, from raw events.

    Datasets are (namespace, name) with symlink aliases resolved as OpenLineage consumers
    do (Marquez's rule: an alias joins the first dataset that names it, unless it is a
    dataset itself); runs by runId, JobEvents by their job. Returns ``{"edges": {(src,
    dst)}, "columns": {(src field, dst field)}}`` with nodes as tuples.
    """
    events = list(events)
    names: set[tuple[str, str]] = set()
    for e in events:
        for d in [*(e.get("inputs") or []), *(e.get("outputs") or [])]:
            names.add((d["namespace"], d["name"]))
        if "run" not in e and "job" not in e and isinstance(e.get("dataset"), dict):
            names.add((e["dataset"]["namespace"], e["dataset"]["name"]))
    alias: dict[tuple[str, str], tuple[str, str]] = {}

    def resolve(ns: str, name: str) -> tuple[str, str]:
        return alias.get((ns, name), (ns, name))

    edges: set[tuple[Any, Any]] = set()
    columns: set[tuple[Any, Any]] = set()
    for e in events:
        datasets = [*(e.get("inputs") or []), *(e.get("outputs") or [])]
        if "run" not in e and "job" not in e and isinstance(e.get("dataset"), dict):
            datasets = [e["dataset"]]
        for d in datasets:
            owner = resolve(d["namespace"], d["name"])
            facet = (d.get("facets") or {}).get("symlinks") or {}
            for ident in facet.get("identifiers") or []:
                key = (ident["namespace"], ident["name"])
                if key not in names and key not in alias and key != owner:
                    alias[key] = owner
        if "run" in e:
            node: Any = ("run", canonical_run_id(e["run"]["runId"]))
        elif "job" in e:
            node = ("job", e["job"]["namespace"], e["job"]["name"])
        else:
            node = None
        if node is not None:
            for d in e.get("inputs") or []:
                edges.add((("dataset", *resolve(d["namespace"], d["name"])), node))
            for d in e.get("outputs") or []:
                edges.add((node, ("dataset", *resolve(d["namespace"], d["name"]))))
        outs = (e.get("outputs") or []) if node is not None else datasets
        for d in outs:
            cl = (d.get("facets") or {}).get("columnLineage")
            if not isinstance(cl, dict):
                continue
            target = resolve(d["namespace"], d["name"])
            wide = cl.get("dataset") or []
            for field, entry in (cl.get("fields") or {}).items():
                for i in [*(entry.get("inputFields") or []), *wide]:
                    src = (*resolve(i["namespace"], i["name"]), i["field"])
                    columns.add((src, (*target, field)))
    return {"edges": edges, "columns": columns}


def closure(edges: set[tuple[Any, Any]], start: Any, *, up: bool) -> set[Any]:
    """Nodes reachable from ``start`` along ``edges`` (against them when ``up``)."""
    nxt: dict[Any, set[Any]] = {}
    for a, b in edges:
        src, dst = (b, a) if up else (a, b)
        nxt.setdefault(src, set()).add(dst)
    seen: set[Any] = set()
    frontier = [start]
    while frontier:
        for n in nxt.get(frontier.pop(), ()):
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    seen.discard(start)
    return seen
