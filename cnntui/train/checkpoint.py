"""Checkpoints: one `.npz` with the model and optimiser arrays, and `run.json` beside it.

A run folder holds

```
run.json                    settings, seed, progress, per-epoch metrics, RNG state, checkpoint name
checkpoint-e0003-s000120.npz  "model/<param>" and "optim/<key>" arrays (no pickle)
metrics.csv                 one row per finished epoch
```

Both files are written atomically (temporary file, fsync, rename), the `.npz` first and
`run.json` last, so `run.json` always names a complete checkpoint. Older checkpoint files are
removed only after the new `run.json` is in place. Loading never unpickles anything.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from cnntui import userfile
from cnntui.atomic import write_text_atomic
from cnntui.engine.module import save_npz_atomic
from cnntui.errors import CnnTuiError

FORMAT = "cnntui-run"
VERSION = 1
RUN_FILE = "run.json"
CSV_FILE = "metrics.csv"
CSV_COLUMNS = (
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "lr",
    "images_per_s",
    "elapsed_s",
)


class CheckpointError(CnnTuiError):
    """A run folder or checkpoint is missing, corrupt or does not match; the message says which."""


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    """Write `document` as indented JSON with a final newline, atomically (see `cnntui.atomic`)."""
    write_text_atomic(path, json.dumps(document, indent=1, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in run.json")


def save_checkpoint(
    run_dir: Path,
    model_state: dict[str, np.ndarray],
    optim_state: dict[str, np.ndarray],
    info: dict[str, Any],
) -> Path:
    """Write the arrays and `run.json` (`info` plus format fields); returns the `.npz` path."""
    epoch = int(info.get("epoch", 0))
    step = int(info.get("global_step", 0))
    name = f"checkpoint-e{epoch:04d}-s{step:07d}.npz"
    arrays = {f"model/{k}": v for k, v in model_state.items()}
    arrays.update({f"optim/{k}": v for k, v in optim_state.items()})
    path = run_dir / name
    run_dir.mkdir(parents=True, exist_ok=True)  # the run folder is cnntui's to make
    save_npz_atomic(path, arrays)
    document = {"format": FORMAT, "version": VERSION, **info, "checkpoint": name}
    write_json_atomic(run_dir / RUN_FILE, document)
    for old in run_dir.glob("checkpoint-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)
    write_metrics_csv(run_dir / CSV_FILE, info.get("history", []))
    return path


def read_run_info(run_dir: Path) -> dict[str, Any]:
    """The parsed `run.json` of a run folder; CheckpointError when missing or not ours."""
    path = run_dir / RUN_FILE
    try:
        document = json.loads(userfile.read_text(path, "run.json"))
    except FileNotFoundError:
        raise CheckpointError(f"{run_dir} is not a cnntui run folder (no {RUN_FILE})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} is corrupt ({exc}); the run cannot be resumed") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a cnntui run file")
    if document.get("version") != VERSION:
        raise CheckpointError(
            f"{path} has format version {document.get('version')}; this cnntui reads version {VERSION}"
        )
    return document


def load_checkpoint(
    run_dir: Path,
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """`(run info, model arrays, optimiser arrays)`; CheckpointError for anything damaged."""
    info = read_run_info(run_dir)
    name = info.get("checkpoint")
    if not isinstance(name, str) or "/" in name or not name.endswith(".npz"):
        raise CheckpointError(f"{run_dir / RUN_FILE} names no checkpoint file")
    path = run_dir / name
    model: dict[str, np.ndarray] = {}
    optim: dict[str, np.ndarray] = {}
    try:
        userfile.check_file(path, "checkpoint")
        with np.load(path, allow_pickle=False) as data:
            for key in data.files:
                if key.startswith("model/"):
                    model[key[6:]] = data[key]
                elif key.startswith("optim/"):
                    optim[key[6:]] = data[key]
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} is missing") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, io.UnsupportedOperation) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt ({exc})") from None
    if not model:
        raise CheckpointError(f"checkpoint {path} holds no model weights")
    return info, model, optim


def write_metrics_csv(path: Path, history: list[dict[str, Any]]) -> None:
    """One row per finished epoch, columns `CSV_COLUMNS` (written atomically)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in history:
        writer.writerow({k: row.get(k, "") for k in CSV_COLUMNS})
    write_text_atomic(path, buffer.getvalue())
