"""The Models mode's spec editor (`e`): your own network as TOML, checked as you type.

The text is parsed and built a short pause after the last keystroke (`SPEC_DEBOUNCE_S`); the
problems (with their line) or "valid: N parameters" show under the editor, and `Validated` tells
the screen to redraw the summary of the network built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from cnntui.errors import UsageError
from cnntui.i18n import N_, _
from cnntui.i18n import Message as Words
from cnntui.paths import check_user_path
from cnntui.ui.shared.access import ascii_only
from cnntui.zoo.spec import (
    EXAMPLE_SPEC,
    SpecError,
    SpecProblem,
    load_spec_text,
    read_spec_file,
    save_spec_file,
)
from cnntui.zoo.summary import asciify

SPEC_DEBOUNCE_S = 0.25
SHOWN_PROBLEMS = 4


class SpecEditor(Vertical):
    """A TOML editor and the problems of its text; `module` is the network built, or None."""

    DEFAULT_CSS = """
    SpecEditor #spec-editor {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
        &:focus { border: round $accent; }
    }
    SpecEditor #spec-problems { height: auto; max-height: 5; padding: 0 1; }
    """

    class Validated(Message):
        """The text was checked again (after a typing pause, a file opened); read `module`."""

    class Saved(Message):
        """The text was saved to `path`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = EXAMPLE_SPEC
        self.problems: list[SpecProblem] = []
        self.module: Any = None
        """The network the text builds (a `cnntui.engine.nn.Module`), None while it has problems."""
        self.input_shape: tuple[int, ...] = ()
        self.network_name = ""
        self.path: Path | None = None
        """The file last opened or saved, if any."""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TextArea(self.text, id="spec-editor", soft_wrap=False, show_line_numbers=True)
        yield Static(id="spec-problems")

    def on_mount(self) -> None:
        self.refresh_language()

    def refresh_language(self) -> None:
        """Re-set the editor's titles and the problems line in the current language."""
        editor = self.query_one("#spec-editor", TextArea)
        editor.border_title = _("Your network (TOML)")
        editor.border_subtitle = _("^s save  ^o open  ^g go to error")
        if self.module is not None or self.problems:  # validated: redraw its verdict
            self._show_problems()

    def focus_text(self) -> None:
        self.query_one("#spec-editor", TextArea).focus()

    def save(self) -> None:
        """Ask for a file name and save the text there (atomically)."""
        from cnntui.ui.models.dialogs import PathScreen

        default = str(self.path) if self.path else f"{self.network_name or 'my-network'}.toml"
        self.app.push_screen(PathScreen(Words(N_("Save the spec as:")), default), self._save_to)

    def _save_to(self, value: str | None) -> None:
        if not value:
            return
        try:
            path = check_user_path(value, write=True)
            save_spec_file(path, self.text)
        except UsageError as exc:
            self.notify(str(exc), title=_("Save"), severity="error")
            return
        self.path = path
        self.post_message(self.Saved())
        self.notify(_("Saved {path}").format(path=path), title=_("Your network"))

    def open(self) -> None:
        """Ask for a spec file and load it into the editor."""
        from cnntui.ui.models.dialogs import PathScreen

        default = str(self.path) if self.path else "my-network.toml"
        self.app.push_screen(PathScreen(Words(N_("Open a spec file:")), default), self._open_from)

    def _open_from(self, value: str | None) -> None:
        if value:
            self.open_path(Path(value))

    def open_path(self, path: Path) -> None:
        """Load the spec file at `path` into the editor (a notice if it cannot be read, or if it
        lies outside the folders a served session may open: `cnntui.paths`)."""
        try:
            path = check_user_path(str(path))
            text = read_spec_file(path)
        except UsageError as exc:
            self.notify(str(exc), title=_("Open"), severity="error")
            return
        self.path = path
        self.text = text
        self.query_one("#spec-editor", TextArea).load_text(text)
        self.validate()
        self.post_message(self.Validated())

    @on(TextArea.Changed, "#spec-editor")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.text = event.text_area.text
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SPEC_DEBOUNCE_S, self._typing_paused)

    def _typing_paused(self) -> None:
        self.validate()
        self.post_message(self.Validated())

    def validate(self) -> None:
        """Parse and build the text now; show its problems, or its parameter count when valid."""
        self._timer = None
        try:
            built = load_spec_text(self.text)
        except SpecError as exc:
            self.problems = exc.problems
            self.module = None
        except RecursionError:
            self.problems = [SpecProblem(0, "the spec nests too deeply")]
            self.module = None
        else:
            self.problems = []
            self.module = built.module
            self.input_shape = built.input_shape
            self.network_name = built.spec.name
        self._show_problems()

    def _show_problems(self) -> None:
        plain = ascii_only(self)
        view = self.query_one("#spec-problems", Static)
        if not self.problems:
            mark = "+" if plain else "✓"
            params = self.module.num_parameters()
            view.update(
                Text(
                    f"{mark} " + _("valid: {params} parameters").format(params=f"{params:,}"),
                    style="green",
                )
            )
            return
        mark = "x" if plain else "✗"
        lines = []
        for problem in self.problems[:SHOWN_PROBLEMS]:
            # Messages are made in the language current at validation; fixed ones (N_) are
            # translated here, so they follow a language switch too.
            message = _(problem.message)
            if problem.line:
                message = _("line {line}: {message}").format(line=problem.line, message=message)
            lines.append(Text(f"{mark} {asciify(message) if plain else message}", style="red"))
        if len(self.problems) > SHOWN_PROBLEMS:
            more = len(self.problems) - SHOWN_PROBLEMS
            lines.append(Text("  " + _("and {count} more").format(count=more), style="red"))
        view.update(Text("\n").join(lines))

    def goto_problem(self) -> bool:
        """Select the line of the first problem and focus the text; False if there is none."""
        if not self.problems:
            return False
        line = self.problems[0].line
        editor = self.query_one("#spec-editor", TextArea)
        if line > 0:
            editor.select_line(min(line - 1, editor.document.line_count - 1))
        editor.focus()
        return True
