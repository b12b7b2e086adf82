"""A network the learner brings as an ONNX file, made ready for Explain (the TUI's view and
`cnntui explain FILE.onnx`): the counterpart of `cnntui.explain.pretrained.Pretrained`.

`load_network(path, mean, std)` reads the file with `cnntui.zoo.onnx_import.load_onnx` and
returns an `ImportedNetwork`, which has what the Explain view reads of a shipped network:
`spec.name` (the file's name), `spec.dataset`, `spec.samples`, `input_shape` `(C, H, W)`,
`module`, `class_names`, `normalize` and `denormalize`.

* A plain stack of layers (`Graph.as_chain()`) becomes an `nn.Sequential`, so every layer's maps
  are shown and Grad-CAM can pick a layer. A network with branches (residual, inception) stays
  one `Graph`: the view shows it as one block, and Grad-CAM is unavailable.
* A `Softmax` at the very end is left out: the Explain view computes the softmax of the scores
  itself (and saliency and Grad-CAM differentiate the scores, as their papers do).
* The file does not say how its training images were normalised: `mean` and `std` (one value
  for every channel, or one per channel) are the user's, default 0 and 1 (pixels in [0, 1]).
* Classes are numbered `0 … K-1`, unless the file's metadata names them (`class_names`,
  `classes` or `labels`: a JSON list of K names, or K names separated by commas or lines).
* Inputs: a 1×H×W square network gets the bundled digits' preparation (`dataset == "digits"`);
  any other image is scaled to the input's size and channels (`cnntui.explain.inputs`).

Pure: no Textual. Every problem is a `UsageError` whose one line names the file.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.errors import ShapeError, UsageError
from cnntui.explain.pretrained import NormalisedInput
from cnntui.i18n import _

MAX_MACS = 20_000_000_000
"""The largest network Explain runs (multiply-accumulates per image; VGG-19 at 224² is 19.6 G):
every key press runs the whole network on the CPU, and occlusion runs it a few hundred times."""

MAX_SIDE = 1024
"""The largest input height or width (the largest image `cnntui.images` reads)."""


@dataclass(frozen=True)
class ImportedSpec:
    """What Explain knows of an ONNX network.

    Attributes:
        name: the file's name (`mynet.onnx`), shown in the head line.
        path: the file, as opened.
        input_shape: `(C, H, W)` of one image (a dynamic batch axis is dropped by the import).
        dataset: `digits` when bundled digits fit (1×H×W, H == W), else `` (pictures scaled).
        plain: True for a plain stack of layers (shown layer by layer, Grad-CAM available).
        title: the graph's own name (or the file's stem), as `cnntui explain --json` reports.
        mean, std: the normalisation, one value per input channel.
    """

    name: str
    path: Path
    input_shape: tuple[int, int, int]
    dataset: str
    plain: bool
    title: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    samples: int | None = None
    """Data-set images are never generated for an imported network (`PretrainedSpec.samples`)."""

    @property
    def key(self) -> str:
        """The file's path as text: how the Explain view names this network in its cycle."""
        return str(self.path)


@dataclass
class ImportedNetwork(NormalisedInput):
    """A loaded ONNX network with everything needed to feed it and read its outputs.

    `module` is in eval mode; inputs are `(N, C, H, W)` float32 normalised as
    `(x - mean) / std` per channel, where x is in [0, 1].
    """

    spec: ImportedSpec
    module: Any
    mean: np.ndarray
    std: np.ndarray
    class_names: tuple[str, ...]
    test_acc: float = math.nan


