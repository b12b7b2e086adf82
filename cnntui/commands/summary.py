"""`cnntui summary`: the layer table of a zoo model, a spec file or an ONNX file.

Examples::

    cnntui summary vgg16
    cnntui summary resnet50 --depth 2 --input 3x160x160
    cnntui summary my-net.toml --json
    cnntui summary model.onnx --json

An ONNX file with an operator cnntui cannot read still gets the table of every layer before it;
then the command names that operator on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, _

NAME = "summary"
HELP = N_(
    "layer-by-layer shapes, parameters, MACs and receptive fields of a model, spec or ONNX file"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Trace a zoo model (see 'cnntui models'), a TOML spec file or an ONNX file symbolically, without "
        "allocating its weights, and print its layers: output shape, parameters, share of all "
        "parameters, multiply-accumulates and receptive field, then the totals."
    )
    parser.add_argument(
        "model",
        metavar="NAME|SPEC.toml|FILE.onnx",
        help=_("a zoo model name, a spec file or an ONNX model (needs pip install 'cnntui[onnx]')"),
    )
    parser.add_argument(
        "--input", metavar="CxHxW", help=_("input shape per sample, e.g. 3x224x224")
    )
    parser.add_argument(
        "--depth",
        metavar="N",
        type=int,
        default=None,
        help=_("show nested layers down to depth N (1 = top level)"),
    )
    parser.add_argument(
        "--batch",
        metavar="N",
        type=int,
        default=1,
        help=_("batch size for the activation-memory estimate (default 1)"),
    )
    parser.add_argument(
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help=_("a zoo model option, e.g. num_classes=10 or aux_logits=true (repeatable)"),
    )
    parser.add_argument(
        "--width",
        metavar="COLUMNS",
        type=int,
        help=_("fit the table to this width (default: the terminal's)"),
    )
    parser.add_argument("--ascii", action="store_true", help=_("plain ASCII only"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def parse_options(items: list[str]) -> dict[str, object]:
    """`["num_classes=10", "aux_logits=true"]` -> {"num_classes": 10, "aux_logits": True}."""
    from cnntui.errors import UsageError

    options: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(
                _("--option {item!r}: write KEY=VALUE, e.g. num_classes=10").format(item=item)
            )
        value: object
        lowered = raw.strip().lower()
        if lowered in ("true", "false"):
            value = lowered == "true"
        else:
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw
        options[key.strip()] = value
    return options


def run(args: argparse.Namespace) -> int:
    import os
    import shutil

    from cnntui.commands._output import print_json
    from cnntui.errors import ShapeError, UsageError
    from cnntui.zoo.resolve import resolve
    from cnntui.zoo.summary import summarize
    from cnntui.zoo.table import render_table

    if args.depth is not None and args.depth < 1:
        raise UsageError(_("--depth must be 1 or more, got {depth}").format(depth=args.depth))
    if args.batch < 1:
        raise UsageError(_("--batch must be 1 or more, got {batch}").format(batch=args.batch))
    resolved = resolve(args.model, args.input, **parse_options(args.option))
    try:
        summary = summarize(
            resolved.module, resolved.input_shape, depth=args.depth, name=resolved.name
        )
    except ShapeError as exc:
        raise UsageError(
            _("{name} cannot take input {shape}: {exc}").format(
                name=resolved.name, shape="x".join(map(str, resolved.input_shape)), exc=exc
            )
        ) from None
    if args.json:
        document = summary.to_json(batch_size=args.batch)
        if resolved.problem:
            document["import_problem"] = resolved.problem_in_english
        print_json(document)
        return _partial(resolved.problem)
    width = args.width or shutil.get_terminal_size((100, 24)).columns
    ascii_only = args.ascii or os.environ.get("CNNTUI_ASCII", "") not in ("", "0")
    text = render_table(summary, width=max(40, width), ascii_only=ascii_only)
    if args.batch != 1:
        from cnntui.text import human_bytes

        text += "\n" + _("Activations at batch {batch}: {size}").format(
            batch=args.batch, size=human_bytes(summary.activation_bytes(args.batch))
        )
    print(text)
    return _partial(resolved.problem)


def _partial(problem: str | None) -> int:
    """After the table of a partly read ONNX file: name what stopped the import (exit 2)."""
    if problem:
        from cnntui.errors import UsageError

        raise UsageError(_("the table stops before {problem}").format(problem=problem))
    return 0
