"""What the Train screen knows about each run it shows, and small text helpers its views share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from cnntui.i18n import N_, Text, _

STATE_LABELS = {
    "starting": N_("starting"),
    "running": N_("running"),
    "paused": N_("paused"),
    "finished": N_("finished"),
    "stopped": N_("stopped"),
    "failed": N_("failed"),
}
"""How the status line names each state of a run (the runner's own words are the keys)."""


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
    device: Text = ""
    """The runner's device line; a Message is read in the current language when drawn."""
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


def fit_line(runs_parts: list[list[tuple[int, str]]], dot: str, width: int) -> str:
    """Join each run's `(priority, text)` parts with `dot` and the runs with ` | `, leaving out
    the least important parts (highest priority number) until the line fits `width`.
    Priority 0 is always kept."""
    runs_parts = [list(parts) for parts in runs_parts]

    def joined() -> str:
        return " | ".join(dot.join(text for _, text in parts) for parts in runs_parts)

    while cell_len(joined()) > width:  # cells: Hangul takes two
        top = max((priority for parts in runs_parts for priority, _ in parts), default=0)
        if top == 0:
            break
        # The same kind of part goes from every run at once, so side-by-side runs stay alike.
        for parts in runs_parts:
            matching = [i for i, (priority, _) in enumerate(parts) if priority == top]
            if matching:
                del parts[matching[-1]]
    return joined()


def status_line(runs: list[RunView], dot: str, width: int = 1000) -> str:
    """One line of at most `width` characters for the status bar: each run's state, epoch, loss
    and validation accuracy, then (as room allows) its step, learning rate, speed, time left and
    device."""
    runs_parts: list[list[tuple[int, str]]] = []
    for number, run in enumerate(runs):
        step = run.last_step
        parts = [(0, f"{run.label}: {_(STATE_LABELS.get(run.state, run.state))}")]
        if step is None and run.download and run.state == "starting":
            parts = [(0, f"{run.label}: {run.download}")]
        if step is not None:
            loss = sum(step.losses) / len(step.losses)
            # side by side, the runs share their epoch: the second one's goes early
            epoch = _("epoch {done}/{total}").format(done=step.epoch + 1, total=run.epochs)
            parts.append((2 if number == 0 else 3, epoch))
            parts.append(
                (4, _("step {done}/{total}").format(done=step.step, total=step.steps_per_epoch))
            )
            parts.append((1, _("loss {value}").format(value=f"{loss:.3f}")))
            if run.last_epoch:
                val = f"{run.last_epoch['val_acc']:.1%}"
                parts.append((2, _("val {value}").format(value=val)))
            if len(runs) == 1:
                parts.append((5, _("lr {value}").format(value=f"{step.lr:.3g}")))
                parts.append((6, f"{step.images_per_s:,.0f} img/s"))
                if step.eta_s is not None and run.state == "running":
                    parts.append((3, _("ETA {time}").format(time=duration(step.eta_s))))
        if len(runs) == 1 and run.device:
            parts.append((7, str(run.device).split(" (")[0]))
        runs_parts.append(parts)
    return fit_line(runs_parts, dot, width)


def curves_info(runs: list[RunView], dot: str, width: int = 1000) -> str:
    """Device, memory, time and speed above the charts, at most `width` characters: the
    device's details (after its first parenthesis) go first when there is no room."""
    full: list[list[tuple[int, str]]] = []
    short: list[list[tuple[int, str]]] = []
    for run in runs:
        step = run.last_step
        device = str(run.device) if run.device else _("starting")
        brief = device.split(") (")[0] + (")" if ") (" in device else "")
        extra: list[tuple[int, str]] = []
        if " · " in run.model:  # --init and --freeze: say which weights and which are frozen
            extra.append((0, run.model.split(" · ", 1)[1].replace(" · ", dot)))
        if step is not None:
            extra += [
                (2, str(step.memory)),
                (3, _("{time} elapsed").format(time=duration(step.elapsed_s))),
                (4, f"{step.images_per_s:,.0f} img/s"),
            ]
        full.append([(0, f"{run.label}: {device}"), *extra])
        short.append([(0, f"{run.label}: {brief}"), *extra])
    line = fit_line(full, dot, width)
    if cell_len(line) <= width:
        return line
    return fit_line(short, dot, width)
