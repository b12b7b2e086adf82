"""Stepping a kernel across an image, one output position at a time.

A `Stepper` lays out the grid the window slides over — the input with its padding visible, or for
a transposed convolution the input with ``stride − 1`` zeros inserted between pixels plus the
border that makes it an ordinary stride-1 convolution — and `state(i)` gives a plain `StepState`
for output position ``i`` (row-major): the window's rows and columns on the grid, its values, the
kernel, the element-wise products, the sum written out with the bias, and the output so far.
Every value is computed here from the window and the kernel; `Stepper.output()` does the whole
map at once, and `engine_output()` asks `cnntui.engine.functional` for the same map (tests check
that all three agree, and agree with PyTorch).

Modes:

* ``conv``: ``out[i, j] = act(Σ_c Σ_{u,v} grid[c, i·s + u·d, j·s + v·d] · w[c, u, v] + bias)``;
  padding ``zero`` or ``replicate`` (PyTorch's ``padding_mode='zeros'``/``'replicate'``);
* ``pool``: max or average over each window of one channel (max pooling pads with −∞ as PyTorch
  does; average pooling counts the zero padding, PyTorch's ``count_include_pad=True``);
* ``transposed``: PyTorch's ``conv_transpose2d`` with one output channel, shown as the equivalent
  stride-1 convolution of the flipped kernel over the stretched, padded input (Dumoulin & Visin,
  "A guide to convolution arithmetic", relation 14; ``output_padding`` adds rows/columns at the
  bottom/right of that grid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from cnntui.calc.layer import Pair, conv_output_size, transposed_output_size
from cnntui.errors import ShapeError
from cnntui.i18n import _
from cnntui.text import human_bytes, number_text

MODES = ("conv", "pool", "transposed")
PADDING_MODES = ("zero", "replicate")
POOL_KINDS = ("max", "avg")

MAX_GRID_VALUES = 2**22
"""The most grid cells (channels × rows × columns) a stepper lays out: 4,194,304, 36 MiB."""
GRID_BYTES_PER_VALUE = 9  # a float64 value and an int8 cell kind

CELL_INPUT = 0
"""Grid cell holding an input pixel."""
CELL_PADDING = 1
"""Grid cell added by padding (zero, replicated edge, or −∞ for max pooling)."""
CELL_INSERTED = 2
"""Zero inserted between input pixels by a transposed convolution's stride."""


@dataclass(frozen=True)
class StepSettings:
    """Everything about the operation except the image and the kernel."""

    mode: str = "conv"
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    padding_mode: str = "zero"
    dilation: Pair = (1, 1)
    bias: float = 0.0
    relu: bool = False
    pool_kind: str = "max"
    pool_size: Pair = (2, 2)
    output_padding: Pair = (0, 0)


@dataclass(frozen=True)
class StepState:
    """One output position: what the window sees and how the output value comes out.

    `window`, `kernel` and `products` are ``(C, kh, kw)``; for pooling `kernel` and `products`
    are None and C is 1. `rows`/`cols` are the grid rows/columns under the kernel taps.
    """

    index: int
    total: int
    out_row: int
    out_col: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    window: np.ndarray
    kernel: np.ndarray | None
    products: np.ndarray | None
    channel_sums: tuple[float, ...]
    bias: float
    pre_activation: float
    """Sum of products plus bias (conv), or the pooled value."""
    value: float
    """The output value written at (out_row, out_col): after ReLU when it is on."""
    chosen: tuple[int, int] | None
    """Max pooling: (row, column) inside the window of the maximum (the first one, as PyTorch)."""
    output: np.ndarray = field(repr=False)
    """``(H_out, W_out)`` with the values up to and including this position, NaN after it."""
    relu: bool = False
    pool_kind: str | None = None


