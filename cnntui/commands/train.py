"""`cnntui train MODEL --dataset NAME`: train a network headlessly, with checkpoints.

On a terminal a Rich progress bar shows live metrics; with `--json` exactly one document is
printed at the end; otherwise one plain line per epoch. Ctrl-C, SIGTERM and SIGHUP write a
checkpoint before exiting; `--resume DIR` continues from it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cnntui.helpformat import CellRawDescriptionHelpFormatter
from cnntui.i18n import N_, _, english, error_text

NAME = "train"
HELP = N_(
    "train a small CNN (LeNet-5, TinyVGG, ResNet) on digits, shapes, MNIST, CIFAR-10 or a folder"
)

EXAMPLES = """  cnntui train lenet5 --dataset digits
  cnntui train lenet5 --dataset mnist --download --epochs 3
  cnntui train resnet-small --dataset cifar10 --data-dir ~/data --device gpu
  cnntui train lenet5 --dataset digits --json --csv metrics.csv
  cnntui train my-net.toml --dataset digits --input-size 16
  cnntui train --resume ~/.local/share/cnntui/runs/20260101-120000-lenet5-digits
  cnntui train --list-runs"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cnntui.train.choices import DATASETS, DEVICES, MODELS, OPTIMIZERS, SCHEDULES
    from cnntui.train.config import RunConfig

    d = RunConfig()
    parser.epilog = _("examples:") + "\n" + EXAMPLES
    parser.formatter_class = CellRawDescriptionHelpFormatter
    parser.add_argument(
        "model",
        nargs="?",
        help=_(
            "a zoo model: {models}, … (see 'cnntui models'), or a TOML spec file whose input "
            "matches the data"
        ).format(models=", ".join(MODELS)),
    )
    parser.add_argument(
        "--dataset",
        default=None,
        metavar="NAME",
        help=_("{first} (bundled, default), {middle} or {last}").format(
            first=DATASETS[0], middle=", ".join(DATASETS[1:-1]), last=DATASETS[-1]
        ),
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        metavar="N",
        help=_("passes over the training set (default {epochs})").format(epochs=d.epochs),
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="B",
        help=_("images per step (default {batch})").format(batch=d.batch_size),
    )
    parser.add_argument(
        "--lr",
        type=float,
        default=None,
        metavar="LR",
        help=_("learning rate (default {lr}; 0.01 for tinyvgg and lenet5-1998)").format(lr=d.lr),
    )
    parser.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default=None,
        help=_("default {optimizer}").format(optimizer=d.optimizer),
    )
    parser.add_argument(
        "--momentum",
        type=float,
        default=None,
        metavar="M",
        help=_("SGD momentum (default {momentum})").format(momentum=d.momentum),
    )
    parser.add_argument(
        "--weight-decay",
        type=float,
        default=None,
        metavar="W",
        help=_("L2 penalty (default {decay})").format(decay=d.weight_decay),
    )
    parser.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default=None,
        help=_("learning-rate schedule (default {schedule})").format(schedule=d.lr_schedule),
    )
    parser.add_argument(
        "--device",
        choices=DEVICES,
        default=None,
        help=_("auto (the GPU when it works), cpu or gpu (default: CNNTUI_DEVICE, else auto)"),
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help=_(
            "CPU threads (default 1; N of 2 or more splits convolutions, pooling and ReLU over N"
            " threads, reproducible at a given N; 0: the BLAS default)"
        ),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="S",
        help=_("random seed (default {seed})").format(seed=d.seed),
    )
    parser.add_argument(
        "--init",
        default=None,
        metavar="PRETRAINED|RUN_DIR",
        help=_("start from trained weights: a pretrained network (cnntui models) or a run folder"),
    )
    parser.add_argument(
        "--freeze",
        default=None,
        metavar="LAYER[,LAYER...]",
        help=_("layers whose weights get no updates, e.g. c1,c3 (transfer learning)"),
    )
    parser.add_argument(
        "--input-size",
        type=int,
        default=None,
        metavar="PX",
        help=_("resize images to PX×PX (default: what the model needs; 28 for lenet5 on digits)"),
    )
    parser.add_argument(
        "--augment",
        default=None,
        metavar="SPEC",
        help=_(
            "auto (default: small random shifts, plus flips for cifar10), none, shift:N, flip, or e.g. shift:2,flip"
        ),
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=None,
        metavar="N",
        help=_("how many images shapes generates (default 6000)"),
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help=_("train on the first N training images only"),
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help=_("where mnist/fashion-mnist/cifar10/folder files are"),
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help=_("download a missing data set into the cache (verified by SHA-256)"),
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help=_("run folder for checkpoints (default: a new one under the runs folder)"),
    )
    parser.add_argument(
        "--resume",
        default=None,
        metavar="DIR",
        help=_("continue the run saved in DIR (--epochs may extend it)"),
    )
    parser.add_argument(
        "--csv",
        default=None,
        metavar="FILE",
        help=_("also write the per-epoch metrics as CSV to FILE ('-' for stdout)"),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=_("print one JSON document at the end instead of progress"),
    )
    parser.add_argument("--list-runs", action="store_true", help=_("list past runs and exit"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnntui.commands._output import make_output_folder
    from cnntui.data import DatasetError
    from cnntui.errors import UsageError
    from cnntui.train.checkpoint import CheckpointError
    from cnntui.train.runs import list_runs, new_run_dir

    if args.list_runs:
        skipped: list[str] = []
        records = list_runs(problems=skipped)
        for notice in skipped:
            print(f"cnntui train: {notice}", file=sys.stderr)
        return _list_runs(args, records)
    if args.json and args.csv == "-":
        raise UsageError(_("--csv - and --json both write to stdout; give --csv a file name"))
    if args.csv and args.csv != "-":
        folder = Path(args.csv).expanduser().parent
        if not folder.is_dir():  # say so now, not after the training it would record
            raise UsageError(
                _("--csv {csv}: the folder {folder} does not exist").format(
                    csv=args.csv, folder=folder
                )
            )
    config, overrides = _config_from_args(args)
    run_dir: Path | None
    if args.resume:
        run_dir = Path(args.resume).expanduser()
        if not (run_dir / "run.json").is_file():
            raise UsageError(
                _("--resume {run_dir}: not a run folder (no run.json)").format(run_dir=run_dir)
            )
    else:
        run_dir = Path(args.out).expanduser() if args.out else None
        if run_dir is not None and (run_dir / "run.json").is_file():
            raise UsageError(
                _(
                    "--out {run_dir} already holds a run; use --resume {run_dir} to continue it"
                ).format(run_dir=run_dir)
            )
    try:
        from cnntui.train.trainer import Trainer, TrainingError

        reporter = _make_reporter(args)
        if run_dir is None:
            run_dir = new_run_dir(config.model, config.dataset)
            created = True
        else:
            created = not run_dir.exists()
            make_output_folder(run_dir, "--resume" if args.resume else "--out")
        try:
            trainer = Trainer(
                config,
                run_dir,
                reporter.on_event,
                resume=bool(args.resume),
                overrides=overrides,
                data_progress=reporter.on_download,
            )
        except BaseException:
            if created and not any(run_dir.iterdir()):
                run_dir.rmdir()
            raise
        with _StopOnSignals(trainer) as stopper:
            reporter.begin(trainer)
            try:
                summary = trainer.run()
            except TrainingError as exc:
                reporter.end()
                print(
                    _("{name}: error: {message}").format(name="cnntui train", message=exc),
                    file=sys.stderr,
                )
                if args.json:  # still one document: how far the run got, and why it stopped
                    from cnntui.commands._output import print_json

                    document = trainer.summary(final=False)
                    print_json({**document, "error": english(error_text(exc))})
                return 1
            reporter.end()
    except (DatasetError, CheckpointError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    _write_csv(args.csv, summary["history"])
    if args.json:
        from cnntui.commands._output import print_json

        print_json(summary)
    else:
        reporter.final(summary)
    if stopper.signum is not None:
        if not args.json:
            print(
                _("interrupted: checkpoint saved; continue with: {command}").format(
                    command=f"cnntui train --resume {run_dir}"
                ),
                file=sys.stderr,
            )
        return 128 + stopper.signum
    return 0


def _config_from_args(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """`(RunConfig for a new run or None when resuming, overrides for a resumed run)`."""
    import os

    from cnntui.errors import UsageError
    from cnntui.train.config import RunConfig
    from cnntui.train.trainer import RESUME_OVERRIDES

    mapping = {
        "model": args.model,
        "dataset": args.dataset,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "optimizer": args.optimizer,
        "momentum": args.momentum,
        "weight_decay": args.weight_decay,
        "lr_schedule": args.schedule,
        "device": args.device,
        "seed": args.seed,
        "input_size": args.input_size,
        "augment": args.augment,
        "data_dir": args.data_dir,
        "download": args.download or None,
        "samples": args.samples,
        "limit": args.limit,
        "threads": args.threads,
        "init": args.init,
        "freeze": args.freeze,
    }
    values = {k: v for k, v in mapping.items() if v is not None}
    env_device = os.environ.get("CNNTUI_DEVICE", "").strip().lower()
    if "device" not in values and not args.resume and env_device in ("auto", "cpu", "gpu"):
        values["device"] = env_device
    if args.resume:
        extra = [k for k in values if k not in RESUME_OVERRIDES]
        if extra:
            raise UsageError(
                _(
                    "--resume continues a run with its saved settings; only --epochs, --data-dir, --download, --device and --threads may be given (not {options})"
                ).format(options=", ".join("--" + e.replace("_", "-") for e in extra))
            )
        return None, values
    if args.model is None:
        raise UsageError(
            _("give a MODEL (e.g. lenet5) or --resume DIR; 'cnntui models' lists models")
        )
    values.setdefault("dataset", "digits")
    if "lr" not in values and values.get("optimizer", "sgd") == "sgd":
        from cnntui.train.models import recommended_lr

        values["lr"] = recommended_lr(args.model, RunConfig().lr)
    return RunConfig(**values).validated(), {}


def _write_csv(target: str | None, history: list[dict[str, Any]]) -> None:
    if not target:
        return
    import csv

    from cnntui.train.checkpoint import CSV_COLUMNS

    if target == "-":
        writer = csv.DictWriter(
            sys.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(history)
        return
    import io
    from pathlib import Path

    from cnntui.atomic import write_text_atomic
    from cnntui.errors import UsageError

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(history)
    try:
        write_text_atomic(Path(target).expanduser(), buffer.getvalue())
    except OSError as exc:
        raise UsageError(
            _("--csv {target}: {reason}").format(target=target, reason=exc.strerror or exc)
        ) from None


def _list_runs(args: argparse.Namespace, records: list[Any]) -> int:
    if args.json:
        from cnntui.commands._output import print_json

        print_json(
            [
                {
                    "run": str(r.path),
                    "model": r.model,
                    "dataset": r.dataset,
                    "epochs_done": r.epochs_done,
                    "epochs": r.epochs,
                    "finished": r.finished,
                    "val_acc": r.val_acc,
                    "test_acc": r.test_acc,
                    "updated": r.updated,
                }
                for r in records
            ]
        )
        return 0
    if not records:
        from cnntui.train.runs import runs_dir

        print(_("no runs yet in {folder}").format(folder=runs_dir()))
        return 0
    for r in records:
        acc = (
            _("test {accuracy}").format(accuracy=f"{r.test_acc:.2%}")
            if r.test_acc is not None
            else (
                _("val {accuracy}").format(accuracy=f"{r.val_acc:.2%}")
                if r.val_acc is not None
                else "-"
            )
        )
        print(
            _("{path}  {model} on {dataset}  {status}  {accuracy}").format(
                path=r.path, model=r.model, dataset=r.dataset, status=r.status, accuracy=acc
            )
        )
    return 0


class _StopOnSignals:
    """While active, SIGINT/SIGTERM/SIGHUP ask the trainer to checkpoint and stop."""

    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignals:
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # a second signal: give up waiting for the step
        self.signum = signum
        self.trainer.stop_reason = "signal"

    def __exit__(self, *exc: object) -> None:
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _make_reporter(args: argparse.Namespace) -> Any:
    if args.json:
        return _Reporter()
    if sys.stdout.isatty():
        return _RichReporter()
    return _PlainReporter()


class _Reporter:
    """Silent reporter (for --json)."""

    def begin(self, trainer: Any) -> None: ...
    def on_event(self, event: Any) -> None: ...
    def on_download(self, label: str, done: int, total: int | None) -> None: ...
    def end(self) -> None: ...
    def final(self, summary: dict[str, Any]) -> None: ...


def _epoch_line(m: dict[str, Any]) -> str:
    line = _(
        "epoch {epoch}  train loss {train_loss} acc {train_acc}  "
        "val loss {val_loss} acc {val_acc}  lr {lr}  {rate} img/s"
    )
    return line.format(
        epoch=f"{m['epoch']:>3}",
        train_loss=f"{m['train_loss']:.4f}",
        train_acc=f"{m['train_acc']:.2%}",
        val_loss=f"{m['val_loss']:.4f}",
        val_acc=f"{m['val_acc']:.2%}",
        lr=f"{m['lr']:.3g}",
        rate=f"{m['images_per_s']:,.0f}",
    )


def _final_line(summary: dict[str, Any]) -> str:
    final = summary["final"]
    if final.get("test_acc") is None:
        return _("stopped after {epochs} epochs; checkpoint in {path}").format(
            epochs=summary["epochs"], path=summary["checkpoint"]
        )
    line = _(
        "test loss {loss}  test accuracy {accuracy}  ({seconds} s, {rate} img/s)  "
        "run saved in {path}"
    )
    return line.format(
        loss=f"{final['test_loss']:.4f}",
        accuracy=f"{final['test_acc']:.2%}",
        seconds=f"{summary['elapsed_s']:.1f}",
        rate=f"{summary['images_per_s']:,.0f}",
        path=summary["checkpoint"],
    )


class _PlainReporter(_Reporter):
    def begin(self, trainer: Any) -> None:
        print(
            _("training {model} on {dataset} ({splits}) on {backend}").format(
                model=trainer.model_name,
                dataset=trainer.config.dataset,
                splits=trainer.splits.description,
                backend=str(trainer.backend.describe_text()),
            ),
            flush=True,
        )

    def on_event(self, event: Any) -> None:
        from cnntui.train.events import EpochEnd

        if isinstance(event, EpochEnd):
            print(_epoch_line(event.metrics), flush=True)

    def final(self, summary: dict[str, Any]) -> None:
        print(_final_line(summary), flush=True)


class _RichReporter(_Reporter):
    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console()
        self.progress: Any = None
        self.task: Any = None
        self.download_task: Any = None

    def on_download(self, label: str, done: int, total: int | None) -> None:
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        if self.progress is None:
            self.progress = Progress(
                *Progress.get_default_columns(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=self.console,
                transient=True,
            )
            self.progress.start()
        if (
            self.download_task is None
            or self.progress.tasks[self.download_task].description != label
        ):
            self.download_task = self.progress.add_task(label, total=total)
        self.progress.update(self.download_task, completed=done, total=total)

    def begin(self, trainer: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if self.progress is not None:
            self.progress.stop()
        from rich.markup import escape

        heading = _("[bold]{title}[/] ({model}) on [bold]{dataset}[/] — {splits}; {backend}")
        self.console.print(
            heading.format(
                title=escape(trainer.model_title),
                model=escape(trainer.model_name),
                dataset=escape(trainer.config.dataset),
                splits=escape(trainer.splits.description),
                backend=escape(str(trainer.backend.describe_text())),
            )
        )
        self.progress = Progress(
            TextColumn(_("epoch") + " {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(_("loss") + " {task.fields[loss]}  {task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
        )
        total = trainer.config.epochs * trainer.steps_per_epoch
        done = trainer.epoch * trainer.steps_per_epoch + trainer.acc.step
        self.task = self.progress.add_task(
            "train",
            total=total,
            completed=done,
            epoch=f"{trainer.epoch + 1}/{trainer.config.epochs}",
            loss="-",
            rate="",
        )
        self.progress.start()

    def on_event(self, event: Any) -> None:
        from cnntui.train.events import EpochEnd, StepProgress

        if self.progress is None or self.task is None:
            return
        if isinstance(event, StepProgress):
            loss = sum(event.losses) / len(event.losses)
            total_epochs = (
                self.progress.tasks[0].total // event.steps_per_epoch
                if event.steps_per_epoch
                else 0
            )
            self.progress.update(
                self.task,
                completed=event.epoch * event.steps_per_epoch + event.step,
                epoch=f"{event.epoch + 1}/{total_epochs}",
                loss=f"{loss:.4f}",
                rate=f"{event.images_per_s:,.0f} img/s",
            )
        elif isinstance(event, EpochEnd):
            self.progress.console.print(_epoch_line(event.metrics))

    def end(self) -> None:
        if self.progress is not None:
            self.progress.stop()

    def final(self, summary: dict[str, Any]) -> None:
        self.console.print(_final_line(summary))
