"""The pretrained networks shipped in `assets/pretrained/`, and how to load them.

Each file `NAME.npz` holds the network's `state_dict()` (PyTorch names) plus `meta.*` arrays:
`meta.mean` and `meta.std` (per channel, the training split's statistics that every input is
normalised with), `meta.classes` (the original labels of the data set the outputs stand for, in
output order) and `meta.test_acc` (the accuracy measured when the file was written). Nothing is
pickled; files are read with `allow_pickle=False`.

| name | architecture | data | input |
|---|---|---|---|
| `lenet5-digits` | LeNet-5 (`lenet5-28`) | bundled digits, all ten | 1×28×28 |
| `tinyvgg-shapes` | TinyVGG | synthetic shapes (6,000, seed 0) | 1×64×64 |
| `lenet5-digits-0-4` | LeNet-5 (`lenet5-28`), 5 outputs | bundled digits 0–4 only | 1×28×28 |

`python -m cnntui.explain.pretrain` rewrites them from their recipes (see `pretrain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cnntui.errors import UsageError
from cnntui.i18n import N_, _

if TYPE_CHECKING:
    from cnntui.data.dataset import Splits


@dataclass(frozen=True)
class Recipe:
    """How a pretrained network is trained: SGD with momentum and a cosine learning-rate decay
    over `epochs`, batches of `batch_size` in an order drawn from `seed`, random shifts of up to
    `shift` pixels."""

    epochs: int
    lr: float
    batch_size: int = 32
    momentum: float = 0.9
    weight_decay: float = 5e-4
    shift: int = 0
    seed: int = 0
    optimizer: str = "sgd"
    """`sgd` (with momentum) or `adam` (for TinyVGG, which has no normalisation layers)."""


@dataclass(frozen=True)
class PretrainedSpec:
    """One shipped network: what it is, what it was trained on, and how.

    Attributes:
        name: the id (`cnntui explain NAME`).
        architecture: the zoo entry it is built from, with `options` for its builder.
        dataset: the data set (`cnntui.data.registry`), resized to `input_size`².
        classes: the data set's labels it was trained on, in output order (all when empty).
        stated_accuracy: the test accuracy the shipped weights reach at least (a fraction).
    """

    name: str
    title: str
    architecture: str
    options: dict[str, Any]
    dataset: str
    input_size: int
    classes: tuple[int, ...]
    stated_accuracy: float
    description: str
    recipe: Recipe
    samples: int | None = None
    """How many images to generate (synthetic data sets only)."""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (1, self.input_size, self.input_size)

    @property
    def path(self) -> Path:
        from cnntui.resources import asset_path

        return asset_path("pretrained", f"{self.name}.npz")


PRETRAINED: dict[str, PretrainedSpec] = {
    spec.name: spec
    for spec in (
        PretrainedSpec(
            "lenet5-digits",
            "LeNet-5 trained on the digits",
            "lenet5-28",
            {"num_classes": 10, "in_channels": 1},
            "digits",
            28,
            tuple(range(10)),
            0.985,
            N_("LeNet-5 on the bundled handwritten digits at 28×28"),
            Recipe(epochs=30, lr=0.02, shift=2, seed=0),
        ),
        PretrainedSpec(
            "tinyvgg-shapes",
            "TinyVGG trained on the shapes",
            "tinyvgg",
            {"num_classes": 5, "in_channels": 1},
            "shapes",
            64,
            tuple(range(5)),
            0.80,
            N_("CNN Explainer's TinyVGG on the synthetic shapes at 64×64"),
            Recipe(epochs=24, lr=0.001, batch_size=16, weight_decay=0.0, optimizer="adam"),
            samples=2000,
        ),
        PretrainedSpec(
            "lenet5-digits-0-4",
            "LeNet-5 trained on the digits 0-4",
            "lenet5-28",
            {"num_classes": 5, "in_channels": 1},
            "digits",
            28,
            (0, 1, 2, 3, 4),
            0.98,
            N_("LeNet-5 on the digits 0-4 only: the base for the transfer-learning lab"),
            Recipe(epochs=20, lr=0.02, shift=2, seed=0),
        ),
    )
}


def names() -> list[str]:
    return list(PRETRAINED)


def is_pretrained(name: str) -> bool:
    return name.strip().lower() in PRETRAINED


def get_spec(name: str) -> PretrainedSpec:
    """The spec called `name`; UsageError naming the valid ones otherwise."""
    key = name.strip().lower()
    if key not in PRETRAINED:
        raise UsageError(
            _("no pretrained network called {name}; choose one of {choices}").format(
                name=repr(name), choices=", ".join(PRETRAINED)
            )
        )
    return PRETRAINED[key]


class NormalisedInput:
    """What the Explain view asks of a network, beyond its module: the input size and the
    per-channel normalisation its training images had (`Pretrained`, `ImportedNetwork`)."""

    spec: Any
    mean: np.ndarray
    std: np.ndarray

    @property
    def input_shape(self) -> tuple[int, int, int]:
        shape: tuple[int, int, int] = self.spec.input_shape
        return shape

    def normalize(self, images: np.ndarray) -> np.ndarray:
        """`(N, C, H, W)` or `(C, H, W)` in [0, 1] to the network's input scale (float32)."""
        return normalize_pixels(images, self.mean, self.std)

    def denormalize(self, images: np.ndarray) -> np.ndarray:
        """The network's input scale back to [0, 1] pixels (for drawing)."""
        return denormalize_pixels(images, self.mean, self.std)


