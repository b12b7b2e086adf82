"""`cnntui export pytorch`: write a zoo model or a spec file as PyTorch source.

Examples::

    cnntui export pytorch resnet18 -o resnet18.py
    cnntui export pytorch my-net.toml            # writes my_net.py
    cnntui export pytorch lenet5 -o -            # to stdout
"""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "write a zoo model or a spec file as an equivalent PyTorch nn.Module source file"

FORMATS = ("pytorch",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write Python source that builds the same network in PyTorch (same layers, same "
        "submodule names, so state dicts match), to carry a network to the framework you use next."
    )
    parser.add_argument("format", choices=FORMATS, help="the target framework")
    parser.add_argument("model", metavar="NAME|SPEC.toml", help="a zoo model name or a spec file")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write ('-' for stdout; default NAME.py)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument(
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a zoo model option, e.g. num_classes=10 (repeatable)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document describing what was written"
    )


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from cnntui.atomic import write_text_atomic
    from cnntui.commands._output import print_json
    from cnntui.commands.summary import parse_options
    from cnntui.errors import ShapeError, UsageError
    from cnntui.zoo.export_pytorch import export_pytorch, python_name
    from cnntui.zoo.resolve import resolve
    from cnntui.zoo.summary import summarize

    resolved = resolve(args.model, None, **parse_options(args.option))
    try:
        summary = summarize(resolved.module, resolved.input_shape, name=resolved.name)
    except ShapeError as exc:
        raise UsageError(str(exc)) from None
    source = (
        f"spec file {resolved.spec_path.name}"
        if resolved.spec_path
        else f"cnntui zoo model {resolved.name}"
    )
    text = export_pytorch(resolved.module, resolved.name, resolved.input_shape, source)
    target = args.output or f"{python_name(resolved.name)}.py"
    if target == "-":
        if args.json:
            raise UsageError("--json needs a file to write to; drop '-o -'")
        sys.stdout.write(text)
        return 0
    path = Path(target)
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it")
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    document = {
        "model": resolved.name,
        "format": args.format,
        "path": str(path),
        "total_params": summary.total_params,
        "input_shape": list(resolved.input_shape),
        "output_shape": list(summary.output_shape),
    }
    if args.json:
        print_json(document)
    else:
        print(
            f"wrote {path}: {resolved.name}, {summary.total_params:,} parameters; run `python {path}` to check it"
        )
    return 0
