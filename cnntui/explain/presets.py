"""Validator for `cnntui:explain?...` lesson links into the Explain mode (pure: no Textual).

Accepted keys, all optional:

* `model`: a pretrained network (`lenet5-digits`, `tinyvgg-shapes`, `lenet5-digits-0-4`);
* `image`: a bundled image name (`digit-7`) or `DATASET:SPLIT:INDEX` (`digits:test:12`);
* `view`: `layers` (default), `classifier`, `looks` (saliency, occlusion, Grad-CAM), `draw` or
  `transfer`;
* `layer`: the layer to select (`c3`), checked when the view opens.

Example: `cnntui:explain?model=lenet5-digits&image=digit-7&view=looks`.
"""

from __future__ import annotations

from cnntui.i18n import _

KEYS = ("model", "image", "view", "layer")
VIEWS = ("layers", "classifier", "looks", "draw", "transfer")


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    from cnntui import images
    from cnntui.explain.inputs import parse_dataset_ref
    from cnntui.explain.pretrained import names

    problems = [
        _("explain: unknown key {key}; valid keys are {keys}").format(
            key=repr(key), keys=", ".join(KEYS)
        )
        for key in params
        if key not in KEYS
    ]
    if "model" in params and params["model"] not in names():
        problems.append(
            _("explain: {setting} is not one of {choices}").format(
                setting=f"model={params['model']!r}", choices=", ".join(names())
            )
        )
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
