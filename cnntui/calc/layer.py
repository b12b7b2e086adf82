"""One layer's arithmetic: output sizes, parameters, MACs and receptive field, with the working.

Everything here is exact integer arithmetic that follows PyTorch (the bare output-size formulas
are `cnntui.engine.outsize`; this module validates the settings and explains what does not fit):

* convolution and pooling: ``out = ⌊(i + p_lo + p_hi − k̂) / s⌋ + 1`` with the dilated kernel
  ``k̂ = d·(k − 1) + 1`` (``ceil_mode`` pooling rounds up, but never starts a window in the padding);
* padding ``'valid'`` is 0, ``'same'`` pads ``d·(k − 1)`` in total (the extra pixel of an odd total
  goes after, as PyTorch does) and needs stride 1, ``'full'`` pads ``d·(k − 1)`` on both sides;
* transposed convolution: ``out = (i − 1)·s − 2p + d·(k − 1) + output_padding + 1``, with
  ``output_padding`` smaller than the stride or the dilation;
* parameters ``k_h·k_w·(C_in/groups)·C_out (+ C_out)``, and multiply-accumulates counted as
  torchvision and the model summary count them (bias additions not included).

Shapes here are written height × width × channels, as the lessons write them. Impossible settings
raise `ShapeError` whose message explains, in words and with the numbers, what does not fit.
Text uses ``× · − ⌊ ⌋``; `cnntui.text.ascii_text` turns it into plain ASCII for ``--ascii``
terminals. Stacks of layers are `cnntui.calc.chain`, named stacks `cnntui.calc.chain_presets`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from cnntui.engine.outsize import conv_outsize, conv_transpose_outsize, effective_kernel
from cnntui.errors import ShapeError
from cnntui.i18n import N_, _

Pair = tuple[int, int]
PaddingSpec = int | tuple[int, int] | str
"""A padding setting: one number, a (height, width) pair, or 'same', 'valid' or 'full'."""

KINDS = ("conv", "maxpool", "avgpool", "transposed", "linear")
"""Layer kinds the calculator knows; pooling keeps the channel count, linear flattens."""

PADDING_WORDS = ("same", "valid", "full")
MAX_VALUE = 10**9
"""The largest size, channel count, kernel, stride, padding, dilation or group count the
calculator takes; every value is checked against it before any work starts."""
_DIVISOR_SEARCH = 1000
BYTES_PER_VALUE = 4  # float32 activations
AXES = (N_("height"), N_("width"))  # marked: error messages and reports translate them


def as_pair(value: int | Sequence[int], name: str) -> Pair:
    """A (height, width) pair from one number or two; raises `ShapeError` if it is not that."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if int(value) != value:
            raise ShapeError(
                _("{name} must be a whole number, got {value}").format(name=name, value=value)
            )
        return (int(value), int(value))
    if isinstance(value, bool):
        raise ShapeError(
            _("{name} must be a whole number, got {value}").format(name=name, value=value)
        )
    items = tuple(value)
    if len(items) != 2 or any(isinstance(v, bool) or int(v) != v for v in items):
        raise ShapeError(
            _("{name} must be one whole number or a (height, width) pair, got {value!r}").format(
                name=name, value=value
            )
        )
    return (int(items[0]), int(items[1]))


