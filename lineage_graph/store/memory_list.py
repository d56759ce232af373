"""Listing for the in-memory store: ListOptions filters, ordering and cursor paging.

The rules (``None`` ordering, cursor contents, Cypher comparison semantics) are in
``store.validation``; this module only applies them to the in-memory index.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..models import Artifact, Execution, Kind, ListOptions, Node, Page, PropertyFilter
from . import validation as v
from .listing import glob_regex
from .memory_state import MemoryState, detach, node_key

_LINK_REL = {Kind.ARTIFACT: "ATTRIBUTED_TO", Kind.EXECUTION: "ASSOCIATED_WITH"}


def _state_of(node: Node) -> str | None:
    if isinstance(node, Artifact):
        return str(node.state.value)
    if isinstance(node, Execution):
        return str(node.last_known_state.value)
    return None


def _linked(state: MemoryState, kind: Kind, options: ListOptions) -> set[int] | None:
    """Ids reachable through the context/artifact/execution filters (None: no such filter)."""
    g = state.graph
    ids: set[int] | None = None

    def narrow(found: Iterable[int]) -> None:
        nonlocal ids
        found = set(found)
        ids = found if ids is None else ids & found

    if options.context_id is not None and kind in _LINK_REL:
        key = node_key(Kind.CONTEXT, options.context_id)
        rel = _LINK_REL[kind]
        edges = g.in_edges(key, data=True) if key in g else []
        narrow(u[1] for u, _, d in edges if d.get("rel") == rel and u[0] == kind.value)
    for other, value in (
        (Kind.ARTIFACT, options.artifact_id),
        (Kind.EXECUTION, options.execution_id),
    ):
        if value is not None and kind is Kind.CONTEXT:
            key = node_key(other, value)
            edges = g.out_edges(key, data=True) if key in g else []
            narrow(w[1] for _, w, d in edges if d.get("rel") == _LINK_REL[other])
    return ids


def _predicates(options: ListOptions) -> list[Callable[[Node], bool]]:
    o = options
    preds: list[Callable[[Node], bool]] = []
    if o.type is not None:
        preds.append(lambda n: n.type == o.type)
    if o.types is not None:
        types = set(o.types)
        preds.append(lambda n: n.type in types)
    if o.name is not None:
        preds.append(lambda n: n.name == o.name)
    if o.name_glob is not None:
        name_re = re.compile(glob_regex(o.name_glob))
        preds.append(lambda n: n.name is not None and name_re.fullmatch(n.name) is not None)
    if o.uri is not None:
        preds.append(lambda n: getattr(n, "uri", None) == o.uri)
    if o.external_ids is not None:
        ext = set(o.external_ids)
        preds.append(lambda n: n.external_id in ext)
    if o.states is not None:
        states = set(o.states)
        preds.append(lambda n: _state_of(n) in states)
    for f in o.properties:
        preds.append(_property_predicate(f))
    for attr, low, high in (
        ("create_time", o.create_time_min, o.create_time_max),
        ("update_time", o.update_time_min, o.update_time_max),
        ("seq", o.changed_after + 1 if o.changed_after is not None else None, None),
    ):
        preds.extend(_range_predicates(attr, low, high))
    return preds


def _property_predicate(f: PropertyFilter) -> Callable[[Node], bool]:
    def matches(n: Node) -> bool:
        return v.property_matches(n.custom_properties if f.custom else n.properties, f)

    return matches


def _range_predicates(attr: str, low: int | None, high: int | None) -> list[Callable[[Node], bool]]:
    """``low <= node.attr < high`` (either bound optional); times and seq are always set."""
    preds: list[Callable[[Node], bool]] = []
    if low is not None:
        preds.append(lambda n: bool(getattr(n, attr) >= low))
    if high is not None:
        preds.append(lambda n: bool(getattr(n, attr) < high))
    return preds


def _page_by_id(
    index: dict[int, Node],
    ids: Iterable[int],
    preds: list[Callable[[Node], bool]],
    cursor: tuple[Any, int] | None,
    descending: bool,
    limit: int | None,
) -> tuple[list[Node], bool]:
    """The common order (by id, as ``Store._all`` pages): sorted ints, start after the cursor
    by bisection, stop at limit+1 -- so paging through everything stays O(n log n)."""
    ordered = sorted(i for i in ids if i in index)
    if cursor is not None:
        if descending:  # rows with a smaller id than the cursor's follow it
            ordered = ordered[: bisect.bisect_left(ordered, cursor[1])]
        else:
            ordered = ordered[bisect.bisect_right(ordered, cursor[1]) :]
    if descending:
        ordered.reverse()
    page: list[Node] = []
    for i in ordered:
        node = index[i]
        if all(p(node) for p in preds):
            if limit is not None and len(page) == limit:
                return page, True
            page.append(node)
    return page, False


def list_page(state: MemoryState, kind: Kind, options: ListOptions) -> Page:
    """One page of nodes of ``kind`` matching ``options``.

    Raises:
        InvalidInputError: a bad filter or cursor (see ``validation.check_list_options``).
    """
    cursor = v.check_list_options(options, kind)
    index = state.nodes[kind]
    linked = _linked(state, kind, options)
    ids = linked if linked is not None else index.keys()
    preds = _predicates(options)
    order_by, descending, limit = options.order_by, options.descending, options.limit
    if order_by == "id":
        page, more = _page_by_id(index, ids, preds, cursor, descending, limit)
    else:
        if cursor is not None:
            after = cursor
            preds.append(
                lambda n: v.after_cursor(v.order_key(n, order_by), n.id or 0, after, descending)
            )
        rows = (index[i] for i in ids if i in index and all(p(index[i]) for p in preds))
        if limit is None:
            page, more = v.sort_nodes(rows, order_by, descending), False
        else:
            # Only the first limit+1 rows matter: a heap beats sorting everything per page.
            top = (heapq.nlargest if descending else heapq.nsmallest)(
                limit + 1, rows, key=lambda n: v.sort_key(n, order_by)
            )
            page, more = top[:limit], len(top) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = v.encode_cursor(
            options.order_by, options.descending, v.order_key(last, options.order_by), last.id or 0
        )
    return Page(items=[detach(n) for n in page], next_cursor=next_cursor)
