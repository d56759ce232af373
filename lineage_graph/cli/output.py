"""Output for the query commands: the JSON form of nodes, and rich tables and trees.

Imported by commands when they run (it brings pydantic and the answers), never at the import
of ``lineage_graph.cli``; rich comes only with the first table or console, so ``--json`` never
imports it. JSON documents are written by ``common.emit_json``.

JSON shape: every node is an object with at least ``id``, ``kind`` (artifact, execution,
context), ``type``, ``name``, ``uri`` and ``state`` (``uri`` for artifacts, ``state`` the
artifact state or the execution's last known state; null where the kind has none). Times are
ISO 8601 in UTC with milliseconds (``create_time``, ``update_time``), the stored milliseconds
next to them (``create_time_ms``, ``update_time_ms``). A string property holding a JSON object
or array (``environment`` from some producers) is decoded into that object.

Tables: one row per line. On a terminal they fit its width (long cells end in an ellipsis);
piped, they never wrap (a pipe has no width: 104 artifacts stay 104 lines) and long cells
are cut at a fixed width; ``wide=True`` (``--wide``) prints every cell whole. Times are
``YYYY-MM-DD HH:MM`` (UTC); JSON values are compact.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..answers import ContextNode, Incident, LineageNode, NodeRef
from ..models import Artifact, Context, Execution, Kind, Node
from .common import SHOWN_INCIDENTS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Column, Table

    from ..store.base import Store

NodeLike = Node | LineageNode | ContextNode

# Open incidents of the nodes this command shows: one lookup per command (``load_incidents``),
# then every node it prints, in a table or in JSON, carries them.
_INCIDENTS = SHOWN_INCIDENTS


def load_incidents(store: Store, nodes: Iterable[NodeLike | None]) -> None:
    """Look up the open incidents of the nodes about to be shown (one query). Answer nodes
    (``LineageNode``, ``ContextNode``) already carry theirs: only stored nodes are looked up,
    and no query runs when there are none."""
    refs = [
        NodeRef(kind=node.kind, id=node.id)
        for node in nodes
        if node is not None and node.id is not None
        and not isinstance(node, (LineageNode, ContextNode))
    ]
    if not refs:
        return
    for ref, ids in store.open_incidents(refs).items():
        _INCIDENTS[(ref.kind.value, ref.id)] = ids


def incidents_of(node: NodeLike) -> list[int]:
    """The open incidents of ``node``: carried by an answer node, else as loaded (empty if
    none or not loaded)."""
    if isinstance(node, (LineageNode, ContextNode)):
        return list(node.incidents)
    kind = node.kind.value
    return list(_INCIDENTS.get((kind, node.id or 0), ()))


def iso_time(ms: int | None) -> str | None:
    """ISO 8601 in UTC with milliseconds (``2024-04-01T10:15:00.000Z``); None stays None."""
    if ms is None:
        return None
    stamp = datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _times(prefix: str, ms: int | None) -> dict[str, Any]:
    return {prefix: iso_time(ms), f"{prefix}_ms": ms}


def decoded(value: Any) -> Any:
    """A property value for display: a string holding a JSON object or array is decoded
    (some producers store STRUCTs as JSON text); everything else is returned as it is."""
    if isinstance(value, str) and value[:1] in ("{", "[") and value[-1:] in ("}", "]"):
        try:
            found = json.loads(value)
        except ValueError:
            return value
        if isinstance(found, (dict, list)):
            return found
    return value


def decoded_properties(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``decoded`` applied to every value of a property map (None stays None)."""
    return None if values is None else {k: decoded(v) for k, v in values.items()}


def node_json(node: NodeLike) -> dict[str, Any]:
    """The JSON object of any node the answers or the store return."""
    if isinstance(node, ContextNode):
        return {
            "id": node.id, "kind": Kind.CONTEXT.value, "type": node.type, "name": node.name,
            "uri": None, "state": None, **_times("create_time", node.create_time),
            "parent_ids": list(node.parent_ids), "incidents": incidents_of(node),
        }
    if isinstance(node, LineageNode):
        data: dict[str, Any] = {
            "id": node.id, "kind": node.kind.value, "type": node.type, "name": node.name,
            "uri": node.uri, "state": node.state, **_times("create_time", node.create_time),
            "incidents": incidents_of(node),
        }
        if node.hops is not None:
            data["hops"] = node.hops
        if node.properties is not None:
            data["properties"] = decoded_properties(node.properties)
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
        **_times("create_time", node.create_time), **_times("update_time", node.update_time),
        "properties": decoded_properties(node.properties),
        "custom_properties": decoded_properties(node.custom_properties),
        "tags": _tags(node),
        "incidents": incidents_of(node),
    }


