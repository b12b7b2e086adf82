"""At 80x24 nothing important is cut: each check reads what the terminal would show, with and
without `--ascii`."""

from __future__ import annotations

import pytest
from conftest import make_app, wait_until

from cnntui import zoo
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.conv.grid import ConvGrid, crop_note


def screen_text(app: CnnTuiApp) -> str:
    """The rows of text the terminal would show now, modal screens over their background."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(strip.text for strip in row) for row in update.strips)  # type: ignore[attr-defined]


@pytest.mark.parametrize("ascii", [False, True])
async def test_models_list_shows_every_name_whole(ascii: bool) -> None:
    app = make_app("models", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#models-list")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        for name in zoo.names():
            assert any(label.split()[0] == name for label in labels), name
        text = screen_text(app)
        assert "alexnet-ungrouped" in text and "alexnet-torchvision" in text


@pytest.mark.parametrize("ascii", [False, True])
async def test_models_table_says_which_columns_are_out_of_view(ascii: bool) -> None:
    app = make_app("models", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#models-table")
        await wait_until(pilot, lambda: "scrolls to" in screen_text(app))
        cut = table.columns_cut()
        assert cut and cut[-1] == "Kernel / stride / padding"
        arrow = "->" if ascii else "→"
        assert f"{arrow} scrolls to {cut[0]}" in screen_text(app)
        table.focus()
        await pilot.press(*["right"] * 80)
        await wait_until(pilot, lambda: not table.columns_cut())
        await pilot.pause()
        assert "scrolls to" not in screen_text(app)


@pytest.mark.parametrize("ascii", [False, True])
async def test_models_compare_shows_the_ratio_column(ascii: bool) -> None:
    app = make_app("models", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset({"model": "lenet5", "compare": "lenet5,alexnet-ungrouped"})
        await wait_until(pilot, lambda: app.screen.view == "compare")
        await pilot.pause()
        text = screen_text(app)
        assert "B/A" in text
        assert "1011" in text  # parameters, alexnet-ungrouped / lenet5
        assert "alexnet-ungrouped" in text


def test_crop_note_names_the_part_in_view_and_fits() -> None:
    assert crop_note(0, 11, 15, 5, 16, 16, False) == "rows 0–14, cols 11–15 of 16×16"
    assert crop_note(0, 11, 15, 5, 16, 16, True) == "rows 0-14, cols 11-15 of 16x16"
    short = crop_note(10, 10, 18, 18, 28, 28, True, width=29)
    assert len(short) <= 29 and short == "r 10-27 c 10-27 of 28x28"


@pytest.mark.parametrize("ascii", [False, True])
async def test_conv_numbers_view_says_when_it_is_cropped(ascii: bool) -> None:
    app = make_app("conv", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")  # numbers: 16 columns of values do not fit 80 columns
        await pilot.pause()
        grid = app.screen.query_one("#conv-input", ConvGrid)
        dash, times = ("-", "x") if ascii else ("–", "×")
        last = grid.text().splitlines()[-1]
        assert last.startswith(f"rows 0{dash}") and last.endswith(f"of 16{times}16")
        assert last in screen_text(app)
        await pilot.press("v")  # back to pixels: half blocks fit 16×16 whole, ASCII's pairs do not
        await pilot.pause()
        assert ("of 16" in grid.text()) == ascii
