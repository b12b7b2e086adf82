"""What a training run reports, and the commands it accepts.

Events are small dataclasses sent from the runner process to the UI over a queue (or handed to a
callback when training runs in-process, as `cnntui train` does). Arrays in events are host NumPy
arrays; their text is a `cnntui.i18n.Message` (translated where it is shown, so a report follows
the app's language even when it switches mid-run). `Event` is their union; consumers dispatch on the class
(`match event: case EpochEnd(): ...`), as for the DCGAN run's events (`cnntui.gan.process`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnntui.i18n import Text


@dataclass
class RunStarted:
    run_dir: str
    config: dict[str, Any]
    device: Text
    """One line: backend, device name, and why the GPU is not used when it was asked for."""
    model_title: str
    parameters: int
    input_shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    split_sizes: dict[str, int]
    steps_per_epoch: int
    start_epoch: int = 0
    start_step: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    """Epochs finished before this start (when resuming)."""


@dataclass
class Downloading:
    """Progress of a data set download (only with `--download`), at most a few times a second."""

    label: str
    done: int
    total: int | None


@dataclass
class StepProgress:
    """Coalesced progress: the losses of every step since the previous `StepProgress`."""

    epoch: int
    """Zero-based epoch being trained."""
    step: int
    """Steps done in this epoch."""
    steps_per_epoch: int
    global_step: int
    losses: list[float]
    accuracies: list[float]
    lr: float
    images_per_s: float
    elapsed_s: float
    eta_s: float | None
    memory: Text = ""
    """The memory in use, one short phrase (`GPU 812 MiB`), or empty."""


@dataclass
class EpochEnd:
    epoch: int
    """Zero-based index of the epoch that just finished."""
    metrics: dict[str, float]
    """`train_loss`, `train_acc`, `val_loss`, `val_acc`, `lr`, `images_per_s`, `elapsed_s`."""


@dataclass
class Filters:
    """The first convolution's weights `(out, in, kh, kw)` float32."""

    layer: str
    weights: np.ndarray


@dataclass
class FeatureMaps:
    """One test image `(C, H, W)` in [0, 1] and the activations `(K, h, w)` of a chosen layer."""

    layer: str
    layers: list[str]
    """Every layer that can be chosen, in order."""
    image_index: int
    image: np.ndarray
    label: int
    maps: np.ndarray


@dataclass
class Predictions:
    """A fixed sample of test images with the model's top-3 classes and probabilities."""

    images: np.ndarray
    """`(n, C, H, W)` in [0, 1]."""
    labels: np.ndarray
    top_classes: np.ndarray
    """`(n, 3)` int64, best first."""
    top_probs: np.ndarray
    """`(n, 3)` float32."""


@dataclass
class Confusion:
    """Confusion matrix of the validation set and its most confidently wrong examples."""

    epoch: int
    matrix: np.ndarray
    """`(K, K)` int64, row = true class, column = predicted."""
    wrong_images: np.ndarray
    wrong_labels: np.ndarray
    wrong_predicted: np.ndarray
    wrong_probs: np.ndarray


@dataclass
class Checkpointed:
    path: str
    epoch: int
    step: int
    reason: str
    """`epoch`, `stop`, `signal` or `final`."""


@dataclass
class StateChanged:
    state: str
    """`running`, `paused`, `stopping`, `finished`, `stopped` or `failed`."""
    message: Text = ""
    """What the user should know (a `Message`: shown in the app's language when shown)."""


@dataclass
class RunFailed:
    """The run cannot go on; `message` is one line that says why and what to do."""

    message: Text
    reason: str
    """`nan`, `oom`, `data`, `checkpoint`, `settings` or `error`."""


@dataclass
class RunFinished:
    summary: dict[str, Any]
    """The document `cnntui train --json` prints."""


Event = (
    RunStarted
    | Downloading
    | StepProgress
    | EpochEnd
    | Filters
    | FeatureMaps
    | Predictions
    | Confusion
    | Checkpointed
    | StateChanged
    | RunFailed
    | RunFinished
)


@dataclass(frozen=True)
class Command:
    """A control message to a running trainer.

    `name` is one of `pause`, `resume`, `stop`, `step` (train `value` steps then pause),
    `set_lr` (`value` = the new base learning rate) and `probe` (`value` = test image index,
    `layer` = layer name for the feature maps).
    """

    name: str
    value: float | int | None = None
    layer: str | None = None
