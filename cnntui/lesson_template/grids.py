"""Worked examples on small grids: correlation, one window written out, pooling, shifting,
padding, and Conv Lab kernel presets."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from cnntui.engine.outsize import conv_outsize
from cnntui.i18n import _
from cnntui.lesson_template.arguments import _fraction, _fraction_or_int, _whole
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.formatting import format_number
from cnntui.lesson_template.values import Matrix, Number, Quantity, Text, Value


def _positive(value: Any, name: str) -> int:
    if not isinstance(value, int) or value < 1:
        raise _Problem(_("{name} must be a whole number of at least 1").format(name=name))
    return value


def _non_negative(value: Any, name: str) -> int:
    if not isinstance(value, int) or value < 0:
        raise _Problem(_("{name} must be a whole number of at least 0").format(name=name))
    return value


def _padded(channel: tuple[tuple[Number, ...], ...], pad: int) -> list[list[Number]]:
    width = len(channel[0]) + 2 * pad
    rows: list[list[Number]] = [[0] * width for _row in range(pad)]
    rows += [[0] * pad + list(row) + [0] * pad for row in channel]
    rows += [[0] * width for _row in range(pad)]
    return rows


def _check_fit(image: Matrix, kernel: Matrix, pad: int) -> None:
    if len(kernel.channels) != len(image.channels):
        raise _Problem(
            _(
                "the kernel has {value} channel(s) but the image has {value2}: a kernel spans every input channel"
            ).format(value=len(kernel.channels), value2=len(image.channels))
        )
    if kernel.height > image.height + 2 * pad or kernel.width > image.width + 2 * pad:
        raise _Problem(_("the kernel is larger than the padded image"))


def correlate(
    image: Matrix,
    kernel: Matrix,
    *,
    stride: int = 1,
    pad: int = 0,
    bias: Number = 0,
    flip: bool = False,
    relu: bool = False,
) -> Matrix:
    """One output map: the kernel slides over every channel at once, products summed, plus bias.

    This is the cross-correlation CNNs call convolution; `flip` turns the kernel by 180 degrees
    first (the mathematical convolution).
    """
    _check_fit(image, kernel, pad)
    if flip:
        kernel = Matrix(
            tuple(tuple(tuple(row[::-1]) for row in channel[::-1]) for channel in kernel.channels)
        )
    padded = [_padded(c, pad) for c in image.channels]
    out_h = conv_outsize(image.height, kernel.height, stride, pad)
    out_w = conv_outsize(image.width, kernel.width, stride, pad)
    rows = []
    for i in range(out_h):
        row = []
        for j in range(out_w):
            total: Number = bias
            for channel, k in zip(padded, kernel.channels):
                for a in range(kernel.height):
                    for b in range(kernel.width):
                        total += channel[i * stride + a][j * stride + b] * k[a][b]
            row.append(max(total, 0) if relu else total)
        rows.append(tuple(row))
    return Matrix((tuple(rows),))


def window_sum(
    image: Matrix,
    kernel: Matrix,
    row: int,
    col: int,
    *,
    stride: int = 1,
    pad: int = 0,
    bias: Number = 0,
) -> str:
    """The products for one output position written out, then their sum.

    A one-row kernel gives one line (`1·0 + 2·1 + 3·(-1) = -1`, fit for prose). A taller kernel
    gives one line per kernel row, so the working stays narrow enough for a code block at 80×24;
    with several channels, each channel's rows and subtotal come first, then the total.
    """
    _check_fit(image, kernel, pad)
    out_h = conv_outsize(image.height, kernel.height, stride, pad)
    out_w = conv_outsize(image.width, kernel.width, stride, pad)
    if not (1 <= row <= out_h and 1 <= col <= out_w):
        raise _Problem(
            _("window: the output is {out_h}×{out_w}; ({row}, {col}) is outside it").format(
                out_h=out_h, out_w=out_w, row=row, col=col
            )
        )
    channels: list[tuple[list[str], Number]] = []
    total: Number = bias
    for channel, k in zip((_padded(c, pad) for c in image.channels), kernel.channels):
        rows: list[str] = []
        subtotal: Number = 0
        for a in range(kernel.height):
            terms = []
            for b in range(kernel.width):
                x = channel[(row - 1) * stride + a][(col - 1) * stride + b]
                terms.append(f"{_signed(x)}·{_signed(k[a][b])}")
                subtotal += x * k[a][b]
            rows.append(" + ".join(terms))
        total += subtotal
        channels.append((rows, subtotal))
    bias_text = f" + {_signed(bias)} (bias)" if bias else ""
    if len(channels) == 1 and kernel.height == 1:
        return f"{channels[0][0][0]}{bias_text} = {format_number(total)}"
    lines: list[str] = []
    for index, (rows, subtotal) in enumerate(channels, start=1):
        if len(channels) > 1:
            lines.append(f"channel {index}:")
        lines.extend(("  " if i == 0 else "+ ") + text for i, text in enumerate(rows))
        lines.append(f"= {format_number(subtotal)}")
    if len(channels) > 1 or bias:
        sums = " + ".join(_signed(sub) for _name, sub in channels)
        lines.append(f"total: {sums}{bias_text} = {format_number(total)}")
    return "\n".join(lines)


def _signed(value: Number) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def pool_grid(image: Matrix, kind: str, size: int, stride: int) -> Matrix:
    """Max or average pooling of every channel on its own (depth is kept)."""
    if size > image.height or size > image.width:
        raise _Problem(_("pool: the window is larger than the image"))
    out_h = (image.height - size) // stride + 1
    out_w = (image.width - size) // stride + 1
    channels = []
    for channel in image.channels:
        rows = []
        for i in range(out_h):
            row: list[Number] = []
            for j in range(out_w):
                window = [
                    channel[i * stride + a][j * stride + b]
                    for a in range(size)
                    for b in range(size)
                ]
                if kind == "max":
                    row.append(max(window))
                else:
                    mean = Fraction(sum(Fraction(v) for v in window), len(window))
                    row.append(int(mean) if mean.denominator == 1 else mean)
            rows.append(tuple(row))
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


def pad_grid(image: Matrix, amount: int, mode: str = "zero") -> Matrix:
    """Every channel with `amount` extra rows and columns on each side: zeros, or copies of the
    nearest edge value (`replicate`)."""
    channels = []
    for channel in image.channels:
        if mode == "zero":
            channels.append(tuple(tuple(row) for row in _padded(channel, amount)))
            continue
        rows = [tuple([row[0]] * amount + list(row) + [row[-1]] * amount) for row in channel]
        rows = [rows[0]] * amount + rows + [rows[-1]] * amount
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


def shift_grid(image: Matrix, pixels: int) -> Matrix:
    """Every channel moved `pixels` to the right (left when negative); zeros come in."""
    width = image.width
    if abs(pixels) >= width:
        raise _Problem(_("shift: move by less than the width ({width})").format(width=width))
    channels = []
    for channel in image.channels:
        rows = []
        for row in channel:
            if pixels >= 0:
                rows.append(tuple([0] * pixels + list(row[: width - pixels])))
            else:
                rows.append(tuple(list(row[-pixels:]) + [0] * -pixels))
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


class GridFunctions:
    """The template functions on `let` grids (a part of `Renderer`)."""

    def _grid(self, name: str, function: str, variables: dict[str, Any]) -> Matrix:
        """A `let` matrix, or several joined as channels: `r,g,b`."""
        channels: list[tuple[tuple[Number, ...], ...]] = []
        for part in name.split(","):
            value = variables.get(part)
            if isinstance(value, Matrix):
                channels.extend(value.channels)
            else:
                raise _Problem(
                    _(
                        "{function}: '{part}' is not a grid; define it with {{{{ let {part} = 1 2 3 ; 4 5 6 }}}} (rows separated by ';')"
                    ).format(function=function, part=part)
                )
        if len({(len(c), len(c[0])) for c in channels}) != 1:
            raise _Problem(
                _("{function}: the channels of '{name}' differ in size").format(
                    function=function, name=name
                )
            )
        return Matrix(tuple(channels))

    def _matrix(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem(_("usage: {{ matrix NAME }} (NAME from a let)"))
        return self._grid(args[0], "matrix", variables)

    def _options(
        self, words: list[str], allowed: dict[str, int], function: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        """`stride 2 pad 1 bias 1 flip`: named options after the positional arguments."""
        options: dict[str, Any] = {}
        index = 0
        while index < len(words):
            word = words[index]
            if word not in allowed:
                raise _Problem(
                    _("{function}: unknown option '{word}'; options: {value}").format(
                        function=function, word=word, value=", ".join(allowed)
                    )
                )
            if allowed[word] == 0:
                options[word] = True
                index += 1
                continue
            if index + 1 >= len(words):
                raise _Problem(
                    _("{function}: option '{word}' needs a value").format(
                        function=function, word=word
                    )
                )
            options[word] = _fraction_or_int(words[index + 1], function)
            index += 2
        return options

    def _correlate(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = _("usage: {{ correlate IMAGE KERNEL [stride S] [pad P] [bias B] [flip] [relu] }}")
        if len(args) < 2:
            raise _Problem(usage)
        image = self._grid(args[0], "correlate", variables)
        kernel = self._grid(args[1], "correlate", variables)
        options = self._options(
            args[2:],
            {"stride": 1, "pad": 1, "bias": 1, "flip": 0, "relu": 0},
            "correlate",
            variables,
        )
        return correlate(
            image,
            kernel,
            stride=_positive(options.get("stride", 1), "stride"),
            pad=_non_negative(options.get("pad", 0), "pad"),
            bias=options.get("bias", 0),
            flip=bool(options.get("flip")),
            relu=bool(options.get("relu")),
        )

    def _window(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = _(
            "usage: {{ window IMAGE KERNEL ROW COL [stride S] [pad P] [bias B] }} "
            "(ROW, COL of the output, from 1)"
        )
        if len(args) < 4:
            raise _Problem(usage)
        image = self._grid(args[0], "window", variables)
        kernel = self._grid(args[1], "window", variables)
        row, col = _whole(args[2], "window", variables), _whole(args[3], "window", variables)
        options = self._options(args[4:], {"stride": 1, "pad": 1, "bias": 1}, "window", variables)
        return Text(
            window_sum(
                image,
                kernel,
                row,
                col,
                stride=_positive(options.get("stride", 1), "stride"),
                pad=_non_negative(options.get("pad", 0), "pad"),
                bias=options.get("bias", 0),
            )
        )

    def _pool(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = _("usage: {{ pool IMAGE max|avg SIZE [stride S] }}")
        if len(args) < 3 or args[1] not in ("max", "avg"):
            raise _Problem(usage)
        image = self._grid(args[0], "pool", variables)
        size = _whole(args[2], "pool", variables)
        options = self._options(args[3:], {"stride": 1}, "pool", variables)
        return pool_grid(
            image,
            args[1],
            _positive(size, "size"),
            _positive(options.get("stride", size), "stride"),
        )

    def _shift(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{ shift IMAGE PIXELS }} (to the right; negative: to the left)")
            )
        image = self._grid(args[0], "shift", variables)
        pixels = int(_fraction(args[1], "shift"))
        return shift_grid(image, pixels)

    def _padded(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) not in (2, 3) or (len(args) == 3 and args[2] not in ("zero", "replicate")):
            raise _Problem(_("usage: {{ padded IMAGE P [zero|replicate] }}"))
        image = self._grid(args[0], "padded", variables)
        amount = _non_negative(_whole(args[1], "padded", variables), "padding")
        return pad_grid(image, amount, args[2] if len(args) == 3 else "zero")

    def _changed(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{ changed GRID OTHER }}: the share of positions whose values differ")
            )
        first = self._grid(args[0], "changed", variables)
        second = self._grid(args[1], "changed", variables)
        if (len(first.channels), first.height, first.width) != (
            len(second.channels),
            second.height,
            second.width,
        ):
            raise _Problem(_("changed: the two grids differ in size"))
        pairs = [
            (a, b)
            for c1, c2 in zip(first.channels, second.channels)
            for r1, r2 in zip(c1, c2)
            for a, b in zip(r1, r2)
        ]
        return Quantity(Fraction(sum(1 for a, b in pairs if a != b), len(pairs)), percent=True)

    def _kernel(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem(
                _("usage: {{ kernel NAME }}, a Conv Lab preset such as laplacian or sobel-x")
            )
        from cnntui.conv import kernels

        preset = kernels.get(args[0]) if args[0] != kernels.RANDOM else None
        if preset is None:
            raise _Problem(_("kernel: 'random' has no fixed values to show"))
        channels = []
        for channel in preset.values:
            rows = []
            for row in channel:
                exact = [Fraction(float(v)).limit_denominator(1000) / preset.scale for v in row]
                rows.append(tuple(int(v) if v.denominator == 1 else v for v in exact))
            channels.append(tuple(rows))
        return Matrix(tuple(channels))
