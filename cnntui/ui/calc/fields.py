"""The Calculator's form fields: their steps (left/right) and the conversion between the form's
text values and a layer (`LayerSpec` and its input shape)."""

from __future__ import annotations

from cnntui.calc.layer import FeatureShape, LayerSpec
from cnntui.errors import ShapeError
from cnntui.i18n import N_, _
from cnntui.ui.shared.form import Field

KINDS = ("conv", "maxpool", "avgpool", "transposed", "linear")
PADDING_WORDS = ("same", "valid", "full")


def _step_pair(value: str, direction: int, minimum: int = 1) -> str:
    parts = value.lower().replace("×", "x").split("x")
    if not all(p.strip().isdigit() for p in parts):
        return str(minimum)
    numbers = [max(minimum, int(p) + direction) for p in parts]
    return "x".join(str(n) for n in numbers)


def _step_shape(value: str, direction: int) -> str:
    try:
        shape = FeatureShape.parse(value)
    except ShapeError:
        return "32x32x3"
    return f"{max(1, shape.height + direction)}x{max(1, shape.width + direction)}x{shape.channels}"


def _step_padding(value: str, direction: int) -> str:
    word = value.strip().lower()
    if word in PADDING_WORDS:
        return "0"
    return _step_pair(word, direction, 0)


def _step_int(value: str, direction: int, minimum: int = 1) -> str:
    return str(max(minimum, int(value) + direction)) if value.strip().isdigit() else str(minimum)


def form_fields() -> list[Field]:
    return [
        Field("kind", N_("kind"), "conv", choices=KINDS),
        Field("input", N_("input"), "227x227x3", step=_step_shape),
        Field("kernel", N_("kernel"), "11", step=_step_pair),
        Field("stride", N_("stride"), "4", step=_step_pair),
        Field("padding", N_("padding"), "0", step=_step_padding),
        Field("dilation", N_("dilation"), "1", step=_step_pair),
        Field("groups", N_("groups"), "1", step=_step_int),
        Field("filters", N_("filters"), "96", step=_step_int),
        Field("output_padding", N_("output pad"), "0", step=lambda v, d: _step_pair(v, d, 0)),
        Field("bias", N_("bias"), "on", choices=("on", "off")),
        Field("ceil_mode", N_("ceil mode"), "off", choices=("off", "on")),
    ]


def spec_from_values(values: dict[str, str]) -> tuple[LayerSpec, FeatureShape]:
    """The layer and input the form describes; raises `ShapeError` naming the field at fault."""
    shape = FeatureShape.parse(values["input"])
    kind = values["kind"]
    padding: object = values["padding"].strip().lower()
    if padding not in PADDING_WORDS:
        padding = _pair(str(padding), "padding", 0)
    filters = values["filters"].strip()
    if not filters.isdigit() or int(filters) < 1:
        raise ShapeError(f"filters must be a whole number, 1 or more, got {filters!r}")
    groups = values["groups"].strip()
    if not groups.isdigit() or int(groups) < 1:
        raise ShapeError(f"groups must be a whole number, 1 or more, got {groups!r}")
    pool = kind in ("maxpool", "avgpool")
    spec = LayerSpec.make(
        kind=kind,
        kernel=_pair(values["kernel"], "kernel"),
        stride=_pair(values["stride"], "stride"),
        padding=padding,  # type: ignore[arg-type]
        dilation=_pair(values["dilation"], "dilation"),
        groups=1 if pool else int(groups),
        filters=int(filters),
        bias=values["bias"] == "on",
        output_padding=_pair(values["output_padding"], "output padding", 0)
        if kind == "transposed"
        else 0,
        ceil_mode=pool and values.get("ceil_mode") == "on",
    )
    return spec, shape


def _pair(text: str, name: str, minimum: int = 1) -> tuple[int, int]:
    parts = text.strip().lower().replace("×", "x").split("x")
    if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
        raise ShapeError(f"{name} must be a whole number or HxW (like 3 or 3x5), got {text!r}")
    numbers = [int(p) for p in parts]
    if min(numbers) < minimum:
        raise ShapeError(f"{name} must be {minimum} or more, got {text!r}")
    return (numbers[0], numbers[-1])


def values_from_spec(spec: LayerSpec) -> dict[str, str]:
    """Form values for a layer (the inverse of `spec_from_values`, without the input)."""

    def pair(p: tuple[int, int]) -> str:
        return str(p[0]) if p[0] == p[1] else f"{p[0]}x{p[1]}"

    padding = spec.padding if isinstance(spec.padding, str) else pair(spec.padding)  # type: ignore[arg-type]
    return {
        "kind": spec.kind,
        "kernel": pair(spec.kernel),
        "stride": pair(spec.stride),
        "padding": padding,
        "dilation": pair(spec.dilation),
        "groups": str(spec.groups),
        "filters": str(spec.filters),
        "output_padding": pair(spec.output_padding),
        "bias": "on" if spec.bias else "off",
        "ceil_mode": "on" if spec.ceil_mode else "off",
    }


def hint_text(ascii_mode: bool, chain_view: bool) -> str:
    """The keys under the form, in the current language.

    One key per line: the form is 22 columns wide, and a wrapped line splits a key from what it
    does ("⏎" at the end of one line, "type" on the next).
    """
    keys = (
        _("up/down field\nleft/right set\nEnter type")
        if ascii_mode
        else _("↑↓ field  ←→ set\n⏎ type")
    )
    if chain_view:
        keys += "\n" + _("Tab: layer list\n(a add, x delete,\n[ ] move)")
    return keys
