"""The common in-memory data set type shared by the Train and GAN labs.

A `Dataset` is a plain pair of arrays plus names:

* `images`: float32, shape `(N, C, H, W)`, pixel values in [0, 1] until `normalize` is applied;
* `labels`: int64, shape `(N,)`, class indices in `0 .. len(class_names) - 1`;
* `class_names`: one name per class.

`Splits` groups the fixed train/validation/test parts of one data set, as documented per data set
in `cnntui.data.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cnntui.errors import CnnTuiError
from cnntui.i18n import _


class DatasetError(CnnTuiError):
    """A data set is missing, corrupt or truncated; the message says what and how to fix it."""


@dataclass(frozen=True)
class Dataset:
    """Images `(N, C, H, W)` float32 and labels `(N,)` int64 with their class names.

    `mean` and `std` (per channel, shape `(C,)`) are set once `normalize` has been applied, so a
    picture can be shown in its original range again with `denormalized`.
    """

    name: str
    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    mean: np.ndarray | None = field(default=None, compare=False)
    std: np.ndarray | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.images.ndim != 4:
            raise DatasetError(
                _("{name}: images must be N×C×H×W, got shape {shape}").format(
                    name=self.name, shape=self.images.shape
                )
            )
        if self.labels.shape != (self.images.shape[0],):
            raise DatasetError(
                _("{name}: {value} images but labels of shape {shape}").format(
                    name=self.name, value=self.images.shape[0], shape=self.labels.shape
                )
            )
        if self.images.dtype != np.float32 or not self.images.flags.c_contiguous:
            object.__setattr__(self, "images", np.ascontiguousarray(self.images, dtype=np.float32))
        if self.labels.dtype != np.int64:
            object.__setattr__(self, "labels", self.labels.astype(np.int64))

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The per-sample shape `(C, H, W)`."""
        _count, c, h, w = self.images.shape
        return int(c), int(h), int(w)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def subset(self, indices: np.ndarray | slice) -> Dataset:
        """The samples at `indices` (same names and normalisation)."""
        return replace(self, images=self.images[indices], labels=self.labels[indices])

    def class_counts(self) -> np.ndarray:
        """How many samples of each class, shape `(num_classes,)`."""
        return np.bincount(self.labels, minlength=self.num_classes)

    def channel_stats(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-channel mean and standard deviation over all pixels, each shape `(C,)` float32."""
        mean = self.images.mean(axis=(0, 2, 3), dtype=np.float64)
        std = self.images.std(axis=(0, 2, 3), dtype=np.float64)
        std = np.where(std < 1e-8, 1.0, std)
        return mean.astype(np.float32), std.astype(np.float32)

    def normalize(self, mean: np.ndarray, std: np.ndarray) -> Dataset:
        """`(x - mean) / std` per channel; remembers both so `denormalized` can undo it."""
        mean = np.asarray(mean, dtype=np.float32).reshape(-1)
        std = np.asarray(std, dtype=np.float32).reshape(-1)
        if mean.shape[0] != self.images.shape[1] or std.shape[0] != self.images.shape[1]:
            raise DatasetError(
                _(
                    "{name}: normalisation needs {value} channel values, got mean {value2} and std {value3}"
                ).format(
                    name=self.name,
                    value=self.images.shape[1],
                    value2=mean.shape[0],
                    value3=std.shape[0],
                )
            )
        images = (self.images - mean[None, :, None, None]) / std[None, :, None, None]
        return replace(self, images=images.astype(np.float32), mean=mean, std=std)

    def denormalized(self, images: np.ndarray | None = None) -> np.ndarray:
        """Images (these or the given `(N, C, H, W)` batch) back in [0, 1] for display."""
        batch = self.images if images is None else np.asarray(images, dtype=np.float32)
        if self.mean is None or self.std is None:
            return np.clip(batch, 0.0, 1.0)
        out = batch * self.std[None, :, None, None] + self.mean[None, :, None, None]
        return np.clip(out, 0.0, 1.0)


@dataclass(frozen=True)
class Splits:
    """The fixed train, validation and test parts of one data set."""

    train: Dataset
    val: Dataset
    test: Dataset
    description: str = ""
    """How the split was made, in one sentence (shown by `cnntui train` and the Train mode)."""

    @property
    def name(self) -> str:
        return self.train.name

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.train.class_names

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.train.input_shape

    def normalized(self) -> Splits:
        """All three parts normalised with the training part's per-channel mean and std."""
        mean, std = self.train.channel_stats()
        return replace(
            self,
            train=self.train.normalize(mean, std),
            val=self.val.normalize(mean, std),
            test=self.test.normalize(mean, std),
        )

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def split_by_permutation(
    data: Dataset, val: int, test: int, seed: int
) -> tuple[Dataset, Dataset, Dataset]:
    """Split with a fixed permutation: the first `N - val - test` samples train, then val, then test.

    The permutation comes from `numpy.random.default_rng(seed)`, so the split never changes.
    """
    n = len(data)
    if val + test >= n:
        raise DatasetError(
            _("{name}: {n} samples are too few for {val} val + {test} test").format(
                name=data.name, n=n, val=val, test=test
            )
        )
    order = np.random.default_rng(seed).permutation(n)
    n_train = n - val - test
    return (
        data.subset(order[:n_train]),
        data.subset(order[n_train : n_train + val]),
        data.subset(order[n_train + val :]),
    )
