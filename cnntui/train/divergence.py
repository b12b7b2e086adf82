"""Whether a run has diverged, and how to say so.

The trainer checks the training loss of every step as it reads it back; these checks cover what
that misses, at the points where the values are already on the host: the epoch's mean training
loss and the validation loss (`check_metrics`), the test loss at the end, and the weights
(`first_nonfinite_parameter`). A loss can also explode without ever becoming NaN (1e6 and
climbing); `exploded` calls a loss diverged when it is `EXPLODED_FACTOR` times the loss of a
uniform guess over the classes, which no learning network comes near.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cnntui.i18n import N_, Message, Text

EXPLODED_FACTOR = 100.0
"""A cross-entropy this many times ln(classes) (the loss of guessing uniformly) has diverged."""


class Diverged(Exception):
    """A value that should be a finite number is not (or is absurdly large)."""

    def __init__(self, what: Text, value: float, state: Text | None = None) -> None:
        super().__init__(
            Message(N_("{what} became {state}"), what=what, state=state or describe(value))
        )
        self.what = what
        self.value = value

    @property
    def message(self) -> Message:
        """The text, translated where it is shown."""
        message = self.args[0]
        assert isinstance(message, Message)
        return message


def describe(value: float) -> Text:
    """`NaN`, `infinite`, or the number as `1.2e+05`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return Message(N_("infinite"))
    return f"{value:.3g}"


def exploded(loss: float, num_classes: int) -> bool:
    """True when a finite cross-entropy `loss` is far beyond any learning network's."""
    return loss > EXPLODED_FACTOR * max(1.0, math.log(max(num_classes, 2)))


def check_metrics(metrics: dict[str, Any], num_classes: int, names: Iterable[str]) -> None:
    """Raise Diverged for the first of `names` in `metrics` that is not a usable loss."""
    labels = {
        "train_loss": N_("the training loss"),
        "val_loss": N_("the validation loss"),
        "test_loss": N_("the test loss"),
    }
    for name in names:
        value = metrics.get(name)
        if value is None:
            continue
        value = float(value)
        if not math.isfinite(value) or (name.endswith("_loss") and exploded(value, num_classes)):
            label = labels.get(name)
            raise Diverged(Message(label) if label else name.replace("_", " "), value)


def first_nonfinite_parameter(named: Iterable[tuple[str, Any]], all_finite: Any) -> str | None:
    """The name of the first parameter whose data `all_finite(array)` finds NaN or inf in."""
    for name, parameter in named:
        data = getattr(parameter, "data", parameter)
        if not bool(all_finite(data)):
            return name
    return None


def failure_message(
    diverged: Diverged, epoch: int, step: int | None, lr: float, run_dir: Path
) -> Message:
    """One line: what diverged where, the learning-rate hint, and where the last good checkpoint
    is, promised only when one exists (a run that diverged in its first epoch has none).
    A Message: the app shows it in its language when it shows it."""
    where = (
        Message(N_("epoch {epoch}, step {step}"), epoch=epoch, step=step)
        if step is not None
        else Message(N_("epoch {epoch}"), epoch=epoch)
    )
    has_checkpoint = (run_dir / "run.json").is_file() and any(run_dir.glob("checkpoint-*.npz"))
    kept = (
        Message(N_("the last good checkpoint is kept in {path}"), path=str(run_dir))
        if has_checkpoint
        else Message(N_("no checkpoint was saved before it, so start a new run"))
    )
    return Message(
        N_(
            "{what} at {where} with learning rate {lr}: the learning rate is probably too "
            "high (try {lower}); {kept}"
        ),
        what=diverged.message,
        where=where,
        lr=f"{lr:g}",
        lower=f"{lr / 10:g}",
        kept=kept,
    )
