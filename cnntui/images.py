"""Images for the Conv Lab and `cnntui conv` / `cnntui pool`: bundled ones by name, or a user's file.

Supported files:

* PGM and PPM, plain (``P2``/``P3``) and binary (``P5``/``P6``), 8 or 16 bits: always;
* PNG and JPEG (and BMP/GIF): when Pillow is importable (``pip install 'cnntui[images]'``);
* ASCII-art text (``.txt``): one character per pixel, mapped by `ASCII_RAMP` from dark to bright:
  space is 0 and ``@`` is 1, in ten even steps (`` .:-=+*#%@``). Lines may differ in length (the
  short ones are padded with spaces); blank lines at the start and end are dropped.

Every image becomes float32 ``(C, H, W)`` in [0, 1], with C = 1 (grey) or 3 (RGB). A file that
cannot be read raises `UsageError` with the reason in one line; nothing is ever unpickled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from cnntui import userfile
from cnntui.errors import UsageError
from cnntui.i18n import N_, _
from cnntui.paths import check_user_path
from cnntui.resources import asset_path

MAX_PIXELS = 40_000_000
"""Largest image decoded at all (an 8000×5000 photo): a small compressed file can claim a size
whose pixels would not fit in memory."""

ASCII_RAMP = " .:-=+*#%@"
"""ASCII-art intensities from 0 (space) to 1 (``@``): character i means i / 9."""

MAX_SIDE = 1024
"""Largest height or width accepted from a file (the labs step pixel by pixel)."""

NETPBM_SUFFIXES = (".pgm", ".ppm", ".pnm")
PILLOW_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
TEXT_SUFFIXES = (".txt", ".asc")


@dataclass(frozen=True)
class Image:
    """A loaded image: `pixels` is float32 ``(C, H, W)`` in [0, 1]."""

    name: str
    pixels: np.ndarray
    description: str = ""

    @property
    def channels(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[2])

    def grey(self) -> np.ndarray:
        """``(H, W)`` luminance (ITU-R BT.601 weights for RGB)."""
        if self.channels == 1:
            return self.pixels[0]
        weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None, None]
        return (self.pixels * weights).sum(axis=0).astype(np.float32)


# -- bundled images -------------------------------------------------------------------------------


@cache
def _catalog() -> dict[str, tuple[str, str]]:
    """Name → (file name, description), read from `assets/images/catalog.txt`."""
    entries: dict[str, tuple[str, str]] = {}
    try:
        text = asset_path("images", "catalog.txt").read_text(encoding="utf-8")
    except OSError:
        return entries
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, filename, description = (part.strip() for part in line.split("|", 2))
        entries[name] = (filename, description)
    return entries


def names() -> list[str]:
    """Names of the bundled images, in catalogue order (digits, letters, shapes, photo, RGB)."""
    return list(_catalog())


def describe(name: str) -> str:
    """One line about a bundled image, in the current language."""
    return translated_description(_catalog()[name][1])


_SHAPE_WORDS = {
    "circle": N_("a circle"),
    "square": N_("a square"),
    "triangle": N_("a triangle"),
    "cross": N_("a cross"),
    "diagonal": N_("a diagonal"),
    "stripes": N_("stripes"),
    "checker": N_("a checker"),
}
"""The shapes the catalogue draws, as its descriptions name them ("a circle, 16×16 binary")."""

_FIXED_DESCRIPTIONS = (
    N_("three coloured balloons, RGB 24×24"),
    N_("the balloons, RGB 8×8"),
    N_("the landscape at 32×32"),
    N_("a greyscale landscape photograph, 64×64"),
)
"""The catalogue's descriptions without a pattern (marked here for the message catalogue)."""

_DESCRIPTION_PATTERNS = (
    (
        re.compile(r"the digit (?P<what>\w), (?P<size>\S+) like MNIST"),
        N_("the digit {what}, {size} like MNIST"),
    ),
    (
        re.compile(r"the digit (?P<what>\w), (?P<size>\S+) binary"),
        N_("the digit {what}, {size} binary"),
    ),
    (re.compile(r"the digit (?P<what>\w), (?P<size>\S+)"), N_("the digit {what}, {size}")),
    (
        re.compile(r"the letter (?P<what>\w), (?P<size>\S+) binary"),
        N_("the letter {what}, {size} binary"),
    ),
    (re.compile(r"the letter (?P<what>\w), (?P<size>\S+)"), N_("the letter {what}, {size}")),
    (re.compile(r"an? (?P<shape>\w+), (?P<size>\S+) binary"), N_("{shape}, {size} binary")),
)


