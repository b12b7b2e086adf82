"""SVG snapshots of the key screens at 80x24 and 120x40, on fixture lessons and fixed settings.

Only the Lessons mode is registered, so labs landing elsewhere never change these pictures. Update
deliberately with `pytest tests/test_app_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_app as shared_make_app
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from cnntui.ui.app import CnnTuiApp
from cnntui.ui.lessons.quiz import QuizWidget

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # The broken-link message lists the labs that have presets; keep it independent of them.
    monkeypatch.setattr("cnntui.lessons.available_presets", lambda: ["conv", "lesson"])
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def make_app(folder: Path = FIXTURES, **kwargs: object) -> CnnTuiApp:
    """The shared `make_app` with the Lessons mode alone, reading lessons from `folder`."""
    return shared_make_app("lessons", lessons_dir=folder, **kwargs)


async def ready(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        screen = app.lessons_screen()  # type: ignore[attr-defined]
        if screen is not None and screen.current is not None:
            break
    await pilot.pause()


def no_blink(app: CnnTuiApp) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


def test_lessons_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=ready)


def test_lessons_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=ready)


def test_quiz_answered_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def answer(pilot: Pilot[None]) -> None:
        await ready(pilot)
        app = pilot.app
        quiz = app.screen.query(QuizWidget).first()
        field = quiz.query_one(Input)
        field.cursor_blink = False
        field.focus()
        await pilot.press("2", "4", "enter")
        await pilot.pause()
        app.screen.query_one("#reader").scroll_to_widget(quiz, top=True, animate=False)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=answer)


def test_help_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_help(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=open_help)


def test_search_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("slash")
        await pilot.pause()
        no_blink(pilot.app)  # type: ignore[arg-type]
        await pilot.press(*"kernel")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=search)


def test_ascii_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(ascii=True), terminal_size=(80, 24), run_before=ready)


def test_broken_lesson_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_broken(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("n", "n")
        await pilot.pause()
        pilot.app.screen.query_one("#toc", OptionList).focus()
        await pilot.pause()

    assert snap_compare(
        make_app(FIXTURES / "broken"), terminal_size=(80, 24), run_before=open_broken
    )


def test_too_small_notice(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(64, 20), run_before=ready)
