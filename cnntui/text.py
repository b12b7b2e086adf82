"""Text helpers shared by the labs and their screens: ASCII fallbacks and readable numbers.

Pure string functions with no imports beyond the standard library, so any layer may use them.
"""

from __future__ import annotations

import math
from fractions import Fraction


def is_hangul(char: str) -> bool:
    """Whether `char` is a Hangul syllable or jamo (kept by `--ascii`: it is text, not drawing)."""
    code = ord(char)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def ascii_text(text: str) -> str:
    """The same text with only ASCII characters, and Hangul (for terminals in ``--ascii`` mode:
    it promises no drawing glyphs, and Korean text is the language, not a drawing)."""
    table = {
        "×": "x",
        "·": "*",
        "−": "-",
        "⌊": "floor(",
        "⌋": ")",
        "⌈": "ceil(",
        "⌉": ")",
        "≠": "!=",
        "≤": "<=",
        "≥": ">=",
        "≈": "~",
        "→": "->",
        "k̂": "k_eff",
        "…": "...",
        "–": "-",
        "²": "^2",
    }
    for symbol, plain in table.items():
        text = text.replace(symbol, plain)
    if text.isascii():
        return text
    return "".join(c if c.isascii() or is_hangul(c) else "?" for c in text)


def number_text(value: float, digits: int = 2) -> str:
    """Compact number: ``3``, ``0.25``, ``−1.5`` (true minus sign), ``−∞``."""
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    if math.isnan(value):
        return "·"
    rounded = round(float(value), digits)
    if rounded == int(rounded):
        text = str(int(rounded))
    else:
        text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", "−")


def fraction_text(value: Fraction) -> str:
    """``5`` or ``1/2``."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def human_count(value: int) -> str:
    """``60,965,224 (61.0 M)``-style text for big counts."""
    if value < 10_000:
        return f"{value:,}"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value:,} ({value / scale:.1f} {unit})"
    return f"{value:,}"


def short_count(value: int) -> str:
    """``9,216``, ``34.9k``, ``37.8M``, ``1.4G``: at most seven characters for table cells."""
    if value < 10_000:
        return f"{value:,}"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f}{unit}"
    return str(value)


def human_bytes(value: int) -> str:
    """``1.2 MiB``-style text."""
    if value >= 1024**7:  # beyond what a float divides comfortably: whole exbibytes
        return f"{value // 1024**6:,} EiB"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if size < 1024 or unit == "EiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


def format_count(value: int) -> str:
    """Thousands separated: 138357544 -> `138,357,544`."""
    return f"{value:,}"


def format_si(value: float, unit: str = "") -> str:
    """Three significant figures with k/M/G/T: 15470264320 -> `15.5G`."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            scaled = value / factor
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            return f"{scaled:.{digits}f}{prefix}{unit}"
    return f"{value:g}{unit}"
