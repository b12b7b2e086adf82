"""Settings from config.toml (bad values warn and fall back) and progress saved atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnntui.progress import Progress, load_progress, progress_path, save_progress, state_dir
from cnntui.settings import Settings, config_path, env_flag, load_settings, parse_settings


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_follow_xdg(isolated_user_dirs: Path) -> None:
    assert config_path() == isolated_user_dirs / "config" / "cnntui" / "config.toml"
    assert progress_path() == isolated_user_dirs / "state" / "cnntui" / "progress.json"


def test_paths_fall_back_to_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert config_path() == tmp_path / ".config" / "cnntui" / "config.toml"
    assert state_dir() == tmp_path / ".local" / "state" / "cnntui"


def test_missing_file_means_defaults_without_warning() -> None:
    assert load_settings() == (Settings(), [])


def test_full_config() -> None:
    write_config(
        'theme = "nord"\nascii = true\ndevice = "cpu"\n[keys]\n"lessons.next" = "j, right"\n'
    )
    settings, warnings = load_settings()
    assert warnings == []
    assert settings == Settings(
        theme="nord", ascii=True, device="cpu", keys={"lessons.next": "j,right"}
    )


@pytest.mark.parametrize(
    ("data", "fragment", "field", "default"),
    [
        ({"ascii": "yes"}, "ascii must be true or false", "ascii", False),
        ({"device": "tpu"}, "device must be one of auto, cpu, gpu", "device", "auto"),
        ({"theme": 3}, "theme must be a theme name", "theme", None),
        ({"keys": "n"}, "[keys] must be a table", "keys", {}),
        ({"keys": {"lessons.next": 5}}, "key for 'lessons.next' must look like", "keys", {}),
        ({"keys": {"bad id!": "n"}}, "is not a binding id", "keys", {}),
        ({"colour": "red"}, "unknown setting 'colour'", "theme", None),
    ],
)
def test_bad_values_warn_and_use_the_default(
    data: dict, fragment: str, field: str, default: object
) -> None:
    settings, warnings = parse_settings(data)
    assert len(warnings) == 1 and fragment in warnings[0], warnings
    assert getattr(settings, field) == default


def test_broken_toml_warns_and_uses_defaults() -> None:
    path = write_config("theme = \n")
    settings, warnings = load_settings()
    assert settings == Settings()
    assert warnings and str(path) in warnings[0] and "not valid TOML" in warnings[0]


def test_env_flag() -> None:
    os.environ["CNNTUI_TEST_FLAG"] = "yes"
    try:
        assert env_flag("CNNTUI_TEST_FLAG") is True
        os.environ["CNNTUI_TEST_FLAG"] = "0"
        assert env_flag("CNNTUI_TEST_FLAG") is False
        os.environ["CNNTUI_TEST_FLAG"] = "maybe"
        assert env_flag("CNNTUI_TEST_FLAG") is None
    finally:
        del os.environ["CNNTUI_TEST_FLAG"]
    assert env_flag("CNNTUI_TEST_FLAG") is None


def test_progress_round_trip() -> None:
    progress = Progress()
    assert progress.mark_read("a") is True
    assert progress.mark_read("a") is False
    assert progress.mark_solved("a", "quiz-1") is True
    assert progress.mark_solved("a", "quiz-1") is False
    save_progress(progress)
    loaded, warning = load_progress()
    assert warning is None
    assert loaded == progress
    assert (
        loaded.solved_count("a") == 1
        and loaded.is_solved("a", "quiz-1")
        and not loaded.is_solved("b", "x")
    )
    document = json.loads(progress_path().read_text())
    assert document == {
        "version": 1,
        "last_lesson": "a",
        "read": ["a"],
        "solved": {"a": ["quiz-1"]},
        "last_mode": None,
        "lesson_line": 0,
    }


def test_first_run_has_empty_progress() -> None:
    assert load_progress() == (Progress(), None)


@pytest.mark.parametrize(
    "content", ["{not json", '{"version": 99}', '{"version": 1, "read": "a"}', "[]"]
)
def test_damaged_progress_is_set_aside(content: str) -> None:
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    progress, warning = load_progress()
    assert progress == Progress()
    assert warning and "damaged" in warning
    assert (path.parent / "progress.json.bad").read_text() == content
    assert not path.exists()


def test_save_is_atomic_when_writing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    first = Progress(last_lesson="a", read={"a"})
    save_progress(first)
    before = progress_path().read_text()

    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        save_progress(Progress(last_lesson="b", read={"a", "b"}))
    assert progress_path().read_text() == before
    leftovers = [
        p.name for p in progress_path().parent.iterdir() if p.name.startswith(".progress-")
    ]
    assert leftovers == []
