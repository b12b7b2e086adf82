"""`DrawView`: a drawing pad classified live.

Keys: arrows move the cursor, space paints a dot, `p` puts the pen down or lifts it (moving with
the pen down draws a stroke), `c` clears, `t` thickens, `u` undoes. The mouse paints while a
button is held. Every change posts `Changed`; the screen runs the network off the UI thread and
calls `show_prediction`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.cells import set_cell_size
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from cnntui.explain.drawing import DrawingPad
from cnntui.explain.session import ExplainSession
from cnntui.i18n import N_, _
from cnntui.ui.explain.maps import grey, map_lines
from cnntui.ui.shared.access import ascii_only


class DrawView(Widget, can_focus=True):
    DEFAULT_CSS = """
    DrawView { height: 1fr; width: 1fr; padding: 0 1; }
    DrawView:focus { background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1,0)", N_("Move"), show=False),
        Binding("down", "move(1,0)", N_("Move"), show=False),
        Binding("left", "move(0,-1)", N_("Move"), show=False),
        Binding("right", "move(0,1)", N_("Move"), show=False),
        Binding("space", "paint", N_("Paint")),
        Binding("p", "pen", N_("Pen")),
        Binding("c", "clear", N_("Clear")),
        Binding("t", "thicken", N_("Thicken")),
        Binding("u", "undo", N_("Undo")),
    ]

    class Changed(Message):
        """The drawing changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.pad = DrawingPad(28)
        self.pen_down = False
        self.session: ExplainSession | None = None
        self._dragging = False

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Changed())

    def action_move(self, d_row: int, d_col: int) -> None:
        self.pad.move(d_row, d_col, paint=self.pen_down)
        if self.pen_down:
            self._changed()
        else:
            self.refresh()

    def action_paint(self) -> None:
        self.pad.paint(*self.pad.cursor)
        self._changed()

    def action_pen(self) -> None:
        self.pen_down = not self.pen_down
        if self.pen_down:
            self.pad.begin_stroke()
            self.pad.paint(*self.pad.cursor)
            self._changed()
        else:
            self.pad.end_stroke()
            self.refresh()

    def action_clear(self) -> None:
        self.pad.clear()
        self._changed()

    def action_thicken(self) -> None:
        self.pad.thicken()
        self._changed()

    def action_undo(self) -> None:
        if self.pad.undo():
            self._changed()
        else:
            self.notify(_("nothing to undo"))

    # -- mouse: the pad is the top-left 28×14 cells (two pixels a cell, stacked)

    def _pixel_at(self, x: int, y: int) -> tuple[int, int] | None:
        col, row = x - 1, (y - 1) * 2  # padding 0 1, one title line
        if 0 <= col < self.pad.size and 0 <= row < self.pad.size:
            return row, col
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        spot = self._pixel_at(event.x, event.y)
        if spot is None:
            return
        self.focus()
        self.capture_mouse()
        self._dragging = True
        self.pad.begin_stroke()
        self.pad.cursor = spot
        self.pad.paint(*spot)
        self._changed()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        spot = self._pixel_at(event.x, event.y)
        if spot is not None:
            self.pad.cursor = spot
            self.pad.paint(*spot)
            self._changed()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.pad.end_stroke()
            self.release_mouse()

    # -- drawing -------------------------------------------------------------------------------

    def show_prediction(self, session: ExplainSession) -> None:
        self.session = session
        self.refresh()

    def render(self) -> Text:
        ascii_mode = ascii_only(self)
        canvas = self.pad.canvas
        marked = np.zeros(canvas.shape, dtype=bool)
        marked[self.pad.cursor] = True
        rgb = np.repeat(canvas[:, :, None], 3, axis=2)
        pad = map_lines(rgb, self.pad.size, ascii_mode, marked)
        title = _("draw (pen down)") if self.pen_down else _("draw (pen up)")
        left = [Text(set_cell_size(title, self.pad.size), style="bold"), *pad]
        right = self._prediction_lines(ascii_mode)
        out = Text()
        for r in range(max(len(left), len(right))):
            out.append_text(left[r] if r < len(left) else Text(" " * self.pad.size))
            out.append("  ")
            out.append_text(right[r] if r < len(right) else Text(""))
            out.append("\n")
        out.rstrip()
        out.no_wrap = True
        out.overflow = "crop"
        return out

    def _prediction_lines(self, ascii_mode: bool) -> list[Text]:
        session = self.session
        if session is None:
            return [Text(_("draw with space, p and the arrows, or the mouse"))]
        probs = session.probabilities()
        names = session.net.class_names
        best = probs.top(1)[0]
        bar = "#" if ascii_mode else "█"
        lines = [
            Text(
                f"{session.net.spec.name}: {names[best]} ({probs.probabilities[best]:.0%})",
                style="bold",
            )
        ]
        # Ten classes fit beside the pad; a network with more lists its ten most probable first.
        shown = range(len(names)) if len(names) <= 10 else probs.top(10)
        for i in shown:
            p = float(probs.probabilities[i])
            line = Text(f"{names[i][:8]:>8} {p:6.1%} ")
            line.append(bar * round(p * 16), style="green" if i == best else "")
            lines.append(line)
        first = next((out for out in session.trace.outputs if out.ndim == 3), None)
        if first is not None:
            lines.append(Text(_("first layer's maps:"), style="dim"))
            tiles = [map_lines(grey(m), 6, ascii_mode) for m in first[:6]]
            for r in range(max(len(t) for t in tiles)):
                row = Text()
                for t in tiles:
                    row.append_text(t[r] if r < len(t) else Text(" " * 6))
                    row.append(" ")
                lines.append(row)
        lines.append(Text(_("as the network sees it:"), style="dim"))
        seen = map_lines(grey(session.pixels.mean(axis=0)), 14, ascii_mode)
        lines += seen
        return lines
