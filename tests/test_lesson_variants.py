"""Layouts the lessons compare (paper ResNet v1, paper GoogLeNet, paper DCGAN), the image counts
and the relabelled mixed-derivative kernel."""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.conv import kernels
from cnntui.conv.stepper import Stepper, StepSettings
from cnntui.lesson_template import render
from cnntui.lesson_template.images import shift_change_count, shift_change_share
from cnntui.lesson_template.models import zoo_trace


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_resnet_v1_moves_the_stride_and_keeps_the_parameters() -> None:
    v1, v15 = zoo_trace("resnet50-v1"), zoo_trace("resnet50")
    assert v1.total_params == v15.total_params
    assert v1.total_macs < v15.total_macs
    rows = {r.name: r for r in v1.rows}
    # The first block of layer2 halves the size on its 1×1 in v1, on its 3×3 in v1.5.
    assert rows["layer2.0.conv1"].output_shape == (128, 28, 28)
    assert {r.name: r for r in v15.rows}["layer2.0.conv1"].output_shape == (128, 56, 56)
    # The paper's Table 1 (3.8, 7.6, 11.3 × 10⁹) agrees with v1 to 0.1 billion, not with v1.5.
    for depth, paper in ((50, 3.8), (101, 7.6), (152, 11.3)):
        assert abs(zoo_trace(f"resnet{depth}-v1").total_macs / 1e9 - paper) < 0.1
        assert abs(zoo_trace(f"resnet{depth}").total_macs / 1e9 - paper) > 0.2


def test_googlenet_paper_layout_has_true_5x5_and_no_batch_norm() -> None:
    paper = zoo_trace("googlenet-paper")
    kinds = {r.kind for r in paper.rows if r.is_leaf}
    assert "bn" not in kinds
    rows = {r.name: r for r in paper.rows}
    # 1×1 reduce 192 → 16 then 5×5 16 → 32, with biases: (5·5·16 + 1)·32.
    assert rows["inception3a.branch3.1.conv"].params == (5 * 5 * 16 + 1) * 32
    assert paper.output_shape == zoo_trace("googlenet").output_shape


def test_dcgan_paper_generator_is_the_double_width_layout() -> None:
    assert render("{{ shape dcgan-generator-paper deconv1 }}") == "4×4×1024"
    assert render("{{ shape dcgan-generator-paper output }}") == "64×64×3"
    tutorial = zoo_trace("dcgan-generator").total_params
    paper = zoo_trace("dcgan-generator-paper").total_params
    assert 3.5 < paper / tutorial < 4


def test_shift_counts_agree_with_the_share() -> None:
    image = np.zeros((4, 4))
    image[1, 1] = 5
    changed, total = shift_change_count(image, 1)
    assert (changed, total) == (2, 16)
    assert shift_change_share(image, 1) == changed / total
    count = _number(render("{{ shiftcount digit-7 2 }}"))
    assert count == _number(render("{{ calc 1 }}")) * count  # a whole number
    assert _number(render("{{ pixels digit-7 }}")) == 28 * 28


def test_mixed_derivative_ignores_straight_edges_and_answers_corners() -> None:
    kernel = kernels.get("mixed-derivative").values
    vertical = np.zeros((6, 6))
    vertical[:, 3:] = 9
    horizontal = vertical.T.copy()
    corner = np.zeros((6, 6))
    corner[3:, 3:] = 9
    out = {
        name: Stepper(image, kernel, StepSettings()).output()
        for name, image in (("v", vertical), ("h", horizontal), ("c", corner))
    }
    assert not out["v"].any() and not out["h"].any()
    assert out["c"].any()
    # Sobel does answer the straight edge.
    assert Stepper(vertical, kernels.get("sobel-x").values, StepSettings()).output().any()


def test_learned_kernel_approaches_sobel_and_bad_arguments_are_named() -> None:
    from cnntui.lesson_template import TemplateError

    rows = [
        [float(v) for v in line.split()]
        for line in render("{{ learnkernel digit-7 sobel-x 1000 }}").splitlines()
    ]
    np.testing.assert_allclose(rows, kernels.get("sobel-x").values[0], atol=0.1)
    first = float(render("{{ learnloss digit-7 sobel-x 1000 first | raw }}"))
    last = float(render("{{ learnloss digit-7 sobel-x 1000 last | raw }}"))
    assert last < first / 1000
    for bad in (
        "{{ learnkernel digit-7 sobel-x 0 }}",
        "{{ learnkernel nosuchimage sobel-x 10 }}",
        "{{ learnloss digit-7 sobel-x 10 middle }}",
    ):
        with pytest.raises(TemplateError):
            render(bad)
