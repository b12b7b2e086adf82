"""Validator for `cnntui:calc?...` lesson links into the Calculator (pure: no Textual).

Accepted keys, all optional:

* `chain`: a chain preset (`lenet5`, `alexnet`, `vgg-block`, `two-3x3`, `one-5x5`, `5x5-direct`,
  `5x5-bottleneck`); with it only `input` may be given too (it replaces the preset's input);
* `kind`: `conv` (default), `maxpool`, `avgpool` or `transposed`;
* `input`: the input shape `HxWxC`, e.g. `227x227x3` (default `32x32x3`);
* `kernel`, `stride`, `dilation`: a number or `HxW`;
* `padding`: a number, `HxW`, or `same`, `valid`, `full`;
* `groups`, `filters`: whole numbers.

The layer must work on the input, so `cnntui lessons --check` catches a link whose numbers do not
fit. Example: `cnntui:calc?input=227x227x3&kernel=11&stride=4&filters=96`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnntui.i18n import _

KEYS = ("chain", "kind", "input", "kernel", "stride", "padding", "dilation", "groups", "filters")
KINDS = ("conv", "maxpool", "avgpool", "transposed")
DEFAULT_INPUT = "32x32x3"


@dataclass(frozen=True)
class CalcPreset:
    """A validated calculator preset: either a chain name or one layer's settings (as text)."""

    chain: str = ""
    kind: str = "conv"
    input: str = DEFAULT_INPUT
    kernel: str = "3"
    stride: str = ""
    """Empty: 1, or the kernel size for pooling."""
    padding: str = "0"
    dilation: str = "1"
    groups: int = 1
    filters: int = 0
    """0: as many as the input channels."""


def parse(params: dict[str, str]) -> tuple[CalcPreset, list[str]]:
    """The preset with defaults filled in, and the problems found (empty when valid)."""
    from cnntui.calc.chain import analyze_chain
    from cnntui.calc.chain_presets import CHAIN_PRESETS
    from cnntui.calc.layer import FeatureShape, analyze_layer
    from cnntui.errors import ShapeError

    problems: list[str] = []
    for key in params:
        if key not in KEYS:
            problems.append(f"calc: unknown key {key!r}; valid keys are {', '.join(KEYS)}")
    if "chain" in params:
        chain = params["chain"]
        extra = [key for key in params if key not in ("chain", "input")]
        if extra:
            problems.append(
                f"calc: with chain, only input may be given too, not {', '.join(extra)}"
            )
        if chain not in CHAIN_PRESETS:
            problems.append(f"calc: chain={chain!r} is not one of {', '.join(CHAIN_PRESETS)}")
            return CalcPreset(chain=chain), problems
        preset_input = params.get("input", CHAIN_PRESETS[chain].input.text().replace("×", "x"))
        preset = CalcPreset(chain=chain, input=preset_input)
        if not problems:
            try:
                report = analyze_chain(
                    CHAIN_PRESETS[chain].layers,
                    FeatureShape.parse(preset_input),
                )
                if report.error:
                    problems.append(f"calc: chain {chain} on {preset_input}: {report.error}")
            except ShapeError as error:
                problems.append(f"calc: input: {error}")
        return preset, problems
    kind = params.get("kind", "conv")
    if kind not in KINDS:
        problems.append(f"calc: kind={kind!r} is not one of {', '.join(KINDS)}")
        kind = "conv"
    whole: dict[str, int] = {}
    for key in ("groups", "filters"):
        if key in params:
            if params[key].isdigit() and int(params[key]) >= 1:
                whole[key] = int(params[key])
            else:
                problems.append(f"calc: {key}={params[key]!r} must be a whole number, 1 or more")
    preset = CalcPreset(
        kind=kind,
        input=params.get("input", DEFAULT_INPUT),
        kernel=params.get("kernel", "2" if kind in ("maxpool", "avgpool") else "3"),
        stride=params.get("stride", ""),
        padding=params.get("padding", "0"),
        dilation=params.get("dilation", "1"),
        groups=whole.get("groups", 1),
        filters=whole.get("filters", 0),
    )
    if not problems:
        try:
            analyze_layer(*layer_of(preset))
        except ShapeError as error:
            problems.append(f"calc: {error}")
    return preset, problems


def layer_of(preset: CalcPreset):  # type: ignore[no-untyped-def]
    """``(LayerSpec, FeatureShape)`` for a one-layer preset; raises `ShapeError` with the reason."""
    from cnntui.calc.layer import FeatureShape, LayerSpec
    from cnntui.errors import ShapeError

    shape = FeatureShape.parse(preset.input)
    padding: object = preset.padding.strip().lower()
    if padding not in ("same", "valid", "full"):
        padding = _pair(str(padding), "padding")
    pool = preset.kind in ("maxpool", "avgpool")
    if pool and (preset.groups != 1 or preset.filters):
        raise ShapeError(_("pooling keeps the channels: groups and filters do not apply"))
    spec = LayerSpec.make(
        kind=preset.kind,
        kernel=_pair(preset.kernel, "kernel"),
        stride=_pair(preset.stride, "stride") if preset.stride else None,
        padding=padding,  # type: ignore[arg-type]
        dilation=_pair(preset.dilation, "dilation"),
        groups=preset.groups,
        filters=preset.filters or shape.channels,
    )
    return spec, shape


def _pair(text: str, name: str) -> tuple[int, int]:
    from cnntui.errors import ShapeError

    parts = text.strip().lower().replace("×", "x").split("x")
    if not all(part.isdigit() for part in parts) or len(parts) not in (1, 2):
        raise ShapeError(
            _("{name} must be a whole number or HxW, got {text!r}").format(name=name, text=text)
        )
    numbers = [int(part) for part in parts]
    return (numbers[0], numbers[-1])


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    return parse(params)[1]
