"""Every engine layer and op against PyTorch (the oracle): forward outputs and all gradients,
float32, relative error (by norm) under 1e-5."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

from cnntui.engine import functional as F  # noqa: E402
from cnntui.engine import nn  # noqa: E402

TOL = 1e-5
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.:UserWarning")


def rel_err(ours: Any, theirs: Any) -> float:
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(
        theirs.detach().numpy() if hasattr(theirs, "detach") else theirs, dtype=np.float64
    )
    assert a.shape == b.shape, f"shape {a.shape} != {b.shape}"
    scale = max(np.linalg.norm(b), 1e-12)
    return float(np.linalg.norm(a - b) / scale)


def copy_params(ours: nn.Module, theirs: Any) -> None:
    for name, p in ours.named_parameters():
        theirs.get_parameter(name).data = torch.from_numpy(np.array(p.data))


def compare_layer(
    ours: nn.Module, theirs: Any, shape: tuple[int, ...], seed: int = 0, positive: bool = False
) -> None:
    """Forward the same input through both, backward the same random gradient, compare everything."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    if positive:
        x = np.abs(x) + 0.1
    copy_params(ours, theirs)
    out = ours.forward(x)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    tout = theirs(tx)
    assert rel_err(out, tout) < TOL, f"forward: {rel_err(out, tout)}"
    g = rng.standard_normal(tout.shape).astype(np.float32)
    gin = ours.backward(g)
    tout.backward(torch.from_numpy(g))
    assert rel_err(gin, tx.grad) < TOL, f"input grad: {rel_err(gin, tx.grad)}"
    for name, p in ours.named_parameters():
        tp = theirs.get_parameter(name)
        assert rel_err(p.grad, tp.grad) < TOL, f"{name} grad: {rel_err(p.grad, tp.grad)}"


CONV_CASES = [
    dict(in_channels=1, out_channels=6, kernel_size=5),
    dict(in_channels=3, out_channels=4, kernel_size=3, padding=1),
    dict(in_channels=3, out_channels=4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0)),
    dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=2, dilation=2, groups=2),
    dict(in_channels=4, out_channels=4, kernel_size=3, padding=1, groups=4, bias=False),
    dict(in_channels=2, out_channels=3, kernel_size=(2, 3), padding="same"),
    dict(in_channels=2, out_channels=3, kernel_size=4, padding="same", dilation=2),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding="valid", stride=3),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding=2, padding_mode="replicate"),
    dict(
        in_channels=3,
        out_channels=2,
        kernel_size=(3, 1),
        stride=(1, 2),
        padding=(2, 1),
        padding_mode="replicate",
    ),
    dict(in_channels=1, out_channels=2, kernel_size=7, stride=1, padding=0),
]


@pytest.mark.parametrize("batch", [2, 9], ids=["batch-first", "batch-last"])
@pytest.mark.parametrize(
    "kwargs", CONV_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items())
)
def test_conv2d_matches_torch(kwargs: dict[str, Any], batch: int) -> None:
    # a batch of 8 or more takes the batch-last column layout on the CPU
    compare_layer(nn.Conv2d(**kwargs), tnn.Conv2d(**kwargs), (batch, kwargs["in_channels"], 9, 8))


CONVT_CASES = [
    dict(in_channels=3, out_channels=2, kernel_size=4, stride=2, padding=1, bias=False),
    dict(in_channels=4, out_channels=3, kernel_size=4, stride=1, padding=0),
    dict(
        in_channels=2,
        out_channels=4,
        kernel_size=(3, 2),
        stride=(2, 3),
        padding=(1, 0),
        output_padding=(1, 2),
    ),
    dict(
        in_channels=4,
        out_channels=6,
        kernel_size=3,
        stride=2,
        padding=1,
        groups=2,
        dilation=2,
        output_padding=1,
    ),
]


