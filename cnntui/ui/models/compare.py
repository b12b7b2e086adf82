"""The Models mode's compare view (`c`): two models side by side, with the ratio B/A."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from cnntui import zoo
from cnntui.i18n import _
from cnntui.ui.shared.access import ascii_only
from cnntui.zoo.summary import ModelSummary, summarize


class CompareView(DataTable[Text]):
    """Rows of `cnntui.zoo.compare.compare`: parameters, MACs, memory… of A, of B, and B/A."""

    DEFAULT_CSS = """
    CompareView { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def show(
        self, summary: ModelSummary | None, name: str, entry: zoo.ZooEntry | None, other: str | None
    ) -> None:
        """Compare `summary` (of `name`, the zoo `entry` or None for your own network) with the
        zoo model `other` at its default input; None clears the view."""
        from cnntui.zoo.compare import compare

        self.clear(columns=True)
        if other is None:
            return
        other_entry = zoo.get(other)
        other_summary = summarize(
            other_entry.build(), other_entry.input_shape, name=other_entry.name
        )
        if summary is None:
            rows = [
                [Text(""), Text(_("fix the input size first"), style="red"), Text(""), Text("")]
            ]
        else:
            rows = [
                [
                    Text(_(row.label), style="dim"),
                    Text(row.a, justify="right"),
                    Text(row.b, justify="right"),
                    Text(row.ratio, justify="right"),
                ]
                for row in compare(summary, other_summary, entry, other_entry, ascii_only(self))
            ]
        # Widths measured here, not left to the table: a redraw right after another one (a
        # language change) could otherwise show the columns at the width of their titles.
        titles = ["", name, other_entry.name, "B/A"]
        for index, (key, title) in enumerate(zip(("label", "a", "b", "ratio"), titles)):
            width = max([cell_len(title)] + [row[index].cell_len for row in rows])
            self.add_column(title, key=key, width=width)
        for cells in rows:
            self.add_row(*cells)
