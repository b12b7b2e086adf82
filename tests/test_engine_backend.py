"""Backend choice and fallback, import hygiene, initialisers, and the `cnntui bench` command."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from cnntui.engine import backend, init
from cnntui.engine.module import Parameter


def test_importing_the_engine_pulls_in_no_cupy_textual_or_rich() -> None:
    code = (
        "import sys\n"
        "import cnntui.engine, cnntui.engine.nn, cnntui.engine.functional, cnntui.engine.backend\n"
        "import cnntui.engine.init, cnntui.engine.optim, cnntui.engine.im2col, cnntui.engine.module\n"
        "import cnntui.bench.benchmark, cnntui.engine.gpu_kernels\n"
        "from cnntui.engine.backend import get_backend\n"
        "get_backend('cpu')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('cupy', 'cupyx', 'textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_cpu_backend_and_array_module() -> None:
    cpu = backend.get_backend("cpu")
    assert cpu.name == "cpu" and cpu.xp is np and cpu.reason == ""
    assert backend.array_module(np.zeros(2)) is np
    assert backend.array_module(None, 3.0) is np
    assert cpu.describe().startswith("cpu: CPU")
    with pytest.raises(ValueError, match="unknown device"):
        backend.get_backend("tpu")


def test_gpu_request_falls_back_with_a_one_line_reason() -> None:
    gpu = backend.get_backend("gpu")
    if gpu.is_gpu:
        pytest.skip("a working GPU is present; the fallback cannot be observed")
    assert gpu.name == "cpu" and gpu.requested == "gpu"
    assert gpu.reason and "\n" not in gpu.reason
    assert backend.get_backend("auto").reason == gpu.reason


def test_probe_reports_a_failing_smoke_test(monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenCupy:
        float32 = np.float32

        @staticmethod
        def is_available() -> bool:
            return True

        @staticmethod
        def ones(shape: Any, dtype: Any = None) -> Any:
            raise ImportError("Failure finding libcublasLt.so.13")

    monkeypatch.setitem(sys.modules, "cupy", BrokenCupy)
    monkeypatch.setattr(backend, "_probe_cache", None)
    try:
        chosen = backend.get_backend("auto")
        assert chosen.name == "cpu"
        assert (
            chosen.reason == "GPU smoke test failed: ImportError: Failure finding libcublasLt.so.13"
        )
    finally:
        backend._probe_cache = None


def test_probe_survives_is_available_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    class OldCupy:
        @staticmethod
        def is_available() -> bool:
            raise RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient")

    monkeypatch.setitem(sys.modules, "cupy", OldCupy)
    monkeypatch.setattr(backend, "_probe_cache", None)
    try:
        reason = backend.get_backend("gpu").reason
        assert reason.startswith("no usable CUDA device: RuntimeError: cudaErrorInsufficientDriver")
    finally:
        backend._probe_cache = None


def test_cpu_threads_can_be_set_and_restored() -> None:
    before = backend.cpu_threads()
    if before is None:
        pytest.skip("this NumPy's BLAS does not expose its thread count")
    assert backend.set_cpu_threads(1)
    assert backend.cpu_threads() == 1
    backend.set_cpu_threads(before)
    assert backend.cpu_threads() == before
    with pytest.raises(ValueError):
        backend.set_cpu_threads(0)


def test_initialisers() -> None:
    rng = np.random.default_rng(0)
    shape = (64, 32, 3, 3)
    he = init.make_kaiming_normal(nonlinearity="relu")(shape, rng)
    assert he.std() == pytest.approx(np.sqrt(2 / (32 * 9)), rel=0.03)
    xu = init.make_xavier_uniform()(shape, rng)
    bound = np.sqrt(6 / (32 * 9 + 64 * 9))
    assert np.abs(xu).max() <= bound and np.abs(xu).max() > 0.95 * bound
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(np.sqrt(2 / 1.04))
    p = Parameter((4, 5))
    init.kaiming_uniform_(p, nonlinearity="relu")
    assert not p.is_materialized  # only the initialiser changed
    assert np.abs(p.data).max() <= np.sqrt(6 / 5)
    before = p.data.copy()
    init.zeros_(p)
    assert p.is_materialized and not p.data.any() and before.any()
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cnntui", *args], capture_output=True, text=True)


def test_bench_json_document() -> None:
    result = run_cli(
        "bench", "--batch", "8", "--steps", "2", "--repeat", "1", "--device", "cpu", "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    for key in (
        "model",
        "backend",
        "device",
        "batch",
        "train_images_per_s",
        "infer_images_per_s",
        "params",
    ):
        assert key in document
    assert document["model"] == "lenet5" and document["backend"] == "cpu" and document["batch"] == 8
    assert document["params"] == 61_706
    assert document["train_images_per_s"] > 0 and document["infer_images_per_s"] > 0
    assert "reason" not in document


def test_bench_gpu_request_without_gpu_reports_cpu_and_reason() -> None:
    if backend.get_backend("gpu").is_gpu:
        pytest.skip("a working GPU is present")
    result = run_cli(
        "bench", "--device", "gpu", "--batch", "4", "--steps", "1", "--repeat", "1", "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["backend"] == "cpu" and document["reason"]
    text = run_cli(
        "bench",
        "--device",
        "gpu",
        "--model",
        "cifar-cnn",
        "--batch",
        "2",
        "--steps",
        "1",
        "--repeat",
        "1",
    )
    assert text.returncode == 0 and "GPU not used:" in text.stdout and "113,738" in text.stdout


@pytest.mark.parametrize(
    "args,words",
    [
        (("--batch", "0"), "--batch must be at least 1"),
        (("--steps", "-3"), "--steps must be at least 1"),
        (("--threads", "0"), "--threads must be between 1 and 256"),
        (("--model", "vgg"), "invalid choice"),
        (("--device", "tpu"), "invalid choice"),
    ],
)
def test_bench_bad_input_is_one_line_and_status_2(args: tuple[str, ...], words: str) -> None:
    result = run_cli("bench", *args)
    assert result.returncode == 2
    assert (
        words in result.stderr
        and result.stderr.count("\n") == 1
        and "Traceback" not in result.stderr
    )


@pytest.mark.slow
def test_training_lenet_at_batch_256_stays_under_300_mb() -> None:
    result = run_cli(
        "bench", "--batch", "256", "--steps", "3", "--repeat", "1", "--device", "cpu", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["peak_rss_mb"] < 300
