"""Artifact handles: a path or URI plus an artifact type, usable wherever a path is.

``Dataset("data/train.csv")`` is an ``os.PathLike``, so ``open(ds)`` or ``pandas.read_csv(ds)``
work unchanged; passing one to a ``@step`` records an input, returning one records an output.
Local paths are fingerprinted (content hash + size) when the step records them; other URIs
(``s3://...``, ``gs://...``, ``http(s)://...``) are recorded as given, optionally with a
caller-supplied ``fingerprint``, and never checked for existence (that would need their
client and credentials).

A local input that does not exist when the step is called is an error (``MissingInputError``,
naming the step, the parameter and the path) unless the handle says ``optional=True``: then it
is recorded as an ``ABANDONED`` artifact (no name, no fingerprint) with a ``MissingInputWarning``.
``ABANDONED``, not ``PENDING``: in MLMD's vocabulary ``PENDING`` is an artifact some execution is
about to produce, while nothing produces an input that was absent when it was read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from ..errors import InvalidInputError, InvalidTypeError
from ..models import TYPE_NAME_PATTERN, Value
from . import fields


class ArtifactRef(os.PathLike[str]):
    """A typed reference to data. Subclasses fix the type; ``ArtifactRef(uri, type=...)`` any.

    Args:
        uri: a local path (made absolute) or a URI with a scheme (``file://`` is a local path).
        type: the artifact type name (defaults to the class's ``type_name``).
        fingerprint: for non-local URIs, a version string the caller vouches for.
        properties: extra custom properties recorded on the artifact.
        optional: as a step input, a missing local path is recorded (an ``ABANDONED``
            artifact, with a ``MissingInputWarning``) instead of refusing the call.

    Raises:
        InvalidInputError: ``type`` is not a valid type name.
    """

    type_name: ClassVar[str] = fields.FILE

    def __init__(
        self,
        uri: str | os.PathLike[str],
        *,
        type: str | None = None,
        fingerprint: str | None = None,
        properties: Mapping[str, Value] | None = None,
        optional: bool = False,
    ) -> None:
        raw = os.fspath(uri)
        parsed = urlparse(raw)
        self.path: Path | None
        if parsed.scheme == "file":
            self.path = Path(parsed.path).absolute()
        elif parsed.scheme and len(parsed.scheme) > 1:  # "C:" on Windows is a drive, not a scheme
            self.path = None
        else:
            self.path = Path(raw).absolute()
        self.uri = str(self.path) if self.path is not None else raw
        self.type = type or self.type_name
        if not TYPE_NAME_PATTERN.match(self.type):
            raise InvalidInputError(
                f"artifact type {self.type!r} is not a valid type name", field="type",
                value=self.type,
            )
        self.fingerprint = fingerprint
        self.properties: dict[str, Value] = dict(properties or {})
        self.optional = optional

    def __fspath__(self) -> str:
        """The local path.

        Raises:
            InvalidTypeError: a non-local URI (also a ``TypeError``, as ``os.fspath`` expects).
        """
        if self.path is None:
            raise InvalidTypeError(f"{self.uri!r} is not a local path", field="uri",
                                   value=self.uri)
        return str(self.path)

    def exists(self) -> bool:
        """True when the local file or directory exists (non-local URIs: assumed to exist)."""
        return self.path.exists() if self.path is not None else True

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ArtifactRef) and other.uri == self.uri and other.type == self.type
        )

    def __hash__(self) -> int:
        return hash((self.uri, self.type))

    def __str__(self) -> str:
        return self.uri

    def __repr__(self) -> str:
        extra = ", optional=True" if self.optional else ""
        return f"{type(self).__name__}({self.uri!r}, type={self.type!r}{extra})"

    def __getattr__(self, name: str) -> Any:
        # Path conveniences (``ds.parent``, ``ds.read_text()``) on local handles.
        if name.startswith("_") or self.__dict__.get("path") is None:
            raise AttributeError(name)
        return getattr(self.__dict__["path"], name)


class Dataset(ArtifactRef):
    type_name = fields.DATASET


class Model(ArtifactRef):
    type_name = fields.MODEL


class PushedModel(ArtifactRef):
    type_name = fields.PUSHED_MODEL


class File(ArtifactRef):
    type_name = fields.FILE


def as_ref(value: Any, type_name: str | None = None) -> ArtifactRef:
    """A handle for a handle, a ``Path`` or a path string (typed ``type_name`` or ``File``)."""
    if isinstance(value, ArtifactRef):
        return value
    return ArtifactRef(value, type=type_name or fields.FILE)


class MissingInputError(InvalidInputError, FileNotFoundError):
    """A step input names a local file or directory that does not exist.

    ``field`` is the step parameter (``data``, or ``data[1]`` for an item of a list) and
    ``value``/``path`` the absolute path that was looked for. Also a ``FileNotFoundError``, what
    reading the file would have raised.
    """

    def __init__(self, message: str, *, field: str, path: str) -> None:
        super().__init__(message, field=field, value=path)
        self.path = path


class MissingInputWarning(UserWarning):
    """An ``optional=True`` step input does not exist; it is recorded as ``ABANDONED``."""
