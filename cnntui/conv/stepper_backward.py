"""The backward pass of the Conv Lab's operation, one gradient entry at a time.

A forward `Stepper` computes ``y = act(conv(x, w) + b)`` (or a pooling of x). Given the gradient
of a loss with respect to y (the *upstream* gradient g, ``(H_out, W_out)``), back-propagation
needs three things, and `BackwardStepper` lays each out as a sequence of plain `GradStep`\\ s:

* ``weight``: the kernel gradient is a **correlation of the input with the upstream gradient**::

      dL/dw[c, u, v] = Σ_{i,j} grid[c, i·s + u·d, j·s + v·d] · g'[i, j]

  (grid is the padded input; g' is g through the ReLU, zero where the pre-activation was ≤ 0).
  One step per kernel weight: the window is the input samples that weight touched, the factors
  are g'. The bias gradient is Σ g'.

* ``input``: the input gradient is a **full convolution of g' with the kernel**, i.e. a
  correlation with the *flipped* kernel over g' stretched by the stride (s − 1 zeros between
  entries) and bordered with d·(k − 1) zeros::

      dL/dgrid[c, a, b] = Σ_{u,v} G[a + u·d, b + v·d] · w[c, k_h − 1 − u, k_w − 1 − v]

  One step per cell of the padded grid; the gradient of a padding cell is dropped (zero padding)
  or added to the edge pixel it copied (replicate padding).

* ``pool``: max pooling **routes** each g[i, j] to the position of its window's maximum (the
  first one, as PyTorch); average pooling **spreads** g[i, j]/(k_h·k_w) over the whole window
  (zero padding counted, PyTorch's ``count_include_pad=True``). One step per output position;
  overlapping windows add up.

`engine_gradients()` runs `cnntui.engine.functional`'s own ``conv2d_backward``,
``max_pool2d_backward`` and ``avg_pool2d_backward`` on the same numbers; tests check that the
sums stepped here equal them and PyTorch's autograd. Transposed convolution has no backward mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cnntui.conv.stepper import CELL_INPUT, Stepper
from cnntui.errors import ShapeError
from cnntui.i18n import _

PARTS = ("weight", "input", "pool")
UPSTREAMS = ("ones", "output")
"""Built-in upstream gradients: ``ones`` is dL/dy for L = Σ y; ``output`` is y itself, dL/dy for
L = ½·Σ y². A target output gives ``y − target``, dL/dy for L = ½·Σ (y − target)²."""


@dataclass(frozen=True)
class GradStep:
    """One entry of a gradient: which numbers are multiplied and what they add up to.

    `window` and `factors` are 2-D and the same shape; `products` is their element-wise product
    and `value` its sum (for max pooling, `products` holds the routed gradient at the chosen cell
    and zeros elsewhere). `rows`/`cols` are the cells of `source` that `window` was read from.
    """

    part: str
    index: int
    total: int
    target: tuple[int, int, int]
    """(channel, row, column) of the entry computed: a kernel weight, a grid cell, or for pooling
    the output position whose gradient is sent back."""
    source: str
    """What `window` is read from: ``input`` (the padded input), ``upstream`` (the stretched,
    bordered upstream gradient) or ``pool window`` (the padded input under one pooling window)."""
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    window: np.ndarray
    factors: np.ndarray
    products: np.ndarray
    value: float
    gradient: np.ndarray = field(repr=False)
    """The whole gradient being built, ``(C, H, W)``: entries up to this step, NaN after (for
    pooling, the running sum over the steps so far)."""


@dataclass(frozen=True)
class Gradients:
    """The finished gradients, each as PyTorch lays them out for one image and one filter."""

    upstream: np.ndarray
    """dL/dy, ``(H_out, W_out)``, as given."""
    pre_activation: np.ndarray
    """dL/d(pre-activation): the upstream gradient through the ReLU (the same without one)."""
    weight: np.ndarray | None
    """dL/dw ``(C, kh, kw)``; None for pooling."""
    bias: float | None
    grid: np.ndarray
    """dL/d(padded grid) ``(C, H_pad, W_pad)``."""
    input: np.ndarray
    """dL/dx ``(C, H, W)``."""


class BackwardStepper:
    """The stepping view of the backward pass of one `Stepper` (conv or pool mode).

    Args:
        forward: the forward stepper (its image, kernel and settings are used as they are).
        upstream: dL/dy ``(H_out, W_out)``; its shape must be the forward output's.
    """

    def __init__(self, forward: Stepper, upstream: np.ndarray) -> None:
        if forward.settings.mode not in ("conv", "pool"):
            raise ShapeError(
                _(
                    "the backward mode steps convolution and pooling; transposed convolution has none"
                )
            )
        g = np.asarray(upstream, dtype=np.float64)
        if g.shape != forward.output_shape:
            raise ShapeError(
                _(
                    "the upstream gradient is {value}×{value2} but the output is {value3}×{value4}; they must match"
                ).format(
                    value=g.shape[0],
                    value2=g.shape[1],
                    value3=forward.output_shape[0],
                    value4=forward.output_shape[1],
                )
            )
        self.forward = forward
        self.upstream = g
        s = forward.settings
        if s.mode == "conv" and s.relu:
            pre = self._pre_activation()
            # PyTorch's ReLU passes the gradient where the input was > 0 (0 at exactly 0).
            self.grad_pre = np.where(pre > 0, g, 0.0)
        else:
            self.grad_pre = g
        self.parts = ("weight", "input") if s.mode == "conv" else ("pool",)
        self._stretched = self._stretched_upstream() if s.mode == "conv" else None
        self._cache: dict[str, np.ndarray] = {}

    # -- geometry ---------------------------------------------------------------------------

    def _pre_activation(self) -> np.ndarray:
        fwd = self.forward
        return Stepper(fwd.source, fwd.kernel, replace(fwd.settings, relu=False)).output()

    def _stretched_upstream(self) -> np.ndarray:
        """g' with s − 1 zeros between entries, bordered with d·(k − 1) zeros, sized so that a
        correlation with the flipped kernel gives one value per cell of the padded grid."""
        fwd = self.forward
        (sh, sw), (dh, dw) = fwd.settings.stride, fwd.settings.dilation
        kh, kw = fwd.kernel_size
        ho, wo = fwd.output_shape
        hp, wp = fwd.grid.shape[1:]
        bh, bw = dh * (kh - 1), dw * (kw - 1)
        out = np.zeros((hp + 2 * bh, wp + 2 * bw))
        out[bh : bh + (ho - 1) * sh + 1 : sh, bw : bw + (wo - 1) * sw + 1 : sw] = self.grad_pre
        return out

    def total(self, part: str) -> int:
        """Number of steps of `part`."""
        fwd = self.forward
        if part == "weight":
            assert fwd.kernel is not None
            return int(fwd.kernel.size)
        if part == "input":
            return int(fwd.grid.size)
        if part == "pool":
            return fwd.total
        raise ValueError(f"unknown part {part!r}; use one of {', '.join(self.parts)}")

    def _check(self, part: str, index: int) -> None:
        if part not in self.parts:
            raise ValueError(
                f"part {part!r} is not stepped here; use one of {', '.join(self.parts)}"
            )
        if not 0 <= index < self.total(part):
            raise IndexError(f"step {index} is outside 0…{self.total(part) - 1}")

    # -- steps ------------------------------------------------------------------------------

    def step(self, part: str, index: int) -> GradStep:
        """Step `index` (row-major over the entries) of `part`."""
        self._check(part, index)
        if part == "weight":
            return self._weight_step(index)
        if part == "input":
            return self._input_step(index)
        return self._pool_step(index)

    def _weight_step(self, index: int) -> GradStep:
        fwd = self.forward
        assert fwd.kernel is not None
        c, kh, kw = fwd.kernel.shape
        channel, rest = divmod(index, kh * kw)
        u, v = divmod(rest, kw)
        (sh, sw), (dh, dw) = fwd.settings.stride, fwd.settings.dilation
        ho, wo = fwd.output_shape
        rows = tuple(u * dh + i * sh for i in range(ho))
        cols = tuple(v * dw + j * sw for j in range(wo))
        window = fwd.grid[channel][np.ix_(rows, cols)]
        products = window * self.grad_pre
        gradient = self.weight_gradient().copy()
        gradient.reshape(-1)[index + 1 :] = np.nan
        return GradStep(
            "weight",
            index,
            self.total("weight"),
            (channel, u, v),
            "input",
            rows,
            cols,
            window,
            self.grad_pre,
            products,
            float(products.sum()),
            gradient,
        )

    def _input_step(self, index: int) -> GradStep:
        fwd = self.forward
        assert fwd.kernel is not None and self._stretched is not None
        channels, hp, wp = fwd.grid.shape
        channel, rest = divmod(index, hp * wp)
        a, b = divmod(rest, wp)
        (dh, dw) = fwd.settings.dilation
        kh, kw = fwd.kernel_size
        rows = tuple(a + u * dh for u in range(kh))
        cols = tuple(b + v * dw for v in range(kw))
        window = self._stretched[np.ix_(rows, cols)]
        flipped = fwd.kernel[channel, ::-1, ::-1]
        products = window * flipped
        gradient = self.grid_gradient().copy()
        gradient.reshape(-1)[index + 1 :] = np.nan
        return GradStep(
            "input",
            index,
            self.total("input"),
            (channel, a, b),
            "upstream",
            rows,
            cols,
            window,
            flipped.copy(),
            products,
            float(products.sum()),
            gradient,
        )

    def _pool_step(self, index: int) -> GradStep:
        fwd = self.forward
        state = fwd.state(index)
        g = float(self.upstream[state.out_row, state.out_col])
        window = state.window[0]
        if fwd.settings.pool_kind == "max":
            assert state.chosen is not None
            factors = np.zeros_like(window)
            factors[state.chosen] = 1.0
        else:
            factors = np.full_like(window, 1.0 / window.size)
        products = factors * g
        gradient = np.zeros(fwd.grid.shape)
        for earlier in range(index + 1):
            gradient[0][np.ix_(*self._pool_cells(earlier))] += self._pool_share(earlier)
        return GradStep(
            "pool",
            index,
            self.total("pool"),
            (0, state.out_row, state.out_col),
            "pool window",
            state.rows,
            state.cols,
            window,
            factors,
            products,
            g,
            gradient,
        )

    def _pool_cells(self, index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        out_row, out_col = divmod(index, self.forward.output_shape[1])
        return self.forward.window_rows(out_row), self.forward.window_cols(out_col)

    def _pool_share(self, index: int) -> np.ndarray:
        """What output position `index` sends back to the cells of its window."""
        fwd = self.forward
        out_row, out_col = divmod(index, fwd.output_shape[1])
        rows, cols = self._pool_cells(index)
        window = fwd.grid[0][np.ix_(rows, cols)]
        g = self.upstream[out_row, out_col]
        if fwd.settings.pool_kind == "max":
            share = np.zeros_like(window)
            share[divmod(int(np.argmax(window)), window.shape[1])] = g
            return share
        return np.full_like(window, g / window.size)

    # -- whole gradients, vectorised --------------------------------------------------------

    def weight_gradient(self) -> np.ndarray:
        """dL/dw ``(C, kh, kw)``: every kernel weight's correlation of input and g'."""
        if "weight" not in self._cache:
            fwd = self.forward
            assert fwd.kernel is not None
            c, kh, kw = fwd.kernel.shape
            (sh, sw), (dh, dw) = fwd.settings.stride, fwd.settings.dilation
            ho, wo = fwd.output_shape
            out = np.zeros((c, kh, kw))
            for u in range(kh):
                for v in range(kw):
                    taps = fwd.grid[
                        :,
                        u * dh : u * dh + (ho - 1) * sh + 1 : sh,
                        v * dw : v * dw + (wo - 1) * sw + 1 : sw,
                    ]
                    out[:, u, v] = np.tensordot(taps, self.grad_pre, axes=([1, 2], [0, 1]))
            self._cache["weight"] = out
        return self._cache["weight"]

    def grid_gradient(self) -> np.ndarray:
        """dL/d(padded grid) ``(C, H_pad, W_pad)``."""
        if "grid" not in self._cache:
            fwd = self.forward
            if fwd.settings.mode == "pool":
                out = np.zeros(fwd.grid.shape)
                for index in range(fwd.total):
                    out[0][np.ix_(*self._pool_cells(index))] += self._pool_share(index)
            else:
                assert fwd.kernel is not None and self._stretched is not None
                channels, hp, wp = fwd.grid.shape
                kh, kw = fwd.kernel_size
                dh, dw = fwd.settings.dilation
                out = np.zeros((channels, hp, wp))
                for u in range(kh):
                    for v in range(kw):
                        tap = self._stretched[u * dh : u * dh + hp, v * dw : v * dw + wp]
                        out += fwd.kernel[:, kh - 1 - u, kw - 1 - v][:, None, None] * tap
            self._cache["grid"] = out
        return self._cache["grid"]

    def input_gradient(self) -> np.ndarray:
        """dL/dx ``(C, H, W)``: the grid gradient with the padding folded back.

        Zero padding: the padding cells' gradients are dropped. Replicate padding: each padding
        cell copied an edge pixel, so its gradient is added to that pixel.
        """
        fwd = self.forward
        grid = self.grid_gradient()
        channels, height, width = fwd.source.shape
        pt, pl = fwd.settings.padding
        if fwd.settings.mode == "conv" and fwd.settings.padding_mode == "replicate":
            rows = np.clip(np.arange(grid.shape[1]) - pt, 0, height - 1)
            cols = np.clip(np.arange(grid.shape[2]) - pl, 0, width - 1)
            out = np.zeros((channels, height, width))
            for r, source_row in enumerate(rows):
                for k, source_col in enumerate(cols):
                    out[:, source_row, source_col] += grid[:, r, k]
            return out
        inside = fwd.cell_kind == CELL_INPUT
        return grid[:, inside].reshape(channels, height, width)

    def gradients(self) -> Gradients:
        """All gradients at once, computed from the steps' sums (vectorised)."""
        conv = self.forward.settings.mode == "conv"
        return Gradients(
            upstream=self.upstream,
            pre_activation=self.grad_pre,
            weight=self.weight_gradient() if conv else None,
            bias=float(self.grad_pre.sum()) if conv else None,
            grid=self.grid_gradient(),
            input=self.input_gradient(),
        )

    def engine_gradients(self) -> Gradients:
        """The same gradients from `cnntui.engine.functional`'s backward functions."""
        from cnntui.engine import functional as F

        fwd = self.forward
        s = fwd.settings
        g = self.grad_pre[None, None]
        if s.mode == "pool":
            x = fwd.source[None]
            if s.pool_kind == "max":
                _result, ctx = F.max_pool2d_forward(x, fwd.kernel_size, s.stride, s.padding)
                grad_x = F.max_pool2d_backward(self.upstream[None, None], ctx)
            else:
                _result, ctx = F.avg_pool2d_forward(x, fwd.kernel_size, s.stride, s.padding)
                grad_x = F.avg_pool2d_backward(self.upstream[None, None], ctx)
            grad_input = np.asarray(grad_x, dtype=np.float64)[0]
            return Gradients(
                self.upstream, self.upstream, None, None, self.grid_gradient(), grad_input
            )
        assert fwd.kernel is not None
        # The padded grid is the engine's input (padding zero or replicate already laid out),
        # so the engine's input gradient is the grid gradient; folding it is the same step.
        bias = np.zeros(1)
        _result, conv_ctx = F.conv2d_forward(
            fwd.grid[None], fwd.kernel[None], bias, s.stride, 0, s.dilation
        )
        grad_grid, grad_w, grad_b = F.conv2d_backward(g, conv_ctx)
        grid = np.asarray(grad_grid, dtype=np.float64)[0]
        folded = BackwardStepper.__new__(BackwardStepper)
        folded.__dict__.update(self.__dict__)
        folded._cache = {"grid": grid}
        return Gradients(
            upstream=self.upstream,
            pre_activation=self.grad_pre,
            weight=np.asarray(grad_w, dtype=np.float64)[0],
            bias=float(np.asarray(grad_b)[0]),
            grid=grid,
            input=folded.input_gradient(),
        )


