"""What the Train lab shows of its runs while they train: the runner's events, polled ten
times a second, drawn on the curves, the pictures, the predictions and the status line.

`LiveRunScreen` holds the runs and turns their events into drawing; `TrainScreen` adds the layout,
the controls and the runs list. Pictures are drawn lazily: only the newest of each kind, only on
its visible tab.
"""

from __future__ import annotations

import time
from typing import Any

from textual import on
from textual.widgets import Static, TabbedContent

from cnntui.i18n import N_, _
from cnntui.train.events import (
    Checkpointed,
    Confusion,
    Downloading,
    EpochEnd,
    Event,
    FeatureMaps,
    Filters,
    Predictions,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    StepProgress,
)
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.focus import FocusKeepingScreen
from cnntui.ui.train.confusion import ConfusionPane
from cnntui.ui.train.curves import CurvesView
from cnntui.ui.train.pictures import PicturesView
from cnntui.ui.train.predictions import PredictionsView
from cnntui.ui.train.run_state import RunView, curves_info, status_line
from cnntui.ui.train.runs import RunsView

POLL_INTERVAL_S = 0.1
STATUS_INTERVAL_S = 0.25
PICTURES_INTERVAL_S = 0.5
"""How often the newest filters, feature maps, predictions and confusion matrix are drawn."""
PICTURE_TABS: dict[type, str] = {
    Filters: "pictures",
    FeatureMaps: "pictures",
    Predictions: "predictions",
    Confusion: "confusion",
}
"""The tab each kind of picture event is drawn on."""
IDLE = N_("Idle. Choose the settings and press Start (or space).")


class LiveRunScreen(FocusKeepingScreen):
    """The runs being shown (`runs`, two when `compare`) and the drawing of their events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs: list[RunView] = []
        self.compare = False
        self._poll_timer: Any = None
        self._latest: dict[type, tuple[RunView, Any]] = {}
        self._status_at = 0.0
        self._opened: tuple[str, dict[str, Any]] | None = None
        """The saved run opened from the Runs view (its folder name and info), for its status."""

    @property
    def curves(self) -> CurvesView:
        return self.query_one(CurvesView)

    # -- events ---------------------------------------------------------------------------------

    def _ensure_polling(self) -> None:
        if self._poll_timer is None:
            self._poll_timer = self.set_interval(POLL_INTERVAL_S, self.poll_events)
            self.set_interval(PICTURES_INTERVAL_S, self.render_pictures)

    def poll_events(self) -> None:
        """Drain every runner's queue and update the views (the charts throttle themselves)."""
        changed = False
        for run in self.runs:
            if run.runner is None:
                continue
            for event in run.runner.poll():
                self._handle(run, event)
                changed = True
        now = time.monotonic()
        settled = any(r.state != "running" for r in self.runs)
        if changed and (settled or now - self._status_at >= STATUS_INTERVAL_S):
            self._status_at = now
            self._update_status()

    def _handle(self, run: RunView, event: Event) -> None:
        primary = run is self.runs[0]
        match event:
            case RunStarted():
                run.steps_per_epoch = event.steps_per_epoch
                run.class_names = tuple(event.class_names)
                run.model = event.model_title
                run.device = event.device
                run.epochs = int(event.config.get("epochs", run.epochs))
                for metrics in event.history:
                    self.curves.plot_epoch(run, metrics, self.compare)
            case Downloading():
                done = f"{event.done / 1e6:.1f}"
                size = (
                    _("{done} of {total} MB").format(done=done, total=f"{event.total / 1e6:.1f}")
                    if event.total
                    else f"{done} MB"
                )
                run.download = _("downloading {label}: {size}").format(label=event.label, size=size)
            case StepProgress():
                run.last_step = event
                self.curves.plot_steps(run, event, self.compare)
            case EpochEnd():
                run.last_epoch = event.metrics
                self.curves.plot_epoch(run, event.metrics, self.compare)
            case StateChanged():
                run.state = event.state
                if event.message and event.state not in ("failed",):
                    self.notify(f"{run.label}: {event.message}", timeout=4)
            case RunFailed():
                run.state = "failed"
                self.notify(f"{run.label}: {event.message}", severity="error", timeout=12)
            case RunFinished():
                run.state = "finished"
                final = event.summary.get("final", {})
                if final.get("test_acc") is not None:
                    self.notify(
                        _("{run}: finished, test accuracy {accuracy}").format(
                            run=run.label, accuracy=f"{final['test_acc']:.2%}"
                        ),
                        timeout=8,
                    )
                self.query_one(RunsView).refresh_runs()
            case Checkpointed(reason="stop" | "signal"):
                self.query_one(RunsView).refresh_runs()
            case Filters() | FeatureMaps() | Predictions() | Confusion() if primary:
                # Pictures are drawn lazily: only the newest of each kind, only on its visible tab.
                self._latest[type(event)] = (run, event)
                if isinstance(event, FeatureMaps):
                    self.query_one(PicturesView).follow_probe(event)

    def render_pictures(self, force: bool = False) -> None:
        """Draw the newest picture events whose tab is on show (or all, with `force`)."""
        if not self._latest:
            return
        active = self.query_one(TabbedContent).active
        for kind in [
            k for k, tab in PICTURE_TABS.items() if k in self._latest and (force or tab == active)
        ]:
            run, event = self._latest.pop(kind)
            match event:
                case Filters():
                    self.query_one(PicturesView).show_filters(event)
                case FeatureMaps():
                    names = self.runs[0].class_names if self.runs else ()
                    self.query_one(PicturesView).show_features(event, names)
                case Predictions():
                    self.query_one(PredictionsView).show(event, run.class_names)
                case Confusion():
                    self.query_one(ConfusionPane).show(event, run.class_names)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.render_pictures()

    def on_resize(self) -> None:
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#train-status", Static)
        if not self.runs:
            status.update(_(IDLE))
            return
        dot = " - " if ascii_only(self) else " · "
        # Both lines are one row high: what does not fit the width is left out, least useful first.
        width = max(20, self.size.width - 2)
        status.update(status_line(self.runs, dot, width))
        self.curves.show_info(curves_info(self.runs, dot, width))
