"""The backward half of `cnntui conv --backward` and `cnntui pool --backward`: the gradients of
one convolution or pooling, stepped by `cnntui.conv.stepper_backward` and checked against the
engine's own backward functions."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cnntui.i18n import _

if TYPE_CHECKING:
    from cnntui.conv.stepper import Stepper


def add_backward_arguments(parser: argparse.ArgumentParser, pooling: bool = False) -> None:
    parser.add_argument(
        "--backward",
        action="store_true",
        help=_("print the gradients of the operation instead of its output"),
    )
    parser.add_argument(
        "--upstream",
        choices=("ones", "output"),
        default="ones",
        help=_(
            "the upstream gradient dL/dy: ones (L = sum of y) or output (L = half the sum of"
            " y squared); default ones"
        ),
    )
    if not pooling:
        parser.add_argument(
            "--target",
            metavar="NAME|ROWS",
            default=None,
            help=_(
                "with --backward: the upstream gradient is y minus this kernel's output"
                " (L = half the squared error to it), as when learning that kernel"
            ),
        )
    parser.add_argument(
        "--step",
        metavar="PART:N",
        default=None,
        help=_("with --backward: write out step N (from 0) of weight, input or pool"),
    )


def report(stepper: Stepper, args: argparse.Namespace, image_name: str, kernel: Any) -> int:
    """Print (or emit as JSON) the gradients and, with --step, one step written out."""
    import numpy as np

    from cnntui.commands._output import print_json
    from cnntui.commands.conv import _rounded, render_map
    from cnntui.conv.stepper import Stepper as StepperClass
    from cnntui.conv.stepper_backward import (
        BackwardStepper,
        grad_sum_lines,
        upstream_gradient,
    )
    from cnntui.errors import ShapeError, UsageError

    target = None
    target_name = getattr(args, "target", None)
    if target_name:
        from cnntui.conv import kernels

        wanted = kernels.get(target_name).for_channels(stepper.source.shape[0])
        if wanted.size != stepper.kernel_size:
            raise UsageError(
                _(
                    "--target {target_name!r} is {height}×{width} but the kernel is {kernel_height}×{kernel_width}; give one of the same size"
                ).format(
                    target_name=target_name,
                    height=wanted.size[0],
                    width=wanted.size[1],
                    kernel_height=stepper.kernel_size[0],
                    kernel_width=stepper.kernel_size[1],
                )
            )
        target = StepperClass(stepper.source, wanted.values, stepper.settings).output()
    try:
        upstream = upstream_gradient(stepper, args.upstream, target)
        backward = BackwardStepper(stepper, upstream)
    except ShapeError as error:
        raise UsageError(str(error)) from None
    mine, engine = backward.gradients(), backward.engine_gradients()
    pairs = [(mine.input, engine.input)]
    if mine.weight is not None and engine.weight is not None:
        pairs.append((mine.weight, engine.weight))
    if mine.bias is not None and engine.bias is not None:
        pairs.append((np.array(mine.bias), np.array(engine.bias)))
    agree = all(np.allclose(a, b, atol=1e-9) for a, b in pairs)
    step_lines: list[str] = []
    step_document: dict[str, Any] | None = None
    if args.step:
        part, _sep, number = str(args.step).partition(":")
        if part not in backward.parts or not number.isdigit():
            raise UsageError(
                _("--step takes PART:N with PART one of {parts}, got {step!r}").format(
                    parts=", ".join(backward.parts), step=args.step
                )
            )
        index = int(number)
        if index >= backward.total(part):
            raise UsageError(
                _("--step {step}: {part} has steps 0 to {last}").format(
                    step=args.step, part=part, last=backward.total(part) - 1
                )
            )
        step = backward.step(part, index)
        step_lines = grad_sum_lines(step)
        step_document = {
            "part": part,
            "index": index,
            "target": list(step.target),
            "source": step.source,
            "rows": list(step.rows),
            "cols": list(step.cols),
            "window": _rounded(step.window),
            "factors": _rounded(step.factors),
            "value": round(step.value, 9),
            "text": step_lines,
        }
    if args.json:
        print_json(
            {
                "image": image_name,
                "kernel": None if kernel is None else kernel.text(),
                "mode": stepper.settings.mode,
                "upstream": "target" if target is not None else args.upstream,
                "target": target_name,
                "upstream_gradient": _rounded(upstream),
                "pre_activation_gradient": _rounded(mine.pre_activation),
                "weight_gradient": None if mine.weight is None else _rounded(mine.weight),
                "bias_gradient": None if mine.bias is None else round(mine.bias, 9),
                "input_gradient": _rounded(mine.input),
                "engine_agrees": bool(agree),
                "step": step_document,
            }
        )
        return 0
    loss = {
        "ones": _("L = sum of y"),
        "output": _("L = 1/2 sum of y^2"),
    }.get(args.upstream, "")
    if target is not None:
        loss = _("L = 1/2 sum of (y - {target} output)^2").format(target=target_name)
    print(
        _("backward of {mode} on {image}, {loss}").format(
            mode=stepper.settings.mode, image=image_name, loss=loss
        )
    )
    print(_("upstream gradient dL/dy:"))
    print(render_map(upstream, force_values=args.values))
    if mine.weight is not None:
        for c, channel in enumerate(mine.weight):
            label = (
                _(" (channel {number})").format(number=c + 1) if mine.weight.shape[0] > 1 else ""
            )
            print(_("kernel gradient dL/dw{channel}:").format(channel=label))
            print(render_map(channel, force_values=True))
        print(_("bias gradient dL/db: {value}").format(value=f"{mine.bias:.6g}"))
    for c, channel in enumerate(mine.input):
        label = _(" (channel {number})").format(number=c + 1) if mine.input.shape[0] > 1 else ""
        print(_("input gradient dL/dx{channel}:").format(channel=label))
        print(render_map(channel, force_values=args.values))
    print(_("engine backward agrees: {answer}").format(answer=_("yes") if agree else _("NO")))
    for line in step_lines:
        print(line)
    return 0