@pytest.mark.parametrize("batch", [2, 9], ids=["batch-first", "batch-last"])
@pytest.mark.parametrize(
    "kwargs", CONVT_CASES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items())
)
def test_conv_transpose2d_matches_torch(kwargs: dict[str, Any], batch: int) -> None:
    compare_layer(
        nn.ConvTranspose2d(**kwargs),
        tnn.ConvTranspose2d(**kwargs),
        (batch, kwargs["in_channels"], 5, 4),
    )


POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0), ceil_mode=True),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=1, padding=1, ceil_mode=True),
]


@pytest.mark.parametrize("kwargs", POOL_CASES, ids=str)
def test_max_pool2d_matches_torch(kwargs: dict[str, Any]) -> None:
    compare_layer(nn.MaxPool2d(**kwargs), tnn.MaxPool2d(**kwargs), (2, 3, 9, 8))


def test_max_pool2d_dilation_and_indices_match_torch() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 11, 10)).astype(np.float32)
    out, idx = F.max_pool2d(x, 3, 2, 1, 2, True, return_indices=True)
    tout, tidx = TF.max_pool2d(torch.from_numpy(x), 3, 2, 1, 2, True, return_indices=True)
    assert rel_err(out, tout) < TOL
    np.testing.assert_array_equal(idx, tidx.numpy())
    compare_layer(
        nn.MaxPool2d(3, 2, 1, dilation=2), tnn.MaxPool2d(3, 2, 1, dilation=2), (2, 2, 11, 10)
    )


def test_max_pool2d_ties_send_gradient_to_first_maximum_like_torch() -> None:
    x = np.zeros((1, 1, 4, 4), dtype=np.float32)  # every window is one big tie
    x[0, 0, 3, 3] = -1
    layer = nn.MaxPool2d(2)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    layer.forward(x)
    tout = TF.max_pool2d(tx, 2)
    g = np.arange(1, 5, dtype=np.float32).reshape(1, 1, 2, 2)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(layer.backward(g), tx.grad.numpy())


AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(
        kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, count_include_pad=False
    ),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("kwargs", AVG_CASES, ids=str)
def test_avg_pool2d_matches_torch(kwargs: dict[str, Any]) -> None:
    compare_layer(nn.AvgPool2d(**kwargs), tnn.AvgPool2d(**kwargs), (2, 3, 9, 8))


@pytest.mark.parametrize(
    "size,shape",
    [
        ((1, 1), (2, 3, 7, 7)),
        ((3, 3), (2, 3, 6, 9)),
        ((2, 3), (2, 2, 5, 7)),
        ((None, 2), (1, 2, 4, 5)),
        (6, (2, 2, 13, 13)),
    ],
)
def test_adaptive_avg_pool2d_matches_torch(size: Any, shape: tuple[int, ...]) -> None:
    compare_layer(nn.AdaptiveAvgPool2d(size), tnn.AdaptiveAvgPool2d(size), shape)


def test_linear_matches_torch() -> None:
    compare_layer(nn.Linear(7, 5), tnn.Linear(7, 5), (4, 7))
    compare_layer(nn.Linear(7, 3, bias=False), tnn.Linear(7, 3, bias=False), (2, 3, 7))


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda: nn.ReLU(), lambda: tnn.ReLU()),
        (lambda: nn.LeakyReLU(0.2), lambda: tnn.LeakyReLU(0.2)),
        (lambda: nn.Sigmoid(), lambda: tnn.Sigmoid()),
        (lambda: nn.Tanh(), lambda: tnn.Tanh()),
        (lambda: nn.Flatten(), lambda: tnn.Flatten()),
        (lambda: nn.Flatten(2), lambda: tnn.Flatten(2)),
        (lambda: nn.Identity(), lambda: tnn.Identity()),
        (
            lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0),
            lambda: tnn.LocalResponseNorm(5, 1e-4, 0.75, 2.0),
        ),
        (
            lambda: nn.LocalResponseNorm(4, alpha=0.3, beta=0.6, k=1.5),
            lambda: tnn.LocalResponseNorm(4, 0.3, 0.6, 1.5),
        ),
    ],
    ids=["relu", "leaky", "sigmoid", "tanh", "flatten", "flatten2", "identity", "lrn5", "lrn4"],
)
def test_pointwise_layers_match_torch(ours: Any, theirs: Any) -> None:
    compare_layer(ours(), theirs(), (3, 7, 4, 5), seed=3)


