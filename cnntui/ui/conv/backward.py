"""The Conv Lab's backward mode: one gradient entry at a time, drawn from a `GradStep`.

Left: what the step reads (the padded input for a kernel weight, the stretched and bordered
upstream gradient for an input cell, the pooling window's input), with the cells it reads marked.
Middle: those values, the factors they are multiplied by and the products. Right: the gradient
filling in. Bottom: the sum written out. Every number comes from
`cnntui.conv.stepper_backward`; this widget only draws.
"""

from __future__ import annotations

import re

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from cnntui.conv.stepper import CELL_INPUT
from cnntui.conv.stepper_backward import BackwardStepper, GradStep, grad_sum_lines
from cnntui.i18n import N_, _
from cnntui.text import ascii_text, number_text
from cnntui.ui.conv.grid import ConvGrid, GridData, legend, marked_cells

PART_TITLES = {
    "weight": N_("Kernel gradient dL/dw: the input correlated with the upstream gradient g"),
    "input": N_("Input gradient dL/dx: g, stretched and bordered, with the flipped kernel"),
    "pool": N_("Pooling backward: each output's gradient routed (max) or spread (avg)"),
}
UPSTREAM_TITLES = {
    "ones": N_("g = dL/dy = 1 (L = sum of y)"),
    "output": N_("g = dL/dy = y (L = sum of y^2 / 2)"),
}


MAX_CELLS = 5
"""Rows and columns of a matrix written out in the middle pane (the rest is elided)."""


# `grad_sum_lines` is English (it is also the text of `cnntui conv --backward --json`); its few
# words are translated here, when shown.
_SUM_WORDS = (
    (
        re.compile(
            r"^(?P<lhs>.+) = (?P<value>\S+) goes to the maximum at window (?P<cell>\(\S+\)); the other cells get 0$"
        ),
        N_("{lhs} = {value} goes to the maximum at window {cell}; the other cells get 0"),
    ),
    (
        re.compile(
            r"^(?P<lhs>.+) = (?P<value>\S+) spread over (?P<n>\d+) cells: (?P<share>\S+) each$"
        ),
        N_("{lhs} = {value} spread over {n} cells: {share} each"),
    ),
    (
        re.compile(r"^(?P<lhs>.+) = 0 \(every product has a zero factor\)$"),
        N_("{lhs} = 0 (every product has a zero factor)"),
    ),
    (
        re.compile(r"^(?P<terms>.+) \+ … \((?P<n>\d+) more non-zero terms\) = (?P<value>\S+)$"),
        N_("{terms} + … ({n} more non-zero terms) = {value}"),
    ),
)


def shown_sum_line(line: str) -> str:
    """A line of `grad_sum_lines` in the current language (numbers and indices unchanged)."""
    for pattern, template in _SUM_WORDS:
        match = pattern.match(line)
        if match:
            return _(template).format(**match.groupdict())
    return line


def matrix_lines(values: np.ndarray) -> list[str]:
    """A small 2-D array as right-aligned rows; beyond 5×5 only the top-left corner, with its
    size, so the pane stays narrow."""
    corner = values[:MAX_CELLS, :MAX_CELLS]
    texts = [[number_text(float(v)) for v in row] for row in corner]
    width = max((len(t) for row in texts for t in row), default=1)
    more = values.shape[1] > MAX_CELLS
    rows = [" ".join(t.rjust(width) for t in row) + (" …" if more else "") for row in texts]
    if values.shape[0] > MAX_CELLS or more:
        rows.append(_("({rows}×{cols} in all)").format(rows=values.shape[0], cols=values.shape[1]))
    return rows


