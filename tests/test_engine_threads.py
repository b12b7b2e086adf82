"""The engine's CPU threads (`cnntui.engine.parallel`): two threads give the one-thread results
(to float32 rounding), one thread is untouched, no thread outlives a run, and the pool is safe to
use from several threads at once (a UI worker beside a run)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from cnntui.bench.benchmark import BUILDERS
from cnntui.engine import functional as F
from cnntui.engine import nn, optim, parallel
from cnntui.engine.backend import cpu_threads, set_cpu_threads
from cnntui.engine.module import manual_seed


@pytest.fixture(params=["real sizes", "every split"])
def split(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run each test twice: with the real minimum chunk size, and with every operation split
    however small (so the small shapes below exercise the chunked code too)."""
    if request.param == "every split":
        monkeypatch.setattr(parallel, "MIN_CHUNK_ELEMENTS", 1)
    yield request.param


def engine_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cnntui-engine")]


def on_threads(count: int, compute: Callable[[], Any]) -> Any:
    with parallel.cpu_threads_scope(count):
        assert parallel.threads() == count
        return compute()


def assert_close(one: Any, two: Any, scale: float = 1.0) -> None:
    for a, b in zip(one, two, strict=True):
        if a is None:
            assert b is None
            continue
        assert a.shape == b.shape and a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=2e-5 * scale)


CONVS = [
    # (N, C, H, W), (F, kernel), stride, padding, dilation, groups: batch-last, flat and generic
    ((64, 3, 32, 32), (32, 3), 1, 1, 1, 1),
    ((16, 4, 17, 15), (6, 3), 2, 2, 2, 2),
    ((12, 6, 14, 13), (9, 3), (2, 1), (1, 0), 1, 3),
    ((4, 6, 20, 20), (6, 5), 1, 2, 1, 3),
    ((3, 2, 21, 19), (4, 3), 2, 1, (2, 1), 1),
    ((64, 1, 32, 32), (6, 5), 1, 0, 1, 1),
    ((2, 4, 9, 9), (4, 3), 1, "same", 1, 2),
]


@pytest.mark.parametrize("shape,filt,stride,padding,dilation,groups", CONVS)
@pytest.mark.parametrize("needs_input_grad", [True, False])
def test_convolution_on_two_threads_matches_one(
    split: str,
    shape: tuple[int, int, int, int],
    filt: tuple[int, int],
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    needs_input_grad: bool,
) -> None:
    rng = np.random.default_rng(0)
    f, k = filt
    x = rng.standard_normal(shape).astype(np.float32)
    weight = rng.standard_normal((f, shape[1] // groups, k, k)).astype(np.float32)
    bias = rng.standard_normal(f).astype(np.float32)

    def compute() -> tuple[Any, ...]:
        out, ctx = F.conv2d_forward(x, weight, bias, stride, padding, dilation, groups)
        grad = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
        return (np.array(out), *F.conv2d_backward(grad, ctx, needs_input_grad))

    one, two = compute(), on_threads(2, compute)
    # the weight gradient sums N·oh·ow products: its rounding grows with that count
    assert_close(one, two, scale=float(np.sqrt(x.size)))


@pytest.mark.parametrize(
    "shape,kernel,stride,padding",
    [((64, 32, 32, 32), 2, None, 0), ((5, 3, 12, 9), 3, None, 0), ((4, 3, 11, 11), 3, 2, 1)],
)
def test_max_pooling_on_two_threads_is_exact(
    split: str, shape: tuple[int, ...], kernel: int, stride: Any, padding: int
) -> None:
    rng = np.random.default_rng(2)
    # ties on purpose: the gradient must go to the first maximum whatever the split
    x = rng.integers(-3, 3, shape).astype(np.float32)
    # the layout a batch-last convolution leaves behind: (C, H, W, N) in memory
    x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)

    def compute() -> tuple[Any, ...]:
        out, ctx = F.max_pool2d_forward(x, kernel, stride, padding)
        grad = np.random.default_rng(3).standard_normal(out.shape).astype(np.float32)
        return np.array(out), np.array(F.max_pool2d_backward(grad, ctx))

    one, two = compute(), on_threads(2, compute)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_relu_on_two_threads_is_exact(split: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 32, 32, 32)).astype(np.float32).transpose(0, 3, 1, 2)
    grad = rng.standard_normal(x.shape).astype(np.float32)

    def compute() -> tuple[Any, ...]:
        out = F.relu(x)
        return out, F.relu_backward(grad, out)

    one, two = compute(), on_threads(2, compute)
    for a, b in zip(one, two, strict=True):
        assert b.dtype == a.dtype
        np.testing.assert_array_equal(a, b)