def resolve_padding(
    padding: PaddingSpec, kernel: Pair, dilation: Pair = (1, 1), stride: Pair = (1, 1)
) -> tuple[Pair, Pair]:
    """Per-axis (before, after) padding for a number, a pair, or 'same' / 'valid' / 'full'.

    Returns ``((top, bottom), (left, right))``.
    """
    if isinstance(padding, str):
        word = padding.strip().lower()
        if word == "valid":
            return ((0, 0), (0, 0))
        totals = [dilation[a] * (kernel[a] - 1) for a in range(2)]
        if word == "same":
            if stride != (1, 1):
                raise ShapeError(
                    _(
                        "padding 'same' needs stride 1 (as in PyTorch), got stride {value}; give the padding as a number instead"
                    ).format(value=_pair_text(stride))
                )
            return tuple((t // 2, t - t // 2) for t in totals)  # type: ignore[return-value]
        if word == "full":
            return ((totals[0], totals[0]), (totals[1], totals[1]))
        if word.lstrip("-").isdigit():
            return resolve_padding(int(word), kernel, dilation, stride)
        raise ShapeError(
            _("unknown padding {padding!r}; use a number, 'same', 'valid' or 'full'").format(
                padding=padding
            )
        )
    ph, pw = as_pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ShapeError(
            _("padding must be 0 or more, got {value}").format(value=_pair_text((ph, pw)))
        )
    return ((ph, ph), (pw, pw))


def conv_output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output length along one axis of a convolution or pooling window sliding over `size` pixels.

    `padding` is the amount on each side, or a (before, after) pair. Raises `ShapeError` when
    the dilated kernel does not fit in the padded input.
    """
    before, after = (padding, padding) if isinstance(padding, int) else padding
    _check_positive(kernel=kernel, stride=stride, dilation=dilation, size=size)
    if effective_kernel(kernel, dilation) > size + before + after:
        raise ShapeError(_too_big_message(size, before, after, kernel, dilation))
    return conv_outsize(size, kernel, stride, (before, after), dilation, ceil_mode)


def transposed_output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """Output length along one axis of a transposed convolution (PyTorch's `ConvTranspose2d`)."""
    _check_positive(kernel=kernel, stride=stride, dilation=dilation, size=size)
    if padding < 0 or output_padding < 0:
        raise ShapeError(_("padding and output_padding must be 0 or more"))
    if output_padding >= max(stride, dilation):
        raise ShapeError(
            _(
                "output_padding {output_padding} must be smaller than the stride ({stride}) or the dilation ({dilation}); it only picks among the sizes that stride {stride} leaves ambiguous"
            ).format(output_padding=output_padding, stride=stride, dilation=dilation)
        )
    out = conv_transpose_outsize(size, kernel, stride, padding, dilation, output_padding)
    if out < 1:
        raise ShapeError(
            _(
                "padding {padding} crops more than the transposed convolution produces: ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) + {output_padding} + 1 = {out}; use padding at most {value}"
            ).format(
                padding=padding,
                size=size,
                stride=stride,
                dilation=dilation,
                kernel=kernel,
                output_padding=output_padding,
                out=out,
                value=_max_transposed_padding(size, kernel, stride, dilation, output_padding),
            )
        )
    return out


def _max_transposed_padding(size: int, kernel: int, stride: int, dilation: int, op: int) -> int:
    return max(0, ((size - 1) * stride + dilation * (kernel - 1) + op) // 2)


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ShapeError(
                _("{name} must be 1 or more, got {value}").format(name=name, value=value)
            )


def _too_big_message(size: int, before: int, after: int, kernel: int, dilation: int) -> str:
    k_eff = effective_kernel(kernel, dilation)
    span = size + before + after
    what = (
        _("kernel {kernel}").format(kernel=kernel)
        if dilation == 1
        else _("kernel {kernel} with dilation {dilation} (spans {span})").format(
            kernel=kernel, dilation=dilation, span=k_eff
        )
    )
    padded = f"{size}" if before + after == 0 else f"{size} + {before} + {after} = {span}"
    message = _(
        "the {what} is larger than the padded input ({padded}): no position fits; "
        "use a kernel of at most {largest} or at least {padding} padding on each side"
    )
    return message.format(
        what=what,
        padded=padded,
        largest=span if dilation == 1 else (span - 1) // dilation + 1,
        padding=max(0, -(-(k_eff - size) // 2)),
    )


def _pair_text(pair: Pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


# -- one layer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureShape:
    """A feature map's shape, written height × width × channels as the lessons write it."""

    height: int
    width: int
    channels: int

    @property
    def numel(self) -> int:
        return self.height * self.width * self.channels

    def text(self) -> str:
        return f"{self.height}×{self.width}×{self.channels}"

    def as_dict(self) -> dict[str, int]:
        return {"height": self.height, "width": self.width, "channels": self.channels}

    @classmethod
    def parse(cls, text: str) -> FeatureShape:
        """Parse ``'227x227x3'``, ``'28x28'`` (one channel) or ``'32'`` (32×32×1)."""
        cleaned = text.strip().lower().replace("×", "x").replace("*", "x").replace(",", "x")
        parts = [p.strip() for p in cleaned.split("x") if p.strip()]
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            numbers = []
        if not 1 <= len(numbers) <= 3 or len(parts) != len(numbers):
            raise ShapeError(
                _(
                    "cannot read the shape {text!r}; write HEIGHTxWIDTHxCHANNELS, e.g. 227x227x3"
                ).format(text=text)
            )
        if len(numbers) == 1:
            numbers = [numbers[0], numbers[0], 1]
        elif len(numbers) == 2:
            numbers.append(1)
        if min(numbers) < 1:
            raise ShapeError(
                _("every size in the shape {text!r} must be 1 or more").format(text=text)
            )
        return cls(numbers[0], numbers[1], numbers[2])


@dataclass(frozen=True)
class LayerSpec:
    """One layer for the calculator.

    `filters` is the number of output channels (convolutions) or output features (linear); pooling
    keeps the channel count and ignores it. `padding` may be a number, a pair, or a word.
    """

    kind: str = "conv"
    kernel: Pair = (3, 3)
    stride: Pair = (1, 1)
    padding: PaddingSpec = 0
    dilation: Pair = (1, 1)
    groups: int = 1
    filters: int = 1
    bias: bool = True
    output_padding: Pair = (0, 0)
    ceil_mode: bool = False

    @classmethod
    def make(
        cls,
        kind: str = "conv",
        kernel: int | Sequence[int] = 3,
        stride: int | Sequence[int] | None = None,
        padding: PaddingSpec = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        filters: int = 1,
        bias: bool = True,
        output_padding: int | Sequence[int] = 0,
        ceil_mode: bool = False,
    ) -> LayerSpec:
        """Build a spec from numbers or pairs; pooling's stride defaults to its kernel size."""
        if kind not in KINDS:
            raise ShapeError(
                _("unknown layer kind {kind!r}; use one of {choices}").format(
                    kind=kind, choices=", ".join(KINDS)
                )
            )
        kernel_pair = as_pair(kernel, "kernel")
        if stride is None:
            stride = kernel_pair if kind in ("maxpool", "avgpool") else 1
        if not isinstance(padding, str):
            padding = as_pair(padding, "padding")
        return cls(
            kind=kind,
            kernel=kernel_pair,
            stride=as_pair(stride, "stride"),
            padding=padding,
            dilation=as_pair(dilation, "dilation"),
            groups=int(groups),
            filters=int(filters),
            bias=bool(bias),
            output_padding=as_pair(output_padding, "output_padding"),
            ceil_mode=bool(ceil_mode),
        )

    @property
    def is_pool(self) -> bool:
        return self.kind in ("maxpool", "avgpool")

    def describe(self, compact: bool = False) -> str:
        """Short settings, e.g. ``conv 11×11/4 ×96`` or ``maxpool 3×3/2`` (``compact``: no ``/1``)."""
        if self.kind == "linear":
            return f"linear →{self.filters}"
        pad = self.padding if isinstance(self.padding, str) else _pair_text(self.padding)  # type: ignore[arg-type]
        text = f"{self.kind} {self.kernel[0]}×{self.kernel[1]}"
        if not (compact and self.stride == (1, 1)):
            text += f"/{_pair_text(self.stride)}"
        if pad not in (0, "0"):
            text += f" p{pad}"
        if self.dilation != (1, 1):
            text += f" d{_pair_text(self.dilation)}"
        if self.groups != 1:
            text += f" g{self.groups}"
        if self.kind == "transposed" and self.output_padding != (0, 0):
            text += f" op{_pair_text(self.output_padding)}"
        if not self.is_pool:
            text += f" ×{self.filters}"
        return text


@dataclass(frozen=True)
class AxisWorking:
    """How one axis' output size came out, for display."""

    axis: str
    size_in: int
    size_out: int
    formula: str
    """The general formula, e.g. ``⌊(H + p_top + p_bottom − k̂)/s⌋ + 1``."""
    plugged: str
    """The formula with this layer's numbers, ending in ``= size_out``."""
    padding: Pair
    kernel_extent: int
    unused: int = 0
    """Input rows or columns (counting padding) that no window reaches: the floor's remainder."""


@dataclass(frozen=True)
class LayerReport:
    """Everything the calculator shows for one layer on one input."""

    spec: LayerSpec
    input: FeatureShape
    output: FeatureShape
    axes: tuple[AxisWorking, AxisWorking]
    params: int
    param_formula: str
    macs: int
    mac_formula: str
    receptive_field: Pair
    """Input pixels (height, width) that one output value depends on, through this layer alone."""
    notes: tuple[str, ...] = ()
    """Divisibility remarks: which rows/columns the windows never reach, and what the floor does."""
    suggestions: tuple[str, ...] = ()
    """The nearest settings for which the windows tile the input exactly."""

    @property
    def memory_bytes(self) -> int:
        """Bytes of the output feature map for one sample in float32."""
        return self.output.numel * BYTES_PER_VALUE

    @property
    def formula(self) -> str:
        """The output-size working on one line (both axes, or one when they are the same)."""
        h, w = self.axes
        if h.plugged == w.plugged:
            return f"H_out = W_out = {h.plugged}"
        return f"H_out = {h.plugged}; W_out = {w.plugged}"

    def as_dict(self) -> dict[str, object]:
        """The JSON document of `cnntui calc --json`."""
        return {
            "kind": self.spec.kind,
            "input": self.input.as_dict(),
            "output": self.output.as_dict(),
            "params": self.params,
            "param_formula": self.param_formula,
            "macs": self.macs,
            "mac_formula": self.mac_formula,
            "output_bytes": self.memory_bytes,
            "receptive_field": {
                "height": self.receptive_field[0],
                "width": self.receptive_field[1],
            },
            "formula": self.formula,
            "formulas": {a.axis: {"general": a.formula, "plugged": a.plugged} for a in self.axes},
            "padding": {a.axis: list(a.padding) for a in self.axes},
            "divides_evenly": not any(a.unused for a in self.axes),
            "notes": list(self.notes),
            "suggestions": list(self.suggestions),
        }


def analyze_layer(spec: LayerSpec, shape: FeatureShape) -> LayerReport:
    """Output shape, parameters, MACs, receptive field and the working of one layer.

    Raises `ShapeError` (with the numbers and the reason in words) for settings that cannot work.
    """
    if spec.kind not in KINDS:
        raise ShapeError(
            _("unknown layer kind {kind!r}; use one of {choices}").format(
                kind=spec.kind, choices=", ".join(KINDS)
            )
        )
    _check_bounded(spec, shape)
    if spec.kind == "linear":
        return _analyze_linear(spec, shape)
    _check_positive(kernel=min(spec.kernel), stride=min(spec.stride), dilation=min(spec.dilation))
    if spec.kind in ("conv", "transposed"):
        _check_channels(spec, shape)
    if spec.kind == "transposed":
        return _analyze_transposed(spec, shape)
    pads = resolve_padding(spec.padding, spec.kernel, spec.dilation, spec.stride)
    if spec.is_pool:
        for a in range(2):
            limit = spec.kernel[a] // 2
            if max(pads[a]) > limit:
                raise ShapeError(
                    _(
                        "pooling padding {value} is more than half the {value2}-wide window; PyTorch allows at most {limit}, so a window never sees only padding"
                    ).format(value=max(pads[a]), value2=spec.kernel[a], limit=limit)
                )
    sizes = (shape.height, shape.width)
    axes = []
    for a, axis in enumerate(AXES):
        try:
            out = conv_output_size(
                sizes[a], spec.kernel[a], spec.stride[a], pads[a], spec.dilation[a], spec.ceil_mode
            )
        except ShapeError as error:
            raise ShapeError(_("{axis}: {error}").format(axis=_(axis), error=error)) from None
        axes.append(_conv_axis_working(axis, sizes[a], out, spec, a, pads[a]))
    h_out, w_out = axes[0].size_out, axes[1].size_out
    if spec.is_pool:
        channels = shape.channels
        params, param_formula = 0, "pooling has no parameters"
        macs = 0
        mac_formula = (
            f"0 (each output compares or averages {spec.kernel[0] * spec.kernel[1]} values;"
            " no multiplications are counted)"
        )
    else:
        channels = spec.filters
        per_filter = spec.kernel[0] * spec.kernel[1] * (shape.channels // spec.groups)
        params = per_filter * spec.filters + (spec.filters if spec.bias else 0)
        param_formula = _param_formula(spec, shape.channels, params)
        macs = h_out * w_out * spec.filters * per_filter
        mac_formula = f"{h_out}·{w_out}·{spec.filters} outputs × {per_filter} = {macs:,}"
    output = FeatureShape(h_out, w_out, channels)
    field_size = (
        effective_kernel(spec.kernel[0], spec.dilation[0]),
        effective_kernel(spec.kernel[1], spec.dilation[1]),
    )
    notes, suggestions = _divisibility(spec, shape, axes)
    return LayerReport(
        spec=spec,
        input=shape,
        output=output,
        axes=(axes[0], axes[1]),
        params=params,
        param_formula=param_formula,
        macs=macs,
        mac_formula=mac_formula,
        receptive_field=field_size,
        notes=tuple(notes),
        suggestions=tuple(suggestions),
    )


def _check_bounded(spec: LayerSpec, shape: FeatureShape) -> None:
    """Every number the user gave is at most `MAX_VALUE`, checked before any work starts."""
    values = [
        ("input height", shape.height),
        ("input width", shape.width),
        ("input channels", shape.channels),
        ("kernel", max(spec.kernel)),
        ("stride", max(spec.stride)),
        ("dilation", max(spec.dilation)),
        ("groups", spec.groups),
        ("filters" if spec.kind != "linear" else "features", spec.filters),
        ("output_padding", max(spec.output_padding)),
    ]
    if not isinstance(spec.padding, str):
        values.append(("padding", max(as_pair(spec.padding, "padding"))))
    for name, value in values:
        if value > MAX_VALUE:
            raise ShapeError(
                _("{name} {value} is too large; the calculator takes up to {max_value:,}").format(
                    name=name, value=value, max_value=MAX_VALUE
                )
            )


def _check_channels(spec: LayerSpec, shape: FeatureShape) -> None:
    if spec.groups < 1:
        raise ShapeError(_("groups must be 1 or more, got {groups}").format(groups=spec.groups))
    if spec.filters < 1:
        raise ShapeError(
            _("the number of filters must be 1 or more, got {filters}").format(filters=spec.filters)
        )
    for what, count in ((_("input channels"), shape.channels), (_("filters"), spec.filters)):
        if count % spec.groups:
            divisors = _smallest_divisors(math.gcd(shape.channels, spec.filters), 12)
            raise ShapeError(
                _(
                    "{what} ({count}) must divide evenly into {groups} groups; groups that fit both {channels} input channels and {filters} filters: {choices}"
                ).format(
                    what=what,
                    count=count,
                    groups=spec.groups,
                    channels=shape.channels,
                    filters=spec.filters,
                    choices=", ".join(map(str, divisors[:12])),
                )
            )


def _smallest_divisors(number: int, count: int) -> list[int]:
    """The `count` smallest divisors of `number`, by trial division up to its square root."""
    small: list[int] = []
    large: list[int] = []
    for d in range(1, math.isqrt(number) + 1):
        if number % d == 0:
            small.append(d)
            if d != number // d:
                large.append(number // d)
            if len(small) >= count:
                break
    return (small + large[::-1])[:count]


def _param_formula(spec: LayerSpec, in_channels: int, params: int) -> str:
    per_group = in_channels // spec.groups
    kh, kw = spec.kernel
    if spec.kind == "transposed":
        weights = f"{in_channels}·{spec.filters // spec.groups}·{kh}·{kw}"
    else:
        weights = f"{kh}·{kw}·{per_group}·{spec.filters}"
    if spec.groups != 1:
        weights += (
            f" (C_in/groups = {in_channels}/{spec.groups})" if spec.kind != "transposed" else ""
        )
    bias = f" + {spec.filters}" if spec.bias else ""
    return f"{weights}{bias} = {params:,}"


def _conv_axis_working(
    axis: str, size: int, out: int, spec: LayerSpec, a: int, pads: Pair
) -> AxisWorking:
    letter = "H" if axis == "height" else "W"
    k, s, d = spec.kernel[a], spec.stride[a], spec.dilation[a]
    k_eff = effective_kernel(k, d)
    before, after = pads
    pad_general = "2p" if before == after else "p_lo + p_hi"
    pad_value = f"2·{before}" if before == after else f"{before} + {after}"
    kernel_general = "k" if d == 1 else "k̂"
    kernel_value = f"{k}" if d == 1 else f"{k_eff}"
    open_, close = ("⌈", "⌉") if spec.ceil_mode else ("⌊", "⌋")
    general = f"{open_}({letter} + {pad_general} − {kernel_general})/s{close} + 1"
    if d != 1:
        general += ", k̂ = d·(k − 1) + 1"
    span = size + before + after - k_eff
    plugged = f"{open_}({size} + {pad_value} − {kernel_value})/{s}{close} + 1"
    if d != 1:
        plugged = f"k̂ = {d}·({k} − 1) + 1 = {k_eff}; " + plugged
    if s == 1:
        plugged += f" = {span} + 1 = {out}"
    else:
        quotient = Fraction(span, s)
        shown = (
            str(quotient.numerator // quotient.denominator)
            if quotient.denominator == 1
            else f"{open_}{span}/{s}{close}"
        )
        plugged += f" = {shown} + 1 = {out}"
    unused = 0 if spec.ceil_mode else span % s
    return AxisWorking(axis, size, out, general, plugged, (before, after), k_eff, unused)


def _english(text: str) -> str:
    """The translator of the JSON reports: English, whatever the language."""
    return text


def report_notes(
    report: LayerReport, translate: Callable[[str], str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`report.notes` and `report.suggestions` written again through `translate` (e.g.
    `cnntui.i18n._`, for a display); the report itself keeps English ones for `--json`."""
    spec, shape = report.spec, report.input
    if spec.kind == "linear":
        return (), ()
    if spec.kind == "transposed":
        return tuple(_transposed_notes(spec, translate)), ()
    notes, suggestions = _divisibility(spec, shape, report.axes, translate)
    return tuple(notes), tuple(suggestions)


def _divisibility(
    spec: LayerSpec,
    shape: FeatureShape,
    axes: Sequence[AxisWorking],
    tr: Callable[[str], str] = _english,
) -> tuple[list[str], list[str]]:
    """Notes on windows that do not tile the padded input, and the nearest exact settings, in
    the language of `tr` (English by default)."""
    notes: list[str] = []
    suggestions: list[str] = []
    square = (
        axes[0].size_in == axes[1].size_in
        and axes[0].padding == axes[1].padding
        and axes[0].kernel_extent == axes[1].kernel_extent
        and spec.stride[0] == spec.stride[1]
        and spec.kernel[0] == spec.kernel[1]
    )
    for a, working in enumerate(axes):
        if not working.unused or (square and a == 1):
            continue
        lines_name = "rows" if working.axis == "height" else "columns"
        axis_name = tr(working.axis)
        if square:
            working = replace(working, axis="height and width")
            lines_name = "rows and columns"
            axis_name = tr(N_("height and width"))
        before, after = working.padding
        span = working.size_in + before + after
        s = spec.stride[a]
        last_start = (working.size_out - 1) * s
        last_end = last_start + working.kernel_extent - 1
        first_missed, last_missed = last_end + 1, span - 1
        # Positions in the padded input; convert to the original input's numbering (0-based).
        # The missed padded positions that are input pixels, in the input's numbering (0-based).
        first_input = max(first_missed, before) - before
        last_input = min(last_missed, before + working.size_in - 1) - before
        missed_inputs = max(0, last_input - first_input + 1)
        where = (
            tr(N_("index {first}–{last} of the input")).format(first=first_input, last=last_input)
            if missed_inputs > 1
            else tr(N_("index {first} of the input")).format(first=first_input)
            if missed_inputs
            else tr(N_("only padding"))
        )
        if missed_inputs and missed_inputs < working.unused:
            where = tr(N_("{where} and padding")).format(where=where)
        counts = {
            "rows": (N_("1 row"), N_("{n} rows")),
            "columns": (N_("1 column"), N_("{n} columns")),
            "rows and columns": (N_("1 row and column"), N_("{n} rows and columns")),
        }[lines_name]
        count = tr(counts[working.unused > 1]).format(n=working.unused)
        template = (
            N_(
                "{axis}: ({size} + {pad} − {kernel}) = {span} is not a multiple of the stride"
                " {stride} (remainder {remainder}); the floor drops the fraction, so the last"
                " window starts at padded index {start} and ends at {end}, and the last {count}"
                " ({where}) are never reached"
            )
            if working.unused > 1
            else N_(
                "{axis}: ({size} + {pad} − {kernel}) = {span} is not a multiple of the stride"
                " {stride} (remainder {remainder}); the floor drops the fraction, so the last"
                " window starts at padded index {start} and ends at {end}, and the last {count}"
                " ({where}) is never reached"
            )
        )
        notes.append(
            tr(template).format(
                axis=axis_name,
                size=working.size_in,
                pad=before + after,
                kernel=working.kernel_extent,
                span=span - working.kernel_extent,
                stride=s,
                remainder=working.unused,
                start=last_start,
                end=last_end,
                count=count,
                where=where,
            )
        )
        suggestions.extend(_nearest_exact(spec, working, a, tr))
    # Keep the list short and free of repeats.
    unique: list[str] = []
    for line in suggestions:
        if line not in unique:
            unique.append(line)
    return notes, unique[:6]


def _nearest_exact(
    spec: LayerSpec, working: AxisWorking, a: int, tr: Callable[[str], str] = _english
) -> list[str]:
    s = spec.stride[a]
    k_eff = working.kernel_extent
    before, after = working.padding
    size = working.size_in
    r = working.unused
    name = tr(working.axis)
    prefix = "" if " and " in working.axis else f"{name}: "
    lines = []
    kernel, dilation = spec.kernel[a], spec.dilation[a]
    smaller, larger = size - r, size + (s - r)
    if smaller >= k_eff - before - after and smaller > 0:
        out = conv_outsize(smaller, kernel, s, (before, after), dilation)
        lines.append(
            tr(N_("{name} {size} instead of {old} (crop {n}) → {out}")).format(
                name=name, size=smaller, old=size, n=r, out=out
            )
        )
    out = conv_outsize(larger, kernel, s, (before, after), dilation)
    lines.append(
        tr(N_("{name} {size} instead of {old} (add {n}) → {out}")).format(
            name=name, size=larger, old=size, n=s - r, out=out
        )
    )
    if not (isinstance(spec.padding, str) or spec.is_pool):
        p_exact = _exact_padding_above(before, size, k_eff, s)
        if p_exact is not None:
            out = conv_outsize(size, kernel, s, p_exact, dilation)
            lines.append(prefix + tr(N_("padding {n} → {out}")).format(n=p_exact, out=out))
        if (s - r) % 2 and r % 2 == 0 and before >= r // 2 > 0:
            p = before - r // 2
            out = conv_outsize(size, kernel, s, p, dilation)
            lines.append(prefix + tr(N_("padding {n} → {out}")).format(n=p, out=out))
    span = size + before + after - k_eff
    candidate = _nearest_divisor(span, s)
    if candidate is not None:
        out = span // candidate + 1
        lines.append(prefix + tr(N_("stride {n} → {out}")).format(n=candidate, out=out))
    if dilation == 1:
        for k in (kernel + r, kernel - (s - r)):
            if 1 <= k <= size + before + after and (size + before + after - k) % s == 0:
                out = conv_outsize(size, k, s, (before, after))
                lines.append(prefix + tr(N_("kernel {n} → {out}")).format(n=k, out=out))
                break
    return lines


def _exact_padding_above(before: int, size: int, k_eff: int, stride: int) -> int | None:
    """The smallest padding p > `before` with ``(size + 2p − k̂)`` a multiple of the stride, or
    None when no padding gives that (an odd remainder with an even stride). Closed form: solves
    ``2p ≡ k̂ − size (mod stride)`` instead of trying every padding up to the stride."""
    target = (k_eff - size) % stride
    common = 2 if stride % 2 == 0 else 1  # gcd(2, stride)
    if target % common:
        return None
    modulus = stride // common
    residue = (target // common) * pow(2 // common, -1, modulus) % modulus if modulus > 1 else 0
    return before + 1 + (residue - (before + 1)) % modulus


def _nearest_divisor(span: int, stride: int) -> int | None:
    """The divisor of `span` other than `stride` closest to it (the smaller on a tie), found by
    trying at most `_DIVISOR_SEARCH` strides on each side; None when there is none so close."""
    if span < 1:
        return None
    if stride > span:
        return span  # nothing above span divides it; span itself is the closest
    for distance in range(1, _DIVISOR_SEARCH + 1):
        for candidate in (stride - distance, stride + distance):
            if 1 <= candidate <= span and span % candidate == 0:
                return candidate
    return None


def _analyze_transposed(spec: LayerSpec, shape: FeatureShape) -> LayerReport:
    if isinstance(spec.padding, str):
        raise ShapeError(
            _(
                "a transposed convolution takes a number for padding (PyTorch has no 'same', 'valid' or 'full' for it), got {padding!r}"
            ).format(padding=spec.padding)
        )
    pad = as_pair(spec.padding, "padding")
    sizes = (shape.height, shape.width)
    axes = []
    for a, axis in enumerate(AXES):
        k, s, d, op, p = (
            spec.kernel[a],
            spec.stride[a],
            spec.dilation[a],
            spec.output_padding[a],
            pad[a],
        )
        try:
            out = transposed_output_size(sizes[a], k, s, p, d, op)
        except ShapeError as error:
            raise ShapeError(_("{axis}: {error}").format(axis=_(axis), error=error)) from None
        letter = "H" if axis == "height" else "W"
        general = f"({letter} − 1)·s − 2p + d·(k − 1) + output_padding + 1"
        plugged = f"({sizes[a]} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}"
        axes.append(
            AxisWorking(axis, sizes[a], out, general, plugged, (p, p), effective_kernel(k, d))
        )
    per_input = (spec.filters // spec.groups) * spec.kernel[0] * spec.kernel[1]
    params = shape.channels * per_input + (spec.filters if spec.bias else 0)
    macs = shape.height * shape.width * shape.channels * per_input
    notes = _transposed_notes(spec)
    field_size = tuple(
        -(-effective_kernel(spec.kernel[a], spec.dilation[a]) // spec.stride[a]) for a in range(2)
    )
    return LayerReport(
        spec=replace(spec, padding=pad),
        input=shape,
        output=FeatureShape(axes[0].size_out, axes[1].size_out, spec.filters),
        axes=(axes[0], axes[1]),
        params=params,
        param_formula=_param_formula(spec, shape.channels, params),
        macs=macs,
        mac_formula=f"{shape.height}·{shape.width}·{shape.channels} inputs × {per_input} = {macs:,}",
        receptive_field=(field_size[0], field_size[1]),
        notes=tuple(notes),
    )


def _analyze_linear(spec: LayerSpec, shape: FeatureShape) -> LayerReport:
    if spec.filters < 1:
        raise ShapeError(
            _("a linear layer needs 1 or more output features, got {filters}").format(
                filters=spec.filters
            )
        )
    features = shape.numel
    params = features * spec.filters + (spec.filters if spec.bias else 0)
    flatten = f"{shape.text()} = {features}" if shape.height * shape.width > 1 else f"{features}"
    working = AxisWorking(
        "height", shape.height, 1, "flatten", f"flatten {flatten}", (0, 0), shape.height
    )
    working_w = AxisWorking(
        "width", shape.width, 1, "flatten", f"flatten {flatten}", (0, 0), shape.width
    )
    bias = f" + {spec.filters}" if spec.bias else ""
    return LayerReport(
        spec=spec,
        input=shape,
        output=FeatureShape(1, 1, spec.filters),
        axes=(working, working_w),
        params=params,
        param_formula=f"{features}·{spec.filters}{bias} = {params:,}",
        macs=features * spec.filters,
        mac_formula=f"{features}·{spec.filters} = {features * spec.filters:,}",
        receptive_field=(shape.height, shape.width),
    )


def _transposed_notes(spec: LayerSpec, tr: Callable[[str], str] = _english) -> list[str]:
    """What the stride and output padding of a transposed convolution do, in words."""
    notes = []
    if any(spec.stride[a] > 1 for a in range(2)):
        notes.append(
            tr(
                N_(
                    "stride {stride}: {zeros} zero(s) go between neighbouring input rows (and"
                    " likewise columns) before a stride-1 convolution with the flipped kernel"
                )
            ).format(stride=_pair_text(spec.stride), zeros=spec.stride[0] - 1)
        )
    if spec.output_padding != (0, 0):
        notes.append(
            tr(
                N_(
                    "output_padding {output_padding} adds rows/columns at the bottom/right: a"
                    " stride-s convolution maps s different input sizes to the same output size,"
                    " and this picks the larger one"
                )
            ).format(output_padding=_pair_text(spec.output_padding))
        )
    return notes
