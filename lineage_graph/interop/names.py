"""Deterministic stand-ins for foreign names the model refuses (MLMD types, OpenLineage jobs)."""

from __future__ import annotations

import hashlib
import re

from ..models import PROPERTY_NAME_PATTERN, TYPE_NAME_PATTERN, type_label


def safe_name(name: str, pattern: re.Pattern[str], *, dotted: bool) -> str:
    """``name`` if ``pattern`` accepts it, else a cleaned, stable variant of it.

    Invalid characters become ``_``, segments start with a letter, dotted names longer than
    the pattern allows keep their last segments; a hash is the last resort.
    """
    if pattern.match(name):
        return name
    parts = name.split(".") if dotted else [name]
    cleaned = [re.sub(r"[^A-Za-z0-9_]", "_", part) or "_" for part in parts]
    cleaned = [p if p[0].isalpha() else f"x{p}" for p in cleaned]
    if dotted and len(cleaned) > 12:
        cleaned = ["_".join(cleaned[:-3]), *cleaned[-3:]]
    cleaned = [p[:54] for p in cleaned]
    candidate = ".".join(cleaned)
    if not pattern.match(candidate):
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
        candidate = f"x_{digest}"
    return candidate


def type_name(name: str) -> str:
    """A valid type name for ``name`` (see ``models.TYPE_NAME_PATTERN``, reserved labels)."""
    safe = safe_name(name, TYPE_NAME_PATTERN, dotted=True)
    try:
        type_label(safe)
    except ValueError:  # a reserved label such as "Artifact": keep it apart
        safe = safe_name(f"x.{safe}", TYPE_NAME_PATTERN, dotted=True)
    return safe


def property_name(name: str) -> str:
    """A valid property name for ``name`` (see ``models.PROPERTY_NAME_PATTERN``)."""
    return safe_name(name, PROPERTY_NAME_PATTERN, dotted=False)


# ---- OpenLineage identity keys ------------------------------------------------------------
#
# OpenLineage names a dataset or a job by (namespace, name); both parts may contain any
# character, so joining them with "/" is ambiguous (("warehouse", "sales/daily") and
# ("warehouse/sales", "daily") would meet). The key escapes "%" and its separator in each
# part (percent-encoding, like a URI): namespace "|" name, and for a dataset field the
# dataset key "#" field. Real names rarely hold "%", "|" or "#", so keys stay readable:
# ``postgres://db:5432|shop.public.orders#amount``.


def _escape(text: str, separator: str) -> str:
    return text.replace("%", "%25").replace(separator, f"%{ord(separator):02X}")


def _unescape(text: str, separator: str) -> str:
    return text.replace(f"%{ord(separator):02X}", separator).replace("%25", "%")


def ol_key(namespace: str, name: str) -> str:
    """The unambiguous key of an OpenLineage dataset or job: ``<namespace>|<name>``.

    ``%`` and ``|`` are escaped in the namespace, ``%`` and ``#`` in the name, so the key of a
    field (``field_key``) starts with its dataset's key and every key splits one way only.

    Example:
        >>> ol_key("warehouse", "sales/daily"), ol_key("warehouse/sales", "daily")
        ('warehouse|sales/daily', 'warehouse/sales|daily')
    """
    return f"{_escape(namespace, '|')}|{_escape(name, '#')}"


def split_ol_key(key: str) -> tuple[str, str]:
    """``(namespace, name)`` of a key made by ``ol_key`` (the inverse).

    Raises:
        ValueError: ``key`` has no ``|``.
    """
    namespace, sep, name = key.partition("|")
    if not sep:
        raise ValueError(f"{key!r} is not an OpenLineage key (no '|')")
    return _unescape(namespace, "|"), _unescape(name, "#")


def field_key(dataset: str, field: str) -> str:
    """The key of a dataset field: the dataset's ``ol_key``, ``#``, the field name as is."""
    return f"{dataset}#{field}"


def split_field_key(key: str) -> tuple[str, str]:
    """``(dataset key, field)`` of a key made by ``field_key``.

    Raises:
        ValueError: ``key`` is not a field key.
    """
    namespace, sep, rest = key.partition("|")
    name, hash_, field = rest.partition("#")
    if not (sep and hash_):
        raise ValueError(f"{key!r} is not a dataset field key")
    return f"{namespace}|{name}", field
