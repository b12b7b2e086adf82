"""How the Conv Lab fills its input and output grids and the value legend from a stepper's state
(the numbers all come from `cnntui.conv.stepper`; this only chooses what each cell shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from rich.cells import cell_len
from textual.widgets import Static

from cnntui.i18n import _
from cnntui.ui.conv.formula import formula_text
from cnntui.ui.conv.grid import ConvGrid, GridData, legend, marked_cells

if TYPE_CHECKING:
    from cnntui.conv.stepper import Stepper, StepState


class GridDrawing:
    """Mixed into `ConvScreen` (whose state `self` is): draw the input window, the output so far,
    the legend, and size the sum pane."""

    def _draw_input(self: Any, grid: ConvGrid, stepper: Stepper, state: StepState) -> None:
        values = stepper.grid
        rgb = values.shape[0] == 3 and not self.show_values
        if rgb:
            # Colours need [0, 1]; the worked example's integers are scaled for the picture only.
            peak = float(np.max(values[np.isfinite(values)], initial=1.0))
            values = values / max(1.0, peak)
        marked = marked_cells(state.rows, state.cols)
        chosen = None
        if state.chosen is not None:
            chosen = (state.rows[state.chosen[0]], state.cols[state.chosen[1]])
        finite = values[np.isfinite(values)]
        low = float(min(0.0, finite.min())) if finite.size else 0.0
        high = float(max(1.0, finite.max())) if finite.size else 1.0
        data = GridData(
            values if rgb else values[min(self.channel, values.shape[0] - 1)],
            stepper.cell_kind,
            marked,
            chosen,
            low,
            high,
            False,
            rgb,
        )
        grid.channel = 0
        grid.show(data, self.show_values)
        pane = self.query_one("#conv-input-pane")
        padding = self.preset.padding
        extra = ""
        if self.preset.mode == "transposed":
            # short enough for the pane's border at 80 columns
            extra = f"s={self.preset.stride}, output_padding={self.preset.output_padding}"
        elif padding:
            extra = _("padding {padding} ({mode})").format(
                padding=padding, mode=self.preset.padding_mode
            )
        if values.shape[0] == 3 and self.show_values:
            extra = (extra + ", " if extra else "") + _("channel {name}").format(
                name="RGB"[self.channel]
            )
        pane.border_subtitle = self._t(extra)

    def _draw_output(self: Any, grid: ConvGrid, stepper: Stepper, state: StepState) -> None:
        full = stepper.output()
        low, high = float(full.min()), float(full.max())
        diverging = low < 0 < high or (low < 0 and high <= 0)
        grid.show(
            GridData(
                state.output, None, set(), (state.out_row, state.out_col), low, high, diverging
            ),
            self.show_values,
        )
        pane = self.query_one("#conv-output-pane")
        pane.border_title = self._t(
            _("Output {rows}×{cols}").format(rows=full.shape[0], cols=full.shape[1])
        )
        pane.border_subtitle = self._t(
            _("ReLU on") if self.preset.relu and self.preset.mode != "pool" else ""
        )
        self._draw_legend(low, high, diverging)

    def _draw_legend(
        self: Any, low: float, high: float, diverging: bool, again: bool = True
    ) -> None:
        """The value range under the output, fitted to the legend's width; drawn `again` once
        the layout has settled, since new settings may have changed the panes' widths."""
        key = self.query_one("#conv-legend", Static)
        room = key.content_size.width
        key.update(legend(low, high, diverging, self.ascii_mode, room=room or None))
        if again:
            self.call_after_refresh(self._draw_legend, low, high, diverging, False)

    def _sum_height(self: Any, sum_text: Static) -> int:
        """Lines the sum pane takes (text wrapped, by terminal cells, at the pane's width, formula, borders)."""
        width = max(20, self.size.width - 4)
        lines = str(sum_text.render()).split("\n") + self._formula_text().split("\n")
        return min(11, sum(-(-cell_len(line) // width) or 1 for line in lines) + 2)

    def _formula_text(self: Any) -> str:
        """The output-size formula with this layer's numbers (one line per axis when they differ)."""
        if self.pixels is None:
            return ""
        return formula_text(self.preset, (int(self.pixels.shape[1]), int(self.pixels.shape[2])))
