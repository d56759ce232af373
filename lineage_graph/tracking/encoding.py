"""Turning step arguments and results into recordable values, and results back.

A step's result is kept (custom property ``return_value``) so a cache hit can return it
without running the step: JSON values, ``Path`` objects and artifact handles, nested in
tuples, lists and string-keyed dicts. Anything else makes the call non-memoizable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any

from ..models import PropertyType, Value
from .handles import ArtifactRef, Dataset, File, Model, PushedModel

_TAG = "__lg__"
_HANDLE_CLASSES: dict[str, type[ArtifactRef]] = {
    cls.type_name: cls for cls in (Dataset, Model, PushedModel, File)
}


class NotEncodable(Exception):
    """The value has no faithful recorded form."""


def property_type(value: Any) -> PropertyType | None:
    """The MLMD property type of a storable parameter value, or None if it is not storable."""
    if isinstance(value, bool):
        return PropertyType.BOOLEAN
    if isinstance(value, int):
        return PropertyType.INT
    if isinstance(value, float):
        return PropertyType.DOUBLE
    if isinstance(value, str):
        return PropertyType.STRING
    if isinstance(value, (dict, list, tuple)):
        try:
            _plain(value)
        except NotEncodable:
            return None
        return PropertyType.STRUCT
    return None


def as_property(value: Any) -> Value:
    """A storable parameter value (tuples become lists); call ``property_type`` first."""
    if isinstance(value, (dict, list, tuple)):
        return _plain(value)  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    """Plain JSON (no handles), or NotEncodable."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotEncodable("non-finite float")
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if _TAG in value:
            raise NotEncodable(f"key {_TAG!r} is reserved")
        return {k: _plain(v) for k, v in value.items()}
    raise NotEncodable(type(value).__qualname__)


def encode(value: Any) -> Any:
    """The JSON form of a step result (handles and paths tagged)."""
    if isinstance(value, ArtifactRef):
        return {_TAG: "artifact", "type": value.type, "uri": value.uri,
                "cls": type(value).__name__}
    if isinstance(value, PurePath):
        return {_TAG: "path", "uri": str(value)}
    if isinstance(value, tuple):
        return {_TAG: "tuple", "items": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        if _TAG in value:
            raise NotEncodable(f"key {_TAG!r} is reserved")
        return {k: encode(v) for k, v in value.items()}
    return _plain(value)


def decode(value: Any) -> Any:
    """Inverse of ``encode``."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(_TAG)
        if tag == "artifact":
            cls = _HANDLE_CLASSES.get(value["type"], ArtifactRef)
            return cls(value["uri"], type=value["type"])
        if tag == "path":
            return Path(value["uri"])
        if tag == "tuple":
            return tuple(decode(v) for v in value["items"])
        return {k: decode(v) for k, v in value.items()}
    return value


def handles_in(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[
    tuple[tuple[str | int, ...], ArtifactRef]
]:
    """Every artifact handle (or Path, as a File) in a result, with its event path."""
    if isinstance(value, ArtifactRef):
        yield path, value
    elif isinstance(value, PurePath):
        yield path, File(value)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from handles_in(v, (*path, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield from handles_in(v, (*path, k))
