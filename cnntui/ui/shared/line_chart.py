"""`LineChart`: live line series, throttled and downsampled, drawn with plotext or plain ASCII.

```python
chart = LineChart(title="loss", x_label="epoch")
chart.set_series("train", xs, ys)          # replace a series
chart.extend("train", more_xs, more_ys)    # append points
```

Updates only mark the chart dirty; a timer redraws at most `max_fps` times a second (default 10),
so a training run can push hundreds of points a second without starving the UI. Each series is
downsampled to about two points per column before drawing (min and max of each bucket, so spikes
stay visible): plotext's build cost grows with the number of points (~30 ms at 1,000).

textual-plotext and plotext are imported only when the first chart is mounted, never at app
start-up. With the app's `ascii_mode` the chart is drawn by `ascii_chart` with `*`, `+`, `o`, `x`
markers and `|`/`-` axes instead (plotext always draws box and braille glyphs). Each series has
its own marker as well as its own colour (`PLOT_MARKERS`, `ASCII_MARKERS`), so series stay apart
in 16 colours and without colour. `toggle_log()` switches the y axis between linear and log scale
(a loss that falls by orders of magnitude); values that are not positive are left out on a log
scale.

Titles, axis labels and legends go through `_()` when drawn, so a language change shows on the
next redraw; `legend` maps a series' name (its key) to the label shown. plotext gives every
character one cell, but a Hangul syllable takes two on the terminal: `fit_cells` takes the extra
cells back out of the blanks after such text, so the plot's borders stay in place.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from cnntui.i18n import _
from cnntui.ui.shared.access import ascii_only

SERIES_COLOURS = ("cyan", "orange", "green", "magenta", "blue", "red")
ASCII_MARKERS = "*+ox#%"
PLOT_MARKERS = ("braille", "dot", "x", "+", "o", "*")
"""plotext markers, one per series: braille is the finest; the others tell series apart."""


@dataclass
class Series:
    name: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    colour: str | None = None


def downsample(xs: np.ndarray, ys: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about `max_points` points: per bucket the minimum and the maximum, in x order.

    The last point is always kept, so the newest value is on screen.
    """
    n = len(xs)
    if n <= max_points or max_points < 4:
        return xs, ys
    buckets = max(2, max_points // 2)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    keep: list[int] = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        chunk = ys[lo:hi]
        finite = np.isfinite(chunk)
        if not finite.any():
            continue
        a = lo + int(np.nanargmin(np.where(finite, chunk, np.nan)))
        b = lo + int(np.nanargmax(np.where(finite, chunk, np.nan)))
        keep.extend(sorted({a, b}))
    if not keep or keep[-1] != n - 1:
        keep.append(n - 1)
    idx = np.array(keep, dtype=np.int64)
    return xs[idx], ys[idx]


def ascii_chart(
    series: list[Series],
    width: int,
    height: int,
    title: str = "",
    y_range: tuple[float, float] | None = None,
    log_y: bool = False,
) -> list[str]:
    """The chart as `height` lines of plain ASCII, `width` characters each (legend on top); with
    `log_y` the rows are spaced by powers of ten and values that are not positive are left out."""
    width = max(width, 12)
    height = max(height, 4)
    lines: list[str] = []
    legend = "  ".join(
        f"{ASCII_MARKERS[i % len(ASCII_MARKERS)]} {s.name}" for i, s in enumerate(series)
    )
    if log_y:
        title = _("{title} (log)").format(title=title)
    lines.append(_cut(f"{title}  {legend}".strip(), width))
    points = [(np.asarray(s.xs, float), np.asarray(s.ys, float)) for s in series]
    if log_y:
        with np.errstate(divide="ignore", invalid="ignore"):
            points = [
                (x, np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)) for x, y in points
            ]
        if y_range is not None:
            low, high = y_range
            y_range = (math.log10(low), math.log10(high)) if low > 0 and high > low else None
    shown = (lambda v: 10.0**v) if log_y else (lambda v: v)
    finite_y = np.concatenate([y[np.isfinite(y)] for _, y in points]) if points else np.zeros(0)
    all_x = np.concatenate([x for x, _ in points]) if points else np.zeros(0)
    plot_h = height - 2
    if finite_y.size == 0 or all_x.size == 0:
        lines += [" " * width] * (height - 1)
        return lines
    lo, hi = y_range if y_range else (float(finite_y.min()), float(finite_y.max()))
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    x0, x1 = float(all_x.min()), float(all_x.max())
    if x1 - x0 < 1e-12:
        x1 = x0 + 1.0
    label_w = max(len(_fmt(shown(lo))), len(_fmt(shown(hi))))
    plot_w = width - label_w - 1
    grid = [[" "] * plot_w for _ in range(plot_h)]
    for i, (x, y) in enumerate(points):
        marker = ASCII_MARKERS[i % len(ASCII_MARKERS)]
        ok = np.isfinite(y)
        cols = np.clip(((x[ok] - x0) / (x1 - x0) * (plot_w - 1)).round().astype(int), 0, plot_w - 1)
        rows = np.clip(((hi - y[ok]) / (hi - lo) * (plot_h - 1)).round().astype(int), 0, plot_h - 1)
        for r, c in zip(rows, cols):
            grid[r][c] = marker
    for r in range(plot_h):
        label = _fmt(shown(hi)) if r == 0 else (_fmt(shown(lo)) if r == plot_h - 1 else "")
        lines.append(label.rjust(label_w) + "|" + "".join(grid[r]))
    axis = " " * label_w + "+" + "-" * (plot_w - 1)
    left, right = _fmt(x0), _fmt(x1)
    if plot_w > len(left) + len(right) + 2:
        axis = " " * label_w + "+" + left + "-" * (plot_w - len(left) - len(right) - 1) + right
    lines.append(axis[:width])
    return [_cut(line, width) for line in lines]


