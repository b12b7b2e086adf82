"""`--ascii` at 80x24: every mode, its views and dialogs, help and the palette draw only ASCII
(and Hangul, in Korean).

The text checked is what the compositor sends to the terminal (every cell of every layer, modal
dialogs over their background included), so footer key labels, scrollbars, borders, check boxes,
drop-downs, tables and charts are all covered, not only the widgets' own text.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from cnntui.i18n import set_language
from cnntui.settings import Settings
from cnntui.text import is_hangul
from cnntui.ui.app import CnnTuiApp

# For each mode: key sequences that open its views and dialogs, each followed by a look at the
# screen. Escape closes what the previous step opened.
WALKS: dict[str, list[list[str]]] = {
    "1": [[], ["slash"], ["escape", "l"], ["escape", "t"], ["t", "escape", "end"]],
    "2": [[], ["o"], ["escape", "e"], ["escape", "s"], ["escape", "v"], ["c"], ["right", "right"]],
    "3": [[], ["c"], ["z"], ["escape", "p"]],
    "4": [[], ["d"], ["c"], ["escape", "e"], ["escape"]],
    "5": [[], ["v"], ["v"], ["v"], ["v"], ["v"]],
    "6": [[], ["v"], ["s"], ["escape", "v"]],
    "7": [[], ["v"], ["v"], ["v"], ["v"]],
}

# What to type into the command palette in each mode: entries whose help holds ×, − or ².
PALETTE_QUERIES = {"2": "mode: rgb", "3": "chain: two"}


def screen_lines(app: CnnTuiApp) -> list[str]:
    """The rows of text the terminal would show now, modal screens over their background."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return ["".join(strip.text for strip in row) for row in update.strips]  # type: ignore[attr-defined]


async def settle(pilot: Pilot[None], rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause(0.02)


def non_ascii(lines: list[str]) -> str:
    """Every character that is neither ASCII nor Hangul (Korean text is the language, not a
    drawing: `--ascii` keeps it)."""
    return "".join(
        sorted({char for line in lines for char in line if not (char.isascii() or is_hangul(char))})
    )


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("key", sorted(WALKS))
async def test_ascii_mode_draws_only_ascii_in_every_view(key: str, language: str) -> None:
    set_language(language)  # the autouse fixture sets English back afterwards
    app = CnnTuiApp(settings=Settings(), ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, 20)
        spec = next((s for s in app.mode_specs.values() if s.key == key), None)
        assert spec is not None, f"no mode on key {key}"
        await pilot.press(key)
        await settle(pilot, 10)
        assert app.current_mode == spec.name
        seen: list[tuple[str, list[str]]] = []
        for keys in WALKS[key]:
            for pressed in keys:
                await pilot.press(pressed)
                await pilot.pause(0.02)
            await settle(pilot)
            seen.append(
                (f"{spec.name} after {keys} ({type(app.screen).__name__})", screen_lines(app))
            )
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
            await settle(pilot, 2)
        await pilot.press("question_mark")
        await settle(pilot)
        seen.append((f"{spec.name} help", screen_lines(app)))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await settle(pilot)
        seen.append((f"{spec.name} command palette", screen_lines(app)))
        if key in PALETTE_QUERIES:
            await pilot.press(*PALETTE_QUERIES[key])
            await settle(pilot, 10)
            seen.append((f"{spec.name} palette: {PALETTE_QUERIES[key]}", screen_lines(app)))
        await pilot.press("escape")
    assert len(seen) == len(WALKS[key]) + 2 + (key in PALETTE_QUERIES)
    for where, lines in seen:
        assert len(lines) == 24, where
        assert not non_ascii(lines), (where, non_ascii(lines), "\n".join(lines))


def test_key_labels_become_words() -> None:
    from cnntui.ui.shared.glyphs import ascii_key_display

    assert ascii_key_display("←→", "right") == "left/right"
    assert ascii_key_display("←→↑↓", "right") == "arrows"
    assert ascii_key_display("⏎", "enter") == "enter"
    assert ascii_key_display("^s", "ctrl+s") == "^s"
    assert ascii_key_display("★", "f5,f6") == "f5"


def test_every_bundled_lesson_and_quiz_has_an_ascii_form() -> None:
    """Lesson prose holds `×`, `²` and accented names; `--ascii` draws each in plain ASCII."""
    from cnntui.lessons import load_lessons
    from cnntui.ui.shared.glyphs import ascii_prose

    for lesson in load_lessons():
        for part in lesson.parts:
            texts = (
                [part]
                if isinstance(part, str)
                else [part.question or "", part.explanation or "", *(part.choices or [])]
            )
            for text in texts:
                assert ascii_prose(text).isascii(), (lesson.name, text)


async def test_lesson_prose_and_search_are_ascii() -> None:
    app = CnnTuiApp(settings=Settings(), ascii=True, start_lesson="04-convolution-in-depth")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = None
        for _ in range(200):  # the lessons are parsed off the UI thread
            await pilot.pause(0.02)
            screen = app.lessons_screen()
            if screen is not None and screen.current is not None:
                break
        await settle(pilot)
        assert screen is not None and screen.current == "04-convolution-in-depth"
        seen = [screen_lines(app)]
        for _ in range(8):
            await pilot.press("pagedown")
            await settle(pilot, 2)
            seen.append(screen_lines(app))
        await pilot.press("slash", *"kernel")
        await settle(pilot, 10)
        seen.append(screen_lines(app))
    assert any("x" in "".join(lines) for lines in seen)
    for lines in seen:
        assert not non_ascii(lines), (non_ascii(lines), "\n".join(lines))


async def test_an_ascii_quiz_choice_is_checked_against_the_original_text() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import RadioButton

    from cnntui.lessons import Quiz
    from cnntui.ui.lessons.quiz import QuizWidget
    from cnntui.ui.shared.glyphs import ASCII

    quiz = Quiz("quiz-1", 1, question="Which is smaller?", answer="3×3", choices=("5×5", "3×3"))

    class QuizApp(App[None]):
        def compose(self) -> ComposeResult:
            yield QuizWidget(quiz, "lesson", 1, 1, solved=False, marks=ASCII)

    app = QuizApp()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = app.query_one(QuizWidget)
        labels = [str(button.label) for button in app.query(RadioButton)]
        assert labels == ["5x5", "3x3"]
        app.query(RadioButton)[1].value = True
        await pilot.pause()
        assert widget.has_class("-correct"), widget.feedback_text
        assert widget.feedback_text.isascii()


async def test_the_key_panel_is_ascii() -> None:
    """Textual's own key panel (palette: Keys) lists arrows and crops pane titles with an ellipsis."""
    app = CnnTuiApp(settings=Settings(), ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, 20)
        await pilot.press("2")
        await settle(pilot, 10)
        await pilot.press("ctrl+p", *"keys", "enter")
        await settle(pilot, 20)
        lines = screen_lines(app)
    text = "\n".join(lines)
    # the Conv Lab's arrow keys, named in words instead of arrow glyphs
    assert "left" in text and "right" in text, text
    assert not non_ascii(lines), (non_ascii(lines), text)
