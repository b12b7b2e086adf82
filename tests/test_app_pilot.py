"""The app driven by keyboard through Pilot: modes, lessons, quizzes, links, help, size, settings."""

from __future__ import annotations

import html
import json
import re
import sys
import types
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
from conftest import make_app as shared_make_app
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, RadioSet, Static

from cnntui.lessons import PRESET_VALIDATORS
from cnntui.progress import load_progress, progress_path
from cnntui.settings import Settings
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.lessons.markdown import LessonMarkdown
from cnntui.ui.lessons.quiz import QuizWidget
from cnntui.ui.lessons.screen import LessonsScreen
from cnntui.ui.modes import MODES, ModeSpec, mode_named
from cnntui.ui.shared.help import HelpScreen
from cnntui.ui.shared.mode_bar import ModeBar
from cnntui.ui.shared.too_small import TooSmallScreen

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


class FakeLabScreen(Screen[None]):
    """Stands in for a lab: records the presets it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.presets: list[dict[str, str]] = []

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static("fake lab")
        yield Footer()

    def apply_preset(self, params: dict[str, str]) -> None:
        self.presets.append(params)


def lessons_mode() -> ModeSpec:
    return mode_named("lessons")


@pytest.fixture(autouse=True)
def truecolour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fix the colour system the app sees, so theme choices do not depend on the test's terminal."""
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


FAKE_LAB = ModeSpec("fakelab", "2", "Fake Lab", "a lab for tests", FakeLabScreen)


@pytest.fixture
def fake_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fakelab_presets")
    module.__spec__ = ModuleSpec("fakelab_presets", None)
    monkeypatch.setattr(
        module,
        "validate",
        lambda params: [] if set(params) <= {"kernel"} else ["only kernel is accepted"],
        raising=False,
    )
    monkeypatch.setitem(sys.modules, "fakelab_presets", module)
    monkeypatch.setitem(PRESET_VALIDATORS, "fakelab", "fakelab_presets")


def make_app(**kwargs: object) -> CnnTuiApp:
    """The shared `make_app` with the fixture lessons and a fake lab beside the Lessons mode."""
    options: dict[str, object] = {"lessons_dir": FIXTURES, "modes": [lessons_mode(), FAKE_LAB]}
    return shared_make_app(**{**options, **kwargs})