def fresh(model: str) -> nn.Sequential:
    """A bench model from a fixed start. Parameters are drawn lazily from one global generator,
    so they are materialised here, on the calling thread."""
    manual_seed(0)
    net = BUILDERS[model][0]()
    for p in net.parameters():
        assert p.data is not None
    return net


def train(model: str, net: nn.Sequential, batch: int = 16) -> list[np.ndarray]:
    """Parameters after two SGD steps on fixed random data."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((batch, *BUILDERS[model][1])).astype(np.float32)
    y = rng.integers(0, 10, batch)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        loss_fn(net.forward(x), y)
        net.backward(loss_fn.backward())
        opt.step()
    return [np.array(p.data) for p in net.parameters()]


def training_step(model: str, batch: int = 16) -> list[np.ndarray]:
    return train(model, fresh(model), batch)


@pytest.mark.parametrize("model", ["lenet5", "cifar-cnn"])
def test_a_training_step_on_two_threads_matches_one(split: str, model: str) -> None:
    one = training_step(model)
    two = on_threads(2, lambda: training_step(model))
    for a, b in zip(one, two, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
    assert [np.array_equal(a, b) for a, b in zip(two, on_threads(2, lambda: training_step(model)), strict=True)] == [True] * len(two)  # fmt: skip


def test_one_thread_is_bit_for_bit_one_blas_thread_as_before() -> None:
    """`--threads 1` used to mean one BLAS thread and nothing else: it still does."""
    before = cpu_threads()
    if before is None:
        pytest.skip("this NumPy's BLAS cannot be told its thread count")
    set_cpu_threads(1)
    try:
        outside = training_step("cifar-cnn")
    finally:
        set_cpu_threads(before)
    inside = on_threads(1, lambda: training_step("cifar-cnn"))
    assert parallel.pool_threads() == [] and cpu_threads() == before
    for a, b in zip(outside, inside, strict=True):
        np.testing.assert_array_equal(a, b)


def test_no_thread_outlives_a_scope_and_blas_gets_its_count_back() -> None:
    before_blas = cpu_threads()
    before = set(threading.enumerate())
    with parallel.cpu_threads_scope(3):
        assert len(parallel.pool_threads()) == 2
        if before_blas is not None:
            assert cpu_threads() == 1  # each chunk's product runs on one BLAS thread
        training_step("lenet5", batch=8)
    assert parallel.threads() == 1 and parallel.pool_threads() == []
    assert engine_threads() == [] and set(threading.enumerate()) == before
    assert cpu_threads() == before_blas


def test_an_error_in_a_chunk_reaches_the_caller_and_the_pool_stays_usable() -> None:
    def fail() -> int:
        raise ValueError("chunk failed")

    with parallel.cpu_threads_scope(2):
        with pytest.raises(ValueError, match="chunk failed"):
            parallel.run([lambda: 1, fail, lambda: 3])
        assert parallel.run([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]
    assert engine_threads() == []


def test_chunk_ranges_cover_the_work_once() -> None:
    assert parallel.ranges(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert parallel.ranges(3, 8) == [(0, 1), (1, 2), (2, 3)]
    assert parallel.ranges(100, 4, minimum=40) == [(0, 50), (50, 100)]
    assert parallel.chunks(1000, 1000) == [(0, 1000)]  # one thread: never split
    with parallel.cpu_threads_scope(2):
        assert parallel.chunks(4, 10) == [(0, 4)]  # too small to be worth a hand-off
        assert parallel.chunks(64, 1 << 14) == [(0, 32), (32, 64)]
    with pytest.raises(ValueError, match="at least 1"):
        with parallel.cpu_threads_scope(0):
            pass


def test_the_engine_is_safe_from_several_threads_at_once(split: str) -> None:
    """A UI worker running the engine while a run uses the pool: both get their own results."""
    expected = training_step("lenet5", batch=8)
    results: list[list[np.ndarray]] = []
    errors: list[BaseException] = []

    def worker(net: nn.Sequential) -> None:
        try:
            results.append(train("lenet5", net, batch=8))
        except BaseException as error:  # reported below
            errors.append(error)

    with parallel.cpu_threads_scope(2):
        workers = [threading.Thread(target=worker, args=(fresh("lenet5"),)) for _ in range(3)]
        net = fresh("lenet5")
        for t in workers:
            t.start()
        mine = train("lenet5", net, batch=8)
        for t in workers:
            t.join(timeout=60)
    assert not errors and len(results) == 3
    for got in [*results, mine]:
        for a, b in zip(expected, got, strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
    assert engine_threads() == []


def test_bench_uses_the_threads_asked_for_and_ends_with_none_running() -> None:
    code = (
        "import json, sys, threading\n"
        "from cnntui.cli import main\n"
        "status = main(['bench', '--device', 'cpu', '--batch', '8', '--steps', '1',"
        " '--repeat', '1', '--threads', '2', '--json'])\n"
        "left = [t.name for t in threading.enumerate() if t.name.startswith('cnntui-engine')]\n"
        "print(json.dumps({'status': status, 'left': left}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    bench, tail = result.stdout.strip().rsplit("\n", 1)
    assert json.loads(bench)["threads"] == 2
    assert json.loads(tail) == {"status": 0, "left": []}


def test_training_on_two_threads_is_reproducible_and_leaves_no_thread(tmp_path: Any) -> None:
    code = (
        "import json, sys, threading\n"
        "from cnntui.cli import main\n"
        "status = main(['train', 'lenet5', '--dataset', 'digits', '--epochs', '1', '--limit',"
        " '256', '--threads', '2', '--out', sys.argv[1], '--json'])\n"
        "left = [t.name for t in threading.enumerate() if t.name.startswith('cnntui-engine')]\n"
        "print(json.dumps({'status': status, 'left': left}))\n"
    )
    finals = []
    for name in ("a", "b"):
        result = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / name)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        document, tail = result.stdout.strip().rsplit("\n", 1)
        assert json.loads(tail) == {"status": 0, "left": []}
        finals.append(json.loads(document)["final"])
    assert finals[0] == finals[1]


def test_a_small_network_gets_blas_threads_and_a_large_one_the_engines() -> None:
    """`--threads 2` splits the CIFAR CNN's operations over the engine's threads; LeNet-5's are
    too small to gain from that, so OpenBLAS gets the two threads for its products instead."""
    from cnntui.bench.benchmark import network
    from cnntui.engine.backend import cpu_threads
    from cnntui.train.engine_api import threads_scope

    if cpu_threads() is None:
        pytest.skip("this NumPy's BLAS does not tell its thread count")
    before = cpu_threads()
    with threads_scope(2, *network("lenet5")):
        assert parallel.threads() == 1 and not parallel.pool_threads()
        assert cpu_threads() == 2
    with threads_scope(2, *network("cifar-cnn")):
        assert parallel.threads() == 2
        assert cpu_threads() == 1
    assert cpu_threads() == before and parallel.threads() == 1
    assert parallel.worth_splitting(parallel.SPLIT_MIN_MACS)
    assert not parallel.worth_splitting(parallel.SPLIT_MIN_MACS - 1)
