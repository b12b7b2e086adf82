"""Data sets and image loading: bundled digits, synthetic shapes, MNIST/Fashion-MNIST (IDX),
CIFAR-10 (binary), and image folders.

```python
from cnntui.data import load_splits
splits = load_splits("digits", input_size=28)     # Splits(train, val, test), normalised
splits.train.images    # float32 (N, C, H, W)
splits.train.labels    # int64 (N,)
splits.class_names     # ("0", …, "9")
```

Nothing here touches the network unless `download=True` is passed. Pure NumPy: no Textual, Rich
or CuPy.
"""

from __future__ import annotations

from cnntui.data.batches import iterate_batches
from cnntui.data.dataset import Dataset, DatasetError, Splits
from cnntui.data.registry import DATASETS, DatasetInfo, load_splits, names
from cnntui.data.transforms import Augmentation, parse_augmentation

__all__ = [
    "DATASETS",
    "Augmentation",
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "Splits",
    "iterate_batches",
    "load_splits",
    "names",
    "parse_augmentation",
]