class Stepper:
    """The stepping view of one convolution, pooling or transposed convolution.

    Args:
        image: ``(C, H, W)`` (or ``(H, W)``) input values.
        kernel: ``(C, kh, kw)`` weights for conv and transposed modes (one output channel); None
            for pooling.
        settings: stride, padding, dilation, bias, ReLU, and the pooling or transposed options.

    Raises `ShapeError` with the reason in words when the settings cannot work on this input.
    """

    def __init__(
        self, image: np.ndarray, kernel: np.ndarray | None, settings: StepSettings
    ) -> None:
        if settings.mode not in MODES:
            raise ShapeError(
                _("unknown mode {mode!r}; use one of {choices}").format(
                    mode=settings.mode, choices=", ".join(MODES)
                )
            )
        source = np.asarray(image, dtype=np.float64)
        if source.ndim == 2:
            source = source[None]
        if source.ndim != 3 or 0 in source.shape:
            raise ShapeError(
                _("the image must be (C, H, W), got shape {shape}").format(shape=source.shape)
            )
        self.settings = settings
        self.source = source
        if settings.mode == "pool":
            if settings.pool_kind not in POOL_KINDS:
                raise ShapeError(
                    _("unknown pooling {pool_kind!r}; use max or avg").format(
                        pool_kind=settings.pool_kind
                    )
                )
            if source.shape[0] != 1:
                raise ShapeError(_("pooling steps one channel at a time; pass a (1, H, W) image"))
            self.kernel = None
            self.kernel_size = settings.pool_size
        else:
            if kernel is None:
                raise ShapeError(_("convolution needs a kernel"))
            weights = np.asarray(kernel, dtype=np.float64)
            if weights.ndim == 2:
                weights = weights[None]
            if weights.shape[0] != source.shape[0]:
                raise ShapeError(
                    _(
                        "the kernel has {value} channel(s) but the image has {value2}; a filter needs one slice per input channel"
                    ).format(value=weights.shape[0], value2=source.shape[0])
                )
            self.kernel = weights
            self.kernel_size = (int(weights.shape[1]), int(weights.shape[2]))
        if settings.padding_mode not in PADDING_MODES:
            raise ShapeError(
                _("unknown padding mode {padding_mode!r}; use zero or replicate").format(
                    padding_mode=settings.padding_mode
                )
            )
        for name, pair in (("stride", settings.stride), ("dilation", settings.dilation)):
            if min(pair) < 1:
                raise ShapeError(
                    _("{name} must be 1 or more, got {pair}").format(name=name, pair=pair)
                )
        if min(settings.padding) < 0:
            raise ShapeError(
                _("padding must be 0 or more, got {padding}").format(padding=settings.padding)
            )
        self.grid, self.cell_kind, self.tap_kernel, self.window_stride = self._layout()
        self.output_shape = self._output_shape()

    # -- layout -----------------------------------------------------------------------------------

    def _check_grid_size(self) -> None:
        """Refuse, before allocating, a grid too large to step over (a huge padding or stride)."""
        s = self.settings
        channels, height, width = self.source.shape
        if s.mode == "transposed":
            extents = []
            for a, size in enumerate((height, width)):
                stretched = (size - 1) * s.stride[a] + 1
                border = s.dilation[a] * (self.kernel_size[a] - 1) - s.padding[a]
                extents.append(max(stretched, stretched + 2 * border + s.output_padding[a]))
            rows, cols = extents
        else:
            rows, cols = height + 2 * s.padding[0], width + 2 * s.padding[1]
        values = channels * rows * cols
        if values > MAX_GRID_VALUES:
            settings = _("stride {stride}, padding {padding}").format(
                stride=_pair_text(s.stride), padding=_pair_text(s.padding)
            )
            raise ShapeError(
                _(
                    "{settings} would need a {rows:,}×{cols:,} grid{channels} ({values:,} values, {size}); the Conv Lab steps over at most {max_grid_values:,} values ({max_size})"
                ).format(
                    settings=settings,
                    rows=rows,
                    cols=cols,
                    channels=_(" × {count} channels").format(count=channels)
                    if channels > 1
                    else "",
                    values=values,
                    size=human_bytes(values * GRID_BYTES_PER_VALUE),
                    max_grid_values=MAX_GRID_VALUES,
                    max_size=human_bytes(MAX_GRID_VALUES * GRID_BYTES_PER_VALUE),
                )
            )

    def _layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Pair]:
        s = self.settings
        channels, height, width = self.source.shape
        if s.mode == "transposed":
            return self._transposed_layout()
        (pt, pb), (pl, pr) = (s.padding[0], s.padding[0]), (s.padding[1], s.padding[1])
        if s.mode == "pool":
            limit = (self.kernel_size[0] // 2, self.kernel_size[1] // 2)
            if s.padding[0] > limit[0] or s.padding[1] > limit[1]:
                raise ShapeError(
                    _(
                        "pooling padding {value} is more than half the {value2}×{value3} window; use at most {value4}"
                    ).format(
                        value=max(s.padding),
                        value2=self.kernel_size[0],
                        value3=self.kernel_size[1],
                        value4=min(limit),
                    )
                )
        self._check_grid_size()
        pads = ((0, 0), (pt, pb), (pl, pr))
        if s.mode == "pool" and s.pool_kind == "max":
            grid = np.pad(self.source, pads, constant_values=-np.inf)
        elif s.padding_mode == "replicate" and s.mode == "conv":
            grid = np.pad(self.source, pads, mode="edge")
        else:
            grid = np.pad(self.source, pads)
        kind = np.full(grid.shape[1:], CELL_PADDING, dtype=np.int8)
        kind[pt : pt + height, pl : pl + width] = CELL_INPUT
        return grid, kind, self.kernel, s.stride

    def _transposed_layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Pair]:
        s = self.settings
        if s.padding_mode != "zero":
            raise ShapeError(_("transposed convolution pads with zeros only (as in PyTorch)"))
        channels, height, width = self.source.shape
        sh, sw = s.stride
        # Checks the sizes (and output_padding < stride or dilation) with the words users see.
        for a, size in enumerate((height, width)):
            transposed_output_size(
                size,
                self.kernel_size[a],
                s.stride[a],
                s.padding[a],
                s.dilation[a],
                s.output_padding[a],
            )
        self._check_grid_size()
        stretched = np.zeros((channels, (height - 1) * sh + 1, (width - 1) * sw + 1))
        stretched[:, ::sh, ::sw] = self.source
        kind = np.full(stretched.shape[1:], CELL_INSERTED, dtype=np.int8)
        kind[::sh, ::sw] = CELL_INPUT
        # Border of d·(k − 1) − p zeros (negative: crop), plus output_padding at the bottom/right.
        border = [s.dilation[a] * (self.kernel_size[a] - 1) - s.padding[a] for a in range(2)]
        grid, kind = stretched, kind
        for a in range(2):
            before, after = border[a], border[a] + s.output_padding[a]
            grid, kind = _pad_or_crop(grid, kind, a + 1, before, after)
        assert self.kernel is not None
        flipped = self.kernel[:, ::-1, ::-1].copy()
        return grid, kind, flipped, (1, 1)

    def _output_shape(self) -> tuple[int, int]:
        s = self.settings
        height, width = self.source.shape[1:]
        if s.mode == "transposed":
            return (
                transposed_output_size(
                    height,
                    self.kernel_size[0],
                    s.stride[0],
                    s.padding[0],
                    s.dilation[0],
                    s.output_padding[0],
                ),
                transposed_output_size(
                    width,
                    self.kernel_size[1],
                    s.stride[1],
                    s.padding[1],
                    s.dilation[1],
                    s.output_padding[1],
                ),
            )
        sizes = []
        for a, (axis, size) in enumerate((("height", height), ("width", width))):
            try:
                sizes.append(
                    conv_output_size(
                        size, self.kernel_size[a], s.stride[a], s.padding[a], s.dilation[a]
                    )
                )
            except ShapeError as error:
                raise ShapeError(_("{axis}: {error}").format(axis=axis, error=error)) from None
        return (sizes[0], sizes[1])

    # -- positions --------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        """Number of output positions (the steps)."""
        return self.output_shape[0] * self.output_shape[1]

    def index_of(self, out_row: int, out_col: int) -> int:
        return out_row * self.output_shape[1] + out_col

    def window_rows(self, out_row: int) -> tuple[int, ...]:
        start = out_row * self.window_stride[0]
        return tuple(start + u * self.settings.dilation[0] for u in range(self.kernel_size[0]))

    def window_cols(self, out_col: int) -> tuple[int, ...]:
        start = out_col * self.window_stride[1]
        return tuple(start + v * self.settings.dilation[1] for v in range(self.kernel_size[1]))

    def state(self, index: int) -> StepState:
        """The state at output position `index` (0 ≤ index < total, row-major)."""
        if not 0 <= index < self.total:
            raise IndexError(f"position {index} is outside 0…{self.total - 1}")
        out_row, out_col = divmod(index, self.output_shape[1])
        rows, cols = self.window_rows(out_row), self.window_cols(out_col)
        window = self.grid[:, rows, :][:, :, cols]
        s = self.settings
        chosen = None
        if s.mode == "pool":
            kernel = products = None
            if s.pool_kind == "max":
                flat = int(np.argmax(window[0]))
                chosen = divmod(flat, window.shape[2])
                pooled = float(window[0].reshape(-1)[flat])
            else:
                pooled = float(window[0].sum() / window[0].size)
            channel_sums: tuple[float, ...] = (pooled,)
            bias = 0.0
            pre = pooled
            value = pooled
        else:
            kernel = self.tap_kernel
            assert kernel is not None
            products = window * kernel
            channel_sums = tuple(float(v) for v in products.sum(axis=(1, 2)))
            bias = float(s.bias)
            pre = float(sum(channel_sums) + bias)
            value = max(pre, 0.0) if s.relu else pre
        output = self.output().copy()
        flat_out = output.reshape(-1)
        flat_out[index + 1 :] = np.nan
        return StepState(
            index=index,
            total=self.total,
            out_row=out_row,
            out_col=out_col,
            rows=rows,
            cols=cols,
            window=window,
            kernel=kernel,
            products=products,
            channel_sums=channel_sums,
            bias=bias,
            pre_activation=pre,
            value=value,
            chosen=chosen,
            output=output,
            relu=s.relu and s.mode != "pool",
            pool_kind=s.pool_kind if s.mode == "pool" else None,
        )

    def output(self) -> np.ndarray:
        """The whole ``(H_out, W_out)`` map, computed window by window (vectorised)."""
        cached = getattr(self, "_output", None)
        if cached is not None:
            return cached
        ho, wo = self.output_shape
        kh, kw = self.kernel_size
        s = self.settings
        (sh, sw), (dh, dw) = self.window_stride, s.dilation
        # One pass per kernel tap keeps memory at one output map, whatever the image size.
        taps = [
            self.grid[
                :,
                u * dh : u * dh + (ho - 1) * sh + 1 : sh,
                v * dw : v * dw + (wo - 1) * sw + 1 : sw,
            ]
            for u in range(kh)
            for v in range(kw)
        ]
        if s.mode == "pool":
            stacked = np.stack([tap[0] for tap in taps])
            result = (
                stacked.max(axis=0) if s.pool_kind == "max" else stacked.sum(axis=0) / (kh * kw)
            )
        else:
            assert self.tap_kernel is not None
            result = np.full((ho, wo), float(s.bias))
            for t, tap in enumerate(taps):
                u, v = divmod(t, kw)
                result = result + np.tensordot(self.tap_kernel[:, u, v], tap, axes=(0, 0))
            if s.relu:
                result = np.maximum(result, 0.0)
        self._output = np.asarray(result, dtype=np.float64)
        return self._output

    def engine_output(self) -> np.ndarray:
        """The same map from `cnntui.engine.functional` (PyTorch's functions and arguments)."""
        from cnntui.engine import functional as F

        s = self.settings
        x = self.source[None].astype(np.float64)
        if s.mode == "pool":
            pool = F.max_pool2d if s.pool_kind == "max" else F.avg_pool2d
            out = pool(x, self.kernel_size, s.stride, s.padding)
        elif s.mode == "transposed":
            assert self.kernel is not None
            weight = self.kernel[:, None]  # (in, out/groups = 1, kh, kw)
            bias = np.array([s.bias], dtype=np.float64)
            out = F.conv_transpose2d(
                x, weight, bias, s.stride, s.padding, s.output_padding, 1, s.dilation
            )
        else:
            assert self.kernel is not None
            bias = np.array([s.bias], dtype=np.float64)
            padded = self.grid[None]  # padding (zero or replicate) already laid out
            out = F.conv2d(padded, self.kernel[None], bias, s.stride, 0, s.dilation)
        result = np.asarray(out, dtype=np.float64)[0, 0]
        if s.relu and s.mode != "pool":
            result = np.maximum(result, 0.0)
        return result

    def source_index(self, grid_row: int, grid_col: int) -> tuple[int, int] | None:
        """The input pixel under a grid cell, or None for padding and inserted zeros."""
        if self.cell_kind[grid_row, grid_col] != CELL_INPUT:
            return None
        rows = np.flatnonzero((self.cell_kind == CELL_INPUT).any(axis=1))
        cols = np.flatnonzero((self.cell_kind == CELL_INPUT).any(axis=0))
        return (int(np.searchsorted(rows, grid_row)), int(np.searchsorted(cols, grid_col)))


