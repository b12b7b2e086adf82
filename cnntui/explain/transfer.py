"""Transfer learning: reuse a network trained on one task for another with few images.

The lab takes `lenet5-digits-0-4` (trained on the digits 0–4 only), keeps its convolutional base
(c1, c3 with their pooling) and replaces its head (the classifier after the flatten: c5, f6 and
the output, now 5 outputs for the digits 5–9) with fresh layers, then trains on only `per_class`
images of each new digit, three ways with the same budget:

* `scratch`: the same architecture from random weights, every layer trained;
* `frozen`: the base's weights fixed (a feature extractor), only the new head trained;
* `finetuned`: the base's weights trained too, at a tenth of the head's learning rate.

Test accuracy is measured on the full digits 5–9 test split. With the default budget (5 epochs of
5 steps) the pretrained base has already given both transfer ways their features while the
network from scratch is still learning its own; on these easy 8×8 digits a much longer budget
(30 epochs) lets scratch come within a few points. Also here: `init_from` and `freeze`,
the helpers behind `cnntui train --init` and `--freeze`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.errors import UsageError
from cnntui.i18n import _

WAYS = ("scratch", "frozen", "finetuned")
BASE = "lenet5-digits-0-4"
NEW_CLASSES = (5, 6, 7, 8, 9)
FINETUNE_BASE_SCALE = 0.1
"""The base's learning rate in fine-tuning, as a fraction of the head's."""


def _out_of_range(option: str, low: int, high: int, value: int) -> UsageError:
    return UsageError(
        _("{option} must be from {low} to {high}, got {value}").format(
            option=option, low=low, high=high, value=value
        )
    )


@dataclass(frozen=True)
class TransferSettings:
    per_class: int = 10
    epochs: int = 5
    seed: int = 0
    lr: float = 0.02
    batch_size: int = 10
    device: str = "cpu"

    def validated(self) -> TransferSettings:
        if not 1 <= self.per_class <= 100:
            raise _out_of_range("--per-class", 1, 100, self.per_class)
        if not 1 <= self.epochs <= 500:
            raise _out_of_range("--epochs", 1, 500, self.epochs)
        if self.seed < 0:
            raise UsageError(
                _("{option} must be 0 or more, got {value}").format(
                    option="--seed", value=self.seed
                )
            )
        return self


@dataclass
class EpochPoint:
    """One point of a live curve: which way, after which epoch, its loss and test accuracy."""

    way: str
    epoch: int
    train_loss: float
    test_acc: float


@dataclass
class TransferResult:
    per_class: int
    test_acc: dict[str, float]
    history: dict[str, list[EpochPoint]] = field(default_factory=dict)
    train_images: int = 0
    test_images: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "per_class": self.per_class,
            **{way: {"test_acc": self.test_acc[way]} for way in WAYS},
        }


def few_shot_indices(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """`per_class` indices of each label, drawn from `default_rng(seed)`, sorted."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        pool = np.nonzero(labels == label)[0]
        if len(pool) < per_class:
            raise UsageError(
                _(
                    "only {count} training images of class {label}; {option} must be at most that"
                ).format(count=len(pool), label=label, option="--per-class")
            )
        chosen.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def head_names(model: Any) -> list[str]:
    """The head: the top-level layers after the (last) flatten, i.e. the classifier."""
    from cnntui.engine import nn

    names = [name for name, _ in model.named_children()]
    flat = [i for i, (_, m) in enumerate(model.named_children()) if isinstance(m, nn.Flatten)]
    if not flat:
        return names[-1:]
    return names[flat[-1] + 1 :]


def new_head_model(base_state: dict[str, np.ndarray], spec: Any, seed: int, copy: bool) -> Any:
    """The base architecture with a fresh head for the new classes, seeded; with `copy`, every
    layer before the head takes the base's weights."""
    from cnntui import zoo
    from cnntui.engine import module as engine_module

    engine_module.manual_seed(seed)
    options = {**spec.options, "num_classes": len(NEW_CLASSES)}
    model = zoo.build(spec.architecture, **options)
    for p in model.parameters():
        p.materialize()
    if copy:
        head = tuple(f"{name}." for name in head_names(model))
        kept = {k: v for k, v in base_state.items() if not k.startswith(head)}
        model.load_state_dict(kept, strict=False)
    return model


