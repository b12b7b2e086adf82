"""The Conv Lab's settings dialog: mode, image, kernel, stride, padding, dilation, bias, ReLU.

Every change applies at once to the lab behind the dialog; the last line says what comes out, or,
for settings that cannot work, why — in words, with the numbers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cnntui import images
from cnntui.conv import kernels
from cnntui.conv.presets import WORKED_KERNEL_TEXT, ConvPreset
from cnntui.i18n import N_, _
from cnntui.text import ascii_text
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.ascii_keys import use_ascii_keys
from cnntui.ui.shared.form import CalcForm, Field

if TYPE_CHECKING:
    from cnntui.ui.conv.screen import ConvScreen

WORKED_EXAMPLE = "worked-example"


def _step_int(low: int, high: int):  # type: ignore[no-untyped-def]
    def step(value: str, direction: int) -> str:
        number = int(value) if value.strip().lstrip("-").isdigit() else low
        return str(max(low, min(high, number + direction)))

    return step


def _step_bias(value: str, direction: int) -> str:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    number += 0.5 * direction
    return f"{number:g}"


def fields_for(preset: ConvPreset) -> list[Field]:
    kernel_choices = ("max", "avg") if preset.mode == "pool" else tuple(kernels.names())
    image_choices = tuple(images.names()) + ((WORKED_EXAMPLE,) if preset.mode == "rgb" else ())
    return [
        Field("mode", N_("mode"), preset.mode, choices=("conv", "pool", "transposed", "rgb")),
        Field("image", N_("image"), preset.image or WORKED_EXAMPLE, choices=image_choices),
        Field("kernel", N_("kernel"), preset.kernel, choices=kernel_choices),
        Field("size", N_("pool size"), str(preset.size), step=_step_int(1, 7)),
        Field("stride", N_("stride"), str(preset.stride), step=_step_int(1, 8)),
        Field("padding", N_("padding"), str(preset.padding), step=_step_int(0, 8)),
        Field("padding_mode", N_("pad mode"), preset.padding_mode, choices=("zero", "replicate")),
        Field("dilation", N_("dilation"), str(preset.dilation), step=_step_int(1, 6)),
        Field("output_padding", N_("output pad"), str(preset.output_padding), step=_step_int(0, 7)),
        Field("bias", N_("bias"), f"{preset.bias:g}", step=_step_bias),
        Field("relu", "ReLU", "on" if preset.relu else "off", choices=("on", "off")),
    ]


class ConvSettingsScreen(ModalScreen[None]):
    """↑↓ pick, ←→ change, Enter type (a path, kernel rows, a number), Esc close."""

    DEFAULT_CSS = """
    ConvSettingsScreen { align: right middle; }
    #conv-settings-dialog {
        dock: right;
        width: 46;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        border-title-color: $text-accent;
        background: $surface;
        padding: 0 1;
    }
    #conv-settings-status { height: auto; margin: 1 0 0 0; }
    #conv-settings-status.-problem { color: $text-warning; }
    #conv-settings-edit.-hidden { display: none; }
    #conv-settings-hint { color: $text-muted; height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="conv.settings.close"),
        Binding("o", "close", N_("Close"), show=False),
    ]

    def __init__(self, lab: ConvScreen) -> None:
        super().__init__(id="conv-settings")
        self.lab = lab
        self.editing: str | None = None

    def _t(self, text: str) -> str:
        return ascii_text(text) if ascii_only(self) else text

    def compose(self) -> ComposeResult:
        with Vertical(id="conv-settings-dialog"):
            yield CalcForm(fields_for(self.lab.preset), id="conv-settings-form")
            yield Input(id="conv-settings-edit", classes="-hidden")
            yield Static(id="conv-settings-status", markup=False)
            yield Static(
                self._t(_("↑↓ setting  ←→ change  Enter type  Esc close")),
                id="conv-settings-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.query_one("#conv-settings-form", CalcForm).focus()
        self._enable()
        self.refresh_language()

    def refresh_language(self) -> None:
        """Re-set the title, field labels, status and hint in the current language."""
        self.query_one("#conv-settings-dialog").border_title = _("Conv Lab settings")
        self.query_one("#conv-settings-form", CalcForm).refresh()
        self._status()
        if self.editing is None:
            self.query_one("#conv-settings-hint", Static).update(
                self._t(_("↑↓ setting  ←→ change  Enter type  Esc close"))
            )

    def _enable(self) -> None:
        mode = self.lab.preset.mode
        self.query_one("#conv-settings-form", CalcForm).set_enabled(
            {
                "size": mode == "pool",
                "padding_mode": mode in ("conv", "rgb"),
                "dilation": mode != "pool",
                "output_padding": mode == "transposed",
                "bias": mode != "pool",
                "relu": mode != "pool",
            }
        )

    def _status(self) -> None:
        status = self.query_one("#conv-settings-status", Static)
        lab = self.lab
        if lab.problem or lab.stepper is None:
            status.update(self._t(_("Cannot work: {problem}").format(problem=lab.problem)))
            status.add_class("-problem")
        else:
            rows, cols = lab.stepper.output_shape
            status.update(
                self._t(
                    _("Output {rows}×{cols}, {total} positions to step").format(
                        rows=rows, cols=cols, total=lab.stepper.total
                    )
                )
            )
            status.remove_class("-problem")

    def preset_from_form(self) -> ConvPreset:
        from cnntui.numeric import BIAS_LIMIT, parse_number

        values = self.query_one("#conv-settings-form", CalcForm).values()
        try:
            bias = parse_number(values["bias"], low=-BIAS_LIMIT, high=BIAS_LIMIT)
        except ValueError:
            bias = self.lab.preset.bias
        image = "" if values["image"] == WORKED_EXAMPLE else values["image"]
        return ConvPreset(
            mode=values["mode"],
            image=image,
            kernel=values["kernel"],
            size=int(values["size"]),
            stride=int(values["stride"]),
            padding=int(values["padding"]),
            padding_mode=values["padding_mode"],
            dilation=int(values["dilation"]),
            output_padding=int(values["output_padding"]),
            bias=bias,
            relu=values["relu"] == "on",
        )

    @on(CalcForm.Changed, "#conv-settings-form")
    def _changed(self, message: CalcForm.Changed) -> None:
        form = self.query_one("#conv-settings-form", CalcForm)
        if message.key == "mode":
            # Each mode brings its own kinds of kernel and image; keep them meaningful.
            old = self.lab.preset
            preset = replace(self.preset_from_form())
            if preset.mode == "pool" and preset.kernel not in ("max", "avg"):
                preset = replace(preset, kernel="max", stride=preset.size)
            elif preset.mode != "pool" and preset.kernel in ("max", "avg"):
                preset = replace(preset, kernel="laplacian", stride=1)
            if preset.mode == "rgb" and old.mode != "rgb":
                preset = replace(
                    preset, image="", kernel=WORKED_KERNEL_TEXT, bias=1.0, padding=1, stride=1
                )
            elif not preset.image:
                preset = replace(preset, image="digit-7-16")
            fresh = fields_for(preset)
            form.fields[:] = fresh
            form.refresh(layout=True)
            self.lab.set_preset(preset)
            self._enable()
        else:
            self.lab.set_preset(self.preset_from_form())
        self._status()

    @on(CalcForm.EditRequested, "#conv-settings-form")
    def _edit(self, message: CalcForm.EditRequested) -> None:
        editor = self.query_one("#conv-settings-edit", Input)
        self.editing = message.key
        editor.value = message.value
        editor.remove_class("-hidden")
        editor.focus()
        hints = {
            "image": _("a bundled name or a .pgm/.ppm/.png/.jpg/.txt path"),
            "kernel": _("a preset name or rows like 0,1,0;1,-4,1;0,1,0"),
        }
        label = _(self.query_one("#conv-settings-form", CalcForm).field(message.key).label)
        self.query_one("#conv-settings-hint", Static).update(
            self._t(
                _("Type the {field}").format(field=label)
                + (f" ({hints[message.key]})" if message.key in hints else "")
                + _("; Enter set, Esc cancel")
            )
        )

    @on(Input.Submitted, "#conv-settings-edit")
    def _submit(self, event: Input.Submitted) -> None:
        if self.editing is None:
            return
        key, self.editing = self.editing, None
        form = self.query_one("#conv-settings-form", CalcForm)
        value = event.value.strip()
        field = form.field(key)
        accepted = self._accepts(key, value)
        if accepted is not None:
            self.notify(accepted, title="Conv Lab", severity="warning")
        elif value:
            if field.choices and value not in field.choices:
                field.choices = (*field.choices, value)
            form.set_value(key, value)
        self._close_editor()

    def _accepts(self, key: str, value: str) -> str | None:
        """Why a typed value is refused, or None when it can be tried."""
        from cnntui.errors import CnnTuiError

        if key == "image":
            try:
                images.load(value)
            except CnnTuiError as error:
                return str(error)
        elif key == "kernel" and self.lab.preset.mode != "pool":
            try:
                kernels.get(value)
            except CnnTuiError as error:
                return str(error)
        elif key in ("size", "stride", "padding", "dilation", "output_padding"):
            from cnntui.numeric import valid_number

            if not valid_number(value, integer=True, low=0):
                return _("{field} must be a whole number").format(
                    field=_(self.query_one("#conv-settings-form", CalcForm).field(key).label)
                )
        elif key == "bias":
            from cnntui.numeric import BIAS_LIMIT, valid_number

            if not valid_number(value, low=-BIAS_LIMIT, high=BIAS_LIMIT):
                return _("bias must be a number from {low} to {high}").format(
                    low=f"{-BIAS_LIMIT:g}", high=f"{BIAS_LIMIT:g}"
                )
        return None

    def _close_editor(self) -> None:
        self.query_one("#conv-settings-edit", Input).add_class("-hidden")
        self.query_one("#conv-settings-hint", Static).update(
            self._t(_("↑↓ setting  ←→ change  Enter type  Esc close"))
        )
        self.query_one("#conv-settings-form", CalcForm).focus()

    def action_close(self) -> None:
        if self.editing is not None:
            self.editing = None
            self._close_editor()
            return
        self.dismiss(None)
