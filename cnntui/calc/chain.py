"""A stack of layers evaluated one after another: shapes, receptive field and effective stride.

Each layer goes through `cnntui.calc.layer.analyze_layer`; the chain adds what only a stack has,
the receptive field on the chain's input and the effective stride (jump), both exact fractions so
that transposed layers, which divide the jump, stay exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from cnntui.calc.layer import FeatureShape, LayerReport, LayerSpec, Pair, analyze_layer
from cnntui.engine.outsize import effective_kernel
from cnntui.errors import ShapeError
from cnntui.i18n import _


@dataclass(frozen=True)
class ChainRow:
    """One layer of a chain with the receptive field and effective stride after it."""

    report: LayerReport
    field: tuple[Fraction, Fraction]
    """Input pixels (height, width) one output of this layer sees on the chain's input."""
    jump: tuple[Fraction, Fraction]
    """Effective stride: input pixels between neighbouring outputs (a fraction after upsampling)."""


@dataclass(frozen=True)
class ChainReport:
    """A stack of layers evaluated on one input; `error` explains the first layer that fails."""

    input: FeatureShape
    rows: tuple[ChainRow, ...]
    error: str | None = None
    error_index: int | None = None

    @property
    def params(self) -> int:
        return sum(row.report.params for row in self.rows)

    @property
    def macs(self) -> int:
        return sum(row.report.macs for row in self.rows)

    @property
    def output(self) -> FeatureShape:
        return self.rows[-1].report.output if self.rows else self.input

    def as_dict(self) -> dict[str, object]:
        return {
            "input": self.input.as_dict(),
            "layers": [
                {
                    "layer": row.report.spec.describe(),
                    "output": row.report.output.as_dict(),
                    "params": row.report.params,
                    "macs": row.report.macs,
                    "receptive_field": {"height": _num(row.field[0]), "width": _num(row.field[1])},
                    "effective_stride": {"height": _num(row.jump[0]), "width": _num(row.jump[1])},
                }
                for row in self.rows
            ],
            "output": self.output.as_dict(),
            "params": self.params,
            "macs": self.macs,
            "error": self.error,
        }


def _num(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def analyze_chain(layers: Sequence[LayerSpec], shape: FeatureShape) -> ChainReport:
    """Run the layers one after another; stops at the first layer whose settings cannot work.

    The receptive field grows by ``(k̂ − 1)·jump`` at each layer and the jump (effective stride)
    multiplies by the stride; a transposed convolution divides the jump instead.
    """
    rows: list[ChainRow] = []
    field_size = (Fraction(1), Fraction(1))
    jump = (Fraction(1), Fraction(1))
    current = shape
    for index, spec in enumerate(layers):
        try:
            report = analyze_layer(spec, current)
        except ShapeError as error:
            return ChainReport(
                shape,
                tuple(rows),
                _("layer {number} ({layer}): {error}").format(
                    number=index + 1, layer=spec.describe(), error=error
                ),
                index,
            )
        if spec.kind == "linear":
            field_size = (Fraction(shape.height), Fraction(shape.width))
            jump = (Fraction(0), Fraction(0))
        else:
            # A transposed layer's own field is already ⌈k̂/s⌉ of its inputs; it shrinks the jump.
            field_size = tuple(
                field_size[a] + (report.receptive_field[a] - 1) * jump[a] for a in range(2)
            )  # type: ignore[assignment]
            if spec.kind == "transposed":
                jump = tuple(jump[a] / spec.stride[a] for a in range(2))  # type: ignore[assignment]
            else:
                jump = tuple(jump[a] * spec.stride[a] for a in range(2))  # type: ignore[assignment]
        rows.append(ChainRow(report, (field_size[0], field_size[1]), (jump[0], jump[1])))
        current = report.output
    return ChainReport(shape, tuple(rows))


def receptive_field_of(layers: Sequence[LayerSpec]) -> Pair:
    """Receptive field (height, width) of one output of a stack of conv/pool layers."""
    size = [1, 1]
    jump = [1, 1]
    for spec in layers:
        for a in range(2):
            size[a] += (effective_kernel(spec.kernel[a], spec.dilation[a]) - 1) * jump[a]
            jump[a] *= spec.stride[a]
    return (size[0], size[1])
