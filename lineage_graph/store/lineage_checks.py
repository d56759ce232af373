"""Argument checks shared by both lineage backends (so both refuse the same input the same way)."""

from __future__ import annotations

from collections.abc import Sequence

from ..answers import NodeRef
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


def check_walk_args(
    starts: Sequence[NodeRef],
    direction: str,
    max_depth: object,
    types: Sequence[str] | None,
    kinds: Sequence[Kind] | None,
    limit: object,
    timeout: object,
) -> None:
    """Raise ``InvalidInputError`` naming the first bad argument of a lineage walk."""
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
    check_depth(max_depth)
    for t in types or ():
        if not isinstance(t, str) or not TYPE_NAME_PATTERN.match(t):
            raise InvalidInputError(f"type name {t!r} is invalid", field="types", value=t)
    for k in kinds or ():
        if k is Kind.CONTEXT:
            raise InvalidInputError("kinds may be artifact or execution", field="kinds", value=k)
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