async def ready(pilot: Pilot[None]) -> LessonsScreen:
    """Wait until the lessons are loaded and one is on show."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        screen = app.lessons_screen()  # type: ignore[attr-defined]
        if screen is not None and screen.current is not None:
            await pilot.pause()
            return screen
    raise AssertionError("lessons never loaded")


def shown_page(app: CnnTuiApp) -> Widget:
    """The reader's page of the lesson on show (other lessons' pages are kept, hidden)."""
    screen = app.lessons_screen()
    assert screen is not None and screen.page is not None
    return screen.page


def quiz_widgets(app: CnnTuiApp) -> list[QuizWidget]:
    return list(shown_page(app).query(QuizWidget))


async def test_opens_on_lessons_at_the_first_lesson_and_saves_progress() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert app.current_mode == "lessons"
        assert screen.current == "01-convolution"
        reader = app.screen.query_one("#reader")
        assert reader.border_title == "Convolution"
        assert len(quiz_widgets(app)) == 2
        assert len(shown_page(app).query(LessonMarkdown)) == 1
    progress, warning = load_progress()
    assert warning is None and progress.last_lesson == "01-convolution"
    assert progress_path().is_file()


async def test_reopens_at_the_last_lesson_read() -> None:
    progress_path().parent.mkdir(parents=True, exist_ok=True)
    progress_path().write_text(
        json.dumps({"version": 1, "last_lesson": "03-lenet", "read": ["03-lenet"], "solved": {}})
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.current == "03-lenet"


async def test_start_lesson_wins_over_progress() -> None:
    app = make_app(start_lesson="02-pooling")
    async with app.run_test(size=(80, 24)) as pilot:
        assert (await ready(pilot)).current == "02-pooling"


async def test_text_quiz_ignores_case_and_spacing() -> None:
    app = make_app(start_lesson="02-pooling")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        quiz = quiz_widgets(app)[0]
        assert quiz.check("The  LARGEST value")
        assert not quiz.check("")
        assert quiz.feedback_text == "Type an answer first."
        quiz.query_one(Input).focus()
        await pilot.press("q", "1")  # typing q into an answer does not quit
        await pilot.pause()
        assert app.is_running
        assert quiz.query_one(Input).value == "q1"


async def test_solved_quiz_shows_solved_after_restart() -> None:
    progress_path().parent.mkdir(parents=True, exist_ok=True)
    progress_path().write_text(
        json.dumps(
            {
                "version": 1,
                "last_lesson": "01-convolution",
                "read": ["01-convolution"],
                "solved": {"01-convolution": ["quiz-1", "same-padding"]},
            }
        )
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert all(quiz.solved for quiz in quiz_widgets(app))
        toc = app.screen.query_one("#toc", OptionList)
        assert str(toc.get_option_at_index(1).prompt).strip().startswith("✓")


async def test_generated_practice_quiz(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(
        '+++\ntitle = "P"\nchapter = "C"\norder = 1\n+++\n\n```quiz\ngenerator = "output-size"\n```\n'
    )
    app = make_app(lessons_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        (quiz,) = quiz_widgets(app)
        assert isinstance(quiz.asked.answer, float) and quiz.asked.prompt
        first = quiz.asked
        assert quiz.check(str(int(first.answer)))  # type: ignore[arg-type]
        for _ in range(5):
            quiz.new_question()
            if quiz.asked != first:
                break
        assert quiz.asked != first


async def test_help_lists_every_key() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(static.content) for static in app.screen.query(Static))
        for expected in (
            "Next",
            "Prev",
            "Search",
            "Links",
            "Contents",
            "Quit",
            "Help",
            "1",
            "Lessons",
            "Fake Lab",
            "ctrl+p",
        ):
            assert expected in text, expected
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_too_small_notice_and_recovery() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.resize_terminal(70, 20)
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small-text", Static).content)
        assert "at least 80x24" in text and "70x20" in text
        await pilot.press("2")  # modes stay put while the notice shows
        assert app.current_mode == "lessons"
        await pilot.resize_terminal(100, 30)
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)


async def test_broken_lesson_shows_an_error_pane_and_the_app_keeps_going() -> None:
    app = make_app(lessons_dir=FIXTURES / "broken")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert screen.current == "good"
        await pilot.press("n")
        await pilot.pause()
        assert screen.current == "bad-quiz"
        pane = shown_page(app).query_one(".lesson-errors", Static)
        assert "bad-quiz.md:9: quiz: answer 'c' is not one of the choices" in str(pane.content)
        assert str(FIXTURES) not in str(pane.content)
        await pilot.press("n", "n")
        await pilot.pause()
        assert screen.current == "bad-front"
        assert "bad-front.md:2: front matter: bad TOML" in str(
            shown_page(app).query_one(".lesson-errors", Static).content
        )


async def test_no_lessons_is_a_message_not_a_crash(tmp_path: Path) -> None:
    app = make_app(lessons_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(20):
            await pilot.pause()
        assert app.lessons == []
        assert "No lessons were found" in str(
            app.screen.query_one("#reader-status", Static).content
        )


async def test_a_mode_that_fails_to_start_shows_why() -> None:
    def broken() -> Screen[None]:
        raise RuntimeError("no screen today")

    app = make_app(modes=[lessons_mode(), ModeSpec("broken", "3", "Broken", "fails", broken)])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("3")
        await pilot.pause()
        assert app.current_mode == "broken"
        assert "no screen today" in str(app.screen.query_one(".mode-error", Static).content)


async def test_a_mode_whose_screen_does_not_import_names_itself() -> None:
    missing = ModeSpec("gone", "3", "Gone Lab", "not there", "cnntui.ui.no_such_lab:Screen")
    app = make_app(modes=[lessons_mode(), missing])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("3")
        await pilot.pause()
        assert app.current_mode == "gone"
        text = str(app.screen.query_one(".mode-error", Static).content)
        assert "Gone Lab could not start" in text and "cnntui.ui.no_such_lab" in text


async def test_the_app_lists_every_mode_of_the_table() -> None:
    app = CnnTuiApp(lessons_dir=FIXTURES)
    assert list(app.mode_specs) == [spec.name for spec in MODES]
    assert app.mode_specs["lessons"].key == "1"
    keys = [spec.key for spec in app.mode_specs.values()]
    assert keys == [str(n) for n in range(1, len(MODES) + 1)]


@pytest.mark.parametrize("spec", MODES, ids=[spec.name for spec in MODES])
def test_every_mode_screen_imports(spec: ModeSpec) -> None:
    # An import error must fail here, not make the mode quietly vanish from the app.
    assert issubclass(spec.screen_class(), Screen)  # type: ignore[arg-type]


async def test_bad_settings_become_notices(tmp_path: Path) -> None:
    app = make_app(
        settings=Settings(
            theme="no-such-theme",
            keys={"nope.nothing": "x", "lessons.nothing": "y", "fakelab.step": "z"},
        )
    )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        assert app.theme == "textual-dark"
        messages = [n.message for n in app._notifications]
        assert any("no theme named 'no-such-theme'" in m for m in messages)
        assert any("no key binding with id 'nope.nothing'" in m for m in messages)
        assert any("no key binding with id 'lessons.nothing'" in m for m in messages)
        # A lab's own ids are checked by the lab's screen, which opens later.
        assert not any("fakelab.step" in m for m in messages)


async def test_sixteen_colour_terminals_get_the_ansi_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_COLOR_SYSTEM", "standard")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == "ansi-dark"


async def test_theme_and_key_overrides_apply() -> None:
    app = make_app(settings=Settings(theme="nord", keys={"lessons.next": "j"}))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        assert app.theme == "nord"
        await pilot.press("j")
        await pilot.pause()
        assert screen.current == "02-pooling"


def svg_text(svg: str) -> str:
    """The screen an SVG screenshot draws, as lines of text (cells placed by their x position)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg
    ):
        x, y = float(match.group(1)), float(match.group(2))
        rows.setdefault(y, []).append((x, html.unescape(match.group(3)).replace("\xa0", " ")))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / 12.2)) + text
        lines.append(line)
    return "\n".join(lines)


