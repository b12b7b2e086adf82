"""What the Train screen knows about each run it shows, and small text helpers its views share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunView:
    """What the screen knows about one live (or opened) run."""

    label: str
    runner: Any = None
    run_dir: Path | None = None
    steps_per_epoch: int = 1
    epochs: int = 0
    class_names: tuple[str, ...] = ()
    state: str = "starting"
    last_step: Any = None
    last_epoch: dict[str, float] = field(default_factory=dict)
    model: str = ""
    device: str = ""
    acc_ema: float | None = None
    download: str = ""


def class_name(names: tuple[str, ...], index: int) -> str:
    """The name of class `index`, or its number when the names are not known."""
    return names[index] if 0 <= index < len(names) else str(index)


def duration(seconds: float) -> str:
    """`42s`, `3:07` or `1:02:03`."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def status_line(runs: list[RunView], dot: str) -> str:
    """One line for the status bar: each run's state, epoch, step, loss and validation accuracy;
    for a single run also its learning rate, speed, time left and device."""
    parts = []
    for run in runs:
        step = run.last_step
        text = f"{run.label}: {run.state}"
        if step is None and run.download and run.state == "starting":
            text = f"{run.label}: {run.download}"
        if step is not None:
            loss = sum(step.losses) / len(step.losses)
            text += (
                f"{dot}epoch {step.epoch + 1}/{run.epochs} step {step.step}/{step.steps_per_epoch}"
                f"{dot}loss {loss:.3f}"
            )
            if run.last_epoch:
                text += f"{dot}val {run.last_epoch['val_acc']:.1%}"
            if len(runs) == 1:
                text += f"{dot}lr {step.lr:.3g}{dot}{step.images_per_s:,.0f} img/s"
                if step.eta_s is not None and run.state == "running":
                    text += f"{dot}ETA {duration(step.eta_s)}"
        parts.append(text)
    if len(runs) == 1 and runs[0].device:
        parts.append(runs[0].device.split(" (")[0])
    return " | ".join(parts)


def curves_info(runs: list[RunView], dot: str) -> str:
    """Device, memory, time and speed above the charts (the status line has no room)."""
    info = []
    for run in runs:
        step = run.last_step
        text = f"{run.label}: {run.device or 'starting'}"
        if " · " in run.model:  # --init and --freeze: say which weights and which are frozen
            text += dot + run.model.split(" · ", 1)[1].replace(" · ", dot)
        if step is not None:
            text += (
                f"{dot}{step.memory}{dot}{duration(step.elapsed_s)} elapsed"
                f"{dot}{step.images_per_s:,.0f} img/s"
            )
        info.append(text)
    return " | ".join(info)