def parse_numbers(text: str) -> tuple[float, ...]:
    """`0.5` or `0.485,0.456,0.406` as finite numbers (1 to 4 of them); UsageError otherwise."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or len(values) > 4 or not all(math.isfinite(v) for v in values):
        raise UsageError(
            _("{text!r} is not a number or numbers separated by commas").format(text=text)
        )
    return values


def normalisation(
    mean: tuple[float, ...], std: tuple[float, ...], channels: int, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """`mean` and `std` as `(channels,)` float32 arrays (one value applies to every channel);
    UsageError naming `label` when the counts do not fit or a std is not above 0."""
    if len(mean) not in (1, channels) or len(std) not in (1, channels) or min(std) <= 0:
        if channels == 1:
            raise UsageError(
                _("{name}: mean and std take one number each (std above 0)").format(name=label)
            )
        raise UsageError(
            _("{name}: mean and std take 1 or {channels} numbers (std above 0)").format(
                name=label, channels=channels
            )
        )
    full = np.ones(channels, dtype=np.float32)
    return full * np.asarray(mean, np.float32), full * np.asarray(std, np.float32)


def runnable_module(graph: Any) -> tuple[Any, bool]:
    """The module Explain runs for an imported `Graph`, and whether it is a plain stack.

    A chain becomes an `nn.Sequential` whose children keep the graph's layer names (dots made
    underscores); a final `Softmax` is left out of either form (see the module docstring).
    """
    from cnntui.engine import nn
    from cnntui.engine.graph import Graph, Softmax

    chain = graph.as_chain() if hasattr(graph, "as_chain") else None
    if chain is not None:
        if len(chain) > 1 and isinstance(chain[-1][1], Softmax):
            chain = chain[:-1]
        stack = nn.Sequential()
        for name, layer in chain:
            setattr(stack, name.replace(".", "_"), layer)
        return stack, True
    steps = list(getattr(graph, "steps", ()))
    if len(steps) > 1 and isinstance(graph, Graph) and steps[-1].output == graph.output:
        last = graph._modules[steps[-1].layer]
        if isinstance(last, Softmax):
            kept = [(step, graph._modules[step.layer]) for step in steps[:-1]]
            return Graph(kept, steps[-1].inputs[0]), False
    return graph, False


def load_network(
    path: str | os.PathLike[str],
    mean: tuple[float, ...] = (0.0,),
    std: tuple[float, ...] = (1.0,),
    max_macs: int = MAX_MACS,
) -> ImportedNetwork:
    """Read the ONNX file at `path` (a user's path: `cnntui.paths.check_user_path` applies) as a
    network Explain can show. UsageError, one line naming the file, for a missing or foreign
    file, an unsupported operator, no weights, an input that is not an image, an output that is
    not a vector of class scores, or a network over `max_macs`."""
    from cnntui.paths import check_user_path
    from cnntui.zoo.onnx_import import load_onnx
    from cnntui.zoo.summary import summarize

    file = check_user_path(path)
    label = file.name
    try:
        imported = load_onnx(file)
    except UsageError as exc:
        message = str(exc)
        raise UsageError(
            message
            if label in message
            else _("{name}: {problem}").format(name=label, problem=message)
        ) from None
    if imported.problem:
        raise UsageError(_("{name}: {problem}").format(name=label, problem=imported.problem))
    if not imported.has_weights:
        raise UsageError(
            _("{name} holds no weights: explaining needs a trained network").format(name=label)
        )
    shape = tuple(int(v) for v in imported.input_shape)
    if len(shape) != 3 or shape[0] not in (1, 3) or min(shape) < 1:
        raise UsageError(
            _("{name} takes {shape}, not an image (C, H, W) with 1 or 3 channels").format(
                name=label, shape=shape
            )
        )
    if max(shape[1:]) > MAX_SIDE:
        raise UsageError(
            _("{name} takes {shape}; Explain shows inputs up to {side}×{side}").format(
                name=label, shape=shape, side=MAX_SIDE
            )
        )
    image_shape = (shape[0], shape[1], shape[2])
    module, plain = runnable_module(imported.module)
    try:
        summary = summarize(module, image_shape, name=label)
    except ShapeError as exc:
        raise UsageError(_("{name}: {problem}").format(name=label, problem=exc)) from None
    out = tuple(int(v) for v in summary.output_shape)
    if len(out) != 1:
        raise UsageError(
            _("{name} gives {shape}; Explain needs a classifier's vector of class scores").format(
                name=label, shape=out
            )
        )
    if summary.total_macs > max_macs:
        raise UsageError(
            _("{name} needs {macs} multiply-adds per image; Explain runs up to {limit}").format(
                name=label, macs=f"{summary.total_macs:,}", limit=f"{max_macs:,}"
            )
        )
    mean_arr, std_arr = normalisation(mean, std, shape[0], label)
    module.eval()
    spec = ImportedSpec(
        name=label,
        path=file,
        input_shape=image_shape,
        dataset="digits" if shape[0] == 1 and shape[1] == shape[2] else "",
        plain=plain,
        title=imported.name,
        mean=tuple(float(v) for v in mean_arr),
        std=tuple(float(v) for v in std_arr),
    )
    names = class_names(imported.metadata, out[0])
    return ImportedNetwork(spec, module, mean_arr, std_arr, names)


CLASS_KEYS = ("class_names", "classes", "labels")
"""Metadata keys read for the class names, in this order."""


def class_names(metadata: dict[str, str], count: int) -> tuple[str, ...]:
    """The names of `count` outputs from an ONNX file's metadata (see the module docstring), or
    `0 … count-1` when it has none that fit."""
    import json

    for key in CLASS_KEYS:
        text = metadata.get(key, "").strip()
        if not text:
            continue
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text.replace("\n", ",").split(",")
        if isinstance(parsed, dict):  # {"0": "cat", ...}, as some exporters write
            parsed = [parsed.get(str(k)) for k in range(count)]
        if (
            isinstance(parsed, list)
            and len(parsed) == count
            and all(isinstance(v, str | int) and str(v).strip() for v in parsed)
        ):
            return tuple(" ".join(str(v).split()) for v in parsed)
    return tuple(str(k) for k in range(count))
