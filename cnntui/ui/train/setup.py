"""The Train lab's Setup view: the run's settings as a form, and the Start button."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cnntui.i18n import N_, _
from cnntui.train.choices import DATASETS, DEVICES, MODELS, OPTIMIZER_LABELS, OPTIMIZERS
from cnntui.train.config import RunConfig
from cnntui.ui.shared.access import cnntui_app

COMPARE_DEFAULTS = {"input_size": 16, "epochs": 6}

FIELD_LABELS = (
    N_("model"),
    N_("data set"),
    N_("epochs"),
    N_("batch"),
    N_("lr"),
    N_("optimizer"),
    N_("seed"),
    N_("device"),
    N_("data dir"),
    N_("size"),
)
"""The form's labels, in grid order."""
SETUP_NOTE = N_(
    "lenet5 on digits trains in seconds. 'plain vs residual' trains the 20-layer plain net "
    "and its residual twin side by side on the same data (the ResNet lesson's experiment)."
)
OPTIMIZER_NAMES = {"sgd": N_("SGD + momentum")}
"""Optimiser labels that have words to translate (`OPTIMIZER_LABELS` gives the rest)."""


def trainable_models() -> list[tuple[str, str]]:
    """(label, name) of the zoo's models meant for training."""
    from cnntui import zoo

    out = [(_("lenet5 (auto size)"), "lenet5")]
    for name in MODELS:
        if name != "lenet5":
            out.append((f"{name} — {zoo.get(name).title}", name))
    return out


DATA_DIR_HINT = N_("for mnist, cifar10, folder")
DOWNLOAD = N_("download if missing")
COMPARE = N_("plain vs residual")


def optimizer_options() -> list[tuple[str, str]]:
    """(label, name) of the optimisers, in the current language."""
    return [(_(OPTIMIZER_NAMES.get(o, OPTIMIZER_LABELS[o])), o) for o in OPTIMIZERS]


class SetupView(VerticalScroll):
    """Model, data set, epochs, batch, lr, optimiser, seed, device, data folder and input size."""

    can_focus = False
    """Tab goes from the view tabs straight to the first field; a focused field scrolls into view."""

    DEFAULT_CSS = """
    SetupView #setup-grid {
        grid-size: 4; grid-columns: 10 1fr 10 1fr; grid-rows: 3; height: auto; padding: 0 1;
    }
    SetupView #setup-grid Label { padding: 1 0 0 1; }
    SetupView #setup-buttons { height: 3; padding: 0 1; }
    SetupView #setup-buttons Button { margin-right: 2; }
    SetupView #setup-note { color: $text-muted; padding: 0 1; height: auto; }
    """

    def compose(self) -> ComposeResult:
        defaults = RunConfig()
        device = cnntui_app(self).device or "auto"
        labels = iter(FIELD_LABELS)
        with Grid(id="setup-grid"):
            yield Label(_(next(labels)), classes="setup-label")
            yield Select(trainable_models(), value="lenet5", allow_blank=False, id="set-model")
            yield Label(_(next(labels)), classes="setup-label")
            yield Select(
                [(d, d) for d in DATASETS],
                value="digits",
                allow_blank=False,
                id="set-dataset",
            )
            yield Label(_(next(labels)), classes="setup-label")
            yield Input(str(defaults.epochs), id="set-epochs", type="integer")
            yield Label(_(next(labels)), classes="setup-label")
            yield Input(str(defaults.batch_size), id="set-batch", type="integer")
            yield Label(_(next(labels)), classes="setup-label")
            yield Input(f"{defaults.lr:g}", id="set-lr", type="number")
            yield Label(_(next(labels)), classes="setup-label")
            yield Select(
                optimizer_options(),
                value="sgd",
                allow_blank=False,
                id="set-optimizer",
            )
            yield Label(_(next(labels)), classes="setup-label")
            yield Input(str(defaults.seed), id="set-seed", type="integer")
            yield Label(_(next(labels)), classes="setup-label")
            yield Select(
                [(d, d) for d in DEVICES],
                value=device if device in DEVICES else "auto",
                allow_blank=False,
                id="set-device",
            )
            yield Label(_(next(labels)), classes="setup-label")
            yield Input("", placeholder=_(DATA_DIR_HINT), id="set-data-dir")
            yield Label(_(next(labels)), classes="setup-label")
            yield Input("", placeholder=_("auto"), id="set-size", type="integer")
        with Horizontal(id="setup-buttons"):
            yield Button(_("Start"), id="start", variant="primary")
            yield Checkbox(_(DOWNLOAD), id="set-download")
            yield Checkbox(_(COMPARE), id="set-compare")
        yield Static(_(SETUP_NOTE), id="setup-note")

    def refresh_language(self) -> None:
        """Re-set the labels, hints, buttons and option names in the current language."""
        for label, text in zip(self.query(".setup-label").results(Label), FIELD_LABELS):
            label.update(_(text))
        self.query_one("#set-data-dir", Input).placeholder = _(DATA_DIR_HINT)
        self.query_one("#set-size", Input).placeholder = _("auto")
        self.query_one("#start", Button).label = _("Start")
        self.query_one("#set-download", Checkbox).label = _(DOWNLOAD)
        self.query_one("#set-compare", Checkbox).label = _(COMPARE)
        self.query_one("#setup-note", Static).update(_(SETUP_NOTE))
        # New option names keep the choice (and the lr, which a model change would reset).
        with self.prevent(Select.Changed):
            for widget_id, options in (
                ("#set-model", trainable_models()),
                ("#set-optimizer", optimizer_options()),
            ):
                select = self.query_one(widget_id, Select)
                value = select.value
                select.set_options(options)
                select.value = value
                # The same value does not redraw the shown label: run its watcher once more.
                select.mutate_reactive(Select.value)  # type: ignore[misc]

    @property
    def compare(self) -> bool:
        """'plain vs residual' is ticked: train `COMPARE_MODELS` side by side."""
        return self.query_one("#set-compare", Checkbox).value

    def read_config(self) -> RunConfig:
        """The settings as a validated `RunConfig`; UsageError naming a field that is wrong."""
        from cnntui.errors import UsageError

        def number(widget_id: str, kind: type, label: str) -> Any:
            text = self.query_one(widget_id, Input).value.strip()
            try:
                return kind(text)
            except ValueError:
                raise UsageError(
                    _("{field}: '{text}' is not a number").format(field=_(label), text=text)
                ) from None

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

    def apply(self, params: dict[str, str]) -> None:
        """Fill the fields a lesson link sets (already validated)."""
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

    def _set_input(self, widget_id: str, value: str) -> None:
        self.query_one(widget_id, Input).value = value

    @on(Select.Changed, "#set-model")
    def _model_changed(self, event: Select.Changed) -> None:
        from cnntui.train.models import recommended_lr

        if event.value is not Select.NULL:
            self._set_input("#set-lr", f"{recommended_lr(str(event.value), RunConfig().lr):g}")
