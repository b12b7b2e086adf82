"""`cnntui bench`: training and inference throughput of the engine on a reference network.

Examples::

    cnntui bench
    cnntui bench --device gpu --batch 256 --json
    cnntui bench --model cifar-cnn --steps 20 --threads 1
"""

from __future__ import annotations

import argparse
import os
from contextlib import nullcontext

from cnntui.i18n import N_, Message, _
from cnntui.train.choices import DEVICES

NAME = "bench"
HELP = N_("measure training and inference speed of the engine (LeNet-5 or a CIFAR-sized CNN)")

MODELS = ("lenet5", "cifar-cnn")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _(
        "Time full training steps (forward, cross-entropy, backward, SGD with momentum) and"
        " inference passes on random inputs kept on the device, and print images per second."
        " The GPU is used only when CuPy and a working CUDA device are found; otherwise the CPU"
        " result is printed with the reason."
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default=argparse.SUPPRESS,
        help=_("auto (GPU when it works), cpu or gpu (default: CNNTUI_DEVICE, else auto)"),
    )
    parser.add_argument(
        "--model", choices=MODELS, default="lenet5", help=_("network to time (default lenet5)")
    )
    parser.add_argument(
        "--batch", type=int, default=64, metavar="N", help=_("images per step (default 64)")
    )
    parser.add_argument(
        "--steps", type=int, default=50, metavar="N", help=_("timed steps per run (default 50)")
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help=_("timed runs; the best is reported (default 3)"),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        metavar="N",
        help=(
            _(
                "CPU threads (default 1, as `cnntui train` uses; N of 2 or more splits convolutions,"
                " pooling and ReLU over N threads; 0 keeps the BLAS default, every core)"
            )
        ),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))


def run(args: argparse.Namespace) -> int:
    from cnntui.errors import UsageError

    device = getattr(args, "device", None) or os.environ.get("CNNTUI_DEVICE") or "auto"
    if device not in DEVICES:
        raise UsageError(
            _("unknown device {device!r}; choose one of {choices}").format(
                device=device, choices=", ".join(DEVICES)
            )
        )
    for option in ("batch", "steps", "repeat"):
        value = getattr(args, option)
        if value < 1:
            raise UsageError(
                _("--{option} must be at least 1, got {value}").format(option=option, value=value)
            )
    if args.batch > 65536:
        raise UsageError(_("--batch must be at most 65536, got {batch}").format(batch=args.batch))
    if args.threads is not None and not 0 <= args.threads <= 256:
        raise UsageError(
            _("--threads must be between 0 and 256, got {threads}").format(threads=args.threads)
        )

    from cnntui.bench import benchmark
    from cnntui.commands._output import print_json
    from cnntui.engine.backend import cpu_threads, get_backend
    from cnntui.train.engine_api import threads_scope

    backend = get_backend(device)
    # a BLAS library that cannot be told is left at its default, unless a count was asked for
    pinned = args.threads is not None and args.threads > 0 and not backend.is_gpu
    if pinned and cpu_threads() is None and args.threads != 1:
        raise UsageError(
            _("--threads: this NumPy's BLAS library does not allow setting its thread count")
        )
    try:
        # the engine's own threads (and one BLAS thread each) for the run, joined afterwards
        with (
            threads_scope(args.threads, *benchmark.network(args.model))
            if pinned
            else (nullcontext())
        ):
            result = benchmark.run(
                args.model, backend, batch=args.batch, steps=args.steps, repeats=args.repeat
            )
    except MemoryError:
        raise UsageError(
            _("--batch {batch} does not fit in memory; try a smaller batch").format(
                batch=args.batch
            )
        ) from None
    document = result.as_dict()
    if not backend.is_gpu:
        document["threads"] = args.threads if pinned else cpu_threads()
    if args.json:
        print_json(document)
        return 0
    memory = ""
    if backend.memory_total and backend.memory_free is not None:
        memory = _(", {free} of {total} GiB free").format(
            free=f"{backend.memory_free / 2**30:.1f}", total=f"{backend.memory_total / 2**30:.1f}"
        )
    from cnntui.cells import pad_cells

    print(
        _("cnntui bench: {model}, batch {batch}, {backend}: {device}{memory}").format(
            model=result.model,
            batch=result.batch,
            backend=backend.name,
            device=str(backend.device_text()),
            memory=memory,
        )
    )
    if backend.reason and device != "cpu":
        print("  " + _("GPU not used: {reason}").format(reason=Message(backend.reason)))
    rows = [
        (_("parameters"), f"{result.params:,}"),
        (
            _("training"),
            _("{rate} images/s  ({ms} ms/step)").format(
                rate=f"{result.train_images_per_s:,.0f}", ms=document["train_ms_per_step"]
            ),
        ),
        (
            _("inference"),
            _("{rate} images/s").format(rate=f"{result.infer_images_per_s:,.0f}"),
        ),
        (_("peak memory"), _("{mib} MiB resident").format(mib=document["peak_rss_mb"])),
    ]
    for label, value in rows:
        print(f"  {pad_cells(label, 15)} {value}")
    return 0
