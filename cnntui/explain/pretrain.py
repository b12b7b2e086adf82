"""Retrain the shipped networks from their recipes: `python -m cnntui.explain.pretrain [NAME…]`.

Every random number comes from the recipe's seed (weight initialisation through the engine's
generator, the batch order of epoch `e` from `default_rng((seed, e))`, the shifts of step `s`
from `default_rng((seed, e, s, 1))`), so on the CPU two runs give bit-identical weights.

    python -m cnntui.explain.pretrain                 # all, into assets/pretrained/
    python -m cnntui.explain.pretrain lenet5-digits --out /tmp/weights
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.explain.pretrained import (
    PRETRAINED,
    PretrainedSpec,
    accuracy,
    build_architecture,
    get_spec,
    load_data,
    pack,
)


@dataclass
class PretrainResult:
    module: Any
    mean: np.ndarray
    std: np.ndarray
    test_acc: float
    seconds: float


def train_module(
    module: Any,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    momentum: float = 0.9,
    weight_decay: float = 0.0,
    shift: int = 0,
    max_steps: int | None = None,
    on_epoch: Callable[[int], None] | None = None,
    optimizer_name: str = "sgd",
) -> Any:
    """Train `module` in place on `images` `(N, C, H, W)` (normalised) with softmax cross-entropy,
    SGD with momentum (or Adam) over its parameters that require a gradient, and a cosine decay
    of `lr` per step. Returns the module. `max_steps` stops early (for quick checks)."""
    from cnntui.data.transforms import Augmentation
    from cnntui.engine.nn import CrossEntropyLoss
    from cnntui.engine.optim import SGD, Adam, Optimizer

    module.needs_input_grad = False
    trainable = [p for p in module.parameters() if p.requires_grad]
    optimizer: Optimizer
    if optimizer_name == "adam":
        optimizer = Adam(trainable, lr=lr, weight_decay=weight_decay)
    else:
        optimizer = SGD(trainable, lr=lr, momentum=momentum, weight_decay=weight_decay)
    criterion = CrossEntropyLoss()
    augment = Augmentation(max_shift=shift)
    steps_per_epoch = max(1, math.ceil(len(images) / batch_size))
    total = epochs * steps_per_epoch
    step = 0
    for epoch in range(epochs):
        module.train()
        order = np.random.default_rng((seed, epoch)).permutation(len(images))
        for index in range(steps_per_epoch):
            if max_steps is not None and step >= max_steps:
                return module
            idx = order[index * batch_size : (index + 1) * batch_size]
            batch = augment.apply(images[idx], np.random.default_rng((seed, epoch, index, 1)))
            optimizer.lr = lr * (1 + math.cos(math.pi * step / total)) / 2
            logits = module(batch)
            criterion(logits, labels[idx])
            optimizer.zero_grad()
            module.backward(criterion.backward())
            optimizer.step()
            step += 1
        if on_epoch is not None:
            on_epoch(epoch)
    module.eval()
    return module


def pretrain(
    spec: PretrainedSpec,
    *,
    seed: int | None = None,
    max_steps: int | None = None,
    log: Callable[[str], None] | None = None,
) -> PretrainResult:
    """Train `spec`'s network from its recipe (with another `seed` if given) on the CPU."""
    from cnntui.engine import module as engine_module

    recipe = spec.recipe
    seed = recipe.seed if seed is None else seed
    start = time.perf_counter()
    splits = load_data(spec)
    engine_module.manual_seed(seed)
    module = build_architecture(spec)
    for p in module.parameters():  # materialise in order, from the seeded generator
        p.materialize()

    def report(epoch: int) -> None:
        if log is not None:
            acc = accuracy(module, splits.val.images, splits.val.labels)
            log(f"{spec.name}: epoch {epoch + 1}/{recipe.epochs}  val acc {acc:.4f}")

    train_module(
        module,
        splits.train.images,
        splits.train.labels,
        epochs=recipe.epochs,
        lr=recipe.lr,
        batch_size=recipe.batch_size,
        seed=seed,
        momentum=recipe.momentum,
        weight_decay=recipe.weight_decay,
        shift=recipe.shift,
        max_steps=max_steps,
        on_epoch=report,
        optimizer_name=recipe.optimizer,
    )
    test_acc = accuracy(module, splits.test.images, splits.test.labels)
    mean = splits.train.mean if splits.train.mean is not None else np.zeros(1, np.float32)
    std = splits.train.std if splits.train.std is not None else np.ones(1, np.float32)
    return PretrainResult(module, mean, std, test_acc, time.perf_counter() - start)


def save(spec: PretrainedSpec, result: PretrainResult, folder: Path) -> Path:
    """Write `folder/NAME.npz` atomically."""
    from cnntui.atomic import save_npz_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.name}.npz"
    arrays = pack(result.module, result.mean, result.std, spec.classes, result.test_acc)
    save_npz_atomic(path, arrays)
    return path


def main(argv: list[str] | None = None) -> int:
    from cnntui.resources import asset_path

    parser = argparse.ArgumentParser(
        prog="python -m cnntui.explain.pretrain",
        description="Retrain cnntui's pretrained networks from their recipes (CPU).",
    )
    parser.add_argument(
        "names", nargs="*", help=f"which ones (default all: {', '.join(PRETRAINED)})"
    )
    parser.add_argument("--out", type=Path, default=None, help="folder (default assets/pretrained)")
    parser.add_argument("--seed", type=int, default=None, help="another seed than the recipe's")
    args = parser.parse_args(argv)
    folder = args.out or asset_path("pretrained")
    for name in args.names or list(PRETRAINED):
        spec = get_spec(name)
        result = pretrain(spec, seed=args.seed, log=lambda line: print(line, flush=True))
        path = save(spec, result, folder)
        verdict = "ok" if result.test_acc >= spec.stated_accuracy else "BELOW THE STATED ACCURACY"
        print(
            f"{spec.name}: test acc {result.test_acc:.4f} (stated {spec.stated_accuracy}) {verdict}; "
            f"{result.seconds:.0f} s -> {path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
