"""Initialisation statistics of a deep plain net, the `init-stats` command, and the template
functions computed from the engine (activation memory, separable convolution, gradients)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from conftest import make_app

from cnntui.commands import initstats
from cnntui.engine.init_statistics import init_statistics
from cnntui.errors import UsageError
from cnntui.lesson_template import TemplateError, render


def test_he_keeps_relu_steady_and_xavier_lets_it_shrink() -> None:
    he = init_statistics("he", "relu")
    xavier = init_statistics("xavier", "relu")
    assert 0.5 < he[-1].activation_std / he[0].activation_std < 2
    assert 0.5 < he[0].gradient_std < 2
    # ReLU halves the variance each layer under Xavier: ten layers shrink the spread a lot.
    assert xavier[-1].activation_std < xavier[0].activation_std / 10


def test_small_weights_vanish_and_large_weights_saturate_tanh() -> None:
    small = init_statistics("small", "tanh")
    large = init_statistics("large", "tanh")
    assert small[-1].activation_std < 1e-6 and small[0].gradient_std < 1e-6
    assert large[-1].saturated > 0.5
    assert init_statistics("he", "tanh")[-1].saturated < large[-1].saturated


def test_sigmoid_gradients_shrink_by_at_least_four_per_layer() -> None:
    rows = init_statistics("xavier", "sigmoid")
    for below, above in zip(rows, rows[1:]):
        assert below.gradient_std < above.gradient_std / 2


def test_statistics_match_a_direct_numpy_computation() -> None:
    rows = init_statistics("he", "tanh", depth=3, width=16, batch=8, seed=5)
    rng = np.random.default_rng(5)
    weights = [rng.normal(0.0, np.sqrt(2.0 / 16), size=(16, 16)) for _ in range(3)]
    x = rng.normal(size=(8, 16))
    hs = []
    for w in weights:
        x = np.tanh(x @ w.T)
        hs.append(x)
    g = rng.normal(size=(8, 16))
    grads = []
    for w, h in zip(reversed(weights), reversed(hs), strict=True):
        grads.append(g)
        g = (g * (1 - h**2)) @ w
    grads.reverse()
    for row, h, grad in zip(rows, hs, grads, strict=True):
        assert row.activation_std == pytest.approx(h.std())
        assert row.gradient_std == pytest.approx(grad.std())


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    parser = argparse.ArgumentParser()
    initstats.add_arguments(parser)
    assert initstats.run(parser.parse_args(list(argv))) == 0
    return capsys.readouterr().out


def test_command_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(_run(capsys, "--init", "xavier", "--activation", "tanh", "--json"))
    assert len(document["inits"]["xavier"]) == 10
    first = document["inits"]["xavier"][0]
    assert first["activation_std"] == pytest.approx(
        init_statistics("xavier", "tanh")[0].activation_std
    )
    assert "act std" in _run(capsys, "--compare", "--activation", "relu")
    with pytest.raises(UsageError):
        _run(capsys, "--depth", "0")


def test_activation_memory_of_vgg16() -> None:
    conv = int(render("{{ activations vgg16 conv }}").replace(",", ""))
    assert (
        conv
        == 2 * 224 * 224 * 64
        + 2 * 112 * 112 * 128
        + 3 * 56 * 56 * 256
        + 3 * 28 * 28 * 512
        + 3 * 14 * 14 * 512
    )
    total = int(render("{{ activations vgg16 }}").replace(",", ""))
    pools = int(render("{{ activations vgg16 pool }}").replace(",", ""))
    fcs = int(render("{{ activations vgg16 fc }}").replace(",", ""))
    assert total == 3 * 224 * 224 + conv + pools + fcs
    assert fcs == 4096 + 4096 + 1000


def test_separable_convolution_costs() -> None:
    std = int(render("{{ stdconv params 56 128 256 3 }}").replace(",", ""))
    sep = int(render("{{ sepconv params 56 128 256 3 }}").replace(",", ""))
    assert std == 3 * 3 * 128 * 256 and sep == 3 * 3 * 128 + 128 * 256
    macs = int(render("{{ sepconv macs 56 128 256 3 }}").replace(",", ""))
    assert macs == 56 * 56 * (3 * 3 * 128 + 128 * 256)
    with pytest.raises(TemplateError):
        render("{{ sepconv params 56 128 256 2 }}")


def test_gradient_grids_and_bad_arguments() -> None:
    weight = render(
        "{{ let a = 1 2 0 ; 3 4 1 ; 0 1 2 }}{{ let k = 1 0 ; 0 1 }}{{ let u = 1 1 ; 1 1 }}"
        "{{ convgrad weight a k u }}"
    )
    assert weight.split() == ["10", "7", "8", "8"]
    routed = render(
        "{{ let b = 1 2 0 1 ; 3 4 1 0 ; 0 1 2 5 ; 1 0 3 1 }}{{ let u = 1 1 ; 1 1 }}"
        "{{ poolgrad b max 2 u }}"
    )
    expected = np.zeros((4, 4), dtype=int)
    expected[1, 1] = expected[0, 3] = expected[2, 1] = expected[2, 3] = 1
    assert [int(v) for v in routed.split()] == expected.reshape(-1).tolist()
    with pytest.raises(TemplateError):
        render("{{ initstat huge relu last activation_std }}")
    with pytest.raises(TemplateError):
        render("{{ initstat he relu 11 activation_std }}")


# -- the Train lab's initialisation view -----------------------------------------------------------


async def test_init_view_opens_from_a_link_and_cycles() -> None:
    from cnntui.train.presets import validate
    from cnntui.ui.train.init_stats import InitStatsScreen, table_text

    params = {"view": "init", "scheme": "small", "activation": "tanh"}
    assert validate(params) == []
    assert validate({"scheme": "he"})  # only with view=init
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.apply_preset(params)  # type: ignore[attr-defined]
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InitStatsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = init_statistics("small", "tanh")
        assert str(screen.query_one("#init-table").render()) == table_text(rows, "tanh")
        await pilot.press("i")  # small -> large
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.init == "large" and screen.rows == init_statistics("large", "tanh")
        await pilot.press("a")
        assert screen.activation == "relu"
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InitStatsScreen)
