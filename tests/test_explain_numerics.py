"""The Explain numerics against PyTorch's autograd on the same weights: activations, saliency,
Grad-CAM; plus occlusion, receptive fields, unit sums and the softmax written out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cnntui import zoo
from cnntui.engine import module as engine_module
from cnntui.explain import attribution, network

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _engine(name: str, **options: Any) -> Any:
    engine_module.manual_seed(3)
    model = zoo.build(name, **options)
    for p in model.parameters():
        p.materialize()
    return model.eval()


def _torch_twin(model: Any) -> Any:
    """The same flat network in PyTorch with the same weights."""
    from cnntui.engine import nn

    layers = []
    for _, layer in network.flat_layers(model):
        if isinstance(layer, nn.Conv2d):
            t = tnn.Conv2d(
                layer.in_channels,
                layer.out_channels,
                layer.kernel_size,
                layer.stride,
                layer.padding,
                layer.dilation,
            )
        elif isinstance(layer, nn.Linear):
            t = tnn.Linear(layer.in_features, layer.out_features)
        elif isinstance(layer, nn.ReLU):
            t = tnn.ReLU()
        elif isinstance(layer, nn.MaxPool2d):
            t = tnn.MaxPool2d(layer.kernel_size, layer.stride)
        elif isinstance(layer, nn.Flatten):
            t = tnn.Flatten()
        else:  # pragma: no cover - the test nets have only these
            raise AssertionError(type(layer))
        if hasattr(t, "weight"):
            t.weight.data = torch.from_numpy(np.array(layer.weight.data, dtype=np.float64))
            t.bias.data = torch.from_numpy(np.array(layer.bias.data, dtype=np.float64))
        layers.append(t)
    return tnn.Sequential(*layers).double()


NETS = [
    ("lenet5-28", {}, (1, 28, 28)),
    ("tinyvgg", {"in_channels": 1, "num_classes": 5}, (1, 64, 64)),
]


def _image(shape: tuple[int, int, int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("name,options,shape", NETS)
def test_activations_match_torch(name: str, options: dict[str, Any], shape: Any) -> None:
    model = _engine(name, **options)
    theirs = _torch_twin(model)
    x = _image(shape)
    trace = network.forward_trace(model, x)
    t = torch.from_numpy(x.astype(np.float64))[None]
    for out, layer in zip(trace.outputs, theirs):
        t = layer(t)
        np.testing.assert_allclose(out, t[0].detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,options,shape", NETS)
def test_saliency_matches_torch_autograd(name: str, options: dict[str, Any], shape: Any) -> None:
    model = _engine(name, **options)
    theirs = _torch_twin(model)
    x = _image(shape, 1)
    ours = attribution.saliency(model, x, target=2)
    tx = torch.from_numpy(x.astype(np.float64))[None].requires_grad_(True)
    theirs(tx)[0, 2].backward()
    expected = tx.grad[0].abs().amax(dim=0).numpy()
    assert ours.shape == shape[1:]
    np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("name,options,shape", NETS)
def test_gradcam_matches_torch_autograd(name: str, options: dict[str, Any], shape: Any) -> None:
    model = _engine(name, **options)
    theirs = _torch_twin(model)
    x = _image(shape, 2)
    trace = network.forward_trace(model, x)
    index = attribution.default_cam_layer(trace)
    target = int(np.argmax(trace.logits))
    ours = attribution.gradcam(model, x)
    # PyTorch: keep the chosen layer's output, take the gradient of the target logit there.
    t = torch.from_numpy(x.astype(np.float64))[None]
    kept = None
    for i, layer in enumerate(theirs):
        t = layer(t)
        if i == index:
            t.retain_grad()
            kept = t
    t[0, target].backward()
    assert kept is not None and kept.grad is not None
    alpha = kept.grad[0].mean(dim=(1, 2))
    cam = torch.relu((alpha[:, None, None] * kept[0]).sum(dim=0))
    up = TF.interpolate(cam[None, None], size=shape[1:], mode="bilinear", align_corners=False)
    assert ours.shape == shape[1:]
    np.testing.assert_allclose(ours, up[0, 0].detach().numpy(), rtol=1e-3, atol=1e-5)


def test_gradcam_layer_choice_and_errors() -> None:
    from cnntui.errors import UsageError

    model = _engine("lenet5-28")
    trace = network.forward_trace(model, _image((1, 28, 28)))
    assert trace.names[attribution.default_cam_layer(trace)] == "relu3"
    cam, name = attribution.gradcam_coarse(model, _image((1, 28, 28)), layer="c1")
    assert name == "c1" and cam.shape == (28, 28)
    with pytest.raises(UsageError, match="spatial maps"):
        attribution.gradcam(model, _image((1, 28, 28)), layer="c5")
    with pytest.raises(UsageError, match="no layer called"):
        attribution.gradcam(model, _image((1, 28, 28)), layer="conv9")


def test_occlusion_is_the_mean_probability_drop() -> None:
    model = _engine("lenet5-28")
    x = _image((1, 28, 28), 4)
    heat = attribution.occlusion(model, x, target=1, size=7, stride=7)
    base = network.softmax(network.forward_trace(model, x).logits).probabilities[1]
    covered = x.copy()
    covered[:, 7:14, 14:21] = 0.0
    p = network.softmax(network.forward_trace(model, covered).logits).probabilities[1]
    # squares do not overlap at stride = size, so each pixel's value is one square's drop
    assert heat[10, 17] == pytest.approx(base - p, abs=1e-5)
    assert heat.shape == (28, 28)


def test_unit_detail_sums_to_the_activation() -> None:
    model = _engine("lenet5-28")
    x = _image((1, 28, 28), 5)
    trace = network.forward_trace(model, x)
    c3 = trace.index("c3")
    detail = network.unit_detail(trace, c3, (4, 3, 6))
    assert detail.patch is not None and detail.patch.shape == (6, 5, 5)
    assert detail.products_sum + detail.bias == pytest.approx(detail.value, abs=1e-4)
    assert detail.followed_by_relu
    # c1 has padding 2: its corner unit sees zeros outside the image
    corner = network.unit_detail(trace, 0, (0, 0, 0))
    assert corner.patch is not None and (corner.patch[:, :2, :] == 0).all()
    assert corner.products_sum + corner.bias == pytest.approx(corner.value, abs=1e-4)
    fc = network.unit_detail(trace, trace.index("c5"), (7,))
    assert fc.inputs[0] + fc.bias == pytest.approx(fc.value, abs=1e-4)
    assert fc.box == (0, 0, 27, 27)


def test_receptive_boxes_of_lenet() -> None:
    model = _engine("lenet5-28")
    trace = network.forward_trace(model, _image((1, 28, 28)))
    # c1 (5x5, pad 2): unit (0, 0) sees rows -2..2, clipped to 0..2
    assert network.receptive_box(trace, 0, 0, 0) == (0, 0, 2, 2)
    assert network.receptive_box(trace, 0, 10, 12) == (8, 10, 12, 14)
    # s4 unit (2, 3): pool 2 → c3 rows 4..5 → +4 → s2 rows 4..9 → c1 rows 8..19 → input 6..21 (16 rows)
    assert network.receptive_box(trace, trace.index("s4"), 2, 3) == (6, 10, 21, 25)


def test_softmax_written_out() -> None:
    s = network.softmax(np.array([1.0, 3.0, 2.0]))
    assert s.shifted.tolist() == [-2.0, 0.0, -1.0]
    assert s.total == pytest.approx(1 + np.exp(-1) + np.exp(-2))
    assert s.top(2) == [1, 2]
    assert s.probabilities.sum() == pytest.approx(1.0)


def test_maps_on_the_shipped_weights_match_torch() -> None:
    from cnntui.explain import pretrained
    from cnntui.explain.inputs import load_input

    net = pretrained.load("lenet5-digits")
    theirs = _torch_twin(net.module)
    picture = load_input("digit-3", "digits", net.input_shape)
    x = net.normalize(picture.pixels)
    ours_saliency = attribution.saliency(net.module, x)
    ours_cam = attribution.gradcam(net.module, x)
    tx = torch.from_numpy(x.astype(np.float64))[None].requires_grad_(True)
    t = tx
    kept = None
    for i, layer in enumerate(theirs):
        t = layer(t)
        if i == 4:  # relu3, the default Grad-CAM layer
            t.retain_grad()
            kept = t
    assert int(t.argmax()) == 3
    t[0, 3].backward()
    assert kept is not None and kept.grad is not None
    np.testing.assert_allclose(
        ours_saliency, tx.grad[0].abs().amax(dim=0).numpy(), rtol=1e-3, atol=1e-6
    )
    alpha = kept.grad[0].mean(dim=(1, 2))
    cam = torch.relu((alpha[:, None, None] * kept[0]).sum(dim=0))
    up = TF.interpolate(cam[None, None], size=(28, 28), mode="bilinear", align_corners=False)
    np.testing.assert_allclose(ours_cam, up[0, 0].detach().numpy(), rtol=1e-3, atol=1e-5)
