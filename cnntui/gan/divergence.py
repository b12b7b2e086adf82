"""Jensen–Shannon divergence between two point clouds, estimated on a grid (as GAN Lab does).

Both clouds are binned into the same `bins × bins` grid over `EXTENT`, plus one extra "outside"
bin for points that left the square (so a generator that throws points away is not flattered).
With P and Q the normalised histograms and M = (P + Q) / 2,

    JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M)

in bits (log base 2): 0 for identical histograms, 1 for histograms with no cell in common.
"""

from __future__ import annotations

import numpy as np

from cnntui.gan.distributions import EXTENT
from cnntui.i18n import _

DEFAULT_BINS = 24


def grid_histogram(
    points: np.ndarray, bins: int = DEFAULT_BINS, extent: tuple[float, float] = EXTENT
) -> np.ndarray:
    """Normalised counts of `points` `(n, 2)`: a flat array of `bins·bins + 1` cells.

    Cell `row·bins + col` holds x in column `col` and y in row `row` (row 0 at the bottom); the
    last cell counts the points outside the square. Non-finite points count as outside.
    """
    if bins < 1:
        raise ValueError(_("bins must be positive, got {value}").format(value=bins))
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        raise ValueError(_("cannot build a histogram of no points"))
    low, high = extent
    scaled = (pts - low) / (high - low) * bins
    with np.errstate(invalid="ignore"):
        inside = np.all(np.isfinite(scaled), axis=1) & np.all(
            (scaled >= 0) & (scaled < bins), axis=1
        )
    cols = scaled[inside, 0].astype(np.int64)
    rows = scaled[inside, 1].astype(np.int64)
    counts = np.bincount(rows * bins + cols, minlength=bins * bins).astype(np.float64)
    counts = np.append(counts, float(len(pts) - inside.sum()))
    return counts / len(pts)


def js_divergence_histograms(p: np.ndarray, q: np.ndarray) -> float:
    """JS divergence in bits between two normalised histograms of equal length."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(
            _("histograms differ in length: {first} and {second}").format(
                first=p.shape, second=q.shape
            )
        )
    m = 0.5 * (p + q)
    return float(0.5 * _kl_bits(p, m) + 0.5 * _kl_bits(q, m))


def _kl_bits(p: np.ndarray, m: np.ndarray) -> float:
    used = p > 0  # 0·log(0/m) = 0, and m > 0 wherever p > 0
    return float(np.sum(p[used] * np.log2(p[used] / m[used])))


def js_divergence(
    real: np.ndarray,
    generated: np.ndarray,
    bins: int = DEFAULT_BINS,
    extent: tuple[float, float] = EXTENT,
) -> float:
    """Grid JS divergence in bits between two point clouds `(n, 2)` and `(m, 2)`."""
    return js_divergence_histograms(
        grid_histogram(real, bins, extent), grid_histogram(generated, bins, extent)
    )
