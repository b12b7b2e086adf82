"""Lesson-link presets for the Conv Lab and the Calculator: exactly the documented keys."""

from __future__ import annotations

import pytest

from cnntui.calc import presets as calc_presets
from cnntui.conv import presets as conv_presets


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"image": "digit-7", "kernel": "laplacian"},
        {
            "image": "photo",
            "kernel": "0,1,0;1,-4,1;0,1,0",
            "stride": "2",
            "padding": "1",
            "padding_mode": "replicate",
            "dilation": "2",
            "bias": "-0.5",
            "relu": "on",
        },
        {"mode": "pool", "image": "digit-7", "kernel": "avg", "size": "3", "stride": "2"},
        {
            "mode": "transposed",
            "image": "square-8",
            "kernel": "gaussian",
            "stride": "2",
            "output_padding": "1",
        },
        {"mode": "rgb"},
        {"mode": "rgb", "image": "balloons", "kernel": "box-blur"},
    ],
)
def test_conv_valid(params):
    assert conv_presets.validate(params) == []


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"mode": "deconv"}, "mode='deconv'"),
        ({"image": "digit-77"}, "not a bundled image"),
        ({"kernel": "sobel"}, "unknown kernel"),
        ({"stride": "0"}, "from 1 to 8"),
        ({"bias": "x"}, "must be a number"),
        ({"relu": "maybe"}, "on or off"),
        ({"padding_mode": "reflect"}, "zero, replicate"),
        ({"mode": "pool", "kernel": "laplacian"}, "max or avg"),
        ({"size": "3"}, "only applies to mode=pool"),
        ({"output_padding": "1"}, "only applies to mode=transposed"),
        ({"mode": "rgb", "image": "digit-7"}, "needs a colour image"),
        ({"image": "digit-0-8", "kernel": "laplacian", "dilation": "5"}, "do not fit digit-0-8"),
        ({"mode": "transposed", "stride": "2", "output_padding": "3"}, "smaller than"),
    ],
)
def test_conv_invalid(params, fragment):
    problems = conv_presets.validate(params)
    assert problems and any(fragment in p for p in problems), problems


def test_conv_parse_defaults():
    preset, problems = conv_presets.parse({"mode": "pool"})
    assert problems == []
    assert (preset.kernel, preset.size, preset.stride) == ("max", 2, 2)
    preset, _ = conv_presets.parse({"relu": "yes", "bias": "1.5"})
    assert preset.relu and preset.bias == 1.5


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"chain": "alexnet"},
        {"chain": "lenet5", "input": "32x32x1"},
        {"input": "227x227x3", "kernel": "11", "stride": "4", "filters": "96"},
        {"kind": "maxpool", "input": "55x55x96", "kernel": "3", "stride": "2"},
        {
            "kind": "transposed",
            "input": "4x4x512",
            "kernel": "4",
            "stride": "2",
            "padding": "1",
            "filters": "256",
        },
        {"input": "28x28x192", "kernel": "5", "padding": "same", "filters": "32", "groups": "2"},
        {"input": "10x12x3", "kernel": "3x5", "dilation": "2", "padding": "full"},
    ],
)
def test_calc_valid(params):
    assert calc_presets.validate(params) == []


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"chain": "resnet"}, "not one of lenet5"),
        ({"chain": "alexnet", "kernel": "3"}, "only input"),
        ({"chain": "lenet5", "input": "8x8"}, "layer 3"),
        ({"kind": "pool"}, "kind='pool'"),
        ({"input": "5x5", "kernel": "7"}, "larger than the padded input"),
        ({"input": "banana"}, "HEIGHTxWIDTHxCHANNELS"),
        ({"groups": "0"}, "1 or more"),
        ({"kernel": "x"}, "kernel must be"),
        ({"kind": "maxpool", "filters": "3"}, "pooling keeps"),
        ({"width": "3"}, "unknown key"),
    ],
)
def test_calc_invalid(params, fragment):
    problems = calc_presets.validate(params)
    assert problems and any(fragment in p for p in problems), problems
