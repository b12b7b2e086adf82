"""`cnntui transfer`: transfer learning with few images, three ways side by side.

Examples::

    cnntui transfer
    cnntui transfer --per-class 5 --epochs 40 --json
"""

from __future__ import annotations

import argparse

from cnntui.cells import pad_cells as pad
from cnntui.i18n import N_, _
from cnntui.train.choices import DEVICES

NAME = "transfer"
HELP = N_("train digits 5-9 from 10 images each: from scratch, frozen 0-4 base, fine-tuned base")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Take the shipped lenet5-digits-0-4 network (trained on the digits 0-4 only), replace "
        "its classifier head (c5, f6, output) with fresh layers, and train on the digits 5-9 "
        "with only N images per class: from scratch, "
        "with the base frozen (head only) and fine-tuned (all layers, the base at a tenth of the "
        "learning rate). Prints the test accuracy of each on the full digits 5-9 test split."
    )
    parser.add_argument(
        "--per-class", type=int, default=10, metavar="N", help=_("images per class (10)")
    )
    parser.add_argument("--epochs", type=int, default=5, metavar="E", help=_("epochs (5)"))
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help=_("which images, head init (0)")
    )
    parser.add_argument(
        "--device", choices=DEVICES, default="cpu", help=_("where to compute (default cpu)")
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from cnntui.commands._output import print_json
    from cnntui.explain.transfer import WAYS, TransferSettings, run_transfer

    settings = TransferSettings(
        per_class=args.per_class, epochs=args.epochs, seed=args.seed, device=args.device
    )
    result = run_transfer(settings)
    if args.json:
        print_json(result.as_json())
        return 0
    print(
        _(
            "digits 5-9, {per_class} training images per class ({train} in all), {epochs} epochs;"
            " test accuracy on {test} images:"
        ).format(
            per_class=result.per_class,
            train=result.train_images,
            epochs=settings.epochs,
            test=result.test_images,
        )
    )
    titles = {
        "scratch": _("from scratch"),
        "frozen": _("frozen 0-4 base, new head"),
        "finetuned": _("fine-tuned 0-4 base"),
    }
    for way in WAYS:
        print(f"  {pad(titles[way], 27)} {result.test_acc[way]:7.1%}")
    return 0
