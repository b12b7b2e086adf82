"""Messages shared across the app's screens and widgets."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class FollowLink(Message):
    """Ask the app to follow a lesson link (`cnntui:…`, a web address, or `#anchor`)."""

    href: str


@dataclass
class QuizAnswered(Message):
    """A learner answered a quiz; `correct` says whether it was right."""

    lesson: str
    quiz_id: str
    correct: bool


@dataclass
class LessonOpened(Message):
    """The Lessons screen now shows this lesson."""

    lesson: str
