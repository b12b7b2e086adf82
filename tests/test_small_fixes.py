"""Small things that lost a learner's place: each test would have caught one."""

from __future__ import annotations

import pytest
from conftest import make_app, wait_until

from cnntui.ui.conv.kernel import ConvKernelScreen
from cnntui.ui.conv.screen import ConvScreen


async def test_applying_an_edited_kernel_keeps_the_step_position() -> None:
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lab = app.screen
        assert isinstance(lab, ConvScreen)
        await pilot.press("down", "down", "right", "right", "right")
        before = lab.stepper.state(lab.index)
        assert (before.out_row, before.out_col) == (2, 3)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConvKernelScreen)
        await pilot.press("plus", "ctrl+s")  # same size, one weight changed
        await pilot.pause()
        assert app.screen is lab
        after = lab.stepper.state(lab.index)
        assert (after.out_row, after.out_col) == (2, 3)
        lab.action_jump(-1)  # the last position, (13, 13)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("right_square_bracket", "ctrl+s")  # 4×4: the output shrinks to 13×13
        await pilot.pause()
        last = lab.stepper.state(lab.index)
        assert lab.stepper.output_shape == (13, 13) and (last.out_row, last.out_col) == (12, 12)


class _EndedRun:
    """A DCGAN process that has already sent its last events."""

    def __init__(self, events: list[object]) -> None:
        self.events = events
        self.finished = True

    def poll(self) -> list[object]:
        events, self.events = self.events, []
        return events

    def shutdown(self) -> None:
        pass


async def test_a_finished_dcgan_run_says_finished_and_a_stopped_one_stopped() -> None:
    from cnntui.gan.process import Finished, Started, State
    from cnntui.ui.gan.dcgan import DcganView

    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v", "v")
        await pilot.pause()
        view = app.screen.query_one(DcganView)
        for last_epoch, expected in ((3, "finished"), (1, "stopped")):
            view.runner = _EndedRun(  # type: ignore[assignment]
                [Started(0, 3, 10, "cpu", []), State("stopped"), Finished(last_epoch, "x.npz")]
            )
            view._poll()
            await pilot.pause()
            assert view.state == expected and view.runner is None
            status = app.screen.query_one("#dcgan-status").render()
            assert f"DCGAN on digits  {expected}" in str(status)


def test_ascii_chart_log_scale_spreads_a_loss_that_falls_by_powers_of_ten() -> None:
    from cnntui.ui.shared.line_chart import Series, ascii_chart

    loss = Series("train", [0, 1, 2, 3], [10.0, 1.0, 0.1, 0.01])
    linear = ascii_chart([loss], 30, 12)
    log = ascii_chart([loss], 30, 12, log_y=True)
    # linear: the last three points crowd the bottom rows; log: one row band per power of ten
    rows_linear = {i for i, line in enumerate(linear[1:]) if "*" in line.split("|", 1)[-1]}
    rows_log = {i for i, line in enumerate(log[1:]) if "*" in line.split("|", 1)[-1]}
    assert len(rows_log) == 4 and len(rows_linear) < 4
    assert "(log)" in log[0] and log[1].strip().startswith("10")
    assert log[-2].strip().startswith("0.01")
    zero = Series("train", [0, 1], [0.0, 1.0])
    assert ascii_chart([zero], 30, 8, log_y=True)  # a zero is left out, not a crash


def test_each_series_has_its_own_marker_in_both_drawings() -> None:
    from cnntui.ui.shared.line_chart import ASCII_MARKERS, PLOT_MARKERS, Series, ascii_chart

    assert len(set(PLOT_MARKERS)) == len(PLOT_MARKERS) == len(ASCII_MARKERS)
    assert len(set(ASCII_MARKERS)) == len(ASCII_MARKERS)
    lines = ascii_chart(
        [Series("train", [0, 1], [1.0, 2.0]), Series("val", [0, 1], [3.0, 4.0])], 30, 10
    )
    plot = "\n".join(line.split("|", 1)[-1] for line in lines[1:])
    assert "*" in plot and "+" in plot and "* train  + val" in lines[0]


