"""The Train mode (key 5): pick a network and a data set, start, and watch it learn.

Training runs in its own process (`cnntui.train.runner.RunnerProcess`); this screen only sends
commands and draws the events it polls ten times a second. Views (tabs, `v` cycles them):

* Setup: the run's settings and the plain-vs-residual comparison;
* Curves: loss and accuracy, per step and per epoch (both runs on one chart when comparing);
* Pictures: the first layer's filters and the feature maps of one test image through one layer;
* Predictions: test images with their top-3 classes, right in green and wrong in red;
* Confusion: the validation confusion matrix and the most confidently wrong examples;
* Runs: past runs; Enter opens one's curves, `r` resumes it, `d` twice deletes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from cnntui.i18n import N_, _
from cnntui.train.choices import COMPARE_MODELS, VIEWS
from cnntui.train.config import RunConfig
from cnntui.train.events import (
    Command,
)
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.line_chart import LineChart
from cnntui.ui.shared.mode_bar import ModeBar
from cnntui.ui.train.confusion import ConfusionPane
from cnntui.ui.train.curves import CurvesView
from cnntui.ui.train.keys import BINDINGS
from cnntui.ui.train.live import IDLE, LiveRunScreen
from cnntui.ui.train.pictures import PicturesView
from cnntui.ui.train.predictions import PredictionsView
from cnntui.ui.train.run_state import RunView
from cnntui.ui.train.runs import RunsView
from cnntui.ui.train.setup import SetupView

TAB_TITLES = {
    "setup": N_("Setup"),
    "curves": N_("Curves"),
    "pictures": N_("Pictures"),
    "predictions": N_("Predictions"),
    "confusion": N_("Confusion"),
    "runs": N_("Runs"),
}
"""Each view's tab title (`VIEWS` order)."""
ALREADY_TRAINING = N_("a run is already training: stop it first (x)")
SELECT_A_RUN = N_("select a run in the Runs view first")


