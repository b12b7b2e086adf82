"""`LayersView`: every layer's activation maps side by side, as in CNN Explainer.

One column per layer (the flatten is skipped: it only reshapes), the input first; a convolution,
ReLU or pooling column shows its maps stacked, as many as fit (the selected column scrolls to
keep its selected map in view); vector layers show their units as a shaded grid. The selected
unit is drawn in the highlight colour, its receptive field is framed on the input.

Keys: ←/→ layer, ↑/↓ map (or unit of a vector layer), h j k l (or shift+arrows) move the unit
inside the map. A click selects the unit under the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.cells import set_cell_size
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from cnntui.explain.network import layer_kind
from cnntui.explain.session import ExplainSession
from cnntui.i18n import N_, _
from cnntui.ui.explain.maps import frame, grey, map_lines, tile_rows, vector_grid
from cnntui.ui.shared.access import ascii_only


@dataclass
class Region:
    """Where one map was drawn, to turn a click into a unit."""

    x: int
    y: int
    cells: int
    rows: int
    layer: int
    channel: int
    """-1 for a vector layer's grid (the click picks the unit)."""
    height: int
    width: int


class LayersView(Widget, can_focus=True):
    """The activation maps of the session's trace; posts `Selected` when the unit changes."""

    DEFAULT_CSS = """
    LayersView { height: 1fr; width: 1fr; }
    LayersView:focus { background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "layer(-1)", N_("Previous layer"), show=False),
        Binding("right", "layer(1)", N_("Layer/map"), key_display="←→↑↓"),
        Binding("up", "channel(-1)", N_("Previous map"), show=False),
        Binding("down", "channel(1)", N_("Next map"), show=False),
        Binding("h,shift+left", "unit(0,-1)", N_("Unit"), show=False),
        Binding("l,shift+right", "unit(0,1)", N_("Unit"), show=False),
        Binding("k,shift+up", "unit(-1,0)", N_("Unit"), show=False),
        Binding("j,shift+down", "unit(1,0)", N_("Unit"), key_display="hjkl"),
    ]

    class Selected(Message):
        """The selected unit changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.session: ExplainSession | None = None
        self.regions: list[Region] = []

    def set_session(self, session: ExplainSession) -> None:
        self.session = session
        self.refresh()

    # -- keys and mouse --------------------------------------------------------------------------

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Selected())

    def action_layer(self, delta: int) -> None:
        if self.session is None:
            return
        self.session.select_layer(delta)
        if layer_kind(self.session.trace.layers[self.session.selection.layer]) == "flatten":
            self.session.select_layer(delta)
        self._changed()

    def action_channel(self, delta: int) -> None:
        if self.session is not None:
            self.session.select_channel(delta)
            self._changed()

    def action_unit(self, d_row: int, d_col: int) -> None:
        if self.session is not None:
            self.session.move_unit(d_row, d_col)
            self._changed()

    def on_click(self, event: events.Click) -> None:
        if self.session is None:
            return
        for region in self.regions:
            if not (
                region.x <= event.x < region.x + region.cells
                and region.y <= event.y < region.y + region.rows
            ):
                continue
            fy = (event.y - region.y + 0.5) / region.rows
            fx = (event.x - region.x + 0.5) / region.cells
            if region.channel < 0:  # a vector layer's grid: cells in reading order
                columns = region.cells
                index = int((event.y - region.y) * 2) * columns + (event.x - region.x)
                self.session.select(region.layer, index)
            else:
                row = min(region.height - 1, int(fy * region.height))
                col = min(region.width - 1, int(fx * region.width))
                self.session.select(max(region.layer, 0), region.channel, row, col)
            self.focus()
            self._changed()
            return

    # -- drawing ---------------------------------------------------------------------------------

    def columns(self) -> list[int]:
        """The layers drawn, by trace index (-1 is the input)."""
        if self.session is None:
            return []
        trace = self.session.trace
        return [-1] + [i for i, m in enumerate(trace.layers) if layer_kind(m) != "flatten"]

    def render(self) -> Text:
        self.regions = []
        if self.session is None:
            return Text(_("loading the network..."))
        ascii_mode = ascii_only(self)
        session = self.session
        trace = session.trace
        columns = self.columns()
        width, height = max(20, self.size.width), max(6, self.size.height)
        cells = max(3, (width + 1) // len(columns) - 1)
        body = height - 2
        blocks: list[list[Text]] = []
        sel = session.selection
        detail_box = session.detail().box
        for index, layer in enumerate(columns):
            x = index * (cells + 1)
            name = _("input") if layer < 0 else trace.names[layer]
            style = "reverse bold" if layer == sel.layer else "bold"
            block = [Text(set_cell_size(name, cells), style=style)]
            if layer < 0:
                picture = trace.image.mean(axis=0)
                field = frame(picture.shape[0], picture.shape[1], detail_box)
                lines = map_lines(grey(picture), min(cells, picture.shape[1]), ascii_mode, field)
                self.regions.append(Region(x, 1, len(lines[0]), len(lines), 0, 0, *picture.shape))
                block += lines
                blocks.append(block)
                continue
            out = trace.outputs[layer]
            if out.ndim == 3:
                count, map_h, map_w = out.shape
                tile_cells = min(cells, map_w)
                rows = tile_rows(map_h, map_w, tile_cells)
                fit = max(1, body // rows)
                start = 0
                if layer == sel.layer and sel.channel >= fit:
                    start = min(sel.channel - fit // 2, count - fit)
                start = max(0, start)
                shown = range(start, min(count, start + fit))
                for channel in shown:
                    marked = np.zeros((map_h, map_w), dtype=bool)
                    if layer == sel.layer and channel == sel.channel:
                        marked[sel.row, sel.col] = True
                    y = len(block)
                    lines = map_lines(grey(out[channel]), tile_cells, ascii_mode, marked)
                    self.regions.append(
                        Region(x, y, tile_cells, rows, layer, channel, map_h, map_w)
                    )
                    block += lines
                hidden = count - len(shown)
                if hidden:
                    block.append(Text(f"+{hidden}"[:cells], style="dim"))
            else:
                grid = vector_grid(out, cells)
                filled = np.nan_to_num(grid, nan=float(np.nanmin(grid)))
                rgb = grey(filled)
                rgb[np.isnan(grid)] = 0.0
                vector_marked = np.zeros(grid.shape, dtype=bool)
                if layer == sel.layer:  # the selected unit of a vector layer
                    vector_marked[sel.channel // cells, sel.channel % cells] = True
                lines = map_lines(rgb, cells, ascii_mode, vector_marked)[:body]
                self.regions.append(
                    Region(x, 1, cells, len(lines), layer, -1, grid.shape[0], grid.shape[1])
                )
                block += lines
                block.append(Text(f"{out.size}"[:cells], style="dim"))
            blocks.append(block)
        text = Text()
        tallest = min(height, max(len(b) for b in blocks))
        for r in range(tallest):
            for i, block in enumerate(blocks):
                if i:
                    text.append(" ")
                piece = block[r].copy() if r < len(block) else Text("")
                piece.truncate(cells, pad=True)
                text.append_text(piece)
            if r < tallest - 1:
                text.append("\n")
        return text
