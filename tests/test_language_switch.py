"""F2 switches the whole app between English and Korean at once: the lesson on show stays open
(now in the other language, rebuilt from its Korean twin), the footer and mode bar follow, a lab's
state is kept, and the choice is saved in the settings file."""

from __future__ import annotations

from conftest import make_app, wait_until
from textual.containers import VerticalScroll

from cnntui.i18n import current_language
from cnntui.settings import config_path, load_settings


async def test_f2_switches_language_keeping_the_lesson_and_lab_state() -> None:
    app = make_app("lessons", "calc")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.lessons_screen() is not None)
        screen = app.lessons_screen()
        assert screen is not None
        await wait_until(pilot, lambda: screen.current is not None, timeout=60)
        await screen.show_lesson_named("03-convolution")
        reader = screen.query_one("#reader", VerticalScroll)
        await wait_until(pilot, lambda: reader.border_title == "Convolution")

        await pilot.press("3")  # the Calculator, with its own state
        await wait_until(pilot, lambda: app.current_mode == "calc")
        calc = app.screen
        calc.load_chain("lenet5")  # type: ignore[attr-defined]
        chain = list(calc.chain_layers)  # type: ignore[attr-defined]
        await pilot.press("1")
        await wait_until(pilot, lambda: app.current_mode == "lessons")

        await pilot.press("f2")
        await wait_until(pilot, lambda: reader.border_title == "합성곱", timeout=60)
        assert current_language() == "ko" and screen.current == "03-convolution"
        text = "\n".join(str(w.source) for w in screen.page.query("LessonMarkdown"))  # type: ignore[union-attr]
        assert "합성곱(convolution)" in text
        footer = " ".join(str(key.description) for key in app.screen.query("FooterKey"))
        assert "다음" in footer and "Next" not in footer
        settings, _ = load_settings()
        assert settings.language == "ko", config_path().read_text()
        await pilot.press("3")
        await wait_until(pilot, lambda: app.current_mode == "calc")
        assert list(calc.chain_layers) == chain  # type: ignore[attr-defined]

        await pilot.press("f2")
        await wait_until(pilot, lambda: current_language() == "en")
        await pilot.press("1")
        await wait_until(pilot, lambda: reader.border_title == "Convolution", timeout=60)
        assert load_settings()[0].language == "en"
