"""The Models mode's summary view: the layer table, the highlighted layer's detail, the totals.

`show` summarises a network at an input size (`cnntui.zoo.summary.summarize`, the code behind
`cnntui summary`); a size the network cannot take keeps the rows computed so far and marks the
layer where it breaks.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from cnntui.errors import ShapeError
from cnntui.i18n import _
from cnntui.ui.models.panels import LayerDetail, ModelTotals
from cnntui.ui.models.table import LayerTable
from cnntui.ui.shared.access import ascii_only
from cnntui.zoo.summary import LayerShapeError, ModelSummary, format_shape, summarize


class SummaryView(Vertical):
    """The layer tree (`LayerTable`), the highlighted layer (`LayerDetail`), the totals."""

    DEFAULT_CSS = """
    SummaryView { height: 1fr; }
    SummaryView #models-table { height: 1fr; }
    SummaryView #models-columns { height: 1; padding: 0 1; color: $text-muted; display: none; }
    SummaryView #models-columns.-cut { display: block; }
    SummaryView #models-detail { height: 2; padding: 0 1; background: $boost; }
    SummaryView #models-totals { height: auto; max-height: 4; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield LayerTable(id="models-table")
        yield Static(id="models-columns")
        yield LayerDetail(id="models-detail")
        yield ModelTotals(id="models-totals")

    @property
    def table(self) -> LayerTable:
        return self.query_one("#models-table", LayerTable)

    @property
    def totals(self) -> ModelTotals:
        return self.query_one("#models-totals", ModelTotals)

    def show(
        self,
        name: str,
        module: Any,
        shape: tuple[int, ...],
        depth: int,
        batch_size: int,
        keep_fold: bool = False,
    ) -> tuple[ModelSummary | None, bool]:
        """Summarise `module` (a `cnntui.engine.nn.Module`) at input `shape` (C, H, W) and draw it.

        Returns the summary (None if the input does not fit) and whether any rows are shown.
        """
        try:
            summary = summarize(module, shape, name=name)
        except LayerShapeError as error:
            partial = ModelSummary(
                name,
                tuple(shape),
                (),
                module.num_parameters(),
                module.num_parameters(trainable_only=True),
                0,
                error.rows,
            )
            self.table.show(partial, depth, failed_at=error.layer or name, keep_fold=keep_fold)
            where = format_shape(tuple(shape), ascii_only(self))
            self.totals.show(
                None, error=_("input {shape}: {reason}").format(shape=where, reason=error)
            )
            if error.layer and error.rows:
                self.table.select_layer(error.rows[-1].name)
            return None, True
        except ShapeError as error:
            self.show_nothing(str(error))
            return None, False
        self.table.show(summary, depth, keep_fold=keep_fold)
        self.totals.show(summary, batch_size)
        return summary, True

    def show_nothing(self, why: str) -> None:
        """An empty table and `why` in the totals line."""
        self.table.show(None)
        self.totals.show(None, error=why)

    @on(LayerTable.ColumnsCut)
    def _columns_cut(self, event: LayerTable.ColumnsCut) -> None:
        """Say which columns are out of view to the right, and how to reach them."""
        hint = self.query_one("#models-columns", Static)
        hint.set_class(bool(event.names), "-cut")
        if event.names:
            arrow = "->" if ascii_only(self) else "→"
            more = ", ".join(event.names)
            text = f"{arrow} " + _("scrolls to {columns}").format(columns=more)
            hint.update(Text(text, no_wrap=True, overflow="ellipsis"))

    @on(LayerTable.Selected)
    def _layer_highlighted(self, event: LayerTable.Selected) -> None:
        self.query_one("#models-detail", LayerDetail).show(event.row)