def upstream_gradient(
    forward: Stepper, kind: str = "ones", target: np.ndarray | None = None
) -> np.ndarray:
    """dL/dy for the built-in losses: ``ones`` (L = Σ y), ``output`` (L = ½ Σ y²), or, with a
    `target` map, ``y − target`` (L = ½ Σ (y − target)²)."""
    y = forward.output()
    if target is not None:
        t = np.asarray(target, dtype=np.float64)
        if t.shape != y.shape:
            raise ShapeError(
                _(
                    "the target is {value}×{value2} but the output is {value3}×{value4}; they must match"
                ).format(value=t.shape[0], value2=t.shape[1], value3=y.shape[0], value4=y.shape[1])
            )
        return y - t
    if kind == "ones":
        return np.ones_like(y)
    if kind == "output":
        return y.copy()
    raise ShapeError(
        _("unknown upstream gradient {kind!r}; use one of {choices}").format(
            kind=kind, choices=", ".join(UPSTREAMS)
        )
    )


def learn_kernel(
    image: np.ndarray,
    target_kernel: np.ndarray,
    steps: int = 200,
    learning_rate: float | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, list[float]]:
    """Gradient descent on a 3×3 (or any) kernel so that its output matches `target_kernel`'s.

    The loss is L = ½·mean over positions of (conv(x, w) − conv(x, target))², the kernel
    gradient the correlation of the input with (y − target)/n from `BackwardStepper`. Starts
    from small random weights (seeded); `learning_rate` defaults to 1/(largest eigenvalue of
    the patches' second-moment matrix), a step size at which descent on this quadratic loss
    always converges. Returns the learned kernel ``(C, kh, kw)`` and the loss after each step.
    """
    from cnntui.conv.stepper import StepSettings

    target_w = np.asarray(target_kernel, dtype=np.float64)
    if target_w.ndim == 2:
        target_w = target_w[None]
    settings = StepSettings()
    target = Stepper(image, target_w, settings).output()
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, 0.1, size=target_w.shape)
    n = target.size
    if learning_rate is None:
        probe = Stepper(image, weights, settings)
        kh, kw = target_w.shape[1:]
        patches = np.stack(
            [
                probe.grid[:, u : u + target.shape[0], v : v + target.shape[1]].reshape(
                    target_w.shape[0], -1
                )
                for u in range(kh)
                for v in range(kw)
            ],
            axis=1,
        ).reshape(-1, n)
        largest = float(np.linalg.eigvalsh(patches @ patches.T / n).max())
        learning_rate = 1.0 / largest if largest > 0 else 1.0
    losses: list[float] = []
    for _step in range(steps):
        forward = Stepper(image, weights, settings)
        residual = forward.output() - target
        backward = BackwardStepper(forward, residual / n)
        weights = weights - learning_rate * backward.weight_gradient()
        losses.append(
            float(0.5 * np.mean((Stepper(image, weights, settings).output() - target) ** 2))
        )
    return weights, losses


