"""The real distributions of the 2-D GAN: points on the plane `[-2, 2] × [-2, 2]`.

Each distribution draws `n` points as an `(n, 2)` float64 array from a NumPy generator, so a seed
reproduces a run exactly. `ring` is eight Gaussians on a circle (the classic mode-collapse test),
`line` a noisy segment, `clusters` three Gaussians, `moons` two interleaved half circles, and
`drawn` whatever cells the user filled on a `DRAW_GRID × DRAW_GRID` grid over the plane.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from cnntui.i18n import N_, _

EXTENT: tuple[float, float] = (-2.0, 2.0)
"""The square of the plane that the views, the field and the divergence grid cover (both axes)."""

NAMES: tuple[str, ...] = ("ring", "line", "clusters", "moons", "drawn")
"""Every distribution; `drawn` needs cells (the command line offers the other four)."""

BUILTIN: tuple[str, ...] = ("ring", "line", "clusters", "moons")

DRAW_GRID = 16
"""The drawing grid is DRAW_GRID × DRAW_GRID cells over `EXTENT`; row 0 is the top."""

TITLES: dict[str, str] = {
    "ring": N_("ring of 8 Gaussians"),
    "line": N_("a line"),
    "clusters": N_("three clusters"),
    "moons": N_("two moons"),
    "drawn": N_("drawn by hand"),
}


@dataclass(frozen=True)
class Distribution:
    """A named real distribution. `cells` (row, col) only matter for `drawn`."""

    name: str
    cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` points, shape `(n, 2)`, float64."""
        if n < 0:
            raise ValueError(_("cannot draw {n} points").format(n=n))
        return _SAMPLERS[self.name](n, rng, self.cells)


def get(name: str, cells: Iterable[tuple[int, int]] = ()) -> Distribution:
    """The distribution called `name`; `drawn` needs at least one cell of the drawing grid."""
    if name not in NAMES:
        raise ValueError(
            _("unknown distribution '{name}'; choose one of {value}").format(
                name=name, value=", ".join(NAMES)
            )
        )
    chosen = frozenset((int(r), int(c)) for r, c in cells)
    if name == "drawn":
        bad = [rc for rc in chosen if not (0 <= rc[0] < DRAW_GRID and 0 <= rc[1] < DRAW_GRID)]
        if bad:
            raise ValueError(
                _("drawn cells must lie in 0..{value}; got {value2}").format(
                    value=DRAW_GRID - 1, value2=sorted(bad)[0]
                )
            )
        if not chosen:
            raise ValueError(_("the drawn distribution is empty: fill at least one cell"))
    return Distribution(name, chosen if name == "drawn" else frozenset())


def ring_centres(modes: int = 8, radius: float = 1.4) -> np.ndarray:
    """Centres of the ring's Gaussians, shape `(modes, 2)`, starting at angle 0."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


CLUSTER_CENTRES = np.array([[-1.0, -0.8], [1.0, -0.8], [0.0, 1.0]])


def _ring(n: int, rng: np.random.Generator, _cells: frozenset[tuple[int, int]]) -> np.ndarray:
    centres = ring_centres()
    which = rng.integers(0, len(centres), size=n)
    return centres[which] + rng.normal(0.0, 0.1, size=(n, 2))


def _line(n: int, rng: np.random.Generator, _cells: frozenset[tuple[int, int]]) -> np.ndarray:
    t = rng.uniform(-1.0, 1.0, size=(n, 1))
    start_to_end = np.array([[1.4, 0.8]])
    return t * start_to_end + rng.normal(0.0, 0.04, size=(n, 2))


def _clusters(n: int, rng: np.random.Generator, _cells: frozenset[tuple[int, int]]) -> np.ndarray:
    which = rng.integers(0, len(CLUSTER_CENTRES), size=n)
    return CLUSTER_CENTRES[which] + rng.normal(0.0, 0.2, size=(n, 2))


def _moons(n: int, rng: np.random.Generator, _cells: frozenset[tuple[int, int]]) -> np.ndarray:
    upper = rng.random(n) < 0.5
    t = rng.uniform(0.0, np.pi, size=n)
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x - 0.5, y - 0.25], axis=1) * 1.2
    return points + rng.normal(0.0, 0.06, size=(n, 2))


def _drawn(n: int, rng: np.random.Generator, cells: frozenset[tuple[int, int]]) -> np.ndarray:
    ordered = np.array(sorted(cells), dtype=np.float64).reshape(-1, 2)
    which = ordered[rng.integers(0, len(ordered), size=n)]
    low, high = EXTENT
    size = (high - low) / DRAW_GRID
    jitter = rng.random((n, 2))
    x = low + (which[:, 1] + jitter[:, 0]) * size
    y = high - (which[:, 0] + jitter[:, 1]) * size  # row 0 is the top of the plane
    return np.stack([x, y], axis=1)


_SAMPLERS = {"ring": _ring, "line": _line, "clusters": _clusters, "moons": _moons, "drawn": _drawn}
