"""The state of the Explain view, pure: a network, an input, its forward trace and the selected
unit, with the moves the keys and the mouse make. The UI only draws what this computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnntui.explain.imported import ImportedNetwork
from cnntui.explain.network import (
    ForwardTrace,
    Softmax,
    UnitDetail,
    forward_trace,
    softmax,
    unit_detail,
)
from cnntui.explain.pretrained import Pretrained

ExplainNetwork = Pretrained | ImportedNetwork
"""What the Explain view shows: a shipped network or one read from an ONNX file."""


@dataclass
class Selection:
    """The selected unit: layer index in the trace, channel, and position (row, col) in its map.
    Vector layers use `channel` as the index and row = col = 0."""

    layer: int = 0
    channel: int = 0
    row: int = 0
    col: int = 0


def _fmt(value: float) -> str:
    """A number for a Conv Lab link: 4 significant digits, no exponent for these magnitudes."""
    text = f"{value:.4g}"
    return "0" if text in ("-0", "0") else text


class ExplainSession:
    """One network and one input; `select_*` and `move_unit` keep the selection in range."""

    def __init__(self, net: ExplainNetwork) -> None:
        self.net = net
        self.pixels = np.zeros(net.input_shape, dtype=np.float32)
        self.source = "blank"
        self.selection = Selection()
        self.trace: ForwardTrace = forward_trace(net.module, net.normalize(self.pixels))

    # -- input ---------------------------------------------------------------------------------

    def compute(self, pixels: np.ndarray) -> ForwardTrace:
        """The trace of a prepared picture, without changing the session (for a worker thread)."""
        return forward_trace(self.net.module, self.net.normalize(pixels))

    def apply(self, pixels: np.ndarray, source: str, trace: ForwardTrace) -> None:
        """Show a picture whose trace `compute` made."""
        self.pixels = np.asarray(pixels, dtype=np.float32)
        self.source = source
        self.trace = trace
        self._clamp()

    def set_input(self, pixels: np.ndarray, source: str) -> None:
        """A prepared picture `(C, H, W)` in [0, 1] at the network's input size."""
        self.apply(pixels, source, self.compute(pixels))

    @property
    def image(self) -> np.ndarray:
        """The normalised input the network sees."""
        return self.trace.image

    def probabilities(self) -> Softmax:
        return softmax(self.trace.logits)

    # -- selection -----------------------------------------------------------------------------

    def shape_of(self, layer: int) -> tuple[int, ...]:
        return tuple(self.trace.outputs[layer].shape)

    def channels(self, layer: int) -> int:
        return int(self.shape_of(layer)[0])

    def select_layer(self, delta: int) -> None:
        self.selection.layer = (self.selection.layer + delta) % len(self.trace.outputs)
        self._clamp()

    def select_channel(self, delta: int) -> None:
        count = self.channels(self.selection.layer)
        self.selection.channel = (self.selection.channel + delta) % count
        self._clamp()

    def move_unit(self, d_row: int, d_col: int) -> None:
        shape = self.shape_of(self.selection.layer)
        if len(shape) != 3:
            self.select_channel(d_row + d_col)
            return
        self.selection.row = min(max(self.selection.row + d_row, 0), shape[1] - 1)
        self.selection.col = min(max(self.selection.col + d_col, 0), shape[2] - 1)

    def select(self, layer: int, channel: int, row: int = 0, col: int = 0) -> None:
        self.selection = Selection(layer, channel, row, col)
        self._clamp()

    def _clamp(self) -> None:
        s = self.selection
        s.layer = min(max(s.layer, 0), len(self.trace.outputs) - 1)
        shape = self.shape_of(s.layer)
        s.channel = min(max(s.channel, 0), shape[0] - 1)
        if len(shape) == 3:
            s.row = min(max(s.row, 0), shape[1] - 1)
            s.col = min(max(s.col, 0), shape[2] - 1)
        else:
            s.row = s.col = 0

    def position(self) -> tuple[int, ...]:
        s = self.selection
        if len(self.shape_of(s.layer)) == 3:
            return (s.channel, s.row, s.col)
        return (s.channel,)

    def detail(self) -> UnitDetail:
        return unit_detail(self.trace, self.selection.layer, self.position())

    def layer_by_name(self, name: str) -> int:
        return self.trace.index(name)

    # -- the Conv Lab --------------------------------------------------------------------------

    def conv_lab_params(self) -> dict[str, str] | None:
        """A `cnntui:conv?...` preset that replays the selected convolution unit in the Conv Lab:
        its input patch (every input channel, padding included) and its kernel, bias and the
        ReLU after it. None when the selected unit is not a convolution's."""
        detail = self.detail()
        if detail.kind != "conv" or detail.patch is None or detail.kernel is None:
            return None

        def rows(values: np.ndarray) -> str:
            return "|".join(
                ";".join(",".join(_fmt(float(v)) for v in row) for row in channel)
                for channel in values
            )

        return {
            "pixels": rows(detail.patch),
            "kernel": rows(detail.kernel),
            "bias": _fmt(detail.bias),
            "relu": "on" if detail.followed_by_relu else "off",
        }
