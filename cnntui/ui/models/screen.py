"""The Models mode: every architecture of the zoo, and your own, inspected layer by layer.

Left: the zoo (name and year), or the spec editor for your own network (`e`). Right: the chosen
model's layer tree (containers fold with `enter`; `+`/`-` set the depth), the highlighted layer's
settings and parameter formula, and the totals with the conv-versus-FC share. The input size is
editable (`i`); a size the network cannot take is explained at the layer where it breaks. `c`
compares with a second model, `d` draws the highlighted block. Everything shown comes from
`cnntui.zoo.summary`, the same code behind `cnntui summary`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Label, OptionList, Static
from textual.widgets.option_list import Option

from cnntui import zoo
from cnntui.i18n import _
from cnntui.ui.models.compare import CompareView
from cnntui.ui.models.diagram import DiagramView
from cnntui.ui.models.export import ask_to_export
from cnntui.ui.models.head import head_text
from cnntui.ui.models.input_size import InputSize
from cnntui.ui.models.keys import BINDINGS
from cnntui.ui.models.opening import Opening
from cnntui.ui.models.panels import LayerDetail, ModelTotals
from cnntui.ui.models.side_views import SideViews
from cnntui.ui.models.spec_editor import SpecEditor
from cnntui.ui.models.summary_view import SummaryView
from cnntui.ui.models.table import LayerTable
from cnntui.ui.shared.access import ascii_only as ascii_only_in
from cnntui.ui.shared.focus import FocusKeepingScreen
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.mode_bar import ModeBar
from cnntui.zoo import presets as models_presets
from cnntui.zoo.spec import (
    parse_shape,
)
from cnntui.zoo.summary import ModelSummary

MAX_DEPTH = 10
MAX_BATCH = 4096


class ModelsScreen(Opening, SideViews, FocusKeepingScreen):
    """The Models mode's screen; see the module docstring."""

    DEFAULT_CSS = (Path(__file__).parent / "models.tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.model_name: str = "lenet5"
        self.editing = False
        self.view = "summary"
        self.input_override: tuple[int, ...] | None = None
        self.depth = 2
        self.batch_size = 1
        self.compare_with: str | None = None
        self.aux_logits = False
        """GoogLeNet's auxiliary classifiers shown (`a`)."""
        self.summary: ModelSummary | None = None
        self.imported: Any = None
        """An ONNX network opened with ^o (`cnntui.zoo.onnx_import.ImportedModel`), shown while set."""

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        with Horizontal(id="models-body"):
            with Vertical(id="models-left"):
                options = [Option(self._list_label(e), id=e.name) for e in zoo.entries()]
                yield OptionList(*options, id="models-list")
                yield SpecEditor(id="spec-pane")
            with Vertical(id="models-main"):
                yield Static(id="models-head")
                yield InputSize(id="models-controls")
                with ContentSwitcher(id="models-views", initial="view-summary"):
                    yield SummaryView(id="view-summary")
                    yield CompareView(id="view-compare")
                    yield DiagramView(id="view-diagram")
        yield Footer(compact=True)

    @staticmethod
    def _list_label(entry: zoo.ZooEntry) -> str:
        # A long name is shown whole, without its year (the heading gives the year).
        return entry.name if len(entry.name) > 13 else f"{entry.name:<13} {entry.year}"

    def on_mount(self) -> None:
        self.query_one("#models-list", OptionList).border_title = _("Models")
        self._select_in_list(self.model_name)
        self.show_model(self.model_name)
        self.query_one("#models-list", OptionList).focus()

    def refresh_language(self) -> None:
        """Redraw every label, title and panel in the current language (after F2)."""
        self.query_one("#models-list", OptionList).border_title = _("Models")
        self.query_one("#models-input-label", Label).update(_("input (i)"))
        table = self.query_one("#models-table", LayerTable)
        table.refresh_language()
        self.spec_editor.refresh_language()
        self.refresh_summary(keep_fold=True)
        self.query_one(LayerDetail).show(table.selected_row())

    @property
    def ascii_only(self) -> bool:
        return ascii_only_in(self)

    # -- what is shown -------------------------------------------------------------------------

    def _select_in_list(self, name: str) -> None:
        option_list = self.query_one("#models-list", OptionList)
        try:
            option_list.highlighted = option_list.get_option_index(name)
        except Exception:  # not in the list: nothing to highlight
            return

    def show_model(self, name: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Summarise a zoo model at its default input (or `input_shape`) and highlight it in
        the list (for callers other than the list itself: presets, leaving the editor)."""
        self._select_in_list(zoo.get(name).name)
        self._show_entry(name, input_shape)

    def _show_entry(self, name: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Summarise a zoo model without touching the list: the list's own highlight calls this,
        and writing the highlight back would answer each list message with another one."""
        entry = zoo.get(name)
        self.model_name = entry.name
        self.imported = None
        self.refresh_bindings()
        self.editing = False
        self.set_class(False, "-editing")
        self.input_override = input_shape
        self.query_one(InputSize).show_shape(input_shape or entry.input_shape)
        self.refresh_summary()

    @property
    def spec_editor(self) -> SpecEditor:
        return self.query_one(SpecEditor)

    def _current(self) -> tuple[str, Any, tuple[int, ...]]:
        """(display name, module, input shape) of what is shown now."""
        spec = self.spec_editor
        if self.editing and spec.module is not None:
            return spec.network_name, spec.module, self.input_override or spec.input_shape
        if self.imported is not None:
            imported = self.imported
            return imported.name, imported.module, self.input_override or imported.input_shape
        entry = zoo.get(self.model_name)
        options = {"aux_logits": True} if self.aux_logits and "aux_logits" in entry.options else {}
        return entry.name, entry.build(**options), self.input_override or entry.input_shape

    def refresh_summary(self, keep_fold: bool = False) -> None:
        """Recompute the summary of what is shown and redraw the table, detail and totals."""
        view = self.query_one(SummaryView)
        self._update_head()
        self._update_settings()
        self.summary = None
        if self.editing and self.spec_editor.module is None:
            view.show_nothing(_("fix the spec to see its layers"))
            return
        name, module, shape = self._current()
        self.summary, shown = view.show(
            name, module, shape, self.depth, self.batch_size, keep_fold=keep_fold
        )
        if shown:
            self._refresh_secondary()

    def _update_head(self) -> None:
        self.query_one("#models-head", Static).update(head_text(self))

    def _update_settings(self) -> None:
        dot = "|" if self.ascii_only else "·"
        view = {
            "summary": "",
            "compare": f" {dot} " + _("vs {name}").format(name=self.compare_with),
            "diagram": f" {dot} " + _("diagram"),
        }
        settings = _("depth {depth} (+ -) {dot} batch {batch} ([ ])").format(
            depth=self.depth, dot=dot, batch=self.batch_size
        )
        self.query_one(InputSize).show_settings(settings + view.get(self.view, ""))

    def _refresh_secondary(self) -> None:
        if self.view == "compare":
            self._draw_compare()
        elif self.view == "diagram":
            self._draw_diagram()

    # -- events --------------------------------------------------------------------------------

    def _follow_list(self) -> None:
        """Show the model the list highlights now.

        Keys typed ahead (two arrows in one SSH packet) queue several highlight messages; each
        message's own option is stale by the time it is handled, so the list's current highlight
        is what counts, and the list is only read here, never written.
        """
        option = self.query_one("#models-list", OptionList).highlighted_option
        if (
            option is not None
            and option.id
            and (option.id != self.model_name or self.imported is not None)
        ):
            self._show_entry(option.id)

    @on(OptionList.OptionHighlighted, "#models-list")
    def _model_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if not self.editing:
            self._follow_list()

    @on(OptionList.OptionSelected, "#models-list")
    def _model_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._follow_list()
            self.query_one("#models-table", LayerTable).focus()

    @on(LayerTable.Selected)
    def _layer_highlighted(self, event: LayerTable.Selected) -> None:
        if self.view == "diagram":
            self._draw_diagram()

    @on(InputSize.Changed)
    def _input_changed(self, event: InputSize.Changed) -> None:
        if event.shape != self.input_override:
            self.input_override = event.shape
            self.refresh_summary(keep_fold=True)
        if event.submitted:
            self.query_one("#models-table", LayerTable).focus()

    @on(InputSize.Invalid)
    def _input_invalid(self, event: InputSize.Invalid) -> None:
        if event.submitted:
            self.notify(
                _("Input size: {reason}").format(reason=event.reason),
                title=_("Models"),
                severity="warning",
            )
            return
        self.query_one("#models-totals", ModelTotals).show(
            None,
            error=_("input {text}: {reason}; type CxHxW, e.g. 3x224x224").format(
                text=repr(event.text), reason=event.reason
            ),
        )

    # -- actions ---------------------------------------------------------------------------------

    def action_depth(self, step: int) -> None:
        self.depth = max(1, min(MAX_DEPTH, self.depth + step))
        self.query_one("#models-table", LayerTable).set_depth(self.depth)
        self._update_settings()

    def action_batch(self, factor: float) -> None:
        self.batch_size = int(max(1, min(MAX_BATCH, self.batch_size * factor)))
        self._update_settings()
        self.query_one("#models-totals", ModelTotals).show(
            self.summary, self.batch_size
        ) if self.summary else None

    def action_focus_input(self) -> None:
        """Focus the input size with its text selected, so typing replaces it."""
        self.query_one(InputSize).focus_box()

    def action_focus_list(self) -> None:
        if self.editing:
            self.spec_editor.focus_text()
        else:
            self.query_one("#models-list", OptionList).focus()

    def action_back(self) -> None:
        if self.view != "summary":
            self._set_view("summary")
            return
        if self.editing:
            self.action_edit_spec()  # Esc leaves the spec editor, as the help says
            return
        self.query_one("#models-table", LayerTable).focus()

    # -- your own network ---------------------------------------------------------------------------

    def action_edit_spec(self) -> None:
        if self.editing:
            self.editing = False
            self.set_class(False, "-editing")
            self.input_override = None
            self.show_model(self.model_name)
            self.query_one("#models-list", OptionList).focus()
            return
        self.editing = True
        self.set_class(True, "-editing")
        self.spec_editor.validate()
        self._spec_validated()
        self.spec_editor.focus_text()

    @on(SpecEditor.Validated)
    def _spec_validated(self) -> None:
        """Show the summary of the network the spec builds (at its own input size)."""
        if self.editing:
            self.input_override = None
            spec = self.spec_editor
            if spec.module is not None:
                self.query_one(InputSize).show_shape(spec.input_shape)
            self.refresh_summary(keep_fold=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save_spec", "goto_problem"):
            return self.editing
        if action == "toggle_aux":
            return (
                not self.editing
                and self.imported is None
                and "aux_logits" in zoo.get(self.model_name).options
            )
        return True

    def action_toggle_aux(self) -> None:
        """Show or hide GoogLeNet's two auxiliary classifiers (side branches of the main path)."""
        self.aux_logits = not self.aux_logits
        self.refresh_summary(keep_fold=True)
        shown = _("Auxiliary classifiers shown.")
        message = shown if self.aux_logits else _("Auxiliary classifiers hidden.")
        self.notify(message, title=zoo.get(self.model_name).title)

    def action_goto_problem(self) -> None:
        if not self.spec_editor.goto_problem():
            self.notify(_("The spec has no problems."), title=_("Your network"))

    def action_save_spec(self) -> None:
        self.spec_editor.save()

    @on(SpecEditor.Saved)
    def _spec_saved(self) -> None:
        self._update_head()

    def action_export(self) -> None:
        """Write what is shown as PyTorch source (the same file `cnntui export pytorch` writes)."""
        ask_to_export(self, *self._current())

    # -- lesson links ------------------------------------------------------------------------------

    def apply_preset(self, params: dict[str, str]) -> None:
        """Show what a `cnntui:models?...` link asks for (see `cnntui.zoo.presets`)."""
        problems = models_presets.validate(params)
        if problems:
            self.notify(problems[0], title=_("Models"), severity="error")
            return
        if self.editing:
            self.action_edit_spec()
        if "depth" in params:
            self.depth = int(params["depth"])
        compare_names = (
            [n.strip() for n in params["compare"].split(",")] if "compare" in params else []
        )
        name = params.get("model") or (compare_names[0] if compare_names else self.model_name)
        shape = parse_shape(params["input"]) if "input" in params else None
        self._select_in_list(zoo.get(name).name)
        self.show_model(name, shape)
        if "layer" in params:
            self.query_one("#models-table", LayerTable).select_layer(params["layer"])
        view = params.get("view") or ("compare" if compare_names else "summary")
        if compare_names:
            self.compare_with = zoo.get(compare_names[1]).name
        if view == "compare" and self.compare_with is None:
            view = "summary"
        if view == "spec":
            self.action_edit_spec()
            return
        self._set_view(view)
        self.query_one("#models-table", LayerTable).focus()
