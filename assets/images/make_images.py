"""Regenerate the bundled images of `assets/images/` (deterministic; NumPy only; no network).

Run from the repository root::

    python assets/images/make_images.py

Everything is drawn here from a 5×7 bitmap font and simple geometry, so the files carry no third-
party rights. Each image is a plain-text PGM (grey) or PPM (colour) with 8-bit values, and
`catalog.txt` lists them as ``name | file | description`` for `cnntui.images`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

FONT = {
    "0": ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    "1": ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    "2": ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
    "3": ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
    "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    "5": ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    "6": ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    "9": ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
    "H": ["10001", "10001", "10001", "11111", "10001", "10001", "10001"],
    "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
    "O": ["01110", "10001", "10001", "10001", "10001", "10001", "01110"],
    "T": ["11111", "00100", "00100", "00100", "00100", "00100", "00100"],
    "X": ["10001", "10001", "01010", "00100", "01010", "10001", "10001"],
}


def glyph(char: str) -> np.ndarray:
    return np.array([[int(c) for c in row] for row in FONT[char]], dtype=np.float64)


def render_glyph(char: str, size: int) -> np.ndarray:
    """The glyph centred on a size×size canvas, with a thick anti-aliased stroke (MNIST-like)."""
    bitmap = glyph(char)
    if size <= 8:
        canvas = np.zeros((size, size))
        top, left = (size - 7) // 2, (size - 5) // 2
        canvas[top : top + 7, left : left + 5] = bitmap
        return canvas
    # Draw on a 4× supersampled grid with a round brush, then average 4×4 blocks.
    scale = 4
    big = size * scale
    box = int(round(size * 0.7))  # glyph height in pixels; MNIST digits fill about 20 of 28
    cell = box * scale / 7
    top = (big - 7 * cell) / 2
    left = (big - 5 * cell) / 2
    yy, xx = np.mgrid[0:big, 0:big] + 0.5
    canvas = np.zeros((big, big))
    radius = cell * 0.62
    ys, xs = np.nonzero(bitmap)
    for y, x in zip(ys, xs, strict=True):
        cy, cx = top + (y + 0.5) * cell, left + (x + 0.5) * cell
        canvas = np.maximum(canvas, (((yy - cy) ** 2 + (xx - cx) ** 2) <= radius**2).astype(float))
        # Join neighbouring pixels of the bitmap with a stroke so diagonals stay connected.
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < 7 and 0 <= nx < 5 and bitmap[ny, nx]:
                if dy and dx and (bitmap[y, nx] or bitmap[ny, x]):
                    continue
                ey, ex = top + (ny + 0.5) * cell, left + (nx + 0.5) * cell
                canvas = np.maximum(canvas, _segment(yy, xx, (cy, cx), (ey, ex), radius))
    return canvas.reshape(size, scale, size, scale).mean(axis=(1, 3))


def _segment(yy, xx, start, end, radius):  # type: ignore[no-untyped-def]
    (ay, ax), (by, bx) = start, end
    dy, dx = by - ay, bx - ax
    t = np.clip(((yy - ay) * dy + (xx - ax) * dx) / (dy * dy + dx * dx), 0, 1)
    return (((yy - ay - t * dy) ** 2 + (xx - ax - t * dx) ** 2) <= radius**2).astype(float)


def shape(kind: str, size: int) -> np.ndarray:
    """Simple binary shapes: exact 0/1 values keep the convolution sums easy to check by hand."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    c = size / 2
    m = max(1, size // 4)
    if kind == "square":
        return ((yy > m) & (yy < size - m) & (xx > m) & (xx < size - m)).astype(float)
    if kind == "circle":
        return (((yy - c) ** 2 + (xx - c) ** 2) <= (size * 0.35) ** 2).astype(float)
    if kind == "cross":
        w = max(1, size // 8)
        return ((np.abs(yy - c) < w) | (np.abs(xx - c) < w)).astype(float)
    if kind == "triangle":
        return ((yy > m) & (yy < size - m) & (np.abs(xx - c) < (yy - m) * 0.6)).astype(float)
    if kind == "stripes":
        return ((xx.astype(int) // max(1, size // 8)) % 2).astype(float)
    if kind == "checker":
        step = max(1, size // 4)
        return (((yy.astype(int) // step) + (xx.astype(int) // step)) % 2).astype(float)
    if kind == "diagonal":
        return (xx > yy).astype(float)
    raise ValueError(kind)


def photo(size: int = 64) -> np.ndarray:
    """A greyscale landscape: sky gradient, sun, two mountain ridges, a lake and textured ground."""
    rng = np.random.default_rng(1998)
    yy, xx = np.mgrid[0:size, 0:size] / size
    image = 0.55 + 0.35 * yy  # sky brightens towards the horizon
    sun = ((yy - 0.22) ** 2 + (xx - 0.75) ** 2) < 0.008
    image = np.where(sun, 0.98, image)
    ridge_far = 0.45 + 0.08 * np.sin(xx * 9) + 0.04 * np.sin(xx * 23 + 1)
    image = np.where(yy > ridge_far, 0.45 + 0.1 * np.sin(xx * 40) * (yy - ridge_far), image)
    ridge_near = 0.6 + 0.06 * np.sin(xx * 5 + 2) + 0.03 * np.sin(xx * 17)
    image = np.where(yy > ridge_near, 0.25 + 0.15 * (yy - ridge_near), image)
    lake = (yy > 0.78) & (yy < 0.9) & (xx > 0.1) & (xx < 0.6)
    image = np.where(lake, 0.7 - 0.05 * np.sin(xx * 80), image)
    ground = yy > 0.9
    image = np.where(ground, 0.35 + 0.12 * rng.random((size, size)), image)
    image = image + 0.03 * rng.standard_normal((size, size))
    return np.clip(image, 0, 1)


def rgb_balloons(size: int = 24) -> np.ndarray:
    """Three coloured balloons on a blue sky: each channel differs, for the multi-channel view."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    image = np.zeros((3, size, size))
    image[0], image[1], image[2] = 0.45, 0.7, 0.95  # sky
    for (cy, cx, r), colour in (
        ((size * 0.35, size * 0.28, size * 0.2), (0.9, 0.15, 0.1)),
        ((size * 0.5, size * 0.62, size * 0.22), (0.1, 0.8, 0.2)),
        ((size * 0.72, size * 0.35, size * 0.16), (0.95, 0.9, 0.1)),
    ):
        inside = ((yy - cy) ** 2 + (xx - cx) ** 2) <= r**2
        for channel in range(3):
            image[channel][inside] = colour[channel]
    string = (np.abs(xx - size * 0.62) < 0.6) & (yy > size * 0.72)
    for channel in range(3):
        image[channel][string] = 0.2
    return image


def encode(pixels: np.ndarray) -> bytes:
    """Plain PGM (2-D) or PPM (3×H×W) with 8-bit values, one image row per line."""
    levels = np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8)
    if levels.ndim == 2:
        magic, rows = "P2", levels
        height, width = levels.shape
    else:
        magic, rows = "P3", levels.transpose(1, 2, 0).reshape(levels.shape[1], -1)
        height, width = levels.shape[1:]
    lines = [f"{magic}", "# generated by assets/images/make_images.py", f"{width} {height}", "255"]
    lines += [" ".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("ascii")


def main() -> None:
    catalog: list[tuple[str, str, np.ndarray, str]] = []
    for digit in "0123456789":
        catalog.append(
            (
                f"digit-{digit}",
                f"digit-{digit}.pgm",
                render_glyph(digit, 28),
                f"the digit {digit}, 28×28 like MNIST",
            )
        )
    for digit in "0123456789":
        catalog.append(
            (
                f"digit-{digit}-8",
                f"digit-{digit}-8.pgm",
                render_glyph(digit, 8),
                f"the digit {digit}, 8×8 binary",
            )
        )
    for digit in "0123456789":
        catalog.append(
            (
                f"digit-{digit}-16",
                f"digit-{digit}-16.pgm",
                render_glyph(digit, 16),
                f"the digit {digit}, 16×16",
            )
        )
    for letter in "AEHLOTX":
        catalog.append(
            (
                f"letter-{letter}",
                f"letter-{letter}.pgm",
                render_glyph(letter, 16),
                f"the letter {letter}, 16×16",
            )
        )
        catalog.append(
            (
                f"letter-{letter}-8",
                f"letter-{letter}-8.pgm",
                render_glyph(letter, 8),
                f"the letter {letter}, 8×8 binary",
            )
        )
    for kind in ("square", "circle", "cross", "triangle", "stripes", "checker", "diagonal"):
        catalog.append((kind, f"{kind}.pgm", shape(kind, 16), f"a {kind}, 16×16 binary"))
        catalog.append((f"{kind}-8", f"{kind}-8.pgm", shape(kind, 8), f"a {kind}, 8×8 binary"))
        catalog.append((f"{kind}-32", f"{kind}-32.pgm", shape(kind, 32), f"a {kind}, 32×32 binary"))
    catalog.append(("photo", "photo.pgm", photo(64), "a greyscale landscape photograph, 64×64"))
    catalog.append(
        (
            "photo-32",
            "photo-32.pgm",
            photo(64).reshape(32, 2, 32, 2).mean(axis=(1, 3)),
            "the landscape at 32×32",
        )
    )
    catalog.append(
        ("balloons", "balloons.ppm", rgb_balloons(24), "three coloured balloons, RGB 24×24")
    )
    catalog.append(
        (
            "balloons-8",
            "balloons-8.ppm",
            rgb_balloons(24).reshape(3, 8, 3, 8, 3).mean(axis=(2, 4)),
            "the balloons, RGB 8×8",
        )
    )
    lines = ["# name | file | description (generated by make_images.py)"]
    for name, filename, pixels, description in catalog:
        (HERE / filename).write_bytes(encode(pixels))
        lines.append(f"{name} | {filename} | {description}")
    (HERE / "catalog.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
