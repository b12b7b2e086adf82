"""The model table as plain text, fitted to a width: what `cnntui summary` prints.

Columns that do not fit are dropped whole (receptive field first, then the share, the type, the
MACs), never cut mid-number; only layer names are shortened, with an ellipsis.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from cnntui.cells import cell_width, pad_cells, rpad_cells, wrap_cells
from cnntui.i18n import _, pgettext
from cnntui.text import format_count, format_si, human_bytes
from cnntui.zoo.summary import LayerRow, ModelSummary, asciify, format_shape


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English; `column_titles` gives it in the current language
    align: str  # "<" or ">"
    priority: int  # higher survives longer when the width is short


COLUMNS = [
    Column("layer", "Layer", "<", 100),
    Column("type", "Type", "<", 40),
    Column("output", "Output shape", ">", 90),
    Column("params", "Params", ">", 80),
    Column("share", "Share", ">", 30),
    Column("macs", "MACs", ">", 60),
    Column("act", "Act. mem", ">", 25),
    Column("field", "RF", ">", 20),
]

MIN_NAME = 8


def column_titles() -> dict[str, str]:
    """Each column's title in the current language, by key (the titles of `COLUMNS` in English)."""
    return {
        "layer": pgettext("summary column", "Layer"),
        "type": pgettext("summary column", "Type"),
        "output": pgettext("summary column", "Output shape"),
        "params": pgettext("summary column", "Params"),
        "share": pgettext("summary column", "Share"),
        "macs": pgettext("summary column", "MACs"),
        "act": pgettext("summary column", "Act. mem"),
        "field": pgettext("summary column", "RF"),
    }


def _tree_prefix(rows: list[LayerRow], index: int, ascii_only: bool) -> str:
    """Indentation showing nesting: `├─ `/`└─ ` (or `|- `/`\\- `) under the parent."""
    row = rows[index]
    if row.depth <= 1:
        return ""
    last = True
    for later in rows[index + 1 :]:
        if later.depth < row.depth:
            break
        if later.depth == row.depth:
            last = False
            break
    branch = ("\\- " if last else "|- ") if ascii_only else ("└─ " if last else "├─ ")
    return "   " * (row.depth - 2) + branch


def _cells(summary: ModelSummary, rows: list[LayerRow], ascii_only: bool) -> list[dict[str, str]]:
    total = summary.total_params or 1
    out = []
    for i, row in enumerate(rows):
        share = row.params / total * 100 if row.params else 0.0
        params = format_count(row.params) if row.params else "-"
        if row.params and row.trainable is False:
            params = f"({params})"  # frozen, as torchinfo marks it
        out.append(
            {
                "layer": _tree_prefix(rows, i, ascii_only)
                + (row.short_name if row.depth > 1 else row.name),
                "type": asciify(row.type) if ascii_only else row.type,
                "output": format_shape(row.output_shape, ascii_only),
                "params": params,
                "share": f"{share:.1f}%" if row.params else "",
                "macs": format_si(row.macs) if row.macs else "-",
                "field": row.field_text(ascii_only),
                "act": human_bytes(summary.row_activation_bytes(row))
                if row.activation_elements
                else "-",
            }
        )
    return out


def _shorten(text: str, width: int, ascii_only: bool) -> str:
    if len(text) <= width:
        return text
    mark = "~" if ascii_only else "…"
    return text[: max(0, width - 1)] + mark


