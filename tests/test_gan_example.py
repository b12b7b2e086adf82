"""The ten-sample generative/discriminative example against hand-computed tables."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from cnntui.gan import example as ex


def test_default_tables_match_hand_counts() -> None:
    # x = (0,0),(0,0),(0,1),(0,1),(0,1),(1,0),(1,1),(1,1),(1,1),(1,1); y = 1,1,1,0,1,0,0,0,0,1
    t = ex.compute_tables(ex.DEFAULT_SAMPLES)
    assert t.total == 10
    assert [(s.x1, s.x2) for s in ex.DEFAULT_SAMPLES] == [
        (0, 0),
        (0, 0),
        (0, 1),
        (0, 1),
        (0, 1),
        (1, 0),
        (1, 1),
        (1, 1),
        (1, 1),
        (1, 1),
    ]
    assert [s.y for s in ex.DEFAULT_SAMPLES] == [1, 1, 1, 0, 1, 0, 0, 0, 0, 1]
    assert [t.p_x[p] for p in ex.POINTS] == [F(2, 10), F(3, 10), F(1, 10), F(4, 10)]
    assert t.p_y == {0: F(1, 2), 1: F(1, 2)}
    # P(x, y): counts (y=0 / y=1) are (0,0): 0/2, (0,1): 1/2, (1,0): 1/0, (1,1): 3/1
    assert t.p_xy[((0, 0), 0)] == 0 and t.p_xy[((0, 0), 1)] == F(2, 10)
    assert t.p_xy[((0, 1), 0)] == F(1, 10) and t.p_xy[((0, 1), 1)] == F(2, 10)
    assert t.p_xy[((1, 0), 0)] == F(1, 10) and t.p_xy[((1, 0), 1)] == 0
    assert t.p_xy[((1, 1), 0)] == F(3, 10) and t.p_xy[((1, 1), 1)] == F(1, 10)
    assert sum(t.p_xy.values()) == 1
    # P(x | y): five samples of each class
    assert [t.p_x_given_y[(p, 0)] for p in ex.POINTS] == [0, F(1, 5), F(1, 5), F(3, 5)]
    assert [t.p_x_given_y[(p, 1)] for p in ex.POINTS] == [F(2, 5), F(2, 5), 0, F(1, 5)]
    # P(y | x)
    assert [t.p_y_given_x[(p, 1)] for p in ex.POINTS] == [1, F(2, 3), 0, F(1, 4)]
    assert [t.predict(p) for p in ex.POINTS] == [1, 1, 0, 0]
    assert all(t.bayes_check(p, y) for p in ex.POINTS for y in ex.LABELS)


def test_cumulative_sampling_lands_where_the_textbook_says() -> None:
    t = ex.compute_tables(ex.DEFAULT_SAMPLES)
    bounds = [(i.low, i.high) for i in ex.intervals(t.p_x)]
    assert bounds == [(0, F(1, 5)), (F(1, 5), F(1, 2)), (F(1, 2), F(3, 5)), (F(3, 5), 1)]
    assert ex.sample_point(t.p_x, 0.34).point == (0, 1)
    assert ex.sample_point(t.p_x, 0.83).point == (1, 1)
    assert ex.sample_point(t.p_x, 0.0).point == (0, 0)
    assert ex.sample_point(t.p_x, 0.2).point == (0, 1)  # intervals are closed on the left
    assert ex.sample_point(t.p_x, 0.55).point == (1, 0)
    assert ex.sample_point(t.p_x, 0.9999).point == (1, 1)
    # class-conditional sampling never produces a point the class has no samples of
    p0 = ex.conditional(t, 0)
    assert {ex.sample_point(p0, u / 100).point for u in range(100)} == {(0, 1), (1, 0), (1, 1)}
    p1 = ex.conditional(t, 1)
    assert {ex.sample_point(p1, u / 100).point for u in range(100)} == {(0, 0), (0, 1), (1, 1)}
    with pytest.raises(ValueError):
        ex.sample_point(t.p_x, 1.0)


def test_edits_update_every_table() -> None:
    samples = ex.toggle_label(ex.DEFAULT_SAMPLES, 2)  # sample 3: (0,1) becomes class 0
    t = ex.compute_tables(samples)
    assert t.p_y_given_x[((0, 1), 0)] == F(2, 3) and t.p_y == {0: F(3, 5), 1: F(2, 5)}
    for index in (6, 7, 8, 9):  # every (1,1) sample switched off
        samples = ex.toggle_enabled(samples, index)
    t = ex.compute_tables(samples)
    assert t.total == 6 and t.p_x[(1, 1)] == 0
    assert t.p_y_given_x[((1, 1), 1)] is None and t.predict((1, 1)) is None  # never seen
    samples = ex.toggle_feature(samples, 0, 2)  # sample 1 moves from (0,0) to (0,1)
    t = ex.compute_tables(samples)
    assert t.count_x[(0, 1)] == 4 and t.p_y_given_x[((0, 1), 0)] == F(1, 2)
    with pytest.raises(IndexError):
        ex.toggle_label(samples, 10)


def test_empty_and_tied_cases_are_undefined_not_zero() -> None:
    off = tuple(ex.Sample(s.x1, s.x2, s.y, enabled=False) for s in ex.DEFAULT_SAMPLES)
    t = ex.compute_tables(off)
    assert t.total == 0 and all(v is None for v in t.p_x.values())
    with pytest.raises(ValueError, match="empty"):
        ex.intervals(t.p_x)
    tie = (ex.Sample(0, 0, 0), ex.Sample(0, 0, 1))
    assert ex.compute_tables(tie).predict((0, 0)) is None
    assert ex.format_probability(F(3, 10)) == "3/10"
    assert ex.format_probability(F(1)) == "1"
    assert ex.format_probability(None, "-") == "-"
