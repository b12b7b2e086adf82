"""Atomic file writing: the content lands whole, and a failed write leaves the old file and no temporary."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from cnntui import atomic
from cnntui.atomic import save_npz_atomic, write_bytes_atomic, write_text_atomic


def test_writes_create_the_folder_only_when_asked_and_replace_the_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "file.txt"
    with pytest.raises(FileNotFoundError):
        write_text_atomic(target, "first\n")
    assert not (tmp_path / "deep").exists()
    assert write_text_atomic(target, "first\n", parents=True) == target
    assert write_text_atomic(str(target), "second ✓\n") == target
    assert target.read_text(encoding="utf-8") == "second ✓\n"
    assert write_bytes_atomic(target, b"\x00\x01") == target
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_npz_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "a.npz"
    save_npz_atomic(target, {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "n/b": np.ones(2)})
    with np.load(target, allow_pickle=False) as data:
        assert sorted(data.files) == ["n/b", "w"]
        np.testing.assert_array_equal(data["w"], np.arange(6).reshape(2, 3))


class _Unconvertible:
    """Fails when NumPy asks for its array, i.e. after the temporary file was opened."""

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        raise ValueError("no array here")


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "out" / "keep.npz"
    write_bytes_atomic(target, b"old", parents=True)
    with pytest.raises(ValueError, match="no array here"):
        save_npz_atomic(target, {"ok": np.zeros(3), "bad": _Unconvertible()})
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["keep.npz"]


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic._umask = None  # read afresh under the umask set here
        fresh = write_text_atomic(tmp_path / "fresh.txt", "x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        npz = save_npz_atomic(tmp_path / "w.npz", {"a": np.zeros(2)})
        assert stat.S_IMODE(npz.stat().st_mode) == 0o644
        os.chmod(fresh, 0o600)
        write_text_atomic(fresh, "y")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    finally:
        os.umask(old)
        atomic._umask = None
