"""Generative versus discriminative, by hand: ten binary 2-D samples with a label each.

A sample is `x = (x1, x2)` with `x1, x2 ∈ {0, 1}` and a label `y ∈ {0, 1}`. From the samples that
are switched on we count, exactly (as `Fraction`s):

* `P(x)`       — how often each of the four points occurs,
* `P(x, y)`    — the joint table a *generative* model learns,
* `P(x | y)`   — each class's own distribution (what a class-conditional generator samples),
* `P(y | x)`   — what a *discriminative* model learns, and the prediction it makes.

Sampling uses cumulative intervals: the points are laid end to end on [0, 1) in the order
(0,0), (0,1), (1,0), (1,1), each as long as its probability, and a uniform number `u` picks the
interval it lands in. With the default samples P(x) = 2/10, 3/10, 1/10, 4/10, so the intervals are
[0, 0.2), [0.2, 0.5), [0.5, 0.6), [0.6, 1): `u = 0.34` lands on (0,1) and `u = 0.83` on (1,1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from cnntui.i18n import _

Point = tuple[int, int]
"""A binary 2-D input `(x1, x2)`."""

POINTS: tuple[Point, ...] = ((0, 0), (0, 1), (1, 0), (1, 1))
"""Every possible input, in the order the sampling intervals are laid out."""

LABELS: tuple[int, ...] = (0, 1)


@dataclass(frozen=True)
class Sample:
    """One training sample: its input, its label, and whether it is counted."""

    x1: int
    x2: int
    y: int
    enabled: bool = True

    @property
    def point(self) -> Point:
        return (self.x1, self.x2)


DEFAULT_SAMPLES: tuple[Sample, ...] = (
    Sample(0, 0, 1),
    Sample(0, 0, 1),
    Sample(0, 1, 1),
    Sample(0, 1, 0),
    Sample(0, 1, 1),
    Sample(1, 0, 0),
    Sample(1, 1, 0),
    Sample(1, 1, 0),
    Sample(1, 1, 0),
    Sample(1, 1, 1),
)
"""The textbook's ten samples (the same as the generative-models lesson): P(x) = 2/10, 3/10,
1/10, 4/10 over (0,0), (0,1), (1,0), (1,1), so a uniform 0.34 lands on (0,1) and 0.83 on (1,1)."""


def toggle_enabled(samples: Sequence[Sample], index: int) -> tuple[Sample, ...]:
    """The samples with sample `index` switched on or off."""
    return _replace_at(samples, index, enabled=not samples[index].enabled)


def toggle_label(samples: Sequence[Sample], index: int) -> tuple[Sample, ...]:
    """The samples with the label of sample `index` flipped."""
    return _replace_at(samples, index, y=1 - samples[index].y)


def toggle_feature(samples: Sequence[Sample], index: int, feature: int) -> tuple[Sample, ...]:
    """The samples with feature `feature` (1 for x1, 2 for x2) of sample `index` flipped."""
    s = samples[index]
    if feature == 1:
        return _replace_at(samples, index, x1=1 - s.x1)
    if feature == 2:
        return _replace_at(samples, index, x2=1 - s.x2)
    raise ValueError(f"feature must be 1 (x1) or 2 (x2), got {feature}")


def _replace_at(samples: Sequence[Sample], index: int, **changes: int | bool) -> tuple[Sample, ...]:
    if not 0 <= index < len(samples):
        raise IndexError(f"sample {index + 1} does not exist; there are {len(samples)}")
    out = list(samples)
    out[index] = replace(out[index], **changes)  # type: ignore[arg-type]
    return tuple(out)


@dataclass(frozen=True)
class Tables:
    """Every table of the example, computed exactly from the enabled samples.

    Conditional entries are None where the condition never occurs (P(x|y) for a class with no
    samples, P(y|x) for a point never seen): the probability is undefined, not zero.
    """

    total: int
    count_x: dict[Point, int]
    count_y: dict[int, int]
    count_xy: dict[tuple[Point, int], int]
    p_x: dict[Point, Fraction | None]
    p_y: dict[int, Fraction | None]
    p_xy: dict[tuple[Point, int], Fraction | None]
    p_x_given_y: dict[tuple[Point, int], Fraction | None]
    p_y_given_x: dict[tuple[Point, int], Fraction | None]

    def predict(self, point: Point) -> int | None:
        """The label a discriminative model predicts for `point`: argmax over y of P(y|x).

        None when the point was never seen (P(y|x) undefined) or both labels tie.
        """
        p0 = self.p_y_given_x[(point, 0)]
        p1 = self.p_y_given_x[(point, 1)]
        if p0 is None or p1 is None or p0 == p1:
            return None
        return 0 if p0 > p1 else 1

    def bayes_check(self, point: Point, y: int) -> bool:
        """True when P(y|x) = P(x|y)·P(y) / P(x), i.e. the generative route gives the same answer."""
        px, py = self.p_x[point], self.p_y[y]
        pxy, pyx = self.p_x_given_y[(point, y)], self.p_y_given_x[(point, y)]
        if px is None or py is None or pxy is None or pyx is None or px == 0:
            return pyx is None
        return pyx == pxy * py / px


def compute_tables(samples: Sequence[Sample]) -> Tables:
    """Count the enabled samples and derive P(x), P(y), P(x,y), P(x|y) and P(y|x)."""
    used = [s for s in samples if s.enabled]
    total = len(used)
    count_x = {p: sum(1 for s in used if s.point == p) for p in POINTS}
    count_y = {y: sum(1 for s in used if s.y == y) for y in LABELS}
    count_xy = {
        (p, y): sum(1 for s in used if s.point == p and s.y == y) for p in POINTS for y in LABELS
    }
    p_x = {p: _ratio(count_x[p], total) for p in POINTS}
    p_y = {y: _ratio(count_y[y], total) for y in LABELS}
    p_xy = {k: _ratio(c, total) for k, c in count_xy.items()}
    p_x_given_y = {(p, y): _ratio(count_xy[(p, y)], count_y[y]) for p in POINTS for y in LABELS}
    p_y_given_x = {(p, y): _ratio(count_xy[(p, y)], count_x[p]) for p in POINTS for y in LABELS}
    return Tables(total, count_x, count_y, count_xy, p_x, p_y, p_xy, p_x_given_y, p_y_given_x)


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


@dataclass(frozen=True)
class Interval:
    """The stretch `[low, high)` of [0, 1) that sampling assigns to one point."""

    point: Point
    low: Fraction
    high: Fraction

    @property
    def width(self) -> Fraction:
        return self.high - self.low


def intervals(distribution: dict[Point, Fraction | None]) -> list[Interval]:
    """Cumulative intervals of a distribution over `POINTS`, in `POINTS` order.

    Points with probability zero (or undefined) get an empty interval, which no draw can hit.
    Raises ValueError when the distribution is empty (no samples enabled, or an empty class).
    """
    probabilities = [distribution.get(p) or Fraction(0) for p in POINTS]
    if sum(probabilities) != 1:
        raise ValueError(_("nothing to sample from: the distribution is empty"))
    out: list[Interval] = []
    low = Fraction(0)
    for point, p in zip(POINTS, probabilities):
        out.append(Interval(point, low, low + p))
        low += p
    return out


def sample_point(distribution: dict[Point, Fraction | None], u: float | Fraction) -> Interval:
    """The interval (and so the point) that the uniform number `u ∈ [0, 1)` lands in."""
    if not 0 <= u < 1:
        raise ValueError(_("the uniform number must be in [0, 1), got {u}").format(u=u))
    value = Fraction(u) if isinstance(u, Fraction) else Fraction(str(u))
    for interval in intervals(distribution):
        if interval.low <= value < interval.high:
            return interval
    raise AssertionError("the intervals cover [0, 1)")  # unreachable: they sum to one


def conditional(tables: Tables, y: int) -> dict[Point, Fraction | None]:
    """P(x | y) for one class, as a distribution over `POINTS` (to sample a class's inputs)."""
    return {p: tables.p_x_given_y[(p, y)] for p in POINTS}


def format_ratio(numerator: int, denominator: int, undefined: str = "—") -> str:
    """A probability as the counts it came from (`2/10`, not `1/5`): `0` for none, `undefined`
    when the denominator is zero. The value is exactly `Fraction(numerator, denominator)`."""
    if denominator == 0:
        return undefined
    if numerator == 0:
        return "0"
    return f"{numerator}/{denominator}"


def format_probability(p: Fraction | None, undefined: str = "—") -> str:
    """An exact fraction in lowest terms (`3/10`, `0`, `1`), or `undefined` when it is None."""
    if p is None:
        return undefined
    if p.denominator == 1:
        return str(p.numerator)
    return f"{p.numerator}/{p.denominator}"
