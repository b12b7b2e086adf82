"""`cnntui dcgan`: train a DCGAN on `digits` or `shapes`, writing sample grids and checkpoints."""

from __future__ import annotations

import argparse

from cnntui.train.choices import DEVICES

NAME = "dcgan"
HELP = "train a DCGAN on digits or shapes; writes sample grids per epoch and a checkpoint"

DATASET_CHOICES = ("digits", "shapes")
DEFAULT_EPOCHS = {"digits": 50, "shapes": 10}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Train the GAN lab's DCGAN (transposed-convolution generator, strided-convolution "
        "discriminator) on the bundled 8x8 digits or the synthetic 28x28 shapes. After every "
        "epoch an 8x8 grid of samples from fixed noise is written to OUT/samples/epoch-NNN.pgm "
        "(and .png when Pillow is installed) and OUT/checkpoint.npz + OUT/run.json are saved."
    )
    parser.add_argument(
        "--dataset",
        choices=DATASET_CHOICES,
        default="digits",
        help="images to learn (default: digits)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        metavar="N",
        help="epochs in total, counting resumed ones (default: 50 for digits, 10 for shapes)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    parser.add_argument(
        "--out", default=None, metavar="DIR", help="run folder (default: ./dcgan-DATASET)"
    )
    parser.add_argument("--resume", action="store_true", help="continue the run saved in --out")
    parser.add_argument(
        "--batch", type=int, default=64, metavar="B", help="batch size (default: 64)"
    )
    parser.add_argument(
        "--lr", type=float, default=2e-4, help="Adam learning rate for both nets (default: 0.0002)"
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default="cpu",
        help="where to compute (default: cpu)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnntui.errors import UsageError

    if not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be a non-negative integer below 2^63, got {args.seed}")
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.dataset]
    out = Path(args.out) if args.out else Path(f"dcgan-{args.dataset}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if not args.resume and (out / "run.json").exists():
        raise UsageError(
            f"{out} already holds a run; add --resume to continue it or choose another --out"
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
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    run_ = DcganRun(settings, out, resume=args.resume)
    if not args.json:
        where = run_.backend.device + (f" ({run_.backend.reason})" if run_.backend.reason else "")
        print(
            f"DCGAN on {settings.dataset}: {len(run_.images)} images, {run_.steps_per_epoch} steps per epoch, "
            f"on {where}; writing to {out}"
        )
    try:
        while run_.epoch < run_.settings.epochs:
            record = run_.run_epoch()
            if record is not None and not args.json:
                print(
                    f"epoch {record.epoch:>3}/{run_.settings.epochs}  D loss {record.d_loss:.4f}  "
                    f"G loss {record.g_loss:.4f}  diversity {record.diversity:.3f}  "
                    f"{record.seconds:.1f} s  -> {record.samples[0]}"
                )
    except FloatingPointError as exc:
        raise UsageError(str(exc)) from None
    if not run_.history:
        raise UsageError(f"{out} already has {run_.epoch} epochs; ask for more with --epochs")
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
        print(f"checkpoint: {result['checkpoint']}")
    return 0
