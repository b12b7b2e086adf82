"""A keyboard form of named fields: ↑/↓ pick a field, ←/→ step its value, Enter types a new one.

Used by the Calculator (and reusable by any lab whose settings are a short list). The form holds
text values only; the screen turns them into numbers and shows any problem in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import RenderResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from cnntui.i18n import N_, _


@dataclass
class Field:
    """One row of the form.

    `step(value, direction)` returns the value one step up (+1) or down (−1); None means the field
    only changes by typing. `choices` makes ←/→ cycle through fixed words.
    """

    key: str
    label: str
    value: str
    choices: tuple[str, ...] = ()
    step: Callable[[str, int], str] | None = None
    hint: str = ""
    enabled: bool = True


SWITCH_WORDS = (N_("on"), N_("off"))
"""Choice values shown in the current language (typed, they stay the English words)."""


def shown_value(value: str) -> str:
    """A field's value as drawn: `on`/`off` translated, everything else (numbers, shapes, layer
    kinds) as it is."""
    return _(value) if value in SWITCH_WORDS else value


class CalcForm(Widget, can_focus=True):
    """The field list. Posts `Changed` after every change and `EditRequested` on Enter."""

    DEFAULT_CSS = """
    CalcForm {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", N_("Field"), show=False),
        Binding("down", "move(1)", N_("Field"), key_display="↑↓", show=False),
        Binding("left", "step(-1)", N_("−"), show=False),
        Binding("right", "step(1)", N_("Set"), key_display="←→"),
        Binding("enter", "edit", N_("Type"), id="calc.type"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class Changed(Message):
        form: CalcForm
        key: str
        value: str

        @property
        def control(self) -> CalcForm:
            return self.form

    @dataclass
    class EditRequested(Message):
        form: CalcForm
        key: str
        value: str

        @property
        def control(self) -> CalcForm:
            return self.form

    def __init__(self, fields: Sequence[Field], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields = list(fields)

    def values(self) -> dict[str, str]:
        return {field.key: field.value for field in self.fields}

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    def set_values(self, values: dict[str, str], *, notify: bool = False) -> None:
        """Replace several values at once (no `Changed` unless asked)."""
        for field in self.fields:
            if field.key in values:
                field.value = values[field.key]
        self.refresh(layout=True)
        if notify and self.fields:
            current = self.fields[self.cursor]
            self.post_message(self.Changed(self, current.key, current.value))

    def set_enabled(self, enabled: dict[str, bool]) -> None:
        for field in self.fields:
            if field.key in enabled:
                field.enabled = enabled[field.key]
        self.refresh()

    @property
    def current(self) -> Field:
        return self.fields[self.cursor]

    def action_move(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.fields)

    def action_step(self, direction: int) -> None:
        field = self.current
        if not field.enabled:
            return
        if field.choices:
            index = field.choices.index(field.value) if field.value in field.choices else -1
            field.value = field.choices[(index + direction) % len(field.choices)]
        elif field.step is not None:
            field.value = field.step(field.value, direction)
        else:
            return
        self.refresh(layout=True)
        self.post_message(self.Changed(self, field.key, field.value))

    def action_edit(self) -> None:
        field = self.current
        if field.enabled:
            self.post_message(self.EditRequested(self, field.key, field.value))

    def set_value(self, key: str, value: str) -> None:
        self.field(key).value = value
        self.refresh(layout=True)
        self.post_message(self.Changed(self, key, value))

    def watch_cursor(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if 0 <= event.y < len(self.fields):
            self.cursor = event.y

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self.fields)

    def render(self) -> RenderResult:
        # Labels are N_()-marked English, translated here so a language change shows at once;
        # padded by terminal cells, since Hangul takes two cells a letter.
        labels = [_(field.label) for field in self.fields]
        label_width = max(cell_len(label) for label in labels) + 1
        lines = []
        for index, field in enumerate(self.fields):
            marker = ">" if index == self.cursor else " "
            label = labels[index] + " " * (label_width - cell_len(labels[index]))
            text = Content.assemble(
                (
                    f"{marker} {label}",
                    "$text-muted" if field.enabled else "$text-disabled",
                ),
                (
                    shown_value(field.value) if field.enabled else "-",
                    "bold" if field.enabled else "$text-disabled",
                ),
            )
            if index == self.cursor and self.has_focus:
                text = text.stylize("reverse")
            elif index == self.cursor:
                text = text.stylize("underline")
            lines.append(text)
        return Content("\n").join(lines)

    def on_mount(self) -> None:
        from cnntui.ui.shared.ascii_keys import use_ascii_keys

        use_ascii_keys(self)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
