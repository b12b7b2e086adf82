"""Where a network looks: gradient saliency, occlusion and Grad-CAM, each an `(H, W)` map over
the input, computed with the engine's own forward and backward passes.

What each shows, and what it does not (`EXPLANATIONS` holds the short version the UI prints):

* saliency (Simonyan et al., 2014): |∂ logit / ∂ pixel|, the largest over channels. Which
  pixels would change the class score most if nudged a little — a local, first-order view; it is
  noisy, and says nothing about what a large change (removing a stroke) would do.
* occlusion (Zeiler & Fergus, 2014): cover a square with the mean pixel and measure how much the
  probability of the class drops; each pixel gets the mean drop over the squares that cover it.
  Shows what the decision needs, at the square's resolution; slow, and blind to evidence that is
  spread out (no single square removes it).
* Grad-CAM (Selvaraju et al., 2017): weights each map of a late convolutional layer by the mean
  gradient of the class score over it, sums, keeps the positive part and resizes it to the input.
  Coarse (that layer's resolution) and class-discriminative; it shows where, not which pixels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnntui.data.transforms import resize_bilinear
from cnntui.engine.backend import to_host
from cnntui.errors import UsageError
from cnntui.explain.network import ForwardTrace, backward_from, forward_trace, layer_kind, softmax
from cnntui.i18n import N_, _

METHODS = ("activations", "saliency", "occlusion", "gradcam")

EXPLANATIONS = {
    # English here (the JSON reports keep it); `_(EXPLANATIONS[m])` where it is shown.
    "activations": N_("Each layer's output maps for this input: bright = strongly active."),
    "saliency": N_(
        "|d score / d pixel|: pixels where a small change moves the class score most. "
        "Local and noisy; it does not say what removing a stroke would do."
    ),
    "occlusion": N_(
        "Drop in the class probability when a square around each pixel is covered. "
        "Shows what the decision needs; blind to evidence spread over many squares."
    ),
    "gradcam": N_(
        "A late conv layer's maps weighted by the mean gradient of the class score, "
        "positive part, resized. Says where, coarsely; not which pixels."
    ),
}


def _one_hot(size: int, target: int) -> np.ndarray:
    grad = np.zeros(size, dtype=np.float32)
    grad[target] = 1.0
    return grad


def saliency(module: Any, image: np.ndarray, target: int | None = None) -> np.ndarray:
    """`max_c |∂ logit_target / ∂ image[c]|`, shape `(H, W)` (target: the predicted class)."""
    trace = forward_trace(module, image)
    target = int(np.argmax(trace.logits)) if target is None else target
    _at_layer, grad_input = backward_from(trace, _one_hot(trace.logits.size, target))
    return np.abs(grad_input).max(axis=0)


def default_cam_layer(trace: ForwardTrace) -> int:
    """The layer Grad-CAM uses by default: the last one with spatial output that is not a pool
    (the last convolution's ReLU in LeNet-5 and TinyVGG), so its maps keep the most resolution."""
    candidates = [
        i
        for i, out in enumerate(trace.outputs)
        if out.ndim == 3 and layer_kind(trace.layers[i]) in ("conv", "relu")
    ]
    if not candidates:
        raise UsageError(_("Grad-CAM needs a convolutional layer; this network has none"))
    return candidates[-1]


def gradcam_coarse(
    module: Any, image: np.ndarray, target: int | None = None, layer: str | None = None
) -> tuple[np.ndarray, str]:
    """Grad-CAM at the chosen layer's resolution `(h, w)`, and that layer's name."""
    trace = forward_trace(module, image)
    index = default_cam_layer(trace) if layer is None else trace.index(layer)
    maps = trace.outputs[index]
    if maps.ndim != 3:
        raise UsageError(
            _("Grad-CAM needs a layer with spatial maps; {name} gives {shape}").format(
                name=trace.names[index], shape=maps.shape
            )
        )
    target = int(np.argmax(trace.logits)) if target is None else target
    grad, _input_grad = backward_from(trace, _one_hot(trace.logits.size, target), stop_at=index)
    weights = grad.mean(axis=(1, 2))  # α_k: the mean gradient over each map
    cam = np.maximum((weights[:, None, None] * maps).sum(axis=0), 0.0)
    return cam.astype(np.float32), trace.names[index]


def gradcam(
    module: Any, image: np.ndarray, target: int | None = None, layer: str | None = None
) -> np.ndarray:
    """Grad-CAM resized to the input's `(H, W)` with bilinear interpolation (pixel centres, as
    `torch.nn.functional.interpolate(mode="bilinear", align_corners=False)`)."""
    cam, _layer = gradcam_coarse(module, image, target, layer)
    _channels, height, width = np.asarray(image).shape
    return resize_bilinear(cam[None, None], (height, width))[0, 0]


def occlusion_geometry(height: int, width: int) -> tuple[int, int]:
    """The default square side and stride: about a fifth of the image, moved a third of that."""
    size = max(2, round(min(height, width) / 5))
    return size, max(1, size // 3)


def occlusion(
    module: Any,
    image: np.ndarray,
    target: int | None = None,
    size: int | None = None,
    stride: int | None = None,
    fill: float = 0.0,
    batch: int = 64,
) -> np.ndarray:
    """Mean drop of P(target) when a `size`² square covering each pixel is set to `fill` (0 is
    the mean pixel of normalised data), shape `(H, W)`; pixels no square covers get 0."""
    x = np.asarray(image, dtype=np.float32)
    channels, height, width = x.shape
    default_size, default_stride = occlusion_geometry(height, width)
    size = default_size if size is None else size
    stride = default_stride if stride is None else stride
    if not (1 <= size <= min(height, width) and stride >= 1):
        raise UsageError(
            _("occlusion needs 1 <= size <= {limit} and stride >= 1").format(
                limit=min(height, width)
            )
        )
    base = softmax(forward_trace(module, x).logits)
    target = int(np.argmax(base.probabilities)) if target is None else target
    tops = list(range(0, height - size + 1, stride))
    lefts = list(range(0, width - size + 1, stride))
    if tops[-1] != height - size:
        tops.append(height - size)
    if lefts[-1] != width - size:
        lefts.append(width - size)
    places = [(t, l) for t in tops for l in lefts]
    drops = np.zeros((height, width), dtype=np.float64)
    counts = np.zeros((height, width), dtype=np.float64)
    module.eval()
    for start in range(0, len(places), batch):
        chunk = places[start : start + batch]
        covered = np.repeat(x[None], len(chunk), axis=0)
        for n, (t, l) in enumerate(chunk):
            covered[n, :, t : t + size, l : l + size] = fill
        logits = to_host(module(_to_module(module, covered))).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        for n, (t, l) in enumerate(chunk):
            drops[t : t + size, l : l + size] += base.probabilities[target] - probs[n, target]
            counts[t : t + size, l : l + size] += 1
    del channels
    return np.where(counts > 0, drops / np.maximum(counts, 1), 0.0).astype(np.float32)


def _to_module(module: Any, x: np.ndarray) -> Any:
    for p in module.parameters():
        return p.xp.asarray(x) if p.xp is not np else x
    return x


def attribution_map(
    module: Any,
    image: np.ndarray,
    method: str,
    target: int | None = None,
    layer: str | None = None,
) -> np.ndarray:
    """The `(H, W)` map of `method` (one of `METHODS` other than `activations`)."""
    if method == "saliency":
        return saliency(module, image, target)
    if method == "occlusion":
        return occlusion(module, image, target)
    if method == "gradcam":
        return gradcam(module, image, target, layer)
    raise UsageError(
        _("unknown method {method}; choose one of {choices}").format(
            method=repr(method), choices=", ".join(m for m in METHODS if m != "activations")
        )
    )
