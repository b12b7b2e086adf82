"""Validator for `cnntui:models?...` lesson links (pure: no Textual).

Accepted keys, all optional:

* `model`: a zoo model name (see `cnntui models`), shown in the summary;
* `compare`: two zoo model names separated by a comma, shown side by side;
* `input`: the input size per sample, `CxHxW` (e.g. `3x224x224`);
* `layer`: a layer of `model` to select, by its dotted name (e.g. `features.0`, `c3`);
* `depth`: the tree depth to unfold, 1–10;
* `view`: `summary`, `compare`, `diagram` or `spec` (the editor pane).

Example: `cnntui:models?model=alexnet&input=3x224x224` shows where the paper's AlexNet breaks
at 224×224.
"""

from __future__ import annotations

VIEWS = ("summary", "compare", "diagram", "spec")
KEYS = ("model", "compare", "input", "layer", "depth", "view")


def _known(name: str) -> bool:
    from cnntui import zoo
    from cnntui.errors import UsageError

    try:
        zoo.get(name)
    except UsageError:
        return False
    return True


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    from cnntui.zoo.spec import parse_shape

    problems: list[str] = []
    for key, value in params.items():
        if key == "model":
            if not _known(value):
                problems.append(f"models: model={value!r} is not in the zoo (see `cnntui models`)")
        elif key == "compare":
            names = [n.strip() for n in value.split(",")]
            if len(names) != 2 or not all(names):
                problems.append(
                    f"models: compare={value!r} must be two model names, e.g. compare=vgg16,resnet50"
                )
            else:
                problems.extend(
                    f"models: compare names {n!r}, which is not in the zoo"
                    for n in names
                    if not _known(n)
                )
        elif key == "input":
            try:
                shape = parse_shape(value)
            except ValueError as exc:
                problems.append(f"models: input={value!r}: {exc}")
            else:
                if len(shape) != 3:
                    problems.append(f"models: input={value!r} must be CxHxW")
        elif key == "layer":
            if not value or any(not part for part in value.split(".")):
                problems.append(
                    f"models: layer={value!r} must be a dotted layer name such as features.0"
                )
        elif key == "depth":
            if not (value.isdigit() and 1 <= int(value) <= 10):
                problems.append(f"models: depth={value!r} must be a whole number from 1 to 10")
        elif key == "view":
            if value not in VIEWS:
                problems.append(f"models: view={value!r} is not one of {', '.join(VIEWS)}")
        else:
            problems.append(f"models: unknown key {key!r}; valid keys are {', '.join(KEYS)}")
    if "layer" in params and "model" not in params:
        problems.append("models: layer= needs model= to say which model it belongs to")
    if "layer" in params and "model" in params and not problems:
        problems.extend(_check_layer(params))
    return problems


def _check_layer(params: dict[str, str]) -> list[str]:
    from cnntui import zoo
    from cnntui.errors import ShapeError
    from cnntui.zoo.spec import parse_shape
    from cnntui.zoo.summary import summarize

    entry = zoo.get(params["model"])
    shape = parse_shape(params["input"]) if "input" in params else entry.input_shape
    try:
        summary = summarize(entry.build(), shape, name=entry.name)
    except ShapeError:
        return []  # the mode shows the error at its layer; the link is still valid
    try:
        summary.layer(params["layer"])
    except KeyError as exc:
        return [f"models: {exc.args[0]}"]
    return []
