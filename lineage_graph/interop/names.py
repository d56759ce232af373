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
