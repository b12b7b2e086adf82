"""Validator for `cnntui:explain?...` lesson links into the Explain mode (pure: no Textual).

Accepted keys, all optional:

* `model`: a pretrained network (`lenet5-digits`, `tinyvgg-shapes`, `lenet5-digits-0-4`) or the
  learner's own network as an ONNX file (`model=mynet.onnx`; read when the link is followed, so a
  missing file is a notice then);
* `mean`, `std`: for an ONNX `model`, the normalisation of its training images (`0.1307` or
  `0.485,0.456,0.406`; default 0 and 1);
* `image`: a bundled image name (`digit-7`) or `DATASET:SPLIT:INDEX` (`digits:test:12`);
* `view`: `layers` (default), `classifier`, `looks` (saliency, occlusion, Grad-CAM), `draw` or
  `transfer`;
* `layer`: the layer to select (`c3`), checked when the view opens.

Examples: `cnntui:explain?model=lenet5-digits&image=digit-7&view=looks`,
`cnntui:explain?model=mynet.onnx&mean=0.1307&std=0.3081&view=classifier`.
"""

from __future__ import annotations

from cnntui.errors import UsageError
from cnntui.i18n import _


def is_onnx_path(model: str) -> bool:
    """True when a preset's `model` names an ONNX file (as `cnntui.zoo.onnx_import` decides)."""
    return model.lower().endswith(".onnx")


KEYS = ("model", "image", "view", "layer", "mean", "std")
VIEWS = ("layers", "classifier", "looks", "draw", "transfer")


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    from cnntui import images
    from cnntui.explain.imported import parse_numbers
    from cnntui.explain.inputs import parse_dataset_ref
    from cnntui.explain.pretrained import names

    problems = [
        _("explain: unknown key {key}; valid keys are {keys}").format(
            key=repr(key), keys=", ".join(KEYS)
        )
        for key in params
        if key not in KEYS
    ]
    model = params.get("model")
    onnx = model is not None and is_onnx_path(model)
    if model is not None and not onnx and model not in names():
        problems.append(
            _("explain: {setting} is neither an ONNX file (.onnx) nor one of {choices}").format(
                setting=f"model={model!r}", choices=", ".join(names())
            )
        )
    for key in ("mean", "std"):
        if key not in params:
            continue
        if not onnx:
            problems.append(
                _("explain: {key} applies to an ONNX model (model=FILE.onnx)").format(key=key)
            )
            continue
        try:
            values = parse_numbers(params[key])
        except UsageError as exc:
            problems.append(f"explain: {key}: {exc}")
            continue
        if key == "std" and min(values) <= 0:
            problems.append(_("explain: std must be above 0"))
    if "view" in params and params["view"] not in VIEWS:
        problems.append(
            _("explain: {setting} is not one of {choices}").format(
                setting=f"view={params['view']!r}", choices=", ".join(VIEWS)
            )
        )
    image = params.get("image")
    if image is not None and image not in images.names():
        ref = parse_dataset_ref(image)
        if ref is None or ref[1] not in ("train", "val", "test") or ref[2] < 0:
            problems.append(
                _("explain: {setting} is neither a bundled image nor DATASET:SPLIT:INDEX").format(
                    setting=f"image={image!r}"
                )
            )
    return problems


def norm_of(params: dict[str, str]) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """The (mean, std) an ONNX `model` of a valid preset is opened with (defaults 0 and 1), or
    None for a shipped network (its own normalisation)."""
    model = params.get("model")
    if model is None or not is_onnx_path(model):
        return None
    from cnntui.explain.imported import parse_numbers

    mean = parse_numbers(params["mean"]) if "mean" in params else (0.0,)
    std = parse_numbers(params["std"]) if "std" in params else (1.0,)
    return mean, std
