"""What ``ls`` (and the time options of other commands) make of their text arguments.

Imported by commands when they run. Every error is an ``InvalidInputError`` naming the
option (``field``) and quoting what was typed, so the CLI prints one line and exits 1.

* ``parse_when``: ``2024-04-01``, ``2024-04-01T10:15`` (ISO 8601; no zone means UTC, the zone
  tables print), relative ``90s``/``30m``/``12h``/``7d``/``2w`` (that long before now), or
  milliseconds since the epoch (digits only).
* ``parse_where``: ``NAME OP VALUE`` with OP one of ``= != > >= < <=``; NAME must match the
  property-name pattern (it becomes a map key, never Cypher text); VALUE is typed: ``true``/
  ``false`` a boolean, an integer, a float, else a string (quotes ``'...'``/``"..."`` force a
  string: ``--where "version='3'"``).
* ``check_types``: every ``--type`` must be a stored type of the kind; an unknown one is an
  error listing the known ones and suggesting the closest (case first: ``dataset`` ->
  ``Dataset``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ..errors import InvalidInputError
from ..models import PROPERTY_NAME_PATTERN, PropertyFilter

__all__ = ["check_choice", "parse_when", "parse_where"]

_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Longest first, so '>=' is not read as '>' followed by '=value'.
_WHERE = re.compile(r"^\s*([^\s=!<>]+)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$", re.DOTALL)
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


def parse_when(text: str, field: str, *, now: datetime | None = None) -> int:
    """Milliseconds since the epoch for an ISO time, a relative age or a number of ms.

    Raises:
        InvalidInputError: none of the forms (``field`` names the option).
    """
    raw = text.strip()
    if raw.isdigit():
        return int(raw)
    rel = _RELATIVE.match(raw.lower())
    if rel:
        start = (now or datetime.now(tz=UTC)) - timedelta(**{_UNITS[rel[2]]: int(rel[1])})
        return int(start.timestamp() * 1000)
    try:
        found = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            f"--{field} {text!r} is not a time: use an ISO date/time (2024-04-01, "
            "2024-04-01T10:15, ...Z or +02:00), an age (90s, 30m, 12h, 7d, 2w) or "
            "milliseconds since the epoch", field=field, value=text) from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)  # tables print UTC: read what they show the same way
    return int(found.timestamp() * 1000)


def _typed(raw: str) -> bool | int | float | str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    low = raw.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(raw):
        return int(raw)
    if _FLOAT.match(raw):
        return float(raw)
    return raw


def parse_where(text: str, *, custom: bool) -> PropertyFilter:
    """One ``--where`` filter. ``custom``: compare custom properties (else declared ones).

    Raises:
        InvalidInputError: field ``where``: no operator, a bad property name, or no value.
    """
    found = _WHERE.match(text)
    # 'auc>>1' or 'auc=>1' is a typo, not a comparison with the string '>1'.
    if found is None or not found[3] or found[3][0] in "=!<>":
        raise InvalidInputError(
            f"--where {text!r} must be PROPERTY OP VALUE with OP one of = != > >= < <= "
            "(e.g. --where 'auc>=0.8')", field="where", value=text)
    name, op, raw = found[1], found[2], found[3]
    if not PROPERTY_NAME_PATTERN.match(name):
        raise InvalidInputError(
            f"--where {text!r}: property name {name!r} is invalid: start with a letter or "
            "'_', then letters, digits, '_', '.', '-'", field="where", value=text)
    return PropertyFilter(name=name, op=op, value=_typed(raw), custom=custom)  # type: ignore[arg-type]


def check_choice(given: str, known: Iterable[str], what: str, field: str) -> str:
    """``given`` if it is one of ``known``.

    Raises:
        InvalidInputError: otherwise, naming the known values and the closest one (a
            case-insensitive match first, then a near spelling).
    """
    names = sorted(set(known))
    if given in names:
        return given
    same_case = [n for n in names if n.lower() == given.lower()]
    near = same_case or difflib.get_close_matches(given, names, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    listed = ", ".join(names) if names else "none recorded yet"
    raise InvalidInputError(f"--{field} {given!r} is not a known {what}{hint} (known: {listed})",
                            field=field, value=given)
