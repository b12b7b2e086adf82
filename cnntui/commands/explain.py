"""`cnntui explain`: what a pretrained network does with one image.

Examples::

    cnntui explain lenet5-digits --image digit-7
    cnntui explain lenet5-digits --image digits:test:12 --method gradcam --json
    cnntui explain tinyvgg-shapes --image circle-32 --method occlusion
    cnntui explain mynet.onnx --image photo.png --mean 0.5 --std 0.25 --json
    cnntui explain mynet.onnx --mean 0.1307 --std 0.3081   # the app's Explain mode, showing it

Without `--image` the command starts the app in the Explain mode showing MODEL, as
`cnntui models --open FILE.onnx` does for the Models mode.
"""

from __future__ import annotations

import argparse
from typing import Any

from cnntui.cells import pad_cells as pad
from cnntui.cells import rpad_cells as rpad
from cnntui.i18n import N_, _
from cnntui.train.choices import DEVICES

NAME = "explain"
HELP = N_("run one image through a pretrained network: activations, saliency, occlusion, Grad-CAM")

METHOD_CHOICES = ("activations", "saliency", "occlusion", "gradcam")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Run an image through a pretrained network (lenet5-digits, tinyvgg-shapes, "
        "lenet5-digits-0-4) and print the prediction, the top classes and every layer's "
        "activation statistics; with --method, also a map over the input of where the network "
        "looks (gradient saliency, occlusion or Grad-CAM)."
    )
    parser.add_argument(
        "model",
        metavar="MODEL",
        help=_("a pretrained network (see `cnntui models`) or a trained network as FILE.onnx"),
    )
    parser.add_argument(
        "--image",
        metavar="IMAGE",
        help=_(
            "a bundled image name (digit-7), an image file, or DATASET:SPLIT:INDEX "
            "(digits:test:12); without it the app opens in the Explain mode showing MODEL"
        ),
    )
    parser.add_argument(
        "--method",
        choices=METHOD_CHOICES,
        default="activations",
        help=_("what to compute beside the activations (default activations)"),
    )
    parser.add_argument(
        "--layer", metavar="NAME", help=_("one layer (activations) or the Grad-CAM layer")
    )
    parser.add_argument(
        "--device", choices=DEVICES, default="cpu", help=_("where to compute (default cpu)")
    )
    parser.add_argument(
        "--mean",
        type=_numbers,
        default=(0.0,),
        metavar="M[,M,M]",
        help=_("for a FILE.onnx: the mean its training images were normalised with (default 0)"),
    )
    parser.add_argument(
        "--std",
        type=_numbers,
        default=(1.0,),
        metavar="S[,S,S]",
        help=_("for a FILE.onnx: the standard deviation it was normalised with (default 1)"),
    )
    parser.add_argument("--ascii", action="store_true", help=_("plain ASCII only"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def _numbers(text: str) -> tuple[float, ...]:
    """`0.5` or `0.485,0.456,0.406` as finite numbers (argparse reports the error in one line)."""
    from cnntui.errors import UsageError
    from cnntui.explain.imported import parse_numbers

    try:
        return parse_numbers(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    import os

    from cnntui.commands._output import print_json
    from cnntui.explain.report import explain

    if args.image is None:
        return _open_in_app(args)

    doc = explain(
        args.model,
        args.image,
        method=args.method,
        layer=args.layer,
        device=args.device,
        mean=args.mean,
        std=args.std,
    )
    if args.json:
        print_json(doc)
        return 0
    ascii_only = args.ascii or os.environ.get("CNNTUI_ASCII", "") not in ("", "0")
    print("\n".join(format_text(doc, args.method, ascii_only)))
    return 0


def _open_in_app(args: argparse.Namespace) -> int:
    """Start the app in the Explain mode showing MODEL (after checking it reads, so a bad file
    fails here in one line): `cnntui:explain?model=...` as a lesson link would open it."""
    from cnntui.commands._app import open_in_mode, require_terminal
    from cnntui.errors import UsageError
    from cnntui.explain import pretrained
    from cnntui.explain.imported import load_network
    from cnntui.zoo.onnx_import import is_onnx_path

    if args.json:
        raise UsageError(_("--json needs --image IMAGE: the document is about one image"))
    params = {"model": args.model}
    if is_onnx_path(args.model):
        load_network(args.model, args.mean, args.std)
        params |= {"mean": _joined(args.mean), "std": _joined(args.std)}
    else:
        pretrained.get_spec(args.model)
        params["model"] = args.model.strip().lower()
    require_terminal(_("without --image the app opens, which needs a terminal; add --image IMAGE"))
    return open_in_mode(
        "explain", lambda screen: screen.apply_preset(params), ascii=True if args.ascii else None
    )


def _joined(values: tuple[float, ...]) -> str:
    return ",".join(repr(float(v)) for v in values)


def format_text(doc: dict[str, Any], method: str, ascii_only: bool) -> list[str]:
    """The document as lines for a terminal: prediction, top classes, layers, the map."""
    from cnntui.explain.attribution import EXPLANATIONS

    size = doc["input"]
    times = "x" if ascii_only else "×"
    pred = doc["prediction"]
    lines = [
        _("{model}: input {shape}").format(
            model=doc["model"],
            shape=f"{size['channels']}{times}{size['height']}{times}{size['width']}",
        ),
        _("prediction {label} ({probability})").format(
            label=pred["label"], probability=f"{pred['probability']:.1%}"
        ),
        _("top: {classes}").format(
            classes=", ".join(f"{t['label']} {t['probability']:.1%}" for t in doc["top"])
        ),
        "",
        f"{pad(_('layer'), 12)} {rpad(_('shape'), 12)} {'min':>9} {'max':>9} {rpad(_('mean'), 9)}",
    ]
    for layer in doc["layers"]:
        shape = times.join(str(s) for s in layer["shape"])
        lines.append(
            f"{layer['name']:<12} {shape:>12} {layer['min']:>9.3f} {layer['max']:>9.3f} "
            f"{layer['mean']:>9.3f}"
        )
    if "map" in doc:
        lines += ["", f"{method}: {EXPLANATIONS[method]}", *_shade(doc["map"], ascii_only)]
    return lines


def _shade(rows: list[list[float]], ascii_only: bool) -> list[str]:
    """A map as characters, two per pixel so it keeps its aspect: darker = more."""
    ramp = " .:-=+*#%@" if ascii_only else " ░▒▓█"
    top = max((max(r) for r in rows), default=0.0)
    low = min((min(r) for r in rows), default=0.0)
    span = (top - low) or 1.0
    out = []
    for row in rows:
        chars = [ramp[min(len(ramp) - 1, int((v - low) / span * len(ramp)))] for v in row]
        out.append("".join(c * 2 for c in chars).rstrip())
    return out
