"""The Lessons mode (key 1): the table of contents and the lesson reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.lessons.screen import LessonsScreen

    return LessonsScreen()


MODE = ModeSpec(
    name="lessons",
    key="1",
    title="Lessons",
    description="Read the lessons by chapter, with quizzes and links into the labs",
    make_screen=_make_screen,
)
