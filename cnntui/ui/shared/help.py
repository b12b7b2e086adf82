"""`?` (or F1): every key that works where the user is, grouped, plus the modes and how to move."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cnntui.i18n import N_, _
from cnntui.ui.shared.access import ascii_only

MOVING_AROUND = (
    ("tab / shift+tab", N_("move between panes, fields and buttons")),
    ("up / down, pgup / pgdn", N_("scroll, or move in a list")),
    ("home / end", N_("go to the top or bottom")),
    ("enter", N_("choose, follow, submit an answer")),
    ("escape", N_("close a dialog")),
    ("ctrl+p", N_("command palette: every mode, lesson and command by name")),
    ("ctrl+q", N_("quit from anywhere")),
)


def _describe(binding: Binding) -> str:
    if binding.action == "command_palette":
        return _("Command palette")
    if binding.description:
        description = _(binding.description)
        return description[:1].upper() + description[1:]
    return binding.action.rsplit(".", 1)[-1].split("(", 1)[0].replace("_", " ").capitalize()


def _own_actions(node: Any) -> set[str]:
    """Actions bound by cnntui's own classes in `node`'s class hierarchy (not Textual's)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("cnntui."):
            continue
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            actions.add(binding.action)
    return actions


def key_rows(app: Any, screen: Screen[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Groups of (key, what it does) for the help screen, from the live bindings of `screen`."""
    mode_rows: list[tuple[str, str]] = []
    specs = app.mode_specs
    for spec in specs.values():
        mode_rows.append((spec.key, f"{_(spec.title)}: {_(spec.description)}"))
    # Keys bound to the same action on the same node share one row: "q, ^q  Quit".
    merged: dict[tuple[int, str], tuple[Any, list[str], str]] = {}
    # Focus moving and copying are Textual's own; "Moving around" explains them once.
    inherited = {binding.action for binding in Binding.make_bindings(Screen.BINDINGS)}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or binding.action.startswith("app.switch_to"):
            continue
        if active.node is not app and active.node is not screen:
            # A focused cnntui widget (a GAN view, the calculator's form) has keys of its own;
            # Textual's widgets (inputs, tables) keep their standard editing keys out of the list.
            if binding.action not in _own_actions(active.node):
                continue
        if active.node is screen and binding.action in inherited:
            continue
        slot = (id(active.node), binding.action)
        display = app.get_key_display(binding)
        if slot not in merged:
            merged[slot] = (active.node, [], _describe(binding))
        if display not in merged[slot][1]:
            merged[slot][1].append(display)
    app_rows: list[tuple[str, str]] = []
    screen_rows: list[tuple[str, str]] = []
    for node, displays, what in merged.values():
        row = (", ".join(sorted(displays, key=len)), what)
        if row not in screen_rows and row not in app_rows:
            (app_rows if node is app else screen_rows).append(row)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if screen_rows:
        title = _(getattr(screen, "HELP_TITLE", None) or N_("This screen"))
        groups.append((title, sorted(screen_rows)))
    if mode_rows:
        groups.append((_("Modes"), mode_rows))
    groups.append((_("Everywhere"), sorted(app_rows)))
    groups.append((_("Moving around"), [(key, _(what)) for key, what in MOVING_AROUND]))
    return groups


class HelpScreen(ModalScreen[None]):
    """Lists the keys of the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q,f1", "close", N_("Close"), id="help.close"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__(id="help-screen")
        self.source = screen
        self.groups = self._groups()

    def _groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        screen = self.source
        groups = key_rows(screen.app, screen)
        if ascii_only(screen):
            # Descriptions and labels may hold symbols (×, −); `--ascii` shows none.
            from cnntui.text import ascii_text

            groups = [
                (ascii_text(title), [(ascii_text(key), ascii_text(what)) for key, what in rows])
                for title, rows in groups
            ]
        return groups

    def refresh_language(self) -> None:
        """Every key's description in the language now current (F2 while the help is open)."""
        self.groups = self._groups()
        self.refresh(recompose=True)
        self.call_after_refresh(self._focus_body)

    def _focus_body(self) -> None:
        self.query_one("#help-body").focus()

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog") as dialog:
            dialog.border_title = _("Keys")
            with VerticalScroll(id="help-body"):
                for title, rows in self.groups:
                    yield Static(title, classes="help-group", markup=False)
                    width = max((len(key) for key, _what in rows), default=0)
                    text = "\n".join(f"  {key:<{width}}  {what}" for key, what in rows)
                    yield Static(text, classes="help-keys", markup=False)
            yield Static(_("Esc, ? or q: close"), classes="dialog-hint")

    def on_mount(self) -> None:
        self._focus_body()

    def action_close(self) -> None:
        self.dismiss(None)
