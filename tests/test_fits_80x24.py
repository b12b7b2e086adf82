"""At 80x24 nothing important is cut: each check reads what the terminal would show, with and
without `--ascii`."""

from __future__ import annotations

import pytest
from conftest import make_app, screen_text, wait_until

from cnntui import zoo
from cnntui.ui.conv.grid import ConvGrid, crop_note


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
        dot = "|" if ascii else "·"
        assert f"{dot} vs alexnet-ungrouped" in text  # the settings line names it whole


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


def _running_run() -> object:
    from cnntui.train.events import StepProgress
    from cnntui.ui.train.run_state import RunView

    run = RunView(label="lenet5", epochs=12, state="running")
    run.device = "cpu: CPU (2 cores, NumPy 2.4.6) (CuPy is not installed (pip install cnntui[gpu]))"
    run.last_epoch = {"val_acc": 0.987}
    run.last_step = StepProgress(
        11, 40, 40, 480, [0.041], [1.0], 0.05, 12345.0, 61.0, 3725.0, "RSS peak 160 MiB"
    )
    return run


@pytest.mark.parametrize("dot", [" · ", " - "])
def test_train_status_and_device_lines_fit_and_keep_what_matters(dot: str) -> None:
    from cnntui.ui.train.run_state import curves_info, status_line

    run = _running_run()
    full = status_line([run], dot)  # type: ignore[list-item]
    assert len(full) > 78 and "ETA" in full and "img/s" in full
    line = status_line([run], dot, 78)  # type: ignore[list-item]
    assert len(line) <= 78
    for kept in ("lenet5: running", "epoch 12/12", "loss 0.041", "val 98.7%", "ETA 1:02:05"):
        assert kept in line, kept
    info = curves_info([run], dot, 78)  # type: ignore[list-item]
    assert len(info) <= 78 and info.startswith("lenet5: cpu: CPU (2 cores, NumPy 2.4.6)")
    pair = status_line([run, run], dot, 78)  # type: ignore[list-item]
    assert len(pair) <= 78 and pair.count("loss 0.041") == 2


@pytest.mark.parametrize("ascii", [False, True])
async def test_train_status_line_is_whole_on_screen(ascii: bool) -> None:
    app = make_app("train", ascii=ascii, device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.runs = [_running_run()]
        screen._update_status()
        screen.query_one("TabbedContent").active = "curves"
        await pilot.pause()
        text = screen_text(app)
        assert "ETA 1:02:05" in text and "val 98.7%" in text
        assert "NumPy 2.4.6)" in text


@pytest.mark.parametrize("ascii", [False, True])
async def test_conv_transposed_on_a_28x28_image_says_what_is_in_view(ascii: bool) -> None:
    app = make_app("conv", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset({"mode": "transposed", "image": "digit-7", "stride": "2"})
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "s=2, output_padding=0" in text  # the input pane's subtitle, whole
        if ascii:
            assert "ramp ' '..'@'" in text  # the legend says which characters are low and high
        times = "x" if ascii else "×"
        for grid_id, size in (("#conv-input", 57), ("#conv-output", 56)):
            note = app.screen.query_one(grid_id, ConvGrid).text().splitlines()[-1].strip()
            assert note.endswith(f"of {size}{times}{size}") and note in text


@pytest.mark.parametrize("ascii", [False, True])
async def test_pooling_shift_dialog_says_what_each_grid_shows(ascii: bool) -> None:
    app = make_app("conv", ascii=ascii)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset({"mode": "pool", "image": "digit-7", "kernel": "max"})
        await pilot.pause(0.3)
        await pilot.press("s")
        await pilot.pause(0.3)
        await pilot.press("v")  # numbers: four 28- and 14-wide grids in 80 columns
        await pilot.pause(0.3)
        text = screen_text(app)
        times = "x" if ascii else "×"
        for name, size in (("image", 28), ("shifted", 28), ("pooled", 14)):
            note = app.screen.query_one(f"#conv-shift-{name}", ConvGrid).text().splitlines()[-1]
            assert note.strip().endswith(f"/{size}{times}{size}") and note.strip() in text
        assert "Esc: close" in text


def test_legend_fits_the_room_it_is_given() -> None:
    from cnntui.ui.conv.colours import legend

    assert len(legend(-2.25, 1.75, True, True).plain) > 28
    for room in (28, 24):
        text = legend(-2.25, 1.75, True, True, room=room).plain
        assert len(text) <= room and text.endswith("'..'@'"), (room, text)
    assert len(legend(0, 1, False, False, room=28).plain) == 14  # no ramp: the bar keeps 10
