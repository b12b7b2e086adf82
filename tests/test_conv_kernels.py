"""Kernel presets and the text form of kernels."""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.conv import kernels
from cnntui.errors import UsageError


def test_presets_have_the_classic_values():
    np.testing.assert_array_equal(
        kernels.get("laplacian").values[0], [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    )
    np.testing.assert_array_equal(
        kernels.get("laplacian-8").values[0], [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    )
    np.testing.assert_array_equal(
        kernels.get("sobel-x").values[0], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    )
    np.testing.assert_array_equal(
        kernels.get("sobel-y").values[0], kernels.get("sobel-x").values[0].T
    )
    np.testing.assert_array_equal(
        kernels.get("prewitt-y").values[0], kernels.get("prewitt-x").values[0].T
    )
    assert kernels.get("box-blur").values.sum() == pytest.approx(1.0)
    assert kernels.get("gaussian").values[0, 1, 1] == 0.25
    assert kernels.get("gaussian").values.sum() == pytest.approx(1.0)
    assert kernels.get("identity").values.sum() == 1
    assert kernels.get("Sobel-Vertical").name == "sobel-x"
    for name in kernels.names():
        kernel = kernels.get(name, np.random.default_rng(0))
        assert kernel.values.shape == (1, 3, 3)


def test_random_kernel_is_seeded_small_integers():
    a = kernels.get("random", np.random.default_rng(4)).values
    b = kernels.get("random", np.random.default_rng(4)).values
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) <= {-2, -1, 0, 1, 2}


def test_parse_forms():
    laplacian = kernels.parse("0,1,0;1,-4,1;0,1,0")
    np.testing.assert_array_equal(laplacian.values, kernels.get("laplacian").values)
    spaced = kernels.parse("1 2 3; 4 5 6")
    assert spaced.size == (2, 3)
    blur = kernels.parse("1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9")
    assert blur.values.sum() == pytest.approx(1.0)
    rgb = kernels.parse("1,0;0,1|0,1;1,0|1,1;1,1")
    assert rgb.values.shape == (3, 2, 2)
    assert kernels.parse(rgb.text()).values.tolist() == rgb.values.tolist()
    assert kernels.get("0.5,-1.5").values.tolist() == [[[0.5, -1.5]]]
    assert kernels.parse("7").size == (1, 1)
    assert kernels.parse(";".join([",".join(["1"] * 7)] * 7)).size == (7, 7)
    assert kernels.get("box-blur").text() == "1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,2;3", "different lengths"),
        ("1,a;3,4", "'a' is not a number"),
        ("1,1/0", "not a number"),
        ("1,2;;3,4", "row 2 is empty"),
        (";".join([",".join(["1"] * 8)] * 8), "1×1 to 7×7"),
        ("1,2|1,2;3,4", "channel 2 is 2×2"),
        ("nan", "unknown kernel"),
        ("sobel", "laplacian"),
    ],
)
def test_bad_kernels_explain(text, reason):
    with pytest.raises(UsageError, match=reason) as caught:
        kernels.get(text)
    assert "\n" not in str(caught.value)


def test_for_channels():
    lap = kernels.get("laplacian")
    assert lap.for_channels(3).values.shape == (3, 3, 3)
    assert lap.for_channels(1) is lap
    with pytest.raises(UsageError, match="2 channels but the image has 3"):
        kernels.parse("1|1").for_channels(3)
