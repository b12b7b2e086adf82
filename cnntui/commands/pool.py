"""`cnntui pool`: max or average pooling of an image; prints the pooled map (or JSON).

Examples::

    cnntui pool --image digit-7 --kind max --size 2
    cnntui pool --image photo --kind avg --size 3 --stride 2 --json
    cnntui pool --image digit-7 --kind max --size 2 --backward --step pool:3
"""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, _

NAME = "pool"
HELP = N_("max or average pooling of a bundled or own image; print the pooled map")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Pool an image (a bundled name such as digit-7, or a PGM/PPM/PNG/JPEG/ASCII-art file) with"
        " a max or average window and print the result; colour images are pooled channel by channel."
    )
    parser.add_argument(
        "--image", required=True, metavar="NAME|PATH", help=_("bundled image name or file path")
    )
    parser.add_argument(
        "--kind", choices=("max", "avg"), default="max", help=_("max or avg (default max)")
    )
    parser.add_argument(
        "--size", type=int, default=2, metavar="K", help=_("window size (default 2)")
    )
    parser.add_argument(
        "--stride", type=int, default=None, metavar="S", help=_("stride (default: the window size)")
    )
    parser.add_argument(
        "--padding",
        type=int,
        default=0,
        metavar="P",
        help=_("padding on each side, at most half the window (default 0)"),
    )
    parser.add_argument("--values", action="store_true", help=_("always print the values table"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    from cnntui.commands._backward import add_backward_arguments

    add_backward_arguments(parser, pooling=True)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from cnntui import images
    from cnntui.commands._output import print_json
    from cnntui.commands.conv import _rounded, _shape, render_map
    from cnntui.conv.stepper import Stepper, StepSettings
    from cnntui.errors import ShapeError, UsageError

    image = images.load(args.image)
    stride = args.stride if args.stride is not None else args.size
    if args.size < 1 or stride < 1:
        raise UsageError(
            _("--size and --stride must be 1 or more, got {size} and {stride}").format(
                size=args.size, stride=stride
            )
        )
    if args.padding < 0:
        raise UsageError(
            _("--padding must be 0 or more, got {padding}").format(padding=args.padding)
        )
    settings = StepSettings(
        mode="pool",
        pool_kind=args.kind,
        pool_size=(args.size, args.size),
        stride=(stride, stride),
        padding=(args.padding, args.padding),
    )
    if args.backward:
        from cnntui.commands._backward import report

        if image.channels != 1:
            raise UsageError(
                _("--backward pools one channel; use a greyscale image such as digit-7")
            )
        try:
            forward = Stepper(image.pixels, None, settings)
        except ShapeError as error:
            raise UsageError(str(error)) from None
        return report(forward, args, image.name, None)
    if args.step:
        raise UsageError(_("--step applies with --backward only"))
    try:
        maps = [
            Stepper(image.pixels[c : c + 1], None, settings).output() for c in range(image.channels)
        ]
    except ShapeError as error:
        raise UsageError(str(error)) from None
    output = np.stack(maps)
    if args.json:
        print_json(
            {
                "image": image.name,
                "input_shape": _shape(image.height, image.width, image.channels),
                "kind": args.kind,
                "size": args.size,
                "stride": stride,
                "padding": args.padding,
                "output_shape": _shape(output.shape[1], output.shape[2], output.shape[0]),
                "output": _rounded(output[0] if image.channels == 1 else output),
            }
        )
        return 0
    heading = _(
        "{image} {shape}: {kind} pooling {size}×{size}, stride {stride}, padding {padding}"
        " → {output}"
    )
    print(
        heading.format(
            image=image.name,
            shape=f"{image.height}×{image.width}×{image.channels}",
            kind=args.kind,
            size=args.size,
            stride=stride,
            padding=args.padding,
            output=f"{output.shape[1]}×{output.shape[2]}×{output.shape[0]}",
        )
    )
    names = ("R", "G", "B") if image.channels == 3 else ("",)
    for channel, name in zip(output, names, strict=False):
        if name:
            print(_("channel {name}:").format(name=name))
        print(render_map(channel, force_values=args.values))
    return 0
