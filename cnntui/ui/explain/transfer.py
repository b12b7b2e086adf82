"""`TransferView`: the transfer-learning lab, live.

The three ways of `cnntui.explain.transfer` (from scratch, frozen base, fine-tuned) train one
after another in a worker thread; each epoch's test accuracy lands on one chart, one line per
way, and the final numbers are listed beside it. Keys: `s` starts (or stops), `+`/`-` change the
images per class, `e`/`E` the epochs.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from cnntui.explain.transfer import WAYS, EpochPoint, TransferResult, TransferSettings
from cnntui.i18n import N_, _
from cnntui.ui.shared.line_chart import LineChart

TITLES = {
    "scratch": N_("from scratch"),
    "frozen": N_("frozen base"),
    "finetuned": N_("fine-tuned"),
}


class TransferView(Widget, can_focus=True):
    DEFAULT_CSS = """
    TransferView { height: 1fr; width: 1fr; }
    TransferView #transfer-chart { width: 1fr; height: 1fr; }
    TransferView #transfer-info { width: 34; height: 1fr; padding: 0 1; }
    TransferView:focus #transfer-info { background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", N_("Start/stop")),
        Binding("plus,equals_sign", "per_class(1)", N_("Per class"), key_display="+/-"),
        Binding("minus", "per_class(-1)", N_("N"), show=False),
        Binding("e", "epochs(1)", N_("Epochs"), key_display="e/E"),
        Binding("E", "epochs(-1)", N_("Epochs"), show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.settings = TransferSettings()
        self.running = False
        self.stop_requested = False
        self.result: TransferResult | None = None
        self.points: list[EpochPoint] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield LineChart(
                _("test accuracy, digits 5-9"),
                x_label=_("epoch"),
                y_range=(0.0, 1.0),
                id="transfer-chart",
            )
            yield Static(id="transfer-info")

    def on_mount(self) -> None:
        self._info()

    def refresh_language(self) -> None:
        """The chart's titles and legend and the summary in the language now current (F2)."""
        chart = self.query_one(LineChart)
        chart.title, chart.x_label = _("test accuracy, digits 5-9"), _("epoch")
        chart.clear()  # the legend is the series' names: rebuild them from the points so far
        for way in WAYS:
            done = [p for p in self.points if p.way == way]
            if done:
                chart.set_series(
                    _(TITLES[way]), [p.epoch for p in done], [p.test_acc for p in done]
                )
        self._info()

    def _info(self) -> None:
        s = self.settings
        text = Text(_("Transfer learning") + "\n", style="bold")
        text.append(
            _(
                "Base: LeNet-5 trained on digits 0-4. New task: digits 5-9 with "
                "{per_class} images each, {epochs} epochs."
            ).format(per_class=s.per_class, epochs=s.epochs)
            + "\n\n"
        )
        for way in WAYS:
            done = [p for p in self.points if p.way == way]
            acc = f"{done[-1].test_acc:6.1%}" if done else "     -"
            title = _(TITLES[way])
            text.append(f"{title}{' ' * max(1, 14 - cell_len(title))}{acc}\n")
        text.append("\n" + _("scratch: all layers from random weights") + "\n", style="dim")
        text.append(_("frozen: base fixed, new head trained") + "\n", style="dim")
        text.append(_("fine-tuned: all layers, base at lr/10") + "\n", style="dim")
        state = _("training...") if self.running else _("s: start")
        text.append(f"\n{state}", style="bold" if self.running else "")
        self.query_one("#transfer-info", Static).update(text)

    def action_per_class(self, delta: int) -> None:
        if not self.running:
            value = min(100, max(1, self.settings.per_class + delta))
            self.settings = TransferSettings(per_class=value, epochs=self.settings.epochs)
            self._info()

    def action_epochs(self, delta: int) -> None:
        if not self.running:
            value = min(100, max(1, self.settings.epochs + delta))
            self.settings = TransferSettings(per_class=self.settings.per_class, epochs=value)
            self._info()

    def action_start(self) -> None:
        if self.running:
            self.stop_requested = True
            return
        self.points = []
        chart = self.query_one(LineChart)
        chart.clear()
        self.running = True
        self.stop_requested = False
        self._info()
        self.run_worker(self._train, thread=True, exclusive=True, group="transfer")

    def _train(self) -> None:
        from cnntui.errors import CnnTuiError
        from cnntui.explain.transfer import run_transfer

        worker = get_current_worker()

        def stop() -> bool:
            return self.stop_requested or worker.is_cancelled

        try:
            result = run_transfer(
                self.settings, lambda p: self.app.call_from_thread(self._point, p), stop
            )
        except CnnTuiError as exc:
            self.app.call_from_thread(self._finished, None, str(exc))
            return
        self.app.call_from_thread(self._finished, result, "")

    def _point(self, point: EpochPoint) -> None:
        self.points.append(point)
        self.query_one(LineChart).extend(_(TITLES[point.way]), [point.epoch], [point.test_acc])
        self._info()

    def _finished(self, result: TransferResult | None, problem: str) -> None:
        self.running = False
        self.result = result
        if problem:
            self.notify(problem, severity="warning")
        self._info()
