"""Shapes the engine's layers share: the pooling base and the backward-before-forward guard."""

from __future__ import annotations

import numpy as np
import pytest

from cnntui.engine import nn

LAYERS = [
    lambda: nn.Conv2d(1, 2, 3),
    lambda: nn.ConvTranspose2d(1, 2, 3),
    lambda: nn.MaxPool2d(2),
    lambda: nn.AvgPool2d(2),
    lambda: nn.AdaptiveAvgPool2d(1),
    lambda: nn.Linear(3, 2),
    lambda: nn.Flatten(),
    lambda: nn.ReLU(),
    lambda: nn.LeakyReLU(),
    lambda: nn.Sigmoid(),
    lambda: nn.Tanh(),
    lambda: nn.BatchNorm2d(2),
    lambda: nn.LocalResponseNorm(2),
    lambda: nn.CrossEntropyLoss(),
    lambda: nn.MSELoss(),
]


@pytest.mark.parametrize("make", LAYERS)
def test_backward_before_forward_names_the_layer(make) -> None:  # type: ignore[no-untyped-def]
    layer = make()
    with pytest.raises(RuntimeError, match=rf"^{type(layer).__name__}\.backward called before"):
        layer.backward(np.ones((1, 2, 2, 2), dtype=np.float32))


def test_max_and_avg_pooling_share_one_geometry() -> None:
    for layer in (nn.MaxPool2d(3, 2, 1, ceil_mode=True), nn.AvgPool2d(3, 2, 1, ceil_mode=True)):
        assert layer.output_shape((4, 7, 8)) == (4, 4, 5)
        assert layer.describe() == "k=3×3 s=2 p=1 ceil"
        x = np.random.default_rng(0).standard_normal((1, 4, 7, 8)).astype(np.float32)
        assert layer(x).shape == (1, 4, 4, 5)
        assert layer.backward(np.ones((1, 4, 4, 5), dtype=np.float32)).shape == x.shape
    assert nn.MaxPool2d(3, dilation=2).output_shape((1, 9, 9)) == (1, 2, 2)  # span 5, stride 3
    with pytest.raises(ValueError, match="AvgPool2d: padding"):
        nn.AvgPool2d(2, padding=2)
    with pytest.raises(ValueError, match="MaxPool2d: padding"):
        nn.MaxPool2d(2, padding=2)