def _tags(node: Node) -> list[str]:
    from ..curation import tags_of

    return tags_of(node)


# A pipe or file has no width: rich would wrap at 80 columns and turn one row into several.
# Piped tables get this much room (rows never wrap) and cut long cells at _CELL instead.
_PIPE_WIDTH = 10_000
_CELL = {"type": 32, "name": 56, "uri": 64, "value": 96}


def console(*, wide: bool = False) -> Console:
    """The console commands print to: the terminal's width, or no wrapping when piped
    (``wide``: never wrap, cells whole)."""
    from rich.console import Console

    # soft_wrap keeps long URLs on one line, so they stay clickable and copyable.
    if wide or not sys.stdout.isatty():
        return Console(soft_wrap=True, highlight=False, width=_PIPE_WIDTH)
    return Console(soft_wrap=True, highlight=False)


def when(ms: int | None) -> str:
    """A human time in UTC, ``2024-04-01 10:15`` ("" for None)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def new_table(*columns: Any, **kwargs: Any) -> Table:
    """A rich ``Table`` (rich is imported here, when a command first prints a table)."""
    from rich.table import Table

    return Table(*columns, **kwargs)


def _column(name: str, wide: bool, **kwargs: Any) -> Column:
    from rich.table import Column

    if wide:
        return Column(name, overflow="fold", **kwargs)
    # One line per row; a cell too long for its column ends in an ellipsis.
    return Column(name, no_wrap=True, overflow="ellipsis", max_width=_CELL.get(name), **kwargs)


def nodes_table(title: str, nodes: Iterable[NodeLike], *, hops: bool = False,
                times: bool = False, wide: bool = False) -> Table:
    """A table of nodes: kind, id, type, name, state, uri (and hops; and created with
    ``times``). ``wide``: cells are never cut (see the module docstring)."""
    nodes = list(nodes)
    cols = ["kind", "id", "type", "name", "state", "uri"]
    if times:
        cols.append("created")
    tagged = any(isinstance(n, (Artifact, Execution, Context)) and _tags(n) for n in nodes)
    if tagged:
        cols.append("tags")
    table = new_table(*(_column(c, wide) for c in cols), title=title, title_justify="left",
                      show_lines=False)
    if hops:
        table.add_column("hops", justify="right")
    for node in nodes:
        d = node_json(node)
        state = d["state"] or ""
        if d["incidents"]:
            marks = ", ".join(f"#{i}" for i in d["incidents"])
            state = f"{state} TAINTED (incident {marks})".strip()
        row = [d["kind"], str(d["id"]), d["type"], d["name"] or "", state, d["uri"] or ""]
        if times:
            row.append(when(d["create_time_ms"]))
        if tagged:
            row.append(", ".join(d.get("tags", ())))
        if hops:
            row.append("" if d.get("hops") is None else str(d["hops"]))
        bad = d["state"] == "FAILED" or d["incidents"]
        table.add_row(*row, style="bold red" if bad else None)
    return table


# Integer properties under these names are times in ms since the epoch (started_at, end_time).
_TIME_SUFFIXES = ("_at", "_time", "timestamp")
_MS_RANGE = (10**11, 10**14)  # 1973 .. 5138: an int out of it is not a time in ms


def display_value(key: str, value: Any) -> str:
    """A property value in a table: JSON compact, times in ms as a human time."""
    value = decoded(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if (isinstance(value, int) and not isinstance(value, bool) and key.endswith(_TIME_SUFFIXES)
            and _MS_RANGE[0] <= value < _MS_RANGE[1]):
        return when(value)
    return str(value)


def properties_table(title: str, values: Mapping[str, Any], *, wide: bool = False) -> Table:
    """Name and value of each property, by name (values as ``display_value`` writes them)."""
    table = new_table(title=title, title_justify="left")
    table.add_column("name")
    # Values fold rather than cut: a property is shown to be read whole.
    table.add_column("value", overflow="fold", max_width=None if wide else _CELL["value"])
    for key in sorted(values):
        table.add_row(key, display_value(key, values[key]))
    return table


def kind_name(node: NodeLike) -> str:
    """A node as users paste it into the next command: ``e:48: Trainer train``."""
    d = node_json(node)
    short = {"artifact": "a", "execution": "e", "context": "c"}[d["kind"]]
    label = f"{d['type']} {d['name']}" if d["name"] else str(d["type"])
    return f"{short}:{d['id']}: {label}"


__all__ = [
    "console",
    "decoded",
    "decoded_properties",
    "display_value",
    "incidents_of",
    "iso_time",
    "kind_name",
    "load_incidents",
    "new_table",
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
