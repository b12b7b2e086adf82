"""Validator for `cnntui:gan?...` lesson links (pure: no Textual).

Accepted keys, all optional:

* `view`: `example` (the ten samples), `gan2d` (the 2-D GAN) or `dcgan` (images);
* `data`: the 2-D GAN's real distribution, `ring`, `line`, `clusters` or `moons`;
* `loss`: `minimax`, `nonsaturating` or `least-squares`;
* `dataset`: the DCGAN's images, `digits` or `shapes`;
* `d_steps`: discriminator steps per generator step, 1–10;
* `noise`: the 2-D GAN's noise dimension, 1–8.

`data`, `loss`, `d_steps` and `noise` select the 2-D GAN view unless `view` says otherwise;
`dataset` selects the DCGAN view. Example: `cnntui:gan?view=gan2d&data=moons&loss=least-squares`.
"""

from __future__ import annotations

VIEWS = ("example", "gan2d", "dcgan")
DATA = ("ring", "line", "clusters", "moons")
LOSSES = ("minimax", "nonsaturating", "least-squares")
DATASETS = ("digits", "shapes")
INT_RANGES = {"d_steps": (1, 10), "noise": (1, 8)}

_CHOICES: dict[str, tuple[str, ...]] = {
    "view": VIEWS,
    "data": DATA,
    "loss": LOSSES,
    "dataset": DATASETS,
}
KEYS = (*_CHOICES, *INT_RANGES)


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    problems: list[str] = []
    for key, value in params.items():
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                problems.append(f"gan: {key}={value!r} is not one of {', '.join(_CHOICES[key])}")
        elif key in INT_RANGES:
            low, high = INT_RANGES[key]
            if not (value.isdigit() and low <= int(value) <= high):
                problems.append(f"gan: {key}={value!r} must be a whole number from {low} to {high}")
        else:
            problems.append(f"gan: unknown key {key!r}; valid keys are {', '.join(KEYS)}")
    view = params.get("view")
    if view in VIEWS:
        two_d = [k for k in ("data", "loss", "d_steps", "noise") if k in params]
        if two_d and view != "gan2d":
            problems.append(f"gan: {', '.join(two_d)} only apply to view=gan2d, not view={view}")
        if "dataset" in params and view != "dcgan":
            problems.append(f"gan: dataset only applies to view=dcgan, not view={view}")
    elif (
        view is None
        and "dataset" in params
        and any(k in params for k in ("data", "loss", "d_steps", "noise"))
    ):
        problems.append(
            "gan: dataset (DCGAN) cannot be combined with data, loss, d_steps or noise (2-D GAN)"
        )
    return problems


def target_view(params: dict[str, str]) -> str:
    """The view a valid preset opens: `view` if given, else implied by its other keys."""
    if "view" in params:
        return params["view"]
    if "dataset" in params:
        return "dcgan"
    if any(k in params for k in ("data", "loss", "d_steps", "noise")):
        return "gan2d"
    return "example"
