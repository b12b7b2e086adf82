"""The Train lab's choices, listed once: models, data sets, optimisers, schedules, devices, views.

`cnntui train` builds its argument choices and help from these tuples, the `cnntui:train?...`
link validator (`cnntui.train.presets`) accepts exactly these values, and the Train form's
selects are filled from them. Standard library only, so `cnntui --help` stays light; a test
checks that the zoo's `trainable` flags and the data registry list the same names.
"""

from __future__ import annotations

MODELS = (
    "lenet5",
    "lenet5-1998",
    "tinyvgg",
    "tinyvgg-bn",
    "lenet5-28",
    "lenet5-8",
    "resnet-small",
    "plain-deep",
    "residual-deep",
)
"""Zoo models meant for training (the zoo entries with `trainable=True`, in the zoo's order)."""

COMPARE_MODELS = ("plain-deep", "residual-deep")
"""The pair the `plain-residual` comparison trains side by side on the same data."""

COMPARISONS = ("plain-residual",)

DATASETS = ("digits", "shapes", "mnist", "fashion-mnist", "cifar10", "folder")
"""The data sets of `cnntui.data.registry`, in its order (`folder` needs a data folder)."""

OPTIMIZERS = ("sgd", "adam")
OPTIMIZER_LABELS = {"sgd": "SGD + momentum", "adam": "Adam"}
"""How the Train form names each optimiser."""

SCHEDULES = ("constant", "step", "cosine")
"""Learning-rate schedules: constant, ×0.1 at 50% and 75% of the epochs, or cosine to 0."""

DEVICES = ("auto", "cpu", "gpu")
"""Where to compute: `auto` takes the GPU when it works."""

VIEWS = ("setup", "curves", "pictures", "predictions", "confusion", "runs")
"""The Train lab's tabs, in order."""
