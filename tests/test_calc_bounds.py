"""Bounded work: every number a user types is checked before work proportional to it starts.

Each CLI case must exit 2 with one line on stderr, and quickly (no loop over the value, no
gigabyte allocation, no billion-digit fraction).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from cnntui.calc.layer import (
    MAX_VALUE,
    FeatureShape,
    LayerSpec,
    _exact_padding_above,
    _nearest_divisor,
    _smallest_divisors,
    analyze_layer,
)
from cnntui.cli import main
from cnntui.conv import kernels
from cnntui.conv.stepper import MAX_GRID_VALUES, Stepper, StepSettings
from cnntui.errors import ShapeError

BIG = "1000000000000"


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    start = time.perf_counter()
    status = main(list(argv))
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert elapsed < 5, elapsed
    return err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("--input", "32x32x3", "--stride", BIG), "stride"),
        (("--input", f"{BIG}x32x3", "--kernel", "2", "--stride", "3"), "input height"),
        (("--input", f"32x32x{BIG}", "--groups", "7", "--filters", BIG), "input channels"),
        (("--input", "32x32x6", "--groups", BIG, "--filters", "6"), "groups"),
        (("--input", "32x32x3", "--padding", BIG, "--stride", "3"), "padding"),
        (("--input", "32x32x3", "--transposed", "--stride", BIG), "stride"),
    ],
)
def test_calc_refuses_values_beyond_its_bound(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], named: str
) -> None:
    err = _refused(capsys, "calc", *argv)
    assert f"{named} {BIG} is too large" in err and f"{MAX_VALUE:,}" in err


def test_calc_at_its_bound_answers_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    """The largest values still work, and the "nearest exact settings" do not loop over them."""
    start = time.perf_counter()
    for argv in (
        ["--input", "32x32x3", "--kernel", "4", "--stride", str(MAX_VALUE)],
        ["--input", f"{MAX_VALUE - 1}x32x3", "--kernel", "2", "--stride", "999999"],
        ["--input", "32x32x3", "--padding", str(MAX_VALUE), "--stride", "3"],
        ["--input", "8x8x999999937", "--groups", "999999929", "--filters", "999999937"],
    ):
        status = main(["calc", *argv, "--json"])
        assert status in (0, 2), argv
    assert time.perf_counter() - start < 5
    capsys.readouterr()


def test_nearest_exact_settings_match_the_exhaustive_search() -> None:
    for size in range(1, 30):
        for k_eff in range(1, 8):
            for stride in range(1, 12):
                for before in range(0, 4):
                    expected = next(
                        (
                            p
                            for p in range(before + 1, before + stride + 1)
                            if (size + 2 * p - k_eff) % stride == 0
                        ),
                        None,
                    )
                    assert _exact_padding_above(before, size, k_eff, stride) == expected
    for span in range(0, 200):
        for stride in range(1, 220):
            expected = next(
                (
                    c
                    for c in sorted(range(1, span + 1), key=lambda c: (abs(c - stride), c))
                    if c != stride and span % c == 0
                ),
                None,
            )
            assert _nearest_divisor(span, stride) == expected, (span, stride)


def test_smallest_divisors() -> None:
    assert _smallest_divisors(36, 12) == [1, 2, 3, 4, 6, 9, 12, 18, 36]
    assert _smallest_divisors(999999937, 12) == [1, 999999937]  # a prime: no loop to 10⁹
    assert _smallest_divisors(2**20, 3) == [1, 2, 4]


def test_analyze_layer_checks_bounds_for_every_caller() -> None:
    with pytest.raises(ShapeError, match="dilation"):
        analyze_layer(LayerSpec.make("conv", 3, dilation=MAX_VALUE + 1), FeatureShape(8, 8, 1))


@pytest.mark.parametrize("value", ["1e1000000000", "1e-1000000000", "1,1;1,-3e99999"])
def test_conv_refuses_huge_kernel_exponents_at_once(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    err = _refused(capsys, "conv", "--image", "digit-7", "--kernel", value)
    assert "out of range" in err


def test_kernel_values_still_read_exactly() -> None:
    assert kernels.parse_value("1/3") == 1 / 3
    assert kernels.parse_value("-2.5e-3") == -0.0025
    assert kernels.parse_value("1e300") == 1e300
    for bad in ("1/0", "x", "1/2/3", "1e999"):
        with pytest.raises(ValueError):
            kernels.parse_value(bad)


@pytest.mark.parametrize(
    "argv",
    [
        ("conv", "--image", "digit-7", "--kernel", "laplacian", "--padding", "30000"),
        ("conv", "--image", "digit-7", "--kernel", "laplacian", "--padding", BIG),
        ("conv", "--image", "digit-7", "--kernel", "1,1;1,1", "--transposed", "--stride", BIG),
        ("pool", "--image", "digit-7", "--padding", BIG),
    ],
)
def test_conv_lab_refuses_a_grid_of_gigabytes_with_its_size(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    err = _refused(capsys, *argv)
    if argv[0] == "pool":  # pooling padding is bounded by the window before any grid is sized
        assert "more than half" in err
    else:
        assert "would need a" in err and any(unit in err for unit in ("GiB", "TiB", "EiB"))


def test_stepper_grid_limit_is_checked_before_allocating() -> None:
    image = np.zeros((1, 4, 4))
    side = int(MAX_GRID_VALUES**0.5)
    with pytest.raises(ShapeError, match="would need a"):
        Stepper(image, np.ones((1, 1, 1)), StepSettings(padding=(side, side)))
    Stepper(image, np.ones((1, 1, 1)), StepSettings(padding=(8, 8)))  # small stays fine