def render_table(
    summary: ModelSummary, width: int = 100, depth: int | None = -1, ascii_only: bool = False
) -> str:
    """The table plus totals, at most `width` characters per line."""
    rows = summary.rows(depth)
    cells = _cells(summary, rows, ascii_only)
    titles = column_titles()
    widths = {
        c.key: max([cell_width(titles[c.key])] + [cell_width(cell[c.key]) for cell in cells])
        for c in COLUMNS
    }
    columns = list(COLUMNS)
    gap = 2

    def total_width(cols: list[Column], name_width: int) -> int:
        return sum(name_width if c.key == "layer" else widths[c.key] for c in cols) + gap * (
            len(cols) - 1
        )

    name_width = widths["layer"]
    while total_width(columns, name_width) > width:
        # shorten names down to their minimum first, then drop the least important column
        excess = total_width(columns, name_width) - width
        if name_width > MIN_NAME and name_width - excess >= min(widths["layer"], 24):
            name_width -= excess
            break
        droppable = [c for c in columns if c.key != "layer"]
        if len(columns) <= 3 or not droppable:
            name_width = max(MIN_NAME, name_width - excess)
            break
        columns.remove(min(droppable, key=lambda c: c.priority))
    lines = []
    rule = "-" if ascii_only else "─"

    def fmt(values: dict[str, str]) -> str:
        parts = []
        for c in columns:
            w = name_width if c.key == "layer" else widths[c.key]
            text = _shorten(values[c.key], w, ascii_only) if c.key == "layer" else values[c.key]
            parts.append(pad_cells(text, w) if c.align == "<" else rpad_cells(text, w))
        return (" " * gap).join(parts).rstrip()

    header = fmt(titles)
    lines.append(header)
    lines.append(rule * min(width, cell_width(header)))
    lines.extend(fmt(cell) for cell in cells)
    lines.append(rule * min(width, cell_width(header)))
    for line in totals_lines(summary, ascii_only):
        # wrap at spaces only, and never between a number and its unit ("126.4 KiB")
        glued = re.sub(r"(\d) (?=[KMGT]?i?B\b)", "\\1\u00a0", line)
        if cell_width(glued) == len(glued) or cell_width(glued) <= width:
            wrapped = textwrap.wrap(glued, width, subsequent_indent="  ", break_long_words=False)
        else:  # wide characters (Korean): wrap by terminal cells
            first, *rest = wrap_cells(glued, width) or [""]
            wrapped = [first] + ["  " + part for part in wrap_cells(" ".join(rest), width - 2)]
        lines.extend(part.replace("\u00a0", " ") for part in wrapped)
    return "\n".join(lines)


def totals_lines(summary: ModelSummary, ascii_only: bool = False, batch_size: int = 1) -> list[str]:
    kinds = summary.kind_totals()
    total = summary.total_params or 1
    conv_share = kinds["conv"][0] / total * 100
    fc_share = kinds["fc"][0] / total * 100
    arrow = "->" if ascii_only else "→"
    return [
        _("Model: {model}   input {input} {arrow} output {output}").format(
            model=summary.model,
            input=format_shape(summary.input_shape, ascii_only),
            arrow=arrow,
            output=format_shape(summary.output_shape, ascii_only),
        ),
        _("Total params: {total}   trainable: {trainable}   non-trainable: {frozen}").format(
            total=format_count(summary.total_params),
            trainable=format_count(summary.trainable_params),
            frozen=format_count(summary.non_trainable_params),
        ),
        _(
            "MACs per sample: {macs} ({macs_si})   "
            "depth: {depth} weight layers ({layers} conv/FC in all)"
        ).format(
            macs=format_count(summary.total_macs),
            macs_si=format_si(summary.total_macs),
            depth=summary.weight_depth,
            layers=summary.weight_layers,
        ),
        _("Where the parameters live: conv {conv}%   FC {fc}%   other {other}%").format(
            conv=f"{conv_share:.1f}",
            fc=f"{fc_share:.1f}",
            other=f"{max(0.0, 100 - conv_share - fc_share):.1f}",
        ),
        _(
            "Memory (float32): parameters {params}   activations for a "
            "forward+backward pass at batch {batch}: {activations}"
        ).format(
            params=human_bytes(summary.param_bytes),
            batch=batch_size,
            activations=human_bytes(summary.activation_bytes(batch_size)),
        ),
    ]