def test_sigmoid_is_stable_for_large_inputs() -> None:
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=np.float32)
    assert rel_err(F.sigmoid(x), torch.sigmoid(torch.from_numpy(x))) < TOL
    assert np.isfinite(F.sigmoid(x)).all()


@pytest.mark.parametrize(
    "cls,tcls,shape",
    [
        (nn.BatchNorm2d, tnn.BatchNorm2d, (4, 3, 5, 6)),
        (nn.BatchNorm1d, tnn.BatchNorm1d, (5, 3)),
        (nn.BatchNorm1d, tnn.BatchNorm1d, (4, 3, 7)),
    ],
)
def test_batch_norm_matches_torch_in_train_and_eval(
    cls: Any, tcls: Any, shape: tuple[int, ...]
) -> None:
    ours, theirs = cls(3), tcls(3)
    rng = np.random.default_rng(5)
    for p in ours.parameters():
        p.data = rng.standard_normal(p.shape).astype(np.float32)
    for step in range(3):
        compare_layer(ours, theirs, shape, seed=step)
    assert rel_err(ours.running_mean, theirs.running_mean) < TOL
    assert rel_err(ours.running_var, theirs.running_var) < TOL
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 3
    ours.eval()
    theirs.eval()
    compare_layer(ours, theirs, shape, seed=9)
    assert set(ours.state_dict()) == set(theirs.state_dict())


def test_batch_norm_without_affine_or_running_stats_matches_torch() -> None:
    compare_layer(nn.BatchNorm2d(3, affine=False), tnn.BatchNorm2d(3, affine=False), (4, 3, 3, 2))
    ours, theirs = (
        nn.BatchNorm2d(3, track_running_stats=False),
        tnn.BatchNorm2d(3, track_running_stats=False),
    )
    ours.eval()
    theirs.eval()
    compare_layer(ours, theirs, (4, 3, 3, 2))
    ours, theirs = nn.BatchNorm2d(3, momentum=None), tnn.BatchNorm2d(3, momentum=None)
    for seed in range(3):
        compare_layer(ours, theirs, (4, 3, 3, 2), seed=seed)
    assert rel_err(ours.running_var, theirs.running_var) < TOL


def test_dropout_is_identity_in_eval_and_scales_in_training() -> None:
    layer = nn.Dropout(0.25, seed=0)
    x = np.ones((200, 50), dtype=np.float32)
    out = layer.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    g = np.full_like(x, 2.0)
    np.testing.assert_array_equal(layer.backward(g), g * out)
    again = nn.Dropout(0.25, seed=0).forward(x)
    np.testing.assert_array_equal(again, out)
    layer.eval()
    assert layer.forward(x) is x


# -- losses and functional ops --------------------------------------------------------------------


def compare_loss(
    ours: nn.Loss, theirs: Any, logits: np.ndarray, target: np.ndarray, ttarget: Any
) -> None:
    tx = torch.from_numpy(logits.copy()).requires_grad_(True)
    tloss = theirs(tx, ttarget)
    loss = ours(logits, target)
    assert rel_err(loss, tloss) < TOL
    if tloss.ndim == 0:
        assert np.ndim(loss) == 0
        tloss.backward()
        assert rel_err(ours.backward(), tx.grad) < TOL
    else:
        g = np.random.default_rng(2).standard_normal(tloss.shape).astype(np.float32)
        tloss.backward(torch.from_numpy(g))
        assert rel_err(ours.backward(g), tx.grad) < TOL


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"label_smoothing": 0.1},
        {"ignore_index": 2},
        {"weight": np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)},
        {
            "weight": np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32),
            "label_smoothing": 0.2,
            "ignore_index": 1,
        },
    ],
    ids=str,
)
def test_cross_entropy_matches_torch(kwargs: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((6, 4)) * 3).astype(np.float32)
    target = np.array([0, 1, 2, 3, 2, 1])
    tkw = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    compare_loss(
        nn.CrossEntropyLoss(**kwargs),
        tnn.CrossEntropyLoss(**tkw),
        logits,
        target,
        torch.from_numpy(target),
    )