async def test_ascii_mode_draws_only_ascii() -> None:
    app = make_app(ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.ascii_mode
        screens = [svg_text(app.export_screenshot())]
        await pilot.press("end")
        await pilot.pause()
        screens.append(svg_text(app.export_screenshot()))
        await pilot.press("question_mark")
        await pilot.pause()
        screens.append(svg_text(app.export_screenshot()))
    for text in screens:
        assert text.isascii(), sorted({c for c in text if not c.isascii()})
    assert "+-" in screens[0] and "| input | kernel |" in screens[0]


async def test_unicode_mode_restores_glyphs_after_ascii() -> None:
    async with make_app(ascii=True).run_test(size=(80, 24)) as pilot:
        await ready(pilot)
    app = make_app(ascii=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert "╭" in svg_text(app.export_screenshot())


async def test_ascii_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNTUI_ASCII", "1")
    assert make_app(ascii=None).ascii_mode
    monkeypatch.setenv("CNNTUI_ASCII", "0")
    assert not make_app(ascii=None, settings=Settings(ascii=True)).ascii_mode
    monkeypatch.delenv("CNNTUI_ASCII")
    assert make_app(ascii=None, settings=Settings(ascii=True)).ascii_mode


async def test_navigation_by_keyboard() -> None:
    """The contents list chapters with marks; n/p walk the reading order; t hides the contents."""
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        toc = app.screen.query_one("#toc", OptionList)
        labels = [str(toc.get_option_at_index(i).prompt) for i in range(toc.option_count)]
        assert labels[0] == "Basics" and labels[3] == "Architectures"
        assert labels[1].strip().startswith("◐") and labels[1].endswith("Convolution")
        assert labels[2].strip().startswith("·")
        toc.focus()
        await pilot.press("down", "down", "enter")
        assert screen.current == "03-lenet"
        assert str(toc.get_option_at_index(4).prompt).strip().startswith("✓")  # no quizzes: done
        await pilot.press("p", "p")
        assert screen.current == "01-convolution"
        await pilot.press("p")
        assert screen.current == "01-convolution"
        assert any("first lesson" in n.message for n in app._notifications)
        await pilot.press("n", "n", "n")
        assert screen.current == "03-lenet"
        assert any("last lesson" in n.message for n in app._notifications)
        reader = app.screen.query_one("#reader")
        narrow = reader.size.width
        await pilot.press("t")
        await pilot.pause()
        assert not toc.display and reader.size.width > narrow
    assert load_progress()[0].read == {"01-convolution", "02-pooling", "03-lenet"}


async def test_search() -> None:
    """Esc leaves everything as it was; Enter opens the lesson with the hit."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("slash", "x", "escape")
        await pilot.pause()
        assert app.screen is screen and screen.current == "01-convolution"
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.id == "search-screen"
        await pilot.press(*"largest")
        await pilot.pause()
        assert app.screen.query_one("#search-results", OptionList).option_count >= 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.current == "02-pooling"


async def test_numeric_and_choice_quizzes() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        numeric, choice = quiz_widgets(app)
        answer = numeric.query_one(Input)
        answer.focus()
        await pilot.press("2", "5", "enter")
        await pilot.pause()
        assert numeric.has_class("-wrong") and "Not quite" in numeric.feedback_text
        assert not load_progress()[0].is_solved("01-convolution", "quiz-1")
        answer.value = ""
        await pilot.press("2", "4", "enter")
        await pilot.pause()
        assert numeric.has_class("-correct") and numeric.feedback_text.startswith("✓ Right.")
        assert "(28 - 5) / 1 + 1 = 24." in numeric.feedback_text
        assert load_progress()[0].is_solved("01-convolution", "quiz-1")
        choice.query_one(RadioSet).focus()
        await pilot.press("down", "enter")  # the second choice, "1"
        await pilot.pause()
        assert choice.has_class("-correct")
        assert load_progress()[0].is_solved("01-convolution", "same-padding")
        choice.reveal()
        assert choice.feedback_text.startswith("Answer: 1.")


async def test_lesson_and_web_links(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await ready(pilot)
        # The keyboard's way: `l` lists the links, Enter follows one.
        await pilot.press("l")
        await pilot.pause()
        assert app.screen.id == "links-screen"
        await pilot.press("down", "enter")  # the second link: the pooling lesson
        await pilot.pause()
        assert screen.current == "02-pooling"
        # The mouse's way: a click in the Markdown posts LinkClicked.
        markdown = shown_page(app).query_one(LessonMarkdown)
        markdown.post_message(LessonMarkdown.LinkClicked(markdown, "cnntui:lesson?name=03-lenet"))
        for _ in range(5):
            await pilot.pause()
        assert screen.current == "03-lenet"
        await app.follow_link("cnntui:lesson?name=01-convolution&section=output-size")
        for _ in range(3):
            await pilot.pause()
        assert screen.current == "01-convolution"
        assert app.screen.query_one("#reader").scroll_y > 0  # at the "Output size" heading
        await app.follow_link("https://arxiv.org/abs/1603.07285")
        await pilot.pause()
        assert app.clipboard == "https://arxiv.org/abs/1603.07285"
        assert opened == []
        assert any("Copied to the clipboard" in n.message for n in app._notifications)


async def test_lab_links(fake_preset: None) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await app.follow_link("cnntui:fakelab?zoom=3")
        await app.follow_link("cnntui:nosuchlab?x=1")
        await app.follow_link("ftp://example.org")
        await pilot.pause()
        assert app.current_mode == "lessons"
        messages = [n.message for n in app._notifications]
        assert any("only kernel is accepted" in m for m in messages)
        assert any("'nosuchlab' is not part of this build" in m for m in messages)
        assert any("cannot open" in m for m in messages)
        await app.follow_link("cnntui:fakelab?kernel=laplacian")
        await pilot.pause()
        assert app.current_mode == "fakelab"
        assert isinstance(app.screen, FakeLabScreen)
        assert app.screen.presets == [{"kernel": "laplacian"}]


async def test_number_keys_palette_and_mode_bar() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Lessons (1)" in titles and "Fake Lab (2)" in titles and "Help" in titles
        assert "Lesson: Pooling" in titles
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "fakelab"
        assert "2 Fake Lab" in str(app.screen.query_one(ModeBar).render())
        await pilot.press("1")
        await pilot.pause()
        assert app.current_mode == "lessons"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Fake Lab")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for _ in range(10):
            await pilot.pause()
        assert app.current_mode == "fakelab"


def drawing_glyphs(text: str) -> set[str]:
    """Box-drawing, block and braille characters: what `--ascii` promises never to draw."""
    return {c for c in text if 0x2500 <= ord(c) <= 0x259F or 0x2800 <= ord(c) <= 0x28FF}


def test_bundled_lessons_hold_no_drawing_glyphs() -> None:
    """`--ascii` redraws the app's chrome; the lesson text itself must not bring such glyphs in."""
    from cnntui.lessons import load_lessons

    offenders = {
        lesson.name: sorted(found)
        for lesson in load_lessons()
        if (found := drawing_glyphs(lesson.body))
    }
    assert not offenders, offenders


async def test_ascii_mode_on_every_markdown_element() -> None:
    """The fixture lessons hold headings, a table, code, lists, a quote, a rule and quizzes."""
    app = make_app(ascii=True, modes=[lessons_mode()])
    async with app.run_test(size=(100, 150)) as pilot:
        screen = await ready(pilot)
        for lesson in app.lessons or []:
            await screen.show_lesson(lesson)
            await pilot.pause()
            text = svg_text(app.export_screenshot())
            assert not drawing_glyphs(text), (lesson.name, sorted(drawing_glyphs(text)))
            assert text.isascii(), (lesson.name, sorted({c for c in text if not c.isascii()}))


def test_an_internal_error_ends_with_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CNNTUI_DEBUG", raising=False)

    class Crashing(CnnTuiApp):
        def on_ready(self) -> None:
            raise RuntimeError("the flux capacitor is empty")

    app = Crashing(lessons_dir=FIXTURES, modes=[lessons_mode()], settings=Settings())
    app.run(headless=True, size=(80, 24))
    assert app.return_code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("cnntui: internal error: RuntimeError: the flux capacitor is empty")
    assert "CNNTUI_DEBUG=1" in lines[0] and "Traceback" not in err


async def test_a_korean_text_quiz_accepts_the_english_term_too(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    source = (FIXTURES / "02-pooling.md").read_text(encoding="utf-8")
    (folder / "02-pooling.md").write_text(
        source.replace(
            'answer = "the largest value"', 'answer = "최댓값"\naccept = ["the largest value"]'
        ),
        encoding="utf-8",
    )
    app = make_app(lessons_dir=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        quiz = quiz_widgets(app)[0]
        assert quiz.check("최댓값")
        assert quiz.check("The largest value")
        assert not quiz.check("평균")
