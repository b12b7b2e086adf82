"""DCGAN: architecture shapes, gradients on tiny nets, diversity, checkpoints and exact resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnntui.errors import UsageError
from cnntui.gan import dcgan
from cnntui.gan.losses import fake_term, generator_loss, real_term


@pytest.mark.parametrize("dataset, size", [("digits", 8), ("shapes", 28)])
def test_generator_and_discriminator_shapes(dataset: str, size: int) -> None:
    g, d = dcgan.build_generator(dataset), dcgan.build_discriminator(dataset)
    assert g.output_shape((dcgan.NOISE_DIMS[dataset], 1, 1)) == (1, size, size)
    assert d.output_shape((1, size, size)) == (1, 1, 1)
    kinds = {type(m).__name__ for m in g.modules()} | {type(m).__name__ for m in d.modules()}
    assert {"ConvTranspose2d", "BatchNorm2d", "ReLU", "Tanh", "Conv2d", "LeakyReLU"} <= kinds
    assert not kinds & {"Linear", "MaxPool2d", "AvgPool2d"}  # all-convolutional


def _numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def _tiny_nets():
    from cnntui.engine import nn

    g = nn.Sequential(
        nn.ConvTranspose2d(4, 3, 2, 1, 0, bias=False),
        nn.BatchNorm2d(3),
        nn.ReLU(),
        nn.ConvTranspose2d(3, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )
    d = nn.Sequential(
        nn.Conv2d(1, 3, 4, 2, 1, bias=False),
        nn.BatchNorm2d(3),
        nn.LeakyReLU(0.2),
        nn.Conv2d(3, 1, 2, 1, 0, bias=False),
    )
    rng = np.random.default_rng(0)
    for net in (g, d):
        net.to(dtype=np.float64)
        dcgan.dcgan_init(net, rng)
        for p in net.parameters():  # larger weights than DCGAN's 0.02 so every path matters
            p.data = p.data * 10 if p.data.ndim > 1 else p.data
    return g, d, rng


def test_generator_gradient_matches_finite_differences() -> None:
    g, d, rng = _tiny_nets()
    z = rng.normal(size=(3, 4, 1, 1))

    def loss() -> float:
        return float(generator_loss("nonsaturating", d.forward(g.forward(z))).value)

    g.zero_grad()
    out = generator_loss("nonsaturating", d.forward(g.forward(z)))
    g.backward(d.backward(out.grad_fake))
    for p in g.parameters():
        np.testing.assert_allclose(p.grad, _numeric_grad(loss, p.data), rtol=1e-4, atol=1e-7)


def test_discriminator_gradient_with_separate_batches() -> None:
    g, d, rng = _tiny_nets()
    real = np.tanh(rng.normal(size=(3, 1, 4, 4)))
    fake = g.forward(rng.normal(size=(3, 4, 1, 1)))

    def loss() -> float:
        return float(
            real_term("nonsaturating", d.forward(real)).value
            + fake_term("nonsaturating", d.forward(fake)).value
        )

    d.zero_grad()
    d.backward(real_term("nonsaturating", d.forward(real)).grad_fake)
    d.backward(fake_term("nonsaturating", d.forward(fake)).grad_fake)
    for p in d.parameters():
        np.testing.assert_allclose(p.grad, _numeric_grad(loss, p.data), rtol=1e-4, atol=1e-7)


def test_diversity_measures_collapse() -> None:
    rng = np.random.default_rng(0)
    varied = rng.normal(size=(10, 1, 8, 8))
    same = np.repeat(varied[:1], 10, axis=0)
    assert dcgan.mean_pairwise_distance(same) == pytest.approx(0.0, abs=1e-6)
    two = np.stack([np.zeros((1, 2, 2)), np.ones((1, 2, 2))])
    assert dcgan.mean_pairwise_distance(two) == pytest.approx(2.0)  # sqrt(4)


def _state(run: dcgan.DcganRun) -> list[np.ndarray]:
    return [p.data.copy() for p in run.generator.parameters()] + [
        p.data.copy() for p in run.discriminator.parameters()
    ]


def test_resume_continues_exactly(tmp_path: Path) -> None:
    settings = dcgan.DcganSettings(dataset="digits", epochs=2, batch=256, seed=4)
    straight = dcgan.DcganRun(settings, tmp_path / "a")
    straight.run_epoch()
    straight.run_epoch()
    first = dcgan.DcganRun(settings, tmp_path / "b")
    assert first.run_epoch() is not None
    # a run stopped in the middle of its second epoch saves that exact point
    calls = iter(range(100))
    assert first.run_epoch(should_stop=lambda: next(calls) >= 2) is None
    resumed = dcgan.DcganRun(settings, tmp_path / "b", resume=True)
    assert resumed.epoch == 1 and len(resumed.history) == 1
    assert resumed.step == first.step == straight.steps_per_epoch + 3
    resumed.run_epoch()
    assert resumed.step == straight.step  # the three steps done before the stop are not repeated
    for a, b in zip(_state(straight), _state(resumed)):
        np.testing.assert_array_equal(a, b)
    assert resumed.history[-1].d_loss == straight.history[-1].d_loss
    assert resumed.diversity() == pytest.approx(straight.diversity())


def test_truncated_checkpoints_and_damaged_partial_epochs_are_refused(tmp_path: Path) -> None:
    settings = dcgan.DcganSettings(dataset="digits", epochs=1, batch=512)
    run = dcgan.DcganRun(settings, tmp_path)
    calls = iter(range(100))
    assert run.run_epoch(should_stop=lambda: next(calls) >= 1) is None
    checkpoint = (tmp_path / "checkpoint.npz").read_bytes()
    for cut in (len(checkpoint) // 2, len(checkpoint) - 30, 100):
        (tmp_path / "checkpoint.npz").write_bytes(checkpoint[:cut])
        with pytest.raises(UsageError, match="corrupt"):
            dcgan.DcganRun(settings, tmp_path, resume=True)
    (tmp_path / "checkpoint.npz").write_bytes(checkpoint)
    document = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    document["partial"]["batches"] = "two"
    (tmp_path / "run.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(UsageError, match="interrupted epoch is damaged"):
        dcgan.DcganRun(settings, tmp_path, resume=True)


def test_bad_checkpoints_are_refused(tmp_path: Path) -> None:
    settings = dcgan.DcganSettings(dataset="digits", epochs=1, batch=512)
    with pytest.raises(UsageError, match="nothing to resume"):
        dcgan.DcganRun(settings, tmp_path / "empty", resume=True)
    run = dcgan.DcganRun(settings, tmp_path / "r")
    run.run_epoch()
    (tmp_path / "r" / "checkpoint.npz").write_bytes(b"not a zip file")
    with pytest.raises(UsageError, match="corrupt"):
        dcgan.DcganRun(settings, tmp_path / "r", resume=True)
    (tmp_path / "r" / "run.json").write_text("{", encoding="utf-8")
    with pytest.raises(UsageError, match="unreadable"):
        dcgan.DcganRun(settings, tmp_path / "r", resume=True)


def test_sample_grid_leaves_running_statistics_alone(tmp_path: Path) -> None:
    run = dcgan.DcganRun(dcgan.DcganSettings(epochs=1, batch=512), tmp_path)
    before = {k: np.array(v, copy=True) for k, v in run.generator.named_buffers()}
    grid = run.sample_grid()
    assert grid.shape == (64, 1, 8, 8) and grid.min() >= -1 and grid.max() <= 1
    for k, v in run.generator.named_buffers():
        np.testing.assert_array_equal(before[k], v)


def test_images_round_trip(tmp_path: Path) -> None:
    from cnntui.gan.images import pgm_bytes, read_pgm, tile, write_grid

    pics = np.linspace(-1, 1, 4 * 3 * 2).reshape(4, 1, 3, 2)
    picture = tile(pics, cols=2)
    assert picture.shape == (2 * 4 + 1, 2 * 3 + 1)
    assert picture[1, 1] == 0 and picture[-2, -2] == 255  # first pixel −1, last +1
    paths = write_grid(picture, tmp_path / "grid")
    np.testing.assert_array_equal(read_pgm(paths[0]), picture)
    assert pgm_bytes(picture).startswith(b"P5\n7 9\n255\n")
    (tmp_path / "bad.pgm").write_bytes(b"P2\n1 1\n255\n0")
    with pytest.raises(ValueError, match="binary PGM"):
        read_pgm(tmp_path / "bad.pgm")
