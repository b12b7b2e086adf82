"""Turning what the user names into a network input, prepared the way the training data was.

`IMAGE` is a bundled image name (`digit-7`), a file, or `DATASET:SPLIT:INDEX` (`digits:test:12`).

Pictures that are not from the data set (bundled images, files, the drawing pad) go through the
data set's own preparation, so the network sees what it was trained on:

* digits: the UCI digits are 32×32 bitmaps, cropped to the digit and scaled to fill the frame,
  then counted in 4×4 blocks to 8×8, and the networks see those upscaled to 28×28. A picture is
  cropped to its ink, centred in a square, averaged down to 8×8 and upscaled the same way.
* shapes: 28×28 drawings, upscaled to the network's 64×64; a picture is resized to 28×28 first.

Dark ink on a light background (a scan, a photo of paper) is inverted first, since both data
sets have bright ink on black.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnntui.data.transforms import resize_bilinear
from cnntui.errors import CnnTuiError, UsageError
from cnntui.i18n import _

DIGIT_GRID = 8
"""The UCI digits' resolution: every digit the networks learnt from was 8×8 first."""


@dataclass
class InputImage:
    """A picture ready for a network: `pixels` `(C, H, W)` in [0, 1] at the network's input
    size (normalise with `Pretrained.normalize`), its `label` when it comes from a data set, and
    where it came from in words."""

    pixels: np.ndarray
    source: str
    label: int | None = None


def to_channels(pixels: np.ndarray, channels: int) -> np.ndarray:
    """`(C, H, W)` with `channels` channels: RGB to grey by luminance, grey repeated to RGB."""
    x = np.asarray(pixels, dtype=np.float32)
    if x.shape[0] == channels:
        return x
    if channels == 1 and x.shape[0] == 3:
        weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None, None]
        return (x * weights).sum(axis=0, keepdims=True).astype(np.float32)
    if x.shape[0] == 1:
        return np.repeat(x, channels, axis=0)
    raise UsageError(
        _("an image with {count} channels cannot feed a {channels}-channel network").format(
            count=x.shape[0], channels=channels
        )
    )


def bright_ink(pixels: np.ndarray) -> np.ndarray:
    """Invert a picture whose border is mostly light (dark ink on paper)."""
    x = np.asarray(pixels, dtype=np.float32)
    border = np.concatenate([x[:, 0, :], x[:, -1, :], x[:, :, 0], x[:, :, -1]], axis=1)
    return (1.0 - x) if float(border.mean()) > 0.5 else x


def fit_digit(pixels: np.ndarray, size: int) -> np.ndarray:
    """A picture `(C, H, W)` as the UCI digits were made, at `size`×`size`: crop to the ink,
    centre in a square, average down to 8×8, upscale bilinearly. Blank pictures stay blank."""
    x = np.asarray(pixels, dtype=np.float32)
    ink = x.max(axis=0) > 0.1
    if not ink.any():
        return np.zeros((x.shape[0], size, size), dtype=np.float32)
    rows, cols = np.nonzero(ink)
    crop = x[:, rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    _channels, h, w = crop.shape
    side = max(h, w)
    square = np.zeros((x.shape[0], side, side), dtype=np.float32)
    top, left = (side - h) // 2, (side - w) // 2
    square[:, top : top + h, left : left + w] = crop
    # Average over blocks: upsample to a multiple of 8 first so every block has the same area.
    fine = DIGIT_GRID * max(1, -(-side // DIGIT_GRID))
    square = resize_bilinear(square[None], (fine, fine))[0]
    block = fine // DIGIT_GRID
    small = square.reshape(x.shape[0], DIGIT_GRID, block, DIGIT_GRID, block).mean(axis=(2, 4))
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)
    return resize_bilinear(small[None], (size, size))[0]


def prepare(pixels: np.ndarray, dataset: str, shape: tuple[int, int, int]) -> np.ndarray:
    """A picture `(C, H, W)` in [0, 1] prepared for a network trained on `dataset` at `shape`."""
    channels, height, width = shape
    x = bright_ink(to_channels(pixels, channels))
    if dataset == "digits":
        return fit_digit(x, height)
    if dataset == "shapes":
        from cnntui.data.shapes import SHAPES_SIZE

        x = resize_bilinear(x[None], (SHAPES_SIZE, SHAPES_SIZE))[0]
    return resize_bilinear(x[None], (height, width))[0]


def parse_dataset_ref(text: str) -> tuple[str, str, int] | None:
    """`DATASET:SPLIT:INDEX` as a tuple, or None when `text` is not of that form."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
        return None
    return parts[0].strip().lower(), parts[1].strip().lower(), int(parts[2])


def load_input(
    text: str, dataset: str, shape: tuple[int, int, int], samples: int | None = None
) -> InputImage:
    """The input named by `text` for a network trained on `dataset` taking `shape` `(C, H, W)`."""
    ref = parse_dataset_ref(text)
    if ref is not None:
        return _from_dataset(*ref, shape, samples if ref[0] == dataset else None)
    from cnntui import images

    picture = images.load(text)
    return InputImage(prepare(picture.pixels, dataset, shape), picture.name)


def _from_dataset(
    name: str, split: str, index: int, shape: tuple[int, int, int], samples: int | None
) -> InputImage:
    from cnntui.data import load_splits
    from cnntui.data.registry import DATASETS

    if name not in DATASETS:
        raise UsageError(
            _("unknown data set {name} in IMAGE; choose one of {choices}").format(
                name=repr(name), choices=", ".join(DATASETS)
            )
        )
    if split not in ("train", "val", "test"):
        raise UsageError(
            _("unknown split {split} in IMAGE; use train, val or test").format(split=repr(split))
        )
    try:
        splits = load_splits(name, input_size=shape[1], count=samples, normalize=False)
    except CnnTuiError as exc:
        raise UsageError(str(exc)) from None
    part = getattr(splits, split)
    if not 0 <= index < len(part):
        raise UsageError(
            _("{name}:{split} has {count} images; INDEX must be from 0 to {last}").format(
                name=name, split=split, count=len(part), last=len(part) - 1
            )
        )
    pixels = to_channels(part.images[index], shape[0])
    if pixels.shape[1:] != shape[1:]:
        pixels = resize_bilinear(pixels[None], shape[1:])[0]
    label = int(part.labels[index])
    return InputImage(
        pixels,
        _("{ref} (label {label})").format(
            ref=f"{name}:{split}:{index}", label=part.class_names[label]
        ),
        label,
    )