class ConvBackward(Vertical):
    """`#bw-source`, `#bw-middle`, `#bw-gradient` and `#bw-sum` for one `GradStep`."""

    DEFAULT_CSS = """
    ConvBackward { height: 1fr; }
    ConvBackward #bw-top { height: 1fr; }
    ConvBackward #bw-source-pane, ConvBackward #bw-gradient-pane, ConvBackward #bw-middle-pane {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text-primary;
        border-subtitle-color: $text-muted;
    }
    ConvBackward #bw-source-pane { width: 1fr; }
    ConvBackward #bw-gradient-pane { width: 1fr; }
    ConvBackward #bw-middle-pane { width: 32; }
    ConvBackward #bw-sum-pane {
        height: auto;
        max-height: 9;
        border: round $primary 50%;
        border-title-color: $text-primary;
        border-subtitle-color: $text-muted;
        padding: 0 1;
    }
    ConvBackward #bw-legend { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="bw-top"):
            with Vertical(id="bw-source-pane"):
                yield ConvGrid(id="bw-source")
            with Vertical(id="bw-middle-pane"):
                yield Static(id="bw-middle", markup=False)
            with Vertical(id="bw-gradient-pane"):
                yield ConvGrid(id="bw-gradient")
                yield Static(id="bw-legend")
        with Vertical(id="bw-sum-pane"):
            yield Static(id="bw-sum", markup=False)

    def show(
        self,
        backward: BackwardStepper,
        part: str,
        index: int,
        upstream: str,
        show_values: bool,
        ascii_mode: bool,
    ) -> GradStep:
        """Draw step `index` of `part`; returns the step drawn."""

        def t(text: str) -> str:
            return ascii_text(text) if ascii_mode else text

        step = backward.step(part, index)
        channel = step.target[0]
        self._draw_source(backward, step, show_values)
        self._draw_gradient(backward, step, show_values, ascii_mode)
        middle = self.query_one("#bw-middle", Static)
        factor_name = {
            "weight": _("upstream g"),
            "input": _("flipped kernel"),
            "pool": _("share"),
        }[part]
        lines = [_("read"), *matrix_lines(step.window), "", f"× {factor_name}"]
        lines += matrix_lines(step.factors)
        lines += ["", _("products"), *matrix_lines(step.products)]
        middle.update(t("\n".join(lines)))
        sum_pane = self.query_one("#bw-sum-pane")
        sum_pane.border_title = t(_(PART_TITLES[part]))
        sum_pane.border_subtitle = t(
            _("Step {n} of {total}").format(n=index + 1, total=step.total)
            + (
                _(", channel {n}").format(n=channel + 1)
                if backward.forward.source.shape[0] > 1
                else ""
            )
            + f"  {_(UPSTREAM_TITLES.get(upstream, upstream))}"
        )
        lines = [shown_sum_line(line) for line in grad_sum_lines(step, max_terms=12)]
        self.query_one("#bw-sum", Static).update(t("\n".join(lines)))
        return step

    def _draw_source(self, backward: BackwardStepper, step: GradStep, show_values: bool) -> None:
        fwd = backward.forward
        pane = self.query_one("#bw-source-pane")
        if step.part == "input":
            values = backward._stretched
            assert values is not None
            kinds = None
            pane.border_title = _("Upstream g, stretched")
        else:
            values = fwd.grid[step.target[0]]
            kinds = fwd.cell_kind
            pane.border_title = _("Input (padded)") if step.part == "weight" else _("Pooling input")
        finite = values[np.isfinite(values)]
        low = float(min(0.0, finite.min())) if finite.size else 0.0
        high = float(max(1.0, finite.max())) if finite.size else 1.0
        chosen = None
        if step.part == "pool" and np.count_nonzero(step.factors) == 1:
            r, c = divmod(int(np.argmax(step.factors)), step.factors.shape[1])
            chosen = (step.rows[r], step.cols[c])
        self.query_one("#bw-source", ConvGrid).show(
            GridData(
                values,
                kinds,
                marked_cells(step.rows, step.cols),
                chosen,
                low,
                high,
                low < 0 < high,
            ),
            show_values,
        )
        pane.border_subtitle = _("{rows}×{cols} cells read").format(
            rows=len(step.rows), cols=len(step.cols)
        )

    def _draw_gradient(
        self, backward: BackwardStepper, step: GradStep, show_values: bool, ascii_mode: bool
    ) -> None:
        fwd = backward.forward
        channel = step.target[0]
        full = backward.weight_gradient() if step.part == "weight" else backward.grid_gradient()
        plane = step.gradient[channel]
        finite = full[np.isfinite(full)]
        low = float(finite.min()) if finite.size else 0.0
        high = float(finite.max()) if finite.size else 1.0
        if low == high:
            low, high = low - 1.0, high + 1.0
        diverging = low < 0 < high or high <= 0
        chosen = None if step.part == "pool" else (step.target[1], step.target[2])
        kinds = None if step.part == "weight" else fwd.cell_kind
        self.query_one("#bw-gradient", ConvGrid).show(
            GridData(plane, kinds, set(), chosen, low, high, diverging), show_values
        )
        pane = self.query_one("#bw-gradient-pane")
        if step.part == "weight":
            pane.border_title = f"dL/dw {plane.shape[0]}×{plane.shape[1]}"
            pane.border_subtitle = _("dL/db = sum of g = {value}").format(
                value=number_text(float(backward.grad_pre.sum()))
            )
        else:
            inside = int(np.count_nonzero(fwd.cell_kind == CELL_INPUT))
            pane.border_title = "dL/d(input grid)"
            pane.border_subtitle = (
                _("padding cells dropped: {inside} input cells").format(inside=inside)
                if fwd.settings.padding != (0, 0)
                else ""
            )
        self.query_one("#bw-legend", Static).update(legend(low, high, diverging, ascii_mode))
