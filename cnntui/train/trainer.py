"""The training loop: one run, step by step, reporting events and obeying commands.

`Trainer` is synchronous and pure (NumPy, or CuPy through the engine's backend). It runs inside
the runner process for the TUI (`cnntui.train.runner`) and in the main process for
`cnntui train`. Either way it

* draws every random number from the run's seed: the sample order of epoch `e` comes from
  `default_rng((seed, e))`, augmentation of step `s` from `default_rng((seed, e, s, 1))`, and the
  engine's generator (weight init, dropout) is saved in every checkpoint — so a run resumed from
  any checkpoint computes exactly what the uninterrupted run computes (on the CPU);
* checks between steps for commands (pause, resume, one step, stop, new learning rate, probe)
  and for a stop request from a signal handler, and writes a checkpoint before it exits;
* stops at a NaN or infinite loss without saving the damaged weights.
"""

from __future__ import annotations

import math
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from cnntui import userfile
from cnntui.data import DatasetError, Splits, load_splits
from cnntui.data.batches import epoch_order
from cnntui.data.transforms import parse_augmentation
from cnntui.engine import module as engine_module
from cnntui.errors import CnnTuiError, UsageError
from cnntui.i18n import N_, Message, Text, _
from cnntui.paths import check_user_path
from cnntui.train import engine_api
from cnntui.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from cnntui.train.config import RunConfig
from cnntui.train.divergence import (
    Diverged,
    check_metrics,
    failure_message,
    first_nonfinite_parameter,
)
from cnntui.train.events import (
    Checkpointed,
    Command,
    Confusion,
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
from cnntui.train.memory import check_fits
from cnntui.train.metrics import (
    accuracy,
    confusion_matrix,
    cross_entropy,
    most_confidently_wrong,
    softmax,
    top_k,
)
from cnntui.train.models import SPEC_COPY, build_model, default_input_size, is_spec

RESUME_OVERRIDES = ("epochs", "data_dir", "download", "device", "threads")
"""The settings a resumed run may change; everything else comes from its `run.json`."""
PROGRESS_INTERVAL_S = 0.1
"""At most this often a `StepProgress` is emitted (the losses in between are batched into it)."""
PICTURES_INTERVAL_S = 1.5
"""How often filters, feature maps and predictions are refreshed during an epoch."""
EVAL_BATCH = 256
PREDICTION_SAMPLES = 12
WRONG_SAMPLES = 8


class RunStopped(Exception):
    """Raised inside the loop when a stop was requested (after the checkpoint is written)."""


@dataclass
class _EpochAccumulator:
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    step: int = 0

    def as_dict(self) -> dict[str, float]:
        return {
            "loss_sum": self.loss_sum,
            "correct": self.correct,
            "seen": self.seen,
            "step": self.step,
        }


@dataclass
class _Pending:
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    last_emit: float = 0.0


class Trainer:
    """Trains one run. Build it, then call `run(commands)`; events go to `emit`.

    `run_dir` is where checkpoints go. With `resume=True` the run continues from the checkpoint
    in `run_dir` (its `run.json` settings win over `config`, except the epoch count, which may
    be raised to train longer).
    """

    def __init__(
        self,
        config: RunConfig | None,
        run_dir: Path,
        emit: Callable[[Event], None],
        *,
        resume: bool = False,
        overrides: dict[str, Any] | None = None,
        splits: Splits | None = None,
        data_progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.emit = emit
        self.stop_reason: str | None = None
        """Set (from a signal handler or a command) to make the loop checkpoint and stop."""
        self.state = "running"
        self._steps_left: int | None = None  # set by a `step` command: train this many, then pause
        self._probe_index = 0
        self._probe_layer: str | None = None
        self._pending: _Pending | None = None
        self._last_pictures = 0.0
        self._resume_info: dict[str, Any] | None = None
        self._resume_arrays: tuple[dict[str, np.ndarray], dict[str, np.ndarray]] | None = None
        if resume:
            info, model_state, optim_state = load_checkpoint(self.run_dir)
            saved = RunConfig.from_dict(info.get("config", {}))
            changes = {
                k: v
                for k, v in (overrides or {}).items()
                if k in RESUME_OVERRIDES and v is not None
            }
            config = RunConfig(**{**saved.to_dict(), **changes})
            if config.epochs < int(info.get("epoch", 0)):
                raise UsageError(
                    _(
                        "this run has already trained {epochs} epochs; --epochs must be at least that"
                    ).format(epochs=info.get("epoch"))
                )
            self._resume_info = info
            self._resume_arrays = (model_state, optim_state)
        elif config is None:
            raise UsageError(_("a new run needs its settings"))
        self.config = config.validated()
        self._setup(splits, data_progress)
        self._augmentation = parse_augmentation(
            self.config.augment, self.config.dataset, self.splits.input_shape[1]
        )

    # -- setup ---------------------------------------------------------------------------------

    def _setup(self, splits: Splits | None, data_progress: Any) -> None:
        cfg = self.config
        from cnntui.data.registry import DATASETS

        info = DATASETS.get(cfg.dataset)
        if info is None:
            raise UsageError(
                _("unknown data set '{name}'; choose one of {choices}").format(
                    name=cfg.dataset, choices=", ".join(DATASETS)
                )
            )
        spec_text = self._spec_text(cfg.model) if is_spec(cfg.model) else None
        if splits is None:
            size = cfg.input_size
            if size is None and info.native_shape[1]:
                size = default_input_size(cfg.model, cfg.dataset, info.native_shape, spec_text)
            splits = load_splits(
                cfg.dataset,
                data_dir=cfg.data_dir,
                download=cfg.download,
                input_size=size,
                count=cfg.samples,
                seed=cfg.seed,
                progress=data_progress,
            )
            if cfg.dataset == "folder" and size is None:
                wanted = default_input_size(cfg.model, cfg.dataset, splits.input_shape, spec_text)
                if wanted is not None:
                    splits = load_splits(cfg.dataset, data_dir=cfg.data_dir, input_size=wanted)
        self.splits = splits
        self.train_set = (
            splits.train if cfg.limit is None else splits.train.subset(slice(0, cfg.limit))
        )
        self.backend = engine_api.backend(cfg.device)
        engine_module.manual_seed(cfg.seed)
        built = build_model(cfg.model, splits.input_shape, len(splits.class_names), spec_text)
        self.model_name = built.name
        self.model_title = built.title
        self.model = built.module
        self.model.needs_input_grad = False  # nothing uses the gradient w.r.t. the images
        # refuse a network that cannot fit before its weights are allocated
        check_fits(self.model, splits.input_shape, cfg.batch_size, self.backend)
        engine_api.move(self.model, self.backend)
        for p in self.model.parameters():  # materialise now, in order, from the seeded generator
            p.materialize()
        if cfg.init or cfg.freeze:  # transfer learning: trained weights in, frozen layers out
            from cnntui.explain.transfer import prepare_run_model

            init = cfg.init if self._resume_info is None else None  # resuming: the checkpoint wins
            self.model_title += prepare_run_model(self.model, init, cfg.freeze)
        for index, (_name, layer) in enumerate(_random_layers(self.model)):
            layer.manual_seed(cfg.seed * 1000 + index)  # dropout masks: reproducible per run
        self.optimizer = engine_api.make_optimizer(self.model, cfg)
        self.loss_fn = engine_api.make_loss()
        self.steps_per_epoch = max(1, math.ceil(len(self.train_set) / cfg.batch_size))
        self.epoch = 0
        self.global_step = 0
        self.base_lr = cfg.lr
        self.history: list[dict[str, float]] = []
        self.elapsed_before = 0.0
        self.train_time = 0.0
        self.train_images = 0
        self.acc = _EpochAccumulator()
        self.first_conv = _first_conv_name(self.model)
        self.probe_layers = _probe_layers(self.model, splits.input_shape)
        rng = np.random.default_rng((cfg.seed, 2**31))
        self.prediction_indices = np.sort(
            rng.choice(
                len(splits.test), size=min(PREDICTION_SAMPLES, len(splits.test)), replace=False
            )
        )
        if self._resume_info is not None and self._resume_arrays is not None:
            self._restore(self._resume_info, *self._resume_arrays)
        self._last_good: dict[str, Any] | None = None
        self._device_set: tuple[Any, Any] | None = None  # GPU: the training set, uploaded once
        self._device_order: tuple[np.ndarray, Any] | None = None  # GPU: (epoch order, its copy)

    def _spec_text(self, path: str) -> str:
        """The spec's text: the run folder's copy when resuming, else the file (copied there)."""
        copy = self.run_dir / SPEC_COPY
        if self._resume_info is not None and copy.is_file():
            return userfile.read_text(copy, "spec")
        try:
            text = userfile.read_text(check_user_path(path), "spec")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                _("cannot read the spec {path}: {reason}").format(path=path, reason=exc)
            ) from None
        self.run_dir.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
        return text

    def _restore(
        self,
        info: dict[str, Any],
        model_state: dict[str, np.ndarray],
        optim_state: dict[str, np.ndarray],
    ) -> None:
        try:
            self.model.load_state_dict(model_state)
            engine_api.load_optimizer_state(self.optimizer, optim_state)
        except (ValueError, KeyError, CnnTuiError) as exc:
            raise CheckpointError(
                _("the checkpoint in {path} does not match {model} on {dataset}: {reason}").format(
                    path=self.run_dir,
                    model=self.model_name,
                    dataset=self.config.dataset,
                    reason=exc,
                )
            ) from None
        try:
            progress = info["progress"]
            self.epoch = int(progress["epoch"])
            self.global_step = int(progress["global_step"])
            self.acc = _EpochAccumulator(
                float(progress["loss_sum"]),
                int(progress["correct"]),
                int(progress["seen"]),
                int(progress["step"]),
            )
            self.base_lr = float(info.get("base_lr", self.config.lr))
            self.history = list(info.get("history", []))
            self.elapsed_before = float(info.get("elapsed_s", 0.0))
            self.train_time = float(info.get("train_time_s", 0.0))
            self.train_images = int(info.get("train_images", 0))
            generator = info.get("engine_rng")
            if generator:
                engine_module.default_generator().bit_generator.state = generator
            layer_states = info.get("layer_rng") or {}
            for name, layer in _random_layers(self.model):
                if name in layer_states:
                    layer.generator.bit_generator.state = layer_states[name]
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(
                _("{path} is incomplete ({reason})").format(
                    path=self.run_dir / "run.json", reason=exc
                )
            ) from None
        if self.acc.step > self.steps_per_epoch:
            raise CheckpointError(
                _("{path}: the checkpoint's step does not fit this data set").format(
                    path=self.run_dir
                )
            )

    # -- commands ------------------------------------------------------------------------------

    def handle(self, command: Command) -> None:
        """Apply one control command (called between steps)."""
        if command.name == "pause":
            self._set_state("paused")
        elif command.name == "resume":
            self._steps_left = None
            self._set_state("running")
        elif command.name == "stop":
            self.stop_reason = "stop"
        elif command.name == "step":
            self._steps_left = max(1, int(command.value or 1))
            self._set_state("running", Message(N_("single step")))
        elif command.name == "set_lr":
            value = float(command.value or 0)
            if not (math.isfinite(value) and 0 < value <= 10):
                self.emit(
                    StateChanged(
                        self.state,
                        Message(
                            N_("learning rate {value} refused: use a number in (0, 10]"),
                            value=value,
                        ),
                    )
                )
                return
            self.base_lr = value
            self.emit(
                StateChanged(
                    self.state, Message(N_("learning rate set to {value}"), value=f"{value:g}")
                )
            )
        elif command.name == "probe":
            self._probe_index = int(command.value or 0) % max(1, len(self.splits.test))
            if command.layer in self.probe_layers:
                self._probe_layer = command.layer
            self._emit_features()

    def _set_state(self, state: str, message: Text = "") -> None:
        if state != self.state or message:
            self.state = state
            self.emit(StateChanged(state, message))

    def _drain(self, commands: Callable[[bool], Iterable[Command]]) -> None:
        """Handle pending commands; while paused, wait for one (the UI stays in charge)."""
        for command in commands(False):
            self.handle(command)
        if self.state == "paused" and self._pending is not None:
            self._flush_progress(self._pending)  # the UI shows exactly where the run paused
        while self.state == "paused" and self.stop_reason is None:
            for command in commands(True):
                self.handle(command)

    # -- the loop ------------------------------------------------------------------------------

    def current_lr(self) -> float:
        return self.config.lr_at(self.epoch + self.acc.step / self.steps_per_epoch, self.base_lr)

    def run(self, commands: Callable[[bool], Iterable[Command]] | None = None) -> dict[str, Any]:
        """Train to the last epoch (or until stopped); returns the summary document.

        `commands(block)` yields pending commands (blocking for at least one when `block`).
        """
        poll = commands or (lambda _block: ())
        if self.config.threads and not self.backend.is_gpu:
            with engine_api.threads_scope(self.config.threads, self.model, self.splits.input_shape):
                return self._run(poll)
        return self._run(poll)

    def _run(self, poll: Callable[[bool], Iterable[Command]]) -> dict[str, Any]:
        cfg = self.config
        self._clock = time.perf_counter()
        self.emit(
            RunStarted(
                run_dir=str(self.run_dir),
                config=cfg.to_dict(),
                device=self.backend.describe_text(),
                model_title=f"{self.model_title} ({self.model_name})",
                parameters=self.model.num_parameters(),
                input_shape=self.splits.input_shape,
                class_names=self.splits.class_names,
                split_sizes={**self.splits.sizes(), "train": len(self.train_set)},
                steps_per_epoch=self.steps_per_epoch,
                start_epoch=self.epoch,
                start_step=self.acc.step,
                history=list(self.history),
            )
        )
        self.emit(
            StateChanged(
                self.state,
                Message(N_("ready: press space to start")) if self.state == "paused" else "",
            )
        )
        self._emit_pictures()
        pending = self._pending = _Pending(last_emit=time.perf_counter())
        try:
            while self.epoch < cfg.epochs:
                order = epoch_order(
                    len(self.train_set), np.random.default_rng((cfg.seed, self.epoch))
                )
                while self.acc.step < self.steps_per_epoch:
                    self._drain(poll)
                    if self.stop_reason is not None:
                        raise RunStopped
                    loss, acc = self._train_step(order)
                    pending.losses.append(loss)
                    pending.accuracies.append(acc)
                    now = time.perf_counter()
                    if self._steps_left is not None:
                        self._steps_left -= 1
                        if self._steps_left <= 0:
                            self._steps_left = None
                            self._flush_progress(pending)
                            self._emit_pictures()
                            self._set_state("paused")
                    if now - pending.last_emit >= PROGRESS_INTERVAL_S:
                        self._flush_progress(pending)
                    self._emit_pictures(force=False)
                self._flush_progress(pending)
                self._finish_epoch()
        except RunStopped:
            self._flush_progress(pending)
            reason = self.stop_reason or "stop"
            path = self._checkpoint(reason)
            self._set_state(
                "stopped",
                Message(N_("stopped; checkpoint saved in {path}"), path=str(path.parent)),
            )
            return self.summary(final=False)
        except _NonFinite as exc:
            self._flush_progress(pending)
            diverged = Diverged(
                Message(N_("the loss")), math.nan if exc.value == "NaN" else math.inf
            )
            self._fail_diverged(
                failure_message(diverged, self.epoch + 1, self.acc.step + 1, exc.lr, self.run_dir)
            )
        except Diverged as exc:
            self._fail_diverged(
                failure_message(exc, self.epoch + 1, None, self.current_lr(), self.run_dir)
            )
        except Exception as exc:
            if engine_api.is_out_of_memory(exc):
                message = Message(
                    N_(
                        "the GPU ran out of memory at batch size {batch}; try --batch-size "
                        "{smaller} (the last checkpoint is kept in {path})"
                    ),
                    batch=cfg.batch_size,
                    smaller=max(1, cfg.batch_size // 2),
                    path=str(self.run_dir),
                )
                self.emit(RunFailed(message, "oom"))
                self._set_state("failed", message)
                raise TrainingError(message) from None
            raise
        try:
            summary = self._finish_run()
        except Diverged as exc:
            self._fail_diverged(
                failure_message(exc, self.epoch, None, self.current_lr(), self.run_dir)
            )
        self.emit(RunFinished(summary))
        self._set_state("finished")
        return summary

    def _fail_diverged(self, message: Message) -> NoReturn:
        self.emit(RunFailed(message, "nan"))
        self._set_state("failed", message)
        raise TrainingError(message) from None

    def _check_divergence(self, metrics: dict[str, Any], names: tuple[str, ...]) -> None:
        """Diverged when a loss in `metrics` or any weight is not a usable number (called at the
        end of an epoch and of the run, where the values are on the host already)."""
        check_metrics(metrics, len(self.splits.class_names), names)
        xp = self.backend.xp
        bad = first_nonfinite_parameter(
            self.model.named_parameters(), lambda a: xp.isfinite(a).all()
        )
        if bad is not None:
            raise Diverged(
                Message(N_("the weights of {name}"), name=bad),
                math.nan,
                Message(N_("NaN or infinite")),
            )

    def _train_step(self, order: np.ndarray) -> tuple[float, float]:
        cfg = self.config
        step = self.acc.step
        start = time.perf_counter()  # images/s includes the data pipeline (gather, augmentation)
        idx = order[step * cfg.batch_size : (step + 1) * cfg.batch_size]
        x, y = self._batch(order, idx, step)
        lr = self.current_lr()
        self.model.train()
        logits = self.model(x)
        loss_value, grad = self.loss_fn(logits, y)
        correct_value = engine_api.count_correct(logits, y)
        self.optimizer.zero_grad()
        self.model.backward(grad)
        engine_api.set_lr(self.optimizer, lr)
        self.optimizer.step()
        # the step's only wait for the device: loss and accuracy in one read, after the update
        loss, correct_float = engine_api.read_scalars(loss_value, correct_value)
        self.train_time += time.perf_counter() - start
        if not math.isfinite(loss):
            raise _NonFinite("NaN" if math.isnan(loss) else "infinite", lr)
        correct = int(correct_float)
        self.train_images += len(idx)
        self.acc.loss_sum += loss * len(idx)
        self.acc.correct += correct
        self.acc.seen += len(idx)
        self.acc.step += 1
        self.global_step += 1
        return loss, correct / len(idx)

    def _batch(self, order: np.ndarray, idx: np.ndarray, step: int) -> tuple[Any, Any]:
        """The step's images and labels on the backend's device.

        On a GPU without augmentation the training set is uploaded once and each epoch's order
        once (at its first step); batches are then gathered on the device, so later steps copy
        nothing from the host. Augmentation runs on the host, so with it every batch is uploaded.
        """
        cfg = self.config
        if self.backend.is_gpu and not self._augmentation.enabled:
            if self._device_set is None:
                self._device_set = (
                    self.backend.asarray(self.train_set.images),
                    self.backend.asarray(self.train_set.labels),
                )
            if self._device_order is None or self._device_order[0] is not order:
                self._device_order = (order, self.backend.asarray(order))
            first = step * cfg.batch_size
            device_idx = self._device_order[1][first : first + len(idx)]
            images, labels = self._device_set
            return images[device_idx], labels[device_idx]
        images = self.train_set.images[idx]
        if self._augmentation.enabled:
            images = self._augmentation.apply(
                images, np.random.default_rng((cfg.seed, self.epoch, step, 1))
            )
        return self.backend.asarray(images), self.backend.asarray(self.train_set.labels[idx])

    def _flush_progress(self, pending: _Pending) -> None:
        if not pending.losses:
            return
        elapsed = self.elapsed()
        total_steps = self.config.epochs * self.steps_per_epoch
        done_steps = self.epoch * self.steps_per_epoch + self.acc.step
        rate = self.images_per_s()
        eta = None
        if rate > 0:
            remaining_images = (total_steps - done_steps) * self.config.batch_size
            eta = remaining_images / rate
        self.emit(
            StepProgress(
                epoch=self.epoch,
                step=self.acc.step,
                steps_per_epoch=self.steps_per_epoch,
                global_step=self.global_step,
                losses=pending.losses,
                accuracies=pending.accuracies,
                lr=self.current_lr(),
                images_per_s=rate,
                elapsed_s=elapsed,
                eta_s=eta,
                memory=self.memory(),
            )
        )
        pending.losses = []
        pending.accuracies = []
        pending.last_emit = time.perf_counter()

    def _finish_epoch(self) -> None:
        val_logits = self.predict(self.splits.val.images)
        val_labels = self.splits.val.labels
        metrics = {
            "epoch": self.epoch + 1,
            "train_loss": self.acc.loss_sum / max(1, self.acc.seen),
            "train_acc": self.acc.correct / max(1, self.acc.seen),
            "val_loss": cross_entropy(val_logits, val_labels),
            "val_acc": accuracy(val_logits, val_labels),
            "lr": self.current_lr(),
            "images_per_s": self.images_per_s(),
            "elapsed_s": self.elapsed(),
        }
        self._check_divergence(metrics, ("train_loss", "val_loss"))  # before anything is saved
        self.history.append(metrics)
        self.emit(EpochEnd(self.epoch, dict(metrics)))
        probs = softmax(val_logits)
        predicted = np.argmax(probs, axis=1)
        wrong = most_confidently_wrong(probs, val_labels, WRONG_SAMPLES)
        self.emit(
            Confusion(
                epoch=self.epoch,
                matrix=confusion_matrix(predicted, val_labels, len(self.splits.class_names)),
                wrong_images=self.splits.val.denormalized(self.splits.val.images[wrong]),
                wrong_labels=val_labels[wrong],
                wrong_predicted=predicted[wrong],
                wrong_probs=probs[wrong, predicted[wrong]],
            )
        )
        self.epoch += 1
        self.acc = _EpochAccumulator()
        self._emit_pictures(force=self.epoch == self.config.epochs)
        self._checkpoint("epoch")

    def _finish_run(self) -> dict[str, Any]:
        test_logits = self.predict(self.splits.test.images)
        self.test_metrics = {
            "test_loss": cross_entropy(test_logits, self.splits.test.labels),
            "test_acc": accuracy(test_logits, self.splits.test.labels),
        }
        self._check_divergence(self.test_metrics, ("test_loss",))
        self._checkpoint("final")
        return self.summary(final=True)

    # -- evaluation and pictures ---------------------------------------------------------------

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Logits `(N, K)` on the host for `images` `(N, C, H, W)`, in eval mode."""
        self.model.eval()
        out = []
        for first in range(0, len(images), EVAL_BATCH):
            logits = self.model(self.backend.asarray(images[first : first + EVAL_BATCH]))
            out.append(self.backend.to_host(logits).astype(np.float32))
        self.model.train()
        return (
            np.concatenate(out) if out else np.zeros((0, len(self.splits.class_names)), np.float32)
        )

    def _emit_pictures(self, force: bool = True) -> None:
        """Filters, feature maps and predictions; unless `force`, at most every
        `PICTURES_INTERVAL_S` (they cost an evaluation pass, and the UI cannot show more)."""
        now = time.perf_counter()
        if not force and now - self._last_pictures < PICTURES_INTERVAL_S:
            return
        self._last_pictures = now
        if self.first_conv is not None:
            weight = dict(self.model.named_parameters())[f"{self.first_conv}.weight"]
            self.emit(
                Filters(self.first_conv, self.backend.to_host(weight.data).astype(np.float32))
            )
        self._emit_features()
        test = self.splits.test
        idx = self.prediction_indices
        probs = softmax(self.predict(test.images[idx]))
        classes, values = top_k(probs, 3)
        self.emit(
            Predictions(test.denormalized(test.images[idx]), test.labels[idx], classes, values)
        )

    def _emit_features(self) -> None:
        if not self.probe_layers:
            return
        layer = self._probe_layer or self.probe_layers[0]
        test = self.splits.test
        index = self._probe_index
        maps = self._activations(test.images[index : index + 1], layer)
        self.emit(
            FeatureMaps(
                layer=layer,
                layers=list(self.probe_layers),
                image_index=index,
                image=test.denormalized(test.images[index : index + 1])[0],
                label=int(test.labels[index]),
                maps=maps,
            )
        )

    def _activations(self, image: np.ndarray, layer: str) -> np.ndarray:
        """The output `(K, h, w)` of top-level child `layer` for one image, in eval mode."""
        self.model.eval()
        x = self.backend.asarray(image)
        try:
            for name, child in self.model.named_children():
                x = child(x)
                if name == layer:
                    break
        finally:
            self.model.train()
        return self.backend.to_host(x)[0].astype(np.float32)

    # -- bookkeeping ---------------------------------------------------------------------------

    def elapsed(self) -> float:
        return self.elapsed_before + (time.perf_counter() - self._clock)

    def images_per_s(self) -> float:
        return self.train_images / self.train_time if self.train_time > 0 else 0.0

    def memory(self) -> Text:
        """The memory in use: the GPU's pool, or this process's peak resident size."""
        if self.backend.is_gpu:
            try:
                used = self.backend.xp.get_default_memory_pool().used_bytes()
                return f"GPU {used / 2**20:.0f} MiB"
            except Exception:  # informative only
                return ""
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_bytes = peak if sys.platform == "darwin" else peak * 1024
        return Message(N_("RSS peak {mib} MiB"), mib=f"{peak_bytes / 2**20:.0f}")

    def _checkpoint(self, reason: str) -> Path:
        info = {
            "config": self.config.to_dict(),
            "model_name": self.model_name,
            "device": self.backend.describe(),
            "seed": self.config.seed,
            "epoch": self.epoch,
            "global_step": self.global_step,
            "progress": {
                "epoch": self.epoch,
                "global_step": self.global_step,
                **self.acc.as_dict(),
            },
            "base_lr": self.base_lr,
            "history": self.history,
            "elapsed_s": self.elapsed(),
            "train_time_s": self.train_time,
            "train_images": self.train_images,
            "engine_rng": engine_module.default_generator().bit_generator.state,
            "layer_rng": {
                name: layer.generator.bit_generator.state
                for name, layer in _random_layers(self.model)
            },
            "finished": reason == "final",
            "reason": reason,
            "test": getattr(self, "test_metrics", None),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        path = save_checkpoint(
            self.run_dir,
            self.model.state_dict(),
            engine_api.optimizer_state(self.optimizer),
            info,
        )
        self.emit(Checkpointed(str(path), self.epoch, self.global_step, reason))
        return path

    def summary(self, final: bool) -> dict[str, Any]:
        """The document `cnntui train --json` prints (see the README)."""
        last = self.history[-1] if self.history else {}
        test = getattr(self, "test_metrics", {}) or {}
        return {
            "model": self.model_name,
            "dataset": self.config.dataset,
            "device": self.backend.describe(),
            "epochs": self.epoch,
            "seed": self.config.seed,
            "final": {
                "train_loss": last.get("train_loss"),
                "train_acc": last.get("train_acc"),
                "val_loss": last.get("val_loss"),
                "val_acc": last.get("val_acc"),
                "test_loss": test.get("test_loss"),
                "test_acc": test.get("test_acc"),
            },
            "history": self.history,
            "images_per_s": self.images_per_s(),
            "elapsed_s": self.elapsed(),
            "parameters": self.model.num_parameters(),
            "input_shape": list(self.splits.input_shape),
            "completed": final,
            "config": self.config.to_dict(),
            "checkpoint": str(self.run_dir),
        }


class TrainingError(CnnTuiError):
    """A run stopped on its own (NaN loss, out of memory); the message says why and what to do."""


class _NonFinite(Exception):
    def __init__(self, value: str, lr: float) -> None:
        super().__init__(value)
        self.value = value
        self.lr = lr


def _random_layers(model: Any) -> list[tuple[str, Any]]:
    """Layers that draw random numbers of their own (dropout), with a NumPy `generator`."""
    return [
        (name, layer)
        for name, layer in model.named_modules()
        if isinstance(getattr(layer, "generator", None), np.random.Generator)
        and callable(getattr(layer, "manual_seed", None))
    ]


def _first_conv_name(model: Any) -> str | None:
    for name, module in model.named_modules():
        params = dict(module._parameters)
        weight = params.get("weight")
        if weight is not None and len(weight.shape) == 4:
            return name
    return None


def _probe_layers(model: Any, input_shape: tuple[int, int, int]) -> list[str]:
    """Top-level children whose output is a stack of maps `(K, h, w)`: what can be probed."""
    names: list[str] = []
    shape: tuple[int, ...] = tuple(input_shape)
    for name, child in model.named_children():
        try:
            shape = tuple(child.output_shape(shape))
        except Exception:  # a layer that cannot trace alone ends the list
            break
        if len(shape) == 3:
            names.append(name)
    return names


__all__ = ["DatasetError", "RunStopped", "Trainer", "TrainingError"]
