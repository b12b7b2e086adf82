"""Mini-batches from a `Dataset`: a shuffled order per epoch, optional augmentation."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from cnntui.data.dataset import Dataset
from cnntui.data.transforms import Augmentation


def epoch_order(n: int, rng: np.random.Generator | None) -> np.ndarray:
    """The sample order of one epoch: a permutation drawn from `rng`, or 0..n-1 without one."""
    return rng.permutation(n) if rng is not None else np.arange(n)


def iterate_batches(
    data: Dataset,
    batch_size: int,
    rng: np.random.Generator | None = None,
    augmentation: Augmentation | None = None,
    start: int = 0,
    order: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield `(images (B, C, H, W) float32, labels (B,) int64)` over one epoch.

    With `rng` the order is shuffled (and augmentation, if any, draws from the same generator);
    `start` skips the first batches, so an interrupted epoch can continue where it stopped when
    given the same `order`. The last batch may be smaller.
    """
    if order is None:
        order = epoch_order(len(data), rng)
    for first in range(start * batch_size, len(order), batch_size):
        idx = order[first : first + batch_size]
        images = data.images[idx]
        if augmentation is not None and augmentation.enabled and rng is not None:
            images = augmentation.apply(images, rng)
        yield images, data.labels[idx]
