"""The Train mode through Pilot with a tiny real run, its widgets, and its preset validator."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import make_app, wait_until
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static, TabbedContent

from cnntui.train.presets import validate
from cnntui.ui.shared.line_chart import LineChart, ascii_chart, downsample
from cnntui.ui.train.confusion import confusion_text
from cnntui.ui.train.images import ImageGrid, Tile, image_lines
from cnntui.ui.train.pictures import PicturesView
from cnntui.ui.train.screen import TrainScreen

BLOCKS = set("▀▄█░▒▓▁▂▃▄▅▆▇") | {chr(c) for c in range(0x2800, 0x2900)}
TINY = {
    "model": "lenet5",
    "dataset": "digits",
    "size": "8",
    "epochs": "2",
    "batch": "64",
    "start": "yes",
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


def static_text(widget: Static) -> str:
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


async def test_tiny_run_fills_every_view() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        screen.apply_preset(TINY)
        await wait_until(
            pilot, lambda: screen.runs and screen.runs[0].state == "finished", timeout=60
        )
        await pilot.pause(0.2)
        status = static_text(screen.query_one("#train-status", Static))
        assert "finished" in status and "epoch 2/2" in status
        loss = screen.query_one("#loss-chart", LineChart)
        assert loss.series("train") is not None and len(loss.series("val").ys) == 2
        # pictures are drawn only when their tab is shown
        assert not screen.query_one("#predictions-grid", ImageGrid)._tiles
        screen.query_one("TabbedContent").active = "predictions"
        await pilot.pause()
        assert screen.query_one("#predictions-grid", ImageGrid)._tiles
        screen.render_pictures(force=True)
        assert len(screen.query_one("#filters", ImageGrid)._tiles) == 6
        assert "right" in static_text(screen.query_one("#confusion-view"))
        table = screen.query_one("#runs-table", DataTable)
        assert table.row_count == 1
        # keyboard: cycle views, open the finished run from the runs list
        screen.query_one("TabbedContent").active = "setup"
        await pilot.pause()
        await pilot.press("v", "v")
        assert screen.query_one("TabbedContent").active == "pictures"
        screen.query_one("TabbedContent").active = "runs"
        await pilot.pause()
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "opened" in static_text(screen.query_one("#train-status", Static))
        assert len(loss.series("train").ys) == 2  # the saved history


async def test_controls_pause_step_and_stop() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.apply_preset({**TINY, "epochs": "50"})
        await wait_until(
            pilot, lambda: screen.runs and screen.runs[0].last_step is not None, timeout=60
        )
        screen.set_focus(None)
        await pilot.press("space")  # pause
        await wait_until(pilot, lambda: screen.runs[0].state == "paused", timeout=60)
        before = screen.runs[0].last_step.global_step
        await pilot.press("n")
        await wait_until(
            pilot, lambda: screen.runs[0].last_step.global_step == before + 1, timeout=60
        )
        await pilot.press("right_square_bracket")
        await wait_until(
            pilot,
            lambda: screen.query_one(PicturesView).probe_layer not in (None, "c1"),
            timeout=60,
        )
        await pilot.press("x")
        await wait_until(pilot, lambda: screen.runs[0].state == "stopped", timeout=60)
        assert screen.query_one("#runs-table", DataTable).row_count == 1


async def test_bad_settings_give_a_notice_not_a_crash() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = app.screen
        screen.query_one("#set-lr").value = "-3"
        screen.start_training()
        await pilot.pause()
        assert not screen.runs
        assert any("--lr" in n.message for n in app._notifications)
        screen.apply_preset({"model": "vgg16"})
        await pilot.pause()
        assert any("not one of" in n.message for n in app._notifications)


async def test_escape_leaves_a_settings_field_so_the_keys_work_again() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#set-epochs").focus()
        await pilot.press("v")
        assert app.screen.query_one(TabbedContent).active == "setup"  # typed into the field
        await pilot.press("escape", "v")
        await pilot.pause()
        assert app.screen.query_one(TabbedContent).active == "curves"


async def test_ascii_mode_draws_no_blocks_or_braille() -> None:
    app = make_app("train", device="cpu", ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.apply_preset(TINY)
        await wait_until(
            pilot, lambda: screen.runs and screen.runs[0].state == "finished", timeout=60
        )
        screen.query_one("TabbedContent").active = "curves"
        await pilot.pause(0.3)
        chart = screen.query_one("#loss-chart", LineChart)
        chart.redraw()
        screen.render_pictures(force=True)
        drawn = static_text(chart._plot)
        assert "*" in drawn and not (set(drawn) & BLOCKS)
        for grid_id in ("#filters", "#features", "#predictions-grid"):
            grid = screen.query_one(grid_id, ImageGrid)
            assert grid._tiles and not (set(static_text(grid)) & BLOCKS)


def test_line_chart_helpers() -> None:
    xs = np.arange(5000, dtype=float)
    ys = np.sin(xs / 100)
    ys[1234] = 50.0
    dx, dy = downsample(xs, ys, 200)
    assert len(dx) <= 202 and dy.max() == 50.0 and dx[-1] == 4999
    from cnntui.ui.shared.line_chart import Series

    lines = ascii_chart(
        [Series("a", [0, 1, 2], [1.0, 0.5, 0.25]), Series("b", [0, 2], [0.0, float("nan")])],
        40,
        10,
        "loss",
    )
    assert len(lines) == 10 and all(len(line) == 40 for line in lines)
    assert "* a" in lines[0] and "+ b" in lines[0] and not (set("".join(lines)) & BLOCKS)


class _ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LineChart("loss", id="chart", max_fps=10)


async def test_line_chart_throttles_redraws() -> None:
    app = _ChartApp()
    async with app.run_test(size=(60, 16)) as pilot:
        chart = app.query_one(LineChart)
        start = time.monotonic()
        for i in range(300):
            chart.extend("train", [i], [1.0 / (i + 1)])
            if i % 10 == 0:
                await pilot.pause(0.01)
        await pilot.pause(0.3)
        elapsed = time.monotonic() - start
        assert 1 <= chart.redraws <= 10 * elapsed + 2


def test_images_and_confusion_text() -> None:
    image = np.linspace(0, 1, 64, dtype=np.float32).reshape(1, 8, 8)
    unicode_lines = image_lines(image, 8, ascii_mode=False)
    assert len(unicode_lines) == 4 and unicode_lines[0].plain == "▀" * 8
    ascii_lines = image_lines(image, 8, ascii_mode=True)
    assert ascii_lines[0].plain[0] == " " and ascii_lines[-1].plain[-1] == "@"
    text = confusion_text(np.array([[5, 1], [0, 4]]), ("cat", "dog"), ascii_mode=True).plain
    assert "[5]" in text and "9 of 10 right (90.0%)" in text
    assert Tile(image).caption == ""


def test_preset_validator() -> None:
    assert (
        validate(
            {"model": "lenet5", "dataset": "digits", "epochs": "3", "lr": "0.1", "start": "yes"}
        )
        == []
    )
    assert validate({"compare": "plain-residual", "view": "curves"}) == []
    assert validate({"model": "vgg16"}) and validate({"lr": "0"}) and validate({"epochs": "x"})
    assert validate({"colour": "red"}) and validate(
        {"compare": "plain-residual", "model": "lenet5"}
    )


async def test_plain_vs_residual_side_by_side_on_one_chart() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.apply_preset(
            {
                "compare": "plain-residual",
                "epochs": "1",
                "size": "8",
                "batch": "128",
                "start": "yes",
            }
        )
        await wait_until(
            pilot,
            lambda: len(screen.runs) == 2 and all(r.state == "finished" for r in screen.runs),
            timeout=90,
        )
        await pilot.pause(0.2)
        assert [r.label for r in screen.runs] == ["plain", "residual"]
        loss = screen.query_one("#loss-chart", LineChart)
        assert {"plain train", "residual train", "plain val", "residual val"} <= set(loss.names)
        assert "plain: finished" in static_text(screen.query_one("#train-status", Static))


async def test_model_choice_sets_its_learning_rate() -> None:
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#set-model").value = "tinyvgg"
        await pilot.pause()
        assert screen.query_one("#set-lr").value == "0.01"
        screen.apply_preset({"model": "tinyvgg", "lr": "0.2"})
        await pilot.pause()
        assert screen.query_one("#set-lr").value == "0.2"


async def test_resume_a_stopped_run_from_the_runs_list(tmp_path) -> None:
    from cnntui.train.config import RunConfig
    from cnntui.train.events import Command
    from cnntui.train.runs import new_run_dir
    from cnntui.train.trainer import Trainer

    run_dir = new_run_dir("lenet5", "digits")
    calls = {"n": 0}

    def stop_soon(_block: bool):
        calls["n"] += 1
        return [Command("stop")] if calls["n"] == 6 else []

    Trainer(
        RunConfig(model="lenet5", dataset="digits", input_size=8, epochs=2, limit=320),
        run_dir,
        lambda e: None,
    ).run(stop_soon)
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("TabbedContent").active = "runs"
        await pilot.pause()
        screen.query_one("#runs-table", DataTable).focus()
        await pilot.press("r")
        await wait_until(
            pilot, lambda: screen.runs and screen.runs[0].state == "finished", timeout=60
        )
        assert screen.runs[0].run_dir == run_dir
        await pilot.pause(0.2)
        table = screen.query_one("#runs-table", DataTable)
        assert table.row_count == 1 and "finished" in str(table.get_row_at(0))
        screen.query_one("TabbedContent").active = "runs"
        await pilot.pause()
        table.focus()
        await pilot.press("d")
        await pilot.press("d")
        await pilot.pause()
        assert table.row_count == 0 and not run_dir.exists()
