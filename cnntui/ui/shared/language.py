"""Switching the app's language while it runs: lessons, footers, help and the mode bar follow at
once, the lesson on show stays open at the same place, and the choice is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.i18n import LANGUAGE_NAMES, LANGUAGES, _, current_language, set_language
from cnntui.settings import save_language

if TYPE_CHECKING:
    from cnntui.ui.app import CnnTuiApp


def next_language(language: str) -> str:
    """The language after `language` in `LANGUAGES`, cycling (English <-> Korean)."""
    return LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]


def switch_language(app: CnnTuiApp, language: str | None = None) -> str:
    """Make `language` (default: the next one) current in `app`; returns it.

    Lab state is untouched: the labs' screens stay mounted and redraw their keys and titles. A
    failure to save the choice is a notice; the switch still happens.
    """
    language = set_language(language or next_language(current_language()))
    try:
        save_language(language)
    except OSError as error:
        app.notify(
            _("Could not save the language: {reason}").format(reason=error.strerror or error),
            severity="warning",
        )
    app.sub_title = _(app.SUB_TITLE)
    lessons = app.lessons_screen()
    if lessons is not None:
        lessons.reload_lessons()
    for stack in app._screen_stacks.values():
        for screen in stack:
            screen.refresh_bindings()
            for widget in screen.query("ModeBar"):
                widget.refresh()
            # Screens that build text once (labels, titles) re-set it themselves.
            refresh_language = getattr(screen, "refresh_language", None)
            if callable(refresh_language):
                refresh_language()
    app.screen.refresh_bindings()
    app.notify(_("Language: {name}").format(name=LANGUAGE_NAMES[language]), timeout=3)
    return language
