"""The settings of one training run, validated once, saved in `run.json`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from cnntui.errors import UsageError
from cnntui.i18n import _
from cnntui.train.choices import DEVICES, OPTIMIZERS, SCHEDULES


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run; two runs with equal configs compute the same numbers on the CPU.

    `input_size` None means: the data set's native size, or the size the model needs.
    `lr_schedule`: `constant`, `step` (×0.1 at 50% and 75% of the epochs) or `cosine` (to 0).
    """

    model: str = "lenet5"
    dataset: str = "digits"
    epochs: int = 12
    batch_size: int = 32
    lr: float = 0.05
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 0.0005
    lr_schedule: str = "cosine"
    seed: int = 0
    device: str = "auto"
    input_size: int | None = None
    augment: str = "auto"
    """`auto` (small random shifts; flips too for CIFAR-10), `none`, or e.g. `shift:2,flip`."""
    data_dir: str | None = None
    download: bool = False
    samples: int | None = None
    """How many images the synthetic `shapes` set generates (default 6,000)."""
    limit: int | None = None
    """Train on only the first `limit` training images (quick experiments)."""
    threads: int = 1
    """CPU threads: the engine splits convolutions, pooling and ReLU over this many threads, each
    with one BLAS thread; 0 keeps the BLAS library's default (every core, for products only). A
    run is reproducible at a given count (the splits and the order partial sums are added in
    depend only on it); one thread is the default, bit-for-bit as before, and costs little for
    these small networks."""

    init: str | None = None
    """Start from trained weights (`--init`): a pretrained network or a run folder. Arrays whose
    name and shape match are copied; the rest (a head of another size) keep their fresh values."""
    freeze: str = ""
    """Layers whose parameters get no updates (`--freeze c1,c3`), comma-separated."""

    def validated(self) -> RunConfig:
        """This config if every value is in range; raises `UsageError` naming the first bad one."""
        if not 1 <= self.epochs <= 10_000:
            raise UsageError(
                _("--epochs must be between 1 and 10000, got {epochs}").format(epochs=self.epochs)
            )
        if not 1 <= self.batch_size <= 65_536:
            raise UsageError(
                _("--batch-size must be between 1 and 65536, got {batch_size}").format(
                    batch_size=self.batch_size
                )
            )
        if not (math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise UsageError(_("--lr must be a number in (0, 10], got {lr}").format(lr=self.lr))
        if self.optimizer not in OPTIMIZERS:
            raise UsageError(
                _("--optimizer must be one of {choices}, got {optimizer!r}").format(
                    choices=", ".join(OPTIMIZERS), optimizer=self.optimizer
                )
            )
        if not (math.isfinite(self.momentum) and 0 <= self.momentum < 1):
            raise UsageError(
                _("--momentum must be in [0, 1), got {momentum}").format(momentum=self.momentum)
            )
        if not (math.isfinite(self.weight_decay) and 0 <= self.weight_decay < 1):
            raise UsageError(
                _("--weight-decay must be in [0, 1), got {weight_decay}").format(
                    weight_decay=self.weight_decay
                )
            )
        if self.lr_schedule not in SCHEDULES:
            raise UsageError(
                _("--schedule must be one of {choices}, got {lr_schedule!r}").format(
                    choices=", ".join(SCHEDULES), lr_schedule=self.lr_schedule
                )
            )
        if self.device not in DEVICES:
            raise UsageError(
                _("--device must be one of {choices}, got {device!r}").format(
                    choices=", ".join(DEVICES), device=self.device
                )
            )
        if not 0 <= self.seed < 2**32:
            raise UsageError(
                _("--seed must be between 0 and 4294967295, got {seed}").format(seed=self.seed)
            )
        if self.input_size is not None and not 4 <= self.input_size <= 512:
            raise UsageError(
                _("--input-size must be between 4 and 512, got {input_size}").format(
                    input_size=self.input_size
                )
            )
        if self.samples is not None and not 10 <= self.samples <= 1_000_000:
            raise UsageError(
                _("--samples must be between 10 and 1000000, got {samples}").format(
                    samples=self.samples
                )
            )
        if (
            isinstance(self.threads, bool)
            or not isinstance(self.threads, int)
            or not 0 <= self.threads <= 256
        ):
            raise UsageError(
                _("--threads must be between 0 (the BLAS default) and 256, got {threads}").format(
                    threads=self.threads
                )
            )
        if self.limit is not None and self.limit < 1:
            raise UsageError(
                _("--limit must be a positive number of images, got {limit}").format(
                    limit=self.limit
                )
            )
        if not isinstance(self.freeze, str) or any(
            not part.strip() for part in self.freeze.split(",") if self.freeze
        ):
            raise UsageError(
                _("--freeze takes layer names separated by commas, got {freeze}").format(
                    freeze=repr(self.freeze)
                )
            )
        from cnntui.data.transforms import parse_augmentation

        try:
            parse_augmentation(self.augment)
        except ValueError as exc:
            raise UsageError(_("--augment: {exc}").format(exc=exc)) from None
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """Rebuild from `to_dict` output; unknown keys are ignored, wrong types refused."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in known:
                values[key] = value
        try:
            config = cls(**values)
        except TypeError as exc:
            raise UsageError(_("run settings are invalid: {exc}").format(exc=exc)) from None
        for name, kind in (("epochs", int), ("batch_size", int), ("seed", int)):
            if not isinstance(getattr(config, name), kind) or isinstance(
                getattr(config, name), bool
            ):
                raise UsageError(
                    _("run settings are invalid: {name} must be a whole number").format(name=name)
                )
        for name in ("lr", "momentum", "weight_decay"):
            value = getattr(config, name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise UsageError(
                    _("run settings are invalid: {name} must be a number").format(name=name)
                )
        for name in ("model", "dataset", "optimizer", "lr_schedule", "device", "augment"):
            if not isinstance(getattr(config, name), str):
                raise UsageError(
                    _("run settings are invalid: {name} must be a text").format(name=name)
                )
        for name in ("input_size", "samples", "limit", "threads"):
            value = getattr(config, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise UsageError(
                    _("run settings are invalid: {name} must be a whole number").format(name=name)
                )
        if not isinstance(config.download, bool):
            raise UsageError(_("run settings are invalid: download must be true or false"))
        if config.data_dir is not None and not isinstance(config.data_dir, str):
            raise UsageError(_("run settings are invalid: data_dir must be a folder name"))
        return config.validated()

    def lr_at(self, epoch_progress: float, base: float | None = None) -> float:
        """The scheduled learning rate after `epoch_progress` epochs (a float: 2.5 = mid third
        epoch), starting from `base` (default: `lr`; a run whose rate was changed passes its own)."""
        lr = self.lr if base is None else base
        fraction = min(max(epoch_progress / self.epochs, 0.0), 1.0)
        if self.lr_schedule == "step":
            return lr * (0.1 if fraction >= 0.5 else 1.0) * (0.1 if fraction >= 0.75 else 1.0)
        if self.lr_schedule == "cosine":
            return lr * 0.5 * (1.0 + math.cos(math.pi * fraction))
        return lr
