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

import atexit
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from cnntui.train.config import RunConfig
from cnntui.train.events import Command
from cnntui.ui.widgets.line_chart import LineChart
from cnntui.ui.widgets.mode_bar import ModeBar
from cnntui.ui.widgets.train_confusion import ConfusionView
from cnntui.ui.widgets.train_images import ImageGrid, Tile, to_unit

VIEWS = ("setup", "curves", "pictures", "predictions", "confusion", "runs")
POLL_INTERVAL_S = 0.1
STATUS_INTERVAL_S = 0.25
PICTURES_INTERVAL_S = 0.5
"""How often the newest filters, feature maps, predictions and confusion matrix are drawn."""
PICTURE_TABS = {
    "filters": "pictures",
    "features": "pictures",
    "predictions": "predictions",
    "confusion": "confusion",
}
COMPARE_MODELS = ("plain-deep", "residual-deep")
COMPARE_DEFAULTS = {"input_size": 16, "epochs": 6}
DATASET_CHOICES = ("digits", "shapes", "mnist", "fashion-mnist", "cifar10", "folder")
_LIVE_RUNNERS: list[Any] = []


def _shutdown_all() -> None:
    """At interpreter exit: ask every live run to checkpoint and stop (never leave orphans)."""
    for runner in list(_LIVE_RUNNERS):
        try:
            runner.shutdown(timeout=5)
        except Exception:  # exiting anyway
            pass


atexit.register(_shutdown_all)


@dataclass
class RunView:
    """What the screen knows about one live (or opened) run."""

    label: str
    runner: Any = None
    run_dir: Path | None = None
    steps_per_epoch: int = 1
    epochs: int = 0
    class_names: tuple[str, ...] = ()
    state: str = "starting"
    last_step: Any = None
    last_epoch: dict[str, float] = field(default_factory=dict)
    model: str = ""
    device: str = ""
    acc_ema: float | None = None
    download: str = ""


def trainable_models() -> list[tuple[str, str]]:
    """(label, name) of the zoo's models meant for training."""
    from cnntui import zoo

    out = [("lenet5 (auto size)", "lenet5")]
    for entry in zoo.entries():
        if entry.trainable and entry.name != "lenet5":
            out.append((f"{entry.name} — {entry.title}", entry.name))
    return out


