"""The Conv Lab driven by keyboard (and a click), in every mode, plus snapshots at 80×24."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_app
from textual.widgets import Input

from cnntui.ui.app import CnnTuiApp
from cnntui.ui.conv.grid import ConvGrid
from cnntui.ui.conv.kernel import ConvKernelScreen
from cnntui.ui.conv.screen import ConvScreen
from cnntui.ui.conv.settings import ConvSettingsScreen
from cnntui.ui.conv.shift import ConvShiftScreen
from cnntui.ui.shared.form import CalcForm


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def text_of(app: CnnTuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_stepping_by_keyboard_matches_the_stepper() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConvScreen)
        assert screen.stepper is not None and screen.stepper.output_shape == (14, 14)
        await pilot.press("right", "right", "right")
        assert screen.index == 3
        await pilot.press("down")
        assert screen.index == 3 + 14
        await pilot.press("left", "up")
        assert screen.index == 2
        await pilot.press("end")
        assert screen.index == 195
        await pilot.press("right")  # wraps to the first position
        assert screen.index == 0
        await pilot.press("home", *["right"] * 20)
        await pilot.pause()
        state = screen.stepper.state(20)
        from cnntui.text import number_text

        assert text_of(app, "#conv-sum").endswith(f"= {number_text(state.value)}")
        assert "Position 21 of 196" in str(screen.query_one("#conv-sum-pane").border_subtitle)
        assert "⌊(16 + 2·0 − 3)/1⌋ + 1 = 14" in text_of(app, "#conv-formula")
        output = screen.query_one("#conv-output", ConvGrid).data
        assert output is not None
        flat = output.values.reshape(-1)
        assert not np.isnan(flat[:21]).any() and np.isnan(flat[21:]).all()


async def test_play_pause_speed_and_stop_at_the_end() -> None:
    from cnntui.ui.conv.screen import SPEEDS

    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.apply_preset({"image": "digit-7-16", "kernel": "box-blur"})
        await pilot.pause()
        assert screen.stepper.total == 14 * 14
        await pilot.press("space")
        assert screen.playing
        await pilot.press("plus", "plus", "plus", "plus")
        assert SPEEDS[screen.speed_index] == 32
        await pilot.pause(0.2)
        await pilot.press("space")
        assert not screen.playing
        reached = screen.index
        assert reached > 0
        await pilot.pause(0.1)
        assert screen.index == reached
        await pilot.press("end", "left", "space")
        for _ in range(50):
            await pilot.pause(0.05)
            if not screen.playing:
                break
        assert not screen.playing and screen.index == screen.stepper.total - 1


async def test_click_on_the_output_jumps_there() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        grid = screen.query_one("#conv-output", ConvGrid)
        cell_w, per_line = grid._cell_size()
        await pilot.click(grid, offset=(3 * cell_w, 2))
        await pilot.pause()
        assert screen.index == screen.stepper.index_of(2 * per_line, 3)


async def test_settings_dialog_changes_the_lab_and_explains_impossible_settings() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConvSettingsScreen)
        form = dialog.query_one("#conv-settings-form", CalcForm)
        await pilot.press("down", "down", "down", "down", "right")  # stride 1 → 2
        await pilot.pause()
        assert lab.preset.stride == 2 and lab.stepper.output_shape == (7, 7)
        await pilot.press("down", "right", "right")  # padding 2
        await pilot.pause()
        assert lab.stepper.output_shape == (9, 9)
        await pilot.press("down", "right")  # replicate padding
        await pilot.pause()
        assert lab.preset.padding_mode == "replicate"
        await pilot.press(
            "down", "right", "right", "right"
        )  # dilation 4: the kernel spans 9 pixels
        await pilot.pause()
        assert lab.preset.dilation == 4 and lab.stepper.output_shape == (6, 6)
        await pilot.press("up", "up", "left", "left")  # padding 2 → 0
        await pilot.pause()
        assert form.values()["padding"] == "0"
        await pilot.press(*["up"] * 4, "enter")  # type an image name
        await pilot.pause()
        editor = dialog.query_one("#conv-settings-edit", Input)
        editor.value = "digit-1-8"  # 8×8: smaller than the 9 pixels the kernel spans
        await pilot.press("enter")
        await pilot.pause()
        assert lab.problem and "larger than the padded input" in lab.problem
        assert "Cannot work" in text_of(app, "#conv-settings-status")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConvScreen)
        assert "These settings cannot work" in text_of(app, "#conv-sum")
        await pilot.press("right", "space")  # nothing to step: no crash, no play
        assert not lab.playing


async def test_kernel_editor_cell_by_cell() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, ConvKernelScreen)
        await pilot.press("right", "plus", "plus")  # (0, 1): 1 → 3
        await pilot.press("down", "enter")
        await pilot.pause()
        typed = editor.query_one("#conv-kernel-edit", Input)
        typed.value = "1/2"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right_square_bracket")  # grow to 4×4
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConvScreen)
        assert lab.preset.kernel == "0,3,0,0;1,1/2,1,0;0,1,0,0;0,0,0,0"
        assert lab.stepper.output_shape == (13, 13)
        await pilot.press("e", "escape")
        await pilot.pause()
        assert lab.preset.kernel.startswith("0,3,0,0")


async def test_pooling_highlights_the_maximum_and_compares_a_shift() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        lab.apply_preset({"mode": "pool", "image": "digit-3-8", "kernel": "max"})
        await pilot.pause()
        assert lab.stepper.output_shape == (4, 4)
        await pilot.press("right")
        state = lab.stepper.state(lab.index)
        grid = lab.query_one("#conv-input", ConvGrid).data
        assert grid.chosen == (state.rows[state.chosen[0]], state.cols[state.chosen[1]])
        assert text_of(app, "#conv-sum").startswith("max(")
        await pilot.press("s")
        await pilot.pause()
        shift = app.screen
        assert isinstance(shift, ConvShiftScreen)
        summary = text_of(app, "#conv-shift-summary")
        assert "pooled values" in summary
        await pilot.press("right", "v", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConvScreen)


async def test_rgb_worked_example_totals_nine() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        lab.apply_preset({"mode": "rgb"})
        await pilot.pause()
        assert "3 + 4 + 1 + 1 (bias) = 9" in text_of(app, "#conv-sum")
        await pilot.press("c", "c")
        assert lab.channel == 2
        assert "window B" in text_of(app, "#conv-matrices")
        # Edit the red slice of the kernel: (1, 2) from 0 to 1 adds 2 × 1 to the red sum.
        await pilot.press("e", "down", "right", "right", "plus", "ctrl+s")
        await pilot.pause()
        assert "5 + 4 + 1 + 1 (bias) = 11" in text_of(app, "#conv-sum")


async def test_transposed_shows_inserted_zeros() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        lab.apply_preset(
            {
                "mode": "transposed",
                "image": "square-8",
                "kernel": "1,1;1,1",
                "stride": "2",
                "output_padding": "1",
            }
        )
        await pilot.pause()
        assert lab.stepper.output_shape == (17, 17)
        grid = lab.query_one("#conv-input", ConvGrid).data
        assert grid.kinds is not None and (grid.kinds == 2).any()
        assert "(flipped)" in text_of(app, "#conv-matrices")
        assert "output_padding=1" in str(lab.query_one("#conv-input-pane").border_subtitle)


async def test_apply_preset_and_bad_presets() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        lab = app.screen
        lab.apply_preset({"image": "digit-7", "kernel": "laplacian", "relu": "on", "bias": "1"})
        await pilot.pause()
        assert lab.stepper.output_shape == (26, 26)
        assert lab.stepper.output().min() >= 0
        lab.apply_preset({"kernel": "nonsense"})
        await pilot.pause()
        assert any("nonsense" in n.message for n in app._notifications)
        assert lab.preset.kernel == "laplacian"


async def test_ascii_mode_has_no_block_glyphs() -> None:
    app = make_app("conv", ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for selector in (
            "#conv-input",
            "#conv-output",
            "#conv-matrices",
            "#conv-sum",
            "#conv-formula",
            "#conv-legend",
        ):
            assert text_of(app, selector).isascii(), selector
        await pilot.press("v")
        await pilot.pause()
        assert text_of(app, "#conv-input").isascii()


def test_snapshot_conv(snap_compare) -> None:
    assert snap_compare(
        make_app("conv"), press=["right", "right", "right", "down"], terminal_size=(80, 24)
    )


def test_snapshot_rgb_values_ascii(snap_compare) -> None:
    app = make_app("conv", ascii=True)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.screen.apply_preset({"mode": "rgb"})
        await pilot.pause()
        await pilot.press("v")

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_snapshot_pool(snap_compare) -> None:
    app = make_app("conv")

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.screen.apply_preset({"mode": "pool", "image": "digit-3-8", "kernel": "max"})
        await pilot.pause()
        await pilot.press("right", "v")

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


async def test_sixteen_colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.console.color_system == "standard"
        app.screen.apply_preset({"image": "photo-32", "kernel": "sobel-y", "padding": "1"})
        await pilot.pause()
        await pilot.press("right", "v", "o")
        await pilot.pause()
        assert "<svg" in app.export_screenshot()


async def test_command_palette_sets_kernel_and_image() -> None:
    from textual.command import CommandPalette

    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"kernel: sobel-y")
        for _ in range(20):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause()
        assert lab.preset.kernel == "sobel-y"