def grad_sum_lines(step: GradStep, max_terms: int | None = None) -> list[str]:
    """The arithmetic of one step written out, e.g. ``dw[0,1,1] = 3×1 + 0×(−2) + … = 7``.

    Products with a zero factor are left out (they add nothing); with `max_terms`, a longer sum
    shows its first terms and how many more there are.
    """
    from cnntui.text import number_text

    def factor(value: float) -> str:
        text = number_text(value)
        return f"({text})" if text.startswith("−") else text

    c, r, k = step.target
    if step.part == "pool":
        if np.count_nonzero(step.factors) == 1:
            cell = divmod(int(np.argmax(step.factors)), step.factors.shape[1])
            return [
                f"g[{r},{k}] = {number_text(step.value)} goes to the maximum at window"
                f" ({cell[0]},{cell[1]}); the other cells get 0"
            ]
        share = number_text(step.value / step.window.size, 4)
        return [
            f"g[{r},{k}] = {number_text(step.value)} spread over {step.window.size} cells:"
            f" {share} each"
        ]
    name = "dw" if step.part == "weight" else "dgrid"
    pairs = [
        (x, f)
        for x, f in zip(step.window.reshape(-1), step.factors.reshape(-1), strict=True)
        if x != 0 and f != 0
    ]
    if not pairs:
        return [f"{name}[{c},{r},{k}] = 0 (every product has a zero factor)"]
    shown = pairs if max_terms is None else pairs[:max_terms]
    terms = " + ".join(f"{factor(x)}×{factor(f)}" for x, f in shown)
    if len(shown) < len(pairs):
        terms += f" + … ({len(pairs) - len(shown)} more non-zero terms)"
    return [f"{name}[{c},{r},{k}] = {terms} = {number_text(step.value)}"]