class TrainScreen(Screen[None]):
    """The Train lab."""

    SCOPED_CSS = False  # every rule names TrainScreen itself; one also needs the app's -ascii class
    DEFAULT_CSS = """
    TrainScreen #train-status { height: 1; padding: 0 1; background: $boost; }
    TrainScreen TabbedContent { height: 1fr; }
    TrainScreen TabPane { padding: 0; }
    TrainScreen #setup-grid {
        grid-size: 4; grid-columns: 10 1fr 10 1fr; grid-rows: 3; height: auto; padding: 0 1;
    }
    TrainScreen #setup-grid Label { padding: 1 0 0 1; }
    TrainScreen #setup-buttons { height: 3; padding: 0 1; }
    TrainScreen #setup-buttons Button { margin-right: 2; }
    TrainScreen #setup-note { color: $text-muted; padding: 0 1; height: auto; }
    TrainScreen #curves LineChart { width: 1fr; }
    TrainScreen #curves-info { height: 1; padding: 0 1; }
    TrainScreen #pictures-left { width: 30; padding: 0 1; }
    TrainScreen #pictures-right { width: 1fr; padding: 0 1; }
    TrainScreen .caption { color: $text-muted; height: auto; }
    TrainScreen #confusion-row { height: auto; }
    TrainScreen #confusion-view { width: auto; padding: 0 1; }
    TrainScreen #wrong-box { width: 1fr; padding: 0 1; }
    TrainScreen #runs-table { height: 1fr; }
    .-ascii TrainScreen Underline { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_run", "Run", key_display="space", id="train.toggle"),
        Binding("n", "single_step", "Step", id="train.step"),
        Binding("x", "stop_run", "Stop", id="train.stop"),
        Binding("l", "change_lr", "LR", id="train.lr"),
        Binding("v", "next_view", "View", id="train.view"),
        Binding("left_square_bracket", "layer(-1)", "Layer", key_display="[]", id="train.layer"),
        Binding("right_square_bracket", "layer(1)", "Layer", show=False, id="train.layer_next"),
        Binding("comma", "image(-1)", "Image", key_display="<>", id="train.image"),
        Binding("full_stop", "image(1)", "Image", show=False, id="train.image_next"),
        Binding("r", "resume_selected", "Resume", show=False, id="train.resume"),
        Binding("d", "delete_selected", "Delete", show=False, id="train.delete"),
        # A settings field keeps the number and letter keys for itself; Escape hands them back.
        Binding("escape", "leave_field", "Leave field", show=False, id="train.leave"),
    ]

    def __init__(self) -> None:
        super().__init__(id="train-screen")
        self.runs: list[RunView] = []
        self.compare = False
        self._probe_layer: str | None = None
        self._probe_layers: list[str] = []
        self._probe_index = 0
        self._delete_armed: tuple[str, float] | None = None
        self._poll_timer: Any = None
        self._latest: dict[str, tuple[RunView, Any]] = {}
        self._status_at = 0.0

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static("Idle. Choose the settings and press Start (or space).", id="train-status")
        with TabbedContent(initial="setup"):
            with TabPane("Setup", id="setup"), VerticalScroll():
                yield from self._compose_setup()
            with TabPane("Curves", id="curves"), Vertical():
                yield Static("", classes="caption", id="curves-info")
                with Horizontal():
                    yield LineChart("loss", x_label="epoch", max_fps=5, id="loss-chart")
                    yield LineChart(
                        "accuracy", x_label="epoch", y_range=(0.0, 1.0), max_fps=5, id="acc-chart"
                    )
            with TabPane("Pictures", id="pictures"), Horizontal():
                with VerticalScroll(id="pictures-left"):
                    yield Static("first-layer filters", classes="caption", id="filters-caption")
                    yield ImageGrid(tile_width=6, id="filters")
                with VerticalScroll(id="pictures-right"):
                    yield Static("feature maps", classes="caption", id="features-caption")
                    yield ImageGrid(tile_width=8, id="features")
            with TabPane("Predictions", id="predictions"), VerticalScroll():
                yield Static(
                    "test images with the model's top 3",
                    classes="caption",
                    id="predictions-caption",
                )
                yield ImageGrid(tile_width=10, id="predictions-grid")
            with TabPane("Confusion", id="confusion"), VerticalScroll():
                with Horizontal(id="confusion-row"):
                    yield ConfusionView(
                        "The confusion matrix appears at the end of each epoch.",
                        id="confusion-view",
                    )
                    with Vertical(id="wrong-box"):
                        yield Static("most confidently wrong", classes="caption")
                        yield ImageGrid(tile_width=8, id="wrong-grid")
            with TabPane("Runs", id="runs"), Vertical():
                yield Static(
                    "Enter: open its curves   r: resume   d twice: delete", classes="caption"
                )
                yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def _compose_setup(self) -> ComposeResult:
        defaults = RunConfig()
        device = getattr(self.app, "device", "auto") or "auto"
        with Grid(id="setup-grid"):
            yield Label("model")
            yield Select(trainable_models(), value="lenet5", allow_blank=False, id="set-model")
            yield Label("data set")
            yield Select(
                [(d, d) for d in DATASET_CHOICES],
                value="digits",
                allow_blank=False,
                id="set-dataset",
            )
            yield Label("epochs")
            yield Input(str(defaults.epochs), id="set-epochs", type="integer")
            yield Label("batch")
            yield Input(str(defaults.batch_size), id="set-batch", type="integer")
            yield Label("lr")
            yield Input(f"{defaults.lr:g}", id="set-lr", type="number")
            yield Label("optimizer")
            yield Select(
                [("SGD + momentum", "sgd"), ("Adam", "adam")],
                value="sgd",
                allow_blank=False,
                id="set-optimizer",
            )
            yield Label("seed")
            yield Input(str(defaults.seed), id="set-seed", type="integer")
            yield Label("device")
            yield Select(
                [(d, d) for d in ("auto", "cpu", "gpu")],
                value=device if device in ("auto", "cpu", "gpu") else "auto",
                allow_blank=False,
                id="set-device",
            )
            yield Label("data dir")
            yield Input("", placeholder="for mnist, cifar10, folder", id="set-data-dir")
            yield Label("size")
            yield Input("", placeholder="auto", id="set-size", type="integer")
        with Horizontal(id="setup-buttons"):
            yield Button("Start", id="start", variant="primary")
            yield Checkbox("download if missing", id="set-download")
            yield Checkbox("plain vs residual", id="set-compare")
        yield Static(
            "lenet5 on digits trains in seconds. 'plain vs residual' trains the 20-layer plain net "
            "and its residual twin side by side on the same data (the ResNet lesson's experiment).",
            id="setup-note",
        )

    def on_mount(self) -> None:
        table = self.query_one("#runs-table", DataTable)
        table.add_columns("run", "model", "data", "status", "val acc", "test acc")
        self._refresh_runs()

    def on_unmount(self) -> None:
        self._stop_all()

    # -- settings --------------------------------------------------------------------------------

    def _read_config(self) -> RunConfig:
        from cnntui.errors import UsageError

        def number(widget_id: str, kind: type, label: str) -> Any:
            text = self.query_one(widget_id, Input).value.strip()
            try:
                return kind(text)
            except ValueError:
                raise UsageError(f"{label}: '{text}' is not a number") from None

        size_text = self.query_one("#set-size", Input).value.strip()
        config = RunConfig(
            model=str(self.query_one("#set-model", Select).value),
            dataset=str(self.query_one("#set-dataset", Select).value),
            epochs=number("#set-epochs", int, "epochs"),
            batch_size=number("#set-batch", int, "batch"),
            lr=number("#set-lr", float, "lr"),
            optimizer=str(self.query_one("#set-optimizer", Select).value),
            seed=number("#set-seed", int, "seed"),
            device=str(self.query_one("#set-device", Select).value),
            data_dir=self.query_one("#set-data-dir", Input).value.strip() or None,
            download=self.query_one("#set-download", Checkbox).value,
            input_size=number("#set-size", int, "size") if size_text else None,
            init=self.transfer_setup[0],
            freeze=self.transfer_setup[1],
        )
        return config.validated()

    transfer_setup: tuple[str | None, str] = (None, "")
    """`--init` and `--freeze` of the next run, set by a `cnntui:train?init=…&freeze=…` link."""

    def apply_preset(self, params: dict[str, str]) -> None:
        """Fill the settings from a lesson link (see `cnntui.presets.train`), maybe start."""
        from cnntui.presets.train import validate

        problems = validate(params)
        if problems:
            self.notify("; ".join(problems), severity="error")
            return
        self.transfer_setup = (params.get("init"), params.get("freeze", ""))
        compare = params.get("compare") == "plain-residual"
        self.query_one("#set-compare", Checkbox).value = compare
        if compare:
            self._set_input("#set-size", str(COMPARE_DEFAULTS["input_size"]))
            self._set_input("#set-epochs", str(COMPARE_DEFAULTS["epochs"]))
        with self.prevent(Select.Changed):  # the preset's own lr (below) must win
            for key, widget_id in (
                ("model", "#set-model"),
                ("dataset", "#set-dataset"),
                ("optimizer", "#set-optimizer"),
            ):
                if key in params:
                    self.query_one(widget_id, Select).value = params[key]
        if "model" in params and "lr" not in params:
            from cnntui.train.models import recommended_lr

            self._set_input("#set-lr", f"{recommended_lr(params['model'], RunConfig().lr):g}")
        for key, widget_id in (
            ("epochs", "#set-epochs"),
            ("batch", "#set-batch"),
            ("lr", "#set-lr"),
            ("seed", "#set-seed"),
            ("size", "#set-size"),
        ):
            if key in params:
                self._set_input(widget_id, params[key])
        if "view" in params:
            self.query_one(TabbedContent).active = params["view"]
        if params.get("start") == "yes":
            self.start_training()

    def _set_input(self, widget_id: str, value: str) -> None:
        self.query_one(widget_id, Input).value = value

    # -- starting and controlling ----------------------------------------------------------------

    @on(Select.Changed, "#set-model")
    def _model_changed(self, event: Select.Changed) -> None:
        from cnntui.train.models import recommended_lr

        if event.value is not Select.NULL:
            self._set_input("#set-lr", f"{recommended_lr(str(event.value), RunConfig().lr):g}")

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.start_training()

    def start_training(self) -> None:
        """Start a run (or the comparison pair) with the current settings."""
        from cnntui.errors import CnnTuiError
        from cnntui.train.runner import RunnerProcess
        from cnntui.train.runs import new_run_dir

        if self._live():
            self.notify("a run is already training: stop it first (x)", severity="warning")
            return
        try:
            config = self._read_config()
        except CnnTuiError as exc:
            self.notify(str(exc), severity="error")
            return
        self.compare = self.query_one("#set-compare", Checkbox).value
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
                self.notify(f"cannot create a run folder: {exc}", severity="error")
                return
            runner = RunnerProcess(run_config, run_dir)
            runner.start()
            _LIVE_RUNNERS.append(runner)
            self.runs.append(
                RunView(label=label, runner=runner, run_dir=run_dir, epochs=run_config.epochs)
            )
        self._ensure_polling()
        self.query_one(TabbedContent).active = "curves"
        self.set_focus(None)
        self._update_status()

    def _resume(self, run_dir: Path) -> None:
        from cnntui.train.checkpoint import read_run_info
        from cnntui.train.runner import RunnerProcess

        if self._live():
            self.notify("a run is already training: stop it first (x)", severity="warning")
            return
        info = read_run_info(run_dir)
        config = RunConfig.from_dict(info.get("config", {}))
        self._clear_views()
        self.compare = False
        runner = RunnerProcess(config, run_dir, resume=True)
        runner.start()
        _LIVE_RUNNERS.append(runner)
        self.runs = [
            RunView(label=config.model, runner=runner, run_dir=run_dir, epochs=config.epochs)
        ]
        self._ensure_polling()
        self.query_one(TabbedContent).active = "curves"
        self._update_status()

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
            self.notify("no run is training: start one first (space)", severity="warning")

    def action_stop_run(self) -> None:
        if self._live():
            self._send(Command("stop"))
            self.notify("stopping: a checkpoint is being written")

    def action_change_lr(self) -> None:
        from cnntui.ui.screens.train_lr import LearningRateScreen

        live = self._live()
        if not live:
            self.notify("no run is training", severity="warning")
            return
        current = live[0].last_step.lr if live[0].last_step is not None else RunConfig().lr

        def apply(value: float | None) -> None:
            if value is not None:
                self._send(Command("set_lr", value))

        self.app.push_screen(LearningRateScreen(current), apply)

    def action_leave_field(self) -> None:
        """Move focus from a settings field to the view tabs, where every key of the mode works."""
        self.query_one(TabbedContent).query_one(Tabs).focus()

    def action_next_view(self) -> None:
        tabs = self.query_one(TabbedContent)
        index = VIEWS.index(tabs.active) if tabs.active in VIEWS else 0
        tabs.active = VIEWS[(index + 1) % len(VIEWS)]

    def action_layer(self, delta: int) -> None:
        if not self._probe_layers:
            return
        current = (
            self._probe_layer if self._probe_layer in self._probe_layers else self._probe_layers[0]
        )
        index = (self._probe_layers.index(current) + delta) % len(self._probe_layers)
        self._probe_layer = self._probe_layers[index]
        self._probe()

    def action_image(self, delta: int) -> None:
        self._probe_index = max(0, self._probe_index + delta)
        self._probe()

    def _probe(self) -> None:
        live = self._live()
        if live:
            live[0].runner.send(Command("probe", self._probe_index, self._probe_layer))
        else:
            self.notify("feature maps follow a running (or paused) run", severity="warning")

    def _stop_all(self) -> None:
        for run in self.runs:
            if run.runner is not None:
                run.runner.shutdown(timeout=5)
                if run.runner in _LIVE_RUNNERS:
                    _LIVE_RUNNERS.remove(run.runner)

    # -- events ----------------------------------------------------------------------------------

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
            if run.state in ("finished", "stopped", "failed") and not run.runner.is_alive():
                if run.runner in _LIVE_RUNNERS:
                    _LIVE_RUNNERS.remove(run.runner)
        now = time.monotonic()
        settled = any(r.state != "running" for r in self.runs)
        if changed and (settled or now - self._status_at >= STATUS_INTERVAL_S):
            self._status_at = now
            self._update_status()

    def _handle(self, run: RunView, event: Any) -> None:
        kind = event.kind
        primary = run is self.runs[0]
        if kind == "started":
            run.steps_per_epoch = event.steps_per_epoch
            run.class_names = tuple(event.class_names)
            run.model = event.model_title
            run.device = event.device
            run.epochs = int(event.config.get("epochs", run.epochs))
            for metrics in event.history:
                self._plot_epoch(run, metrics)
        elif kind == "download":
            size = f"{event.done / 1e6:.1f}" + (
                f" of {event.total / 1e6:.1f} MB" if event.total else " MB"
            )
            run.download = f"downloading {event.label}: {size}"
        elif kind == "step":
            run.last_step = event
            self._plot_steps(run, event)
        elif kind == "epoch":
            run.last_epoch = event.metrics
            self._plot_epoch(run, event.metrics)
        elif kind == "state":
            run.state = event.state
            if event.message and event.state not in ("failed",):
                self.notify(f"{run.label}: {event.message}", timeout=4)
        elif kind == "failed":
            run.state = "failed"
            self.notify(f"{run.label}: {event.message}", severity="error", timeout=12)
        elif kind == "finished":
            run.state = "finished"
            final = event.summary.get("final", {})
            if final.get("test_acc") is not None:
                self.notify(
                    f"{run.label}: finished, test accuracy {final['test_acc']:.2%}", timeout=8
                )
            self._refresh_runs()
        elif kind == "checkpoint" and event.reason in ("stop", "signal"):
            self._refresh_runs()
        elif primary and kind in PICTURE_TABS:
            # Pictures are drawn lazily: only the newest of each kind, only on its visible tab.
            self._latest[kind] = (run, event)
            if kind == "features":
                self._probe_layers = list(event.layers)
                self._probe_layer = event.layer
                self._probe_index = event.image_index

    def render_pictures(self, force: bool = False) -> None:
        """Draw the newest picture events whose tab is on show (or all, with `force`)."""
        if not self._latest:
            return
        active = self.query_one(TabbedContent).active
        for kind in [
            k for k, tab in PICTURE_TABS.items() if k in self._latest and (force or tab == active)
        ]:
            run, event = self._latest.pop(kind)
            if kind == "filters":
                self._show_filters(event)
            elif kind == "features":
                self._show_features(event)
            elif kind == "predictions":
                self._show_predictions(run, event)
            else:
                self._show_confusion(run, event)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.render_pictures()

    @property
    def _ascii(self) -> bool:
        return bool(getattr(self.app, "ascii_mode", False))

    @property
    def _x(self) -> str:
        return "x" if self._ascii else "×"

    def _series_name(self, run: RunView, what: str) -> str:
        return f"{run.label} {what}" if self.compare else what

    def _plot_steps(self, run: RunView, event: Any) -> None:
        loss_chart = self.query_one("#loss-chart", LineChart)
        acc_chart = self.query_one("#acc-chart", LineChart)
        n = len(event.losses)
        first = event.epoch * event.steps_per_epoch + event.step - n
        xs = [(first + i + 1) / event.steps_per_epoch for i in range(n)]
        loss_chart.extend(self._series_name(run, "train"), xs, event.losses)
        smoothed = []
        for value in event.accuracies:
            run.acc_ema = value if run.acc_ema is None else 0.9 * run.acc_ema + 0.1 * value
            smoothed.append(run.acc_ema)
        if not self.compare:
            acc_chart.extend("train", xs, smoothed)

    def _plot_epoch(self, run: RunView, metrics: dict[str, float]) -> None:
        loss_chart = self.query_one("#loss-chart", LineChart)
        acc_chart = self.query_one("#acc-chart", LineChart)
        epoch = float(metrics["epoch"])
        loss_chart.extend(self._series_name(run, "val"), [epoch], [metrics["val_loss"]])
        acc_chart.extend(self._series_name(run, "val"), [epoch], [metrics["val_acc"]])

    def _show_filters(self, event: Any) -> None:
        weights = event.weights
        tiles = [Tile(to_unit(w, symmetric=True), f"{i}") for i, w in enumerate(weights[:32])]
        if weights.shape[1] not in (1, 3):
            tiles = [
                Tile(to_unit(w.mean(axis=0, keepdims=True), symmetric=True), f"{i}")
                for i, w in enumerate(weights[:32])
            ]
        self.query_one("#filters-caption", Static).update(
            f"{event.layer}: {weights.shape[0]} filters {weights.shape[2]}{self._x}{weights.shape[3]} "
            f"(grey = 0, light = positive)"
        )
        self.query_one("#filters", ImageGrid).set_tiles(tiles)

    def _show_features(self, event: Any) -> None:
        names = self.runs[0].class_names if self.runs else ()
        label = names[event.label] if 0 <= event.label < len(names) else str(event.label)
        maps = event.maps
        tiles = [Tile(event.image, f"in: {label}", "bold")]
        tiles += [Tile(to_unit(m[None]), f"{i}") for i, m in enumerate(maps[:32])]
        self.query_one("#features-caption", Static).update(
            f"test image #{event.image_index} through {event.layer} "
            f"({self._probe_layers.index(event.layer) + 1}/{len(self._probe_layers)}): "
            f"{maps.shape[0]} maps {maps.shape[1]}{self._x}{maps.shape[2]}   [ ] layer  < > image"
        )
        self.query_one("#features", ImageGrid).set_tiles(tiles)

    def _show_predictions(self, run: RunView, event: Any) -> None:
        ascii_mode = bool(getattr(self.app, "ascii_mode", False))
        names = run.class_names
        tiles = []
        right = 0
        for image, label, classes, probs in zip(
            event.images, event.labels, event.top_classes, event.top_probs
        ):
            ok = int(classes[0]) == int(label)
            right += ok
            style = "bold green" if ok else "bold red"
            mark = ("+" if ok else "x") if ascii_mode else ("✓" if ok else "✗")
            lines = [
                Text(f"{_name(names, c)[:5]:<5}{p:>4.0%}", style=style if i == 0 else "")
                for i, (c, p) in enumerate(zip(classes, probs))
            ]
            tiles.append(Tile(image, f"{mark} {_name(names, int(label))}", style, lines))
        self.query_one("#predictions-caption", Static).update(
            f"{right} of {len(tiles)} test images right (caption: true class; lines: top 3)"
        )
        self.query_one("#predictions-grid", ImageGrid).set_tiles(tiles)

    def _show_confusion(self, run: RunView, event: Any) -> None:
        names = run.class_names or tuple(str(i) for i in range(event.matrix.shape[0]))
        self.query_one("#confusion-view", ConfusionView).show(
            event.matrix,
            names,
            f"validation set after epoch {event.epoch + 1} (rows: true, columns: predicted)",
        )
        tiles = [
            Tile(
                image,
                f"{_name(names, int(t))}>{_name(names, int(p))}",
                "red",
                [Text(f"{prob:.0%} sure")],
            )
            for image, t, p, prob in zip(
                event.wrong_images, event.wrong_labels, event.wrong_predicted, event.wrong_probs
            )
        ]
        grid = self.query_one("#wrong-grid", ImageGrid)
        grid.empty_text = "none: every validation image is right"
        grid.set_tiles(tiles)

    def _clear_views(self) -> None:
        self._latest.clear()
        self.query_one("#loss-chart", LineChart).clear()
        self.query_one("#acc-chart", LineChart).clear()
        for grid_id in ("#filters", "#features", "#predictions-grid", "#wrong-grid"):
            self.query_one(grid_id, ImageGrid).set_tiles([])
        self._probe_layers = []
        self._probe_layer = None
        self._probe_index = 0

    def _update_status(self) -> None:
        status = self.query_one("#train-status", Static)
        if not self.runs:
            status.update("Idle. Choose the settings and press Start (or space).")
            return
        dot = " - " if self._ascii else " · "
        parts = []
        for run in self.runs:
            step = run.last_step
            text = f"{run.label}: {run.state}"
            if step is None and run.download and run.state == "starting":
                text = f"{run.label}: {run.download}"
            if step is not None:
                loss = sum(step.losses) / len(step.losses)
                text += (
                    f"{dot}epoch {step.epoch + 1}/{run.epochs} step {step.step}/{step.steps_per_epoch}"
                    f"{dot}loss {loss:.3f}"
                )
                if run.last_epoch:
                    text += f"{dot}val {run.last_epoch['val_acc']:.1%}"
                if len(self.runs) == 1:
                    text += f"{dot}lr {step.lr:.3g}{dot}{step.images_per_s:,.0f} img/s"
                    if step.eta_s is not None and run.state == "running":
                        text += f"{dot}ETA {_duration(step.eta_s)}"
            parts.append(text)
        if len(self.runs) == 1 and self.runs[0].device:
            parts.append(self.runs[0].device.split(" (")[0])
        status.update(" | ".join(parts))
        self._update_curves_info(dot)

    def _update_curves_info(self, dot: str) -> None:
        """Device, memory, time and speed above the charts (the status line has no room)."""
        info = []
        for run in self.runs:
            step = run.last_step
            text = f"{run.label}: {run.device or 'starting'}"
            if " · " in run.model:  # --init and --freeze: say which weights and which are frozen
                text += dot + run.model.split(" · ", 1)[1].replace(" · ", dot)
            if step is not None:
                text += f"{dot}{step.memory}{dot}{_duration(step.elapsed_s)} elapsed{dot}{step.images_per_s:,.0f} img/s"
            info.append(text)
        self.query_one("#curves-info", Static).update(" | ".join(info))

    # -- runs list -------------------------------------------------------------------------------

    def _refresh_runs(self) -> None:
        from cnntui.train.runs import list_runs

        table = self.query_one("#runs-table", DataTable)
        table.clear()
        for record in list_runs():
            table.add_row(
                record.name[:15],
                record.model,
                record.dataset,
                record.status,
                f"{record.val_acc:.1%}" if record.val_acc is not None else "-",
                f"{record.test_acc:.1%}" if record.test_acc is not None else "-",
                key=str(record.path),
            )

    def _selected_run(self) -> Path | None:
        table = self.query_one("#runs-table", DataTable)
        if self.query_one(TabbedContent).active != "runs" or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return Path(key) if key else None

    @on(DataTable.RowSelected, "#runs-table")
    def _open_run(self, event: DataTable.RowSelected) -> None:
        from cnntui.train.checkpoint import CheckpointError, read_run_info

        path = Path(str(event.row_key.value))
        try:
            info = read_run_info(path)
        except CheckpointError as exc:
            self.notify(str(exc), severity="error")
            return
        if self._live():
            self.notify("stop the current run before opening another", severity="warning")
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
            self._plot_epoch(run, metrics)
            self.query_one("#loss-chart", LineChart).extend(
                "train", [metrics["epoch"]], [metrics["train_loss"]]
            )
            self.query_one("#acc-chart", LineChart).extend(
                "train", [metrics["epoch"]], [metrics["train_acc"]]
            )
        self.query_one("#train-status", Static).update(
            f"opened {path.name}: {config.get('model')} on {config.get('dataset')}, "
            f"{len(info.get('history', []))}/{config.get('epochs')} epochs"
            + ("" if info.get("finished") else "; r resumes it")
        )
        self.query_one(TabbedContent).active = "curves"

    def action_resume_selected(self) -> None:
        path = self._selected_run()
        if path is None:
            self.notify("select a run in the Runs view first", severity="warning")
            return
        from cnntui.train.checkpoint import CheckpointError, read_run_info

        try:
            info = read_run_info(path)
        except CheckpointError as exc:
            self.notify(str(exc), severity="error")
            return
        if info.get("finished"):
            self.notify(
                "that run is finished; use cnntui train --resume DIR --epochs N to extend it",
                severity="warning",
            )
            return
        self._resume(path)

    def action_delete_selected(self) -> None:
        from cnntui.train.checkpoint import CheckpointError
        from cnntui.train.runs import delete_run

        path = self._selected_run()
        if path is None:
            self.notify("select a run in the Runs view first", severity="warning")
            return
        if any(r.run_dir == path for r in self._live()):
            self.notify("that run is training; stop it first", severity="warning")
            return
        now = time.monotonic()
        if (
            self._delete_armed is None
            or self._delete_armed[0] != str(path)
            or now - self._delete_armed[1] > 3
        ):
            self._delete_armed = (str(path), now)
            self.notify(f"press d again to delete {path.name}", severity="warning", timeout=3)
            return
        self._delete_armed = None
        try:
            delete_run(path)
        except (CheckpointError, OSError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"deleted {path.name}")
        self._refresh_runs()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("resume_selected", "delete_selected"):
            return self.is_mounted and self.query_one(TabbedContent).active == "runs"
        return True


def _name(names: tuple[str, ...], index: int) -> str:
    return names[index] if 0 <= index < len(names) else str(index)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"
