"""Validator for `cnntui:conv?...` lesson links into the Conv Lab (pure: no Textual).

Accepted keys, all optional:

* `mode`: `conv` (default), `pool`, `transposed`, or `rgb` (the multi-channel view; without an
  `image` it opens the 3×3×3 worked example whose total is 9);
* `image`: a bundled image name (`digit-7`, `square-8`, `photo`, `balloons`, ...);
* `kernel`: a kernel preset (`laplacian`, `sobel-x`, ...) or rows like `0,1,0;1,-4,1;0,1,0`;
  in `mode=pool` it is the pooling kind, `max` or `avg`;
* `size`: the pooling window, 1–7 (`mode=pool` only; default 2);
* `stride` 1–8, `padding` 0–8, `dilation` 1–6, `output_padding` 0–7 (transposed only);
* `padding_mode`: `zero` or `replicate`;
* `bias`: a number; `relu`: `on`/`off` (also `true`/`false`, `1`/`0`, `yes`/`no`);
* `view`: `forward` (default) or `backward`, the backward mode that steps the gradients (conv,
  rgb and pool modes; not transposed).
* `pixels`: the input itself instead of a bundled image, written like a kernel (rows `;`, values
  `,`, channels `|`), e.g. the exact patch and kernel of one unit that the Explain mode opens.

The settings must also work on the image (a kernel that does not fit is reported here, so
`cnntui lessons --check` catches it). Example: `cnntui:conv?image=digit-7&kernel=laplacian`.
"""

from __future__ import annotations

from dataclasses import dataclass

KEYS = (
    "mode", "image", "kernel", "size", "stride", "padding", "padding_mode", "dilation",
    "output_padding", "bias", "relu", "view", "pixels",
)  # fmt: skip
VIEWS = ("forward", "backward")
MODES = ("conv", "pool", "transposed", "rgb")
POOL_KINDS = ("max", "avg")
PADDING_MODES = ("zero", "replicate")
INT_RANGES = {
    "size": (1, 7),
    "stride": (1, 8),
    "padding": (0, 8),
    "dilation": (1, 6),
    "output_padding": (0, 7),
}
TRUE_WORDS = ("on", "true", "1", "yes")
FALSE_WORDS = ("off", "false", "0", "no")

DEFAULT_IMAGE = {"conv": "digit-7-16", "pool": "digit-7-16", "transposed": "square-8", "rgb": ""}
DEFAULT_KERNEL = {"conv": "laplacian", "pool": "max", "transposed": "1,1;1,1", "rgb": "laplacian"}
WORKED_KERNEL_TEXT = "0,-1,0;1,1,0;-1,1,1|1,1,0;1,1,-1;1,1,0|1,1,1;1,0,1;-1,1,-1"
"""The worked example's 3-channel kernel (`cnntui.conv.stepper.WORKED_KERNEL`) as text."""


@dataclass(frozen=True)
class ConvPreset:
    """A validated Conv Lab preset with every default filled in."""

    mode: str = "conv"
    image: str = "digit-7-16"
    """Bundled image name; empty in `rgb` mode means the worked example."""
    kernel: str = "laplacian"
    """Kernel preset or rows; in `pool` mode the pooling kind."""
    size: int = 2
    stride: int = 1
    padding: int = 0
    padding_mode: str = "zero"
    dilation: int = 1
    output_padding: int = 0
    bias: float = 0.0
    relu: bool = False
    view: str = "forward"
    """`backward` opens the backward mode (gradients) instead of the forward stepping."""
    pixels: str = ""
    """The input written out as rows (see `pixels_array`); when set, `image` is not used."""


def pixels_array(text: str):  # type: ignore[no-untyped-def]
    """`(C, H, W)` float64 from `pixels` text (the kernel syntax); UsageError when malformed."""
    from cnntui.conv import kernels

    return kernels.parse(text).values


