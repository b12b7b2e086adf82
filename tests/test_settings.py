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


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"theme = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"theme = '\xff\xfe'\n", "not UTF-8 text"),
        (b"theme = \n", "not valid TOML"),
    ],
)
def test_unusable_config_is_set_aside_under_a_new_name(content: bytes, reason: str) -> None:
    path = write_config("")
    (path.parent / "config.toml.bad").write_text("an earlier one", encoding="utf-8")
    path.write_bytes(content)
    settings, warnings = load_settings()
    assert settings == Settings()
    assert (
        len(warnings) == 1 and reason in warnings[0] and "kept as config.toml.bad-2" in warnings[0]
    )
    assert (path.parent / "config.toml.bad").read_text(encoding="utf-8") == "an earlier one"
    assert (path.parent / "config.toml.bad-2").read_bytes() == content


def test_out_of_range_settings_are_refused_with_a_short_warning() -> None:
    settings, warnings = parse_settings(
        {"theme": "x" * 5000, "device": "y" * 5000, "keys": {f"a{i}": "n" for i in range(600)}}
    )
    assert settings == Settings()
    assert len(warnings) == 3 and all(len(w) < 200 for w in warnings), warnings


def test_a_config_that_is_a_fifo_is_a_notice_not_a_hang() -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    settings, warnings = load_settings()
    assert settings == Settings() and "pipe" in warnings[0]


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"version": 1, "read": ["' + "x" * 300 + '"]}',
        '{"version": 1, "read": ["a\\u0000b"]}',
        '{"version": 1, "solved": {"a": [1]}}',
        '{"version": 1, "read": ' + json.dumps([f"l{i}" for i in range(10_001)]) + "}",
    ],
)
def test_progress_out_of_range_is_set_aside_and_never_overwritten(content: str) -> None:
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        path.write_text(content)
        progress, warning = load_progress()
        assert progress == Progress() and warning and "damaged" in warning
    assert (path.parent / "progress.json.bad").read_text() == content
    assert (path.parent / "progress.json.bad-2").read_text() == content


def _save_in_another_process(lesson: str) -> None:
    progress = Progress()
    progress.mark_read(lesson)
    progress.mark_solved(lesson, "q")
    save_progress(progress)


def test_two_instances_saving_merge_what_each_learned() -> None:
    import multiprocessing

    mine = Progress()
    mine.mark_read("mine")
    save_progress(mine)
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_save_in_another_process, args=(f"other{i}",)) for i in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    mine.mark_solved("mine", "q1")
    save_progress(mine)
    loaded, warning = load_progress()
    assert warning is None
    assert loaded.read == {"mine", "other0", "other1", "other2", "other3"}
    assert loaded.solved == {"mine": {"q1"}, **{f"other{i}": {"q"} for i in range(4)}}
    assert loaded.last_lesson == "mine"
    assert mine.read == loaded.read  # the app sees what the other windows recorded
