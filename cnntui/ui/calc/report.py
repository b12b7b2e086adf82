"""The Calculator's result pane: output shape with its working, parameters, MACs, memory, field."""

from __future__ import annotations

import re

from textual.content import Content
from textual.widgets import Static

from cnntui.calc.chain import ChainReport
from cnntui.calc.layer import LayerReport, report_notes
from cnntui.i18n import N_, _
from cnntui.text import ascii_text, fraction_text, human_bytes, human_count
from cnntui.ui.shared.access import ascii_only

# `cnntui.calc.layer` writes its formulas in English for `cnntui calc --json`; the few words in
# them are translated here, when shown.
_FORMULA_WORDS = (
    (re.compile(r"^(?P<count>\S+) outputs × (?P<rest>.+)$"), N_("{count} outputs × {rest}")),
    (re.compile(r"^(?P<count>\S+) inputs × (?P<rest>.+)$"), N_("{count} inputs × {rest}")),
    (re.compile(r"^pooling has no parameters$"), N_("pooling has no parameters")),
    (
        re.compile(
            r"^0 \(each output compares or averages (?P<n>\d+) values;"
            r" no multiplications are counted\)$"
        ),
        N_("0 (each output compares or averages {n} values; no multiplications are counted)"),
    ),
    (re.compile(r"^flatten (?P<rest>.+)$"), N_("flatten {rest}")),
    (re.compile(r"^flatten$"), N_("flatten")),
)


def shown_formula(text: str) -> str:
    """A formula from `cnntui.calc.layer` in the current language (numbers unchanged)."""
    for pattern, template in _FORMULA_WORDS:
        match = pattern.match(text)
        if match:
            return _(template).format(**match.groupdict())
    return text


class CalcReport(Static):
    """Draws a `LayerReport`, a `ChainReport` summary, or a problem explained in words."""

    DEFAULT_CSS = """
    CalcReport {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    """

    def _text(self, text: str) -> str:
        return ascii_text(text) if ascii_only(self) else text

    def show_layer(self, report: LayerReport) -> None:
        t = self._text
        parts: list[Content | tuple[str, str] | str] = [
            (
                t(
                    _("{layer} on {shape}").format(
                        layer=report.spec.describe(), shape=report.input.text()
                    )
                ),
                "$text-muted",
            ),
            "\n",
            (_("Output") + "  ", "bold"),
            (t(report.output.text()), "bold $text-accent"),
            "\n",
        ]
        h, w = report.axes
        if h.plugged == w.plugged:
            parts += [
                t(f" H, W: {shown_formula(h.formula)}"),
                "\n",
                (t(f"       {shown_formula(h.plugged)}"), "$text-success"),
                "\n",
            ]
        else:
            for working in (h, w):
                letter = "H" if working.axis == "height" else "W"
                parts += [
                    t(f" {letter}: {shown_formula(working.formula)}"),
                    "\n",
                    (t(f"    {shown_formula(working.plugged)}"), "$text-success"),
                    "\n",
                ]
        parts += [
            (_("Params") + "  ", "bold"),
            t(f"{human_count(report.params)}"),
            "\n",
            (t(f"  {shown_formula(report.param_formula)}"), "$text-muted"),
            "\n",
            ("MACs    ", "bold"),
            t(human_count(report.macs)),
            "\n",
            (t(f"  {shown_formula(report.mac_formula)}"), "$text-muted"),
            "\n",
            (_("Memory") + "  ", "bold"),
            _("{size} (float32 output, one image)").format(size=human_bytes(report.memory_bytes)),
            "\n",
            (_("Receptive field") + "  ", "bold"),
            t(f"{report.receptive_field[0]}×{report.receptive_field[1]}"),
        ]
        notes, suggestions = report_notes(report, _)
        for note in notes:
            parts += ["\n", (t(f"! {note}"), "$text-warning")]
        if suggestions:
            parts += ["\n", (_("Exact fits nearby: "), "bold"), t("; ".join(suggestions))]
        self.update(Content.assemble(*parts))

    def show_problem(self, message: str) -> None:
        self.update(
            Content.assemble(
                (_("This layer cannot work:"), "bold $text-error"),
                "\n",
                (self._text(message), "$text-warning"),
                "\n\n",
                (_("Change a field (←/→ or Enter) to fix it."), "$text-muted"),
            )
        )

    def show_chain_summary(self, chain: ChainReport, selected: int, lesson: str = "") -> None:
        t = self._text
        parts: list[Content | tuple[str, str] | str] = [
            (_("Total") + " ", "bold"),
            t(
                _("{params} params, {macs} MACs, output {shape}").format(
                    params=human_count(chain.params),
                    macs=human_count(chain.macs),
                    shape=chain.output.text(),
                )
            ),
        ]
        if chain.rows and 0 <= selected < len(chain.rows):
            row = chain.rows[selected]
            parts += [
                "\n",
                (_("Layer {n}: ").format(n=selected + 1), "bold"),
                t(
                    _("{input} → {output}, MACs {macs}, field {field}, jump {jump}").format(
                        input=row.report.input.text(),
                        output=row.report.output.text(),
                        macs=human_count(row.report.macs),
                        field=f"{fraction_text(row.field[0])}×{fraction_text(row.field[1])}",
                        jump=fraction_text(row.jump[0]),
                    )
                ),
            ]
        if chain.error:
            parts += ["\n", (t(chain.error), "$text-warning")]
        if lesson:
            parts += ["\n", (t(lesson), "$text-muted")]
        self.update(Content.assemble(*parts))
