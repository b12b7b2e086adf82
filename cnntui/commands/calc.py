"""`cnntui calc`: output shape, parameters, MACs and receptive field of one layer or a chain.

Examples::

    cnntui calc --input 227x227x3 --kernel 11 --stride 4 --padding 0 --filters 96
    cnntui calc --input 28x28x1 --pool max --kernel 2
    cnntui calc --input 4x4x512 --transposed --kernel 4 --stride 2 --padding 1 --filters 256
    cnntui calc --chain alexnet --json
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cnntui.i18n import N_, _

if TYPE_CHECKING:
    from cnntui.calc.chain import ChainReport
    from cnntui.calc.layer import LayerReport, LayerSpec

NAME = "calc"
HELP = N_("output shape, parameters, MACs and receptive field of a layer or a chain of layers")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Compute what one convolution, pooling or transposed-convolution layer does to a"
        " HEIGHTxWIDTHxCHANNELS input, with the formulas and numbers written out; or follow a"
        " preset chain of layers."
    )
    parser.add_argument(
        "--input", metavar="HxWxC", help=_("input shape, e.g. 227x227x3 (28x28 = one channel)")
    )
    parser.add_argument(
        "--kernel", metavar="K|KHxKW", default="3", help=_("kernel size (default 3)")
    )
    parser.add_argument(
        "--stride",
        metavar="S|SHxSW",
        default=None,
        help=_("stride (default 1; the kernel size for pooling)"),
    )
    parser.add_argument(
        "--padding",
        metavar="P|same|valid|full",
        default="0",
        help=_("padding on each side, or 'same', 'valid', 'full' (default 0)"),
    )
    parser.add_argument("--dilation", metavar="D", default="1", help=_("dilation (default 1)"))
    parser.add_argument("--groups", metavar="G", type=int, default=1, help=_("groups (default 1)"))
    parser.add_argument(
        "--filters",
        metavar="N",
        type=int,
        default=None,
        help=_("output channels (default: input channels)"),
    )
    parser.add_argument("--no-bias", action="store_true", help=_("layer without bias terms"))
    parser.add_argument(
        "--pool", choices=("max", "avg"), help=_("a pooling layer instead of a convolution")
    )
    parser.add_argument(
        "--ceil-mode", action="store_true", help=_("pooling: round the output size up")
    )
    parser.add_argument("--transposed", action="store_true", help=_("a transposed convolution"))
    parser.add_argument(
        "--output-padding",
        metavar="A",
        default="0",
        help=_("transposed: extra rows/columns at the end"),
    )
    parser.add_argument(
        "--chain",
        metavar="PRESET",
        help=_(
            "a preset stack of layers instead of one layer: lenet5, alexnet, vgg-block, two-3x3,"
            " one-5x5, 5x5-direct, 5x5-bottleneck (--input overrides its input shape)"
        ),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from cnntui.calc.chain import analyze_chain
    from cnntui.calc.chain_presets import chain_preset
    from cnntui.calc.layer import FeatureShape, analyze_layer
    from cnntui.commands._output import print_json
    from cnntui.errors import ShapeError, UsageError

    try:
        if args.chain:
            preset = chain_preset(args.chain)
            shape = FeatureShape.parse(args.input) if args.input else preset.input
            chain = analyze_chain(preset.layers, shape)
            if chain.error:
                raise UsageError(chain.error)
            if args.json:
                document = chain.as_dict()
                document["preset"] = preset.name
                print_json(document)
                return 0
            print(render_chain(chain, preset.title))
            return 0
        if not args.input:
            raise UsageError(
                _("give the input shape with --input HxWxC (e.g. 227x227x3) or a --chain preset")
            )
        shape = FeatureShape.parse(args.input)
        spec = spec_from_args(args, shape.channels)
        report = analyze_layer(spec, shape)
    except ShapeError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print_json(report.as_dict())
    else:
        print(render_layer(report))
    return 0


def spec_from_args(args: argparse.Namespace, in_channels: int) -> LayerSpec:
    """The layer described by the command-line options."""
    from cnntui.calc.layer import LayerSpec
    from cnntui.errors import ShapeError

    if args.pool and args.transposed:
        raise ShapeError(_("choose either --pool or --transposed, not both"))
    if args.ceil_mode and not args.pool:
        raise ShapeError(_("--ceil-mode applies to pooling only (add --pool max or --pool avg)"))
    kind = f"{args.pool}pool" if args.pool else "transposed" if args.transposed else "conv"
    if kind != "transposed" and parse_pair(args.output_padding, "--output-padding") != (0, 0):
        raise ShapeError(
            _("--output-padding applies to transposed convolutions only (add --transposed)")
        )
    if args.pool and (args.groups != 1 or args.filters is not None):
        raise ShapeError(
            _("pooling keeps the channels: drop --groups and --filters, or drop --pool")
        )
    padding: object = args.padding.strip().lower()
    if padding not in ("same", "valid", "full"):
        padding = parse_pair(str(padding), "--padding")
    filters = args.filters if args.filters is not None else in_channels
    return LayerSpec.make(
        kind=kind,
        kernel=parse_pair(args.kernel, "--kernel"),
        stride=parse_pair(args.stride, "--stride") if args.stride is not None else None,
        padding=padding,  # type: ignore[arg-type]
        dilation=parse_pair(args.dilation, "--dilation"),
        groups=args.groups,
        filters=filters,
        bias=not args.no_bias,
        output_padding=parse_pair(args.output_padding, "--output-padding"),
        ceil_mode=args.ceil_mode,
    )


def parse_pair(text: str, option: str) -> tuple[int, int]:
    """``'3'`` → (3, 3); ``'3x5'`` → (3, 5); anything else raises `ShapeError` naming the option."""
    from cnntui.errors import ShapeError

    cleaned = str(text).strip().lower().replace("×", "x").replace(",", "x")
    parts = cleaned.split("x")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 1:
        numbers *= 2
    if len(numbers) != 2:
        raise ShapeError(
            _("{option} takes a whole number or HxW (e.g. 3 or 3x5), got {text!r}").format(
                option=option, text=text
            )
        )
    return (numbers[0], numbers[1])


def render_layer(report: LayerReport) -> str:
    """The plain-text report of one layer, as `cnntui calc` prints it (labels in the current
    language, padded by terminal cells so the values line up in Korean too)."""
    from cnntui.cells import pad_cells
    from cnntui.text import human_bytes, human_count

    def row(label: str, value: str) -> str:
        return pad_cells(label, 16) + " " + value

    lines = [
        _("{layer} on {input}").format(layer=report.spec.describe(), input=report.input.text()),
        row(_("output"), report.output.text()),
    ]
    for working in report.axes:
        lines.append(f"  {pad_cells(_(working.axis), 7)} {working.formula}")
        lines.append(f"          {working.plugged}")
    lines += [
        row(_("parameters"), f"{human_count(report.params)}   {report.param_formula}"),
        row(_("MACs"), f"{human_count(report.macs)}   {report.mac_formula}"),
        row(
            _("output memory"),
            _("{size} (float32, one sample)").format(size=human_bytes(report.memory_bytes)),
        ),
        row(_("receptive field"), f"{report.receptive_field[0]}×{report.receptive_field[1]}"),
    ]
    for note in report.notes:
        lines.append(_("note: {note}").format(note=note))
    if report.suggestions:
        lines.append(_("exact fits nearby: {fits}").format(fits="; ".join(report.suggestions)))
    return "\n".join(lines)


def render_chain(chain: ChainReport, title: str) -> str:
    """The plain-text table of a chain, as `cnntui calc --chain` prints it."""
    from cnntui.cells import cell_width, pad_cells, rpad_cells
    from cnntui.text import fraction_text, human_count

    header = " ".join(
        (
            pad_cells(_("layer"), 26),
            rpad_cells(_("output"), 14),
            rpad_cells(_("params"), 12),
            rpad_cells(_("MACs"), 14),
            rpad_cells(_("RF"), 7),
            rpad_cells(_("jump"), 5),
        )
    )
    rule = "-" * cell_width(header)
    lines = [
        _("{title}: input {shape}").format(title=title, shape=chain.input.text()),
        header,
        rule,
    ]
    for row in chain.rows:
        field_text = (
            fraction_text(row.field[0])
            if row.field[0] == row.field[1]
            else f"{fraction_text(row.field[0])}×{fraction_text(row.field[1])}"
        )
        lines.append(
            f"{row.report.spec.describe():<26} {row.report.output.text():>14}"
            f" {row.report.params:>12,} {row.report.macs:>14,} {field_text:>7}"
            f" {fraction_text(row.jump[0]):>5}"
        )
    lines.append(rule)
    lines.append(
        _("total parameters {params}, MACs {macs}").format(
            params=human_count(chain.params), macs=human_count(chain.macs)
        )
    )
    return "\n".join(lines)
