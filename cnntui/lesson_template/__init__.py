"""The `{{ ... }}` template language of lessons: numbers are computed, never typed.

A lesson writes `{{ params vgg16 }}` and the reader shows `138,357,544`, computed by the engine
from the zoo's model when the lesson renders, so a lesson can never disagree with the Models lab.
Every expression sits on one line between `{{` and `}}`:

    {{ FUNCTION ARG ... }}                 a value in its default format
    {{ FUNCTION ARG ... | FILTER ARG }}    the same value through one or more filters
    {{ let NAME = VALUE }}                 a lesson-local value (renders as nothing)

Functions (MODEL is a zoo name such as `alexnet`; LAYER is a dotted layer name from the model, or
`convN`, `poolN`, `fcN`, `bnN`, `deconvN`: the N-th layer of that kind, counting from 1):

    params MODEL [LAYER|KIND]   parameter count (KIND: conv, deconv, fc, bn, pool, norm, rbf)
    trainable MODEL [...]       the same, counting only trainable parameters
    share MODEL LAYER|KIND      that part's share of all parameters, as a percentage
    count MODEL KIND            how many layers of that kind the model has
    macs MODEL [LAYER|KIND]     multiply-accumulates per image (what torchvision calls FLOPS)
    shape MODEL LAYER           output shape written H×W×C (`input` for the input, `output`)
    layers MODEL LAYER ...      a Markdown table: layer, output H×W×C, parameters, MACs
    connections MODEL LAYER     a sparse layer's connection table (LeNet-5's C3), as ASCII
    outsize I F P S [D]         convolution output size ⌊(I + 2P − D(F − 1) − 1)/S⌋ + 1
    fact KEY                    a sourced figure from assets/facts.toml, with its unit
    bars KEY ...                an ASCII bar chart of percentage facts (for a code block)
    calc EXPRESSION             exact arithmetic: + - * / // % ** and parentheses, numbers,
                                `let` names, and params("m"[, "part"]), macs("m"[, "part"]),
                                activations("m"[, "part"]),
                                fact("key"), outsize(i, f, p, s[, d])
    ptable TABLE DATA           probability table of a `let` data set of `x:y` samples
                                (TABLE: joint, x, y, y_given_x, x_given_y, cdf)
    prob DATA TABLE X [Y]       one probability of such a data set (TABLE as for ptable)
    sample DATA U               the x that the uniform number U picks from P(x)
    predict DATA X              the label with the highest P(y|x)
    shiftshare IMAGE PIXELS     share of a bundled image's pixels that change when it moves
    shiftcount IMAGE PIXELS     how many of them change; `pixels IMAGE`: how many it has
    matrix GRID                 a `let` grid (`{{ let x = 1 2 ; 3 4 }}`) as aligned rows
    correlate GRID KERNEL ...   the output map (options: stride S, pad P, bias B, flip, relu);
                                `r,g,b` names several grids as the channels of one input
    window GRID KERNEL R C ...  the products of one output position written out
    pool GRID max|avg K [stride S], shift GRID N, padded GRID P [zero|replicate]: more grids
    changed GRID OTHER          the share of positions whose values differ, as a percentage
    kernel NAME                 a Conv Lab kernel preset (without its common factor, e.g. 1/9)
    activations MODEL [PART]    values a forward pass stores per image (see `experiments`)
    stdconv|sepconv params|macs SIZE CIN COUT K   standard against depthwise-separable cost
    initstat INIT ACT LAYER FIELD   activation/gradient statistics at initialisation
    convgrad weight|input IMAGE KERNEL UPSTREAM, poolgrad IMAGE max|avg K UPSTREAM: gradients

Filters: `raw` (no separators: for quiz answers), `fixed N`, `percent N` (a ratio times 100,
rounded, as a plain number), `round N` (N < 0 rounds to tens,
hundreds...), `thousand [N]`, `million [N]`, `billion [N]`, `pct [N]` (a ratio as a percentage),
`times [N]`, `digits` (how many decimal digits), `sci [N]` (`1.80 × 10^308`), and for shapes
`chw` (C×H×W), `hw` (H×W), `c` (channels), `numel` (C·H·W), `positions` (H·W), `h`, `w`.

Nothing is evaluated with `eval`: `calc` walks a restricted syntax tree. Errors raise
`TemplateError` with the line number and what would be valid. Results are cached: each model is
traced once per process and each lesson text is rendered once.
"""

from __future__ import annotations

from cnntui.lesson_template.arguments import LET
from cnntui.lesson_template.arithmetic import MAX_EXPONENT, conv_output_size
from cnntui.lesson_template.errors import TemplateError
from cnntui.lesson_template.facts import MAX_BAR_WIDTH
from cnntui.lesson_template.filters import FILTERS
from cnntui.lesson_template.formatting import (
    MAX_SIDE_BY_SIDE,
    default_text,
    format_matrix,
    format_number,
    format_shape,
)
from cnntui.lesson_template.grids import correlate, pad_grid, pool_grid, shift_grid, window_sum
from cnntui.lesson_template.images import shift_change_share
from cnntui.lesson_template.models import (
    KINDS,
    NTH_OF_KIND,
    LayerRow,
    ModelTrace,
    layer_kind,
    trace_module,
    zoo_trace,
)
from cnntui.lesson_template.probability import PTABLES, predict_y, probability_table, sample_x
from cnntui.lesson_template.renderer import Renderer, default_renderer, render
from cnntui.lesson_template.scanning import EXPRESSION, FENCE, fenced_lines
from cnntui.lesson_template.values import Matrix, Number, Quantity, Shape, ShapeValue, Text, Value

__all__ = [
    "EXPRESSION",
    "FENCE",
    "FILTERS",
    "KINDS",
    "LET",
    "MAX_BAR_WIDTH",
    "MAX_EXPONENT",
    "MAX_SIDE_BY_SIDE",
    "NTH_OF_KIND",
    "PTABLES",
    "LayerRow",
    "Matrix",
    "ModelTrace",
    "Number",
    "Quantity",
    "Renderer",
    "Shape",
    "ShapeValue",
    "TemplateError",
    "Text",
    "Value",
    "conv_output_size",
    "correlate",
    "default_renderer",
    "default_text",
    "fenced_lines",
    "format_matrix",
    "format_number",
    "format_shape",
    "layer_kind",
    "pad_grid",
    "pool_grid",
    "predict_y",
    "probability_table",
    "render",
    "sample_x",
    "shift_change_share",
    "shift_grid",
    "trace_module",
    "window_sum",
    "zoo_trace",
]
