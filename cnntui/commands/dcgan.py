"""`cnntui dcgan`: train a DCGAN on `digits` or `shapes`, writing sample grids and checkpoints."""

from __future__ import annotations

import argparse

from cnntui.i18n import N_, Message, _
from cnntui.train.choices import DEVICES

NAME = "dcgan"
HELP = N_("train a DCGAN on digits or shapes; writes sample grids per epoch and a checkpoint")

DATASET_CHOICES = ("digits", "shapes")
DEFAULT_EPOCHS = {"digits": 50, "shapes": 10}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Train the GAN lab's DCGAN (transposed-convolution generator, strided-convolution "
        "discriminator) on the bundled 8x8 digits or the synthetic 28x28 shapes. After every "
        "epoch an 8x8 grid of samples from fixed noise is written to OUT/samples/epoch-NNN.pgm "
        "(and .png when Pillow is installed) and OUT/checkpoint.npz + OUT/run.json are saved."
    )
    parser.add_argument(
        "--dataset",
        choices=DATASET_CHOICES,
        default="digits",
        help=_("images to learn (default: digits)"),
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        metavar="N",
        help=_("epochs in total, counting resumed ones (default: 50 for digits, 10 for shapes)"),
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help=_("random seed (default: 0)")
    )
    parser.add_argument(
        "--out", default=None, metavar="DIR", help=_("run folder (default: ./dcgan-DATASET)")
    )
    parser.add_argument("--resume", action="store_true", help=_("continue the run saved in --out"))
    parser.add_argument(
        "--batch", type=int, default=64, metavar="B", help=_("batch size (default: 64)")
    )
    parser.add_argument(
        "--lr",
        type=float,
        default=2e-4,
        help=_("Adam learning rate for both nets (default: 0.0002)"),
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help=_("where to compute (default: cpu)"),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnntui.commands._output import make_output_folder
    from cnntui.errors import UsageError

    if not 0 <= args.seed < 2**63:
        raise UsageError(
            _("--seed must be a non-negative integer below 2^63, got {seed}").format(seed=args.seed)
        )
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.dataset]
    out = Path(args.out) if args.out else Path(f"dcgan-{args.dataset}")
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out {out} exists and is not a folder").format(out=out))
    if not args.resume and (out / "run.json").exists():
        raise UsageError(
            _(
                "{out} already holds a run; add --resume to continue it or choose another --out"
            ).format(out=out)
        )

    from cnntui.engine.backend import set_cpu_threads
    from cnntui.gan.dcgan import DcganRun, DcganSettings

    set_cpu_threads(1)  # small convolutions: one BLAS thread is faster on a busy machine

    settings = DcganSettings(
        dataset=args.dataset,
        epochs=epochs,
        batch=args.batch,
        lr=args.lr,
        seed=args.seed,
        device=args.device,
    )
    settings.validate()
    make_output_folder(out, "--out")
    run_ = DcganRun(settings, out, resume=args.resume)
    if not args.json:
        backend = run_.backend
        reason = f" ({Message(backend.reason)})" if backend.reason else ""
        where = f"{backend.device_text()}{reason}"
        print(
            _(
                "DCGAN on {dataset}: {images} images, {steps} steps per epoch, "
                "on {where}; writing to {out}"
            ).format(
                dataset=settings.dataset,
                images=len(run_.images),
                steps=run_.steps_per_epoch,
                where=where,
                out=out,
            )
        )
    stopper = _StopOnSignals()
    try:
        with stopper:
            while run_.epoch < run_.settings.epochs and stopper.signum is None:
                record = run_.run_epoch(should_stop=stopper.requested)
                if record is not None and not args.json:
                    line = _(
                        "epoch {epoch}/{epochs}  D loss {d_loss}  G loss {g_loss}  "
                        "diversity {diversity}  {seconds} s  -> {sample}"
                    )
                    print(
                        line.format(
                            epoch=f"{record.epoch:>3}",
                            epochs=run_.settings.epochs,
                            d_loss=f"{record.d_loss:.4f}",
                            g_loss=f"{record.g_loss:.4f}",
                            diversity=f"{record.diversity:.3f}",
                            seconds=f"{record.seconds:.1f}",
                            sample=record.samples[0],
                        )
                    )
    except FloatingPointError as exc:
        raise UsageError(str(exc)) from None
    if stopper.signum is not None:
        import sys

        resume = f"cnntui dcgan --dataset {settings.dataset} --out {out} --resume"
        if args.json:
            from cnntui.commands._output import print_json

            print_json(
                {
                    "epochs": run_.epoch,
                    "step": run_.step,
                    "completed": False,
                    "stopped": "signal",
                    "checkpoint": str(run_.checkpoint_path),
                    "resume": resume,
                }
            )
        print(
            _("interrupted: checkpoint saved; continue with: {command}").format(command=resume),
            file=sys.stderr,
        )
        return 128 + stopper.signum
    if not run_.history:
        raise UsageError(
            _("{out} already has {epoch} epochs; ask for more with --epochs").format(
                out=out, epoch=run_.epoch
            )
        )
    last = run_.history[-1]
    result = {
        "epochs": run_.epoch,
        "d_loss": last.d_loss,
        "g_loss": last.g_loss,
        "samples": [path for record in run_.history for path in record.samples],
        "checkpoint": str(run_.checkpoint_path),
    }
    if args.json:
        from cnntui.commands._output import print_json

        print_json(result)
    else:
        print(_("checkpoint: {path}").format(path=result["checkpoint"]))
    return 0


class _StopOnSignals:
    """While active, SIGINT, SIGTERM and SIGHUP ask the run to checkpoint where it is and stop
    (a second signal stops at once)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def requested(self) -> bool:
        return self.signum is not None

    def __enter__(self) -> _StopOnSignals:
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, _frame: object) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # a second signal: do not wait for the step
        self.signum = signum

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
