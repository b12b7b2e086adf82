"""Which network a run trains, built for the data set's image size and class count.

Names are zoo names (`cnntui models` lists them). `lenet5` picks the LeNet-5 variant that fits
the input: the classic one for 32×32, the padded one (`lenet5-28`) for 28×28, the small one
(`lenet5-8`) for 8×8. Models whose head needs one exact size (LeNet-5, TinyVGG) get the data
resized to it; the ResNets take any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnntui.engine.module import Module
from cnntui.errors import ShapeError, UsageError
from cnntui.i18n import _

LENET_BY_SIZE = {32: "lenet5", 28: "lenet5-28", 8: "lenet5-8"}

DEFAULT_INPUT_SIZE = {
    # (model, data set) pairs whose default size is chosen for speed and accuracy together.
    ("lenet5", "digits"): 28,
}


RECOMMENDED_LR = {"tinyvgg": 0.01, "tinyvgg-bn": 0.01, "lenet5-1998": 0.01}
"""Starting learning rates (SGD with momentum) for nets that diverge at the default 0.05:
TinyVGG and the 1998 LeNet have no normalisation and large fan-ins."""


def recommended_lr(model: str, default: float = 0.05) -> float:
    """The learning rate a new run of `model` starts with unless the user gives one."""
    return RECOMMENDED_LR.get(model.lower(), default)


@dataclass
class BuiltModel:
    module: Module
    name: str
    """The zoo entry actually built (e.g. `lenet5-28` for `lenet5` on 28×28 input)."""
    title: str
    input_shape: tuple[int, int, int]


SPEC_COPY = "model.toml"
"""A spec-file model is copied into its run folder under this name, so resuming never depends
on the original file."""


def is_spec(model: str) -> bool:
    """True when `model` names a TOML network spec file rather than a zoo model."""
    from cnntui.zoo.resolve import looks_like_spec

    return looks_like_spec(model)


def _load_spec(model: str, spec_text: str | None = None) -> object:
    from cnntui.zoo.spec import SpecError, load_spec_file, load_spec_text

    try:
        return load_spec_text(spec_text) if spec_text is not None else load_spec_file(model)
    except SpecError as exc:
        raise UsageError(" ".join(str(exc).split())) from None


def default_input_size(
    model: str, dataset: str, native: tuple[int, int, int], spec_text: str | None = None
) -> int | None:
    """The square size the data should be resized to for this model, or None for native size.

    A model that takes the native size keeps it; one that cannot (a fixed-size head, like
    TinyVGG's) gets its usual input size from the zoo.
    """
    if is_spec(model):
        shape = tuple(_load_spec(model, spec_text).input_shape)  # type: ignore[attr-defined]
        if len(shape) == 3 and shape[1] == shape[2] and shape[1:] != native[1:]:
            return int(shape[1])
        return None
    key = (model.lower(), dataset)
    if key in DEFAULT_INPUT_SIZE:
        return DEFAULT_INPUT_SIZE[key]
    if model.lower() == "lenet5":
        return None if native[1] in LENET_BY_SIZE and native[1] == native[2] else 32
    from cnntui import zoo

    entry = zoo.get(model)
    try:
        _build(entry, native).output_shape(native)
        return None
    except (ShapeError, UsageError):
        return entry.input_shape[1]


def _build(
    entry: object, input_shape: tuple[int, int, int], num_classes: int | None = None
) -> Module:
    options: dict[str, int] = {}
    if num_classes is not None and "num_classes" in entry.options:  # type: ignore[attr-defined]
        options["num_classes"] = num_classes
    if "in_channels" in entry.options:  # type: ignore[attr-defined]
        options["in_channels"] = input_shape[0]
    return entry.build(**options)  # type: ignore[attr-defined]


class Negate(Module):
    """`-x`: turns a "lowest wins" output (LeNet-5 1998's RBF distances) into logits for the
    softmax cross-entropy; with it the loss is close to the paper's own (LeCun et al., §II-C)."""

    def forward(self, x: object) -> object:
        return -x  # type: ignore[operator]

    def backward(self, grad_out: object) -> object:
        return -grad_out  # type: ignore[operator]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(input_shape)


def build_model(
    model: str, input_shape: tuple[int, int, int], num_classes: int, spec_text: str | None = None
) -> BuiltModel:
    """The module for `input_shape` `(C, H, W)` and `num_classes` outputs; UsageError if it cannot fit.

    `model` is a zoo name or a spec file (whose text may be given as `spec_text`).
    """
    from cnntui import zoo

    if is_spec(model):
        built: Any = _load_spec(model, spec_text)
        if tuple(built.input_shape) != tuple(input_shape):
            raise UsageError(
                _(
                    "the spec {name} takes {value} input but the data set gives {value2}; change its input or use --input-size"
                ).format(
                    name=Path(model).name,
                    value=_fmt(tuple(built.input_shape)),
                    value2=_fmt(input_shape),
                )
            )
        if tuple(built.output_shape) != (num_classes,):
            raise UsageError(
                _(
                    "the spec {name} ends in {value} outputs but the data set has {num_classes} classes"
                ).format(
                    name=Path(model).name,
                    value=_fmt(tuple(built.output_shape)),
                    num_classes=num_classes,
                )
            )
        return BuiltModel(
            built.module,
            built.spec.name,
            f"spec {Path(model).name}",
            tuple(input_shape),  # type: ignore[arg-type]
        )

    name = model.lower()
    if name == "lenet5" and input_shape[1] == input_shape[2] and input_shape[1] in LENET_BY_SIZE:
        name = LENET_BY_SIZE[input_shape[1]]
    entry = zoo.get(name)
    module = _build(entry, input_shape, num_classes)
    last = list(module.children())[-1] if list(module.children()) else None
    if type(last).__name__ == "RBFOutput":
        from cnntui.engine import nn

        module = nn.Sequential(net=module, logits=Negate())
    try:
        out = module.output_shape(input_shape)
    except ShapeError as exc:
        raise UsageError(
            _(
                "{name} cannot take {value} input ({exc}); its usual input is {value2}, try --input-size {value3}"
            ).format(
                name=entry.name,
                value=_fmt(input_shape),
                exc=exc,
                value2=_fmt(entry.input_shape),
                value3=entry.input_shape[1],
            )
        ) from None
    if tuple(out) != (num_classes,):
        raise UsageError(
            _("{name} gives {value} outputs but the data set has {num_classes} classes").format(
                name=entry.name, value=_fmt(tuple(out)), num_classes=num_classes
            )
        )
    return BuiltModel(module, entry.name, entry.title, tuple(input_shape))  # type: ignore[arg-type]


def _fmt(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)
