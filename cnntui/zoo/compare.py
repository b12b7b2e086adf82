"""Two models side by side: parameters, MACs, depth, memory, year and ILSVRC top-5 error."""

from __future__ import annotations

from dataclasses import dataclass

from cnntui.i18n import N_
from cnntui.text import format_count, format_si, human_bytes
from cnntui.zoo import ZooEntry
from cnntui.zoo.summary import ModelSummary, format_shape


@dataclass(frozen=True)
class CompareRow:
    """One line of the comparison: the quantity, both values as text, and B relative to A."""

    label: str
    a: str
    b: str
    ratio: str = ""


def _ratio(a: float, b: float) -> str:
    if not a or not b:
        return ""
    r = b / a
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def compare(
    a: ModelSummary,
    b: ModelSummary,
    entry_a: ZooEntry | None = None,
    entry_b: ZooEntry | None = None,
    ascii_only: bool = False,
) -> list[CompareRow]:
    """The comparison table; `ratio` is B / A for the quantities where that means something."""

    def fact(entry: ZooEntry | None, attr: str) -> str:
        value = getattr(entry, attr, None) if entry else None
        if value is None:
            return "-"
        return f"{value:g}%" if attr == "top5_error" else str(value)

    def share(s: ModelSummary, kind: str) -> str:
        return f"{s.share(kind) * 100:.1f}%"

    rows = [
        CompareRow(N_("year"), fact(entry_a, "year"), fact(entry_b, "year")),
        CompareRow(
            N_("ILSVRC top-5 error"), fact(entry_a, "top5_error"), fact(entry_b, "top5_error")
        ),
        CompareRow(
            N_("input"),
            format_shape(a.input_shape, ascii_only),
            format_shape(b.input_shape, ascii_only),
        ),
        CompareRow(
            N_("output"),
            format_shape(a.output_shape, ascii_only),
            format_shape(b.output_shape, ascii_only),
        ),
        CompareRow(
            N_("parameters"),
            format_count(a.total_params),
            format_count(b.total_params),
            _ratio(a.total_params, b.total_params),
        ),
        CompareRow(
            N_("trainable"), format_count(a.trainable_params), format_count(b.trainable_params)
        ),
        CompareRow(
            N_("MACs per image"),
            format_si(a.total_macs),
            format_si(b.total_macs),
            _ratio(a.total_macs, b.total_macs),
        ),
        CompareRow(
            N_("depth (weight layers)"),
            str(a.weight_depth),
            str(b.weight_depth),
            _ratio(a.weight_depth, b.weight_depth),
        ),
        CompareRow(N_("conv + FC layers"), str(a.weight_layers), str(b.weight_layers)),
        CompareRow(N_("conv share of params"), share(a, "conv"), share(b, "conv")),
        CompareRow(N_("FC share of params"), share(a, "fc"), share(b, "fc")),
        CompareRow(N_("parameter memory"), human_bytes(a.param_bytes), human_bytes(b.param_bytes)),
        CompareRow(
            N_("activations (fwd+bwd, 1)"),
            human_bytes(a.activation_bytes(1)),
            human_bytes(b.activation_bytes(1)),
            _ratio(a.activation_bytes(1), b.activation_bytes(1)),
        ),
        CompareRow(N_("receptive field"), f"{a.receptive_field[0]}", f"{b.receptive_field[0]}"),
    ]
    return rows
