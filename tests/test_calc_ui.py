"""The Calculator mode driven by keyboard, plus snapshots at 80×24."""

from __future__ import annotations

import pytest
from conftest import make_app
from textual.widgets import DataTable, Input

from cnntui.ui.app import CnnTuiApp
from cnntui.ui.calc.report import CalcReport
from cnntui.ui.calc.screen import CalcScreen
from cnntui.ui.shared.form import CalcForm


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def report_text(app: CnnTuiApp) -> str:
    return str(app.screen.query_one("#calc-report", CalcReport).render())


async def test_opens_on_alexnet_conv1_and_steps_fields_by_keyboard() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalcScreen)
        text = report_text(app)
        assert "55×55×96" in text and "34,944" in text and "105,415,200" in text
        form = screen.query_one("#calc-form", CalcForm)
        assert form.has_focus
        await pilot.press("down", "down", "down", "left", "left", "left")  # stride 4 → 1
        await pilot.pause()
        assert form.values()["stride"] == "1"
        assert "217×217×96" in report_text(app)
        await pilot.press("up", "up", "up", "right")  # kind conv → maxpool
        await pilot.pause()
        assert form.values()["kind"] == "maxpool"
        assert "pooling has no parameters" in report_text(app)


async def test_typing_a_value_and_impossible_settings() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # the kernel field
        await pilot.pause()
        editor = app.screen.query_one("#calc-edit", Input)
        assert editor.has_focus
        editor.value = ""
        await pilot.press(*"300", "enter")
        await pilot.pause()
        text = report_text(app)
        assert "This layer cannot work" in text and "larger than the padded input" in text
        form = app.screen.query_one("#calc-form", CalcForm)
        assert form.has_focus and form.values()["kernel"] == "300"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # cancel leaves the value alone
        await pilot.pause()
        assert form.values()["kernel"] == "300"


async def test_uneven_division_is_explained() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset(
            {"input": "224x224x3", "kernel": "3", "stride": "2", "filters": "8"}
        )
        await pilot.pause()
        text = report_text(app)
        assert (
            "111×111×8" in text
            and "not a multiple of the stride 2" in text
            and "Exact fits nearby" in text
        )


async def test_chain_presets_add_remove_and_move() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("p")  # first chain preset: LeNet-5
        await pilot.pause()
        assert screen.chain_view and screen.preset_name == "lenet5"
        table = screen.query_one("#calc-chain", DataTable)
        assert table.row_count == 7
        assert "61,706" in report_text(app)
        await pilot.press("tab")
        await pilot.pause()
        assert table.has_focus
        await pilot.press("down", "a")  # duplicate the pooling layer
        await pilot.pause()
        assert table.row_count == 8 and screen.selected == 2
        await pilot.press("x")
        await pilot.pause()
        assert table.row_count == 7
        assert screen.selected == 2  # the layer after the removed one
        await pilot.press("left_square_bracket")  # move conv ×16 above the pooling layer
        await pilot.pause()
        assert screen.chain_layers[1].filters == 16 and screen.chain_layers[2].kind == "avgpool"
        assert screen.selected == 1
        await pilot.press("shift+tab")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        editor = screen.query_one("#calc-edit", Input)
        editor.value = "64x64x1"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.chain_input.height == 64
        await pilot.press("c")
        await pilot.pause()
        assert not screen.chain_view and not table.display


async def test_chain_edit_changes_the_selected_layer() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.apply_preset({"chain": "two-3x3"})
        await pilot.pause()
        assert screen.chain_view
        await pilot.press("down", "down", "right", "right")  # kernel 3 → 5 on layer 1
        await pilot.pause()
        assert screen.chain_layers[0].kernel == (5, 5)
        table = screen.query_one("#calc-chain", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["5", "7"]  # receptive fields


async def test_quiz_me_checks_answers() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.quiz_seed = 1
        await pilot.press("z")
        await pilot.pause()
        quiz = app.screen
        answer = quiz.question.answer
        await pilot.press(*str(answer), "enter")
        await pilot.pause()
        assert quiz.correct == 1 and quiz.answered == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*str(quiz.question.answer + 1), "enter")
        await pilot.pause()
        assert quiz.correct == 1 and quiz.answered == 2
        feedback = str(quiz.query_one("#calc-quiz-feedback").render())
        assert "Not quite" in feedback
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert quiz.kind == "param-count"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CalcScreen)


async def test_apply_preset_rejects_what_the_validator_rejects() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.screen.apply_preset({"chain": "resnet"})
        await pilot.pause()
        assert any("resnet" in n.message for n in app._notifications)
        app.screen.apply_preset(
            {
                "kind": "transposed",
                "input": "4x4x8",
                "kernel": "4",
                "stride": "2",
                "padding": "1",
                "filters": "4",
            }
        )
        await pilot.pause()
        assert "8×8×4" in report_text(app)


async def test_ascii_mode_draws_plain_text() -> None:
    app = make_app("calc", ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("p", "p")
        await pilot.pause()
        texts = [report_text(app), str(app.screen.query_one("#calc-form", CalcForm).render())]
        texts.append(str(app.screen.query_one("#calc-hint").render()))
        assert all(text.isascii() for text in texts), texts
        assert all(
            str(cell).isascii()
            for cell in app.screen.query_one("#calc-chain", DataTable).get_row_at(0)
        )


def test_snapshot_single_layer(snap_compare) -> None:
    assert snap_compare(make_app("calc"), terminal_size=(80, 24))


def test_snapshot_chain_ascii(snap_compare) -> None:
    assert snap_compare(
        make_app("calc", ascii=True), press=["p", "p", "tab"], terminal_size=(80, 24)
    )


def test_snapshot_quiz(snap_compare) -> None:
    app = make_app("calc")

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.screen.quiz_seed = 3
        await pilot.press("z")
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


async def test_pooling_ceil_mode() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset(
            {"kind": "maxpool", "input": "112x112x64", "kernel": "3", "stride": "2"}
        )
        await pilot.pause()
        assert "55×55×64" in report_text(app)
        await pilot.press(*["up"] * 1, "right")  # the last field: ceil mode on
        await pilot.pause()
        assert "56×56×64" in report_text(app) and "⌈" in report_text(app)


async def test_command_palette_opens_a_chain() -> None:
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("ctrl+p", *"chain: vgg-block")
        for _ in range(20):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.chain_view and screen.preset_name == "vgg-block"
