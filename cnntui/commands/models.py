"""`cnntui models`: the zoo, one model a line (or `--json`).

Examples::

    cnntui models
    cnntui models --json
    cnntui models --open model.onnx          # the Models mode, showing that network
    cnntui models --open model.onnx --json   # what was read, without the app
"""

from __future__ import annotations

import argparse
from typing import Any

from cnntui.i18n import N_, _

NAME = "models"
HELP = N_("list the architectures in the zoo (LeNet-5 to ResNet-152, DCGAN, small trainable nets)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "List every architecture cnntui can summarise, export and (for the small ones) train, "
        "with its year, default input shape, parameter count and a one-line description."
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    parser.add_argument(
        "--trainable", action="store_true", help=_("only the small nets meant for the Train lab")
    )
    parser.add_argument(
        "--open",
        metavar="FILE.onnx",
        help=_(
            "start the app in the Models mode showing this ONNX network (with --json: print "
            "what was read instead); needs pip install 'cnntui[onnx]'"
        ),
    )


def open_document(path: str) -> dict[str, Any]:
    """What `--open FILE.onnx --json` prints: the network read, its totals, and what stopped the
    import (None when everything was read). UsageError for a file that cannot be read."""
    from cnntui.errors import ShapeError, UsageError
    from cnntui.zoo.onnx_import import is_onnx_path, load_onnx
    from cnntui.zoo.summary import summarize

    if not is_onnx_path(path):
        raise UsageError(_("--open {path}: give an ONNX file (FILE.onnx)").format(path=path))
    imported = load_onnx(path)
    try:
        summary = summarize(imported.module, imported.input_shape, name=imported.name)
    except ShapeError as exc:
        raise UsageError(_("{path}: {exc}").format(path=path, exc=exc)) from None
    return {
        "name": imported.name,
        "path": path,
        "producer": imported.producer,
        "opset": imported.opset,
        "has_weights": imported.has_weights,
        "input_shape": list(imported.input_shape),
        "output_shape": list(summary.output_shape),
        "total_params": summary.total_params,
        "total_macs": summary.total_macs,
        "layers": len(summary.layers),
        "problem": imported.problem_message.english() if imported.problem_message else None,
    }


def _open_in_app(args: argparse.Namespace) -> int:
    """Start the app and show the file in the Models mode (after checking it reads)."""
    from pathlib import Path

    from cnntui.commands._app import open_in_mode, require_terminal

    open_document(args.open)  # a file that cannot be read fails here, in one line
    require_terminal(_("--open starts the app, which needs a terminal; add --json for a document"))
    path = Path(args.open)
    return open_in_mode("models", lambda screen: screen.open_onnx(path))


def run(args: argparse.Namespace) -> int:
    if args.open:
        if args.json:
            from cnntui.commands._output import print_json

            print_json(open_document(args.open))
            return 0
        return _open_in_app(args)
    from cnntui import zoo
    from cnntui.commands._output import print_json
    from cnntui.zoo.summary import format_shape, summarize

    entries = [e for e in zoo.entries() if e.trainable or not args.trainable]
    documents: list[dict[str, Any]] = []
    for entry in entries:
        module = entry.build()
        summary = summarize(module, entry.input_shape, name=entry.name)
        documents.append(
            {
                "name": entry.name,
                "title": entry.title,
                "year": entry.year,
                "description": entry.description,
                "input_shape": list(entry.input_shape),
                "output_shape": list(summary.output_shape),
                "num_classes": entry.num_classes,
                "total_params": summary.total_params,
                "total_macs": summary.total_macs,
                "trainable_preset": entry.trainable,
                "top5_error": entry.top5_error,
                "options": entry.options,
                "pretrained": False,
            }
        )
    if not args.trainable:
        from cnntui.explain.pretrained import listing

        documents.extend(listing())  # the shipped trained networks, marked pretrained
    if args.json:
        print_json({"models": documents})
        return 0
    import os
    import shutil

    from cnntui.cells import cell_width, clip_cells
    from cnntui.zoo.summary import asciify

    ascii_only = os.environ.get("CNNTUI_ASCII", "") not in ("", "0")
    width = shutil.get_terminal_size((100, 24)).columns
    name_width = max(len(d["name"]) for d in documents)
    for d in documents:
        shape = format_shape(tuple(d["input_shape"]), ascii_only=True)
        line = f"{d['name']:<{name_width}}  {d['year']}  {shape:>11}  {d['total_params']:>12,}  "
        room = width - len(line)
        description = _described(d)
        description = asciify(description) if ascii_only else description
        if room < cell_width(description):  # cells: a Hangul syllable takes two
            # the description is the only text that may be shortened, never a number
            description = clip_cells(description, room) if room > 12 else ""
        print((line + description).rstrip())
    return 0


def _described(document: dict[str, Any]) -> str:
    """A `cnntui models` document's description in the current language (the document itself,
    as `--json` prints it, keeps the English)."""
    from cnntui import zoo

    if document["pretrained"]:
        from cnntui.explain.pretrained import PRETRAINED

        return _("pretrained: {description}").format(
            description=_(PRETRAINED[document["name"]].description)
        )
    from cnntui.zoo.catalog import description_of

    return description_of(zoo.get(document["name"]))
