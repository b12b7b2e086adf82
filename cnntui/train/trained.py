"""Rebuild the network of a finished (or stopped) training run, with its trained weights.

A run folder (see `cnntui.train.checkpoint`) stores the settings and the model's arrays, not the
network itself: `load_trained(run_dir)` builds the same module the trainer built (the zoo model
or the spec copied into the folder, sized for the data set) and loads the checkpoint into it, so
the network can be summarised, explained or exported (`cnntui export onnx RUN_DIR`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnntui.errors import UsageError
from cnntui.i18n import _
from cnntui.train.checkpoint import RUN_FILE, CheckpointError, load_checkpoint
from cnntui.train.config import RunConfig
from cnntui.train.models import SPEC_COPY, BuiltModel, build_model, default_input_size, is_spec


def is_run_dir(target: str | Path) -> bool:
    """True when `target` is a folder with a `run.json` (a training run)."""
    path = Path(target)
    return path.is_dir() and (path / RUN_FILE).is_file()


def _classes(state: dict[str, np.ndarray], known: int) -> int:
    """The data set's class count, or (for an image folder) the size of the last layer's output."""
    if known:
        return known
    for key in reversed(list(state)):
        if key.endswith(("bias", "weight")) and state[key].ndim >= 1:
            return int(state[key].shape[0])
    raise UsageError(_("the checkpoint holds no layer whose output size gives the class count"))


def load_trained(run_dir: str | Path) -> BuiltModel:
    """The run's network with its checkpoint loaded; UsageError naming what is wrong otherwise.

    The returned `input_shape` is the per-sample shape the network was trained on.
    """
    from cnntui.data.registry import DATASETS

    folder = Path(run_dir)
    try:
        info, state, _optimizer = load_checkpoint(folder)
    except CheckpointError as exc:
        raise UsageError(str(exc)) from None
    config = RunConfig.from_dict(info.get("config", {}))
    dataset = DATASETS.get(config.dataset)
    if dataset is None:
        raise UsageError(
            _("{value} names an unknown data set {dataset!r}").format(
                value=folder / RUN_FILE, dataset=config.dataset
            )
        )
    spec_text = None
    if is_spec(config.model):
        try:
            spec_text = (folder / SPEC_COPY).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                _(
                    "{folder} trained a spec but its copy {SPEC_COPY} cannot be read: {value}"
                ).format(folder=folder, SPEC_COPY=SPEC_COPY, value=exc.strerror or exc)
            ) from None
    channels, height, _width = dataset.native_shape
    if not channels:  # an image folder: the first convolution says how many channels it read
        first = next((v for v in state.values() if v.ndim == 4), None)
        channels = int(first.shape[1]) if first is not None else 3
    native = (channels, height or 32, height or 32)
    size = config.input_size or default_input_size(config.model, config.dataset, native, spec_text)
    side = size or native[1]
    built = build_model(
        config.model, (channels, side, side), _classes(state, dataset.classes), spec_text
    )
    try:
        built.module.load_state_dict(state)
    except ValueError as exc:
        raise UsageError(
            _("the checkpoint in {folder} does not fit its network: {exc}").format(
                folder=folder, exc=exc
            )
        ) from None
    built.module.eval()
    return built
