"""`cnntui export`: write a zoo model, a spec file or a trained run as PyTorch source or ONNX.

Examples::

    cnntui export pytorch resnet18 -o resnet18.py
    cnntui export pytorch my-net.toml            # writes my_net.py
    cnntui export pytorch lenet5 -o -            # to stdout
    cnntui export onnx resnet18 -o resnet18.onnx
    cnntui export onnx runs/lenet5-digits-...    # a trained run, with its weights
"""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, _

NAME = "export"
HELP = N_("write a zoo model, spec file or trained run as PyTorch source or an ONNX model")

FORMATS = ("pytorch", "onnx")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Write Python source that builds the same network in PyTorch (same layers, same "
        "submodule names, so state dicts match), or an ONNX model (opset 17, weights included, "
        "any batch size) for onnxruntime, TensorRT or the browser. A trained run folder exports "
        "with its trained weights; a zoo model or spec with freshly initialised ones."
    )
    parser.add_argument(
        "format", choices=FORMATS, help=_("pytorch (source) or onnx (a model file)")
    )
    parser.add_argument(
        "model",
        metavar="NAME|SPEC.toml|RUN_DIR",
        help=_("a zoo model name, a spec file or a training run folder (with run.json)"),
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=_("where to write ('-' for stdout, pytorch only; default NAME.py or NAME.onnx)"),
    )
    parser.add_argument("--force", action="store_true", help=_("overwrite an existing file"))
    parser.add_argument(
        "--option",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help=_("a zoo model option, e.g. num_classes=10 (repeatable)"),
    )
    parser.add_argument(
        "--json", action="store_true", help=_("print one JSON document describing what was written")
    )


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from cnntui.atomic import write_bytes_atomic, write_text_atomic
    from cnntui.commands._output import print_json
    from cnntui.commands.summary import parse_options
    from cnntui.errors import ShapeError, UsageError
    from cnntui.train.trained import is_run_dir, load_trained
    from cnntui.zoo.export_pytorch import export_pytorch, python_name
    from cnntui.zoo.resolve import Resolved, resolve
    from cnntui.zoo.summary import summarize

    trained = is_run_dir(args.model)
    if trained:
        if args.option:
            raise UsageError(_("model options only apply to zoo models, not to a training run"))
        built = load_trained(args.model)
        resolved = Resolved(built.name, built.module, built.input_shape)
        source = f"training run {Path(args.model).name}"
    else:
        if args.model.lower().endswith(".onnx"):
            raise UsageError(
                _("{model} is already an ONNX file; export a zoo model, spec or run").format(
                    model=args.model
                )
            )
        resolved = resolve(args.model, None, **parse_options(args.option))
        source = (
            f"spec file {resolved.spec_path.name}"
            if resolved.spec_path
            else f"cnntui zoo model {resolved.name}"
        )
    try:
        summary = summarize(resolved.module, resolved.input_shape, name=resolved.name)
    except ShapeError as exc:
        raise UsageError(str(exc)) from None
    extension = ".onnx" if args.format == "onnx" else ".py"
    target = args.output or f"{python_name(resolved.name)}{extension}"
    if target == "-" and args.format == "onnx":
        raise UsageError(_("an ONNX model is binary: give a file with -o, e.g. -o net.onnx"))
    if args.format == "onnx":
        from cnntui.zoo.onnx_export import export_onnx_bytes

        data = export_onnx_bytes(resolved.module, resolved.input_shape, resolved.name)
    else:
        text = export_pytorch(resolved.module, resolved.name, resolved.input_shape, source)
        if target == "-":
            if args.json:
                raise UsageError(_("--json needs a file to write to; drop '-o -'"))
            sys.stdout.write(text)
            return 0
    path = Path(target)
    if path.exists() and not args.force:
        raise UsageError(_("{path} already exists; pass --force to overwrite it").format(path=path))
    try:
        if args.format == "onnx":
            write_bytes_atomic(path, data)
        else:
            write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    document = {
        "model": resolved.name,
        "format": args.format,
        "path": str(path),
        "total_params": summary.total_params,
        "trained_weights": trained,
        "input_shape": list(resolved.input_shape),
        "output_shape": list(summary.output_shape),
    }
    if args.json:
        print_json(document)
    elif args.format == "onnx":
        weights = _("trained weights") if trained else _("freshly initialised weights")
        print(
            _(
                "wrote {path}: {model}, {params} parameters ({weights}); "
                "input (batch, {shape}), ONNX opset 17"
            ).format(
                path=path,
                model=resolved.name,
                params=f"{summary.total_params:,}",
                weights=weights,
                shape=", ".join(map(str, resolved.input_shape)),
            )
        )
    else:
        print(
            _("wrote {path}: {model}, {params} parameters; run `python {path}` to check it").format(
                path=path, model=resolved.name, params=f"{summary.total_params:,}"
            )
        )
    return 0