def translated_description(text: str) -> str:
    """A catalogue description in the current language: the digit, letter and shape lines by
    pattern (the name and size unchanged), the others by their own entry; unknown text as it is."""
    for pattern, template in _DESCRIPTION_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = match.groupdict()
        if "shape" in values:
            shape = _SHAPE_WORDS.get(values["shape"])
            if shape is None:
                return _(text)
            values["shape"] = _(shape)
        return _(template).format(**values)
    return _(text)


def load(name_or_path: str) -> Image:
    """A bundled image by name, or an image file by path; raises `UsageError` when neither works."""
    catalog = _catalog()
    if name_or_path in catalog:
        filename, description = catalog[name_or_path]
        path = asset_path("images", filename)
        try:
            pixels = read_file(path)
        except UsageError as error:
            raise UsageError(
                _("the bundled image {name_or_path} is damaged ({error}); reinstall cnntui").format(
                    name_or_path=name_or_path, error=error
                )
            ) from None
        return Image(name_or_path, pixels, description)
    path = check_user_path(name_or_path)
    if not path.exists():
        shown = ", ".join(_short_catalog())
        raise UsageError(
            _(
                "no image named {name_or_path!r} and no such file; bundled images: {shown}; or give a path to a .pgm/.ppm/.png/.jpg/.txt file"
            ).format(name_or_path=name_or_path, shown=shown)
        )
    return Image(path.name, read_file(path), str(path))


def _short_catalog() -> list[str]:
    """The catalogue with runs like digit-0 … digit-9 shortened."""
    shown: list[str] = []
    groups: dict[str, list[str]] = {}
    for name in _catalog():
        groups.setdefault(re.sub(r"-[0-9A-Z](?=-|$)", "-*", name), []).append(name)
    for members in groups.values():
        shown.append(members[0] if len(members) < 3 else f"{members[0]}…{members[-1]}")
    return shown


# -- files ----------------------------------------------------------------------------------------


def read_file(path: Path) -> np.ndarray:
    """Any supported image file as float32 ``(C, H, W)`` in [0, 1]."""
    if path.is_dir():
        raise UsageError(_("{path} is a folder, not an image file").format(path=path))
    try:
        data = userfile.read_bytes(path, "image")
    except OSError as error:
        raise UsageError(
            _("cannot read {path}: {value}").format(path=path, value=error.strerror or error)
        ) from None
    suffix = path.suffix.lower()
    if data[:2] in (b"P2", b"P3", b"P5", b"P6") or suffix in NETPBM_SUFFIXES:
        pixels = parse_netpbm(data, path.name)
    elif suffix in TEXT_SUFFIXES:
        pixels = parse_ascii_art(data, path.name)
    elif (
        suffix in PILLOW_SUFFIXES or data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff"
    ):
        pixels = read_with_pillow(path)
    else:
        raise UsageError(
            _(
                "{name}: unknown image type; use PGM/PPM (.pgm .ppm), PNG/JPEG with Pillow, or ASCII art (.txt, ramp {ascii_ramp!r})"
            ).format(name=path.name, ascii_ramp=ASCII_RAMP)
        )
    _check_size(pixels, path.name)
    return pixels


def _check_size(pixels: np.ndarray, name: str) -> None:
    _channels, height, width = pixels.shape
    if max(height, width) > MAX_SIDE:
        raise UsageError(
            _(
                "{name} is {height}×{width}; the labs take images up to {max_side} pixels a side"
            ).format(name=name, height=height, width=width, max_side=MAX_SIDE)
        )


_TOKEN = re.compile(rb"(?:\s|#[^\n]*(?:\n|$))*([^\s#]+)")


def parse_netpbm(data: bytes, name: str = "image", max_side: int | None = MAX_SIDE) -> np.ndarray:
    """PGM/PPM bytes (P2, P3, P5, P6, 8 or 16 bits) as float32 ``(C, H, W)`` in [0, 1].

    C is 1 for PGM and 3 for PPM. `name` starts every error message; `max_side` rejects larger
    images before their pixels are decoded (None: no limit, for data sets that resize anyway).
    Raises `UsageError` with a one-line reason for anything malformed.
    """
    levels, maxval = decode_netpbm(data, name, max_side)
    image = levels.transpose(2, 0, 1)
    return (image.astype(np.float32) / np.float32(maxval)).astype(np.float32)


