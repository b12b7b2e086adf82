"""The 2-D distributions and the grid Jensen-Shannon divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnntui.gan import distributions as dist
from cnntui.gan.divergence import grid_histogram, js_divergence, js_divergence_histograms


@pytest.mark.parametrize("name", dist.BUILTIN)
def test_distributions_are_seeded_and_inside_the_plane(name: str) -> None:
    a = dist.get(name).sample(500, np.random.default_rng(7))
    b = dist.get(name).sample(500, np.random.default_rng(7))
    assert a.shape == (500, 2) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    low, high = dist.EXTENT
    assert np.mean((a > low) & (a < high)) > 0.99


def test_ring_has_eight_modes() -> None:
    pts = dist.get("ring").sample(4000, np.random.default_rng(0))
    centres = dist.ring_centres()
    nearest = np.argmin(((pts[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    counts = np.bincount(nearest, minlength=8)
    assert counts.min() > 400  # about 500 each
    assert np.allclose(np.linalg.norm(centres, axis=1), 1.4)


def test_drawn_distribution_stays_in_its_cells() -> None:
    d = dist.get("drawn", [(0, 0), (15, 15)])
    pts = d.sample(1000, np.random.default_rng(1))
    top_left = (pts[:, 0] < -1.75) & (pts[:, 1] > 1.75)
    bottom_right = (pts[:, 0] > 1.75) & (pts[:, 1] < -1.75)
    assert np.all(top_left | bottom_right) and top_left.any() and bottom_right.any()
    with pytest.raises(ValueError, match="empty"):
        dist.get("drawn", [])
    with pytest.raises(ValueError, match="unknown distribution"):
        dist.get("spiral")


def test_js_divergence_by_hand() -> None:
    # P all in one cell, Q split half there and half in another: M = (3/4, 1/4)
    p = np.array([1.0, 0.0])
    q = np.array([0.5, 0.5])
    expected = 0.5 * (1 * math.log2(1 / 0.75)) + 0.5 * (
        0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    )
    assert js_divergence_histograms(p, q) == pytest.approx(expected, abs=1e-15)
    assert js_divergence_histograms(p, p) == 0.0
    assert js_divergence_histograms(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(
        1.0
    )


def test_grid_histogram_counts_points_outside() -> None:
    pts = np.array([[-1.9, -1.9], [1.9, 1.9], [5.0, 0.0], [np.nan, 0.0]])
    h = grid_histogram(pts, bins=2)
    assert h.tolist() == [0.25, 0.0, 0.0, 0.25, 0.5]  # bottom-left, top-right, then outside


def test_js_divergence_separates_near_and_far() -> None:
    rng = np.random.default_rng(3)
    ring = dist.get("ring")
    same = js_divergence(ring.sample(2000, rng), ring.sample(2000, rng))
    blob = js_divergence(ring.sample(2000, rng), rng.normal(0.0, 0.05, (2000, 2)))
    assert same < 0.06 and blob > 0.95
