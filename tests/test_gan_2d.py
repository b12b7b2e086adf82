"""The 2-D GAN: sub-steps, settings, views, and a short seeded run whose divergence falls."""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.gan.gan2d import Gan2d, Gan2dSettings, SubStep


def test_short_seeded_run_lowers_the_divergence() -> None:
    model = Gan2d(Gan2dSettings(seed=0))
    start = model.history[0]
    assert start.step == 0 and start.js_divergence > 0.8
    model.train(400, record_every=100)
    assert [h.step for h in model.history] == [0, 100, 200, 300, 400]
    assert model.history[-1].js_divergence < start.js_divergence - 0.3


def test_same_seed_same_run() -> None:
    a, b = Gan2d(Gan2dSettings(seed=5)), Gan2d(Gan2dSettings(seed=5))
    a.train(20, record_every=10)
    b.train(20, record_every=10)
    assert a.summary() == b.summary()
    c = Gan2d(Gan2dSettings(seed=6))
    c.train(20, record_every=10)
    assert c.summary() != a.summary()


def test_one_iteration_walks_the_numbered_substeps() -> None:
    model = Gan2d(Gan2dSettings(d_steps=2, batch=16))
    subs = list(model.updates("both"))
    assert all(isinstance(s, SubStep) for s in subs)
    assert [(s.net, s.number) for s in subs] == [("D", n) for n in range(1, 7)] * 2 + [
        ("G", n) for n in range(1, 7)
    ]
    assert model.step_count == 1 and model.d_updates == 2 and model.g_updates == 1
    assert subs[0].title == "sample noise z" and "D loss" in subs[3].detail


def test_d_step_changes_only_d_and_g_step_only_g() -> None:
    model = Gan2d(Gan2dSettings(batch=32))
    g_before = [p.data.copy() for p in model.generator.parameters()]
    d_before = [p.data.copy() for p in model.discriminator.parameters()]
    model.step("d")
    assert all(np.array_equal(a, p.data) for a, p in zip(g_before, model.generator.parameters()))
    assert not all(
        np.array_equal(a, p.data) for a, p in zip(d_before, model.discriminator.parameters())
    )
    d_after = [p.data.copy() for p in model.discriminator.parameters()]
    model.step("g")
    assert all(np.array_equal(a, p.data) for a, p in zip(d_after, model.discriminator.parameters()))
    assert not all(
        np.array_equal(a, p.data) for a, p in zip(g_before, model.generator.parameters())
    )
    assert model.step_count == 0  # single updates do not count as iterations


def test_views_between_substeps_do_not_corrupt_the_update() -> None:
    """Slow motion draws snapshots between sub-steps; the update must be the same as without."""
    plain, watched = Gan2d(Gan2dSettings(seed=2)), Gan2d(Gan2dSettings(seed=2))
    for _ in range(3):
        plain.step()
        for _sub in watched.updates("both"):
            watched.snapshot(points=50, field_size=(8, 4), arrows=5)
    for a, b in zip(plain.generator.parameters(), watched.generator.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    for a, b in zip(plain.discriminator.parameters(), watched.discriminator.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_snapshot_shapes_and_field_range() -> None:
    model = Gan2d(Gan2dSettings(loss="least-squares"))
    snap = model.snapshot(points=120, field_size=(10, 6), arrows=7)
    assert snap.real.shape == (120, 2) and snap.fake.shape == (120, 2)
    assert snap.field.shape == (6, 10) and snap.field.min() >= 0 and snap.field.max() <= 1
    assert snap.arrows.shape == (7, 2) and np.all(np.isfinite(snap.arrows))


def test_gradient_arrows_point_downhill() -> None:
    """A small move along an arrow lowers that point's generator loss."""
    from cnntui.gan.losses import generator_loss

    model = Gan2d(Gan2dSettings(seed=3))
    model.train(50, record_every=50)
    points = model.generate(model.eval_noise[:20]).astype(np.float64)
    arrows = model.generator_gradients(points)
    for p, a in zip(points, arrows):
        before = float(
            generator_loss(
                "nonsaturating", model.discriminator.forward(p[None].astype(np.float32))
            ).value
        )
        moved = (p + 1e-2 * a / (np.linalg.norm(a) + 1e-12))[None].astype(np.float32)
        after = float(generator_loss("nonsaturating", model.discriminator.forward(moved)).value)
        assert after <= before + 1e-6


def test_configure_and_validation() -> None:
    model = Gan2d(Gan2dSettings())
    model.configure(loss="minimax", g_lr=0.01, d_optimizer="sgd", d_steps=3)
    assert model.settings.loss == "minimax" and model.g_optimizer.lr == 0.01
    assert type(model.d_optimizer).__name__ == "SGD"
    with pytest.raises(ValueError, match="reset"):
        model.configure(noise_dim=4)
    with pytest.raises(ValueError, match="d_steps"):
        model.configure(d_steps=0)
    for bad in (
        dict(loss="wasserstein"),
        dict(data="spiral"),
        dict(g_lr=0.0),
        dict(g_optimizer="rmsprop"),
    ):
        with pytest.raises(ValueError):
            Gan2dSettings(**bad).validate()


def test_drawn_distribution_trains() -> None:
    cells = frozenset((r, c) for r in range(2, 5) for c in range(2, 5))
    model = Gan2d(Gan2dSettings(data="drawn", cells=cells, batch=32))
    model.train(5, record_every=5)
    assert model.eval_real[:, 0].max() < -2 + 5 * 0.25 and len(model.history) == 2
