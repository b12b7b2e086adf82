"""Convolution arithmetic: hand-computed cases, every padding mode, and PyTorch as an oracle."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from cnntui.calc.chain import analyze_chain, receptive_field_of
from cnntui.calc.chain_presets import chain_preset
from cnntui.calc.layer import (
    FeatureShape,
    LayerSpec,
    analyze_layer,
    conv_output_size,
    resolve_padding,
)
from cnntui.errors import ShapeError
from cnntui.text import ascii_text


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "expected"),
    [
        (227, 11, 4, 0, 1, 55),  # AlexNet conv1
        (224, 11, 4, 2, 1, 55),  # torchvision AlexNet conv1
        (32, 5, 1, 0, 1, 28),  # LeNet C1
        (5, 3, 1, 0, 1, 3),  # conv_arithmetic figure 2.1
        (5, 4, 1, 2, 1, 6),  # figure 2.2 (arbitrary padding)
        (5, 3, 2, 1, 1, 3),  # figure 2.6 (padding and strides)
        (6, 3, 2, 1, 1, 3),  # figure 2.7 (odd case)
        (7, 3, 1, 0, 2, 3),  # dilation 2: k̂ = 5
        (224, 7, 2, 3, 1, 112),  # ResNet stem
        (1, 1, 1, 0, 1, 1),
    ],
)
def test_conv_output_size_hand_cases(size, kernel, stride, padding, dilation, expected):
    assert conv_output_size(size, kernel, stride, padding, dilation) == expected


def test_padding_words_follow_pytorch():
    assert resolve_padding("valid", (3, 3)) == ((0, 0), (0, 0))
    assert resolve_padding("same", (3, 5)) == ((1, 1), (2, 2))
    # Even kernel: PyTorch puts the extra pixel after (bottom/right).
    assert resolve_padding("same", (4, 4)) == ((1, 2), (1, 2))
    assert resolve_padding("same", (3, 3), dilation=(2, 2)) == ((2, 2), (2, 2))
    assert resolve_padding("full", (3, 3)) == ((2, 2), (2, 2))
    with pytest.raises(ShapeError, match="stride 1"):
        resolve_padding("same", (3, 3), stride=(2, 2))
    with pytest.raises(ShapeError, match="'same', 'valid' or 'full'"):
        resolve_padding("half", (3, 3))


@pytest.mark.parametrize("mode", ["same", "valid", "full"])
@pytest.mark.parametrize("kernel", [(1, 1), (3, 3), (4, 2), (5, 3)])
def test_padding_modes_give_documented_sizes(mode, kernel):
    shape = FeatureShape(13, 10, 2)
    report = analyze_layer(LayerSpec.make("conv", kernel, 1, mode, filters=3), shape)
    expected = {
        "same": (13, 10),
        "valid": (13 - kernel[0] + 1, 10 - kernel[1] + 1),
        "full": (13 + kernel[0] - 1, 10 + kernel[1] - 1),
    }[mode]
    assert (report.output.height, report.output.width) == expected
    assert report.output.channels == 3


def test_alexnet_conv1_report():
    report = analyze_layer(
        LayerSpec.make("conv", 11, 4, 0, filters=96), FeatureShape.parse("227x227x3")
    )
    assert report.output == FeatureShape(55, 55, 96)
    assert report.params == 34_944
    assert report.param_formula == "11·11·3·96 + 96 = 34,944"
    assert report.macs == 105_415_200
    assert report.receptive_field == (11, 11)
    assert report.memory_bytes == 55 * 55 * 96 * 4
    assert report.formula == "H_out = W_out = ⌊(227 + 2·0 − 11)/4⌋ + 1 = 54 + 1 = 55"
    assert report.notes == () and report.suggestions == ()


def test_non_square_input_kernel_and_stride():
    spec = LayerSpec.make("conv", (3, 5), (2, 1), (1, 2), filters=4)
    report = analyze_layer(spec, FeatureShape(9, 20, 3))
    assert report.output == FeatureShape(5, 20, 4)
    assert report.params == 3 * 5 * 3 * 4 + 4
    assert report.formula.startswith("H_out = ") and "; W_out = " in report.formula


def test_groups_and_depthwise():
    grouped = analyze_layer(
        LayerSpec.make("conv", 5, 1, 2, groups=2, filters=256), FeatureShape(27, 27, 96)
    )
    assert grouped.params == 5 * 5 * 48 * 256 + 256  # AlexNet conv2
    depthwise = analyze_layer(
        LayerSpec.make("conv", 3, 1, 1, groups=32, filters=32, bias=False), FeatureShape(8, 8, 32)
    )
    assert depthwise.params == 9 * 32
    assert depthwise.macs == 8 * 8 * 32 * 9
    with pytest.raises(ShapeError, match="groups that fit"):
        analyze_layer(LayerSpec.make("conv", 3, groups=4, filters=8), FeatureShape(8, 8, 6))


def test_dilation_receptive_field_and_overflow():
    report = analyze_layer(LayerSpec.make("conv", 3, 1, 0, 3, filters=1), FeatureShape(10, 10, 1))
    assert report.output.height == 4
    assert report.receptive_field == (7, 7)
    assert "k̂ = 3·(3 − 1) + 1 = 7" in report.axes[0].plugged
    with pytest.raises(ShapeError, match="dilation 4 \\(spans 9\\)"):
        analyze_layer(LayerSpec.make("conv", 3, 1, 0, 4, filters=1), FeatureShape(8, 8, 1))


def test_kernel_larger_than_input_is_explained():
    with pytest.raises(ShapeError) as caught:
        analyze_layer(LayerSpec.make("conv", 7, filters=1), FeatureShape(5, 5, 1))
    message = str(caught.value)
    assert "larger than the padded input (5)" in message
    assert "at least 1 padding" in message


def test_uneven_division_explains_and_suggests():
    report = analyze_layer(LayerSpec.make("conv", 3, 2, 0, filters=8), FeatureShape(224, 224, 3))
    assert report.output.height == 111
    assert len(report.notes) == 1  # square: one note for both axes
    note = report.notes[0]
    assert "221 is not a multiple of the stride 2" in note
    assert "index 223 of the input" in note
    assert "height and width 225 instead of 224 (add 1) → 112" in report.suggestions
    for line in report.suggestions:
        assert "→" in line
    assert report.as_dict()["divides_evenly"] is False


def test_suggestions_are_exact():
    """Every suggested padding really makes the windows tile the input."""
    spec = LayerSpec.make("conv", 3, 3, 1, filters=2)
    report = analyze_layer(spec, FeatureShape(12, 12, 1))
    paddings = [s for s in report.suggestions if "padding" in s]
    assert paddings
    for line in paddings:
        p = int(line.split("padding ")[1].split(" ")[0])
        assert (12 + 2 * p - 3) % 3 == 0


def test_pooling():
    report = analyze_layer(LayerSpec.make("maxpool", 2), FeatureShape(28, 28, 6))
    assert report.output == FeatureShape(14, 14, 6)
    assert report.params == 0 and report.macs == 0
    assert report.spec.stride == (2, 2)  # pooling's stride defaults to its size
    ceil = analyze_layer(
        LayerSpec.make("maxpool", 3, 2, ceil_mode=True), FeatureShape(112, 112, 64)
    )
    assert ceil.output.height == 56
    floor = analyze_layer(LayerSpec.make("maxpool", 3, 2), FeatureShape(112, 112, 64))
    assert floor.output.height == 55
    with pytest.raises(ShapeError, match="at most 1"):
        analyze_layer(LayerSpec.make("maxpool", 3, 1, 2), FeatureShape(8, 8, 1))


def test_transposed():
    report = analyze_layer(
        LayerSpec.make("transposed", 4, 2, 1, filters=256, bias=False), FeatureShape(4, 4, 512)
    )
    assert report.output == FeatureShape(8, 8, 256)  # a DCGAN generator block
    assert report.params == 512 * 256 * 16
    assert report.macs == 4 * 4 * 512 * 256 * 16
    plain = analyze_layer(LayerSpec.make("transposed", 3, 2, 1, filters=1), FeatureShape(7, 7, 1))
    padded = analyze_layer(
        LayerSpec.make("transposed", 3, 2, 1, filters=1, output_padding=1), FeatureShape(7, 7, 1)
    )
    assert (plain.output.height, padded.output.height) == (13, 14)
    assert any("output_padding" in note for note in padded.notes)
    with pytest.raises(ShapeError, match="smaller than the stride"):
        analyze_layer(
            LayerSpec.make("transposed", 3, 2, 1, filters=1, output_padding=2),
            FeatureShape(7, 7, 1),
        )
    with pytest.raises(ShapeError, match="crops more"):
        analyze_layer(LayerSpec.make("transposed", 1, 1, 3, filters=1), FeatureShape(2, 2, 1))
    with pytest.raises(ShapeError, match="takes a number"):
        analyze_layer(LayerSpec.make("transposed", 3, 1, "same", filters=1), FeatureShape(2, 2, 1))


def test_feature_shape_parse():
    assert FeatureShape.parse("227x227x3") == FeatureShape(227, 227, 3)
    assert FeatureShape.parse("28×28") == FeatureShape(28, 28, 1)
    assert FeatureShape.parse(" 32 ") == FeatureShape(32, 32, 1)
    for bad in ("", "a", "2x2x2x2", "0x3", "-1"):
        with pytest.raises(ShapeError):
            FeatureShape.parse(bad)


@pytest.mark.parametrize(
    ("name", "params", "macs", "output"),
    [
        ("lenet5", 61_706, 416_520, FeatureShape(1, 1, 10)),
        ("alexnet", 60_965_224, 724_406_816, FeatureShape(1, 1, 1000)),
        ("vgg-block", 38_720, 1_936_392_192, FeatureShape(112, 112, 64)),
        ("two-3x3", 2 * (9 * 64 * 64 + 64), 2 * 32 * 32 * 64 * 9 * 64, FeatureShape(32, 32, 64)),
        ("one-5x5", 25 * 64 * 64 + 64, 32 * 32 * 64 * 25 * 64, FeatureShape(32, 32, 64)),
        ("5x5-direct", 153_632, 120_422_400, FeatureShape(28, 28, 32)),
        ("5x5-bottleneck", 15_920, 12_443_648, FeatureShape(28, 28, 32)),
    ],
)
def test_chain_presets(name, params, macs, output):
    preset = chain_preset(name)
    chain = analyze_chain(preset.layers, preset.input)
    assert chain.error is None
    assert (chain.params, chain.macs, chain.output) == (params, macs, output)


def test_chain_receptive_field_and_jump():
    chain = analyze_chain(chain_preset("alexnet").layers, FeatureShape(227, 227, 3))
    fields = [int(row.field[0]) for row in chain.rows[:8]]
    jumps = [int(row.jump[0]) for row in chain.rows[:8]]
    assert fields == [11, 19, 51, 67, 99, 131, 163, 195]
    assert jumps == [4, 8, 8, 16, 16, 16, 16, 32]
    two = analyze_chain(chain_preset("two-3x3").layers, FeatureShape(32, 32, 64))
    assert two.rows[-1].field == (Fraction(5), Fraction(5))
    up = analyze_chain(
        [LayerSpec.make("conv", 3, 2, 1, filters=1), LayerSpec.make("transposed", 2, 2, filters=1)],
        FeatureShape(8, 8, 1),
    )
    assert up.rows[-1].jump == (Fraction(1), Fraction(1))
    assert receptive_field_of([LayerSpec.make("conv", 3)] * 3) == (7, 7)


def test_chain_stops_at_first_impossible_layer():
    chain = analyze_chain(chain_preset("lenet5").layers, FeatureShape(8, 8, 1))
    assert chain.error is not None and chain.error_index == 2
    assert chain.error.startswith("layer 3 (conv 5×5/1 ×16)")
    assert len(chain.rows) == 2
    with pytest.raises(ShapeError, match="choose one of lenet5"):
        chain_preset("resnet")


def test_ascii_text_is_ascii():
    report = analyze_layer(LayerSpec.make("conv", 3, 2, 0, 2, filters=8), FeatureShape(20, 21, 3))
    for text in (report.formula, *report.notes, *report.suggestions, report.param_formula):
        converted = ascii_text(text)
        assert converted.isascii()
    assert ascii_text("⌊(5 − 3)/2⌋ + 1") == "floor((5 - 3)/2) + 1"


# -- PyTorch as the oracle ------------------------------------------------------------------------


def _random_specs(count: int, seed: int):
    rng = np.random.default_rng(seed)
    made = 0
    while made < count:
        kind = ["conv", "maxpool", "avgpool", "transposed"][made % 4]
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
        dh, dw = (int(v) for v in rng.integers(1, 3, size=2)) if kind != "avgpool" else (1, 1)
        h, w = (int(v) for v in rng.integers(4, 20, size=2))
        groups = int(rng.choice([1, 2]))
        cin, cout = 2 * int(rng.integers(1, 4)), 2 * int(rng.integers(1, 4))
        if kind in ("maxpool", "avgpool"):
            ph, pw = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))
            spec = LayerSpec.make(
                kind, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=bool(made % 3 == 1)
            )
        elif kind == "conv":
            padding = ["same", "valid", "full", (int(rng.integers(0, 3)), int(rng.integers(0, 3)))][
                made % 8 // 2
            ]
            if padding == "same":
                sh = sw = 1
            spec = LayerSpec.make(
                kind, (kh, kw), (sh, sw), padding, (dh, dw), groups, cout, bool(made % 2)
            )
        else:
            oph = int(rng.integers(0, max(sh, dh)))
            opw = int(rng.integers(0, max(sw, dw)))
            pad = (int(rng.integers(0, 2)), int(rng.integers(0, 2)))
            spec = LayerSpec.make(
                kind, (kh, kw), (sh, sw), pad, (dh, dw), groups, cout, True, (oph, opw)
            )
        try:
            report = analyze_layer(spec, FeatureShape(h, w, cin))
        except ShapeError:
            continue
        made += 1
        yield spec, FeatureShape(h, w, cin), report


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_matches_pytorch_on_random_layers():
    torch = pytest.importorskip("torch")
    from torch.utils.flop_counter import FlopCounterMode

    for spec, shape, report in _random_specs(48, seed=7):
        x = torch.zeros(1, shape.channels, shape.height, shape.width)
        if spec.kind == "conv":
            padding = (
                "same"
                if spec.padding == "same"
                else (report.axes[0].padding[0], report.axes[1].padding[0])
            )
            layer = torch.nn.Conv2d(
                shape.channels,
                spec.filters,
                spec.kernel,
                spec.stride,
                padding,
                spec.dilation,
                spec.groups,
                spec.bias,
            )
        elif spec.kind == "transposed":
            layer = torch.nn.ConvTranspose2d(
                shape.channels,
                spec.filters,
                spec.kernel,
                spec.stride,
                spec.padding,
                spec.output_padding,
                spec.groups,
                spec.bias,
                spec.dilation,
            )
        elif spec.kind == "maxpool":
            layer = torch.nn.MaxPool2d(
                spec.kernel, spec.stride, spec.padding, spec.dilation, ceil_mode=spec.ceil_mode
            )
        else:
            layer = torch.nn.AvgPool2d(
                spec.kernel, spec.stride, spec.padding, ceil_mode=spec.ceil_mode
            )
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            y = layer(x)
        assert tuple(y.shape[1:]) == (
            report.output.channels,
            report.output.height,
            report.output.width,
        ), spec
        assert sum(p.numel() for p in layer.parameters()) == report.params, spec
        if spec.kind in ("conv", "transposed"):
            assert counter.get_total_flops() == 2 * report.macs, spec


def test_impossible_layers_match_pytorch_refusals():
    torch = pytest.importorskip("torch")
    cases = [
        (
            LayerSpec.make("conv", 7, filters=1),
            FeatureShape(5, 5, 1),
            lambda: torch.nn.Conv2d(1, 1, 7)(torch.zeros(1, 1, 5, 5)),
        ),
        (
            LayerSpec.make("conv", 3, 1, 0, 3, filters=1),
            FeatureShape(6, 6, 1),
            lambda: torch.nn.Conv2d(1, 1, 3, dilation=3)(torch.zeros(1, 1, 6, 6)),
        ),
        (
            LayerSpec.make("transposed", 3, 2, 1, filters=1, output_padding=2),
            FeatureShape(4, 4, 1),
            lambda: torch.nn.ConvTranspose2d(1, 1, 3, 2, 1, output_padding=2)(
                torch.zeros(1, 1, 4, 4)
            ),
        ),
    ]
    for spec, shape, run_torch in cases:
        with pytest.raises(ShapeError):
            analyze_layer(spec, shape)
        with pytest.raises((RuntimeError, ValueError)):
            run_torch()
