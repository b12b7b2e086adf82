"""`cnntui gan`: train the 2-D GAN headlessly and report losses and the grid JS divergence."""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, _

NAME = "gan"
HELP = N_("train a 2-D GAN on a toy distribution and report its losses and JS divergence")

DATA_CHOICES = ("ring", "line", "clusters", "moons")
LOSS_CHOICES = ("minimax", "nonsaturating", "least-squares")
DEFAULT_STEPS = 2000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Train the GAN lab's 2-D GAN (MLP generator and discriminator) on a toy distribution. "
        "The grid Jensen-Shannon divergence (bits, 24x24 grid over [-2, 2]^2) compares 2,000 "
        "generated points with 2,000 real ones; history starts at step 0, before training."
    )
    parser.add_argument(
        "--data", choices=DATA_CHOICES, default="ring", help=_("real distribution (default: ring)")
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULT_STEPS,
        metavar="N",
        help=_("training iterations (default: {steps})").format(steps=DEFAULT_STEPS),
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help=_("random seed (default: 0)")
    )
    parser.add_argument(
        "--loss",
        choices=LOSS_CHOICES,
        default="nonsaturating",
        help=_("GAN loss (default: nonsaturating)"),
    )
    parser.add_argument(
        "--d-steps",
        type=int,
        default=1,
        metavar="K",
        help=_("discriminator updates per generator update (default: 1)"),
    )
    parser.add_argument(
        "--noise-dim", type=int, default=2, metavar="D", help=_("noise dimension (default: 2)")
    )
    parser.add_argument(
        "--record-every",
        type=int,
        default=100,
        metavar="N",
        help=_("history entry every N steps (default: 100)"),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from cnntui.errors import UsageError

    if args.steps < 0 or args.steps > 1_000_000:
        raise UsageError(
            _("--steps must be between 0 and 1000000, got {steps}").format(steps=args.steps)
        )
    if args.record_every < 1:
        raise UsageError(
            _("--record-every must be at least 1, got {record_every}").format(
                record_every=args.record_every
            )
        )
    if not 0 <= args.seed < 2**63:
        raise UsageError(
            _("--seed must be a non-negative integer below 2^63, got {seed}").format(seed=args.seed)
        )

    from cnntui.engine.backend import set_cpu_threads
    from cnntui.gan.gan2d import Gan2d, Gan2dSettings

    set_cpu_threads(1)  # tiny matrices: one thread is several times faster

    settings = Gan2dSettings(
        data=args.data,
        loss=args.loss,
        seed=args.seed,
        d_steps=args.d_steps,
        noise_dim=args.noise_dim,
    )
    try:
        settings.validate()
    except ValueError as exc:
        raise UsageError(
            str(exc).replace("d_steps", "--d-steps").replace("noise_dim", "--noise-dim")
        ) from None
    model = Gan2d(settings)
    model.train(args.steps, record_every=args.record_every)
    result = model.summary()
    if args.json:
        from cnntui.commands._output import print_json

        print_json(result)
        return 0
    first = result["history"][0]
    from cnntui.cells import rpad_cells

    print(
        _("2-D GAN on {data}, {loss} loss, seed {seed}").format(
            data=args.data, loss=args.loss, seed=args.seed
        )
    )
    headers = ((_("step"), 8), (_("D loss"), 8), (_("G loss"), 8), (_("JS (bits)"), 9))
    print("  ".join(rpad_cells(title, width) for title, width in headers))
    for h in result["history"]:
        print(
            f"{h['step']:>8}  {h['d_loss']:>8.4f}  {h['g_loss']:>8.4f}  {h['js_divergence']:>9.4f}"
        )
    print(
        _("JS divergence {first} at step 0 -> {last} after {steps} steps").format(
            first=f"{first['js_divergence']:.4f}",
            last=f"{result['js_divergence']:.4f}",
            steps=result["steps"],
        )
    )
    return 0
