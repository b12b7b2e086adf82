"""Symbolic shape, parameter and MAC inference; shape-error messages; the Module bookkeeping."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from cnntui.engine import nn
from cnntui.engine.module import Field, TraceRecord
from cnntui.errors import ShapeError


def vgg(config: list[int | str], batch_norm: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    channels = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers.append(nn.Conv2d(channels, int(item), 3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(int(item)))
            layers.append(nn.ReLU(inplace=True))
            channels = int(item)
    return nn.Sequential(
        OrderedDict(
            features=nn.Sequential(*layers),
            avgpool=nn.AdaptiveAvgPool2d((7, 7)),
            flatten=nn.Flatten(),
            classifier=nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, 1000),
            ),
        )
    )  # fmt: skip


VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
VGG19 = [
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
    512,
    "M",
]


def alexnet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, stride=4, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d((6, 6)), nn.Flatten(),
        nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000),
    )  # fmt: skip


def lenet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def test_vgg_summary_matches_torchvision_and_allocates_nothing() -> None:
    net = vgg(VGG19)
    records: list[TraceRecord] = []
    out, _ = net.trace((3, 224, 224), Field(), records)
    assert out == (1000,)
    assert net.num_parameters() == 143_667_240
    assert not any(p.is_materialized for p in net.parameters())
    vgg16 = vgg(VGG16)
    assert vgg16.num_parameters() == 138_357_544
    assert vgg16.macs((3, 224, 224)) == 15_470_264_320
    assert vgg(VGG16, batch_norm=True).num_parameters() == 138_365_992
    assert not any(p.is_materialized for p in vgg16.parameters())


def test_alexnet_and_lenet_counts() -> None:
    net = alexnet()
    assert net.num_parameters() == 61_100_840
    assert net.macs((3, 224, 224)) == 714_188_480
    small = lenet()
    assert small.num_parameters() == 61_706
    assert small.macs((1, 32, 32)) == 416_520


def test_trace_records_are_preorder_with_dotted_names_and_fields() -> None:
    net = nn.Sequential(OrderedDict(body=lenet(), head=nn.Identity()))
    records: list[TraceRecord] = []
    out, field = net.trace((1, 32, 32), Field(), records)
    assert out == (10,)
    assert [r.name for r in records[:4]] == ["", "body", "body.0", "body.1"]
    assert records[0].is_leaf is False and records[2].is_leaf is True
    assert records[2].depth == 2
    conv1 = records[2]
    assert (conv1.input_shape, conv1.output_shape, conv1.params, conv1.macs) == (
        (1, 32, 32),
        (6, 28, 28),
        156,
        117_600,
    )
    # containers carry their subtree's parameters and no MACs of their own
    assert records[0].params == 61_706 and records[0].macs == 0
    assert sum(r.macs for r in records) == 416_520
    pool2 = next(r for r in records if r.name == "body.5")
    assert pool2.field == Field(size=(16, 16), jump=(4, 4))


def test_containers_infer_shapes() -> None:
    block = nn.Residual(
        nn.Sequential(
            nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(128, 128, 3, padding=1)
        ),
        shortcut=nn.Conv2d(64, 128, 1, stride=2),
        activation=nn.ReLU(),
    )
    assert block.output_shape((64, 56, 56)) == (128, 28, 28)
    inception = nn.Concat(
        nn.Conv2d(192, 64, 1),
        nn.Sequential(nn.Conv2d(192, 96, 1), nn.Conv2d(96, 128, 3, padding=1)),
        nn.Sequential(nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5, padding=2)),
        nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(192, 32, 1)),
    )
    assert inception.output_shape((192, 28, 28)) == (256, 28, 28)
    assert inception.num_parameters() == 163_696


@pytest.mark.parametrize(
    "layer,shape,expected",
    [
        (nn.Conv2d(3, 8, 3, stride=2, padding=1), (3, 9, 8), (8, 5, 4)),
        (nn.Conv2d(3, 8, (3, 5), padding="same"), (3, 9, 8), (8, 9, 8)),
        (nn.Conv2d(4, 8, 3, dilation=2, groups=2), (4, 9, 9), (8, 5, 5)),
        (nn.ConvTranspose2d(100, 512, 4, 1, 0), (100, 1, 1), (512, 4, 4)),
        (nn.ConvTranspose2d(64, 3, 4, 2, 1), (64, 32, 32), (3, 64, 64)),
        (nn.ConvTranspose2d(8, 4, 3, 2, 1, output_padding=1), (8, 5, 6), (4, 10, 12)),
        (nn.MaxPool2d(3, 2, ceil_mode=True), (64, 112, 112), (64, 56, 56)),
        (nn.MaxPool2d(3, 2), (64, 112, 112), (64, 55, 55)),
        (nn.MaxPool2d(2, 2, ceil_mode=True), (480, 7, 7), (480, 4, 4)),
        (nn.AvgPool2d(5, 3), (512, 14, 14), (512, 4, 4)),
        (nn.AdaptiveAvgPool2d((1, 1)), (2048, 7, 7), (2048, 1, 1)),
        (nn.AdaptiveAvgPool2d((None, 3)), (5, 7, 9), (5, 7, 3)),
        (nn.Flatten(), (16, 5, 5), (400,)),
        (nn.Flatten(2), (16, 5, 5), (16, 25)),
        (nn.Linear(10, 3), (4, 10), (4, 3)),
        (nn.BatchNorm1d(8), (8,), (8,)),
        (nn.LocalResponseNorm(5), (96, 55, 55), (96, 55, 55)),
    ],
    ids=repr,
)
def test_output_shapes(layer: nn.Module, shape: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert layer.output_shape(shape) == expected
    batch = np.zeros((2, *shape), dtype=np.float32)
    assert layer.forward(batch).shape == (2, *expected)


@pytest.mark.parametrize(
    "layer,shape,words",
    [
        (nn.Conv2d(3, 8, 3), (1, 32, 32), ["Conv2d", "(3, H, W)", "(1, 32, 32)"]),
        (nn.Conv2d(3, 8, 7), (3, 4, 4), ["Conv2d", "7×7", "4×4"]),
        (nn.Linear(400, 10), (16, 5, 5), ["Linear", "(400,)", "(16, 5, 5)", "Flatten"]),
        (nn.MaxPool2d(3), (4, 2, 2), ["MaxPool2d", "height of 2"]),
        (nn.BatchNorm2d(8), (4, 3, 3), ["BatchNorm2d", "(8, H, W)", "(4, 3, 3)"]),
        (
            nn.Residual(nn.Conv2d(3, 4, 3, padding=1)),
            (3, 8, 8),
            ["Residual", "(4, 8, 8)", "(3, 8, 8)"],
        ),
        (
            nn.Concat(nn.Conv2d(3, 4, 1), nn.Conv2d(3, 4, 3)),
            (3, 8, 8),
            ["Concat", "(4, 8, 8)", "(4, 6, 6)"],
        ),
        (
            nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(100, 3)),
            (1, 32, 32),
            ["Linear", "(100,)", "(4704,)"],
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else str(v),
)
def test_shape_errors_name_the_layer_and_both_shapes(
    layer: nn.Module, shape: tuple[int, ...], words: list[str]
) -> None:
    with pytest.raises(ShapeError) as info:
        layer.output_shape(shape)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    for word in words:
        assert word in message, message


def test_forward_shape_and_dtype_errors() -> None:
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(
        ShapeError, match=r"Conv2d expects input \(N, 3, H, W\), got shape \(2, 1, 8, 8\)"
    ):
        conv.forward(np.zeros((2, 1, 8, 8), dtype=np.float32))
    with pytest.raises(ShapeError, match=r"Conv2d expects input"):
        conv.forward(np.zeros((3, 8, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="float32 parameters but got a float64 input"):
        conv.forward(np.zeros((1, 3, 8, 8)))
    with pytest.raises(ShapeError, match=r"Linear expects input \(N, 10\)"):
        nn.Linear(10, 2).forward(np.zeros((2, 9), dtype=np.float32))
    with pytest.raises(ShapeError, match="MaxPool2d"):
        nn.MaxPool2d(2).forward(np.zeros((2, 8), dtype=np.float32))
    with pytest.raises(ShapeError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3).forward(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="class indices"):
        nn.CrossEntropyLoss()(np.zeros((2, 3), dtype=np.float32), np.array([0, 3]))


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="stride 1"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="circular")
    with pytest.raises(ValueError, match="half"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="Dropout probability"):
        nn.Dropout(1.5)


def test_describe_and_param_formula() -> None:
    conv = nn.Conv2d(1, 6, 5)
    assert conv.describe() == "k=5×5 s=1 p=0"
    assert conv.param_formula() == "5·5·1·6 + 6 = 156"
    assert (
        nn.Conv2d(64, 64, 3, padding=1, dilation=2, groups=4, bias=False).describe()
        == "k=3×3 s=1 p=1 d=2 g=4"
    )
    assert nn.Linear(400, 120).param_formula() == "400·120 + 120 = 48,120"
    assert nn.BatchNorm2d(64).param_formula() == "2·64 = 128"
    assert nn.ConvTranspose2d(100, 512, 4, bias=False).param_formula() == "4·4·100·512 = 819,200"
    assert nn.MaxPool2d(3, 2, ceil_mode=True).describe() == "k=3×3 s=2 ceil"
    assert nn.ReLU().param_formula() == ""
    assert conv.geometry().kernel == (5, 5)
    assert nn.ReLU().geometry() is None


def test_transposed_conv_macs_follow_torchvision_convention() -> None:
    layer = nn.ConvTranspose2d(100, 512, 4, 1, 0, bias=False)
    assert layer.macs((100, 1, 1)) == 100 * 1 * 1 * 512 * 16
    layer = nn.ConvTranspose2d(8, 4, 3, 2, 1, groups=2)
    assert layer.macs((8, 5, 5)) == 8 * 25 * 2 * 9


def test_sequential_indexing_and_naming() -> None:
    net = lenet()
    assert len(net) == 12
    assert isinstance(net[0], nn.Conv2d) and isinstance(net[-1], nn.Linear)
    assert [type(m).__name__ for m in net][:3] == ["Conv2d", "ReLU", "MaxPool2d"]
    head = net[6:]
    assert isinstance(head, nn.Sequential) and len(head) == 6
    named = nn.Sequential(conv=nn.Conv2d(1, 2, 3), act=nn.ReLU())
    assert [n for n, _ in named.named_children()] == ["conv", "act"]
    assert named["conv"] is named[0]
    assert [n for n, _ in net.named_parameters()][:2] == ["0.weight", "0.bias"]
    with pytest.raises(IndexError):
        net[12]


def test_state_dict_round_trip_through_npz(tmp_path: Path) -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 2))
    net.forward(np.random.default_rng(0).standard_normal((3, 1, 4, 4)).astype(np.float32))
    path = tmp_path / "model.npz"
    net.save(path)
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 2))
    other.load(path)
    for (name, a), (_, b) in zip(net.state_dict().items(), other.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert "1.running_mean" in other.state_dict() and "1.num_batches_tracked" in other.state_dict()
    with pytest.raises(ValueError, match="missing"):
        nn.Sequential(nn.Conv2d(1, 2, 3)).load(path)


def test_default_initialisation_follows_pytorch_bounds() -> None:
    conv = nn.Conv2d(16, 32, 3)
    bound = 1 / np.sqrt(16 * 9)
    w = conv.weight.data
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(conv.bias.data).max() <= bound
    bn = nn.BatchNorm2d(4)
    np.testing.assert_array_equal(bn.weight.data, np.ones(4, np.float32))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(4, np.float32))
    deconv = nn.ConvTranspose2d(8, 4, 3)
    assert np.abs(deconv.weight.data).max() <= 1 / np.sqrt(4 * 9)


def test_first_layer_skips_the_input_gradient_when_nobody_needs_it() -> None:
    net = lenet()
    x = np.random.default_rng(0).standard_normal((3, 1, 32, 32)).astype(np.float32)
    out = net.forward(x)
    full = net.backward(np.ones_like(out))
    weight_grad = net[0].weight.grad.copy()
    net.zero_grad()
    net.needs_input_grad = False
    net.forward(x)
    assert net.backward(np.ones_like(out)) is None
    np.testing.assert_allclose(net[0].weight.grad, weight_grad, rtol=1e-6)
    assert full.shape == x.shape
    net.needs_input_grad = True
    net.forward(x)
    assert net.backward(np.ones_like(out)).shape == x.shape
