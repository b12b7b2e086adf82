"""The Conv Lab's output-size formula, written out with the layer's own numbers."""

from __future__ import annotations

from cnntui.calc.layer import conv_output_size, transposed_output_size
from cnntui.conv.presets import ConvPreset
from cnntui.errors import CnnTuiError


def formula_text(preset: ConvPreset, sizes: tuple[int, int]) -> str:
    """`H_out = W_out = ⌊(H + 2p − k)/s⌋ + 1 = …` for an input of `sizes` (H, W); one line per
    axis when the axes differ, a line naming the problem when the layer does not fit."""
    kernel_hw = (preset.size, preset.size) if preset.mode == "pool" else kernel_size(preset.kernel)
    if kernel_hw is None:
        return ""
    lines = [axis_formula(preset, letter, sizes[a], kernel_hw[a]) for a, letter in enumerate("HW")]
    if sizes[0] == sizes[1] and kernel_hw[0] == kernel_hw[1]:
        return lines[0].replace("H_out =", "H_out = W_out =", 1)
    return "\n".join(lines)


def axis_formula(preset: ConvPreset, letter: str, size: int, kernel: int) -> str:
    """The output size along one axis (`letter` is H or W) with the working."""
    p = preset
    stride, padding = p.stride, p.padding
    dilation = 1 if p.mode == "pool" else p.dilation
    try:
        if p.mode == "transposed":
            out = transposed_output_size(size, kernel, stride, padding, dilation, p.output_padding)
            return (
                f"{letter}_out = ({letter} − 1)·s − 2p + d·(k − 1) + output_padding + 1 ="
                f" ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1)"
                f" + {p.output_padding} + 1 = {out}"
            )
        out = conv_output_size(size, kernel, stride, padding, dilation)
    except CnnTuiError as error:
        return f"{letter}_out: {error}"
    k_text = f"{dilation}·({kernel} − 1) + 1" if dilation != 1 else f"{kernel}"
    return (
        f"{letter}_out = ⌊({letter} + 2p − k)/s⌋ + 1 ="
        f" ⌊({size} + 2·{padding} − {k_text})/{stride}⌋ + 1 = {out}"
    )


def kernel_size(name: str) -> tuple[int, int] | None:
    """(kh, kw) of the library kernel `name`, None if there is no such kernel."""
    from cnntui.conv import kernels

    try:
        return kernels.get(name).size
    except CnnTuiError:
        return None