class TrainScreen(LiveRunScreen):
    """The Train lab."""

    SCOPED_CSS = False  # every rule names TrainScreen itself; one also needs the app's -ascii class
    DEFAULT_CSS = (Path(__file__).parent / "train.tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    def __init__(self) -> None:
        super().__init__(id="train-screen")

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static(_(IDLE), id="train-status")
        with TabbedContent(initial="setup"):
            with TabPane(_(TAB_TITLES["setup"]), id="setup"):
                yield SetupView()
            with TabPane(_(TAB_TITLES["curves"]), id="curves"):
                yield CurvesView()
            with TabPane(_(TAB_TITLES["pictures"]), id="pictures"):
                yield PicturesView()
            with TabPane(_(TAB_TITLES["predictions"]), id="predictions"):
                yield PredictionsView()
            with TabPane(_(TAB_TITLES["confusion"]), id="confusion"):
                yield ConfusionPane()
            with TabPane(_(TAB_TITLES["runs"]), id="runs"):
                yield RunsView()
        yield Footer(compact=True)

    def refresh_language(self) -> None:
        """Re-set the tab titles, the form, the captions and the status in the current language."""
        tabs = self.query_one(TabbedContent)
        for pane_id, title in TAB_TITLES.items():
            tabs.get_tab(pane_id).label = _(title)
        self.query_one(SetupView).refresh_language()
        self.query_one(RunsView).refresh_language()
        self.query_one(PicturesView).refresh_language()
        self.query_one(PredictionsView).refresh_language()
        self.query_one(ConfusionPane).refresh_language()
        self.curves.refresh_language()
        if self._opened is not None:
            self.query_one("#train-status", Static).update(self._opened_text(*self._opened))
        else:
            self._update_status()

    @property
    def runs_view(self) -> RunsView:
        return self.query_one(RunsView)

    def on_unmount(self) -> None:
        self._stop_all()

    # -- settings ----------------------------------------------------------------------------------

    def apply_preset(self, params: dict[str, str]) -> None:
        """Fill the settings from a lesson link (see `cnntui.train.presets`), maybe start."""
        from cnntui.train.presets import validate

        problems = validate(params)
        if problems:
            self.notify("; ".join(problems), severity="error")
            return
        self.query_one(SetupView).apply(params)
        if params.get("view") == "init":
            self.action_init_stats(params.get("scheme", "he"), params.get("activation", "relu"))
        elif "view" in params:
            self.query_one(TabbedContent).active = params["view"]
        if params.get("start") == "yes":
            self.start_training()

    def action_init_stats(self, init: str = "he", activation: str = "relu") -> None:
        """The initialisation view (`cnntui.ui.train.init_stats`)."""
        from cnntui.ui.train.init_stats import InitStatsScreen

        self.app.push_screen(InitStatsScreen(init, activation))

    # -- starting and controlling ----------------------------------------------------------------

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "SetupView Input")
    def _start_pressed(self) -> None:
        """The Start button, or Enter in any field of the form."""
        self.start_training()

    def start_training(self) -> None:
        """Start a run (or the comparison pair) with the current settings."""
        from cnntui.errors import CnnTuiError
        from cnntui.train.runner import RunnerProcess
        from cnntui.train.runs import new_run_dir

        if self._live():
            self.notify(_(ALREADY_TRAINING), severity="warning")
            return
        setup = self.query_one(SetupView)
        try:
            config = setup.read_config()
        except CnnTuiError as exc:
            self.notify(str(exc), severity="error")
            return
        self.compare = setup.compare
        pairs: list[tuple[str, RunConfig]]
        if self.compare:
            base = config.to_dict()
            pairs = [
                (name.split("-")[0], RunConfig(**{**base, "model": name}))
                for name in COMPARE_MODELS
            ]
        else:
            pairs = [(config.model, config)]
        self._clear_views()
        self.runs = []
        for label, run_config in pairs:
            try:
                run_dir = new_run_dir(run_config.model, run_config.dataset)
            except OSError as exc:
                self.notify(
                    _("cannot create a run folder: {reason}").format(reason=exc), severity="error"
                )
                return
            runner = RunnerProcess(run_config, run_dir)
            runner.start()
            self.runs.append(
                RunView(label=label, runner=runner, run_dir=run_dir, epochs=run_config.epochs)
            )
        self._follow_runs()
        self.set_focus(None)

    def _follow_runs(self) -> None:
        """Poll the runs just started and show their curves."""
        self._ensure_polling()
        self.query_one(TabbedContent).active = "curves"
        self._update_status()

    def _resume(self, run_dir: Path, info: dict[str, Any]) -> None:
        """Go on with a saved run (`info` is its `read_run_info`)."""
        from cnntui.train.runner import RunnerProcess

        if self._live():
            self.notify(_(ALREADY_TRAINING), severity="warning")
            return
        config = RunConfig.from_dict(info.get("config", {}))
        self._clear_views()
        self.compare = False
        runner = RunnerProcess(config, run_dir, resume=True)
        runner.start()
        self.runs = [
            RunView(label=config.model, runner=runner, run_dir=run_dir, epochs=config.epochs)
        ]
        self._follow_runs()

    def _live(self) -> list[RunView]:
        return [
            r
            for r in self.runs
            if r.runner is not None and r.state not in ("finished", "stopped", "failed")
        ]

    def _send(self, command: Command) -> None:
        for run in self._live():
            run.runner.send(command)

    def action_toggle_run(self) -> None:
        live = self._live()
        if not live:
            self.start_training()
        elif any(r.state == "paused" for r in live):
            self._send(Command("resume"))
        else:
            self._send(Command("pause"))

    def action_single_step(self) -> None:
        if self._live():
            self._send(Command("step", 1))
        else:
            self.notify(_("no run is training: start one first (space)"), severity="warning")

    def action_stop_run(self) -> None:
        if self._live():
            self._send(Command("stop"))
            self.notify(_("stopping: a checkpoint is being written"))

    def action_change_lr(self) -> None:
        from cnntui.ui.train.lr import LearningRateScreen

        live = self._live()
        if not live:
            self.notify(_("no run is training"), severity="warning")
            return
        current = live[0].last_step.lr if live[0].last_step is not None else RunConfig().lr

        def apply(value: float | None) -> None:
            if value is not None:
                self._send(Command("set_lr", value))

        self.app.push_screen(LearningRateScreen(current), apply)

    def action_leave_field(self) -> None:
        """Move focus from a settings field to the view tabs, where every key of the mode works."""
        self.query_one(TabbedContent).query_one(Tabs).focus()

    def action_log_scale(self) -> None:
        """Switch the loss chart between linear and log scale (a loss that falls tenfold)."""
        log = self.query_one("#loss-chart", LineChart).toggle_log()
        self.notify(_("loss on a log scale") if log else _("loss on a linear scale"), timeout=2)

    def action_next_view(self) -> None:
        tabs = self.query_one(TabbedContent)
        index = VIEWS.index(tabs.active) if tabs.active in VIEWS else 0
        tabs.active = VIEWS[(index + 1) % len(VIEWS)]

    def action_layer(self, delta: int) -> None:
        if self.query_one(PicturesView).step_layer(delta):
            self._probe()

    def action_image(self, delta: int) -> None:
        self.query_one(PicturesView).step_image(delta)
        self._probe()

    def _probe(self) -> None:
        live = self._live()
        if live:
            pictures = self.query_one(PicturesView)
            live[0].runner.send(Command("probe", pictures.probe_index, pictures.probe_layer))
        else:
            self.notify(_("feature maps follow a running (or paused) run"), severity="warning")

    def _stop_all(self) -> None:
        for run in self.runs:
            if run.runner is not None:
                run.runner.shutdown(timeout=5)

    def _clear_views(self) -> None:
        self._opened = None
        self._latest.clear()
        self.curves.clear()
        self.query_one(PicturesView).clear()
        self.query_one(PredictionsView).clear()
        self.query_one(ConfusionPane).clear()

    # -- runs list -------------------------------------------------------------------------------

    def _refresh_runs(self) -> None:
        self.runs_view.refresh_runs()

    def _selected_run(self) -> Path | None:
        if self.query_one(TabbedContent).active != "runs":
            return None
        return self.runs_view.selected()

    @on(DataTable.RowSelected, "#runs-table")
    def _open_run(self, event: DataTable.RowSelected) -> None:
        path = Path(str(event.row_key.value))
        info = self.runs_view.read_info(path)
        if info is None:
            return
        if self._live():
            self.notify(_("stop the current run before opening another"), severity="warning")
            return
        self.compare = False
        self._clear_views()
        config = info.get("config", {})
        run = RunView(
            label=str(config.get("model", "?")),
            run_dir=path,
            epochs=int(config.get("epochs", 0)),
            state="finished" if info.get("finished") else "stopped",
        )
        self.runs = [run]
        for metrics in info.get("history", []):
            self.curves.plot_saved_epoch(run, metrics)
        self._opened = (path.name, info)
        self.query_one("#train-status", Static).update(self._opened_text(path.name, info))
        self.query_one(TabbedContent).active = "curves"

    @staticmethod
    def _opened_text(name: str, info: dict[str, Any]) -> str:
        """The status line of a saved run opened from the Runs view."""
        config = info.get("config", {})
        text = _("opened {name}: {model} on {dataset}, {done}/{epochs} epochs").format(
            name=name,
            model=config.get("model"),
            dataset=config.get("dataset"),
            done=len(info.get("history", [])),
            epochs=config.get("epochs"),
        )
        return text if info.get("finished") else text + _("; r resumes it")

    def action_resume_selected(self) -> None:
        path = self._selected_run()
        if path is None:
            self.notify(_(SELECT_A_RUN), severity="warning")
            return
        info = self.runs_view.read_info(path)
        if info is None:
            return
        if info.get("finished"):
            self.notify(
                _("that run is finished; use cnntui train --resume DIR --epochs N to extend it"),
                severity="warning",
            )
            return
        self._resume(path, info)

    def action_delete_selected(self) -> None:
        path = self._selected_run()
        if path is None:
            self.notify(_(SELECT_A_RUN), severity="warning")
            return
        if any(r.run_dir == path for r in self._live()):
            self.notify(_("that run is training; stop it first"), severity="warning")
            return
        self.runs_view.delete(path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("resume_selected", "delete_selected"):
            return self.is_mounted and self.query_one(TabbedContent).active == "runs"
        return True
