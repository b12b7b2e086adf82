"""Bundled images and user files: PGM/PPM (plain and binary), ASCII art, Pillow formats, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cnntui import images
from cnntui.errors import UsageError


def test_bundled_catalogue_loads():
    names = images.names()
    for required in (
        "digit-7",
        "digit-0-8",
        "letter-A",
        "square",
        "circle-32",
        "photo",
        "balloons",
    ):
        assert required in names
    for name in names:
        image = images.load(name)
        assert image.pixels.dtype == np.float32
        assert image.channels in (1, 3)
        assert 0.0 <= image.pixels.min() and image.pixels.max() <= 1.0
        assert image.pixels.max() > image.pixels.min()  # none is blank
        assert images.describe(name)
    assert images.load("digit-7").pixels.shape == (1, 28, 28)
    assert images.load("balloons").pixels.shape == (3, 24, 24)
    photo = images.load("photo")
    assert photo.pixels.shape == (1, 64, 64)
    assert len(np.unique(photo.pixels)) > 50  # photograph-like: many grey levels
    binary = images.load("digit-3-8").pixels
    assert set(np.unique(binary)) <= {0.0, 1.0}


def test_bundled_files_match_their_generator(tmp_path):
    """The committed files are exactly what assets/images/make_images.py draws."""
    import importlib.util

    from cnntui.resources import asset_path

    script = asset_path("images", "make_images.py")
    spec = importlib.util.spec_from_file_location("make_images", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert asset_path("images", "digit-7.pgm").read_bytes() == module.encode(
        module.render_glyph("7", 28)
    )
    assert asset_path("images", "balloons.ppm").read_bytes() == module.encode(
        module.rgb_balloons(24)
    )


@pytest.mark.parametrize("plain", [True, False])
@pytest.mark.parametrize("channels", [1, 3])
def test_netpbm_round_trip(tmp_path: Path, plain, channels):
    rng = np.random.default_rng(channels)
    pixels = rng.integers(0, 256, size=(channels, 5, 7)).astype(np.float32) / 255
    path = tmp_path / ("x.pgm" if channels == 1 else "x.ppm")
    path.write_bytes(images.to_netpbm(pixels, plain=plain))
    image = images.load(str(path))
    assert image.pixels.shape == (channels, 5, 7)
    np.testing.assert_allclose(image.pixels, pixels, atol=1e-6)


def test_netpbm_comments_16_bit_and_maxval(tmp_path: Path):
    path = tmp_path / "c.pgm"
    path.write_bytes(b"P2\n# a comment\n2 # width\n1\n# maxval next\n4\n0 4\n")
    np.testing.assert_allclose(images.load(str(path)).pixels, [[[0.0, 1.0]]])
    deep = tmp_path / "deep.pgm"
    deep.write_bytes(b"P5\n2 1\n65535\n" + np.array([0, 65535], dtype=">u2").tobytes())
    np.testing.assert_allclose(images.load(str(deep)).pixels, [[[0.0, 1.0]]])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"P5\n4 4\n255\n" + bytes(10), "truncated: 10 of 16"),
        (b"P2\n2 2\n255\n1 2 3\n", "truncated: 3 of 4"),
        (b"P2\n2 2\n255\n1 2 3 x\n", "whole numbers"),
        (b"P2\n2 2\n15\n1 2 3 99\n", "outside 0-15"),
        (b"P5\n2", "header ends early"),
        (b"P5\nab 2 255\n", "where a number belongs"),
        (b"P2\n0 2 255\n", "is empty"),
        (b"P2\n2 2 0\n", "outside 1"),
        (b"P6\n99999 2 255\n", "up to 1024"),
    ],
)
def test_corrupt_netpbm_gives_one_line_reason(tmp_path: Path, content, reason):
    path = tmp_path / "bad.pgm"
    path.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        images.load(str(path))
    message = str(caught.value).replace("–", "-")
    assert reason in message
    assert "\n" not in message and "bad.pgm" in message


def test_ascii_art(tmp_path: Path):
    path = tmp_path / "art.txt"
    path.write_text("\n  @@\n .:-=\n@\n\n", encoding="ascii")
    pixels = images.load(str(path)).pixels
    assert pixels.shape == (1, 3, 5)
    expected_first = [0, 0, 1, 1, 0]
    np.testing.assert_allclose(pixels[0, 0], expected_first)
    np.testing.assert_allclose(pixels[0, 1], [0, 1 / 9, 2 / 9, 3 / 9, 4 / 9], rtol=1e-6)
    np.testing.assert_allclose(pixels[0, 2], [1, 0, 0, 0, 0])  # short lines are padded with spaces
    assert images.ASCII_RAMP == " .:-=+*#%@"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("  \n\n", "empty"), ("@@\n@x\n", "line 2, column 2 has 'x'")],
)
def test_bad_ascii_art(tmp_path: Path, text, reason):
    path = tmp_path / "art.txt"
    path.write_text(text, encoding="ascii")
    with pytest.raises(UsageError, match=reason):
        images.load(str(path))
    path.write_bytes("é".encode())
    with pytest.raises(UsageError, match="plain ASCII"):
        images.load(str(path))


def test_unknown_names_and_types(tmp_path: Path):
    with pytest.raises(UsageError, match="digit-0…digit-9") as caught:
        images.load("digit-77")
    assert "\n" not in str(caught.value)
    other = tmp_path / "notes.doc"
    other.write_bytes(b"hello")
    with pytest.raises(UsageError, match="unknown image type"):
        images.load(str(other))
    with pytest.raises(UsageError, match="is a folder"):
        images.load(str(tmp_path))


def test_pillow_formats(tmp_path: Path):
    PIL = pytest.importorskip("PIL.Image")
    rgb = (np.arange(4 * 6 * 3).reshape(4, 6, 3) * 3).astype(np.uint8)
    PIL.fromarray(rgb).save(tmp_path / "a.png")
    image = images.load(str(tmp_path / "a.png"))
    np.testing.assert_allclose(image.pixels, rgb.transpose(2, 0, 1) / 255, atol=1e-6)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(UsageError, match="not a readable image"):
        images.load(str(tmp_path / "broken.png"))


def test_png_without_pillow_names_the_fix(tmp_path: Path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(UsageError, match="needs Pillow"):
        images.load(str(tmp_path / "a.png"))


def test_grey_and_shrink():
    balloons = images.load("balloons")
    grey = balloons.grey()
    assert grey.shape == (24, 24)
    np.testing.assert_allclose(
        grey[0, 0],
        0.299 * balloons.pixels[0, 0, 0]
        + 0.587 * balloons.pixels[1, 0, 0]
        + 0.114 * balloons.pixels[2, 0, 0],
        rtol=1e-5,
    )
    small = images.shrink_to_fit(images.load("photo").pixels, 32)
    assert small.shape == (1, 32, 32)
    assert images.shrink_to_fit(small, 32) is small
