"""Draw your own real distribution on a grid over the plane (GAN Lab's "drawing" data)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cnntui.gan.distributions import DRAW_GRID
from cnntui.i18n import N_, _
from cnntui.ui.shared.access import ascii_only

TITLE = N_("Draw the real distribution: arrows move, space fills, enter uses it")


class DrawScreen(ModalScreen[frozenset[tuple[int, int]] | None]):
    """Move with the arrow keys, space fills or clears a cell, enter uses the drawing."""

    DEFAULT_CSS = """
    DrawScreen { align: center middle; }
    DrawScreen > Vertical {
        width: auto; height: auto; padding: 0 1;
        border: round $accent; background: $panel;
    }
    DrawScreen #gan-draw-grid { width: auto; height: auto; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", N_("Up"), show=False),
        Binding("down,j", "move(1, 0)", N_("Down"), show=False),
        Binding("left,h", "move(0, -1)", N_("Left"), show=False),
        Binding("right,l", "move(0, 1)", N_("Right"), show=False),
        Binding("space", "toggle_cell", N_("Fill/clear")),
        Binding("c", "clear", N_("Clear all")),
        Binding("enter", "apply", N_("Use it")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, cells: frozenset[tuple[int, int]] = frozenset()) -> None:
        super().__init__()
        self.cells = set(cells)
        self.row = self.col = DRAW_GRID // 2

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_(TITLE), id="gan-draw-title")
            yield Static(id="gan-draw-grid")
            yield Label("", id="gan-draw-count")

    def on_mount(self) -> None:
        self._redraw()

    def refresh_language(self) -> None:
        """Re-set the title and the count in the current language."""
        self.query_one("#gan-draw-title", Label).update(_(TITLE))
        self._redraw()

    def _redraw(self) -> None:
        ascii_mode = ascii_only(self)
        filled, empty = ("#", ".") if ascii_mode else ("█", "·")
        text = Text()
        for r in range(DRAW_GRID):
            for c in range(DRAW_GRID):
                mark = filled if (r, c) in self.cells else empty
                style = (
                    "reverse bold"
                    if (r, c) == (self.row, self.col)
                    else ("green" if (r, c) in self.cells else "dim")
                )
                text.append(mark * 2, style=style)
            text.append("\n")
        self.query_one("#gan-draw-grid", Static).update(text)
        self.query_one("#gan-draw-count", Label).update(
            _("cells filled: {n}  (c clears)").format(n=len(self.cells))
        )

    def action_move(self, dr: int, dc: int) -> None:
        self.row = (self.row + dr) % DRAW_GRID
        self.col = (self.col + dc) % DRAW_GRID
        self._redraw()

    def action_toggle_cell(self) -> None:
        self.cells ^= {(self.row, self.col)}
        self._redraw()

    def action_clear(self) -> None:
        self.cells.clear()
        self._redraw()

    def action_apply(self) -> None:
        if not self.cells:
            self.notify(_("fill at least one cell first"), severity="warning")
            return
        self.dismiss(frozenset(self.cells))

    def action_cancel(self) -> None:
        self.dismiss(None)