def run_transfer(
    settings: TransferSettings,
    on_epoch: Callable[[EpochPoint], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TransferResult:
    """Train the three ways one after another and measure them (see the module docstring).

    With `on_epoch`, the test accuracy is measured after every epoch and reported (live curves);
    without it only at the end. `should_stop` is polled between steps (a stopped run raises
    `UsageError`).
    """
    from cnntui.explain import pretrained
    from cnntui.explain.report import move_to_device

    settings = settings.validated()
    base = pretrained.load(BASE)
    spec = replace(base.spec, classes=NEW_CLASSES)
    splits = pretrained.load_data(spec, normalize_with=(base.mean, base.std))
    pick = few_shot_indices(splits.train.labels, settings.per_class, settings.seed)
    images, labels = splits.train.images[pick], splits.train.labels[pick]
    test = splits.test
    base_state = base.module.state_dict()
    result = TransferResult(settings.per_class, {}, {}, len(pick), len(test))
    for way in WAYS:
        model = new_head_model(base_state, spec, settings.seed, copy=way != "scratch")
        groups: list[tuple[list[Any], float]]
        head_layers = head_names(model)
        head = [p for name in head_layers for p in getattr(model, name).parameters()]
        if way == "frozen":
            freeze(model, [n for n, m in model.named_children() if n not in head_layers])
            groups = [(head, settings.lr)]
        elif way == "finetuned":
            rest = [p for p in model.parameters() if all(p is not h for h in head)]
            groups = [(head, settings.lr), (rest, settings.lr * FINETUNE_BASE_SCALE)]
        else:
            groups = [(list(model.parameters()), settings.lr)]
        move_to_device(model, settings.device)
        history: list[EpochPoint] = []
        result.history[way] = history

        def report(
            epoch: int,
            loss: float,
            model: Any = model,
            way: str = way,
            history: list[EpochPoint] = history,
        ) -> None:
            if on_epoch is None:
                return
            point = EpochPoint(way, epoch, loss, _accuracy(model, test.images, test.labels))
            history.append(point)
            on_epoch(point)

        _train_groups(model, groups, images, labels, settings, report, should_stop)
        result.test_acc[way] = (
            history[-1].test_acc if history else _accuracy(model, test.images, test.labels)
        )
    return result


def _accuracy(model: Any, images: np.ndarray, labels: np.ndarray) -> float:
    from cnntui.explain.pretrained import accuracy

    return accuracy(model, _host_or_device(model, images), labels)


def _host_or_device(model: Any, images: np.ndarray) -> Any:
    for p in model.parameters():
        return p.xp.asarray(images) if p.xp is not np else images
    return images


def _train_groups(
    model: Any,
    groups: list[tuple[list[Any], float]],
    images: np.ndarray,
    labels: np.ndarray,
    settings: TransferSettings,
    report: Callable[[int, float], None],
    should_stop: Callable[[], bool] | None,
) -> None:
    """SGD with momentum 0.9, one optimiser per (parameters, learning rate) group, a cosine
    decay over all steps; the batch order of epoch `e` comes from `default_rng((seed, e))`."""
    from cnntui.engine.nn import CrossEntropyLoss
    from cnntui.engine.optim import SGD

    model.needs_input_grad = False
    optimizers = [(SGD(params, lr=lr, momentum=0.9), lr) for params, lr in groups if params]
    criterion = CrossEntropyLoss()
    steps = max(1, math.ceil(len(images) / settings.batch_size))
    total = settings.epochs * steps
    step = 0
    for epoch in range(settings.epochs):
        model.train()
        order = np.random.default_rng((settings.seed, epoch)).permutation(len(images))
        loss_sum = 0.0
        for index in range(steps):
            if should_stop is not None and should_stop():
                raise UsageError(_("the transfer run was stopped"))
            idx = order[index * settings.batch_size : (index + 1) * settings.batch_size]
            x = _host_or_device(model, images[idx])
            y = _host_or_device(model, labels[idx])
            loss = criterion(model(x), y)
            for optimizer, lr in optimizers:
                optimizer.zero_grad()
                optimizer.lr = lr * (1 + math.cos(math.pi * step / total)) / 2
            model.backward(criterion.backward())
            for optimizer, _group in optimizers:
                optimizer.step()
            loss_sum += float(loss) * len(idx)
            step += 1
        report(epoch + 1, loss_sum / len(images))


# -- `cnntui train --init` and `--freeze` -----------------------------------------------------------


def read_init_state(source: str) -> tuple[dict[str, np.ndarray], str]:
    """The weights named by `--init`: a pretrained network's name or a run folder (its latest
    checkpoint). Returns (state dict, a description)."""
    from cnntui.explain import pretrained

    if pretrained.is_pretrained(source):
        spec = pretrained.get_spec(source)
        state, _meta = pretrained.read_npz(spec.path)
        return state, _("pretrained {name}").format(name=spec.name)
    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise UsageError(
            _(
                "{option} {source} is neither a pretrained network ({choices}) nor a run folder"
            ).format(option="--init", source=repr(source), choices=", ".join(pretrained.names()))
        )
    from cnntui.train.checkpoint import CheckpointError, load_checkpoint

    try:
        _model, state, _info = load_checkpoint(folder)
    except CheckpointError as exc:
        raise UsageError(
            _("{option} {source}: {problem}").format(option="--init", source=source, problem=exc)
        ) from None
    return state, _("run {name}").format(name=folder.name)


def init_from(model: Any, state: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """Copy every array of `state` whose name and shape match one of `model`'s (a new head of
    another size keeps its fresh weights). Returns (copied names, skipped names of `model`).
    UsageError when nothing matches (another architecture)."""
    own = model.state_dict()
    matching = {
        k: v for k, v in state.items() if k in own and tuple(np.shape(v)) == tuple(own[k].shape)
    }
    if not matching:
        raise UsageError(
            _(
                "{option}: none of its weights fit this model (another architecture?); "
                "the model has {names}"
            ).format(option="--init", names=", ".join(list(own)[:6]))
        )
    model.load_state_dict(matching, strict=False)
    return sorted(matching), sorted(k for k in own if k not in matching)


def trainable_layer_names(model: Any) -> list[str]:
    """Dotted names of the modules that own parameters directly (what `--freeze` accepts)."""
    return [name for name, m in model.named_modules() if name and m._parameters]


def freeze(model: Any, layers: list[str]) -> list[str]:
    """Stop gradient updates of the parameters of `layers` (dotted module names; a container
    freezes everything inside it). Returns the frozen parameter names."""
    modules = dict(model.named_modules())
    frozen: list[str] = []
    for layer in layers:
        name = layer.strip()
        if name not in modules or not name:
            valid = ", ".join(trainable_layer_names(model))
            raise UsageError(
                _("{option}: no layer called {name}; layers with weights: {valid}").format(
                    option="--freeze", name=repr(layer), valid=valid
                )
            )
        for pname, p in modules[name].named_parameters(name):
            p.requires_grad = False
            frozen.append(pname)
    if len(frozen) == sum(1 for _ in model.parameters()):
        raise UsageError(
            _("{option} would freeze every layer; leave at least one to train").format(
                option="--freeze"
            )
        )
    return frozen


def frozen_layers(model: Any) -> list[str]:
    """Names of the modules whose own parameters are all frozen."""
    return [
        name
        for name, m in model.named_modules()
        if name and m._parameters and not any(p.requires_grad for p in m._parameters.values())
    ]


def prepare_run_model(model: Any, init: str | None, freeze_list: str) -> str:
    """What `cnntui train --init/--freeze` does to a freshly built run model: copy the matching
    weights of `init`, freeze the comma-separated layers. Returns a note for the run's title,
    e.g. ` · init pretrained lenet5-digits-0-4 · frozen c1, c3`."""
    note = ""
    if init:
        state, description = read_init_state(init)
        _loaded, skipped = init_from(model, state)
        # the title is shown, not kept in a document: it speaks the run's language
        note += " · " + _("init {source}").format(source=description)
        if skipped:
            fresh = ", ".join(sorted({k.rsplit(".", 1)[0] for k in skipped}))
            note += " (" + _("fresh: {layers}").format(layers=fresh) + ")"
    if freeze_list:
        freeze(model, [part for part in freeze_list.split(",")])
        note += " · " + _("frozen {layers}").format(layers=", ".join(frozen_layers(model)))
    return note
