"""Output for the query commands: the JSON form of nodes, and rich tables and trees.

Imported by commands when they run (it brings rich, pydantic and the answers), never at the
import of ``lineage_graph.cli``. JSON documents are written by ``common.emit_json``.

JSON shape: every node is an object with at least ``id``, ``kind`` (artifact, execution,
context), ``type``, ``name``, ``uri`` and ``state`` (``uri`` for artifacts, ``state`` the
artifact state or the execution's last known state; null where the kind has none).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from ..answers import ContextNode, Incident, LineageNode, NodeRef
from ..models import Artifact, Execution, Kind, Node
from .common import SHOWN_INCIDENTS

if TYPE_CHECKING:
    from ..store.base import Store

NodeLike = Node | LineageNode | ContextNode

# Open incidents of the nodes this command shows: one lookup per command (``load_incidents``),
# then every node it prints, in a table or in JSON, carries them.
_INCIDENTS = SHOWN_INCIDENTS


def load_incidents(store: Store, nodes: Iterable[NodeLike | None]) -> None:
    """Look up the open incidents of the nodes about to be shown (one query)."""
    refs = []
    for node in nodes:
        if node is not None and node.id is not None:
            kind = Kind.CONTEXT if isinstance(node, ContextNode) else node.kind
            refs.append(NodeRef(kind=kind, id=node.id))
    for ref, ids in store.open_incidents(refs).items():
        _INCIDENTS[(ref.kind.value, ref.id)] = ids


def incidents_of(node: NodeLike) -> list[int]:
    """The open incidents loaded for ``node`` (empty if none or not loaded)."""
    kind = Kind.CONTEXT.value if isinstance(node, ContextNode) else node.kind.value
    return list(_INCIDENTS.get((kind, node.id or 0), ()))


def node_json(node: NodeLike) -> dict[str, Any]:
    """The JSON object of any node the answers or the store return."""
    if isinstance(node, ContextNode):
        return {
            "id": node.id, "kind": Kind.CONTEXT.value, "type": node.type, "name": node.name,
            "uri": None, "state": None, "create_time": node.create_time,
            "parent_ids": list(node.parent_ids), "incidents": incidents_of(node),
        }
    if isinstance(node, LineageNode):
        data: dict[str, Any] = {
            "id": node.id, "kind": node.kind.value, "type": node.type, "name": node.name,
            "uri": node.uri, "state": node.state, "create_time": node.create_time,
            "incidents": incidents_of(node),
        }
        if node.hops is not None:
            data["hops"] = node.hops
        if node.properties is not None:
            data["properties"] = node.properties
        return data
    state: str | None = None
    uri: str | None = None
    if isinstance(node, Artifact):
        state, uri = node.state.value, node.uri
    elif isinstance(node, Execution):
        state = node.last_known_state.value
    return {
        "id": node.id, "kind": node.kind.value, "type": node.type, "name": node.name,
        "uri": uri, "state": state, "external_id": node.external_id,
        "create_time": node.create_time, "update_time": node.update_time,
        "properties": node.properties, "custom_properties": node.custom_properties,
        "incidents": incidents_of(node),
    }


def console() -> Console:
    # soft_wrap keeps long URLs on one line, so they stay clickable and copyable.
    return Console(soft_wrap=True, highlight=False)


def when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def nodes_table(title: str, nodes: Iterable[NodeLike], *, hops: bool = False) -> Table:
    """A table of nodes: kind, id, type, name, state, uri (and hops)."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("kind", "id", "type", "name", "state", "uri"):
        table.add_column(col, overflow="fold")
    if hops:
        table.add_column("hops", justify="right")
    for node in nodes:
        d = node_json(node)
        state = d["state"] or ""
        if d["incidents"]:
            marks = ", ".join(f"#{i}" for i in d["incidents"])
            state = f"{state} TAINTED (incident {marks})".strip()
        row = [d["kind"], str(d["id"]), d["type"], d["name"] or "", state, d["uri"] or ""]
        if hops:
            row.append("" if d.get("hops") is None else str(d["hops"]))
        bad = d["state"] == "FAILED" or d["incidents"]
        table.add_row(*row, style="bold red" if bad else None)
    return table


def properties_table(title: str, values: Mapping[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("name")
    table.add_column("value", overflow="fold")
    for key in sorted(values):
        value = values[key]
        table.add_row(key, json.dumps(value) if isinstance(value, (dict, list)) else str(value))
    return table


def kind_name(node: NodeLike) -> str:
    d = node_json(node)
    label = f"{d['type']} {d['name']}" if d["name"] else str(d["type"])
    return f"{d['kind']} {d['id']}: {label}"


__all__ = [
    "Table",
    "console",
    "incidents_of",
    "kind_name",
    "load_incidents",
    "node_json",
    "nodes_table",
    "properties_table",
    "when",
]


def incident_json(inc: Incident, source: dict[str, Any] | None = None) -> dict[str, Any]:
    """An incident as JSON: its fields, the source node if given, what it reached if loaded."""
    data = inc.model_dump(mode="json", exclude={"reached"})
    if source is not None:
        data["source_node"] = source
    if inc.reached is not None:
        data["reached"] = [
            {**node_json(t.node), "hops": t.hops, "via": t.via.model_dump(mode="json")}
            for t in inc.reached
        ]
    return data