def decode_netpbm(
    data: bytes, name: str = "image", max_side: int | None = MAX_SIDE
) -> tuple[np.ndarray, int]:
    """PGM/PPM bytes as their integer levels: int64 ``(H, W, C)`` in 0..maxval, and maxval.

    The checks and errors of `parse_netpbm`, for callers that want the stored levels unscaled.
    """
    magic = data[:2]
    if magic not in (b"P2", b"P3", b"P5", b"P6"):
        raise UsageError(
            _("{name}: not a PGM/PPM file (it should start with P2, P3, P5 or P6)").format(
                name=name
            )
        )
    channels = 3 if magic in (b"P3", b"P6") else 1
    header: list[int] = []
    pos = 2
    while len(header) < 3:
        match = _TOKEN.match(data, pos)
        if match is None:
            raise UsageError(
                _(
                    "{name}: the header ends early (it needs width, height and maximum value)"
                ).format(name=name)
            )
        try:
            header.append(int(match.group(1)))
        except ValueError:
            raise UsageError(
                _("{name}: the header has {value!r} where a number belongs").format(
                    name=name, value=match.group(1)[:20]
                )
            ) from None
        pos = match.end()
    width, height, maxval = header
    if width < 1 or height < 1:
        raise UsageError(
            _("{name}: the size {width}×{height} is empty").format(
                name=name, width=width, height=height
            )
        )
    if not 1 <= maxval <= 65535:
        raise UsageError(
            _("{name}: the maximum value {maxval} is outside 1–65535").format(
                name=name, maxval=maxval
            )
        )
    if max_side is not None and max(width, height) > max_side:
        raise UsageError(
            _(
                "{name} is {height}×{width}; the labs take images up to {max_side} pixels a side"
            ).format(name=name, height=height, width=width, max_side=max_side)
        )
    count = width * height * channels
    if magic in (b"P5", b"P6"):
        if pos >= len(data) or data[pos : pos + 1] not in (b" ", b"\n", b"\r", b"\t"):
            raise UsageError(
                _("{name}: the header must end with one whitespace byte before the pixels").format(
                    name=name
                )
            )
        pos += 1
        dtype = np.dtype(">u2") if maxval > 255 else np.dtype(np.uint8)
        needed = count * dtype.itemsize
        if len(data) - pos < needed:
            raise UsageError(
                _("{name} is truncated: {value} of {needed} pixel bytes").format(
                    name=name, value=len(data) - pos, needed=needed
                )
            )
        values = np.frombuffer(data, dtype=dtype, count=count, offset=pos).astype(np.int64)
    else:
        tokens = data[pos:].split()
        if len(tokens) < count:
            raise UsageError(
                _("{name} is truncated: {value} of {count} pixel values").format(
                    name=name, value=len(tokens), count=count
                )
            )
        try:
            values = np.array([int(t) for t in tokens[:count]], dtype=np.int64)
        except ValueError:
            raise UsageError(
                _("{name}: the pixel values must be whole numbers").format(name=name)
            ) from None
    if values.size and (values.min() < 0 or values.max() > maxval):
        raise UsageError(
            _("{name}: a pixel value is outside 0–{maxval}").format(name=name, maxval=maxval)
        )
    return values.reshape(height, width, channels), maxval


