"""The Conv Lab mode: step a kernel (or a pooling window) across an image, one output at a time.

Left: the input as the kernel sees it — padding drawn around it, or for a transposed convolution
the zeros inserted between pixels — with the window marked. Middle: the window, the kernel and
their products. Right: the output filling in, with its colour scale. Bottom: the sum written out
with the bias, and the output-size formula with the current numbers. All numbers come from
`cnntui.conv.stepper`; this screen only draws them. `b` switches to the backward mode
(`cnntui.ui.conv.backward`), which steps the gradients of the same operation.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Static

from cnntui import images
from cnntui.conv import presets as conv_presets
from cnntui.conv.presets import ConvPreset
from cnntui.conv.stepper import WORKED_INPUT, Stepper, sum_lines
from cnntui.conv.stepper_backward import BackwardStepper
from cnntui.errors import CnnTuiError
from cnntui.i18n import _
from cnntui.text import ascii_text
from cnntui.ui.conv.backward import ConvBackward
from cnntui.ui.conv.backward_mode import BackwardMode
from cnntui.ui.conv.grid import ConvGrid, GridData
from cnntui.ui.conv.grid_drawing import GridDrawing
from cnntui.ui.conv.keys import BINDINGS
from cnntui.ui.conv.matrices import ConvMatrices
from cnntui.ui.conv.playing import SPEEDS, Playing
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.ascii_keys import use_ascii_keys
from cnntui.ui.shared.focus import FocusKeepingScreen
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.lab_commands import ConvCommands
from cnntui.ui.shared.mode_bar import ModeBar

MAX_SIDE = 64
"""Larger images are averaged down to this many pixels a side so that stepping stays readable."""


class ConvScreen(Playing, BackwardMode, GridDrawing, FocusKeepingScreen):
    """The Conv Lab: `#conv-input`, `#conv-matrices`, `#conv-output`, `#conv-sum`."""

    DEFAULT_CSS = (Path(__file__).parent / "conv.tcss").read_text(encoding="utf-8")

    COMMANDS = {ConvCommands}

    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(self) -> None:
        super().__init__(id="conv-screen")
        self.preset = ConvPreset()
        self.stepper: Stepper | None = None
        self.problem = ""
        self.pixels: np.ndarray | None = None
        self.image_label = ""
        self.index = 0
        self.playing = False
        self.speed_index = 2
        self.show_values = False
        self.channel = 0
        self._timer: Timer | None = None
        self.backward = False
        """The backward mode: step the gradients instead of the output."""
        self.bw_part = ""
        self.bw_index = 0
        self.bw_upstream = "output"
        self.backward_stepper: BackwardStepper | None = None

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        with Horizontal(id="conv-top"):
            with Vertical(id="conv-input-pane"):
                yield ConvGrid(id="conv-input")
            with Vertical(id="conv-middle"):
                yield ConvMatrices(id="conv-matrices")
            with Vertical(id="conv-output-pane"):
                yield ConvGrid(id="conv-output")
                yield Static(id="conv-legend")
        with Vertical(id="conv-sum-pane"):
            yield Static(id="conv-sum", markup=False)
            yield Static(id="conv-formula", markup=False)
        yield ConvBackward(id="conv-backward")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.rebuild()

    def refresh_language(self) -> None:
        """Redraw every pane in the current language, on the same step."""
        self.rebuild()

    @property
    def ascii_mode(self) -> bool:
        return ascii_only(self)

    def _t(self, text: str) -> str:
        return ascii_text(text) if self.ascii_mode else text

    # -- model -----------------------------------------------------------------------------------

    def set_preset(self, preset: ConvPreset, keep_position: bool = False) -> str:
        """Apply settings; returns the problem in words ('' when they work). With
        `keep_position`, the step stays on the same output position (the nearest one when the
        output shrank)."""
        position = None
        if keep_position and self.stepper is not None:
            state = self.stepper.state(self.index)
            position = (state.out_row, state.out_col)
        self.preset = preset
        self.index = 0
        if position is not None:
            self.rebuild(keep=position)
        else:
            self.rebuild()
        return self.problem

    def rebuild(self, keep: tuple[int, int] | None = None) -> None:
        """Load the image and build the stepper for the current settings; step to output
        position `keep` (row, col), or the nearest one the new output has."""
        preset = self.preset
        self.problem = ""
        self.stepper = None
        try:
            if preset.pixels:  # an exact patch, e.g. one unit's input opened from Explain
                self.pixels = conv_presets.pixels_array(preset.pixels).astype(np.float32)
                c, h, w = self.pixels.shape
                self.image_label = _("patch {size}").format(
                    size=f"{h}×{w}" + (f"×{c}" if c > 1 else "")
                )
                self.stepper = conv_presets.build_stepper(preset, self.pixels)
            elif preset.mode == "rgb" and not preset.image:
                self.pixels = WORKED_INPUT.astype(np.float32)
                self.image_label = _("worked example 3×3×3")
                self.stepper = conv_presets.build_stepper(preset, WORKED_INPUT)
            else:
                image = images.load(preset.image)
                pixels = images.shrink_to_fit(image.pixels, MAX_SIDE)
                self.pixels = pixels
                shrunk = _(" (shrunk)") if pixels.shape != image.pixels.shape else ""
                depth = "×3" if pixels.shape[0] == 3 else ""
                self.image_label = (
                    f"{image.name} {pixels.shape[1]}×{pixels.shape[2]}{depth}{shrunk}"
                )
                if preset.mode == "rgb" and pixels.shape[0] != 3:
                    raise CnnTuiError(
                        _(
                            "{name} is greyscale; the multi-channel view needs a colour image"
                            " such as balloons"
                        ).format(name=image.name)
                    )
                self.stepper = conv_presets.build_stepper(preset, pixels)
        except CnnTuiError as error:
            self.problem = str(error)
        if self.stepper is not None:
            rows, cols = self.stepper.output_shape
            if keep is not None:  # the same output cell, or the nearest one a smaller output has
                self.index = self.stepper.index_of(min(keep[0], rows - 1), min(keep[1], cols - 1))
            self.index = min(self.index, self.stepper.total - 1)
            self.channel = min(self.channel, self.stepper.source.shape[0] - 1)
        self._build_backward()
        self.redraw()
        self.refresh_bindings()

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self) -> None:
        self.set_class(self.backward and self.backward_stepper is not None, "-backward")
        if self.backward and self.backward_stepper is not None:
            self.query_one("#conv-backward", ConvBackward).show(
                self.backward_stepper,
                self.bw_part,
                self.bw_index,
                self.bw_upstream,
                self.show_values,
                self.ascii_mode,
            )
            return
        input_grid = self.query_one("#conv-input", ConvGrid)
        output_grid = self.query_one("#conv-output", ConvGrid)
        matrices = self.query_one("#conv-matrices", ConvMatrices)
        sum_text = self.query_one("#conv-sum", Static)
        formula = self.query_one("#conv-formula", Static)
        input_pane = self.query_one("#conv-input-pane")
        output_pane = self.query_one("#conv-output-pane")
        sum_pane = self.query_one("#conv-sum-pane")
        mode_names = {
            "conv": _("Convolution"),
            "pool": _("Max pooling") if self.preset.kernel == "max" else _("Average pooling"),
            "transposed": _("Transposed convolution"),
            "rgb": _("Multi-channel convolution"),
        }
        input_pane.border_title = self._t(self.image_label)
        sum_pane.border_title = self._t(mode_names[self.preset.mode])
        formula.update(self._t(self._formula_text()))
        stepper = self.stepper
        if stepper is None:
            if self.pixels is not None:
                plane = self.pixels if self.pixels.shape[0] == 3 else self.pixels[0]
                input_grid.show(GridData(plane, rgb=self.pixels.shape[0] == 3), self.show_values)
            output_grid.data = None
            output_grid.refresh()
            matrices.show(None)
            self.query_one("#conv-legend", Static).update("")
            output_pane.border_title = _("Output")
            output_pane.border_subtitle = ""
            sum_text.update(
                self._t(_("These settings cannot work: {problem}").format(problem=self.problem))
            )
            sum_text.add_class("-problem")
            sum_pane.border_subtitle = ""
            return
        sum_text.remove_class("-problem")
        state = stepper.state(self.index)
        self._draw_input(input_grid, stepper, state)
        self._draw_output(output_grid, stepper, state)
        note = _(" (flipped)") if self.preset.mode == "transposed" else ""
        channels = stepper.source.shape[0]
        matrices.show(state, self.channel if channels > 1 else 0, note)
        # `sum_lines` is English (also `cnntui conv --json`); its one word is translated here.
        lines = [line.replace(" (bias)", _(" (bias)")) for line in sum_lines(state)]
        sum_text.update(self._t("\n".join(lines)))
        # Side by side when stacking would not fit the height left above the sum.
        height = max(4, self.size.height - 4 - self._sum_height(sum_text))
        middle = self.query_one("#conv-middle")
        middle.styles.width = max(18, min(62, matrices.best_width(height) + 2))
        position = _("Position {n} of {total}: output ({row}, {col})").format(
            n=state.index + 1, total=state.total, row=state.out_row, col=state.out_col
        )
        playing = _("  playing {speed}/s").format(speed=SPEEDS[self.speed_index])
        sum_pane.border_subtitle = self._t(position + (playing if self.playing else ""))

    # -- stepping --------------------------------------------------------------------------------

    def _step_total(self) -> int:
        if self.backward_stepper is not None and self.backward:
            return self.backward_stepper.total(self.bw_part)
        return self.stepper.total if self.stepper is not None else 0

    def _move(self, index: int) -> None:
        if self.backward_stepper is not None and self.backward:
            self.bw_index = index % self._step_total()
        else:
            self.index = index % self._step_total()
        self.redraw()

    def _current(self) -> int:
        return self.bw_index if self.backward_stepper is not None and self.backward else self.index

    def action_step(self, delta: int) -> None:
        if self.stepper is None:
            return
        self._move(self._current() + delta)

    def action_step_row(self, delta: int) -> None:
        if self.stepper is None:
            return
        columns = self.stepper.output_shape[1]
        backward = self.backward_stepper
        if backward is not None and self.backward:
            # A row of the gradient being built: the kernel, the grid or the pooled output.
            columns = {
                "weight": backward.forward.kernel_size[1],
                "input": backward.forward.grid.shape[2],
                "pool": backward.forward.output_shape[1],
            }[self.bw_part]
        self._move(self._current() + delta * columns)

    def action_jump(self, index: int) -> None:
        if self.stepper is None:
            return
        self._move(index)

    @on(ConvGrid.CellClicked, "#conv-output")
    def _output_clicked(self, message: ConvGrid.CellClicked) -> None:
        if self.stepper is not None:
            self.index = self.stepper.index_of(message.row, message.col)
            self.redraw()

    # -- toggles and dialogs ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        mode = self.preset.mode
        if action == "speed":
            return self.playing
        if action == "edit_kernel":
            return mode != "pool" and not self.playing and not self.backward
        if action == "shift":
            return mode == "pool" and not self.playing and not self.backward
        if action == "channel":
            return (
                self.stepper is not None and self.stepper.source.shape[0] > 1 and not self.backward
            )
        if action == "backward":
            return mode != "transposed" and not self.playing
        if action in ("part", "upstream"):
            return self.backward and self.backward_stepper is not None
        if action == "values":
            return not (
                self.stepper is not None and self.stepper.source.shape[0] > 1 and self.playing
            )
        return True

    def action_values(self) -> None:
        self.show_values = not self.show_values
        self.redraw()

    def action_channel(self) -> None:
        if self.stepper is None:
            return
        self.channel = (self.channel + 1) % self.stepper.source.shape[0]
        self.redraw()

    def action_settings(self) -> None:
        from cnntui.ui.conv.settings import ConvSettingsScreen

        self.app.push_screen(ConvSettingsScreen(self))

    def action_edit_kernel(self) -> None:
        from cnntui.conv import kernels
        from cnntui.ui.conv.kernel import ConvKernelScreen

        try:
            kernel = kernels.get(self.preset.kernel)
        except CnnTuiError:
            kernel = kernels.get("identity")
        values = kernel.values
        if (
            self.stepper is not None
            and self.stepper.source.shape[0] != values.shape[0]
            and values.shape[0] == 1
        ):
            values = np.repeat(values, self.stepper.source.shape[0], axis=0)
        self.app.push_screen(ConvKernelScreen(values), self._kernel_edited)

    def _kernel_edited(self, text: str | None) -> None:
        if text:
            self.set_preset(replace(self.preset, kernel=text), keep_position=True)

    def action_shift(self) -> None:
        from cnntui.ui.conv.shift import ConvShiftScreen

        if self.pixels is None:
            return
        weights = np.array([0.299, 0.587, 0.114])[:, None, None]
        grey = self.pixels[0] if self.pixels.shape[0] == 1 else (self.pixels * weights).sum(axis=0)
        self.app.push_screen(
            ConvShiftScreen(grey, self.preset.kernel, self.preset.size, self.preset.stride)
        )

    # -- lesson links ----------------------------------------------------------------------------

    def apply_preset(self, params: dict[str, str]) -> None:
        """Apply a `cnntui:conv?...` link; accepts exactly what `cnntui.conv.presets` validates."""
        preset, problems = conv_presets.parse(params)
        if problems:
            self.notify(problems[0], title="Conv Lab", severity="error")
            return
        if self.playing:
            self.action_play()
        self.show_values = "pixels" in params  # an exact patch is about its numbers
        self.channel = 0
        self.backward = preset.view == "backward"
        self.bw_index = 0
        self.set_preset(preset)
        self.refresh_bindings()
