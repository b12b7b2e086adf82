"""`cnntui init-stats`: activation and gradient statistics, layer by layer, of a deep plain
network at initialisation (the numbers of the "Activations and initialisation" lesson).

Examples::

    cnntui init-stats --init he --activation relu
    cnntui init-stats --init small --activation tanh --json
    cnntui init-stats --compare --activation relu
"""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, _

NAME = "init-stats"
HELP = N_(
    "activation and gradient statistics per layer of a deep plain net under an initialisation"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cnntui.engine.init_statistics import ACTIVATIONS, INITS

    parser.description = _(
        "Build a plain stack of fully connected layers with one initialisation and one"
        " non-linearity, pass a batch of standard-normal inputs forward and a standard-normal"
        " gradient backward, and print each layer's activation mean and standard deviation and"
        " the standard deviation of the gradients that reach it."
    )
    parser.add_argument(
        "--init", choices=INITS, default="he", help=_("initialisation (default he)")
    )
    parser.add_argument(
        "--activation", choices=ACTIVATIONS, default="relu", help=_("non-linearity (default relu)")
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help=_(
            "one line per initialisation: the last layer's activation std and the first layer's"
            " gradient std"
        ),
    )
    parser.add_argument("--depth", type=int, default=10, metavar="L", help=_("layers (default 10)"))
    parser.add_argument(
        "--width", type=int, default=128, metavar="N", help=_("units (default 128)")
    )
    parser.add_argument(
        "--batch", type=int, default=128, metavar="B", help=_("samples (default 128)")
    )
    parser.add_argument("--seed", type=int, default=0, help=_("random seed (default 0)"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from cnntui.commands._output import print_json
    from cnntui.engine.init_statistics import INITS, init_statistics
    from cnntui.errors import UsageError

    if not (1 <= args.depth <= 100):
        raise UsageError(_("--depth must be 1 to 100, got {depth}").format(depth=args.depth))
    for name, value in (("--width", args.width), ("--batch", args.batch)):
        if not (1 <= value <= 4096):
            raise UsageError(
                _("{name} must be 1 to 4096, got {value}").format(name=name, value=value)
            )
    inits = INITS if args.compare else (args.init,)
    results = {
        init: init_statistics(init, args.activation, args.depth, args.width, args.batch, args.seed)
        for init in inits
    }
    if args.json:
        print_json(
            {
                "activation": args.activation,
                "depth": args.depth,
                "width": args.width,
                "batch": args.batch,
                "seed": args.seed,
                "inits": {
                    init: [asdict(layer) for layer in rows] for init, rows in results.items()
                },
            }
        )
        return 0
    from cnntui.cells import pad_cells, rpad_cells

    if args.compare:
        print(
            _("{activation}, {depth} layers of {width}:").format(
                activation=args.activation, depth=args.depth, width=args.width
            )
        )
        init_title, act_title, grad_title = (
            _("init"),
            _("act std (last)"),
            _("grad std (first)"),
        )
        print(
            f"{pad_cells(init_title, 8)} {rpad_cells(act_title, 15)} {rpad_cells(grad_title, 17)}"
        )
        for init, rows in results.items():
            print(f"{init:<8} {rows[-1].activation_std:>15.3g} {rows[0].gradient_std:>17.3g}")
        return 0
    rows = results[args.init]
    print(
        _("{init} init, {activation}, {depth} layers of {width}:").format(
            init=args.init, activation=args.activation, depth=args.depth, width=args.width
        )
    )
    headers = (
        (_("layer"), 5),
        (_("act mean"), 10),
        (_("act std"), 10),
        (_("saturated"), 9),
        (_("dead"), 6),
        (_("grad std"), 10),
        (_("dW std"), 10),
    )
    print(" ".join(rpad_cells(title, width) for title, width in headers))
    for row in rows:
        print(
            f"{row.layer:>5} {row.activation_mean:>10.3g} {row.activation_std:>10.3g}"
            f" {row.saturated:>9.1%} {row.dead:>6.1%} {row.gradient_std:>10.3g}"
            f" {row.weight_gradient_std:>10.3g}"
        )
    return 0