def test_cross_entropy_with_probability_targets_matches_torch() -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 3)).astype(np.float32)
    probs = F.softmax(rng.standard_normal((5, 3)).astype(np.float32), dim=1)
    compare_loss(
        nn.CrossEntropyLoss(label_smoothing=0.1),
        tnn.CrossEntropyLoss(label_smoothing=0.1),
        logits,
        probs,
        torch.from_numpy(probs),
    )


def test_binary_losses_match_torch() -> None:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((6, 1)).astype(np.float32) * 4
    t = (rng.random((6, 1)) > 0.5).astype(np.float32)
    p = F.sigmoid(z)
    compare_loss(nn.BCELoss(), tnn.BCELoss(), p, t, torch.from_numpy(t))
    compare_loss(
        nn.BCELoss(reduction="sum"), tnn.BCELoss(reduction="sum"), p, t, torch.from_numpy(t)
    )
    compare_loss(nn.BCEWithLogitsLoss(), tnn.BCEWithLogitsLoss(), z, t, torch.from_numpy(t))
    pw = np.array([2.5], dtype=np.float32)
    compare_loss(
        nn.BCEWithLogitsLoss(pos_weight=pw),
        tnn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(pw)),
        z,
        t,
        torch.from_numpy(t),
    )
    compare_loss(nn.MSELoss(), tnn.MSELoss(), z, t, torch.from_numpy(t))
    compare_loss(
        nn.MSELoss(reduction="none"), tnn.MSELoss(reduction="none"), z, t, torch.from_numpy(t)
    )


def test_softmax_and_log_softmax_match_torch() -> None:
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((3, 5, 2)) * 10).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    for dim in (0, 1, -1):
        for ours, ours_back, theirs in (
            (F.softmax, F.softmax_backward, TF.softmax),
            (F.log_softmax, F.log_softmax_backward, TF.log_softmax),
        ):
            tx = torch.from_numpy(x.copy()).requires_grad_(True)
            tout = theirs(tx, dim=dim)
            out = ours(x, dim=dim)
            assert rel_err(out, tout) < TOL
            tout.backward(torch.from_numpy(g))
            assert rel_err(ours_back(g, out, dim=dim), tx.grad) < TOL


@pytest.mark.parametrize("mode", ["constant", "replicate"])
def test_pad_matches_torch(mode: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    pads = (2, 1, 3, 0)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    tout = TF.pad(tx, pads, mode=mode)
    out = F.pad(x, pads, mode=mode)
    assert rel_err(out, tout) < TOL
    g = rng.standard_normal(out.shape).astype(np.float32)
    tout.backward(torch.from_numpy(g))
    assert rel_err(F.pad_backward(g, x.shape, pads, mode=mode), tx.grad) < TOL


def test_functional_conv_ops_match_torch() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    ours = F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)
    theirs = TF.conv2d(
        torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), (2, 1), (1, 2), (1, 2), 2
    )
    assert rel_err(ours, theirs) < TOL
    wt = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    ours = F.conv_transpose2d(x, wt, None, 2, 1, 1, 1, 1)
    theirs = TF.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(wt), None, 2, 1, 1, 1, 1)
    assert rel_err(ours, theirs) < TOL


# -- containers and a whole network ---------------------------------------------------------------------


class TorchResidual(tnn.Module):
    def __init__(self, body: Any, shortcut: Any = None) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x: Any) -> Any:
        return torch.relu(self.body(x) + (self.shortcut(x) if self.shortcut is not None else x))


