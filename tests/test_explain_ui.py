"""The Explain mode through Pilot: loading, moving over units, the unit's sum, opening the Conv
Lab, drawing, the attribution view and the transfer lab, at 80×24 and with --ascii."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from conftest import make_app

from cnntui.ui.app import CnnTuiApp
from cnntui.ui.explain.draw import DrawView
from cnntui.ui.explain.layers import LayersView
from cnntui.ui.explain.looks import LooksView
from cnntui.ui.explain.screen import ExplainScreen
from cnntui.ui.explain.unit import UnitPanel


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def explain_app(ascii: bool = False) -> CnnTuiApp:
    return make_app("explain", "conv", ascii=ascii)


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        await pilot.pause(0.05)
        await asyncio.sleep(0.01)


async def open_explain(pilot) -> ExplainScreen:
    await pilot.press("7")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExplainScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ExplainScreen)
    await wait_until(pilot, lambda: screen.session is not None)
    return screen


async def test_layers_units_and_conv_lab() -> None:
    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        session = screen.session
        assert session is not None
        assert session.source == "digit-7"
        assert session.net.class_names[session.probabilities().top(1)[0]] == "7"
        # move to c3, map 2, unit (1, 2)
        await pilot.press("right", "right", "right", "down", "down", "j", "l", "l")
        assert session.selection.layer == session.trace.index("c3")
        assert (session.selection.channel, session.selection.row, session.selection.col) == (
            2,
            1,
            2,
        )
        detail = session.detail()
        panel = screen.query_one(UnitPanel)
        text = str(panel.render())
        assert f"{detail.value:.4f}" in text and "kernel ch" in text
        assert detail.products_sum + detail.bias == pytest.approx(detail.value, abs=1e-4)
        params = session.conv_lab_params()
        assert params is not None
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ConvScreen")
        conv = app.screen
        assert conv.preset.pixels == params["pixels"]  # type: ignore[attr-defined]
        assert conv.show_values  # type: ignore[attr-defined]
        stepper = conv.stepper  # type: ignore[attr-defined]
        assert stepper is not None and stepper.output().shape[-2:] == (1, 1)
        # the Conv Lab's sum of the rounded patch and kernel, then its ReLU, is the unit's
        expected = max(0.0, detail.value) if params["relu"] == "on" else detail.value
        assert float(stepper.output().reshape(-1)[0]) == pytest.approx(expected, abs=0.02)


async def test_click_selects_a_unit_and_vectors_scroll() -> None:
    app = explain_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_explain(pilot)
        view = screen.query_one(LayersView)
        region = next(r for r in view.regions if r.layer == 0 and r.channel == 1)
        await pilot.click(LayersView, offset=(region.x + 1, region.y + 1))
        assert screen.session is not None
        assert screen.session.selection.layer == 0 and screen.session.selection.channel == 1
        # the output layer's units are reached with the arrows
        for _ in range(len(screen.session.trace.layers)):
            await pilot.press("right")
            if screen.session.selection.layer == len(screen.session.trace.layers) - 1:
                break
        before = screen.session.selection.channel
        await pilot.press("down", "down")
        assert screen.session.detail().kind == "linear"
        assert screen.session.selection.channel == (before + 2) % 10


async def test_draw_and_predict_with_keyboard_only() -> None:
    app = explain_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("v", "v", "v")
        assert screen.view == "draw"
        draw = screen.query_one(DrawView)
        assert draw.has_focus
        # a vertical stroke: a one
        for _ in range(8):
            await pilot.press("up")
        await pilot.press("p")
        for _ in range(16):
            await pilot.press("down")
        await pilot.press("p", "t")
        await wait_until(
            pilot, lambda: screen.session is not None and screen.session.source == "drawing"
        )
        await pilot.pause(0.5)
        session = screen.session
        assert session is not None
        assert draw.pad.canvas.sum() > 20
        assert session.net.class_names[session.probabilities().top(1)[0]] == "1"
        before = draw.pad.canvas.copy()
        await pilot.press("u")
        assert draw.pad.canvas.sum() < before.sum()
        await pilot.press("c")
        assert draw.pad.blank
        rendered = str(draw.render())
        assert rendered.isascii()


async def test_where_it_looks_view() -> None:
    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("v", "v")
        assert screen.view == "looks"
        await wait_until(pilot, lambda: len(screen.maps) == 3)
        looks = screen.query_one(LooksView)
        await wait_until(pilot, lambda: looks.picture is not None)
        text = str(looks.render())
        assert "Grad-CAM" in text and "Occlusion" in text and "Saliency" in text
        for heat in screen.maps.values():
            assert heat.shape == (28, 28) and np.isfinite(heat).all()


async def test_preset_and_model_switch() -> None:
    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        screen.apply_preset({"model": "lenet5-digits", "image": "digits:test:5", "layer": "s4"})
        await wait_until(
            pilot,
            lambda: (
                screen.session is not None and screen.session.source.startswith("digits:test:5")
            ),
        )
        assert screen.session is not None
        assert screen.session.trace.names[screen.session.selection.layer] == "s4"
        await pilot.press("m")
        await wait_until(
            pilot,
            lambda: screen.session is not None and screen.session.net.spec.name == "tinyvgg-shapes",
        )
        assert screen.session.trace.image.shape == (1, 64, 64)


async def test_transfer_lab_runs_live() -> None:
    from cnntui.ui.explain.transfer import TransferView
    from cnntui.ui.shared.line_chart import LineChart

    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("v", "v", "v", "v")
        assert screen.view == "transfer"
        view = screen.query_one(TransferView)
        for _ in range(8):
            await pilot.press("minus")  # 10 → 2 images per class
        for _ in range(3):
            await pilot.press("E")  # 5 → 2 epochs
        assert (view.settings.per_class, view.settings.epochs) == (2, 2)
        await pilot.press("s")
        await wait_until(pilot, lambda: view.result is not None, timeout=60)
        assert len(view.points) == 6
        chart = view.query_one(LineChart)
        assert set(chart.names) == {"from scratch", "frozen base", "fine-tuned"}
        assert view.result is not None
        assert view.result.test_acc["frozen"] == view.points[3].test_acc


@pytest.mark.slow
async def test_train_lab_shows_frozen_layers() -> None:
    from textual.widgets import Static

    from cnntui.train.presets import validate
    from cnntui.ui.train.screen import TrainScreen

    assert validate({"init": "nope"}) and validate({"freeze": "c1;x"})
    preset = {
        "model": "lenet5", "dataset": "digits", "size": "28", "epochs": "1", "batch": "64",
        "init": "lenet5-digits", "freeze": "c1,c3", "start": "yes",
    }  # fmt: skip
    assert validate(preset) == []
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        screen.apply_preset(preset)
        await wait_until(pilot, lambda: bool(screen.runs) and screen.runs[0].model != "", 90)
        await pilot.pause(0.3)
        info = screen.query_one("#curves-info", Static)
        content = info.content
        text = content.plain if hasattr(content, "plain") else str(content)
        assert "frozen c1, c3" in text and "init pretrained lenet5-digits" in text
        await wait_until(pilot, lambda: screen.runs[0].state == "finished", 120)


async def test_every_view_is_plain_ascii_with_ascii() -> None:
    from textual.widgets import Static

    from cnntui.ui.explain.classifier import ClassifierView

    app = explain_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("right", "right", "right", "down", "j")
        assert str(screen.query_one(LayersView).render()).isascii()
        assert str(screen.query_one(UnitPanel).render()).isascii()
        assert str(screen.query_one(ClassifierView).render()).isascii()
        head = screen.query_one("#explain-head", Static).content
        assert str(head).isascii()
        await pilot.press("v", "v")
        await wait_until(pilot, lambda: len(screen.maps) == 3)
        await pilot.pause(0.2)
        assert str(screen.query_one(LooksView).render()).isascii()


async def test_the_learners_own_image(tmp_path) -> None:
    from cnntui import images

    path = tmp_path / "mine.pgm"
    path.write_bytes(images.to_netpbm(1.0 - images.load("digit-4").pixels))  # ink on paper
    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("f")
        await pilot.pause()
        for char in str(path):
            await pilot.press(char if char != "/" else "slash")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: screen.session is not None and screen.session.source == "mine.pgm"
        )
        session = screen.session
        assert session is not None
        assert session.net.class_names[session.probabilities().top(1)[0]] == "4"
        await pilot.press("f")
        await pilot.pause()
        for char in "nope":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert session.source == "mine.pgm"  # a bad name is a notice, nothing changes


@pytest.mark.parametrize("ascii_mode", [False, True], ids=["unicode", "ascii"])
async def test_every_footer_entry_fits_in_80_columns(ascii_mode: bool) -> None:
    from test_footer_fits import footer_problems, settle

    app = explain_app(ascii=ascii_mode)
    problems: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await settle(pilot, 10)
        for view in ("layers", "classifier", "looks", "draw", "transfer"):
            assert screen.view == view
            await settle(pilot, 10)
            problems += footer_problems(app, f"explain {view}")
            await pilot.press("v")
    assert not problems, "\n".join(problems)


async def test_input_channel_keys_change_the_shown_slice() -> None:
    app = explain_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_explain(pilot)
        await pilot.press("right", "right", "right")  # c3: six input channels
        panel = screen.query_one(UnitPanel)
        first = panel.in_channel
        await pilot.press("]")
        assert panel.in_channel == ((first or 0) + 1) % 6
        assert f"kernel ch {panel.in_channel}" in str(panel.render())
