"""DCGAN on a GPU backend: noise drawn on the device, one wait per step, exact resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnntui.engine.backend import to_host
from cnntui.gan import dcgan

pytestmark = pytest.mark.gpu


def _state(run: dcgan.DcganRun) -> list[np.ndarray]:
    return [
        to_host(v) for net in (run.generator, run.discriminator) for v in net.state_dict().values()
    ]


def test_a_dcgan_step_waits_once_and_uploads_nothing(gpu: Any, tmp_path: Path) -> None:
    run = dcgan.DcganRun(dcgan.DcganSettings(epochs=1, batch=32, device="gpu"), tmp_path)
    assert run.backend.is_gpu
    real = run.xp.asarray(run.images[:32])
    run.train_step(real)
    if gpu.standin:
        gpu.counters.reset()
    d_loss, g_loss = run.train_step(real)
    assert np.isfinite(d_loss) and np.isfinite(g_loss)
    if gpu.standin:
        assert gpu.counters.syncs <= 1 and gpu.counters.h2d == 0, gpu.counters
    for net in (run.generator, run.discriminator):
        for p in net.parameters():
            assert p.data.dtype == np.float32 and p.xp is gpu.xp
    grid = run.sample_grid()
    assert grid.dtype == np.float32 and grid.shape == (64, 1, 8, 8)
    assert -1 <= grid.min() and grid.max() <= 1


def test_device_noise_is_standard_normal_and_seeded(gpu: Any) -> None:
    from cnntui.engine import gpu_kernels

    a = to_host(gpu_kernels.normal((200, 50), 7, np.float32))
    b = to_host(gpu_kernels.normal((200, 50), 7, np.float32))
    c = to_host(gpu_kernels.normal((200, 50), 8, np.float32))
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert abs(a.mean()) < 0.05 and abs(a.std() - 1) < 0.05
    assert 0.303 < (np.abs(a) > 1).mean() < 0.331  # mass beyond one sigma: 0.317 ± 3 s.e.


def test_a_gpu_dcgan_run_resumes_exactly(
    gpu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_set = dcgan.load_images
    monkeypatch.setattr(dcgan, "load_images", lambda *args: full_set(*args)[:128])  # 4 steps
    settings = dcgan.DcganSettings(dataset="digits", epochs=2, batch=32, seed=4, device="gpu")
    straight = dcgan.DcganRun(settings, tmp_path / "a")
    straight.run_epoch()
    straight.run_epoch()
    first = dcgan.DcganRun(settings, tmp_path / "b")
    assert first.run_epoch() is not None
    calls = iter(range(100))
    assert first.run_epoch(should_stop=lambda: next(calls) >= 2) is None
    resumed = dcgan.DcganRun(settings, tmp_path / "b", resume=True)
    assert resumed.epoch == 1
    resumed.run_epoch()
    for a, b in zip(_state(straight), _state(resumed), strict=True):
        if gpu.standin:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert np.isfinite(resumed.history[-1].d_loss) and np.isfinite(resumed.history[-1].g_loss)
