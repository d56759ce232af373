"""Property values, names and time: the scalar checks every other check is built on.

The rules (exact types, 64-bit ints, no NaN, valid Unicode, STRUCT contents) are listed in
``store.validation``'s docstring; ``validation`` re-exports everything here.
"""

from __future__ import annotations

import math
import time

from ..errors import InvalidInputError
from ..models import PROPERTY_NAME_PATTERN, PropertyType, type_label

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


# ---- time ---------------------------------------------------------------------------------


def now_ms() -> int:
    """Milliseconds since the Unix epoch (MLMD's ``*_time_since_epoch``)."""
    return time.time_ns() // 1_000_000


# ---- scalars --------------------------------------------------------------------------------


def fits_int64(value: object) -> bool:
    """Whether ``value`` is an ``int`` (not ``bool``) that fits in 64 bits (a usable id)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return INT64_MIN <= value <= INT64_MAX


def check_int(value: object, field: str) -> int:
    """An ``int`` (not ``bool``) that fits in 64 bits.

    Raises:
        InvalidInputError: otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            f"{field} must be an integer, got {value!r}", field=field, value=value
        )
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidInputError(
            f"{field} = {value} does not fit in a 64-bit integer", field=field, value=value
        )
    return value


def check_text(
    value: object, field: str, *, allow_empty: bool = True, max_bytes: int | None = None
) -> str:
    """A ``str`` that is valid Unicode text (encodable as UTF-8), at most ``max_bytes`` long.

    Raises:
        InvalidInputError: not a string, empty when not allowed, too long, or has lone
            surrogates.
    """
    if not isinstance(value, str):
        raise InvalidInputError(
            f"{field} must be a string, got {value!r}", field=field, value=value
        )
    if not allow_empty and value == "":
        raise InvalidInputError(
            f"{field} must not be empty (leave it unset instead)", field=field, value=value
        )
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{field} is not valid Unicode text (lone surrogate): {value!r}",
            field=field,
            value=value,
        ) from None
    if max_bytes is not None and size > max_bytes:
        raise InvalidInputError(
            f"{field} is {size:,} bytes long; at most {max_bytes:,} are accepted "
            "(it is indexed: keep long text in a property instead)",
            field=field,
            value=value[:80] + "...",
        )
    return value


def check_float(value: object, field: str) -> float:
    """A ``float`` that is not NaN.

    Raises:
        InvalidInputError: otherwise.
    """
    if not isinstance(value, float):
        raise InvalidInputError(f"{field} must be a float, got {value!r}", field=field, value=value)
    if math.isnan(value):
        raise InvalidInputError(
            f"{field} is NaN, which is not accepted (it is not equal to itself)",
            field=field,
            value=value,
        )
    return value


# STRUCT nesting: deeper than any real metadata, shallow enough for every JSON codec's stack.
MAX_STRUCT_DEPTH = 64
# Indexed text (name, external_id, uri): Neo4j refuses index keys over about 8 KB, and
# (type, name) is one composite key.
MAX_INDEXED_TEXT_BYTES = 4_000


def _check_struct(value: object, field: str, depth: int = 0) -> None:
    if depth > MAX_STRUCT_DEPTH:
        raise InvalidInputError(
            f"{field}: a STRUCT may nest at most {MAX_STRUCT_DEPTH} levels",
            field=field,
            value="(nested deeper)",
        )
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        check_int(value, field)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(
                f"{field}: a STRUCT holds JSON, which has no {value!r}", field=field, value=value
            )
    elif isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_struct(item, f"{field}[{i}]", depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(
                    f"{field}: STRUCT keys must be strings, got {key!r}", field=field, value=key
                )
            check_text(key, field)
            _check_struct(item, f"{field}.{key}", depth + 1)
    else:
        raise InvalidInputError(
            f"{field}: {type(value).__name__} {value!r} cannot be stored in a STRUCT "
            "(use dict, list, str, int, float, bool or None)",
            field=field,
            value=value,
        )


def check_value(value: object, field: str) -> None:
    """Any property value: bool, int, float, str, or a STRUCT (dict/list).

    Raises:
        InvalidInputError: naming ``field`` and the value.
    """
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        check_int(value, field)
    elif isinstance(value, float):
        check_float(value, field)
    elif isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, (dict, list)):
        _check_struct(value, field)
    else:
        raise InvalidInputError(
            f"{field}: unsupported value {value!r} of type {type(value).__name__}",
            field=field,
            value=value,
        )


_PYTHON_TYPE: dict[PropertyType, str] = {
    PropertyType.INT: "an int",
    PropertyType.DOUBLE: "a float",
    PropertyType.STRING: "a str",
    PropertyType.BOOLEAN: "a bool",
    PropertyType.STRUCT: "a dict or list",
}


def value_matches(ptype: PropertyType, value: object) -> bool:
    """Whether ``value`` has exactly the Python type a declared ``ptype`` requires."""
    if ptype is PropertyType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if ptype is PropertyType.DOUBLE:
        return isinstance(value, float)
    if ptype is PropertyType.STRING:
        return isinstance(value, str)
    if ptype is PropertyType.BOOLEAN:
        return isinstance(value, bool)
    return isinstance(value, (dict, list))


def check_declared_value(ptype: PropertyType, value: object, field: str) -> None:
    """A declared property's value against its declared type (exact types, no coercion).

    Raises:
        InvalidInputError: wrong type (DOUBLE takes ``float`` only: write ``1.0``, not ``1``).
    """
    if not value_matches(ptype, value):
        hint = (
            " (DOUBLE accepts float only: write 1.0, not 1)" if ptype is PropertyType.DOUBLE else ""
        )
        raise InvalidInputError(
            f"{field} is declared {ptype.value} and needs {_PYTHON_TYPE[ptype]}, "
            f"got {type(value).__name__} {value!r}{hint}",
            field=field,
            value=value,
        )
    check_value(value, field)


# ---- names ----------------------------------------------------------------------------------


def check_type_name(name: object, field: str = "type") -> str:
    """A type name usable as a label; returns the label (``models.type_label``).

    Raises:
        InvalidInputError: the name is malformed or reserved.
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"type name {name!r} is not a string", field=field, value=name)
    try:
        return type_label(name)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field=field, value=name) from None


def check_property_name(name: object, field: str) -> str:
    """A property name matching ``models.PROPERTY_NAME_PATTERN``.

    Raises:
        InvalidInputError: otherwise; ``field`` is e.g. ``properties.<name>``.
    """
    if not isinstance(name, str) or not PROPERTY_NAME_PATTERN.match(name):
        raise InvalidInputError(
            f"property name {name!r} is invalid: start with a letter or '_', then letters, "
            "digits, '_', '.', '-' (at most 128)",
            field=field,
            value=name,
        )
    return name
