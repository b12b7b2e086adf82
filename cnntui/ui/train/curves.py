"""The Train lab's Curves view: loss and accuracy per epoch, per step and on validation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from cnntui.i18n import N_, _
from cnntui.train.events import StepProgress
from cnntui.ui.shared.line_chart import LineChart
from cnntui.ui.train.run_state import RunView

SERIES_LABELS = {"train": N_("train"), "val": N_("val")}
"""The legend's words for each kind of series (a series' key stays English)."""


def legend(name: str) -> str:
    """The label shown for series `name`: `train`, `val`, or `<run> train` side by side."""
    run, _space, what = name.rpartition(" ")
    label = _(SERIES_LABELS[what]) if what in SERIES_LABELS else name
    return f"{run} {label}" if run and what in SERIES_LABELS else label


class CurvesView(Vertical):
    """Two charts (loss, accuracy) against epochs, and a line of device, memory and speed.

    With two runs side by side (`compare`), each series is named after its run; the smoothed
    training accuracy is drawn for a single run only (two would hide the validation curves).
    """

    DEFAULT_CSS = """
    CurvesView LineChart { width: 1fr; }
    CurvesView #curves-info { height: 1; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="caption", id="curves-info")
        with Horizontal():
            # Titles, axis labels and legends are msgids: the chart translates them as it draws.
            yield LineChart(
                N_("loss"), x_label=N_("epoch"), max_fps=5, legend=legend, id="loss-chart"
            )
            yield LineChart(
                N_("accuracy"),
                x_label=N_("epoch"),
                y_range=(0.0, 1.0),
                max_fps=5,
                legend=legend,
                id="acc-chart",
            )

    @property
    def loss_chart(self) -> LineChart:
        return self.query_one("#loss-chart", LineChart)

    @property
    def acc_chart(self) -> LineChart:
        return self.query_one("#acc-chart", LineChart)

    @staticmethod
    def _series(run: RunView, what: str, compare: bool) -> str:
        return f"{run.label} {what}" if compare else what

    def plot_steps(self, run: RunView, event: StepProgress, compare: bool) -> None:
        """The training loss of each step, and the running mean of the accuracy."""
        n = len(event.losses)
        first = event.epoch * event.steps_per_epoch + event.step - n
        xs = [(first + i + 1) / event.steps_per_epoch for i in range(n)]
        self.loss_chart.extend(self._series(run, "train", compare), xs, event.losses)
        smoothed = []
        for value in event.accuracies:
            run.acc_ema = value if run.acc_ema is None else 0.9 * run.acc_ema + 0.1 * value
            smoothed.append(run.acc_ema)
        if not compare:
            self.acc_chart.extend("train", xs, smoothed)

    def plot_epoch(self, run: RunView, metrics: dict[str, float], compare: bool) -> None:
        """The validation loss and accuracy at the end of an epoch."""
        epoch = float(metrics["epoch"])
        self.loss_chart.extend(self._series(run, "val", compare), [epoch], [metrics["val_loss"]])
        self.acc_chart.extend(self._series(run, "val", compare), [epoch], [metrics["val_acc"]])

    def plot_saved_epoch(self, run: RunView, metrics: dict[str, float]) -> None:
        """One epoch of a saved run: validation, and the training means (its steps are gone)."""
        self.plot_epoch(run, metrics, compare=False)
        self.loss_chart.extend("train", [metrics["epoch"]], [metrics["train_loss"]])
        self.acc_chart.extend("train", [metrics["epoch"]], [metrics["train_acc"]])

    def refresh_language(self) -> None:
        """Redraw both charts: their titles, axes and legends follow the current language."""
        self.loss_chart.refresh_language()
        self.acc_chart.refresh_language()

    def show_info(self, text: str) -> None:
        self.query_one("#curves-info", Static).update(text)

    def clear(self) -> None:
        self.loss_chart.clear()
        self.acc_chart.clear()
