"""Content fingerprints: streamed, stable for equal content, different for any change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lineage_graph.tracking import fingerprint


def test_file_fingerprint_is_sha256_of_content_and_size(tmp_path: Path) -> None:
    data = b"x" * (3 * (1 << 20) + 17)  # several read chunks
    f = tmp_path / "big.bin"
    f.write_bytes(data)
    fp = fingerprint(f)
    assert fp.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert (fp.size, fp.kind) == (len(data), "file")


def test_same_content_same_fingerprint_changed_content_new_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("1,2\n")
    b.write_text("1,2\n")
    assert fingerprint(a) == fingerprint(b)
    b.write_text("1,3\n")
    assert fingerprint(a).digest != fingerprint(b).digest


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_directory_fingerprint_covers_names_and_contents(tmp_path: Path) -> None:
    base = {"x/1.txt": "one", "x/2.txt": "two", "top.txt": "t"}
    d1 = _tree(tmp_path / "d1", base)
    d2 = _tree(tmp_path / "d2", base)  # same tree elsewhere: same version
    fp1 = fingerprint(d1)
    assert fp1 == fingerprint(d2)
    assert (fp1.kind, fp1.size) == ("directory", len("one") + len("two") + len("t"))
    renamed = _tree(tmp_path / "d3", {"x/1.txt": "one", "x/3.txt": "two", "top.txt": "t"})
    changed = _tree(tmp_path / "d4", {**base, "x/2.txt": "TWO"})
    added = _tree(tmp_path / "d5", {**base, "new.txt": ""})
    digests = {fingerprint(p).digest for p in (d1, renamed, changed, added)}
    assert len(digests) == 4


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        fingerprint(tmp_path / "nope")