def _pad_or_crop(
    grid: np.ndarray, kind: np.ndarray, axis: int, before: int, after: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pad `grid` (zeros) and `kind` (padding cells) along `axis`, cropping where negative."""
    kind_axis = axis - 1
    if before < 0:
        grid = np.take(grid, range(-before, grid.shape[axis]), axis=axis)
        kind = np.take(kind, range(-before, kind.shape[kind_axis]), axis=kind_axis)
        before = 0
    if after < 0:
        grid = np.take(grid, range(0, grid.shape[axis] + after), axis=axis)
        kind = np.take(kind, range(0, kind.shape[kind_axis] + after), axis=kind_axis)
        after = 0
    widths = [(0, 0)] * grid.ndim
    widths[axis] = (before, after)
    kind_widths = [(0, 0)] * kind.ndim
    kind_widths[kind_axis] = (before, after)
    grid = np.pad(grid, widths)
    kind = np.pad(kind, kind_widths, constant_values=CELL_PADDING)
    return grid, kind


# -- the sum written out --------------------------------------------------------------------------


def weight_text(value: float) -> str:
    """A kernel weight: a short fraction when it is one (``1/9``, ``−1/16``), else `number_text`."""
    value = float(value)
    if np.isfinite(value) and not value.is_integer():
        fraction = Fraction(value).limit_denominator(64)
        if fraction.denominator > 2 and abs(float(fraction) - value) < 1e-12:
            return f"{fraction.numerator}/{fraction.denominator}".replace("-", "−")
    return number_text(value)


def _factor(value: float, weight: bool = False) -> str:
    text = weight_text(value) if weight else number_text(value)
    if "/" in text:
        return f"({text})"
    return f"({text})" if text.startswith("−") else text


CHANNEL_NAMES = {3: ("R", "G", "B")}


def sum_lines(state: StepState) -> list[str]:
    """The arithmetic at this position written out, e.g. ``0×1 + 1×0 + … + 1 = 9``.

    One line per channel for multi-channel kernels, then the total with the bias (and ReLU).
    """
    if state.pool_kind == "max":
        values = ", ".join(number_text(v) for v in state.window[0].reshape(-1))
        return [f"max({values}) = {number_text(state.value)}"]
    if state.pool_kind == "avg":
        values = " + ".join(_factor(v) for v in state.window[0].reshape(-1))
        n = state.window[0].size
        return [f"({values}) / {n} = {number_text(state.value)}"]
    assert state.products is not None and state.kernel is not None
    channels = state.window.shape[0]
    names = CHANNEL_NAMES.get(channels, tuple(f"c{c + 1}" for c in range(channels)))
    lines = []
    for c in range(channels):
        terms = " + ".join(
            f"{_factor(x)}×{_factor(w, weight=True)}"
            for x, w in zip(state.window[c].reshape(-1), state.kernel[c].reshape(-1), strict=True)
        )
        if channels == 1:
            bias = f" + {_factor(state.bias)}" if state.bias else ""
            lines.append(f"{terms}{bias} = {number_text(state.pre_activation)}")
        else:
            lines.append(f"{names[c]}: {terms} = {number_text(state.channel_sums[c])}")
    if channels > 1:
        parts = " + ".join(_factor(v) for v in state.channel_sums)
        bias = f" + {_factor(state.bias)} (bias)" if state.bias else ""
        lines.append(f"{parts}{bias} = {number_text(state.pre_activation)}")
    if state.relu:
        lines.append(
            f"ReLU: max(0, {number_text(state.pre_activation)}) = {number_text(state.value)}"
        )
    return lines


# -- teaching examples ----------------------------------------------------------------------------

WORKED_INPUT = np.array(
    [
        [[0, 2, 2], [2, 1, 1], [1, 1, 2]],
        [[2, 0, 0], [2, 1, 1], [2, 2, 2]],
        [[0, 1, 0], [1, 1, 1], [2, 1, 0]],
    ],
    dtype=np.float64,
)
"""A 3×3×3 RGB input (channel, row, column) for the multi-channel worked example."""

WORKED_KERNEL = np.array(
    [
        [[0, -1, 0], [1, 1, 0], [-1, 1, 1]],
        [[1, 1, 0], [1, 1, -1], [1, 1, 0]],
        [[1, 1, 1], [1, 0, 1], [-1, 1, -1]],
    ],
    dtype=np.float64,
)
"""Its 3-channel 3×3 kernel; with zero padding 1 and bias 1 the top-left output is 3 + 4 + 1 + 1 = 9."""

WORKED_BIAS = 1.0


def worked_example() -> Stepper:
    """The textbook multi-channel example: 3×3×3 input, zero padding 1, 3×3×3 kernel, bias 1."""
    return Stepper(WORKED_INPUT, WORKED_KERNEL, StepSettings(padding=(1, 1), bias=WORKED_BIAS))


def shift_image(image: np.ndarray, rows: int = 0, cols: int = 1) -> np.ndarray:
    """``(…, H, W)`` moved down/right by whole pixels; the uncovered edge is filled with zeros."""
    shifted = np.zeros_like(image)
    h, w = image.shape[-2:]
    src_r = slice(max(0, -rows), h - max(0, rows))
    dst_r = slice(max(0, rows), h - max(0, -rows))
    src_c = slice(max(0, -cols), w - max(0, cols))
    dst_c = slice(max(0, cols), w - max(0, -cols))
    shifted[..., dst_r, dst_c] = image[..., src_r, src_c]
    return shifted


@dataclass(frozen=True)
class ShiftComparison:
    """Pooled outputs of an image and of the same image shifted by one pixel."""

    original: np.ndarray
    shifted: np.ndarray
    pooled_original: np.ndarray
    pooled_shifted: np.ndarray

    @property
    def changed(self) -> int:
        """Output cells whose value differs."""
        return int(np.count_nonzero(~np.isclose(self.pooled_original, self.pooled_shifted)))

    @property
    def input_changed(self) -> int:
        return int(np.count_nonzero(~np.isclose(self.original, self.shifted)))


def shift_comparison(
    image: np.ndarray, kind: str = "max", size: int = 2, stride: int | None = None, cols: int = 1
) -> ShiftComparison:
    """Pool a ``(H, W)`` image and its copy shifted right by `cols` pixels, to compare them."""
    grey = np.asarray(image, dtype=np.float64)
    shifted = shift_image(grey, 0, cols)
    settings = StepSettings(
        mode="pool", pool_kind=kind, pool_size=(size, size), stride=(stride or size,) * 2
    )
    first = Stepper(grey, None, settings).output()
    second = Stepper(shifted, None, settings).output()
    return ShiftComparison(grey, shifted, first, second)


def _pair_text(pair: Pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"
