"""`/` in the Lessons mode: search every lesson; Enter opens the hit at its section."""

from __future__ import annotations

import re
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cnntui.i18n import N_, _, ngettext
from cnntui.lessons import Lesson, SearchHit, search_lessons
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.glyphs import ascii_prose

MAX_HITS = 100


class SearchScreen(ModalScreen[tuple[str, str] | None]):
    """Dismisses with (lesson name, heading of the hit) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Close"), id="search.close"),
        Binding("down", "to_results", N_("Results"), show=False),
    ]

    def __init__(self, lessons: list[Lesson]) -> None:
        super().__init__(id="search-screen")
        self.lessons = lessons
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog", classes="dialog"):
            yield Input(placeholder=_("search all lessons"), id="search-input")
            yield OptionList(id="search-results")
            yield Static(
                _("Type to search. Down: results. Enter: open. Esc: close."), id="search-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#search-dialog").border_title = _("Search lessons")
        self.query_one("#search-input", Input).focus()

    def refresh_language(self) -> None:
        """Title, placeholder and hint in the language now current; the results are searched
        again (in the lessons of the new language once they are loaded)."""
        self.query_one("#search-dialog").border_title = _("Search lessons")
        field = self.query_one("#search-input", Input)
        field.placeholder = _("search all lessons")
        self.query_one("#search-hint", Static).update(
            _("Type to search. Down: results. Enter: open. Esc: close.")
        )
        self._search(field.value)

    def _current_lessons(self) -> list[Lesson]:
        """The app's lessons (reloaded in the new language after F2), else those given."""
        return getattr(self.app, "lessons", None) or self.lessons

    def _shown(self, text: str) -> str:
        """Plain ASCII under `--ascii`: snippets of lesson prose hold `×` and `²`."""
        return ascii_prose(text) if ascii_only(self) else text

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, value: str) -> None:
        self.hits = search_lessons(self._current_lessons(), value, limit=MAX_HITS)
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        results.add_options(
            Option(
                Content.assemble(
                    (hit.lesson.title, "bold"), "  ", self._shown(_snippet(hit.snippet))
                ),
                id=str(index),
            )
            for index, hit in enumerate(self.hits)
        )
        if self.hits:
            results.highlighted = 0
        hint = self.query_one("#search-hint", Static)
        if value.strip():
            count = len(self.hits)
            more = "+" if count >= MAX_HITS else ""
            hint.update(
                ngettext(
                    "{count} match. Down: results. Enter: open. Esc: close.",
                    "{count} matches. Down: results. Enter: open. Esc: close.",
                    count,
                ).format(count=f"{count}{more}")
            )

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if self.hits:
            self._open(results.highlighted or 0)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(int(event.option_id or 0))

    def _open(self, index: int) -> None:
        hit = self.hits[index]
        self.dismiss((hit.lesson.name, hit.heading))

    def action_to_results(self) -> None:
        if self.hits:
            self.query_one("#search-results", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _snippet(text: str, width: int = 60) -> str:
    """One line of Markdown as plain words: link targets, emphasis and heading marks dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]{1,3}", "", text).lstrip("#> ")
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
