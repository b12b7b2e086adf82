"""The Calculator mode: one layer's output shape, parameters, MACs and receptive field, or a chain.

The form on the left holds one layer (kind, input, kernel, stride, padding, dilation, groups,
filters, output padding, bias). In single-layer view the right pane shows the working; in chain
view (`c`) it shows the stack of layers with shapes, parameters, the growing receptive field and
effective stride, and the form edits the selected layer. Everything is computed by
`cnntui.calc.layer`, the same code behind `cnntui calc`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from cnntui.calc import presets as calc_presets
from cnntui.calc.chain import analyze_chain
from cnntui.calc.chain_presets import CHAIN_PRESETS, chain_preset
from cnntui.calc.layer import FeatureShape, LayerSpec, analyze_layer
from cnntui.errors import ShapeError
from cnntui.i18n import N_, _
from cnntui.text import ascii_text, fraction_text, short_count
from cnntui.ui.calc.chain_editing import ChainEditing
from cnntui.ui.calc.fields import form_fields, hint_text, spec_from_values, values_from_spec
from cnntui.ui.calc.report import CalcReport
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.ascii_keys import use_ascii_keys
from cnntui.ui.shared.focus import FocusKeepingScreen
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.form import CalcForm
from cnntui.ui.shared.lab_commands import CalcCommands
from cnntui.ui.shared.mode_bar import ModeBar


class CalcScreen(ChainEditing, FocusKeepingScreen):
    """The Calculator: `#calc-form` (the layer) beside `#calc-report` or `#calc-chain`."""

    DEFAULT_CSS = """
    #calc-main { height: 1fr; }
    #calc-left {
        width: 26;
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
    }
    #calc-left:focus-within { border: round $accent; }
    #calc-right {
        width: 1fr;
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
    }
    #calc-right:focus-within { border: round $accent; }
    #calc-edit { margin: 1 0 0 0; }
    #calc-hint { color: $text-muted; padding: 0 1; height: auto; }
    #calc-chain { height: 1fr; max-height: 14; }
    #calc-right.-chain #calc-report-scroll { height: auto; max-height: 8; }
    #calc-report-scroll { height: 1fr; }
    CalcScreen .-hidden { display: none; }
    #calc-quiz-dialog { height: auto; max-height: 22; }
    #calc-quiz-question, #calc-quiz-feedback { height: auto; margin: 0 0 1 0; }
    #calc-quiz-feedback.-correct { color: $text-success; }
    #calc-quiz-feedback.-wrong { color: $text-warning; }
    """

    COMMANDS = {CalcCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "toggle_chain", N_("Chain"), id="calc.chain"),
        Binding("p", "next_preset", N_("Preset"), id="calc.preset"),
        Binding("z", "quiz", N_("Quiz me"), id="calc.quiz"),
        Binding("a", "add_layer", N_("Add"), id="calc.add"),
        Binding("x", "remove_layer", N_("Del"), id="calc.remove"),
        Binding(
            "left_square_bracket", "move_layer(-1)", N_("Move"), key_display="[]", id="calc.up"
        ),
        Binding(
            "right_square_bracket", "move_layer(1)", N_("Move down"), show=False, id="calc.down"
        ),
        Binding("escape", "cancel_edit", N_("Cancel"), show=False, id="calc.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__(id="calc-screen")
        self.chain_view = False
        self.chain_layers: list[LayerSpec] = []
        self.chain_input = FeatureShape(227, 227, 3)
        self.selected = 0
        self.preset_name = ""
        self.preset_lesson = ""
        self.custom_chain: tuple[list[LayerSpec], FeatureShape] | None = None
        """The learner's own chain, kept while presets are shown; `p` cycles back to it."""
        self.editing: str | None = None
        self.quiz_seed: int | None = None
        """Seed for "quiz me" (tests fix it; None draws fresh questions)."""

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        with Horizontal(id="calc-main"):
            with Vertical(id="calc-left"):
                yield CalcForm(form_fields(), id="calc-form")
                yield Input(id="calc-edit", classes="-hidden")
                yield Static(id="calc-hint", markup=False)
            with Vertical(id="calc-right"):
                yield DataTable(
                    id="calc-chain", classes="-hidden", cursor_type="row", zebra_stripes=False
                )
                with VerticalScroll(id="calc-report-scroll"):
                    yield CalcReport(id="calc-report")
        # Compact, as in the other labs: with `--ascii` the arrows read `left/right` and the
        # roomy footer would cut off the last keys at 80 columns.
        yield Footer(compact=True)

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.query_one("#calc-form", CalcForm).focus()
        self.refresh_language()

    def refresh_language(self) -> None:
        """Re-set titles, table headers, hint and results in the current language."""
        self.query_one("#calc-left").border_title = _("Layer")
        if not self.chain_view:
            self.query_one("#calc-right").border_title = _("Result")
        table = self.query_one("#calc-chain", DataTable)
        table.clear(columns=True)
        table.add_columns(_("layer"), _("output"), _("params"), "RF", _("jump"))
        self.query_one("#calc-form", CalcForm).refresh()
        if self.editing is None:
            self._show_hint()
        if self.preset_lesson and self.preset_name in CHAIN_PRESETS:
            preset = chain_preset(self.preset_name)
            self.preset_lesson = f"{_(preset.title)}: {_(preset.lesson)}"
        self.recompute()

    # -- computing -------------------------------------------------------------------------------

    def recompute(self) -> None:
        """Read the form, update the layer (and the chain), and redraw the results."""
        form = self.query_one("#calc-form", CalcForm)
        values = form.values()
        kind = values["kind"]
        form.set_enabled(
            {
                "groups": kind in ("conv", "transposed"),
                "filters": kind in ("conv", "transposed", "linear"),
                "output_padding": kind == "transposed",
                "bias": kind in ("conv", "transposed", "linear"),
                "kernel": kind != "linear",
                "stride": kind != "linear",
                "padding": kind != "linear",
                "dilation": kind != "linear",
                "ceil_mode": kind in ("maxpool", "avgpool"),
            }
        )
        report = self.query_one("#calc-report", CalcReport)
        try:
            spec, shape = spec_from_values(values)
        except ShapeError as error:
            report.show_problem(str(error))
            return
        if self.chain_view:
            self.chain_input = shape
            if self.chain_layers:
                self.chain_layers[self.selected] = spec
            self._refresh_chain()
            return
        try:
            result = analyze_layer(spec, shape)
        except ShapeError as error:
            report.show_problem(str(error))
            return
        report.show_layer(result)

    def _refresh_chain(self) -> None:
        table = self.query_one("#calc-chain", DataTable)
        chain = analyze_chain(self.chain_layers, self.chain_input)
        ascii_mode = ascii_only(self)

        def t(text: str) -> str:
            return ascii_text(text) if ascii_mode else text

        table.clear()
        for index, spec in enumerate(self.chain_layers):
            if index < len(chain.rows):
                row = chain.rows[index]
                cells = (
                    t(spec.describe(compact=True)),
                    t(row.report.output.text()),
                    short_count(row.report.params),
                    fraction_text(row.field[0]),
                    fraction_text(row.jump[0]) if spec.kind != "linear" else "-",
                )
            else:
                fits = _("does not fit") if index == chain.error_index else ""
                cells = (t(spec.describe(compact=True)), fits, "", "", "")
            table.add_row(*cells)
        if self.chain_layers:
            table.move_cursor(row=self.selected)
        self.query_one("#calc-report", CalcReport).show_chain_summary(
            chain, self.selected, self.preset_lesson
        )
        title = _("Chain: {name}").format(name=self.preset_name or _("custom"))
        self.query_one("#calc-right").border_title = t(title)

    # -- events ----------------------------------------------------------------------------------

    @on(CalcForm.Changed, "#calc-form")
    def _changed(self) -> None:
        self.preset_lesson = "" if not self.chain_view else self.preset_lesson
        self.recompute()

    @on(CalcForm.EditRequested, "#calc-form")
    def _edit(self, message: CalcForm.EditRequested) -> None:
        editor = self.query_one("#calc-edit", Input)
        self.editing = message.key
        editor.value = message.value
        editor.remove_class("-hidden")
        editor.focus()
        field = self.query_one("#calc-form", CalcForm).field(message.key)
        choices = f" ({', '.join(field.choices)})" if field.choices else ""
        examples = {
            "padding": _(" (a number, HxW, same, valid or full)"),
            "input": _(" (like 227x227x3)"),
        }
        self.query_one("#calc-hint", Static).update(
            _("Type {field}{choices}; Enter to set, Esc to cancel").format(
                field=_(field.label), choices=choices or examples.get(field.key, "")
            )
        )

    @on(Input.Submitted, "#calc-edit")
    def _submit_edit(self, event: Input.Submitted) -> None:
        if self.editing is None:
            return
        form = self.query_one("#calc-form", CalcForm)
        key, self.editing = self.editing, None
        value = event.value.strip()
        field = form.field(key)
        if field.choices and value not in field.choices:
            self.notify(
                _("{field} must be one of {choices}").format(
                    field=_(field.label), choices=", ".join(field.choices)
                ),
                severity="warning",
            )
        elif value:
            form.set_value(key, value)
        self._close_editor()

    def _close_editor(self) -> None:
        editor = self.query_one("#calc-edit", Input)
        editor.add_class("-hidden")
        self.query_one("#calc-form", CalcForm).focus()
        self._show_hint()

    def action_cancel_edit(self) -> None:
        if self.editing is not None:
            self.editing = None
            self._close_editor()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()
        self._show_hint()

    def _show_hint(self) -> None:
        if self.editing is not None:
            return
        keys = hint_text(ascii_only(self), self.chain_view)
        self.query_one("#calc-hint", Static).update(keys)

    @on(DataTable.RowHighlighted, "#calc-chain")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not self.chain_view or not self.chain_layers or event.cursor_row == self.selected:
            return
        if event.cursor_row != event.data_table.cursor_row:
            return  # stale: posted while the table was being rebuilt
        self.selected = max(0, min(event.cursor_row, len(self.chain_layers) - 1))
        self._load_selected()

    def _load_selected(self) -> None:
        form = self.query_one("#calc-form", CalcForm)
        values = values_from_spec(self.chain_layers[self.selected])
        values["input"] = self.chain_input.text().replace("×", "x")
        form.set_values(values)
        self.recompute()

    # -- actions ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Layer-list keys work on the chain table; the form's own keys edit the selected layer.
        if action in ("add_layer", "remove_layer", "move_layer"):
            return self.chain_view and isinstance(self.focused, DataTable)
        return True

    def action_toggle_chain(self) -> None:
        self.chain_view = not self.chain_view
        table = self.query_one("#calc-chain", DataTable)
        table.set_class(not self.chain_view, "-hidden")
        self.query_one("#calc-right").set_class(self.chain_view, "-chain")
        if self.chain_view:
            if not self.chain_layers:
                try:
                    spec, shape = spec_from_values(self.query_one("#calc-form", CalcForm).values())
                except ShapeError:
                    spec, shape = (
                        LayerSpec.make("conv", 3, 1, 1, filters=16),
                        FeatureShape(32, 32, 3),
                    )
                self.chain_layers, self.chain_input, self.selected = [spec], shape, 0
            self._load_selected()
        else:
            self.query_one("#calc-right").border_title = _("Result")
            self.preset_lesson = ""
            self.recompute()
        self.refresh_bindings()
        self._show_hint()

    def action_next_preset(self) -> None:
        """The next preset chain; after the last one, the learner's own chain if there is one."""
        names = list(CHAIN_PRESETS)
        shown = self.preset_name if self.preset_name in names and not self._is_custom() else None
        index = names.index(shown) + 1 if shown is not None else 0
        if index == len(names) and self.custom_chain is not None:
            self._restore_custom()
            return
        self.load_chain(names[index % len(names)])

    def _is_custom(self) -> bool:
        """Whether the chain shown is the learner's: built by hand, or a preset they changed."""
        if not self.chain_layers:
            return False
        if self.preset_name not in CHAIN_PRESETS:
            return True
        preset = chain_preset(self.preset_name)
        return self.chain_layers != list(preset.layers)

    def _restore_custom(self) -> None:
        assert self.custom_chain is not None
        layers, shape = self.custom_chain
        self.chain_layers, self.chain_input = list(layers), shape
        self.selected = 0
        self.preset_name = self.preset_lesson = ""
        if not self.chain_view:
            self.action_toggle_chain()
        else:
            self._load_selected()

    def load_chain(self, name: str, input_shape: FeatureShape | None = None) -> None:
        if self.chain_view and self._is_custom():
            self.custom_chain = (list(self.chain_layers), self.chain_input)
            self.notify(_("your chain is kept: p after the last preset brings it back"), timeout=4)
        preset = chain_preset(name)
        self.chain_layers = list(preset.layers)
        self.chain_input = input_shape or preset.input
        self.selected = 0
        self.preset_name = name
        self.preset_lesson = f"{_(preset.title)}: {_(preset.lesson)}"
        if not self.chain_view:
            self.action_toggle_chain()
        else:
            self._load_selected()

    def action_quiz(self) -> None:
        from cnntui.ui.calc.quiz import CalcQuizScreen

        self.app.push_screen(CalcQuizScreen(self.quiz_seed))

    # -- lesson links ----------------------------------------------------------------------------

    def apply_preset(self, params: dict[str, str]) -> None:
        """Apply a `cnntui:calc?...` link; accepts exactly what `cnntui.calc.presets` validates."""
        preset, problems = calc_presets.parse(params)
        if problems:
            self.notify(problems[0], title="Calculator", severity="error")
            return
        if preset.chain:
            self.load_chain(preset.chain, FeatureShape.parse(preset.input))
            return
        spec, shape = calc_presets.layer_of(preset)
        if self.chain_view:
            self.action_toggle_chain()
        values = values_from_spec(spec)
        values["input"] = shape.text().replace("×", "x")
        self.query_one("#calc-form", CalcForm).set_values(values)
        self.recompute()
