"""The Conv Lab's backward mode driven by keyboard and by a lesson link: every number drawn is
the backward stepper's, in conv, multi-channel and pooling modes, at 80×24 and in ASCII."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_app

from cnntui.conv import presets as conv_presets
from cnntui.conv.stepper_backward import grad_sum_lines
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.conv.grid import ConvGrid
from cnntui.ui.conv.screen import ConvScreen


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def conv_app(ascii: bool = False) -> CnnTuiApp:
    return make_app("conv", ascii=ascii)


def text_of(app: CnnTuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_b_switches_to_the_gradients_and_back() -> None:
    app = conv_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConvScreen)
        await pilot.press("b")
        await pilot.pause()
        backward = screen.backward_stepper
        assert screen.backward and backward is not None and screen.has_class("-backward")
        assert screen.bw_part == "weight"
        await pilot.press("right", "right", "down")
        assert screen.bw_index == 2 + 3  # a row of the 3×3 kernel gradient
        await pilot.pause()
        step = backward.step("weight", 5)
        assert text_of(app, "#bw-sum") == "\n".join(grad_sum_lines(step, max_terms=12))
        drawn = screen.query_one("#bw-gradient", ConvGrid).data
        assert drawn is not None
        expected = backward.engine_gradients().weight
        assert expected is not None
        np.testing.assert_allclose(drawn.values.reshape(-1)[:6], expected.reshape(-1)[:6])
        assert np.isnan(drawn.values.reshape(-1)[6:]).all()
        await pilot.press("p")  # the input gradient
        await pilot.pause()
        assert screen.bw_part == "input" and screen.bw_index == 0
        await pilot.press("end")
        last = backward.step("input", backward.total("input") - 1)
        np.testing.assert_allclose(last.gradient, backward.engine_gradients().grid)
        await pilot.press("u")  # the other upstream gradient: ones
        await pilot.pause()
        assert screen.bw_upstream == "ones"
        assert screen.backward_stepper is not None
        assert (screen.backward_stepper.upstream == 1).all()
        await pilot.press("b")
        await pilot.pause()
        assert not screen.backward and not screen.has_class("-backward")


async def test_a_lesson_link_opens_pooling_backward_in_ascii() -> None:
    params = {"mode": "pool", "kernel": "max", "size": "2", "view": "backward"}
    assert conv_presets.validate(params) == []
    app = conv_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConvScreen)
        screen.apply_preset(params)
        await pilot.pause()
        assert screen.backward and screen.bw_part == "pool"
        await pilot.press("right")
        await pilot.pause()
        text = text_of(app, "#bw-sum")
        assert text.isascii() and "goes to the maximum" in text
        assert screen.query_one("#bw-sum-pane").border_title.isascii()


async def test_rgb_backward_steps_every_channel_of_the_kernel() -> None:
    app = conv_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConvScreen)
        screen.apply_preset({"mode": "rgb", "view": "backward"})
        await pilot.pause()
        backward = screen.backward_stepper
        assert backward is not None and backward.total("weight") == 27
        await pilot.press("end")
        await pilot.pause()
        assert "channel 3" in str(screen.query_one("#bw-sum-pane").border_subtitle)


def test_backward_view_is_refused_for_transposed_links() -> None:
    problems = conv_presets.validate({"mode": "transposed", "view": "backward"})
    assert problems and "not transposed" in problems[0]
    assert conv_presets.validate({"view": "sideways"})
