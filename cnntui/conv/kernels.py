"""Named convolution kernels and parsing kernels written as text.

Text form: rows separated by ``;``, values by ``,`` (or spaces), fractions allowed, and channels of
a multi-channel kernel separated by ``|``::

    0,1,0;1,-4,1;0,1,0            the Laplacian
    1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9
    1,0;0,1|0,1;1,0|1,1;1,1       a 3-channel 2×2 kernel

Kernels are 1×1 up to 7×7 (not necessarily square). Values are float64 arrays ``(C, kh, kw)``.
Note that, as in every deep-learning framework, "convolution" here is cross-correlation: the
kernel is not flipped, so a kernel is read as it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from cnntui.errors import UsageError
from cnntui.i18n import N_, _

MAX_SIZE = 7

MAX_EXPONENT = 300
"""Largest power of ten a kernel value may be written with (``1e300``); float64 ends near 1e308."""

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?")


@dataclass(frozen=True)
class Kernel:
    """A kernel with its name; `values` is float64 ``(C, kh, kw)``; `scale` is shown as ``1/16 ×``."""

    name: str
    values: np.ndarray
    title: str = ""
    scale: Fraction = Fraction(1)
    """A common factor the values were written with (1/9 for the box blur), for display."""

    @property
    def channels(self) -> int:
        return int(self.values.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        return (int(self.values.shape[1]), int(self.values.shape[2]))

    def for_channels(self, channels: int) -> Kernel:
        """The same kernel repeated over `channels` input channels (a one-channel kernel only).

        Used for an RGB image with a greyscale preset: each channel is filtered alike and the three
        results are summed, exactly what a 3-channel filter with equal slices computes.
        """
        if self.channels == channels:
            return self
        if self.channels != 1:
            raise UsageError(
                _(
                    "the kernel has {channels} channels but the image has {channels2}; give one channel (used for all) or {channels2} separated by '|'"
                ).format(channels=self.channels, channels2=channels)
            )
        return Kernel(self.name, np.repeat(self.values, channels, axis=0), self.title, self.scale)

    def text(self) -> str:
        """The kernel in the text form `parse` reads back."""
        return "|".join(
            ";".join(",".join(_number_text(v) for v in row) for row in channel)
            for channel in self.values
        )


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    fraction = Fraction(value).limit_denominator(64)
    if abs(float(fraction) - value) < 1e-12:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{value:.6g}"


def _kernel(name: str, title: str, rows: list[list[int]], scale: Fraction = Fraction(1)) -> Kernel:
    values = np.array(rows, dtype=np.float64)[None] * float(scale)
    return Kernel(name, values, title, scale)


PRESETS: dict[str, Kernel] = {
    kernel.name: kernel
    for kernel in (
        _kernel("identity", N_("Identity"), [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        # The outer product of [1, 0, -1] with itself: a mixed second derivative d²/dxdy. It is
        # 0 on any straight vertical or horizontal edge and responds at corners and saddles.
        _kernel(
            "mixed-derivative",
            N_("Mixed derivative (corners, not edges)"),
            [[1, 0, -1], [0, 0, 0], [-1, 0, 1]],
        ),
        _kernel(
            "laplacian", N_("Laplacian (4-neighbour edges)"), [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
        ),
        _kernel(
            "laplacian-8",
            N_("Laplacian (8-neighbour edges)"),
            [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
        ),
        _kernel("sobel-x", N_("Sobel, vertical edges"), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        _kernel("sobel-y", N_("Sobel, horizontal edges"), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        _kernel("prewitt-x", N_("Prewitt, vertical edges"), [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]),
        _kernel("prewitt-y", N_("Prewitt, horizontal edges"), [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]),
        _kernel("sharpen", N_("Sharpen"), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        _kernel(
            "box-blur", N_("Box blur (1/9)"), [[1, 1, 1], [1, 1, 1], [1, 1, 1]], Fraction(1, 9)
        ),
        _kernel(
            "gaussian",
            N_("Gaussian blur (1/16)"),
            [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
            Fraction(1, 16),
        ),
        _kernel("emboss", N_("Emboss"), [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    )
}

ALIASES = {
    "sobel-vertical": "sobel-x",
    "sobel-horizontal": "sobel-y",
    "prewitt-vertical": "prewitt-x",
    "prewitt-horizontal": "prewitt-y",
    "blur": "box-blur",
    "gaussian-blur": "gaussian",
    "outline": "laplacian-8",
}

RANDOM = "random"
"""The name of the random kernel: 3×3 integers in −2…2 drawn from the given generator."""


def names() -> list[str]:
    """Preset names, then ``random``."""
    return [*PRESETS, RANDOM]


def random_kernel(
    rng: np.random.Generator, size: tuple[int, int] = (3, 3), channels: int = 1
) -> Kernel:
    """Small random integers (−2…2) so the products stay readable."""
    values = rng.integers(-2, 3, size=(channels, *size)).astype(np.float64)
    return Kernel(RANDOM, values, "Random")


def get(name_or_text: str, rng: np.random.Generator | None = None) -> Kernel:
    """A preset by name (or alias), ``random``, or a kernel written as text; else `UsageError`."""
    key = name_or_text.strip().lower()
    key = ALIASES.get(key, key)
    if key in PRESETS:
        return PRESETS[key]
    if key == RANDOM:
        return random_kernel(rng if rng is not None else np.random.default_rng())
    if any(ch in ",;|" for ch in key) or re.fullmatch(r"[-+./\deE ]+", key):
        return parse(name_or_text)
    raise UsageError(
        _(
            "unknown kernel {name_or_text!r}; use one of {choices}, or write one like '0,1,0;1,-4,1;0,1,0'"
        ).format(name_or_text=name_or_text, choices=", ".join(names()))
    )


def parse(text: str) -> Kernel:
    """A kernel written as text (see the module docstring); raises `UsageError` with the reason."""
    channels = []
    for c, channel_text in enumerate(text.split("|")):
        rows = [row for row in channel_text.strip().strip(";").split(";")]
        matrix: list[list[float]] = []
        for r, row in enumerate(rows):
            items = [item for item in row.replace(",", " ").split() if item]
            if not items:
                raise UsageError(
                    _(
                        "kernel {text!r}: row {value} is empty; write rows separated by ';' and values by ',', e.g. '0,1,0;1,-4,1;0,1,0'"
                    ).format(text=text, value=r + 1)
                )
            try:
                matrix.append([parse_value(item) for item in items])
            except ValueError as error:
                raise UsageError(
                    _("kernel {text!r}: {error}").format(text=text, error=error)
                ) from None
        widths = {len(row) for row in matrix}
        if len(widths) != 1:
            raise UsageError(
                _(
                    "kernel {text!r}: rows have different lengths ({choices}); every row needs the same number of values"
                ).format(text=text, choices=", ".join(str(len(r)) for r in matrix))
            )
        height, width = len(matrix), widths.pop()
        if not (1 <= height <= MAX_SIZE and 1 <= width <= MAX_SIZE):
            raise UsageError(
                _(
                    "kernel {text!r} is {height}×{width}; kernels go from 1×1 to {max_size}×{max_size}"
                ).format(text=text, height=height, width=width, max_size=MAX_SIZE)
            )
        channels.append(np.array(matrix, dtype=np.float64))
        if c and channels[c].shape != channels[0].shape:
            raise UsageError(
                _(
                    "kernel {text!r}: channel {value} is {value2}×{value3} but channel 1 is {value4}×{value5}"
                ).format(
                    text=text,
                    value=c + 1,
                    value2=channels[c].shape[0],
                    value3=channels[c].shape[1],
                    value4=channels[0].shape[0],
                    value5=channels[0].shape[1],
                )
            )
    values = np.stack(channels)
    if not np.all(np.isfinite(values)):
        raise UsageError(_("kernel {text!r}: values must be finite numbers").format(text=text))
    return Kernel("custom", values, "Custom")


def parse_value(item: str) -> float:
    """One kernel value: a decimal (``-4``, ``0.25``, ``1e-3``) or a fraction (``1/9``).

    The exponent is checked before any exact arithmetic, so ``1e1000000000`` is refused at once
    instead of being expanded into a billion-digit fraction. Raises `ValueError` with the reason.
    """
    parts = item.strip().split("/")
    if len(parts) > 2:
        raise ValueError(_("{item!r} is not a number").format(item=item))
    for part in parts:
        match = _DECIMAL.fullmatch(part.strip())
        if match is None:
            raise ValueError(_("{item!r} is not a number").format(item=item))
        exponent = match.group("exp")
        if exponent is not None and (
            len(exponent.lstrip("+-")) > 4 or abs(int(exponent)) > MAX_EXPONENT
        ):
            raise ValueError(
                _(
                    "{item!r} is out of range: write values between 1e-{max_exponent} and 1e{max_exponent}"
                ).format(item=item, max_exponent=MAX_EXPONENT)
            )
    try:
        value = float(Fraction(item.strip()))
    except ZeroDivisionError:
        raise ValueError(
            _("{item!r} is not a number (it divides by zero)").format(item=item)
        ) from None
    except (ValueError, OverflowError):
        raise ValueError(_("{item!r} is not a number").format(item=item)) from None
    if not np.isfinite(value):
        raise ValueError(_("{item!r} is too large for a float").format(item=item))
    return value
