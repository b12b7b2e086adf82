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
from cnntui.i18n import N_, _

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
        raise CheckpointError(
            _("{run_dir} is not a cnntui run folder (no {file})").format(
                run_dir=run_dir, file=RUN_FILE
            )
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(
            _("{path} is corrupt ({exc}); the run cannot be resumed").format(path=path, exc=exc)
        ) from None
    except RecursionError:  # JSON nested thousands deep: not one cnntui wrote
        raise CheckpointError(
            _("{path} is corrupt (nested too deeply)").format(path=path)
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(_("{path} is not a cnntui run file").format(path=path))
    if document.get("version") != VERSION:
        raise CheckpointError(
            _("{path} has format version {value}; this cnntui reads version {version}").format(
                path=path, value=document.get("version"), version=VERSION
            )
        )
    check_run_info(document, path)
    return document


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _metrics(value: Any) -> bool:
    """A table of named numbers (or nulls): one history row, or the test results."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or _is_number(v)) for k, v in value.items()
    )


_RUN_FIELDS: dict[str, tuple[Any, str, bool]] = {
    "config": (lambda v: isinstance(v, dict), N_("a table of run settings"), True),
    "checkpoint": (lambda v: isinstance(v, str), N_("a file name"), True),
    "epoch": (_is_int, N_("a whole number"), True),
    "global_step": (_is_int, N_("a whole number"), False),
    "model_name": (lambda v: isinstance(v, str), N_("a text"), False),
    "finished": (lambda v: isinstance(v, bool), N_("true or false"), False),
    "updated": (lambda v: isinstance(v, str), N_("a text"), False),
    "history": (
        lambda v: isinstance(v, list) and all(_metrics(row) for row in v),
        N_("a list of tables of numbers"),
        False,
    ),
    "test": (lambda v: v is None or _metrics(v), N_("a table of numbers or null"), False),
    "base_lr": (_is_number, N_("a number"), False),
    "elapsed_s": (_is_number, N_("a number"), False),
    "train_time_s": (_is_number, N_("a number"), False),
    "train_images": (_is_int, N_("a whole number"), False),
    "progress": (
        lambda v: (
            isinstance(v, dict)
            and all(_is_int(v.get(k)) for k in ("epoch", "global_step", "correct", "seen", "step"))
            and _is_number(v.get("loss_sum"))
        ),
        N_("a table of whole numbers (epoch, global_step, correct, seen, step) and loss_sum"),
        False,
    ),
}
"""run.json's fields that listing and resuming read: check, what it must be, required."""


def check_run_info(document: dict[str, Any], path: Path) -> None:
    """CheckpointError naming the first field of a parsed run.json with the wrong type.

    JSON that parses can still hold `"epoch": "three"` or `"config": []`; every reader of run
    folders (the runs list, `--list-runs`, resuming) goes through here first, so none of them
    meets a value it cannot use.
    """
    from cnntui.errors import UsageError
    from cnntui.train.config import RunConfig

    for name, (valid, what, required) in _RUN_FIELDS.items():
        if name not in document:
            if required:
                raise CheckpointError(
                    _("{path}: the field {name!r} is missing").format(path=path, name=name)
                )
            continue
        if not valid(document[name]):
            found = type(document[name]).__name__
            raise CheckpointError(
                _("{path}: the field {name!r} must be {what}, not a {found}").format(
                    path=path, name=name, what=_(what), found=found
                )
            )
    try:
        RunConfig.from_dict(document["config"])
    except UsageError as exc:
        raise CheckpointError(
            _("{path}: the field 'config' is invalid ({exc})").format(path=path, exc=exc)
        ) from None


def load_checkpoint(
    run_dir: Path,
) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """`(run info, model arrays, optimiser arrays)`; CheckpointError for anything damaged."""
    info = read_run_info(run_dir)
    name = info.get("checkpoint")
    if not isinstance(name, str) or "/" in name or not name.endswith(".npz"):
        raise CheckpointError(
            _("{value} names no checkpoint file").format(value=run_dir / RUN_FILE)
        )
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
        raise CheckpointError(_("checkpoint {path} is missing").format(path=path)) from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, io.UnsupportedOperation) as exc:
        raise CheckpointError(
            _("checkpoint {path} is corrupt ({exc})").format(path=path, exc=exc)
        ) from None
    if not model:
        raise CheckpointError(_("checkpoint {path} holds no model weights").format(path=path))
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
