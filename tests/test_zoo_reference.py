"""Zoo totals, output shapes, MACs and per-layer shapes against the published reference numbers.

Parameter counts and "GFLOPS" (multiply-accumulates) are torchvision's weights metadata and the
papers' figures; these tests need no PyTorch.
"""

from __future__ import annotations

import time

import pytest

from cnntui import zoo
from cnntui.errors import ShapeError, UsageError
from cnntui.text import format_si
from cnntui.zoo.summary import LayerShapeError, summarize, summarize_zoo

# name: (total params, output shape, MACs or torchvision's GFLOPS rounded)
REFERENCE = {
    "lenet5": (61_706, (10,), 416_520),
    "lenet5-28": (61_706, (10,), 416_520),
    "alexnet": (60_965_224, (1000,), None),
    "alexnet-ungrouped": (62_378_344, (1000,), None),
    "alexnet-torchvision": (61_100_840, (1000,), 714_188_480),
    "vgg11": (132_863_336, (1000,), 7.609),
    "vgg11_bn": (132_868_840, (1000,), 7.609),
    "vgg13": (133_047_848, (1000,), 11.308),
    "vgg13_bn": (133_053_736, (1000,), 11.308),
    "vgg16": (138_357_544, (1000,), 15_470_264_320),
    "vgg16_bn": (138_365_992, (1000,), 15.47),
    "vgg19": (143_667_240, (1000,), 19.632),
    "vgg19_bn": (143_678_248, (1000,), 19.632),
    "nin": (7_439_608, (1000,), None),
    "googlenet": (6_624_904, (1000,), 1.498),
    "resnet18": (11_689_512, (1000,), 1.814),
    "resnet34": (21_797_672, (1000,), 3.664),
    "resnet50": (25_557_032, (1000,), 4.089),
    "resnet101": (44_549_160, (1000,), 7.801),
    "resnet152": (60_192_808, (1000,), 11.514),
    "dcgan-generator": (3_576_704, (3, 64, 64), None),
    "dcgan-discriminator": (2_765_568, (1, 1, 1), None),
    "tinyvgg": (19_920, (10,), None),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_totals(name: str) -> None:
    params, out, macs = REFERENCE[name]
    s = summarize_zoo(name)
    assert s.total_params == params
    assert s.output_shape == out
    if isinstance(macs, int):
        assert s.total_macs == macs
    elif isinstance(macs, float):
        decimals = len(str(macs).split(".")[1])
        assert round(s.total_macs / 1e9, decimals) == macs


def test_every_entry_builds_and_traces() -> None:
    for entry in zoo.entries():
        s = summarize(entry.build(), entry.input_shape, name=entry.name)
        assert s.total_params > 0
        assert s.model == entry.name
        assert entry.year >= 1998 and entry.title and entry.description


def test_names_lists_everything_the_issue_asks_for() -> None:
    wanted = {
        "lenet5",
        "lenet5-1998",
        "alexnet",
        "alexnet-ungrouped",
        "alexnet-torchvision",
        "vgg11",
        "vgg13",
        "vgg16",
        "vgg19",
        "vgg11_bn",
        "vgg13_bn",
        "vgg16_bn",
        "vgg19_bn",
        "nin",
        "googlenet",
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "dcgan-generator",
        "dcgan-discriminator",
        "tinyvgg",
        "lenet5-28",
        "lenet5-8",
        "resnet-small",
        "plain-deep",
        "residual-deep",
    }
    assert wanted <= set(zoo.names())
    assert zoo.names()[0] == "lenet5"


def test_get_is_forgiving_and_errors_are_helpful() -> None:
    assert zoo.get("VGG16").name == "vgg16"
    assert zoo.get("vgg16-bn").name == "vgg16_bn"
    assert zoo.get("lenet5_1998").name == "lenet5-1998"
    with pytest.raises(UsageError, match="did you mean.*resnet50"):
        zoo.get("resnet5O")
    with pytest.raises(UsageError, match="no option"):
        zoo.build("vgg16", colour="red")


def test_lenet5_layer_by_layer() -> None:
    s = summarize_zoo("lenet5")
    expected = {
        "c1": ((6, 28, 28), 156, 117_600),
        "s2": ((6, 14, 14), 0, 0),
        "c3": ((16, 10, 10), 2_416, 240_000),
        "s4": ((16, 5, 5), 0, 0),
        "flatten": ((400,), 0, 0),
        "c5": ((120,), 48_120, 48_000),
        "f6": ((84,), 10_164, 10_080),
        "output": ((10,), 850, 840),
    }
    for name, (shape, params, macs) in expected.items():
        row = s.layer(name)
        assert (row.output_shape, row.params, row.macs) == (shape, params, macs), name
    assert "5·5·6·16 + 16 = 2,416" in s.layer("c3").formula().replace("5*5", "5·5")
    assert s.layer("c3").receptive_field == (14, 14)


def test_lenet5_1998_is_the_papers_60000() -> None:
    s = summarize_zoo("lenet5-1998")
    per_layer = {"c1": 156, "s2": 12, "c3": 1_516, "s4": 32, "c5": 48_120, "f6": 10_164}
    for name, params in per_layer.items():
        assert s.layer(name).trainable_params == params, name
    assert s.trainable_params == 60_000
    assert s.non_trainable_params == 840
    assert s.layer("output").trainable is False
    assert s.layer("c3").output_shape == (16, 10, 10)
    assert s.layer("c5").output_shape == (120, 1, 1)
    assert s.layer("c3").formula() == "60·5·5 + 16 = 1,516"
    # connections: C3 has 151,600 (the paper's figure) = MACs + one bias per output
    assert s.layer("c3").macs + 16 * 100 == 151_600


def test_alexnet_paper_shapes() -> None:
    s = summarize_zoo("alexnet")
    shapes = {
        "conv1": (96, 55, 55),
        "pool1": (96, 27, 27),
        "conv2": (256, 27, 27),
        "pool2": (256, 13, 13),
        "conv3": (384, 13, 13),
        "conv4": (384, 13, 13),
        "conv5": (256, 13, 13),
        "pool5": (256, 6, 6),
        "flatten": (9216,),
        "fc6": (4096,),
        "fc7": (4096,),
        "fc8": (1000,),
    }
    for name, shape in shapes.items():
        assert s.layer(name).output_shape == shape, name
    assert s.layer("conv2").params == 256 * 48 * 25 + 256
    assert round(s.total_macs / 1e6, 1) == 724.4


def test_alexnet_torchvision_shapes() -> None:
    s = summarize_zoo("alexnet-torchvision")
    shapes = {
        "features.0": (64, 55, 55),
        "features.2": (64, 27, 27),
        "features.3": (192, 27, 27),
        "features.5": (192, 13, 13),
        "features.6": (384, 13, 13),
        "features.8": (256, 13, 13),
        "features.10": (256, 13, 13),
        "features.12": (256, 6, 6),
        "avgpool": (256, 6, 6),
        "classifier.1": (4096,),
        "classifier.4": (4096,),
        "classifier.6": (1000,),
    }
    for name, shape in shapes.items():
        assert s.layer(name).output_shape == shape, name


def test_vgg16_shapes_and_fc_share() -> None:
    s = summarize_zoo("vgg16")
    convs = [r for r in s.leaves if r.type == "Conv2d"]
    assert [r.output_shape for r in convs] == [
        (64, 224, 224),
        (64, 224, 224),
        (128, 112, 112),
        (128, 112, 112),
        (256, 56, 56),
        (256, 56, 56),
        (256, 56, 56),
        (512, 28, 28),
        (512, 28, 28),
        (512, 28, 28),
        (512, 14, 14),
        (512, 14, 14),
        (512, 14, 14),
    ]
    assert s.layer("features.30").output_shape == (512, 7, 7)
    assert s.layer("classifier.0").params == 102_764_544
    assert s.layer("classifier.3").params == 16_781_312
    assert s.layer("classifier.6").params == 4_097_000
    kinds = s.kind_totals()
    assert kinds["conv"][0] == 14_714_688
    assert kinds["fc"][0] == 123_642_856
    assert round(s.share("fc"), 2) == 0.89
    assert s.weight_layers == 16
    assert s.layer("features").params == 14_714_688
    assert s.layer("features").macs == s.total_macs - (25088 * 4096 + 4096 * 4096 + 4096 * 1000)


def test_residual_twins_have_equal_parameters() -> None:
    plain = summarize_zoo("plain-deep")
    residual = summarize_zoo("residual-deep")
    assert plain.total_params == residual.total_params == 269_722
    assert plain.output_shape == residual.output_shape == (10,)
    assert plain.total_macs == residual.total_macs
    assert summarize(zoo.build("residual-deep", depth=32), (3, 32, 32)).weight_layers == 32
    with pytest.raises(ValueError, match="6n\\+2"):
        zoo.build("plain-deep", depth=21)


def test_presets_for_training() -> None:
    assert summarize_zoo("lenet5-8").output_shape == (10,)
    assert summarize_zoo("lenet5-8").layer("flatten").output_shape == (64,)
    small = summarize(zoo.build("resnet-small", in_channels=1), (1, 28, 28))
    assert small.output_shape == (10,)
    for entry in zoo.entries():
        if entry.trainable:
            assert entry.num_classes == 10


def test_wrong_input_size_is_explained_at_the_layer() -> None:
    # The paper's AlexNet at 224: conv1 gives 54×54 and the network breaks at fc6.
    with pytest.raises(LayerShapeError) as info:
        summarize(zoo.build("alexnet"), (3, 224, 224))
    assert info.value.layer == "fc6"
    assert info.value.rows[-1].name == "flatten"
    assert info.value.rows[-1].output_shape == (256 * 5 * 5,)
    with pytest.raises(LayerShapeError) as info:
        summarize(zoo.build("lenet5"), (3, 32, 32))
    assert info.value.layer == "c1"
    with pytest.raises(LayerShapeError) as info:
        summarize(zoo.build("alexnet-torchvision"), (3, 40, 40))
    assert info.value.layer.startswith("features.")
    with pytest.raises(ShapeError):
        summarize(zoo.build("lenet5"), (1, 0, 32))


def test_depth_limits_rows_and_json_shape() -> None:
    s = summarize(zoo.build("resnet50"), (3, 224, 224), depth=1)
    assert {r.depth for r in s.rows()} == {1}
    assert [r.name for r in s.rows()][:5] == ["conv1", "bn1", "relu", "maxpool", "layer1"]
    doc = s.to_json(depth=2)
    assert doc["input_shape"] == [3, 224, 224]
    assert doc["total_params"] == 25_557_032
    assert doc["non_trainable_params"] == 0
    assert set(doc["layers"][0]) >= {"name", "type", "depth", "output_shape", "params", "macs"}
    assert max(layer["depth"] for layer in doc["layers"]) == 2
    assert s.layer("layer1.0.downsample.0").output_shape == (256, 56, 56)


def test_memory_estimates() -> None:
    s = summarize_zoo("vgg16")
    assert s.param_bytes == 138_357_544 * 4
    assert s.activation_bytes(2) == 2 * s.activation_bytes(1)
    assert s.activation_bytes(1) > 0
    assert format_si(s.total_macs) == "15.5G"


def test_top5_error_from_facts() -> None:
    assert zoo.get("alexnet").top5_error == pytest.approx(15.3)
    assert zoo.get("resnet50").top5_error == pytest.approx(3.57)
    assert zoo.get("lenet5").top5_error is None


def test_resnet152_summary_is_fast_and_allocates_nothing() -> None:
    model = zoo.build("resnet152")
    start = time.perf_counter()
    s = summarize(model, (3, 224, 224))
    elapsed = time.perf_counter() - start
    assert s.total_params == 60_192_808
    assert all(not p.is_materialized for p in model.parameters())
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("name", "depth"),
    [
        ("lenet5", 5),
        ("alexnet", 8),
        ("vgg16", 16),
        ("vgg19_bn", 19),
        ("googlenet", 22),
        ("resnet18", 18),
        ("resnet50", 50),
        ("resnet152", 152),
        ("residual-deep", 20),
        ("plain-deep", 20),
    ],
)
def test_weight_depth_is_the_depth_papers_quote(name: str, depth: int) -> None:
    assert summarize_zoo(name).weight_depth == depth


def test_side_heads_do_not_add_depth() -> None:
    s = summarize(zoo.build("googlenet", aux_logits=True), (3, 224, 224))
    assert s.weight_depth == 22
    assert s.weight_layers == 58 + 2 * 3
