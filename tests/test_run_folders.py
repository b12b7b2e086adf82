"""Run folders whose run.json parses but holds wrong types: skipped with a notice, never resumed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_app

from cnntui.cli import main
from cnntui.train.checkpoint import FORMAT, VERSION, CheckpointError, read_run_info
from cnntui.train.config import RunConfig
from cnntui.train.runs import list_runs, runs_dir


def good_info() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": RunConfig(epochs=2).to_dict(),
        "model_name": "lenet5-8",
        "checkpoint": "checkpoint-e0001-s0000010.npz",
        "epoch": 1,
        "global_step": 10,
        "progress": {
            "epoch": 1,
            "global_step": 10,
            "loss_sum": 0.0,
            "correct": 0,
            "seen": 0,
            "step": 0,
        },
        "history": [{"epoch": 1, "val_acc": 0.5, "val_loss": None}],
        "finished": False,
        "test": None,
        "updated": "2026-01-01T00:00:00Z",
    }


def make_run(root: Path, name: str, info: dict[str, Any]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    return folder


BAD_FIELDS = [
    ("epoch", "three"),
    ("epoch", -1),
    ("config", []),
    ("history", {"epoch": 1}),
    ("history", [{"val_acc": "high"}]),
    ("test", {"test_acc": [1]}),
    ("finished", "yes"),
    ("progress", {"epoch": 1}),
    ("checkpoint", 7),
    ("model_name", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_a_wrongly_typed_field_is_named(tmp_path: Path, field: str, value: Any) -> None:
    folder = make_run(tmp_path, "bad", {**good_info(), field: value})
    with pytest.raises(CheckpointError, match=f"the field '{field}'"):
        read_run_info(folder)


@pytest.mark.parametrize(
    ("key", "value"), [("epochs", "2"), ("model", 5), ("download", "no"), ("input_size", 1.5)]
)
def test_wrong_types_inside_the_settings_are_named(tmp_path: Path, key: str, value: Any) -> None:
    info = good_info()
    info["config"][key] = value
    with pytest.raises(CheckpointError, match=f"'config' is invalid.*{key}"):
        read_run_info(make_run(tmp_path, "bad", info))


def test_the_runs_list_skips_bad_folders_with_a_notice(tmp_path: Path) -> None:
    make_run(tmp_path, "good", good_info())
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "run.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for index, (field, value) in enumerate(BAD_FIELDS):
        make_run(tmp_path, f"bad{index}", {**good_info(), field: value})
    nan_accuracy = good_info()
    nan_accuracy["history"] = [{"val_acc": float("nan")}]
    make_run(tmp_path, "diverged", nan_accuracy)
    problems: list[str] = []
    records = list_runs(tmp_path, problems)
    assert sorted(r.name for r in records) == ["diverged", "good"]
    assert [r.val_acc for r in records if r.name == "diverged"] == [None]
    assert len(problems) == len(BAD_FIELDS) + 1
    assert all(p.startswith("skipped ") and "\n" not in p for p in problems)
    assert any("deep" in p and "nested too deeply" in p for p in problems)
    assert list_runs(tmp_path) == records  # without a list for notices, the same runs


def test_list_runs_and_resume_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = runs_dir()
    make_run(root, "good", good_info())
    bad = make_run(root, "bad", {**good_info(), "epoch": "three"})
    assert main(["train", "--list-runs", "--json"]) == 0
    captured = capsys.readouterr()
    assert [Path(r["run"]).name for r in json.loads(captured.out)] == ["good"]
    assert "skipped bad" in captured.err and "'epoch'" in captured.err
    assert main(["train", "--resume", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the field 'epoch' must be a whole number" in err


async def test_the_train_lab_opens_with_a_bad_run_folder_and_says_so() -> None:
    from textual.widgets import DataTable

    root = runs_dir()
    make_run(root, "good", good_info())
    make_run(root, "bad", {**good_info(), "history": [{"val_acc": "high"}]})
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.is_running
        assert app.screen.query_one("#runs-table", DataTable).row_count == 1
        notices = [n.message for n in app._notifications]
        assert any(n.startswith("skipped bad") and "'history'" in n for n in notices), notices
