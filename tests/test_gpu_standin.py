"""The strict CuPy stand-in itself: as strict as CuPy where it matters, honest counters, and the
NumPy references of the kernels equal to the compiled CUDA bodies."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnntui.engine import gpu_kernels
from cnntui.engine.backend import to_host

sys.path.insert(0, str(Path(__file__).parent))
import gpu_standin  # noqa: E402

sys.path.pop(0)


@pytest.fixture
def cupy(monkeypatch: pytest.MonkeyPatch) -> Any:
    module = gpu_standin.install(monkeypatch)
    yield module
    gpu_kernels.reset()


def test_device_arrays_never_turn_into_host_arrays_silently(cupy: Any) -> None:
    a = cupy.asarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError, match="host array"):
        a + np.ones((2, 3), dtype=np.float32)
    total = a.sum()
    assert isinstance(total, cupy.ndarray) and total.shape == ()
    assert gpu_standin.counters.syncs == 0
    assert float(total) == 15.0 and gpu_standin.counters.syncs == 1
    assert to_host(a).tolist() == [[0, 1, 2], [3, 4, 5]] and gpu_standin.counters.syncs == 2


def test_counters_count_launches_not_views(cupy: Any) -> None:
    a = cupy.zeros((4, 4), dtype=np.float32)
    assert gpu_standin.counters.snapshot() == {"ops": 1, "syncs": 0, "h2d": 0, "d2h": 0}
    gpu_standin.counters.reset()
    view = a.T.reshape(16)  # a copy: the transpose is not contiguous
    b = a[1:, ::2]
    c = a[0]
    assert (gpu_standin.counters.ops, b.shape, c.shape) == (1, (3, 2), (4,))
    a += 1
    cupy.exp(view)
    assert gpu_standin.counters.ops == 3


def test_kernels_check_every_raw_access(cupy: Any) -> None:
    if gpu_standin.COMPILER is None:
        pytest.skip("no C++ compiler: kernels run as NumPy references, which NumPy bounds-checks")
    kernel = cupy.ElementwiseKernel("raw T x, int32 shift", "T y", "y = x[i + shift]", "shifted")
    x = cupy.asarray(np.arange(4, dtype=np.float32))
    assert to_host(kernel(x, 0, cupy.empty(4, np.float32))).tolist() == [0, 1, 2, 3]
    with pytest.raises(IndexError, match="index 4"):
        kernel(x, 1, cupy.empty(4, np.float32))


def _im2col_col2im(rng: np.random.Generator, cupy: Any) -> list[Any]:
    x = cupy.asarray(rng.standard_normal((2, 3, 7, 6)).astype(np.float32))
    cols = gpu_kernels.im2col(x, (2, 1), (3, 2), (2, 1), (2, 1), (5, 6))
    back = gpu_kernels.col2im(cols, 3, 2, (7, 6), (2, 1), (3, 2), (2, 1), (2, 1), (5, 6))
    cm = gpu_kernels.col2im(cols, 3, 2, (7, 6), (2, 1), (3, 2), (2, 1), (2, 1), (5, 6), False)
    product = cupy.asarray(rng.standard_normal((4, 2 * 15)).astype(np.float32))
    bias = cupy.asarray(rng.standard_normal(4).astype(np.float32))
    return [
        cols, back, cm, gpu_kernels.columns_to_nchw(product, None, 2, (3, 5)),
        gpu_kernels.columns_to_nchw(product, bias, 2, (3, 5)),
    ]  # fmt: skip


def _pooling(rng: np.random.Generator, cupy: Any) -> list[Any]:
    host = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    host[0, 0, 1, 1] = np.nan
    host[1, 2] = 1.0  # ties everywhere
    x = cupy.asarray(host)
    out, index = gpu_kernels.max_pool_forward(x, (3, 2), (2, 2), (1, 1), (1, 2), (4, 3))
    g = cupy.asarray(rng.standard_normal(out.shape).astype(np.float32))
    back = gpu_kernels.max_pool_backward(g, index, (7, 8), (3, 2), (2, 2), (1, 1), (1, 2))
    return [out, index, back, gpu_kernels.relu_backward(g * 0 + 1, g)]


def _random(rng: np.random.Generator, cupy: Any) -> list[Any]:
    x = cupy.asarray(rng.standard_normal((5, 7)).astype(np.float32))
    return [*gpu_kernels.dropout(x, 0.3, 12345), gpu_kernels.normal((3, 4, 1, 1), 99, np.float32)]


def _optimisers(rng: np.random.Generator, cupy: Any) -> list[Any]:
    def fresh() -> Any:
        return cupy.asarray(rng.standard_normal((3, 4)).astype(np.float32))

    p1, p2, p3, p4, g, buf, m, v, vmax = (fresh() for _ in range(9))
    v, vmax = v * v, vmax * vmax
    gpu_kernels.sgd(p1, g, 0.1, 0.01)
    gpu_kernels.sgd_momentum(p2, g, buf, 0.1, 0.01, 0.9, 0.1, False, True)
    gpu_kernels.sgd_momentum(p2, g, buf, 0.1, 0.01, 0.9, 0.0, True, False)
    gpu_kernels.adam(p3, g, m, v, None, lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1,
                     decoupled=False, step=3)  # fmt: skip
    gpu_kernels.adam(p4, g, m, v, vmax, lr=0.01, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1,
                     decoupled=True, step=1)  # fmt: skip
    return [p1, p2, buf, p3, p4, m, v, vmax]


def _cross_entropy(rng: np.random.Generator, cupy: Any) -> list[Any]:
    logits = cupy.asarray(rng.standard_normal((6, 5)).astype(np.float32))
    target = cupy.asarray(np.array([0, 4, -100, 2, 2, 1]))
    weight = cupy.asarray(np.linspace(0.5, 1.5, 5).astype(np.float32))
    plain = gpu_kernels.cross_entropy(logits, target, None, -100, 0.0, True)
    full = gpu_kernels.cross_entropy(logits, target, weight, -100, 0.2, False)
    bad = gpu_kernels.cross_entropy(
        logits, cupy.asarray(np.array([0, 9, 1, 1, 1, 1])), None, -100, 0.0, True
    )
    return [*plain, *full, bad[1][0]]


@pytest.mark.parametrize(
    "case", [_im2col_col2im, _pooling, _random, _optimisers, _cross_entropy],
    ids=["im2col-col2im", "pooling", "random", "optimisers", "cross-entropy"],
)  # fmt: skip
def test_numpy_references_equal_the_compiled_kernels(
    cupy: Any, monkeypatch: pytest.MonkeyPatch, case: Callable[..., list[Any]]
) -> None:
    if gpu_standin.COMPILER is None:
        pytest.skip("no C++ compiler to compile the CUDA bodies with")
    results = {}
    for mode in ("compiled", "numpy"):
        monkeypatch.setattr(gpu_standin, "KERNELS", mode)
        results[mode] = [to_host(a) for a in case(np.random.default_rng(7), cupy)]
    for compiled, reference in zip(results["compiled"], results["numpy"], strict=True):
        assert compiled.dtype == reference.dtype
        np.testing.assert_allclose(compiled, reference, rtol=2e-6, atol=1e-6, equal_nan=True)
    assert np.isnan(results["numpy"][-1]).any() or case is not _cross_entropy
