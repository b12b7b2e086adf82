"""Lesson-link presets the Explain mode adds: `cnntui:explain?…` and the Conv Lab's `pixels`."""

from __future__ import annotations

from cnntui.conv import presets as conv
from cnntui.explain import presets as explain


def test_explain_preset_validation() -> None:
    assert explain.validate({}) == []
    good = {"model": "tinyvgg-shapes", "image": "circle", "view": "looks", "layer": "conv_1_1"}
    assert explain.validate(good) == []
    assert explain.validate({"image": "digits:test:3"}) == []
    problems = explain.validate({"model": "vgg16", "view": "x", "image": "nope", "zoom": "2"})
    assert len(problems) == 4
    assert any("unknown key 'zoom'" in p for p in problems)


def test_conv_preset_takes_an_exact_patch() -> None:
    params = {"pixels": "1,2;3,4|0,1;1,0", "kernel": "1,0;0,1|1,1;1,1", "bias": "0.5"}
    assert conv.validate(params) == []
    preset, _ = conv.parse(params)
    stepper = conv.build_stepper(preset, conv.pixels_array(preset.pixels))
    # (1·1 + 4·1) + (0 + 1 + 1 + 0) + 0.5
    assert float(stepper.output().reshape(-1)[0]) == 7.5
    assert conv.validate({"pixels": "1,2;3", "kernel": "1"})[0].startswith("conv: pixels:")
    assert conv.validate({"pixels": "1,2;3,4", "kernel": "1,0,0;0,0,0;1,1,1"})
