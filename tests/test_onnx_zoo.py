"""Every zoo model through ONNX and back: export -> onnx.checker -> onnxruntime equals the engine
-> re-import gives the same summary and the same numbers.

The architecture round trip (parameters declared, no weights) is cheap and runs for every model.
The numeric round trip needs the weights in the file: the networks with large fixed classifiers
(AlexNet, VGG) and the deep ResNets are marked slow.
"""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from cnntui import zoo  # noqa: E402
from cnntui.engine.module import Module  # noqa: E402
from cnntui.zoo.onnx_export import export_onnx_bytes  # noqa: E402
from cnntui.zoo.onnx_import import load_onnx_bytes  # noqa: E402
from cnntui.zoo.summary import summarize  # noqa: E402

NAMES = [entry.name for entry in zoo.entries()]
HEAVY = {n for n in NAMES if n.startswith(("alexnet", "vgg"))} | {
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
}
NOT_REIMPORTED = {
    "lenet5-1998": "its scaled tanh, trainable sub-sampling and RBF output are written as Mul, "
    "Add and ReduceSum arithmetic, which cnntui reads as no layer of its own",
}


def _key(summary: object) -> tuple:
    s = summary
    return (
        s.total_params,  # type: ignore[attr-defined]
        s.trainable_params,  # type: ignore[attr-defined]
        s.total_macs,  # type: ignore[attr-defined]
        tuple(s.output_shape),  # type: ignore[attr-defined]
        s.receptive_field,  # type: ignore[attr-defined]
        s.weight_layers,  # type: ignore[attr-defined]
        s.weight_depth,  # type: ignore[attr-defined]
    )


def _randomise_statistics(module: Module, rng: np.random.Generator) -> None:
    """Batch-norm statistics away from (0, 1), so that exporting them wrongly would show."""
    for _, m in module.named_modules():
        if getattr(m, "running_mean", None) is not None:
            c = m.running_mean.shape[0]
            m.set_buffer("running_mean", rng.normal(0, 0.1, c).astype(np.float32))
            m.set_buffer("running_var", rng.uniform(0.5, 1.5, c).astype(np.float32))


@pytest.mark.parametrize("name", NAMES)
def test_architecture_round_trip(name: str) -> None:
    entry = zoo.get(name)
    module = entry.build()
    data = export_onnx_bytes(module, entry.input_shape, name, weights=False)
    onnx.checker.check_model(data)
    if name not in NOT_REIMPORTED:  # (LeNet-1998's custom layers are written out as values)
        assert not any(p.is_materialized for p in module.parameters())  # nothing was allocated
    imported = load_onnx_bytes(data, f"{name}.onnx")
    assert imported.has_weights is False
    assert imported.input_shape == tuple(entry.input_shape)
    if name in NOT_REIMPORTED:
        assert imported.problem is not None and "(Mul, graph.node[1] of" in imported.problem
        return
    assert imported.problem is None
    original = summarize(module, entry.input_shape)
    again = summarize(imported.module, imported.input_shape)
    assert _key(again) == _key(original)
    convs = [r for r in original.leaves if r.kind in ("conv", "fc")]
    assert [r.own_params for r in again.leaves if r.kind in ("conv", "fc")] == [
        r.own_params for r in convs
    ]


def _fast_weights(module: Module, rng: np.random.Generator) -> None:
    """Random float32 weights scaled by fan-in, drawn directly in float32 (the zoo's initialisers
    draw float64 first: seconds for VGG's 138 million parameters)."""
    for parameter in module.parameters():
        fan_in = max(1, int(np.prod(parameter.shape[1:])))
        values = rng.standard_normal(parameter.shape, dtype=np.float32)
        values *= np.float32(1.0 / np.sqrt(fan_in))
        parameter.data = values


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n for n in NAMES]
)
def test_onnxruntime_equals_engine(name: str) -> None:
    entry = zoo.get(name)
    heavy = name in HEAVY
    module = entry.build()
    rng = np.random.default_rng(1)
    _fast_weights(module, rng)
    _randomise_statistics(module, rng)
    module.eval()
    data = export_onnx_bytes(module, entry.input_shape, name)
    onnx.checker.check_model(data)
    x = np.random.default_rng(2).standard_normal((1 if heavy else 2, *entry.input_shape))
    x = x.astype(np.float32)
    expected = module.forward(x)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    # the numbers as written: no fusing of layers while loading (which also loads faster)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": x})
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * scale)
    assert session.get_inputs()[0].shape[0] == "batch"  # any batch size
    del session
    if name in NOT_REIMPORTED:
        pytest.skip(f"{name}: {NOT_REIMPORTED[name]}")
    imported = load_onnx_bytes(data, f"{name}.onnx")
    assert imported.has_weights and imported.problem is None
    assert _key(summarize(imported.module, imported.input_shape)) == _key(
        summarize(module, entry.input_shape)
    )
    if heavy:  # the weights came back unchanged (running the copy too would double the time)
        again = dict(imported.module.named_parameters())
        for key, parameter in module.named_parameters():
            assert np.array_equal(again[key].data, parameter.data), key
        return
    imported.module.eval()
    np.testing.assert_allclose(imported.module.forward(x), expected, rtol=1e-5, atol=1e-6 * scale)
