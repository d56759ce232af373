"""Content fingerprints of file and directory artifacts: streamed sha256 and size.

A file's fingerprint is the sha256 of its bytes, read in chunks (never whole into memory).
A directory's is the sha256 over its files' sorted relative POSIX paths and their content
digests, so renaming, adding, removing or changing any file changes it, while the mtime,
permissions and the directory's own location do not.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    """``digest`` is ``"sha256:<hex>"``; ``size`` the byte count (a directory: all its files)."""

    digest: str
    size: int
    kind: Literal["file", "directory"]

    @property
    def short(self) -> str:
        """The first 16 hex digits, for display."""
        return self.digest.split(":", 1)[1][:16]


def _file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """Fingerprint a file or a directory tree.

    Args:
        path: an existing file or directory (symlinks are followed).

    Returns:
        The content digest and size.

    Raises:
        FileNotFoundError: nothing exists at ``path``.
    """
    p = Path(path)
    if p.is_file():
        digest, size = _file_digest(p)
        return Fingerprint(f"sha256:{digest}", size, "file")
    if p.is_dir():
        h = hashlib.sha256()
        total = 0
        files = sorted(
            (f for f in p.rglob("*") if f.is_file()), key=lambda f: f.relative_to(p).as_posix()
        )
        for f in files:
            digest, size = _file_digest(f)
            rel = f.relative_to(p).as_posix().encode()
            # Length-prefix the name so "a"+"bc" and "ab"+"c" cannot collide.
            h.update(len(rel).to_bytes(8, "big") + rel + bytes.fromhex(digest))
            total += size
        return Fingerprint(f"sha256:{h.hexdigest()}", total, "directory")
    raise FileNotFoundError(f"no file or directory at {str(p)!r} to fingerprint")