def parse_ascii_art(data: bytes, name: str = "image") -> np.ndarray:
    """ASCII-art text (see `ASCII_RAMP`) as float32 ``(1, H, W)`` in [0, 1]."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise UsageError(
            _("{name}: ASCII art must be plain ASCII text using {ascii_ramp!r}").format(
                name=name, ascii_ramp=ASCII_RAMP
            )
        ) from None
    lines = text.replace("\t", "    ").splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise UsageError(
            _("{name}: the ASCII art is empty; draw with the characters {ascii_ramp!r}").format(
                name=name, ascii_ramp=ASCII_RAMP
            )
        )
    width = max(len(line) for line in lines)
    if max(width, len(lines)) > MAX_SIDE:
        raise UsageError(
            _("{name} is {value}×{width}; the labs take images up to {max_side} a side").format(
                name=name, value=len(lines), width=width, max_side=MAX_SIDE
            )
        )
    levels = np.zeros((len(lines), width), dtype=np.float32)
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            index = ASCII_RAMP.find(char)
            if index < 0:
                raise UsageError(
                    _(
                        "{name}: line {value}, column {value2} has {char!r}, which is not on the ramp {ascii_ramp!r} (dark to bright)"
                    ).format(
                        name=name, value=row + 1, value2=col + 1, char=char, ascii_ramp=ASCII_RAMP
                    )
                )
            levels[row, col] = index / (len(ASCII_RAMP) - 1)
    return levels[None]


def read_with_pillow(
    path: Path,
    name: str | None = None,
    max_side: int | None = MAX_SIDE,
    native: str = "PGM/PPM and ASCII-art files",
) -> np.ndarray:
    """A PNG/JPEG/BMP/GIF file read by Pillow as float32 ``(C, H, W)`` in [0, 1], C = 1 or 3.

    `name` starts every error message (default: the file name); `max_side` as in `parse_netpbm`;
    `native` names the formats the caller reads without Pillow, for the "needs Pillow" hint.
    Raises `UsageError` with a one-line reason.
    """
    name = path.name if name is None else name
    try:
        from PIL import Image as PILImage
        from PIL import UnidentifiedImageError
    except ImportError:
        raise UsageError(
            _(
                "{name}: reading {value} files needs Pillow (pip install 'cnntui[images]'); {native} work without it"
            ).format(name=name, value=path.suffix or "this", native=native)
        ) from None
    try:
        with PILImage.open(path) as img:
            if max_side is not None and max(img.size) > max_side:
                raise UsageError(
                    _(
                        "{name} is {value}×{value2}; the labs take images up to {max_side} pixels a side"
                    ).format(name=name, value=img.size[1], value2=img.size[0], max_side=max_side)
                )
            if img.size[0] * img.size[1] > MAX_PIXELS:
                raise UsageError(
                    _(
                        "{name} is {value}×{value2} pixels, more than {max_pixels:,} an image may have here; scale it down first"
                    ).format(
                        name=name, value=img.size[1], value2=img.size[0], max_pixels=MAX_PIXELS
                    )
                )
            img.load()
            colour = img.mode not in ("1", "L", "LA", "I", "I;16", "F")
            array = np.asarray(img.convert("RGB" if colour else "L"), dtype=np.float32) / 255.0
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        PILImage.DecompressionBombError,
    ) as error:
        raise UsageError(
            _("{name} is not a readable image ({error})").format(name=name, error=error)
        ) from None
    return (array.transpose(2, 0, 1) if array.ndim == 3 else array[None]).astype(np.float32)


def to_netpbm(pixels: np.ndarray, plain: bool = True) -> bytes:
    """Encode float ``(C, H, W)`` in [0, 1] as PGM (C = 1) or PPM (C = 3), 8 bits."""
    levels = np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8).transpose(1, 2, 0)
    return netpbm_from_levels(levels, plain)


def netpbm_from_levels(levels: np.ndarray, plain: bool = False) -> bytes:
    """Encode uint8 levels ``(H, W)`` or ``(H, W, 1)`` as PGM, ``(H, W, 3)`` as PPM (maxval 255).

    `plain` writes the text forms (P2/P3), else the binary ones (P5/P6).
    """
    levels = np.asarray(levels, dtype=np.uint8)
    if levels.ndim == 2:
        levels = levels[:, :, None]
    if levels.ndim != 3 or levels.shape[2] not in (1, 3):
        raise ValueError(f"PGM/PPM levels are (H, W), (H, W, 1) or (H, W, 3), got {levels.shape}")
    height, width, channels = levels.shape
    magic = {(1, True): "P2", (3, True): "P3", (1, False): "P5", (3, False): "P6"}[
        (channels, plain)
    ]
    header = f"{magic}\n{width} {height}\n255\n".encode("ascii")
    if not plain:
        return header + levels.tobytes()
    rows = [" ".join(str(v) for v in row.reshape(-1)) for row in levels]
    return header + ("\n".join(rows) + "\n").encode("ascii")


def shrink_to_fit(pixels: np.ndarray, limit: int) -> np.ndarray:
    """Average-pool ``(C, H, W)`` by the smallest whole factor that makes both sides ≤ `limit`."""
    _channels, height, width = pixels.shape
    factor = max(1, -(-max(height, width) // limit))
    if factor == 1:
        return pixels
    h, w = height // factor * factor, width // factor * factor
    cropped = pixels[:, :h, :w]
    return (
        cropped.reshape(pixels.shape[0], h // factor, factor, w // factor, factor)
        .mean(axis=(2, 4))
        .astype(np.float32)
    )
