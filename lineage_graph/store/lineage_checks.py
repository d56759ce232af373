"""Argument checks shared by both lineage backends (so both refuse the same input the same way)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..answers import NodeRef, WalkOptions
from ..errors import InvalidInputError
from ..models import TYPE_NAME_PATTERN, Kind


def check_depth(value: object, field: str = "max_depth") -> int | None:
    """A traversal bound: None or an int >= 0 (it is spliced into Cypher, so it must be one)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(
            f"{field} must be a non-negative integer, not {value!r}", field=field, value=value
        )
    return value


def check_walk(
    starts: Sequence[NodeRef], direction: str, options: WalkOptions
) -> WalkOptions:
    """The walk's options with ``types``/``kinds`` as tuples (kinds as ``Kind``).

    Raises:
        InvalidInputError: naming the first bad argument.
    """
    if direction not in ("upstream", "downstream"):
        raise InvalidInputError(
            f"direction must be 'upstream' or 'downstream', not {direction!r}",
            field="direction", value=direction,
        )
    if not starts:
        raise InvalidInputError("starts must name at least one node", field="starts", value=[])
    for s in starts:
        if s.kind is Kind.CONTEXT:
            raise InvalidInputError(
                f"lineage starts at artifacts or executions, not context {s.id}",
                field="starts", value=s,
            )
    check_depth(options.max_depth)
    types = None if options.types is None else tuple(options.types)
    for t in types or ():
        if not isinstance(t, str) or not TYPE_NAME_PATTERN.match(t):
            raise InvalidInputError(f"type name {t!r} is invalid", field="types", value=t)
    kinds = None if options.kinds is None else tuple(_kind(k) for k in options.kinds)
    limit, timeout = options.limit, options.timeout
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInputError(
            f"limit must be a positive integer, not {limit!r}", field="limit", value=limit
        )
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise InvalidInputError(
            f"timeout must be a positive number of seconds, not {timeout!r}",
            field="timeout", value=timeout,
        )
    return replace(options, types=types, kinds=kinds)


def _kind(value: object) -> Kind:
    # Kind is a str enum: "artifact" equals Kind.ARTIFACT.
    if value in (Kind.ARTIFACT, Kind.EXECUTION):
        return Kind(value)
    raise InvalidInputError("kinds may be artifact or execution", field="kinds", value=value)
