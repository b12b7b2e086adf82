"""A compact multi-series line chart drawn with text: the 2-D GAN's loss and divergence curves.

The shared `line_chart.LineChart` (plotext) needs more rows than the 2-D GAN's side panel has left
at 80×24 once the numbers and the sub-steps are shown; this one keeps a legend and a readable plot
in five rows. The DCGAN view, which has the room, uses `LineChart`.

Each series is downsampled to one value per column (the mean of its bucket) and drawn as one glyph
per column, in its own colour and letter, so the chart reads in 16 colours and in `--ascii` mode
(letters only). The y axis shows the range; the x axis the first and last step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

from cnntui.i18n import _


@dataclass(frozen=True)
class Series:
    """One curve: a name for the legend, its values, a colour and the letter that marks it."""

    name: str
    values: Sequence[float]
    colour: str
    mark: str


def downsample(values: Sequence[float], width: int) -> np.ndarray:
    """Mean of `width` equal buckets (or the values themselves when there are fewer)."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) <= width:
        return v
    edges = np.linspace(0, len(v), width + 1).astype(int)
    return np.array([v[a:b].mean() for a, b in zip(edges[:-1], edges[1:])])


def render_chart(
    series: Sequence[Series], steps: Sequence[int], width: int, height: int, title: str = ""
) -> Text:
    """The chart as Rich `Text` of `height` lines (legend included) and at most `width` columns."""
    text = Text(no_wrap=True, overflow="crop")
    legend = Text(title + ("  " if title else ""), style="bold")
    for s in series:
        legend.append(f"{s.mark}={s.name}  ", style=s.colour)
    text.append_text(legend)
    text.append("\n")
    plot_rows = max(2, height - 2)
    label_width = 7
    cols = max(4, width - label_width - 1)
    finite = [downsample(s.values, cols) for s in series]
    everything = np.concatenate([f[np.isfinite(f)] for f in finite] + [np.zeros(0)])
    if everything.size == 0:
        text.append(_("(no data yet)") + "\n" + "\n" * (plot_rows - 1), style="dim")
        return text
    low, high = float(everything.min()), float(everything.max())
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    canvas = [[(" ", "")] * cols for _row in range(plot_rows)]
    for s, values in zip(series, finite):
        n = len(values)
        for i, v in enumerate(values):
            if not np.isfinite(v):
                continue
            c = i if n >= cols else int(round(i * (cols - 1) / max(n - 1, 1)))
            r = plot_rows - 1 - int(round((v - low) / (high - low) * (plot_rows - 1)))
            canvas[r][c] = (s.mark, s.colour)
    for r in range(plot_rows):
        if r == 0:
            label = f"{high:>{label_width}.3g}"
        elif r == plot_rows - 1:
            label = f"{low:>{label_width}.3g}"
        else:
            label = " " * label_width
        text.append(label[:label_width] + "|", style="dim")
        for ch, colour in canvas[r]:
            text.append(ch, style=colour or None)
        text.append("\n")
    first, last = (steps[0], steps[-1]) if len(steps) else (0, 0)
    # Padded by terminal cells, not characters: the Korean "step" is two cells a letter.
    half = max(1, cols // 2)
    last_label = _("step {n}").format(n=last)
    axis = f"{'':>{label_width}} {first:<{half}}" + " " * max(0, cols - half - cell_len(last_label))
    text.append(set_cell_size(axis + last_label, width).rstrip(), style="dim")
    return text


class GanCurves(Widget):
    """Holds series and redraws them at its size (the caller throttles updates)."""

    DEFAULT_CSS = """
    GanCurves { height: 8; }
    """

    def __init__(self, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.series: list[Series] = []
        self.steps: list[int] = []

    def set_data(self, series: Sequence[Series], steps: Sequence[int]) -> None:
        self.series = list(series)
        self.steps = list(steps)
        self.refresh()

    def render(self) -> Text:
        return render_chart(
            self.series, self.steps, self.size.width or 40, self.size.height or 8, self.title
        )
