"""The one entry point behind `cnntui explain`: a network, an input, a method → one document.

`explain_module` takes any engine `Module` that runs its layers in sequence (a pretrained one, a
trained run's, or an imported one) and an already normalised input; `explain` resolves the
names the command line takes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnntui.errors import UsageError
from cnntui.explain.attribution import METHODS, attribution_map
from cnntui.explain.network import forward_trace, softmax
from cnntui.i18n import _

TOP_K = 5


def explain_module(
    module: Any,
    image: np.ndarray,
    class_names: tuple[str, ...] | list[str],
    *,
    method: str = "activations",
    layer: str | None = None,
    model: str = "",
) -> dict[str, Any]:
    """Explain `module`'s output on `image` `(C, H, W)` (normalised as its training data was).

    Returns `{"model", "input": {"height", "width", "channels"}, "prediction": {"label",
    "probability"}, "top": [{"label", "probability"}, …], "layers": [{"name", "shape", "min",
    "max", "mean"}, …]}` plus `"map"`, a list of H rows of W numbers, for `saliency`,
    `occlusion` and `gradcam`. `layer` restricts `layers` to one (activations) or picks the
    Grad-CAM layer; the other two methods take no layer.
    """
    if method not in METHODS:
        raise UsageError(
            _("unknown method {method}; choose one of {choices}").format(
                method=repr(method), choices=", ".join(METHODS)
            )
        )
    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 3:
        raise UsageError(
            _("the input must be one image (C, H, W), got shape {shape}").format(shape=x.shape)
        )
    trace = forward_trace(module, x)
    if layer is not None:
        trace.index(layer)  # a UsageError naming the layers when there is none of that name
        if method in ("saliency", "occlusion"):
            raise UsageError(
                _("{option} applies to activations and gradcam, not to {method}").format(
                    option="--layer", method=method
                )
            )
    if trace.logits.ndim != 1 or trace.logits.size != len(class_names):
        raise UsageError(
            _("the network gives {shape} outputs but {count} class names were given").format(
                shape=tuple(trace.logits.shape), count=len(class_names)
            )
        )
    probs = softmax(trace.logits)
    best = probs.top(1)[0]
    layers = trace.stats()
    if layer is not None and method == "activations":
        layers = [entry for entry in layers if entry["name"] == layer]
    doc: dict[str, Any] = {
        "model": model,
        "input": {"height": int(x.shape[1]), "width": int(x.shape[2]), "channels": int(x.shape[0])},
        "prediction": {
            "label": str(class_names[best]),
            "probability": float(probs.probabilities[best]),
        },
        "top": [
            {"label": str(class_names[i]), "probability": float(probs.probabilities[i])}
            for i in probs.top(min(TOP_K, len(class_names)))
        ],
        "layers": layers,
    }
    if method != "activations":
        heat = attribution_map(module, x, method, best, layer)
        doc["map"] = [[float(v) for v in row] for row in heat]
    return doc


def explain(
    model: str,
    image: str,
    *,
    method: str = "activations",
    layer: str | None = None,
    device: str = "cpu",
    mean: tuple[float, ...] = (0.0,),
    std: tuple[float, ...] = (1.0,),
) -> dict[str, Any]:
    """`explain_module` on a shipped pretrained network (or, for a FILE.onnx, `explain_onnx`
    with `mean` and `std`) and an IMAGE as `cnntui explain` takes it
    (a bundled image name, a file, or `DATASET:SPLIT:INDEX`)."""
    from cnntui.explain import pretrained
    from cnntui.explain.inputs import load_input

    if model.lower().endswith(".onnx"):
        return explain_onnx(
            model, image, method=method, layer=layer, device=device, mean=mean, std=std
        )
    net = pretrained.load(model)
    if method not in METHODS:
        raise UsageError(
            _("unknown method {method}; choose one of {choices}").format(
                method=repr(method), choices=", ".join(METHODS)
            )
        )
    picture = load_input(image, net.spec.dataset, net.input_shape, net.spec.samples)
    move_to_device(net.module, device)
    return explain_module(
        net.module,
        net.normalize(picture.pixels),
        net.class_names,
        method=method,
        layer=layer,
        model=net.spec.name,
    )


def explain_onnx(
    path: str,
    image: str,
    *,
    method: str = "activations",
    layer: str | None = None,
    device: str = "cpu",
    mean: tuple[float, ...] = (0.0,),
    std: tuple[float, ...] = (1.0,),
) -> dict[str, Any]:
    """`explain_module` on a network read from an ONNX file (`cnntui.explain.imported`), with an
    IMAGE scaled to its input size and to [0, 1], then `(x - mean) / std` per channel (the file
    does not say how its training data was normalised; one value applies to every channel). A
    plain stack of layers is explained layer by layer; a network with branches (residual,
    inception) as one block, so Grad-CAM needs a plain stack. Classes are numbered."""
    from cnntui.explain.imported import load_network
    from cnntui.explain.inputs import load_input

    net = load_network(path, mean, std)
    picture = load_input(image, net.spec.dataset, net.input_shape)
    move_to_device(net.module, device)
    return explain_module(
        net.module,
        net.normalize(picture.pixels),
        net.class_names,
        method=method,
        layer=layer,
        model=net.spec.title,
    )


def move_to_device(module: Any, device: str) -> str:
    """Put `module` on `device` (`cpu`, `gpu`, `auto`); returns the backend's name."""
    from cnntui.train import engine_api

    chosen = engine_api.backend(device)
    engine_api.move(module, chosen)
    return str(chosen.name)
