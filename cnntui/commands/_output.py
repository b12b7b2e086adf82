"""Output helpers shared by the headless subcommands."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from cnntui.i18n import _


def print_json(document: Any) -> None:
    """Print exactly one strict JSON document on stdout (NumPy scalars and arrays converted).

    JSON has no NaN or infinity (Python's `NaN` and `Infinity` break most parsers): such a value
    is written as null, and a top-level object gains `"nonfinite": ["final.val_loss=NaN", …]`
    saying which values they were.
    """
    plain = json.loads(json.dumps(document, default=_default))  # NumPy and tuples -> plain
    cleaned, replaced = strict_json(plain)
    if replaced and isinstance(cleaned, dict):
        cleaned["nonfinite"] = replaced
    text = json.dumps(cleaned, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def strict_json(document: Any) -> tuple[Any, list[str]]:
    """A copy of `document` with every non-finite float replaced by None, and the paths
    (`final.val_loss=NaN`, `history[2].train_loss=infinite`) where that happened."""
    replaced: list[str] = []

    def clean(value: Any, path: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            replaced.append(f"{path or 'value'}={'NaN' if math.isnan(value) else 'infinite'}")
            return None
        if isinstance(value, dict):
            return {k: clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    return clean(document, ""), replaced


def _default(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def make_output_folder(path: Path, option: str) -> None:
    """Create the folder `path` the user named for output (fine if it exists).

    Only the folder itself: a missing folder above it is more likely a typo than a wish for a new
    tree, so that is a UsageError naming it, as is anything else that stops the creation.
    """
    from cnntui.errors import UsageError

    if path.is_dir():
        return
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(
            _("{option} {path}: {parent} is not an existing folder; create it first").format(
                option=option, path=path, parent=parent
            )
        )
    try:
        path.mkdir()
    except FileExistsError:
        raise UsageError(
            _("{option} {path} exists and is not a folder").format(option=option, path=path)
        ) from None
    except OSError as exc:
        raise UsageError(
            _("{option} {path}: cannot create it ({reason})").format(
                option=option, path=path, reason=exc.strerror or exc
            )
        ) from None
