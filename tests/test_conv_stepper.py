"""The stepper: visits every output position in order, and its products and sums give the output.

Checked against a plain-loop reference written here, against `cnntui.engine.functional` when it
exists, and against PyTorch when installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.conv.stepper import (
    CELL_INPUT,
    CELL_INSERTED,
    CELL_PADDING,
    Stepper,
    StepSettings,
    shift_comparison,
    shift_image,
    sum_lines,
    worked_example,
)
from cnntui.errors import ShapeError


def loop_conv(x, w, stride, padding, dilation, bias, mode="zero"):
    """The definition, one multiply at a time (independent of the stepper's code)."""
    c, h, wd = x.shape
    _, kh, kw = w.shape
    xp = np.pad(
        x,
        ((0, 0), (padding[0],) * 2, (padding[1],) * 2),
        mode="edge" if mode == "replicate" else "constant",
    )
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            total = bias
            for ch in range(c):
                for u in range(kh):
                    for v in range(kw):
                        total += (
                            xp[ch, i * stride[0] + u * dilation[0], j * stride[1] + v * dilation[1]]
                            * w[ch, u, v]
                        )
            out[i, j] = total
    return out


def loop_transposed(x, w, stride, padding, dilation, output_padding, bias):
    """Scatter form: every input pixel adds its kernel-weighted copy to the output."""
    c, h, wd = x.shape
    _, kh, kw = w.shape
    full_h = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    full_w = (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    full = np.zeros((full_h, full_w))
    for ch in range(c):
        for i in range(h):
            for j in range(wd):
                for u in range(kh):
                    for v in range(kw):
                        full[i * stride[0] + u * dilation[0], j * stride[1] + v * dilation[1]] += (
                            x[ch, i, j] * w[ch, u, v]
                        )
    out_h = full_h - 2 * padding[0]
    out_w = full_w - 2 * padding[1]
    return full[padding[0] : padding[0] + out_h, padding[1] : padding[1] + out_w] + bias


CASES = [
    ((1, 6, 6), (1, 3, 3), (1, 1), (0, 0), (1, 1)),
    ((1, 7, 5), (1, 3, 2), (2, 1), (1, 0), (1, 1)),
    ((3, 6, 7), (3, 2, 3), (1, 2), (2, 1), (2, 1)),
    ((2, 9, 8), (2, 1, 1), (3, 3), (0, 0), (1, 1)),
    ((1, 5, 5), (1, 5, 5), (1, 1), (0, 0), (1, 1)),
]


@pytest.mark.parametrize(("xs", "ws", "stride", "padding", "dilation"), CASES)
@pytest.mark.parametrize("padding_mode", ["zero", "replicate"])
def test_conv_steps_reproduce_the_output(xs, ws, stride, padding, dilation, padding_mode):
    rng = np.random.default_rng(sum(xs) + sum(ws))
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    settings = StepSettings(
        stride=stride, padding=padding, padding_mode=padding_mode, dilation=dilation, bias=0.25
    )
    stepper = Stepper(x, w, settings)
    expected = loop_conv(x, w, stride, padding, dilation, 0.25, padding_mode)
    assert stepper.output_shape == expected.shape
    np.testing.assert_allclose(stepper.output(), expected, atol=1e-12)
    visited = []
    for index in range(stepper.total):
        state = stepper.state(index)
        visited.append((state.out_row, state.out_col))
        # products are window × kernel, and their sum plus bias is the output value
        np.testing.assert_allclose(state.products, state.window * w)
        assert state.pre_activation == pytest.approx(state.products.sum() + 0.25)
        assert state.value == pytest.approx(expected[state.out_row, state.out_col])
        # the window really is the grid under the taps
        np.testing.assert_array_equal(
            state.window, stepper.grid[:, list(state.rows)][:, :, list(state.cols)]
        )
        # the output so far: filled up to here, empty after
        flat = state.output.reshape(-1)
        assert not np.isnan(flat[: index + 1]).any() and np.isnan(flat[index + 1 :]).all()
    assert visited == [(i, j) for i in range(expected.shape[0]) for j in range(expected.shape[1])]
    with pytest.raises(IndexError):
        stepper.state(stepper.total)


def test_relu_and_padding_cells():
    x = np.arange(9, dtype=float).reshape(1, 3, 3)
    w = -np.ones((1, 3, 3))
    stepper = Stepper(x, w, StepSettings(padding=(1, 1), relu=True, bias=20))
    out = stepper.output()
    np.testing.assert_allclose(out, np.maximum(loop_conv(x, w, (1, 1), (1, 1), (1, 1), 20), 0))
    assert (out == 0).any() and (out > 0).any()
    assert stepper.cell_kind[0].tolist() == [CELL_PADDING] * 5
    assert stepper.cell_kind[1].tolist() == [
        CELL_PADDING,
        CELL_INPUT,
        CELL_INPUT,
        CELL_INPUT,
        CELL_PADDING,
    ]
    assert stepper.source_index(1, 1) == (0, 0) and stepper.source_index(0, 0) is None
    state = stepper.state(stepper.total - 1)
    assert sum_lines(state)[-1].startswith("ReLU: max(0, ")


@pytest.mark.parametrize(
    ("xs", "stride", "padding", "dilation", "output_padding"),
    [
        ((1, 3, 3), (2, 2), (0, 0), (1, 1), (0, 0)),
        ((1, 3, 3), (2, 2), (1, 1), (1, 1), (1, 1)),
        ((2, 4, 3), (3, 2), (1, 0), (1, 2), (2, 1)),
        ((1, 5, 5), (1, 1), (3, 3), (1, 1), (0, 0)),  # padding crops more than the border
    ],
)
def test_transposed_steps_reproduce_the_output(xs, stride, padding, dilation, output_padding):
    rng = np.random.default_rng(len(xs) + stride[0])
    x = rng.standard_normal(xs)
    w = rng.standard_normal((xs[0], 3, 3))
    settings = StepSettings(
        mode="transposed",
        stride=stride,
        padding=padding,
        dilation=dilation,
        output_padding=output_padding,
        bias=-0.5,
    )
    stepper = Stepper(x, w, settings)
    expected = loop_transposed(x, w, stride, padding, dilation, output_padding, -0.5)
    assert stepper.output_shape == expected.shape
    np.testing.assert_allclose(stepper.output(), expected, atol=1e-12)
    values = [stepper.state(i).value for i in range(stepper.total)]
    np.testing.assert_allclose(np.reshape(values, expected.shape), expected, atol=1e-12)


def test_transposed_layout_shows_inserted_zeros_and_output_padding():
    x = np.ones((1, 3, 3))
    w = np.ones((1, 3, 3))
    plain = Stepper(x, w, StepSettings(mode="transposed", stride=(2, 2)))
    # 3 inputs with one zero between each → 5, plus a border of k − 1 = 2 on each side → 9
    assert plain.cell_kind.shape == (9, 9)
    assert plain.cell_kind[2].tolist() == [1, 1, 0, 2, 0, 2, 0, 1, 1]
    assert (plain.cell_kind == CELL_INSERTED).sum() == 25 - 9
    padded = Stepper(x, w, StepSettings(mode="transposed", stride=(2, 2), output_padding=(1, 1)))
    assert padded.cell_kind.shape == (10, 10)
    assert padded.output_shape == (8, 8) and plain.output_shape == (7, 7)
    np.testing.assert_array_equal(padded.tap_kernel, w[:, ::-1, ::-1])


def test_pooling_steps():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 9, size=(1, 6, 7)).astype(float)
    for kind in ("max", "avg"):
        stepper = Stepper(
            x, None, StepSettings(mode="pool", pool_kind=kind, pool_size=(2, 2), stride=(2, 2))
        )
        assert stepper.output_shape == (3, 3)
        for index in range(stepper.total):
            state = stepper.state(index)
            block = x[
                0,
                2 * state.out_row : 2 * state.out_row + 2,
                2 * state.out_col : 2 * state.out_col + 2,
            ]
            expected = block.max() if kind == "max" else block.mean()
            assert state.value == pytest.approx(expected)
            if kind == "max":
                assert state.window[0][state.chosen] == block.max()
                assert sum_lines(state)[0].startswith("max(")
            else:
                assert state.chosen is None and " / 4 = " in sum_lines(state)[0]
    padded = Stepper(
        x, None, StepSettings(mode="pool", pool_size=(3, 3), stride=(2, 2), padding=(1, 1))
    )
    assert np.isneginf(padded.grid[0, 0, 0])
    assert padded.state(0).value == x[0, :2, :2].max()


def test_worked_example_totals_nine():
    stepper = worked_example()
    state = stepper.state(0)
    assert state.window.shape == (3, 3, 3)
    assert state.channel_sums == (3.0, 4.0, 1.0)
    assert state.value == 9.0
    lines = sum_lines(state)
    assert lines[-1] == "3 + 4 + 1 + 1 (bias) = 9"
    assert lines[0].startswith("R: 0×0 + 0×(−1)")
    assert stepper.output_shape == (3, 3)


def test_sum_written_out_single_channel():
    x = np.array([[[0.0, 1.0], [2.0, 3.0]]])
    w = np.array([[[1.0, -1.0], [0.5, 2.0]]])
    state = Stepper(x, w, StepSettings(bias=1.0)).state(0)
    assert sum_lines(state) == ["0×1 + 1×(−1) + 2×0.5 + 3×2 + 1 = 7"]


@pytest.mark.parametrize(
    ("settings", "kernel", "reason"),
    [
        (StepSettings(), np.ones((1, 9, 9)), "larger than the padded input"),
        (StepSettings(dilation=(4, 4)), np.ones((1, 3, 3)), "dilation 4"),
        (StepSettings(), np.ones((2, 3, 3)), "2 channel"),
        (
            StepSettings(mode="transposed", stride=(2, 2), output_padding=(2, 2)),
            np.ones((1, 3, 3)),
            "smaller than",
        ),
        (StepSettings(mode="pool", pool_size=(2, 2), padding=(2, 2)), None, "more than half"),
        (
            StepSettings(mode="transposed", padding_mode="replicate"),
            np.ones((1, 3, 3)),
            "zeros only",
        ),
        (StepSettings(stride=(0, 1)), np.ones((1, 3, 3)), "stride must be"),
    ],
)
def test_impossible_settings_explain(settings, kernel, reason):
    with pytest.raises(ShapeError, match=reason):
        Stepper(np.zeros((1, 8, 8)), kernel, settings)


def test_shift_comparison():
    image = np.zeros((6, 6))
    image[1, 0] = 1.0
    assert shift_image(image, 0, 1)[1, 1] == 1.0 and shift_image(image, 0, 1)[:, 0].sum() == 0
    comparison = shift_comparison(image, "max", 2)
    # the bright pixel stays inside the same 2×2 window: max pooling does not notice
    assert comparison.changed == 0 and comparison.input_changed == 2
    moved = shift_comparison(np.roll(image, 1, axis=1), "max", 2)
    assert moved.changed == 2


def test_against_engine_functional():
    pytest.importorskip("cnntui.engine.functional")
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((2, 7, 6)), rng.standard_normal((2, 3, 3))
    for settings in (
        StepSettings(stride=(2, 1), padding=(1, 2), dilation=(1, 2), bias=0.3),
        StepSettings(padding=(1, 1), padding_mode="replicate", relu=True),
        StepSettings(
            mode="transposed", stride=(2, 2), padding=(1, 1), output_padding=(1, 0), bias=0.1
        ),
    ):
        stepper = Stepper(x, w, settings)
        np.testing.assert_allclose(stepper.engine_output(), stepper.output(), atol=1e-9)
    for kind in ("max", "avg"):
        stepper = Stepper(
            x[:1],
            None,
            StepSettings(
                mode="pool", pool_kind=kind, pool_size=(3, 3), stride=(2, 2), padding=(1, 1)
            ),
        )
        np.testing.assert_allclose(stepper.engine_output(), stepper.output(), atol=1e-9)


def test_against_pytorch_on_random_inputs():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    for trial in range(25):
        c = int(rng.integers(1, 4))
        h, wd = (int(v) for v in rng.integers(5, 11, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 3, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
        x, w = rng.standard_normal((c, h, wd)), rng.standard_normal((c, kh, kw))
        tx, tw, tb = (
            torch.tensor(x[None]),
            torch.tensor(w[None]),
            torch.tensor([0.5], dtype=torch.float64),
        )
        mode = "replicate" if trial % 2 else "zero"
        conv = Stepper(
            x,
            w,
            StepSettings(
                stride=stride, padding=padding, padding_mode=mode, dilation=dilation, bias=0.5
            ),
        )
        if mode == "replicate":
            ref = F.conv2d(
                F.pad(tx, (padding[1], padding[1], padding[0], padding[0]), mode="replicate"),
                tw,
                tb,
                stride,
                0,
                dilation,
            )
        else:
            ref = F.conv2d(tx, tw, tb, stride, padding, dilation)
        np.testing.assert_allclose(conv.output(), ref[0, 0].numpy(), atol=1e-10)
        output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        try:
            tconv = Stepper(
                x,
                w,
                StepSettings(
                    mode="transposed",
                    stride=stride,
                    padding=padding,
                    dilation=dilation,
                    output_padding=output_padding,
                    bias=0.5,
                ),
            )
        except ShapeError:
            continue
        ref = F.conv_transpose2d(
            tx, torch.tensor(w[:, None]), tb, stride, padding, output_padding, 1, dilation
        )
        np.testing.assert_allclose(tconv.output(), ref[0, 0].numpy(), atol=1e-10)
        values = np.reshape([tconv.state(i).value for i in range(tconv.total)], tconv.output_shape)
        np.testing.assert_allclose(values, ref[0, 0].numpy(), atol=1e-10)
