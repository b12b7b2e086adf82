"""Gradients of small worked examples, from the backward stepper (`cnntui.conv.stepper_backward`):

convgrad weight|input IMAGE KERNEL UPSTREAM   dL/dw or dL/dx of a stride-1 convolution
                                              without padding, for the upstream gradient
                                              UPSTREAM (a `let` grid the output's size)
poolgrad IMAGE max|avg SIZE UPSTREAM          dL/dx of SIZE×SIZE pooling with stride SIZE
learnkernel IMAGE TARGET STEPS                a kernel learned by gradient descent so that
                                              its output on a bundled image matches TARGET's
learnloss IMAGE TARGET STEPS first|last       the loss of that descent after a step
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _whole
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.values import Matrix, Value


def _array(grid: Matrix) -> np.ndarray:
    return np.array([[[float(v) for v in row] for row in ch] for ch in grid.channels])


def _matrix(values: np.ndarray) -> Matrix:
    def exact(value: float) -> int | Fraction:
        fraction = Fraction(float(value)).limit_denominator(10_000)
        return int(fraction) if fraction.denominator == 1 else fraction

    return Matrix(tuple(tuple(tuple(exact(v) for v in row) for row in ch) for ch in values))


class GradientFunctions:
    """The template functions `convgrad` and `poolgrad` (a part of `Renderer`)."""

    _grid: Callable[[str, str, dict[str, Any]], Matrix]

    def _backward(self, image: Matrix, kernel: Any, settings: Any, upstream: Matrix) -> Any:
        from cnntui.conv.stepper import Stepper
        from cnntui.conv.stepper_backward import BackwardStepper
        from cnntui.errors import ShapeError

        try:
            forward = Stepper(_array(image), kernel, settings)
            g = _array(upstream)
            if g.shape[0] != 1:
                raise _Problem(_("the upstream gradient is one grid"))
            return BackwardStepper(forward, g[0])
        except ShapeError as error:
            raise _Problem(str(error)) from None

    def _convgrad(self, args: list[str], variables: dict[str, Any]) -> Value:
        from cnntui.conv.stepper import StepSettings

        if len(args) != 4 or args[0] not in ("weight", "input"):
            raise _Problem(_("usage: {{ convgrad weight|input IMAGE KERNEL UPSTREAM }}"))
        image = self._grid(args[1], "convgrad", variables)
        kernel = _array(self._grid(args[2], "convgrad", variables))
        upstream = self._grid(args[3], "convgrad", variables)
        backward = self._backward(image, kernel, StepSettings(), upstream)
        gradients = backward.engine_gradients()
        return _matrix(gradients.weight if args[0] == "weight" else gradients.input)

    def _poolgrad(self, args: list[str], variables: dict[str, Any]) -> Value:
        from cnntui.conv.stepper import StepSettings

        if len(args) != 4 or args[1] not in ("max", "avg"):
            raise _Problem(_("usage: {{ poolgrad IMAGE max|avg SIZE UPSTREAM }}"))
        image = self._grid(args[0], "poolgrad", variables)
        size = _whole(args[2], "poolgrad", variables)
        settings = StepSettings(
            mode="pool", pool_kind=args[1], pool_size=(size, size), stride=(size, size)
        )
        upstream = self._grid(args[3], "poolgrad", variables)
        return _matrix(self._backward(image, None, settings, upstream).engine_gradients().input)


@lru_cache(maxsize=8)
def _learned(image_name: str, target: str, steps: int) -> tuple[Any, list[float]]:
    from cnntui import images
    from cnntui.conv import kernels
    from cnntui.conv.stepper_backward import learn_kernel
    from cnntui.errors import CnnTuiError

    try:
        image = images.load(image_name)
        pixels = np.asarray(image.pixels, dtype=np.float64)
        if pixels.ndim == 3:
            pixels = pixels.mean(axis=0)
        return learn_kernel(pixels, kernels.get(target).values, steps=steps)
    except CnnTuiError as error:
        raise _Problem(str(error)) from None


class LearningFunctions:
    """`learnkernel IMAGE TARGET STEPS` (the learned kernel, to two decimals) and
    `learnloss IMAGE TARGET STEPS first|last` (the loss after the first or last step): gradient
    descent on a kernel until its output on IMAGE matches the preset kernel TARGET's."""

    def _learn_args(
        self, args: list[str], count: int, usage: str, variables: dict[str, Any]
    ) -> int:
        if len(args) != count:
            raise _Problem(usage)
        steps = _whole(args[2], "learnkernel", variables)
        if not 1 <= steps <= 2000:
            raise _Problem(_("learnkernel: STEPS is 1 to 2000"))
        return steps

    def _learnkernel(self, args: list[str], variables: dict[str, Any]) -> Value:
        steps = self._learn_args(
            args, 3, _("usage: {{ learnkernel IMAGE TARGET STEPS }}"), variables
        )
        weights, _losses = _learned(args[0], args[1], steps)
        rounded = np.round(weights, 2)
        return Matrix(
            tuple(
                tuple(tuple(Fraction(str(v)) for v in row) for row in channel)
                for channel in rounded + 0.0
            )
        )

    def _learnloss(self, args: list[str], variables: dict[str, Any]) -> Value:
        from cnntui.lesson_template.values import Quantity

        usage = _("usage: {{ learnloss IMAGE TARGET STEPS first|last }}")
        steps = self._learn_args(args, 4, usage, variables)
        if args[3] not in ("first", "last"):
            raise _Problem(usage)
        _weights, losses = _learned(args[0], args[1], steps)
        return Quantity(losses[0] if args[3] == "first" else losses[-1])
