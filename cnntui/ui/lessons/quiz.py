"""An interactive quiz inside a lesson: type a number or text, or pick a choice, and get feedback.

Numbers are checked within the quiz's tolerance (`cnntui.lessons.answer_matches`); generated
quizzes (`generator = "output-size"`) draw a fresh question from `cnntui.practice` each time. A
right answer posts `QuizAnswered`, which the app records in the learner's progress.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from cnntui.i18n import _
from cnntui.lessons import Quiz, answer_matches
from cnntui.ui.shared.glyphs import ASCII, Glyphs, ascii_prose
from cnntui.ui.shared.messages import QuizAnswered


@dataclass(frozen=True)
class Asked:
    """The question as currently asked: fixed from the lesson, or freshly generated."""

    prompt: str
    answer: float | str
    tolerance: float
    explanation: str


def generate_question(kind: str, seed: int | None = None) -> Asked:
    """A generated practice question from `cnntui.practice`; raises ImportError if it is absent."""
    practice = importlib.import_module("cnntui.practice")
    question = practice.generate(kind, random.Random(seed))
    return Asked(str(question.prompt), float(question.answer), 0.0, str(question.explanation))


class QuizWidget(Vertical):
    """One quiz block of a lesson.

    Args:
        quiz: The parsed quiz.
        lesson: Name of the lesson it belongs to (for progress).
        number: Its position among the lesson's quizzes (1-based), and `total` their count.
        solved: Whether the learner already answered it right in an earlier session.
        marks: The glyph set (Unicode or ASCII).
        seed: Seed for generated questions (tests fix it; None draws a fresh one).
    """

    can_focus = False

    def __init__(
        self,
        quiz: Quiz,
        lesson: str,
        number: int,
        total: int,
        *,
        solved: bool,
        marks: Glyphs,
        seed: int | None = None,
    ) -> None:
        super().__init__(classes="quiz")
        self.quiz = quiz
        self.lesson = lesson
        self.number = number
        self.total = total
        self.solved = solved
        self.marks = marks
        self._random = random.Random(seed)
        self.asked = self._ask()
        self.attempts = 0

    def _ask(self) -> Asked:
        quiz = self.quiz
        if quiz.generator is not None:
            try:
                asked = generate_question(quiz.generator, self._random.randrange(2**32))
            except Exception as error:  # the lesson stays readable even if generation fails
                return Asked(
                    _("This practice question could not be generated: {error}").format(error=error),
                    "",
                    0.0,
                    "",
                )
            explanation = (
                asked.explanation
                if not quiz.explanation
                else f"{asked.explanation}\n{quiz.explanation}"
            )
            return Asked(asked.prompt, asked.answer, 0.0, explanation)
        assert quiz.answer is not None
        return Asked(quiz.question, quiz.answer, quiz.tolerance, quiz.explanation)

    def _shown(self, text: str) -> str:
        """`text` as drawn: plain ASCII under `--ascii` (questions hold `×` and `²`)."""
        return ascii_prose(text) if self.marks == ASCII else text

    def _title(self) -> Content:
        kind = (
            _("Practice {number} of {total}")
            if self.quiz.generator
            else _("Quiz {number} of {total}")
        )
        mark = f"  {self.marks.done} " + _("solved") if self.solved else ""
        title = kind.format(number=self.number, total=self.total)
        return Content.from_markup("[b]$title[/b]$mark", title=title, mark=mark)

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="quiz-title")
        yield Static(self._shown(self.asked.prompt), classes="quiz-question", markup=False)
        if self.quiz.choices:
            with RadioSet(classes="quiz-choices"):
                for choice in self.quiz.choices:
                    yield RadioButton(self._shown(choice))
        else:
            placeholder = (
                _("a number, then Enter")
                if isinstance(self.asked.answer, float)
                else _("your answer, then Enter")
            )
            yield Input(placeholder=placeholder, classes="quiz-answer", compact=True)
        with Horizontal(classes="quiz-buttons"):
            if not self.quiz.choices:
                yield Button(_("Check"), classes="quiz-check", compact=True)
            yield Button(_("Show answer"), classes="quiz-reveal", compact=True)
            if self.quiz.generator:
                yield Button(_("New question"), classes="quiz-new", compact=True)
        yield Static("", classes="quiz-feedback -empty", markup=False)

    # -- answering ---------------------------------------------------------------------------

    def _feedback(self, text: str) -> None:
        feedback = self.query_one(".quiz-feedback", Static)
        feedback.update(self._shown(text))
        feedback.set_class(not text, "-empty")

    @property
    def feedback_text(self) -> str:
        """What the feedback line says now ("" when nothing)."""
        return str(self.query_one(".quiz-feedback", Static).content)

    def check(self, response: str) -> bool:
        """Check a response, show feedback and report a right answer; returns whether it was right."""
        if not response.strip():
            self._feedback(_("Type an answer first."))
            self.set_class(False, "-correct", "-wrong")
            return False
        if isinstance(self.asked.answer, str) and not self.asked.answer:
            return False
        self.attempts += 1
        # A Korean lesson's text answer also accepts the English term (the quiz's `accept`).
        accepted = () if self.quiz.generator else self.quiz.accept
        correct = any(
            answer_matches(answer, response, self.asked.tolerance)
            for answer in (self.asked.answer, *accepted)
        )
        self.set_class(correct, "-correct")
        self.set_class(not correct, "-wrong")
        if correct:
            text = f"{self.marks.correct} " + _("Right.")
            if self.asked.explanation:
                text += f" {self.asked.explanation}"
            if not self.solved:
                self.solved = True
                self.query_one(".quiz-title", Static).update(self._title())
        else:
            close = isinstance(self.asked.answer, float) and answer_matches(
                self.asked.answer, response, abs(self.asked.answer) * 0.1 + 0.5
            )
            text = f"{self.marks.wrong} " + (
                _("Not quite (close). Try again, or choose Show answer.")
                if close
                else _("Not quite. Try again, or choose Show answer.")
            )
        self._feedback(text)
        self.post_message(QuizAnswered(self.lesson, self.quiz.id, correct))
        return correct

    def reveal(self) -> None:
        """Show the answer and the explanation (does not count as solving it)."""
        answer = self.asked.answer
        shown = _format_answer(answer)
        if isinstance(answer, float) and self.asked.tolerance:
            shown += " " + _("(within {tolerance})").format(
                tolerance=_format_answer(self.asked.tolerance)
            )
        text = _("Answer: {answer}.").format(answer=shown)
        if self.asked.explanation:
            text += f" {self.asked.explanation}"
        self.set_class(False, "-correct", "-wrong")
        self._feedback(text)

    def new_question(self) -> None:
        """Draw a fresh generated question."""
        self.asked = self._ask()
        self.query_one(".quiz-question", Static).update(self._shown(self.asked.prompt))
        self._feedback("")
        self.set_class(False, "-correct", "-wrong")
        answer_input = self.query(".quiz-answer").first(Input)
        answer_input.value = ""
        answer_input.focus()

    @on(Input.Submitted, ".quiz-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.check(event.value)

    @on(Button.Pressed, ".quiz-check")
    def _check_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.check(self.query_one(".quiz-answer", Input).value)

    @on(Button.Pressed, ".quiz-reveal")
    def _reveal_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.reveal()

    @on(Button.Pressed, ".quiz-new")
    def _new_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.new_question()

    @on(RadioSet.Changed)
    def _choice_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        # The choice's own text: under `--ascii` the label shows a transliteration of it.
        choices: tuple[str, ...] = self.quiz.choices
        index = event.index
        self.check(choices[index] if 0 <= index < len(choices) else str(event.pressed.label))


def _format_answer(value: float | str) -> str:
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.6g}"
    return value
