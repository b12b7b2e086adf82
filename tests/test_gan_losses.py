"""GAN losses and the gradients through tiny nets, against finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.gan.losses import (
    LOSS_NAMES,
    belief,
    discriminator_loss,
    fake_term,
    generator_loss,
    real_term,
    sigmoid,
    softplus,
)


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


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_loss_gradients_match_finite_differences(name: str) -> None:
    rng = np.random.default_rng(0)
    real = rng.normal(0, 2, (5, 1))
    fake = rng.normal(0, 2, (4, 1))
    d = discriminator_loss(name, real, fake)
    np.testing.assert_allclose(
        d.grad_real,
        _numeric_grad(lambda: float(discriminator_loss(name, real, fake).value), real),
        atol=1e-8,
    )
    np.testing.assert_allclose(
        d.grad_fake,
        _numeric_grad(lambda: float(discriminator_loss(name, real, fake).value), fake),
        atol=1e-8,
    )
    g = generator_loss(name, fake)
    np.testing.assert_allclose(
        g.grad_fake, _numeric_grad(lambda: float(generator_loss(name, fake).value), fake), atol=1e-8
    )
    assert float(d.value) == pytest.approx(
        float(real_term(name, real).value + fake_term(name, fake).value)
    )


def test_losses_by_hand() -> None:
    r, f = np.array([0.0]), np.array([0.0])
    # D(x) = 1/2 everywhere: BCE is 2·log 2, minimax G loss log(1/2), non-saturating −log(1/2)
    assert float(discriminator_loss("minimax", r, f).value) == pytest.approx(2 * np.log(2))
    assert float(generator_loss("minimax", f).value) == pytest.approx(np.log(0.5))
    assert float(generator_loss("nonsaturating", f).value) == pytest.approx(np.log(2))
    assert float(discriminator_loss("least-squares", np.array([1.0]), np.array([0.0])).value) == 0.0
    assert float(generator_loss("least-squares", np.array([0.0])).value) == 0.5


def test_minimax_saturates_where_nonsaturating_does_not() -> None:
    rejected = np.array([-8.0])  # D is sure the sample is fake
    assert abs(generator_loss("minimax", rejected).grad_fake[0]) < 1e-3
    assert abs(generator_loss("nonsaturating", rejected).grad_fake[0]) > 0.99


def test_stable_for_extreme_logits() -> None:
    big = np.array([-1000.0, 0.0, 1000.0])
    assert np.all(np.isfinite(softplus(big))) and np.all(np.isfinite(sigmoid(big)))
    np.testing.assert_allclose(sigmoid(big), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(belief("least-squares", np.array([-0.5, 0.3, 2.0])), [0.0, 0.3, 1.0])


def _tiny_gan(seed: int = 1):
    from cnntui.gan.gan2d import build_mlp

    rng = np.random.default_rng(seed)
    g = build_mlp(2, 3, 1, 2)
    d = build_mlp(2, 3, 1, 1)
    for net in (g, d):
        net.to(dtype=np.float64)
        for p in net.parameters():
            p.materialize(rng)
    return g, d


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_generator_gradient_through_discriminator(name: str) -> None:
    """∂L_G/∂θ_G by the chain G → D → loss equals finite differences on G's parameters."""
    g, d = _tiny_gan()
    z = np.random.default_rng(2).normal(size=(4, 2))

    def loss() -> float:
        return float(generator_loss(name, d.forward(g.forward(z))).value)

    g.zero_grad()
    d.zero_grad()
    out = generator_loss(name, d.forward(g.forward(z)))
    g.backward(d.backward(out.grad_fake))
    for p in g.parameters():
        np.testing.assert_allclose(p.grad, _numeric_grad(loss, p.data), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_discriminator_gradient(name: str) -> None:
    g, d = _tiny_gan(3)
    rng = np.random.default_rng(4)
    real, z = rng.normal(size=(5, 2)), rng.normal(size=(4, 2))
    fake = g.forward(z)
    both = np.concatenate([real, fake])

    def loss() -> float:
        s = d.forward(both)
        return float(discriminator_loss(name, s[:5], s[5:]).value)

    d.zero_grad()
    s = d.forward(both)
    out = discriminator_loss(name, s[:5], s[5:])
    d.backward(np.concatenate([out.grad_real, out.grad_fake]))
    for p in d.parameters():
        np.testing.assert_allclose(p.grad, _numeric_grad(loss, p.data), rtol=1e-5, atol=1e-8)