@pytest.mark.parametrize("ascii", [False, True])
async def test_train_y_key_switches_the_loss_chart_to_log_scale(ascii: bool) -> None:
    from cnntui.ui.shared.line_chart import LineChart

    app = make_app("train", ascii=ascii, device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.set_focus(None)
        screen.query_one("TabbedContent").active = "curves"
        chart = screen.query_one("#loss-chart", LineChart)
        chart.set_series("train", [0, 1, 2], [2.0, 0.2, 0.02])
        await pilot.press("y")
        await pilot.pause(0.3)
        assert chart.log_y
        chart.redraw()
        if ascii:
            assert "loss (log)" in str(chart._plot.render())
        await pilot.press("y")
        assert not chart.log_y


async def test_calculator_keeps_a_custom_chain_while_presets_are_shown() -> None:
    from cnntui.calc.chain_presets import CHAIN_PRESETS

    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("c")  # a chain of the form's one layer
        await pilot.pause()
        screen.set_focus(screen.query_one("#calc-chain"))
        await pilot.press("a", "a")  # three layers of your own
        await pilot.pause()
        mine = list(screen.chain_layers)
        assert len(mine) == 3 and screen.preset_name == ""
        await pilot.press("p")
        await pilot.pause()
        assert screen.preset_name == "lenet5" and screen.custom_chain is not None
        await pilot.press(*["p"] * (len(CHAIN_PRESETS) - 1))  # through every preset
        await pilot.pause()
        assert screen.preset_name == list(CHAIN_PRESETS)[-1]
        await pilot.press("p")  # after the last preset: your chain again
        await pilot.pause()
        assert screen.preset_name == "" and screen.chain_layers == mine
        await pilot.press("p")
        await pilot.pause()
        assert screen.preset_name == "lenet5"


async def test_restarting_reopens_the_last_mode_and_the_reading_position(tmp_path) -> None:
    from textual.containers import VerticalScroll

    from cnntui.progress import load_progress

    progress_file = tmp_path / "progress.json"
    app = make_app("lessons", "calc", progress_file=progress_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.lessons is not None and app.screen.current)
        await pilot.pause()
        lesson = app.screen.current
        reader = app.screen.query_one("#reader", VerticalScroll)
        reader.scroll_to(y=12, animate=False)
        await wait_until(pilot, lambda: app.progress.lesson_line == 12)
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("q")
    saved, _ = load_progress(progress_file)
    assert saved.last_mode == "calc" and saved.last_lesson == lesson and saved.lesson_line == 12
    again = make_app("lessons", "calc", progress_file=progress_file)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.current_mode == "calc"
        await pilot.press("1")
        await wait_until(pilot, lambda: getattr(again.screen, "current", None) == lesson)
        reader = again.screen.query_one("#reader", VerticalScroll)
        await wait_until(pilot, lambda: reader.scroll_y == 12)


def test_progress_files_from_before_have_no_mode_and_start_at_the_top() -> None:
    from cnntui.progress import Progress

    old = {"version": 1, "last_lesson": "pooling", "read": ["pooling"], "solved": {}}
    progress = Progress.from_json(old)
    assert progress.last_mode is None and progress.lesson_line == 0
    progress.last_mode, progress.lesson_line = "conv", 40
    assert Progress.from_json(progress.to_json()) == progress
    with pytest.raises(ValueError, match="lesson_line"):
        Progress.from_json({**old, "lesson_line": -1})
    progress.mark_read("another")
    assert progress.lesson_line == 0  # a new lesson starts at its top


async def test_contents_mark_turns_done_as_soon_as_the_last_quiz_is_solved() -> None:
    from pathlib import Path

    from textual.widgets import OptionList

    from cnntui.ui.shared.messages import QuizAnswered

    fixtures = Path(__file__).parent / "fixtures" / "lessons"
    app = make_app("lessons", lessons_dir=fixtures)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.lessons is not None and app.screen.current)
        screen = app.screen
        lesson = next(item for item in app.lessons if item.name == screen.current)
        assert len(lesson.quizzes) == 2
        toc = screen.query_one("#toc", OptionList)
        marks = screen.marks

        def mark() -> str:
            prompt = toc.get_option(lesson.name).prompt
            return str(prompt).strip().split(" ", 1)[0]

        assert mark() == marks.partial
        for quiz in lesson.quizzes:
            screen.post_message(QuizAnswered(lesson.name, quiz.id, True))
        await wait_until(pilot, lambda: mark() == marks.done)
