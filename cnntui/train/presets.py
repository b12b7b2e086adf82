"""Validator for `cnntui:train?...` lesson links (pure: no Textual, no engine).

The lists of values come from `cnntui.train.choices`.

Accepted keys, all optional:

* `model`: a trainable zoo model (`cnntui.train.choices.MODELS`);
* `dataset`: `digits`, `shapes`, `mnist`, `fashion-mnist`, `cifar10` or `folder` (the data
  folder is then typed in the form);
* `epochs` (1–200), `batch` (1–4096), `seed` (0–2³²−1), `size` (input size in pixels, 8–64);
* `lr`: the learning rate, a number in (0, 10];
* `optimizer`: `sgd` or `adam`;
* `compare`: `plain-residual` trains the deep plain net and its residual twin side by side on
  the same data, both curves on one chart (the ResNet lesson's degradation experiment);
* `view`: the tab to show: `setup`, `curves`, `pictures`, `predictions`, `confusion`, `runs`;
  or `init`, the initialisation view (activation and gradient spread per layer of a deep plain
  net), with `scheme` (`small`, `large`, `xavier`, `he`) and `activation` (`sigmoid`, `tanh`,
  `relu`, `leaky_relu`);
* `start`: `yes` starts training at once (otherwise the settings wait for the space key);
* `init`: a pretrained network to start from, `freeze`: layers that get no updates (`c1,c3`),
  as `cnntui train --init/--freeze`; the run's line above the curves names the frozen layers.

Examples: `cnntui:train?model=lenet5&dataset=digits&start=yes`,
`cnntui:train?compare=plain-residual&dataset=digits&epochs=6`.
"""

from __future__ import annotations

import math

from cnntui.train.choices import COMPARISONS, DATASETS, MODELS, OPTIMIZERS, VIEWS

INITS = ("small", "large", "xavier", "he")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
"""As `cnntui.engine.init_statistics` has them (this validator imports no engine)."""
STARTS = ("yes", "no")
INT_RANGES = {"epochs": (1, 200), "batch": (1, 4096), "seed": (0, 2**32 - 1), "size": (8, 64)}

_CHOICES: dict[str, tuple[str, ...]] = {
    "model": MODELS,
    "dataset": DATASETS,
    "optimizer": OPTIMIZERS,
    "compare": COMPARISONS,
    "view": (*VIEWS, "init"),
    "start": STARTS,
    "scheme": INITS,
    "activation": ACTIVATIONS,
}
KEYS = (*_CHOICES, *INT_RANGES, "lr", "init", "freeze")


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    problems: list[str] = []
    for key, value in params.items():
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                problems.append(f"train: {key}={value!r} is not one of {', '.join(_CHOICES[key])}")
        elif key in INT_RANGES:
            low, high = INT_RANGES[key]
            if not (value.isdigit() and low <= int(value) <= high):
                problems.append(
                    f"train: {key}={value!r} must be a whole number from {low} to {high}"
                )
        elif key == "lr":
            try:
                lr = float(value)
            except ValueError:
                lr = math.nan
            if not (math.isfinite(lr) and 0 < lr <= 10):
                problems.append(
                    f"train: lr={value!r} must be a number greater than 0 and at most 10"
                )
        elif key == "init":  # transfer learning: start from a pretrained network
            from cnntui.explain.pretrained import names

            if value not in names():
                problems.append(f"train: init={value!r} is not one of {', '.join(names())}")
        elif key == "freeze":
            if not all(part.strip().replace(".", "").isidentifier() for part in value.split(",")):
                problems.append(f"train: freeze={value!r} must be layer names separated by commas")
        else:
            problems.append(f"train: unknown key {key!r}; valid keys are {', '.join(KEYS)}")
    if ("scheme" in params or "activation" in params) and params.get("view") != "init":
        problems.append("train: scheme and activation apply with view=init only")
    if "compare" in params and "model" in params:
        problems.append("train: compare chooses its own two models; leave out model")
    return problems