class TorchConcat(tnn.Module):
    def __init__(self, *branches: Any) -> None:
        super().__init__()
        for i, b in enumerate(branches):
            self.add_module(str(i), b)

    def forward(self, x: Any) -> Any:
        return torch.cat([m(x) for m in self.children()], dim=1)


def test_residual_blocks_match_torch() -> None:
    ours = nn.Residual(
        nn.Sequential(
            nn.Conv2d(3, 3, 3, padding=1, bias=False),
            nn.BatchNorm2d(3),
            nn.ReLU(),
            nn.Conv2d(3, 3, 3, padding=1),
        ),
        activation=nn.ReLU(),
    )
    theirs = TorchResidual(
        tnn.Sequential(
            tnn.Conv2d(3, 3, 3, padding=1, bias=False),
            tnn.BatchNorm2d(3),
            tnn.ReLU(),
            tnn.Conv2d(3, 3, 3, padding=1),
        )
    )
    compare_layer(ours, theirs, (2, 3, 6, 5))
    ours = nn.Residual(
        nn.Sequential(
            nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1)
        ),
        shortcut=nn.Sequential(nn.Conv2d(3, 4, 1, stride=2, bias=False), nn.BatchNorm2d(4)),
        activation=nn.ReLU(),
    )
    theirs = TorchResidual(
        tnn.Sequential(
            tnn.Conv2d(3, 4, 3, stride=2, padding=1), tnn.ReLU(), tnn.Conv2d(4, 4, 3, padding=1)
        ),
        tnn.Sequential(tnn.Conv2d(3, 4, 1, stride=2, bias=False), tnn.BatchNorm2d(4)),
    )
    compare_layer(ours, theirs, (2, 3, 7, 6))


def test_concat_matches_torch() -> None:
    ours = nn.Concat(
        nn.Conv2d(3, 2, 1),
        nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.Conv2d(2, 3, 3, padding=1)),
        nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(3, 1, 1)),
    )
    theirs = TorchConcat(
        tnn.Conv2d(3, 2, 1),
        tnn.Sequential(tnn.Conv2d(3, 2, 1), tnn.ReLU(), tnn.Conv2d(2, 3, 3, padding=1)),
        tnn.Sequential(tnn.MaxPool2d(3, stride=1, padding=1), tnn.Conv2d(3, 1, 1)),
    )
    compare_layer(ours, theirs, (2, 3, 5, 6))


def lenet(lib: Any) -> Any:
    return lib.Sequential(
        lib.Conv2d(1, 6, 5),
        lib.ReLU(),
        lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5),
        lib.ReLU(),
        lib.MaxPool2d(2),
        lib.Flatten(),
        lib.Linear(400, 120),
        lib.ReLU(),
        lib.Linear(120, 84),
        lib.ReLU(),
        lib.Linear(84, 10),
    )


def test_lenet_training_step_matches_torch() -> None:
    ours, theirs = lenet(nn), lenet(tnn)
    compare_layer(ours, theirs, (8, 1, 32, 32))
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters()) == 61_706


@pytest.mark.parametrize(
    "kernel,shape",
    [(2, (2, 3, 8, 6)), ((2, 3), (2, 2, 8, 9)), (3, (1, 2, 9, 6)), ((1, 2), (2, 2, 3, 4))],
)
def test_tiled_max_pool_matches_torch_with_many_ties(kernel: Any, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, shape).astype(np.float32)  # small integers: ties in most windows
    layer = nn.MaxPool2d(kernel)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    tout = TF.max_pool2d(tx, kernel)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, tout.detach().numpy())
    g = rng.standard_normal(out.shape).astype(np.float32)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(layer.backward(g), tx.grad.numpy())
    _, idx = F.max_pool2d(x, kernel, return_indices=True)
    np.testing.assert_array_equal(
        idx, TF.max_pool2d(torch.from_numpy(x), kernel, return_indices=True)[1].numpy()
    )
