"""The Models mode's diagram view (`d`): the highlighted block drawn as boxes and arrows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cnntui.i18n import N_, _
from cnntui.ui.shared.access import ascii_only
from cnntui.zoo.summary import LayerRow, ModelSummary

HINT = N_("escape or d: back to the table; highlight a block there to draw it")


class DiagramView(VerticalScroll):
    """A scrolling drawing of one block of a summary (`cnntui.zoo.diagram.block_diagram`)."""

    DEFAULT_CSS = """
    DiagramView { height: 1fr; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="diagram-text")

    def show(self, summary: ModelSummary | None, row: LayerRow | None) -> None:
        """Draw the block of `row` (a leaf draws its enclosing block, so some structure always
        shows), or the whole model when `row` is None; a note when there is no summary."""
        from cnntui.zoo.diagram import block_diagram

        target = self.query_one("#diagram-text", Static)
        if summary is None:
            target.update(
                Text(_("No diagram: the input size does not fit (see the summary)."), style="red")
            )
            return
        name = ""
        if row is not None:
            name = row.name if not row.is_leaf else row.name.rpartition(".")[0]
        plain = ascii_only(self)
        try:
            lines = block_diagram(summary, name, plain)
        except KeyError:
            lines = block_diagram(summary, "", plain)
        target.update(Text("\n".join(lines) + "\n\n" + _(HINT)))
