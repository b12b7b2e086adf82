"""The Conv Lab's colours: values to RGB, the tints that mark padding, inserted zeros, the
window and the chosen cell, the cached Rich styles a grid draws with, and the legend.

Greyscale for values in [low, high]; a diverging blue-to-red scale when the values have both
signs. Padding gets a blue tint, zeros inserted by a transposed convolution a violet one, and the
window a yellow one, so they stay apart in 256 and in 16 colours.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text

from cnntui.text import number_text

ASCII_RAMP = " .:-=+*#%@"
WINDOW_TINT = (255, 200, 0)
CHOSEN_TINT = (255, 60, 60)
PADDING_TINT = (60, 90, 200)
INSERTED_TINT = (170, 60, 200)
EMPTY = (28, 28, 36)


def value_colour(value: float, low: float, high: float, diverging: bool) -> tuple[int, int, int]:
    """The colour of one value: greyscale from low to high, or blue (−) / white (0) / red (+)."""
    if np.isnan(value):
        return EMPTY
    if np.isinf(value):
        return (0, 0, 0)
    if diverging:
        extent = max(abs(low), abs(high)) or 1.0
        t = float(np.clip(value / extent, -1.0, 1.0))
        if t >= 0:
            return (255, int(255 * (1 - t)), int(255 * (1 - t)))
        return (int(255 * (1 + t)), int(255 * (1 + t)), 255)
    span = high - low
    t = 0.0 if span <= 0 else float(np.clip((value - low) / span, 0.0, 1.0))
    level = int(round(255 * t))
    return (level, level, level)


def value_colours(values: np.ndarray, low: float, high: float, diverging: bool) -> np.ndarray:
    """`value_colour` for a whole ``(H, W)`` array at once: ``(H, W, 3)`` floats."""
    out = np.empty((*values.shape, 3))
    if diverging:
        extent = max(abs(low), abs(high)) or 1.0
        t = np.clip(np.nan_to_num(values / extent), -1.0, 1.0)
        fade = 255 * (1 - np.abs(t))
        out[..., 0] = np.where(t >= 0, 255, fade)
        out[..., 1] = fade
        out[..., 2] = np.where(t >= 0, fade, 255)
    else:
        span = high - low
        t = (
            np.zeros_like(values)
            if span <= 0
            else np.clip(np.nan_to_num((values - low) / span), 0, 1)
        )
        out[...] = np.rint(255 * t)[..., None]
    out[np.isnan(values)] = EMPTY
    out[np.isinf(values)] = 0
    return out


def mix_colour(
    colour: tuple[int, int, int], tint: tuple[int, int, int], amount: float
) -> tuple[int, int, int]:
    return tuple(int(c * (1 - amount) + t * amount) for c, t in zip(colour, tint, strict=True))  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def rich_colour(colour: tuple[int, int, int]) -> Color:
    return Color.from_rgb(*colour)


@lru_cache(maxsize=8192)
def cell_style(
    fg: tuple[int, int, int] | None = None,
    bg: tuple[int, int, int] | None = None,
    bold: bool = False,
    italic: bool = False,
    dim: bool = False,
) -> Style:
    return Style(
        color=rich_colour(fg) if fg is not None else None,
        bgcolor=rich_colour(bg) if bg is not None else None,
        bold=bold or None,
        italic=italic or None,
        dim=dim or None,
    )


def legend(
    low: float,
    high: float,
    diverging: bool,
    ascii_mode: bool,
    width: int = 10,
    room: int | None = None,
) -> Text:
    """One line: the value range as a colour bar `width` cells long (coloured spaces, so it is
    ASCII-safe), and under `--ascii` the character ramp. With `room` (the cells available) the
    bar shrinks, down to 3 cells, and the ramp loses its label, so the line is never cut."""
    low_text, high_text = number_text(low), number_text(high)
    if ascii_mode:
        low_text, high_text = low_text.replace("−", "-"), high_text.replace("−", "-")
    ramp = f"  ramp '{ASCII_RAMP[0]}'..'{ASCII_RAMP[-1]}'" if ascii_mode else ""
    if room:
        fixed = len(low_text) + len(high_text) + 2
        if ramp and fixed + 3 + len(ramp) > room:
            ramp = f" '{ASCII_RAMP[0]}'..'{ASCII_RAMP[-1]}'"
        width = max(3, min(width, room - fixed - len(ramp)))
    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{low_text} ")
    for i in range(width):
        value = low + (high - low) * (i + 0.5) / width
        text.append(" ", Style(bgcolor=rich_colour(value_colour(value, low, high, diverging))))
    text.append(f" {high_text}")
    text.append(ramp)
    return text
