"""The Models mode's text panels: the selected layer's details and the model's totals.

Both only format what `cnntui.zoo.summary` computed.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cnntui.i18n import _, pgettext
from cnntui.text import format_count, format_si, human_bytes
from cnntui.ui.models.table import share_bar
from cnntui.ui.shared.access import ascii_only
from cnntui.zoo.summary import LayerRow, ModelSummary, asciify, format_shape


def _ascii(widget: Static) -> bool:
    return ascii_only(widget)


class LayerDetail(Static):
    """Two lines about the highlighted layer: settings and shapes, then the parameter formula."""

    def show(self, row: LayerRow | None) -> None:
        if row is None:
            self.update("")
            return
        ascii_only = _ascii(self)
        arrow = "->" if ascii_only else "→"
        dot = "|" if ascii_only else "·"
        first = Text()
        first.append(row.name or _("(network)"), style="bold")
        first.append(f" {row.type}")
        if row.settings:
            first.append(f" {asciify(row.settings) if ascii_only else row.settings}", style="dim")
        first.append(
            f" {dot} {format_shape(row.input_shape, ascii_only)} {arrow} "
            f"{format_shape(row.output_shape, ascii_only)}"
        )
        second = Text()
        formula = row.formula()
        if ascii_only:
            formula = asciify(formula)
        second.append(_("params") + " ", style="dim")
        second.append(formula)
        macs = pgettext("summary column", "MACs")
        second.append(
            f" {dot} {macs} {format_count(row.macs)}" if row.macs else f" {dot} " + _("no MACs")
        )
        field = row.receptive_field
        second.append(
            f" {dot} "
            + _("RF {width}x{height} jump {jump}").format(
                width=field[0], height=field[1], jump=row.jump[0]
            )
        )
        if row.trainable is False:
            second.append(
                f" {dot} " + (_("frozen") if row.trainable_params == 0 else _("partly frozen")),
                style="yellow",
            )
        self.update(Text("\n").join([first, second]))


class ModelTotals(Static):
    """Totals: parameters (trainable, not), MACs, memory at a batch size, conv vs FC share; or the
    reason the input does not fit, at the layer where it breaks."""

    def show(
        self, summary: ModelSummary | None, batch_size: int = 1, error: str | None = None
    ) -> None:
        ascii_only = _ascii(self)
        dot = "|" if ascii_only else "·"
        if error is not None:
            mark = "x" if ascii_only else "✗"
            self.update(Text(f"{mark} {asciify(error) if ascii_only else error}", style="bold red"))
            self.add_class("-error")
            return
        self.remove_class("-error")
        if summary is None:
            self.update("")
            return
        kinds = summary.kind_totals()
        total = summary.total_params or 1
        line = Text()
        line.append(_("Params") + " ", style="dim")
        line.append(format_count(summary.total_params), style="bold")
        if summary.non_trainable_params:
            frozen = format_count(summary.non_trainable_params)
            line.append(" " + _("(frozen {count})").format(count=frozen), style="yellow")
        line.append(f" {dot} " + pgettext("summary column", "MACs") + " ", style="dim")
        line.append(format_si(summary.total_macs), style="bold")
        line.append(f" {dot} " + _("depth {depth}").format(depth=summary.weight_depth), style="dim")
        memory = Text()
        memory.append(_("Memory") + " ", style="dim")
        memory.append(_("params {size}").format(size=human_bytes(summary.param_bytes)) + f" {dot} ")
        memory.append(_("act. batch {batch}:").format(batch=batch_size) + " ", style="dim")
        memory.append(human_bytes(summary.activation_bytes(batch_size)))
        share = Text()
        share.append(_("Params in") + " ", style="dim")
        for kind, label in (("conv", "conv"), ("fc", "FC")):
            fraction = kinds[kind][0] / total
            share.append(f"{label} ")
            share.append(
                share_bar(fraction, 8, ascii_only), style="green" if kind == "conv" else "cyan"
            )
            share.append(f" {fraction * 100:.1f}%  ")
        self.update(Text("\n").join([line, memory, share]))
