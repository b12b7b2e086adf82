"""The Models mode's layer tree: a table whose container rows fold and unfold.

It shows the rows a `ModelSummary` computed (the widget does no numerics): the layer's name
indented under its parent with a fold marker, output shape, parameters, share of all parameters
with a bar, MACs, receptive field and whether it trains. Which rows show is decided by the depth
limit and by the containers the user opened or closed (`enter` on a row).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from cnntui.i18n import N_, _, pgettext
from cnntui.text import format_count, format_si, human_bytes
from cnntui.ui.shared.access import ascii_only as ascii_only_in
from cnntui.zoo.summary import LayerRow, ModelSummary, asciify, format_shape

EIGHTHS = " ▏▎▍▌▋▊▉█"


def share_bar(fraction: float, width: int, ascii_only: bool) -> str:
    """A bar `width` cells long filled to `fraction` (eighths of a cell, or `#` in ASCII)."""
    fraction = min(1.0, max(0.0, fraction))
    if ascii_only:
        filled = round(fraction * width)
        return "#" * filled + "." * (width - filled)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text + " " * (width - len(text))


@dataclass(frozen=True)
class FoldState:
    """Which containers show their children: open up to `depth`, with explicit exceptions."""

    depth: int
    opened: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()

    def is_open(self, row: LayerRow) -> bool:
        if row.is_leaf:
            return False
        if row.name in self.closed:
            return False
        return row.name in self.opened or row.depth < self.depth

    def toggled(self, row: LayerRow) -> FoldState:
        if self.is_open(row):
            return FoldState(self.depth, self.opened - {row.name}, self.closed | {row.name})
        return FoldState(self.depth, self.opened | {row.name}, self.closed - {row.name})


def visible_rows(rows: list[LayerRow], fold: FoldState) -> list[LayerRow]:
    """The rows whose every ancestor is open (rows come in pre-order)."""
    shown: list[LayerRow] = []
    open_stack: list[tuple[int, bool]] = []  # (depth, open) of the current ancestors
    for row in rows:
        while open_stack and open_stack[-1][0] >= row.depth:
            open_stack.pop()
        if all(is_open for _, is_open in open_stack):
            shown.append(row)
        open_stack.append((row.depth, fold.is_open(row) if not row.is_leaf else False))
    return shown


class LayerTable(DataTable[Text]):
    """Rows of a model summary as a foldable tree. Posts `LayerTable.Selected` on highlight."""

    @dataclass
    class Selected(Message):
        """The highlighted row changed (None: nothing to show)."""

        table: LayerTable
        row: LayerRow | None

        @property
        def control(self) -> LayerTable:
            return self.table

    @dataclass
    class ColumnsCut(Message):
        """The columns right of the visible part changed (empty: every column is in view)."""

        table: LayerTable
        names: list[str]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.summary: ModelSummary | None = None
        self.failed_at: str | None = None
        self.fold = FoldState(depth=2)
        self.shown: list[LayerRow] = []
        self._cut: list[str] = []

    def on_mount(self) -> None:
        self.watch(self, "scroll_x", self.on_resize)
        self._add_columns()

    def _add_columns(self) -> None:
        for key, title in (
            ("layer", pgettext("summary column", "Layer")),
            ("output", _("Output")),
            ("params", pgettext("summary column", "Params")),
            ("share", pgettext("summary column", "Share")),
            ("macs", pgettext("summary column", "MACs")),
            ("act", pgettext("summary column", "Act. mem")),
            ("rf", pgettext("summary column", "RF")),
            ("train", _("Train")),
            ("type", pgettext("summary column", "Type")),
            ("settings", _("Kernel / stride / padding")),
        ):
            self.add_column(title, key=key)

    def refresh_language(self) -> None:
        """Redraw the column titles and the cells in the current language, keeping the cursor."""
        selected = self.selected_row()
        self.clear(columns=True)
        self._add_columns()
        self.rebuild(keep=selected.name if selected is not None else None)
        self._cut = []  # the titles changed: report the columns out of view again
        self.call_after_refresh(self._check_cut)

    @property
    def ascii_only(self) -> bool:
        return ascii_only_in(self)

    def columns_cut(self) -> list[str]:
        """The labels of the columns that end right of what is in view (scroll right for them)."""
        right = self.scroll_x + self.scrollable_content_region.width
        cut: list[str] = []
        x = 0
        for column in self.ordered_columns:
            x += column.get_render_width(self)
            if x > right:
                cut.append(str(column.label))
        return cut

    def _check_cut(self) -> None:
        if not self.is_attached:
            return
        cut = self.columns_cut()
        if cut != self._cut:
            self._cut = cut
            self.post_message(self.ColumnsCut(self, cut))

    def on_resize(self) -> None:
        self.call_after_refresh(self._check_cut)

    def show(
        self,
        summary: ModelSummary | None,
        depth: int | None = None,
        failed_at: str | None = None,
        keep_fold: bool = False,
    ) -> None:
        """Show a summary (or the rows that traced before a failure at `failed_at`)."""
        self.summary = summary
        self.failed_at = failed_at
        if not keep_fold:
            self.fold = FoldState(depth=depth if depth is not None else self.fold.depth)
        elif depth is not None:
            self.fold = FoldState(depth, self.fold.opened, self.fold.closed)
        self.rebuild()

    def set_depth(self, depth: int) -> None:
        self.fold = FoldState(depth=depth)
        self.rebuild()

    def selected_row(self) -> LayerRow | None:
        if not self.shown or self.cursor_row < 0 or self.cursor_row >= len(self.shown):
            return None
        return self.shown[self.cursor_row]

    def select_layer(self, name: str) -> bool:
        """Unfold the layer's ancestors and move the cursor to it; False if there is none."""
        if self.summary is None:
            return False
        names = [row.name for row in self.summary.layers]
        if name not in names:
            return False
        parts = name.split(".")
        opened = set(self.fold.opened) | {".".join(parts[:i]) for i in range(1, len(parts))}
        self.fold = FoldState(self.fold.depth, frozenset(opened), self.fold.closed - set(opened))
        self.rebuild()
        for index, row in enumerate(self.shown):
            if row.name == name:
                self.move_cursor(row=index)
                return True
        return False

    def toggle_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.is_leaf:
            return
        self.fold = self.fold.toggled(row)
        self.rebuild(keep=row.name)

    def rebuild(self, keep: str | None = None) -> None:
        selected = self.selected_row()
        current = keep or (selected.name if selected is not None else None)
        self.clear()
        summary = self.summary
        if summary is None:
            self.shown = []
            self.post_message(self.Selected(self, None))
            return
        ascii_only = self.ascii_only
        self.shown = visible_rows(summary.layers, self.fold)
        total = summary.total_params or 1
        for row in self.shown:
            self.add_row(*self._cells(row, total, ascii_only), key=row.name)
        if self.failed_at is not None:
            mark = "x" if ascii_only else "✗"
            self.add_row(
                Text(f"{mark} {self.failed_at}", style="bold red"),
                Text(_("breaks here"), style="red"),
                *[Text("")] * 8,
                key="__failed__",
            )
        if current:
            for index, row in enumerate(self.shown):
                if row.name == current:
                    self.move_cursor(row=index)
                    break
        self.post_message(self.Selected(self, self.selected_row()))
        self.call_after_refresh(self._check_cut)

    def _cells(self, row: LayerRow, total: int, ascii_only: bool) -> list[Text]:
        indent = "  " * (row.depth - 1)
        if row.is_leaf:
            marker = "  "
        elif self.fold.is_open(row):
            marker = "- " if ascii_only else "▾ "
        else:
            marker = "+ " if ascii_only else "▸ "
        name = Text(indent + marker + (row.short_name or row.name))
        if not row.is_leaf:
            name.stylize("bold", len(indent))
        share = row.params / total if row.params else 0.0
        share_text = (
            Text(f"{share_bar(share, 5, ascii_only)} {share * 100:4.1f}%")
            if row.params
            else Text("")
        )
        trainable = row.trainable
        train = (
            ""
            if trainable is None
            else (
                N_("yes") if trainable else (N_("no") if row.trainable_params == 0 else N_("part"))
            )
        )
        act = self.summary.row_activation_bytes(row) if self.summary is not None else 0
        return [
            name,
            Text(format_shape(row.output_shape, ascii_only), justify="right"),
            Text(format_count(row.params) if row.params else "-", justify="right"),
            share_text,
            Text(format_si(row.macs) if row.macs else "-", justify="right"),
            Text(human_bytes(act) if act else "-", justify="right"),
            Text(row.field_text(ascii_only), justify="right"),
            Text(_(train) if train else "", style="" if train != "no" else "yellow"),
            Text(asciify(row.type), style="dim"),
            Text(asciify(row.settings) if ascii_only else row.settings, style="dim"),
        ]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self, self.selected_row()))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.toggle_selected()
