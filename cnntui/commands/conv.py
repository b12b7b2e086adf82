"""`cnntui conv`: convolve an image with a kernel and print the output map (or JSON).

Examples::

    cnntui conv --image digit-7 --kernel laplacian
    cnntui conv --image photo --kernel sobel-x --stride 2 --padding 1 --relu
    cnntui conv --image digit-3-8 --kernel '0,1,0;1,-4,1;0,1,0' --json
    cnntui conv --image square-8 --kernel 1,1;1,1 --transposed --stride 2
    cnntui conv --image digit-7 --kernel sobel-x --backward --step weight:4
    cnntui conv --image digit-7 --kernel random --seed 1 --backward --target sobel-x --json
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cnntui.i18n import N_, _

if TYPE_CHECKING:
    import numpy as np

NAME = "conv"
HELP = N_("convolve a bundled or own image with a named or written kernel; print the output map")

HEAT_RAMP = " .:-=+*#%@"
"""Heat map characters from the lowest value to the highest (plain ASCII on every terminal)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Convolve an image (a bundled name such as digit-7, or a PGM/PPM/PNG/JPEG/ASCII-art file)"
        " with a kernel (a preset name such as laplacian, or rows like '0,1,0;1,-4,1;0,1,0') and"
        " print the output as a heat map and values. The kernel is not flipped (as in PyTorch)."
    )
    parser.add_argument(
        "--image", required=True, metavar="NAME|PATH", help=_("bundled image name or file path")
    )
    parser.add_argument(
        "--kernel",
        required=True,
        metavar="NAME|ROWS",
        help=_("kernel preset name or rows like '0,1,0;1,-4,1;0,1,0'"),
    )
    add_geometry_arguments(parser)
    parser.add_argument(
        "--padding-mode",
        choices=("zero", "replicate"),
        default="zero",
        help=_("how padding is filled (default zero)"),
    )
    parser.add_argument(
        "--dilation", type=int, default=1, metavar="D", help=_("dilation (default 1)")
    )
    parser.add_argument(
        "--bias",
        type=finite_float,
        default=0.0,
        metavar="B",
        help=_("bias added to every output (default 0)"),
    )
    parser.add_argument("--relu", action="store_true", help=_("apply ReLU to the output"))
    parser.add_argument(
        "--transposed", action="store_true", help=_("transposed convolution instead")
    )
    parser.add_argument(
        "--output-padding",
        type=int,
        default=0,
        metavar="A",
        help=_("transposed: extra rows/columns at the end"),
    )
    parser.add_argument("--seed", type=int, default=None, help=_("seed for the 'random' kernel"))
    parser.add_argument("--values", action="store_true", help=_("always print the values table"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    from cnntui.commands._backward import add_backward_arguments

    add_backward_arguments(parser)


def add_geometry_arguments(parser: argparse.ArgumentParser, default_stride: int | None = 1) -> None:
    parser.add_argument(
        "--stride",
        type=int,
        default=default_stride,
        metavar="S",
        help=(
            _("stride (default {stride})").format(stride=default_stride)
            if default_stride
            else _("stride (default: the window size)")
        ),
    )
    parser.add_argument(
        "--padding",
        default="0",
        metavar="P",
        help=_("padding on each side: a number, or same/valid/full (default 0)"),
    )


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from cnntui import images
    from cnntui.commands._output import print_json
    from cnntui.conv import kernels
    from cnntui.conv.stepper import Stepper, StepSettings
    from cnntui.errors import ShapeError, UsageError

    image = images.load(args.image)
    rng = np.random.default_rng(args.seed)
    kernel = kernels.get(args.kernel, rng)
    try:
        kernel = kernel.for_channels(image.channels)
        kh, kw = kernel.size
        padding = resolve_padding_option(args.padding, (kh, kw), args.dilation, args.stride)
        if args.transposed and args.padding_mode != "zero":
            raise UsageError(_("--transposed pads with zeros only; drop --padding-mode"))
        if args.output_padding and not args.transposed:
            raise UsageError(_("--output-padding applies with --transposed only"))
        settings = StepSettings(
            mode="transposed" if args.transposed else "conv",
            stride=(args.stride, args.stride),
            padding=padding,
            padding_mode=args.padding_mode,
            dilation=(args.dilation, args.dilation),
            bias=args.bias,
            relu=args.relu,
            output_padding=(args.output_padding, args.output_padding),
        )
        stepper = Stepper(image.pixels, kernel.values, settings)
    except ShapeError as error:
        raise UsageError(str(error)) from None
    if args.backward:
        from cnntui.commands._backward import report

        if args.transposed:
            raise UsageError(_("--backward steps convolution and pooling; drop --transposed"))
        return report(stepper, args, image.name, kernel)
    if args.target or args.step:
        raise UsageError(_("--target and --step apply with --backward only"))
    output = stepper.output()
    if args.json:
        print_json(
            {
                "image": image.name,
                "input_shape": _shape(image.height, image.width, image.channels),
                "kernel": {
                    "name": kernel.name,
                    "text": kernel.text(),
                    "values": _rounded(kernel.values),
                },
                "stride": args.stride,
                "padding": list(padding),
                "padding_mode": args.padding_mode,
                "dilation": args.dilation,
                "bias": args.bias,
                "relu": args.relu,
                "transposed": args.transposed,
                "output_shape": _shape(output.shape[0], output.shape[1], 1),
                "output": _rounded(output),
            }
        )
        return 0
    what = _("transposed convolution") if args.transposed else _("convolution")
    extras = _(", bias {bias}").format(bias=args.bias) if args.bias else ""
    extras += ", ReLU" if args.relu else ""
    heading = _(
        "{image} {shape} ⊛ {kernel} {kernel_shape} ({what}, stride {stride}, padding {padding}"
        " {mode}, dilation {dilation}{extras}) → {output}"
    )
    print(
        heading.format(
            image=image.name,
            shape=f"{image.height}×{image.width}×{image.channels}",
            kernel=kernel.name,
            kernel_shape=f"{kh}×{kw}×{kernel.channels}",
            what=what,
            stride=args.stride,
            padding=padding[0],
            mode=args.padding_mode,
            dilation=args.dilation,
            extras=extras,
            output=f"{output.shape[0]}×{output.shape[1]}",
        )
    )
    print(render_map(output, force_values=args.values))
    return 0


def resolve_padding_option(
    text: str, kernel: tuple[int, int], dilation: int, stride: int
) -> tuple[int, int]:
    """The symmetric (height, width) padding for a number or 'same' / 'valid' / 'full'."""
    from cnntui.calc.layer import resolve_padding
    from cnntui.errors import ShapeError, UsageError

    word = str(text).strip().lower()
    if word.isdigit():
        return (int(word), int(word))
    if word not in ("same", "valid", "full"):
        raise UsageError(
            _("--padding takes a whole number or same, valid, full; got {text!r}").format(text=text)
        )
    try:
        pads = resolve_padding(word, kernel, (dilation, dilation), (stride, stride))
    except ShapeError as error:
        raise UsageError(str(error)) from None
    if any(before != after for before, after in pads):
        raise UsageError(
            _(
                "padding 'same' with a {height}×{width} kernel pads unevenly ({before} before, {after} after); the lab pads evenly, so give a number"
            ).format(height=kernel[0], width=kernel[1], before=pads[0][0], after=pads[0][1])
        )
    return (pads[0][0], pads[1][0])


def _shape(height: int, width: int, channels: int) -> dict[str, int]:
    return {"height": int(height), "width": int(width), "channels": int(channels)}


def _rounded(values: np.ndarray) -> Any:
    import numpy as np

    array = np.round(np.asarray(values, dtype=np.float64), 6)
    array[array == 0] = 0.0  # no "-0.0" in the JSON
    return array.tolist()


def render_map(values: np.ndarray, force_values: bool = False, max_width: int = 100) -> str:
    """A heat map of a 2-D map with its value range, then the values when they fit."""
    import numpy as np

    from cnntui.text import number_text

    low, high = float(np.min(values)), float(np.max(values))
    span = high - low
    lines = []
    for row in values:
        if span == 0:
            lines.append(HEAT_RAMP[0] * len(row) * 2)
            continue
        levels = np.clip(
            ((row - low) / span * (len(HEAT_RAMP) - 1)).round().astype(int), 0, len(HEAT_RAMP) - 1
        )
        lines.append("".join(HEAT_RAMP[level] * 2 for level in levels))
    low_text, high_text = (number_text(v).replace("−", "-") for v in (low, high))
    lines.append(
        _("scale: '{low_glyph}' = {low} ... '{high_glyph}' = {high}").format(
            low_glyph=HEAT_RAMP[0], low=low_text, high_glyph=HEAT_RAMP[-1], high=high_text
        )
    )
    texts = [[number_text(v).replace("−", "-") for v in row] for row in values]
    width = max(len(t) for row in texts for t in row)
    if force_values or values.shape[1] * (width + 1) <= max_width:
        lines.append(_("values:"))
        lines.extend(" ".join(t.rjust(width) for t in row) for row in texts)
    else:
        lines.append(_("(values not shown: too wide; add --values, or --json for all of them)"))
    return "\n".join(lines)


def finite_float(text: str) -> float:
    """An argparse type: a finite number of at most 1e6 in size (`1e400` and `nan` refused)."""
    from cnntui.numeric import parse_number

    try:
        return parse_number(text, low=-1e6, high=1e6)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
