""" "Quiz me": generated output-size and parameter-count questions, checked as you answer."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cnntui import practice
from cnntui.i18n import N_, _
from cnntui.text import ascii_text
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.ascii_keys import use_ascii_keys


class CalcQuizScreen(ModalScreen[None]):
    """One question at a time; Enter checks, ctrl+n asks another, ctrl+o switches kind, Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="calc.quiz.close"),
        Binding("ctrl+n", "next_question", N_("Next"), key_display="^n", id="calc.quiz.next"),
        Binding("ctrl+o", "switch_kind", N_("Kind"), key_display="^o", id="calc.quiz.kind"),
    ]

    def __init__(self, seed: int | None = None, kind: str = "output-size") -> None:
        super().__init__(id="calc-quiz")
        self.rng = np.random.default_rng(seed)
        self.kind = kind
        self.question = practice.generate(kind, self.rng)
        self.answered = 0
        self.correct = 0
        self._last_right: bool | None = None
        """Whether the last reply was right (None: no reply to the question on show yet)."""

    def _t(self, text: str) -> str:
        return ascii_text(text) if ascii_only(self) else text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="calc-quiz-dialog"):
            yield Static(id="calc-quiz-question", markup=False)
            yield Input(id="calc-quiz-answer")
            yield Static(id="calc-quiz-feedback", markup=False)
            yield Static(id="calc-quiz-hint", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.refresh_language()
        self._show_question()

    def refresh_language(self) -> None:
        """Re-set the title, placeholder, hint and question in the current language."""
        self.query_one("#calc-quiz-dialog").border_title = _("Quiz me")
        self.query_one("#calc-quiz-answer", Input).placeholder = _(
            "your answer (a whole number), then Enter"
        )
        self.query_one("#calc-quiz-hint", Static).update(
            _("Enter check   ctrl+n next question   ctrl+o other kind   Esc close")
        )
        self._show_label()
        if self._last_right is not None:
            self._show_feedback(self._last_right)

    def _show_label(self) -> None:
        label = _("Output size") if self.question.kind == "output-size" else _("Parameter count")
        self.query_one("#calc-quiz-question", Static).update(
            self._t(f"{label}: {self.question.prompt}")
        )

    def _show_question(self) -> None:
        self._last_right = None
        self._show_label()
        self.query_one("#calc-quiz-feedback", Static).update(self._score())
        answer = self.query_one("#calc-quiz-answer", Input)
        answer.value = ""
        answer.focus()

    def _score(self) -> str:
        if not self.answered:
            return ""
        return _("Score: {correct} of {answered}").format(
            correct=self.correct, answered=self.answered
        )

    @on(Input.Submitted, "#calc-quiz-answer")
    def check(self, event: Input.Submitted) -> None:
        reply = event.value.strip()
        feedback = self.query_one("#calc-quiz-feedback", Static)
        if not reply:
            feedback.update(_("Type a whole number first."))
            return
        right = self.question.check(reply)
        self.answered += 1
        self.correct += int(right)
        self._last_right = right
        self._show_feedback(right)

    def _show_feedback(self, right: bool) -> None:
        """The verdict on the last reply, with the working, in the current language."""
        feedback = self.query_one("#calc-quiz-feedback", Static)
        verdict = (
            _("Right!")
            if right
            else _("Not quite: the answer is {answer:,}.").format(answer=self.question.answer)
        )
        feedback.update(
            self._t(
                f"{verdict} {self.question.explanation}\n{self._score()}  " + _("(ctrl+n: next)")
            )
        )
        feedback.set_class(right, "-correct")
        feedback.set_class(not right, "-wrong")

    def action_next_question(self) -> None:
        self.question = practice.generate(self.kind, self.rng)
        self._show_question()

    def action_switch_kind(self) -> None:
        kinds = practice.KINDS
        self.kind = kinds[(kinds.index(self.kind) + 1) % len(kinds)]
        self.action_next_question()

    def action_close(self) -> None:
        self.dismiss(None)
