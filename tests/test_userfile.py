"""User files are read only when they are regular files under the cap for their kind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cnntui import userfile
from cnntui.errors import UsageError


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    with pytest.raises(userfile.FileRefused, match=r"pipe\.toml is a pipe \(FIFO\); a spec"):
        userfile.read_bytes(fifo, "spec")


def test_devices_and_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="/dev/zero is a device; an image is read from a regular"):
        userfile.read_bytes("/dev/zero", "image")
    with pytest.raises(OSError, match="is a folder"):
        userfile.read_text(tmp_path, "config")


def test_a_file_over_the_cap_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(userfile.LIMITS["spec"] + 1)  # sparse: costs no disk
    with pytest.raises(
        userfile.FileRefused,
        match=r"big\.toml is larger than 1 MiB, the most a spec file may be \(it has 1,048,577 bytes\)",
    ):
        userfile.read_bytes(big, "spec")
    huge = tmp_path / "huge.npz"
    with huge.open("wb") as fh:
        fh.truncate(userfile.LIMITS["checkpoint"] + 1)
    with pytest.raises(
        userfile.FileRefused, match="larger than 8 GiB, the most a checkpoint file may be"
    ):
        userfile.check_file(huge, "checkpoint")


def test_regular_files_and_links_to_them_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(path)
    assert userfile.read_text(link, "json") == "{}"
    assert userfile.check_file(path, "json") == 2
    with pytest.raises(FileNotFoundError):
        userfile.read_bytes(tmp_path / "missing", "json")


def test_every_reader_of_user_files_refuses_a_fifo(fifo: Path, tmp_path: Path) -> None:
    """The readers behind --spec, images, lessons, run folders and checkpoints all use the check."""
    from cnntui.data.dataset import DatasetError
    from cnntui.data.folder import read_image
    from cnntui.engine import nn
    from cnntui.images import read_file
    from cnntui.lessons import parse_lesson
    from cnntui.train.checkpoint import CheckpointError, read_run_info
    from cnntui.zoo.spec import SpecError, load_spec_file

    with pytest.raises(SpecError, match="pipe"):
        load_spec_file(fifo)
    with pytest.raises(UsageError, match="pipe"):
        read_file(fifo)
    with pytest.raises(DatasetError, match="pipe"):
        read_image(fifo.rename(tmp_path / "pipe.png"))
    assert "pipe" in parse_lesson(tmp_path / "pipe.png").problems[0].reason
    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "run.json")
    with pytest.raises(CheckpointError, match="pipe"):
        read_run_info(run)
    with pytest.raises(UsageError, match="pipe"):
        nn.Linear(2, 2).load(tmp_path / "pipe.png")
