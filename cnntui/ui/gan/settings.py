"""The 2-D GAN's settings as a compact form: one line per setting, checked before it closes."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cnntui.gan.distributions import BUILTIN
from cnntui.gan.gan2d import OPTIMIZERS, Gan2dSettings
from cnntui.gan.losses import LOSS_NAMES
from cnntui.i18n import N_, _
from cnntui.numeric import parse_number

# (field, label, kind, choices) in display order; kind is "choice", "int" or "float"
FORM: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("data", N_("data"), "choice", (*BUILTIN, "drawn")),
    ("loss", N_("loss"), "choice", LOSS_NAMES),
    ("g_optimizer", N_("G optimiser"), "choice", OPTIMIZERS),
    ("g_lr", N_("G learning rate"), "float", ()),
    ("d_optimizer", N_("D optimiser"), "choice", OPTIMIZERS),
    ("d_lr", N_("D learning rate"), "float", ()),
    ("d_steps", N_("D steps per G step"), "int", ()),
    ("noise_dim", N_("noise dimension"), "int", ()),
    ("hidden", N_("neurons per layer"), "int", ()),
    ("layers", N_("hidden layers"), "int", ()),
    ("batch", N_("batch size"), "int", ()),
    ("seed", N_("seed"), "int", ()),
)

FORM_TITLE = N_("2-D GAN settings  (tab: next, enter: apply, escape: cancel)")
KIND_HINTS = {"int": N_("whole number"), "float": N_("number")}
"""The placeholder of a numeric field, by kind."""


def parse_form(base: Gan2dSettings, values: dict[str, str]) -> Gan2dSettings:
    """New settings from the form's text; ValueError naming the field and what is valid."""
    changes: dict[str, Any] = {}
    for name, label, kind, choices in FORM:
        text = values.get(name, str(getattr(base, name))).strip()
        if kind == "choice":
            if text not in choices:
                raise ValueError(
                    _("{label}: '{text}' is not one of {choices}").format(
                        label=_(label), text=text, choices=", ".join(choices)
                    )
                )
            changes[name] = text
        else:
            try:
                number = parse_number(text, integer=kind == "int")
                changes[name] = int(number) if kind == "int" else number
            except ValueError:
                problem = (
                    _("{label}: '{text}' is not a whole number")
                    if kind == "int"
                    else _("{label}: '{text}' is not a number")
                )
                raise ValueError(problem.format(label=_(label), text=text)) from None
    if changes["data"] == "drawn" and not base.cells:
        raise ValueError(
            _("data: nothing drawn yet; press o in the 2-D GAN to draw a distribution")
        )
    settings = replace(base, **changes)
    settings.validate()
    return settings


class Gan2dSettingsScreen(ModalScreen[Gan2dSettings | None]):
    """Edit every setting; Enter applies (a fresh run when the nets' shape or data changed)."""

    DEFAULT_CSS = """
    Gan2dSettingsScreen { align: center middle; }
    Gan2dSettingsScreen > Vertical {
        width: 64; height: auto; max-height: 100%; padding: 0 1;
        border: round $accent; background: $panel;
    }
    Gan2dSettingsScreen Grid { grid-size: 2; grid-columns: 22 1fr; grid-rows: 1; height: auto; }
    Gan2dSettingsScreen Input { border: none; height: 1; padding: 0 1; }
    /* Textual's own `Input:focus` draws a tall border, which in a one-line row hides the text. */
    Gan2dSettingsScreen Input:focus { border: none; background: $boost; }
    Gan2dSettingsScreen #gan-settings-error { color: $error; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("enter", "apply", N_("Apply"), show=True),
    ]

    def __init__(self, settings: Gan2dSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_(FORM_TITLE), id="gan-settings-title")
            with Grid():
                for name, label, kind, choices in FORM:
                    yield Label(_(label), id=f"gan-set-label-{name}")
                    hint = " | ".join(choices) if kind == "choice" else _(KIND_HINTS[kind])
                    yield Input(
                        str(getattr(self.settings, name)), placeholder=hint, id=f"gan-set-{name}"
                    )
            yield Label("", id="gan-settings-error")

    def on_mount(self) -> None:
        for field in self.query(Input):
            if self.app.is_headless:
                field.cursor_blink = False
        self.query(Input).first().focus()

    def refresh_language(self) -> None:
        """Re-set the title, the labels and the numeric placeholders in the current language."""
        self.query_one("#gan-settings-title", Label).update(_(FORM_TITLE))
        for name, label, kind, _choices in FORM:
            self.query_one(f"#gan-set-label-{name}", Label).update(_(label))
            if kind != "choice":
                self.query_one(f"#gan-set-{name}", Input).placeholder = _(KIND_HINTS[kind])

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#gan-set-{name}", Input).value for name, *_ in FORM}

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        try:
            settings = parse_form(self.settings, self.values())
        except ValueError as exc:
            self.query_one("#gan-settings-error", Label).update(str(exc))
            return
        self.dismiss(settings)

    def action_cancel(self) -> None:
        self.dismiss(None)


assert {f.name for f in fields(Gan2dSettings)} - {name for name, *_ in FORM} == {"cells"}