def parse(params: dict[str, str]) -> tuple[ConvPreset, list[str]]:
    """The preset with defaults filled in, and the problems found (empty when valid)."""
    problems: list[str] = []
    for key in params:
        if key not in KEYS:
            problems.append(f"conv: unknown key {key!r}; valid keys are {', '.join(KEYS)}")
    mode = params.get("mode", "conv")
    if mode not in MODES:
        problems.append(f"conv: mode={mode!r} is not one of {', '.join(MODES)}")
        mode = "conv"
    numbers: dict[str, int] = {}
    for key, (low, high) in INT_RANGES.items():
        if key in params:
            value = params[key]
            if value.isdigit() and low <= int(value) <= high:
                numbers[key] = int(value)
            else:
                problems.append(
                    f"conv: {key}={value!r} must be a whole number from {low} to {high}"
                )
    if "size" in params and mode != "pool":
        problems.append("conv: size only applies to mode=pool")
    if "output_padding" in params and mode != "transposed":
        problems.append("conv: output_padding only applies to mode=transposed")
    padding_mode = params.get("padding_mode", "zero")
    if padding_mode not in PADDING_MODES:
        problems.append(
            f"conv: padding_mode={padding_mode!r} is not one of {', '.join(PADDING_MODES)}"
        )
        padding_mode = "zero"
    bias = 0.0
    if "bias" in params:
        try:
            bias = float(params["bias"])
            if bias != bias or abs(bias) == float("inf"):
                raise ValueError
        except ValueError:
            problems.append(f"conv: bias={params['bias']!r} must be a number")
            bias = 0.0
    relu = False
    if "relu" in params:
        word = params["relu"].lower()
        if word in TRUE_WORDS:
            relu = True
        elif word not in FALSE_WORDS:
            problems.append(f"conv: relu={params['relu']!r} must be on or off")
    view = params.get("view", "forward")
    if view not in VIEWS:
        problems.append(f"conv: view={view!r} is not one of {', '.join(VIEWS)}")
        view = "forward"
    elif view == "backward" and mode == "transposed":
        problems.append("conv: view=backward steps conv, rgb and pool modes, not transposed")
    image = params.get("image", DEFAULT_IMAGE[mode])
    kernel = params.get("kernel", DEFAULT_KERNEL[mode])
    worked = mode == "rgb" and not image
    if worked:
        # The textbook example: its own kernel, zero padding 1 and bias 1 unless the link says.
        kernel = params.get("kernel", WORKED_KERNEL_TEXT)
        if "bias" not in params:
            bias = 1.0
        numbers.setdefault("padding", 1)
    preset = ConvPreset(
        mode=mode,
        image=image,
        kernel=kernel,
        size=numbers.get("size", 2),
        stride=numbers.get("stride", numbers.get("size", 2) if mode == "pool" else 1),
        padding=numbers.get("padding", 0),
        padding_mode=padding_mode,
        dilation=numbers.get("dilation", 1),
        output_padding=numbers.get("output_padding", 0),
        bias=bias,
        relu=relu,
        view=view,
        pixels=params.get("pixels", ""),
    )
    if not problems:
        problems.extend(_check_content(preset))
    return preset, problems


def _check_content(preset: ConvPreset) -> list[str]:
    """Image, kernel and the geometry on that image (imports NumPy and the engine lazily)."""
    from cnntui import images
    from cnntui.conv import kernels
    from cnntui.errors import CnnTuiError

    problems: list[str] = []
    picture = None
    if preset.pixels:
        try:
            pixels = pixels_array(preset.pixels)
            kernel = kernels.get(preset.kernel).for_channels(pixels.shape[0])
            build_stepper(preset, pixels)
        except CnnTuiError as error:
            return [f"conv: pixels: {error}"]
        del kernel
        return []
    if not preset.image and preset.mode != "rgb":
        return [f"conv: mode={preset.mode} needs an image"]
    if preset.image:
        if preset.image not in images.names():
            return [
                f"conv: image={preset.image!r} is not a bundled image (see `cnntui conv --help`)"
            ]
        picture = images.load(preset.image)
    if preset.mode == "pool":
        if preset.kernel not in POOL_KINDS:
            return [f"conv: in mode=pool, kernel={preset.kernel!r} must be max or avg"]
    else:
        try:
            kernel = kernels.get(preset.kernel)
        except CnnTuiError as error:
            return [f"conv: {error}"]
        if picture is not None and preset.mode == "rgb" and picture.channels != 3:
            return [
                f"conv: mode=rgb needs a colour image; {preset.image} is greyscale (try balloons)"
            ]
        if picture is not None:
            try:
                kernel.for_channels(picture.channels)
            except CnnTuiError as error:
                return [f"conv: {error}"]
    if picture is None:
        from cnntui.conv.stepper import WORKED_INPUT

        try:
            build_stepper(preset, WORKED_INPUT)
        except CnnTuiError as error:
            problems.append(f"conv: these settings do not fit the worked example: {error}")
    if picture is not None:
        try:
            build_stepper(preset, picture.pixels)
        except CnnTuiError as error:
            problems.append(f"conv: these settings do not fit {preset.image}: {error}")
    return problems


def build_stepper(preset: ConvPreset, pixels):  # type: ignore[no-untyped-def]
    """The `Stepper` for a preset on an image ``(C, H, W)`` (greyscale is used for pooling)."""
    import numpy as np

    from cnntui.conv import kernels
    from cnntui.conv.stepper import Stepper, StepSettings

    mode = "conv" if preset.mode == "rgb" else preset.mode
    settings = StepSettings(
        mode=mode,
        stride=(preset.stride, preset.stride),
        padding=(preset.padding, preset.padding),
        padding_mode=preset.padding_mode,
        dilation=(preset.dilation, preset.dilation),
        bias=preset.bias,
        relu=preset.relu,
        pool_kind=preset.kernel if mode == "pool" else "max",
        pool_size=(preset.size, preset.size),
        output_padding=(preset.output_padding, preset.output_padding),
    )
    if mode == "pool":
        weights = np.array([0.299, 0.587, 0.114])[:, None, None]
        grey = pixels if pixels.shape[0] == 1 else (pixels * weights).sum(axis=0, keepdims=True)
        return Stepper(grey, None, settings)
    kernel = kernels.get(preset.kernel).for_channels(pixels.shape[0])
    return Stepper(pixels, kernel.values, settings)


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a preset, one sentence each; empty when `apply_preset` accepts it."""
    return parse(params)[1]
