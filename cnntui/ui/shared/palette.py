"""The app's own entries in the command palette: every mode, help, the language switch and every
lesson by name (Textual's own commands follow them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from cnntui.i18n import LANGUAGE_NAMES, _, current_language

if TYPE_CHECKING:
    from cnntui.ui.app import CnnTuiApp


def app_commands(app: CnnTuiApp) -> Iterable[SystemCommand]:
    """The palette entries of `app`, in the current language."""
    for spec in app.mode_specs.values():
        yield SystemCommand(
            f"{_(spec.title)} ({spec.key})",
            _(spec.description),
            lambda name=spec.name: app.run_worker(app.action_switch_to(name)),  # type: ignore[misc]
        )
    yield SystemCommand(_("Help"), _("Every key and what it does (?)"), app.action_help)
    from cnntui.ui.shared.language import next_language

    other = next_language(current_language())
    language_label = _("Language")
    yield SystemCommand(
        f"{language_label}: {LANGUAGE_NAMES[other]} (F2)",
        _("Lessons, screens and messages in {name}; the choice is saved").format(
            name=LANGUAGE_NAMES[other]
        ),
        app.action_switch_language,
    )
    lesson_label = _("Lesson")
    for lesson in app.lessons or []:
        yield SystemCommand(
            f"{lesson_label}: {lesson.title}",
            f"{lesson.chapter}. {lesson.summary}".strip(". "),
            lambda name=lesson.name: app.run_worker(app.open_lesson(name)),  # type: ignore[misc]
        )
