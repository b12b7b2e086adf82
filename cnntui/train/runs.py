"""Past runs on disk: where they live, listing them, deleting one.

Runs live in `$XDG_DATA_HOME/cnntui/runs/` (default `~/.local/share/cnntui/runs/`), one folder per
run named `YYYYmmdd-HHMMSS-MODEL-DATASET`, unless `--out DIR` put one elsewhere.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnntui.train.checkpoint import RUN_FILE, CheckpointError, read_run_info


def runs_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cnntui" / "runs"


def new_run_dir(model: str, dataset: str, root: Path | None = None) -> Path:
    """A fresh, not yet existing folder for a run (created here)."""
    root = root or runs_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = Path(model).stem if model.lower().endswith(".toml") or "/" in model else model
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{name}-{dataset}")
    for n in range(1000):
        path = root / (f"{stamp}-{safe}" if n == 0 else f"{stamp}-{safe}-{n}")
        try:
            path.mkdir(parents=True, exist_ok=False)
            return path
        except FileExistsError:
            continue
    raise OSError(f"cannot create a run folder in {root}")


@dataclass(frozen=True)
class RunRecord:
    """One past run, as the runs list shows it."""

    path: Path
    model: str
    dataset: str
    epochs_done: int
    epochs: int
    finished: bool
    val_acc: float | None
    test_acc: float | None
    updated: str
    info: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> str:
        if self.finished:
            return "finished"
        return f"stopped at {self.epochs_done}/{self.epochs}"


def list_runs(root: Path | None = None, problems: list[str] | None = None) -> list[RunRecord]:
    """Every readable run under `root`, newest first.

    A folder whose run.json cannot be used (damaged, or a field of the wrong type) is skipped;
    when `problems` is given, a one-line notice for each such folder is appended to it.
    """
    root = root or runs_dir()
    if not root.is_dir():
        return []
    records: list[RunRecord] = []
    for folder in root.iterdir():
        if not (folder / RUN_FILE).is_file():
            continue
        try:
            info = read_run_info(folder)
        except CheckpointError as exc:
            if problems is not None:
                problems.append(f"skipped {folder.name}: {exc}")
            continue
        config = info.get("config") or {}
        history = info.get("history") or []
        last = history[-1] if history else {}
        test = info.get("test") or {}
        records.append(
            RunRecord(
                path=folder,
                model=str(info.get("model_name") or config.get("model", "?")),
                dataset=str(config.get("dataset", "?")),
                epochs_done=int(info.get("epoch", 0)),
                epochs=int(config.get("epochs", 0)),
                finished=bool(info.get("finished")),
                val_acc=_float_or_none(last.get("val_acc")),
                test_acc=_float_or_none(test.get("test_acc")),
                updated=str(info.get("updated", "")),
                info=info,
            )
        )
    records.sort(key=lambda r: (r.updated, r.name), reverse=True)
    return records


def _float_or_none(value: Any) -> float | None:
    """A finite accuracy, or None (absent, null, or NaN from a run that diverged)."""
    if value is None:
        return None
    number = float(value)  # check_run_info made sure it is a number
    return number if math.isfinite(number) else None


def delete_run(path: Path, root: Path | None = None) -> None:
    """Remove a run folder; refuses anything that is not a run folder."""
    if not (path / RUN_FILE).is_file() and not any(path.glob("checkpoint-*.npz")):
        raise CheckpointError(f"{path} is not a run folder; nothing deleted")
    shutil.rmtree(path)
