"""Forward and backward of the zoo's own layers and blocks.

The 1998 LeNet layers are checked against finite differences and against an equivalent dense
computation; the torchvision-layout blocks against PyTorch with the same weights (loaded through
the shared state-dict names).
"""

from __future__ import annotations

import numpy as np
import pytest

from cnntui import zoo
from cnntui.engine.module import manual_seed
from cnntui.zoo.blocks import BasicBlock, Bottleneck, PadShortcut
from cnntui.zoo.lenet1998 import C3_TABLE, RBFOutput, ScaledTanh, SparseConv2d, Subsampling


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


def check_layer_gradients(layer, x: np.ndarray) -> None:
    """Input and parameter gradients of sum(w * layer(x)) against central differences."""
    layer.to(dtype=np.float64)
    rng = np.random.default_rng(1)
    out = layer.forward(x)
    weights = rng.normal(size=out.shape)
    layer.zero_grad()
    grad_in = layer.backward(weights)

    def loss() -> float:
        return float((layer.forward(x) * weights).sum())

    np.testing.assert_allclose(grad_in, numeric_grad(loss, x), rtol=1e-5, atol=1e-7)
    for name, p in layer.named_parameters():
        if p.requires_grad:
            np.testing.assert_allclose(
                p.grad, numeric_grad(loss, p.data), rtol=1e-5, atol=1e-7, err_msg=name
            )


def test_subsampling_gradients() -> None:
    manual_seed(0)
    layer = Subsampling(3)
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 6))
    check_layer_gradients(layer, x)
    assert layer.output_shape((3, 4, 6)) == (3, 2, 3)


def test_sparse_conv_matches_masked_dense_conv_and_gradients() -> None:
    manual_seed(0)
    layer = SparseConv2d(6, 16, 3)
    layer.to(dtype=np.float64)
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 5))
    out = layer.forward(x)
    dense = layer.dense_weight()
    for j, links in enumerate(C3_TABLE):
        assert set(np.nonzero(np.abs(dense[j]).sum(axis=(1, 2)))[0]) == set(links)
    # direct definition: output map j sums only its linked input maps
    expected = np.zeros((2, 16, 4, 3))
    for j in range(16):
        for i in C3_TABLE[j]:
            for a in range(4):
                for b in range(3):
                    expected[:, j, a, b] += (x[:, i, a : a + 3, b : b + 3] * dense[j, i]).sum(
                        axis=(1, 2)
                    )
        expected[:, j] += layer.bias.data[j]
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    check_layer_gradients(layer, x)


def test_rbf_and_squash_gradients() -> None:
    rbf = RBFOutput(84, 10)
    x = np.random.default_rng(3).normal(size=(3, 84))
    check_layer_gradients(rbf, x)
    assert set(np.unique(rbf.weight.data)) == {-1.0, 1.0}
    assert rbf.weight.requires_grad is False
    check_layer_gradients(ScaledTanh(), np.random.default_rng(4).normal(size=(2, 5)))
    np.testing.assert_allclose(ScaledTanh().forward(np.array([1.0, -1.0])), [1.0, -1.0], atol=2e-4)


def test_lenet5_1998_trains_end_to_end() -> None:
    manual_seed(0)
    model = zoo.build("lenet5-1998")
    model.to(dtype=np.float64)
    x = np.random.default_rng(5).normal(size=(2, 1, 32, 32))
    out = model.forward(x)
    assert out.shape == (2, 10)
    grad = model.backward(np.ones_like(out))
    assert grad.shape == x.shape
    assert model.c3.weight.grad.shape == (60, 5, 5)
    assert model.output.weight.grad is None  # the class codes are fixed


def test_pad_shortcut() -> None:
    layer = PadShortcut(2, 4, 2)
    x = np.random.default_rng(6).normal(size=(1, 2, 5, 5))
    out = layer.forward(x)
    assert out.shape == (1, 4, 3, 3)
    assert layer.output_shape((2, 5, 5)) == (4, 3, 3)
    np.testing.assert_array_equal(out[:, :2], x[:, :, ::2, ::2])
    assert not out[:, 2:].any()
    check_layer_gradients(layer, x)


torch = pytest.importorskip("torch")


def torch_references():
    """The plain-torch reference architectures of test_zoo_torch.py, loaded by path so that this
    works however pytest was started (with or without the repository on sys.path)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("test_zoo_torch.py")
    spec = importlib.util.spec_from_file_location("zoo_torch_references", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _to_torch(model, torch_model) -> None:
    state = {
        k: torch.from_numpy(np.asarray(v, dtype=np.float64)) for k, v in model.state_dict().items()
    }
    missing, unexpected = torch_model.load_state_dict(state, strict=False)
    assert not unexpected
    assert all(k.endswith("num_batches_tracked") for k in missing)


@pytest.mark.parametrize("block_type", [BasicBlock, Bottleneck])
def test_residual_blocks_match_torch(block_type) -> None:
    from cnntui.engine import nn

    refs = torch_references()
    TBasic, TBottle = refs.TBasic, refs.TBottle

    manual_seed(7)
    planes = 4
    inplanes = 6
    out_channels = planes * block_type.expansion
    down = nn.Sequential(
        nn.Conv2d(inplanes, out_channels, 1, stride=2, bias=False), nn.BatchNorm2d(out_channels)
    )
    ours = block_type(inplanes, planes, 2, down)
    ours.to(dtype=np.float64).train()
    t_down = torch.nn.Sequential(
        torch.nn.Conv2d(inplanes, out_channels, 1, 2, bias=False),
        torch.nn.BatchNorm2d(out_channels),
    )
    ref = (
        (TBasic if block_type is BasicBlock else TBottle)(inplanes, planes, 2, t_down)
        .double()
        .train()
    )
    _to_torch(ours, ref)
    x = np.random.default_rng(8).normal(size=(2, inplanes, 7, 7))
    tx = torch.tensor(x, requires_grad=True)
    out_ref = ref(tx)
    out = ours.forward(x)
    np.testing.assert_allclose(out, out_ref.detach().numpy(), rtol=1e-9, atol=1e-9)
    g = np.random.default_rng(9).normal(size=out.shape)
    out_ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.backward(g), tx.grad.numpy(), rtol=1e-8, atol=1e-9)
    tgrads = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad, tgrads[name].grad.numpy(), rtol=1e-8, atol=1e-9, err_msg=name
        )


@pytest.mark.parametrize("name", ["googlenet", "resnet18"])
def test_torchvision_layouts_forward_like_torch(name: str) -> None:
    REFERENCES = torch_references().REFERENCES
    manual_seed(10)
    model = zoo.build(name, num_classes=7)
    model.to(dtype=np.float64).eval()
    ref = REFERENCES[name][0]()
    ref.fc = torch.nn.Linear(ref.fc.in_features, 7)
    ref = ref.double().eval()
    _to_torch(model, ref)
    x = np.random.default_rng(11).normal(size=(1, 3, 48, 48))
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.forward(x), expected, rtol=1e-7, atol=1e-9)