def _cut(line: str, width: int) -> str:
    """`line` cut or padded to exactly `width` terminal cells (Hangul takes two)."""
    return set_cell_size(line, width)


def fit_cells(line: Text) -> Text:
    """`line` (one row of a plotext plot, one character per cell) cut back to as many terminal
    cells as it has characters: for each wide character (Hangul: two cells) one blank goes,
    from the blanks after the last wide character first, then from those before the first.
    A row without wide characters comes back unchanged."""
    plain = line.plain
    excess = cell_len(plain) - len(plain)
    if excess <= 0:
        return line
    wide = [i for i, ch in enumerate(plain) if cell_len(ch) > 1]
    after = [i for i in range(wide[-1] + 1, len(plain)) if plain[i] == " "]
    before = [i for i in range(wide[0] - 1, -1, -1) if plain[i] == " "]
    # Nearest blanks first: a run of blanks right after a legend entry or a title.
    drop = set((after + before)[:excess])
    out = Text(end="")
    start = 0
    for index in sorted(drop):
        out.append_text(line[start:index])
        start = index + 1
    out.append_text(line[start:])
    return out


@functools.cache
def _cell_plot_class() -> type:
    """textual-plotext's `PlotextPlot` with each row fitted to its cells (`fit_cells`)."""
    from textual_plotext import PlotextPlot

    class CellPlot(PlotextPlot):  # type: ignore[misc]
        def render(self) -> Any:
            rendered = super().render()
            if not isinstance(rendered, Text):
                return rendered
            rows = rendered.split("\n", allow_blank=True)
            return Text("\n", end="").join(fit_cells(row) for row in rows)

    return CellPlot


def _fmt(value: float) -> str:
    if value == 0 or 0.01 <= abs(value) < 10_000:
        return f"{value:.3g}"
    return f"{value:.1e}"


