"""The Calculator's result pane: output shape with its working, parameters, MACs, memory, field."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from cnntui.calc.chain import ChainReport
from cnntui.calc.layer import LayerReport
from cnntui.text import ascii_text, fraction_text, human_bytes, human_count
from cnntui.ui.shared.access import ascii_only


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
            (t(f"{report.spec.describe()} on {report.input.text()}"), "$text-muted"),
            "\n",
            ("Output  ", "bold"),
            (t(report.output.text()), "bold $text-accent"),
            "\n",
        ]
        h, w = report.axes
        if h.plugged == w.plugged:
            parts += [
                t(f" H, W: {h.formula}"),
                "\n",
                (t(f"       {h.plugged}"), "$text-success"),
                "\n",
            ]
        else:
            for working in (h, w):
                letter = "H" if working.axis == "height" else "W"
                parts += [
                    t(f" {letter}: {working.formula}"),
                    "\n",
                    (t(f"    {working.plugged}"), "$text-success"),
                    "\n",
                ]
        parts += [
            ("Params  ", "bold"),
            t(f"{human_count(report.params)}"),
            "\n",
            (t(f"  {report.param_formula}"), "$text-muted"),
            "\n",
            ("MACs    ", "bold"),
            t(human_count(report.macs)),
            "\n",
            (t(f"  {report.mac_formula}"), "$text-muted"),
            "\n",
            ("Memory  ", "bold"),
            f"{human_bytes(report.memory_bytes)} (float32 output, one image)",
            "\n",
            ("Receptive field  ", "bold"),
            t(f"{report.receptive_field[0]}×{report.receptive_field[1]}"),
        ]
        for note in report.notes:
            parts += ["\n", (t(f"! {note}"), "$text-warning")]
        if report.suggestions:
            parts += ["\n", ("Exact fits nearby: ", "bold"), t("; ".join(report.suggestions))]
        self.update(Content.assemble(*parts))

    def show_problem(self, message: str) -> None:
        self.update(
            Content.assemble(
                ("This layer cannot work:", "bold $text-error"),
                "\n",
                (self._text(message), "$text-warning"),
                "\n\n",
                ("Change a field (←/→ or Enter) to fix it.", "$text-muted"),
            )
        )

    def show_chain_summary(self, chain: ChainReport, selected: int, lesson: str = "") -> None:
        t = self._text
        parts: list[Content | tuple[str, str] | str] = [
            ("Total ", "bold"),
            t(f"{human_count(chain.params)} params, {human_count(chain.macs)} MACs"),
            t(f", output {chain.output.text()}"),
        ]
        if chain.rows and 0 <= selected < len(chain.rows):
            row = chain.rows[selected]
            parts += [
                "\n",
                (f"Layer {selected + 1}: ", "bold"),
                t(
                    f"{row.report.input.text()} → {row.report.output.text()}, MACs {human_count(row.report.macs)},"
                ),
                t(f" field {fraction_text(row.field[0])}×{fraction_text(row.field[1])},"),
                t(f" jump {fraction_text(row.jump[0])}"),
            ]
        if chain.error:
            parts += ["\n", (t(chain.error), "$text-warning")]
        if lesson:
            parts += ["\n", (t(lesson), "$text-muted")]
        self.update(Content.assemble(*parts))
