"""Image transforms on NumPy batches: resizing and random augmentation.

All functions take and return float32 batches of shape `(N, C, H, W)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnntui.i18n import _


def resize_bilinear(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize `(N, C, H, W)` to `(N, C, size[0], size[1])` with bilinear interpolation.

    Uses pixel centres (like `torch.nn.functional.interpolate(..., align_corners=False)`), so an
    8×8 digit upscaled to 32×32 keeps its position and every output pixel is a weighted mean of
    at most four input pixels.
    """
    images = np.asarray(images, dtype=np.float32)
    _count, _channels, h, w = images.shape
    out_h, out_w = size
    if (h, w) == (out_h, out_w):
        return images.copy()
    ys, y0, y1, wy = _axis_weights(h, out_h)
    xs, x0, x1, wx = _axis_weights(w, out_w)
    del ys, xs
    top = (
        images[:, :, y0, :] * (1 - wy)[None, None, :, None]
        + images[:, :, y1, :] * wy[None, None, :, None]
    )
    out = top[:, :, :, x0] * (1 - wx) + top[:, :, :, x1] * wx
    return np.ascontiguousarray(out, dtype=np.float32)


def _axis_weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    coords = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    coords = np.clip(coords, 0.0, n_in - 1)
    lower = np.floor(coords).astype(np.int64)
    upper = np.minimum(lower + 1, n_in - 1)
    weight = (coords - lower).astype(np.float32)
    return coords, lower, upper, weight


@dataclass(frozen=True)
class Augmentation:
    """Random shifts of up to `max_shift` pixels (edges replicated) and optional left-right flips.

    Off by default: `Augmentation()` leaves a batch unchanged. Flips suit photos (CIFAR-10) but
    not digits, whose mirror images are not digits.
    """

    max_shift: int = 0
    flip: bool = False

    @property
    def enabled(self) -> bool:
        return self.max_shift > 0 or self.flip

    def describe(self) -> str:
        parts = []
        if self.max_shift > 0:
            parts.append(f"shift ±{self.max_shift}px")
        if self.flip:
            parts.append("left-right flip")
        return ", ".join(parts) or "none"

    def apply(self, batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """An augmented copy of `batch` `(N, C, H, W)`; draws from `rng` only when enabled."""
        if not self.enabled:
            return batch
        out = batch
        n, _channels, h, w = batch.shape
        if self.max_shift > 0:
            s = self.max_shift
            padded = np.pad(batch, ((0, 0), (0, 0), (s, s), (s, s)), mode="edge")
            offsets = rng.integers(0, 2 * s + 1, size=(n, 2))
            out = np.empty_like(batch)
            for i, (dy, dx) in enumerate(offsets):
                out[i] = padded[i, :, dy : dy + h, dx : dx + w]
        if self.flip:
            mask = rng.random(n) < 0.5
            if out is batch:
                out = batch.copy()
            out[mask] = out[mask, :, :, ::-1]
        return out


FLIPPABLE = {"cifar10"}
"""Data sets whose mirror images are still valid examples (not digits, letters or shapes)."""


def auto_augmentation(dataset: str, size: int) -> Augmentation:
    """What `auto` means: shifts of up to 1/14 of the image side (2 px at 28×28 and 32×32, 1 px
    at 16×16, none below 14×14, where one pixel is already a large move), and for photos
    (CIFAR-10) 1/8 of the side plus left-right flips; nothing for a user's folder."""
    if dataset == "folder":
        return Augmentation()
    if dataset in FLIPPABLE:
        return Augmentation(max_shift=max(1, size // 8), flip=True)
    return Augmentation(max_shift=size // 14)


def parse_augmentation(text: str, dataset: str = "", size: int = 28) -> Augmentation:
    """Parse `auto`, `none`, `shift`, `shift:N`, `flip`, or a comma list like `shift:2,flip`.

    `auto` depends on the data set and image size (see `auto_augmentation`).
    """
    text = text.strip().lower()
    if text == "auto":
        return auto_augmentation(dataset, size)
    if text in ("", "none", "off"):
        return Augmentation()
    shift, flip = 0, False
    for part in text.split(","):
        part = part.strip()
        if part == "flip":
            flip = True
        elif part == "shift":
            shift = 2
        elif part.startswith("shift:"):
            value = part.split(":", 1)[1]
            if not value.isdigit() or not 0 < int(value) <= 8:
                raise ValueError(
                    _("shift needs a whole number of pixels 1..8, got '{value}'").format(
                        value=value
                    )
                )
            shift = int(value)
        else:
            raise ValueError(
                _("unknown augmentation '{part}'; use auto, none, shift, shift:N or flip").format(
                    part=part
                )
            )
    return Augmentation(max_shift=shift, flip=flip)