class LineChart(Widget):
    """Line series with a title, redrawn at most `max_fps` times a second.

    Args:
        title: shown above the plot.
        x_label, y_label: axis labels (plotext only).
        legend: the label shown for a series' name (default: the name through `_()`).
        y_range: fixed y limits (e.g. (0, 1) for accuracy), or None to fit the data.
        max_fps: the redraw ceiling.
    """

    DEFAULT_CSS = """
    LineChart { height: 1fr; width: 1fr; }
    LineChart > .line-chart--plot { height: 1fr; width: 1fr; }
    """

    def __init__(
        self,
        title: str = "",
        *,
        x_label: str = "",
        y_label: str = "",
        y_range: tuple[float, float] | None = None,
        max_fps: float = 10.0,
        legend: Callable[[str], str] | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 (Textual's name)
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.title = title
        self.x_label = x_label
        self.y_label = y_label
        self.y_range = y_range
        self.max_fps = max_fps
        self.legend = legend or _
        self._series: dict[str, Series] = {}
        self._dirty = True
        self._plot: Any = None
        self.redraws = 0
        """How many times the plot was rebuilt (tests check the throttle with it)."""
        self.log_y = False
        """The y axis in log scale (`toggle_log`)."""

    @property
    def ascii(self) -> bool:
        return ascii_only(self)

    def compose(self) -> ComposeResult:
        if self.ascii:
            self._plot = Static("", classes="line-chart--plot")
        else:
            self._plot = _cell_plot_class()(classes="line-chart--plot")
        yield self._plot

    def on_mount(self) -> None:
        self.set_interval(1.0 / self.max_fps, self._redraw_if_dirty)

    def on_resize(self) -> None:
        self._dirty = True

    # -- data ----------------------------------------------------------------------------------

    def set_series(self, name: str, xs: Any, ys: Any, colour: str | None = None) -> None:
        """Replace the points of series `name` (created if new)."""
        series = self._series.get(name) or Series(name, colour=colour)
        series.xs = [float(v) for v in xs]
        series.ys = [float(v) for v in ys]
        if colour:
            series.colour = colour
        self._series[name] = series
        self._dirty = True

    def extend(self, name: str, xs: Any, ys: Any) -> None:
        """Append points to series `name` (created if new)."""
        series = self._series.setdefault(name, Series(name))
        series.xs.extend(float(v) for v in xs)
        series.ys.extend(float(v) for v in ys)
        self._dirty = True

    def remove_series(self, name: str) -> None:
        if self._series.pop(name, None) is not None:
            self._dirty = True

    def clear(self) -> None:
        self._series.clear()
        self._dirty = True

    def refresh_language(self) -> None:
        """Redraw soon: the title, axis labels and legend are translated as they are drawn."""
        self._dirty = True

    def toggle_log(self) -> bool:
        """Switch the y axis between linear and log scale; returns whether it is log now."""
        self.log_y = not self.log_y
        self._dirty = True
        return self.log_y

    def series(self, name: str) -> Series | None:
        return self._series.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._series)

    # -- drawing -------------------------------------------------------------------------------

    def _redraw_if_dirty(self) -> None:
        # A chart on a hidden tab has no region, and one on a screen the learner left is not
        # seen: keep it dirty until it is shown (a run's curves would cost every other mode).
        if (
            self._dirty
            and self._plot is not None
            and self.display
            and self.region.area
            and self.screen.is_current
        ):
            self._dirty = False
            self.redraw()

    def redraw(self) -> None:
        """Rebuild the plot now (the timer calls this; tests may too)."""
        self.redraws += 1
        width = max(self._plot.size.width, 20)
        height = max(self._plot.size.height, 5)
        visible = [
            Series(self.legend(s.name), s.xs, s.ys, s.colour) for s in self._series.values() if s.xs
        ]
        title = _(self.title) if self.title else ""
        if self.ascii:
            self._plot.update(
                Text(
                    "\n".join(ascii_chart(visible, width, height, title, self.y_range, self.log_y))
                )
            )
            return
        plt = self._plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(_("{title} (log)").format(title=title) if self.log_y else title)
        if self.x_label:
            plt.xlabel(_(self.x_label))
        if self.y_label:
            plt.ylabel(_(self.y_label))
        for i, s in enumerate(visible):
            xs, ys = downsample(np.asarray(s.xs, float), np.asarray(s.ys, float), 2 * width)
            ok = np.isfinite(ys) & (ys > 0 if self.log_y else True)
            colour = s.colour or SERIES_COLOURS[i % len(SERIES_COLOURS)]
            marker = PLOT_MARKERS[i % len(PLOT_MARKERS)]
            plt.plot(xs[ok].tolist(), ys[ok].tolist(), label=s.name, marker=marker, color=colour)
        if self.log_y:
            plt.yscale("log")
        elif self.y_range is not None:
            plt.ylim(*self.y_range)
        elif visible:
            finite = [v for s in visible for v in s.ys if math.isfinite(v)]
            if finite and max(finite) - min(finite) < 1e-9:
                plt.ylim(min(finite) - 0.5, max(finite) + 0.5)
        self._plot.refresh()
