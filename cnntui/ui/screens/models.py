"""The Models mode: every architecture of the zoo, and your own, inspected layer by layer.

Left: the zoo (name and year), or the spec editor for your own network (`e`). Right: the chosen
model's layer tree (containers fold with `enter`; `+`/`-` set the depth), the highlighted layer's
settings and parameter formula, and the totals with the conv-versus-FC share. The input size is
editable (`i`); a size the network cannot take is explained at the layer where it breaks. `c`
compares with a second model, `d` draws the highlighted block. Everything shown comes from
`cnntui.zoo.summary`, the same code behind `cnntui summary`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    ContentSwitcher,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from cnntui import zoo
from cnntui.errors import ShapeError, UsageError
from cnntui.presets import models as models_presets
from cnntui.ui.widgets.mode_bar import ModeBar
from cnntui.ui.widgets.models_panels import LayerDetail, ModelTotals
from cnntui.ui.widgets.models_table import LayerTable
from cnntui.zoo.spec import EXAMPLE_SPEC, SpecError, SpecProblem, load_spec_text, parse_shape
from cnntui.zoo.summary import LayerShapeError, ModelSummary, asciify, format_shape, summarize

MAX_DEPTH = 10
MAX_BATCH = 4096
MAX_SPEC_BYTES = 1 << 20
SPEC_DEBOUNCE_S = 0.25


class ModelsScreen(Screen[None]):
    """The Models mode's screen; see the module docstring."""

    DEFAULT_CSS = """
    ModelsScreen #models-body { height: 1fr; }
    ModelsScreen #models-left { width: 24; height: 1fr; }
    ModelsScreen.-editing #models-left { width: 42; }
    ModelsScreen.-wide #models-left { display: none; }
    ModelsScreen #models-list {
        height: 1fr;
        scrollbar-size-vertical: 1;
        border: round $primary 50%;
        border-title-color: $text-primary;
        &:focus { border: round $accent; }
    }
    ModelsScreen #spec-pane { display: none; height: 1fr; }
    ModelsScreen.-editing #spec-pane { display: block; }
    ModelsScreen.-editing #models-list { display: none; }
    ModelsScreen #spec-editor {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
        &:focus { border: round $accent; }
    }
    ModelsScreen #spec-problems { height: auto; max-height: 5; padding: 0 1; }
    ModelsScreen #models-main { width: 1fr; height: 1fr; }
    ModelsScreen #models-head { height: 1; padding: 0 1; }
    ModelsScreen #models-controls { height: 1; padding: 0 1; }
    ModelsScreen #models-controls Label { width: auto; color: $text-muted; }
    ModelsScreen #models-input { width: 12; margin: 0 1; }
    ModelsScreen #models-settings { width: 1fr; color: $text-muted; }
    ModelsScreen #models-views { height: 1fr; }
    ModelsScreen #view-summary { height: 1fr; }
    ModelsScreen #models-table { height: 1fr; }
    ModelsScreen #models-detail { height: 2; padding: 0 1; background: $boost; }
    ModelsScreen #models-totals { height: auto; max-height: 4; padding: 0 1; }
    ModelsScreen #view-compare { height: 1fr; }
    ModelsScreen #view-diagram { height: 1fr; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "compare", "Compare", id="models.compare"),
        Binding("d", "diagram", "Diagram", id="models.diagram"),
        Binding("e", "edit_spec", "Edit", id="models.edit"),
        # One footer entry for the pair (as in the Conv Lab), so that every key fits in 80 columns.
        Binding("plus,equals_sign", "depth(1)", "Depth", key_display="+-", id="models.depth_up"),
        Binding(
            "minus", "depth(-1)", "Depth-", key_display="-", show=False, id="models.depth_down"
        ),
        Binding(
            "right_square_bracket",
            "batch(2)",
            "Batch x2",
            key_display="]",
            show=False,
            id="models.batch_up",
        ),
        Binding(
            "left_square_bracket",
            "batch(0.5)",
            "Batch /2",
            key_display="[",
            show=False,
            id="models.batch_down",
        ),
        # Shown by the input box's own label, "input (i)", not in the footer.
        Binding("i", "focus_input", "Input", show=False, id="models.input"),
        Binding("a", "toggle_aux", "Aux", id="models.aux"),
        Binding("x", "export", "Export", id="models.export"),
        Binding("l", "focus_list", "List", show=False, id="models.list"),
        Binding("escape", "back", "Back", show=False, id="models.back"),
        # The editor's keys are shown on its own border (see on_mount), not in the footer.
        Binding("ctrl+s", "save_spec", "Save", show=False, id="models.save"),
        Binding("ctrl+o", "open_spec", "Open", show=False, id="models.open"),
        Binding("ctrl+g", "goto_problem", "Go to error", show=False, id="models.goto"),
    ]

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
        self.spec_text = EXAMPLE_SPEC
        self.spec_path: Path | None = None
        self.spec_problems: list[SpecProblem] = []
        self._spec_timer: Timer | None = None
        self._spec_module: Any = None
        self._spec_input: tuple[int, ...] = ()
        self._spec_name = ""
        self._quiet_input = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        with Horizontal(id="models-body"):
            with Vertical(id="models-left"):
                options = [Option(self._list_label(e), id=e.name) for e in zoo.entries()]
                yield OptionList(*options, id="models-list")
                with Vertical(id="spec-pane"):
                    yield TextArea(
                        self.spec_text, id="spec-editor", soft_wrap=False, show_line_numbers=True
                    )
                    yield Static(id="spec-problems")
            with Vertical(id="models-main"):
                yield Static(id="models-head")
                with Horizontal(id="models-controls"):
                    yield Label("input (i)")
                    yield Input(placeholder="CxHxW", id="models-input", compact=True)
                    yield Static(id="models-settings")
                with ContentSwitcher(id="models-views", initial="view-summary"):
                    with Vertical(id="view-summary"):
                        yield LayerTable(id="models-table")
                        yield LayerDetail(id="models-detail")
                        yield ModelTotals(id="models-totals")
                    yield DataTable(id="view-compare", cursor_type="row", zebra_stripes=True)
                    with VerticalScroll(id="view-diagram"):
                        yield Static(id="diagram-text")
        yield Footer(compact=True)

    @staticmethod
    def _list_label(entry: zoo.ZooEntry) -> str:
        return f"{entry.name:<13.13} {entry.year}"

    def on_mount(self) -> None:
        self.query_one("#models-list", OptionList).border_title = "Models"
        editor = self.query_one("#spec-editor", TextArea)
        editor.border_title = "Your network (TOML)"
        editor.border_subtitle = "^s save  ^o open  ^g go to error"
        self._select_in_list(self.model_name)
        self.show_model(self.model_name)
        self.query_one("#models-list", OptionList).focus()

    @property
    def ascii_only(self) -> bool:
        return bool(getattr(self.app, "ascii_mode", False))

    # -- what is shown -------------------------------------------------------------------------

    def _select_in_list(self, name: str) -> None:
        option_list = self.query_one("#models-list", OptionList)
        try:
            option_list.highlighted = option_list.get_option_index(name)
        except Exception:  # not in the list: nothing to highlight
            return

    def show_model(self, name: str, input_shape: tuple[int, ...] | None = None) -> None:
        """Summarise a zoo model at its default input (or `input_shape`)."""
        entry = zoo.get(name)
        self.model_name = entry.name
        self._select_in_list(entry.name)
        self.refresh_bindings()
        self.editing = False
        self.set_class(False, "-editing")
        self.input_override = input_shape
        self._set_input_text(input_shape or entry.input_shape)
        self.refresh_summary()

    def _set_input_text(self, shape: tuple[int, ...]) -> None:
        box = self.query_one("#models-input", Input)
        text = "x".join(str(s) for s in shape)
        if box.value != text:
            self._quiet_input = True
            box.value = text

    def _current(self) -> tuple[str, Any, tuple[int, ...]]:
        """(display name, module, input shape) of what is shown now."""
        if self.editing and self._spec_module is not None:
            return self._spec_name, self._spec_module, self.input_override or self._spec_input
        entry = zoo.get(self.model_name)
        options = {"aux_logits": True} if self.aux_logits and "aux_logits" in entry.options else {}
        return entry.name, entry.build(**options), self.input_override or entry.input_shape

    def refresh_summary(self, keep_fold: bool = False) -> None:
        """Recompute the summary of what is shown and redraw the table, detail and totals."""
        table = self.query_one("#models-table", LayerTable)
        totals = self.query_one("#models-totals", ModelTotals)
        self._update_head()
        self._update_settings()
        if self.editing and self._spec_module is None:
            self.summary = None
            table.show(None)
            totals.show(None, error="fix the spec to see its layers")
            return
        name, module, shape = self._current()
        try:
            summary = summarize(module, shape, name=name)
        except LayerShapeError as error:
            self.summary = None
            partial = ModelSummary(
                name,
                tuple(shape),
                (),
                module.num_parameters(),
                module.num_parameters(trainable_only=True),
                0,
                error.rows,
            )
            table.show(partial, self.depth, failed_at=error.layer or name, keep_fold=keep_fold)
            totals.show(None, error=f"input {format_shape(tuple(shape), self.ascii_only)}: {error}")
            if error.layer:
                table.select_layer(error.rows[-1].name) if error.rows else None
            self._refresh_secondary()
            return
        except ShapeError as error:
            self.summary = None
            table.show(None)
            totals.show(None, error=str(error))
            return
        self.summary = summary
        table.show(summary, self.depth, keep_fold=keep_fold)
        totals.show(summary, self.batch_size)
        self._refresh_secondary()

    def _update_head(self) -> None:
        head = self.query_one("#models-head", Static)
        text = Text()
        if self.editing:
            text.append(self._spec_name or "your network", style="bold")
            text.append("  your own network", style="dim")
            if self.spec_path is not None:
                text.append(f"  ({self.spec_path.name})", style="dim")
        else:
            entry = zoo.get(self.model_name)
            text.append(entry.title, style="bold")
            text.append(f" ({entry.year})  ")
            text.append(
                asciify(entry.description) if self.ascii_only else entry.description, style="dim"
            )
        head.update(text)

    def _update_settings(self) -> None:
        dot = "|" if self.ascii_only else "·"
        view = {
            "summary": "",
            "compare": f" {dot} comparing with {self.compare_with}",
            "diagram": f" {dot} diagram",
        }
        self.query_one("#models-settings", Static).update(
            f"depth {self.depth} (+ -) {dot} batch {self.batch_size} ([ ]){view.get(self.view, '')}"
        )

    def _refresh_secondary(self) -> None:
        if self.view == "compare":
            self._draw_compare()
        elif self.view == "diagram":
            self._draw_diagram()

    # -- events --------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#models-list")
    def _model_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.model_name and not self.editing:
            self.show_model(event.option.id)

    @on(OptionList.OptionSelected, "#models-list")
    def _model_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            if event.option.id != self.model_name:
                self.show_model(event.option.id)
            self.query_one("#models-table", LayerTable).focus()

    @on(LayerTable.Selected)
    def _layer_highlighted(self, event: LayerTable.Selected) -> None:
        self.query_one("#models-detail", LayerDetail).show(event.row)
        if self.view == "diagram":
            self._draw_diagram()

    @on(Input.Changed, "#models-input")
    def _input_changed(self, event: Input.Changed) -> None:
        if self._quiet_input:
            self._quiet_input = False
            return
        self._apply_input(event.value, notify=False)

    @on(Input.Submitted, "#models-input")
    def _input_submitted(self, event: Input.Submitted) -> None:
        if self._apply_input(event.value, notify=True):
            self.query_one("#models-table", LayerTable).focus()

    def _apply_input(self, text: str, notify: bool) -> bool:
        try:
            shape = parse_shape(text)
        except ValueError as exc:
            if notify:
                self.notify(f"Input size: {exc}", title="Models", severity="warning")
            else:
                self.query_one("#models-totals", ModelTotals).show(
                    None, error=f"input {text!r}: {exc}; type CxHxW, e.g. 3x224x224"
                )
            return False
        if shape == self.input_override:
            return True
        self.input_override = shape
        self.refresh_summary(keep_fold=True)
        return True

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
        box = self.query_one("#models-input", Input)
        box.focus()
        box.select_all()

    def action_focus_list(self) -> None:
        target = "#spec-editor" if self.editing else "#models-list"
        self.query_one(target).focus()

    def action_back(self) -> None:
        if self.view != "summary":
            self._set_view("summary")
            return
        self.query_one("#models-table", LayerTable).focus()

    def _set_view(self, view: str) -> None:
        self.view = view
        self.query_one("#models-views", ContentSwitcher).current = f"view-{view}"
        self.set_class(view == "diagram", "-wide")
        self._update_settings()
        self._refresh_secondary()

    def action_compare(self) -> None:
        from cnntui.ui.screens.models_dialogs import PickModelScreen

        if not self.editing:
            # keys typed ahead (down, down, c) may reach us before the list's highlight message
            highlighted = self.query_one("#models-list", OptionList).highlighted_option
            if highlighted is not None and highlighted.id and highlighted.id != self.model_name:
                self.show_model(highlighted.id)
        current = None if self.editing else self.model_name

        def chosen(name: str | None) -> None:
            if name:
                self.compare_with = name
                self._set_view("compare")
                self.query_one("#view-compare", DataTable).focus()

        self.app.push_screen(
            PickModelScreen(f"Compare {current or 'your network'} with:", current), chosen
        )

    def _draw_compare(self) -> None:
        from cnntui.zoo.compare import compare

        table = self.query_one("#view-compare", DataTable)
        table.clear(columns=True)
        if self.compare_with is None:
            return
        other_entry = zoo.get(self.compare_with)
        other = summarize(other_entry.build(), other_entry.input_shape, name=other_entry.name)
        name, _, _ = self._current()
        entry = None if self.editing else zoo.get(self.model_name)
        table.add_column("", key="label")
        table.add_column(name, key="a")
        table.add_column(other_entry.name, key="b")
        table.add_column("B/A", key="ratio")
        if self.summary is None:
            table.add_row("", Text("fix the input size first", style="red"), "", "")
            return
        for row in compare(self.summary, other, entry, other_entry, self.ascii_only):
            table.add_row(
                Text(row.label, style="dim"),
                Text(row.a, justify="right"),
                Text(row.b, justify="right"),
                Text(row.ratio, justify="right"),
            )

    def action_diagram(self) -> None:
        if self.view == "diagram":
            self._set_view("summary")
            return
        self._set_view("diagram")

    def _draw_diagram(self) -> None:
        from cnntui.zoo.diagram import block_diagram

        target = self.query_one("#diagram-text", Static)
        if self.summary is None:
            target.update(
                Text("No diagram: the input size does not fit (see the summary).", style="red")
            )
            return
        row = self.query_one("#models-table", LayerTable).selected_row()
        name = ""
        if row is not None:
            # a leaf draws its enclosing block, so the diagram always shows some structure
            name = row.name if not row.is_leaf else row.name.rpartition(".")[0]
        try:
            lines = block_diagram(self.summary, name, self.ascii_only)
        except KeyError:
            lines = block_diagram(self.summary, "", self.ascii_only)
        hint = "escape or d: back to the table; highlight a block there to draw it"
        target.update(Text("\n".join(lines) + "\n\n" + hint))

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
        self._validate_spec()
        self.query_one("#spec-editor", TextArea).focus()

    @on(TextArea.Changed, "#spec-editor")
    def _spec_changed(self, event: TextArea.Changed) -> None:
        self.spec_text = event.text_area.text
        if self._spec_timer is not None:
            self._spec_timer.stop()
        self._spec_timer = self.set_timer(SPEC_DEBOUNCE_S, self._validate_spec)

    def _validate_spec(self) -> None:
        """Parse and build the spec; show its problems, or its summary when it is valid."""
        self._spec_timer = None
        problems_view = self.query_one("#spec-problems", Static)
        try:
            built = load_spec_text(self.spec_text)
        except SpecError as exc:
            self.spec_problems = exc.problems
            self._spec_module = None
        except RecursionError:
            self.spec_problems = [SpecProblem(0, "the spec nests too deeply")]
            self._spec_module = None
        else:
            self.spec_problems = []
            self._spec_module = built.module
            self._spec_input = built.input_shape
            self._spec_name = built.spec.name
        mark_bad = "x" if self.ascii_only else "✗"
        mark_ok = "+" if self.ascii_only else "✓"
        if self.spec_problems:
            lines = [
                Text(f"{mark_bad} {asciify(str(p)) if self.ascii_only else p}", style="red")
                for p in self.spec_problems[:4]
            ]
            if len(self.spec_problems) > 4:
                lines.append(Text(f"  and {len(self.spec_problems) - 4} more", style="red"))
            problems_view.update(Text("\n").join(lines))
        else:
            problems_view.update(
                Text(
                    f"{mark_ok} valid: {self._spec_module.num_parameters():,} parameters",
                    style="green",
                )
            )
        if self.editing:
            self.input_override = None
            if self._spec_module is not None:
                self._set_input_text(self._spec_input)
            self.refresh_summary(keep_fold=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save_spec", "open_spec", "goto_problem"):
            return self.editing
        if action == "toggle_aux":
            return not self.editing and "aux_logits" in zoo.get(self.model_name).options
        return True

    def action_toggle_aux(self) -> None:
        """Show or hide GoogLeNet's two auxiliary classifiers (side branches of the main path)."""
        self.aux_logits = not self.aux_logits
        self.refresh_summary(keep_fold=True)
        state = "shown" if self.aux_logits else "hidden"
        self.notify(f"Auxiliary classifiers {state}.", title=zoo.get(self.model_name).title)

    def action_goto_problem(self) -> None:
        if not self.spec_problems:
            self.notify("The spec has no problems.", title="Your network")
            return
        line = self.spec_problems[0].line
        editor = self.query_one("#spec-editor", TextArea)
        if line > 0:
            row = min(line - 1, editor.document.line_count - 1)
            editor.select_line(row)
        editor.focus()

    def action_save_spec(self) -> None:
        from cnntui.ui.screens.models_dialogs import PathScreen

        default = (
            str(self.spec_path) if self.spec_path else f"{self._spec_name or 'my-network'}.toml"
        )
        self.app.push_screen(PathScreen("Save the spec as:", default), self._save_to)

    def _save_to(self, value: str | None) -> None:
        if not value:
            return
        path = Path(value).expanduser()
        try:
            save_spec_file(path, self.spec_text)
        except UsageError as exc:
            self.notify(str(exc), title="Save", severity="error")
            return
        self.spec_path = path
        self._update_head()
        self.notify(f"Saved {path}", title="Your network")

    def action_open_spec(self) -> None:
        from cnntui.ui.screens.models_dialogs import PathScreen

        default = str(self.spec_path) if self.spec_path else "my-network.toml"
        self.app.push_screen(PathScreen("Open a spec file:", default), self._open_from)

    def _open_from(self, value: str | None) -> None:
        if not value:
            return
        path = Path(value).expanduser()
        try:
            text = read_spec_file(path)
        except UsageError as exc:
            self.notify(str(exc), title="Open", severity="error")
            return
        self.spec_path = path
        self.spec_text = text
        self.query_one("#spec-editor", TextArea).load_text(text)
        self._validate_spec()

    def action_export(self) -> None:
        """Write what is shown as PyTorch source (the same file `cnntui export pytorch` writes)."""
        from cnntui.ui.screens.models_dialogs import PathScreen
        from cnntui.zoo.export_pytorch import python_name

        name, _, _ = self._current()
        self.app.push_screen(
            PathScreen("Export as PyTorch source to:", f"{python_name(name)}.py"), self._export_to
        )

    def _export_to(self, value: str | None) -> None:
        from cnntui.zoo.export_pytorch import export_pytorch

        if not value:
            return
        name, module, shape = self._current()
        path = Path(value).expanduser()
        try:
            text = export_pytorch(module, name, shape, "the cnntui Models mode")
            if path.exists():
                raise UsageError(f"{path} already exists; choose another name")
            save_spec_file(path, text)
        except UsageError as exc:
            self.notify(str(exc), title="Export", severity="error")
            return
        self.notify(f"Wrote {path}: run `python {path.name}` to check it.", title="Export")

    # -- lesson links ------------------------------------------------------------------------------

    def apply_preset(self, params: dict[str, str]) -> None:
        """Show what a `cnntui:models?...` link asks for (see `cnntui.presets.models`)."""
        problems = models_presets.validate(params)
        if problems:
            self.notify(problems[0], title="Models", severity="error")
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


def save_spec_file(path: Path, text: str) -> None:
    """Write a spec atomically (a temporary file, then a rename); UsageError on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_spec_file(path: Path) -> str:
    """A spec file's text; UsageError if it is missing, too large, or not UTF-8 text."""
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise UsageError(f"{path.name} is larger than 1 MiB; a spec is a short text file")
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot open {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path.name} is not UTF-8 text; a spec is a TOML file") from None