@dataclass
class Pretrained(NormalisedInput):
    """A loaded network with everything needed to feed it and read its outputs.

    `module` is in eval mode; inputs are `(N, C, H, W)` float32 normalised as
    `(x - mean) / std` per channel, where x is in [0, 1].
    """

    spec: PretrainedSpec
    module: Any
    mean: np.ndarray
    std: np.ndarray
    class_names: tuple[str, ...]
    test_acc: float


def normalize_pixels(images: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """`(x - mean) / std` per channel of `(N, C, H, W)` or `(C, H, W)` images (float32)."""
    x = np.asarray(images, dtype=np.float32)
    shape = (-1, 1, 1) if x.ndim == 3 else (1, -1, 1, 1)
    return ((x - mean.reshape(shape)) / std.reshape(shape)).astype(np.float32)


def denormalize_pixels(images: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """The inverse of `normalize_pixels`, clipped to [0, 1]."""
    x = np.asarray(images, dtype=np.float32)
    shape = (-1, 1, 1) if x.ndim == 3 else (1, -1, 1, 1)
    return np.clip(x * std.reshape(shape) + mean.reshape(shape), 0.0, 1.0)


def build_architecture(spec: PretrainedSpec) -> Any:
    """A fresh (untrained, lazily initialised) module of the spec's architecture."""
    from cnntui import zoo

    return zoo.build(spec.architecture, **spec.options)


def class_names(spec: PretrainedSpec) -> tuple[str, ...]:
    """The names of the outputs: the data set's names of `spec.classes`."""
    from cnntui.data.digits import DIGIT_NAMES
    from cnntui.data.shapes import SHAPE_NAMES

    all_names = {"digits": DIGIT_NAMES, "shapes": SHAPE_NAMES}[spec.dataset]
    return tuple(all_names[c] for c in spec.classes)


def pack(
    module: Any, mean: np.ndarray, std: np.ndarray, classes: tuple[int, ...], test_acc: float
) -> dict[str, np.ndarray]:
    """The arrays of a pretrained file: the state dict and the `meta.*` entries."""
    arrays = dict(module.state_dict())
    arrays["meta.mean"] = np.asarray(mean, dtype=np.float32).reshape(-1)
    arrays["meta.std"] = np.asarray(std, dtype=np.float32).reshape(-1)
    arrays["meta.classes"] = np.asarray(classes, dtype=np.int64)
    arrays["meta.test_acc"] = np.asarray(test_acc, dtype=np.float64)
    return arrays


def read_npz(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The state dict and the `meta.*` arrays (without the prefix) of a weights file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise UsageError(
            _("the weights file {path} is missing; reinstall cnntui").format(path=path)
        ) from None
    except (OSError, ValueError) as exc:
        raise UsageError(
            _("the weights file {path} cannot be read ({reason})").format(path=path, reason=exc)
        ) from None
    meta = {k[5:]: v for k, v in arrays.items() if k.startswith("meta.")}
    state = {k: v for k, v in arrays.items() if not k.startswith("meta.")}
    return state, meta


def load(name: str, path: Path | None = None) -> Pretrained:
    """Load a shipped network (or its spec's architecture with weights from `path`)."""
    spec = get_spec(name)
    state, meta = read_npz(path or spec.path)
    module = build_architecture(spec)
    try:
        module.load_state_dict(state)
    except ValueError as exc:
        raise UsageError(
            _("{name}: the weights do not fit the network ({reason})").format(
                name=spec.name, reason=exc
            )
        ) from None
    module.eval()
    classes = tuple(int(c) for c in meta.get("classes", np.asarray(spec.classes)))
    if classes != spec.classes:
        raise UsageError(
            _("{name}: the weights file is for other classes ({classes})").format(
                name=spec.name, classes=classes
            )
        )
    return Pretrained(
        spec,
        module,
        np.asarray(meta["mean"], dtype=np.float32),
        np.asarray(meta["std"], dtype=np.float32),
        class_names(spec),
        float(meta.get("test_acc", np.nan)),
    )


def load_data(
    spec: PretrainedSpec, normalize_with: tuple[np.ndarray, np.ndarray] | None = None
) -> Splits:
    """The spec's data set split as it was trained on: resized, restricted to `spec.classes`
    (relabelled 0..K-1 in that order) and normalised with the training split's statistics (or
    with `normalize_with` = (mean, std))."""
    from dataclasses import replace

    from cnntui.data import load_splits
    from cnntui.data.dataset import Splits

    raw = load_splits(
        spec.dataset,
        input_size=spec.input_size,
        count=spec.samples,
        seed=0,
        normalize=False,
    )
    mean, std = normalize_with if normalize_with is not None else raw.train.channel_stats()
    names_ = class_names(spec)
    parts = []
    for part in (raw.train, raw.val, raw.test):
        keep = np.isin(part.labels, spec.classes)
        lookup = np.full(int(part.labels.max()) + 1, -1, dtype=np.int64)
        lookup[list(spec.classes)] = np.arange(len(spec.classes))
        subset = part.subset(np.nonzero(keep)[0])
        subset = replace(subset, labels=lookup[subset.labels], class_names=names_)
        parts.append(subset.normalize(mean, std))
    return Splits(parts[0], parts[1], parts[2], raw.description)


def accuracy(module: Any, images: np.ndarray, labels: np.ndarray, batch: int = 256) -> float:
    """The fraction of `images` `(N, C, H, W)` (normalised) that `module` labels correctly."""
    from cnntui.engine.backend import to_host

    module.eval()
    correct = 0
    for start in range(0, len(images), batch):
        logits = to_host(module(images[start : start + batch]))
        correct += int((logits.argmax(axis=1) == labels[start : start + batch]).sum())
    return correct / max(1, len(images))


def listing() -> list[dict[str, Any]]:
    """One `cnntui models` document per pretrained network (`"pretrained": true`), with the
    architecture's numbers and the weights' data set and test accuracy. Reads no weights."""
    from cnntui import zoo
    from cnntui.zoo.summary import summarize

    out: list[dict[str, Any]] = []
    for spec in PRETRAINED.values():
        entry = zoo.get(spec.architecture)
        summary = summarize(build_architecture(spec), spec.input_shape, name=spec.name)
        out.append(
            {
                "name": spec.name,
                "title": spec.title,
                "year": entry.year,
                "description": f"pretrained: {spec.description}",
                "input_shape": list(spec.input_shape),
                "output_shape": list(summary.output_shape),
                "num_classes": len(spec.classes),
                "total_params": summary.total_params,
                "total_macs": summary.total_macs,
                "trainable_preset": False,
                "top5_error": None,
                "options": dict(spec.options),
                "pretrained": True,
                "architecture": spec.architecture,
                "dataset": spec.dataset,
                "classes": list(class_names(spec)),
                "stated_accuracy": spec.stated_accuracy,
            }
        )
    return out
