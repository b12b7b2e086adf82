"""`cnntui export pytorch`: the generated PyTorch module equals the summary, name for name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnntui import zoo
from cnntui.engine.module import manual_seed
from cnntui.zoo.export_pytorch import export_pytorch, python_name
from cnntui.zoo.spec import EXAMPLE_SPEC, load_spec_text
from cnntui.zoo.summary import summarize

torch = pytest.importorskip("torch")


def load_exported(text: str):
    namespace: dict = {"__name__": "exported"}
    exec(compile(text, "exported.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("name", zoo.names())
def test_exported_module_matches_summary(name: str) -> None:
    entry = zoo.get(name)
    model = entry.build()
    summary = summarize(model, entry.input_shape)
    namespace = load_exported(export_pytorch(model, name, entry.input_shape))
    with torch.device("meta"):
        exported = namespace["build"]()
    assert sum(p.numel() for p in exported.parameters()) == summary.total_params
    ours = {k: p.shape for k, p in model.named_parameters()}
    assert {k: tuple(p.shape) for k, p in exported.named_parameters()} == ours
    exported.eval()
    with torch.no_grad():
        out = exported(torch.empty((1, *entry.input_shape), device="meta"))
    assert tuple(out.shape[1:]) == summary.output_shape


def test_googlenet_with_side_heads_exports() -> None:
    model = zoo.build("googlenet", aux_logits=True)
    namespace = load_exported(export_pytorch(model, "googlenet", (3, 224, 224)))
    with torch.device("meta"):
        exported = namespace["build"]()
    assert sum(p.numel() for p in exported.parameters()) == model.num_parameters()
    exported.train()
    outs = exported(torch.empty((2, 3, 224, 224), device="meta"))
    assert [tuple(o.shape) for o in outs] == [(2, 1000)] * 3


@pytest.mark.parametrize("name", ["lenet5-1998", "residual-deep", "tinyvgg", "dcgan-discriminator"])
def test_exported_module_computes_the_same_outputs(name: str, tmp_path) -> None:
    manual_seed(3)
    entry = zoo.get(name)
    model = entry.build()
    model.eval()
    namespace = load_exported(export_pytorch(model, name, entry.input_shape))
    exported = namespace["build"]().eval()
    weights = tmp_path / "w.npz"
    model.save(weights)
    namespace["load_npz"](exported, str(weights))
    x = np.random.default_rng(4).normal(size=(2, *entry.input_shape)).astype(np.float32)
    with torch.no_grad():
        expected = exported(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.forward(x), expected, rtol=2e-4, atol=2e-4)


def test_spec_exports() -> None:
    built = load_spec_text(EXAMPLE_SPEC)
    text = export_pytorch(built.module, built.spec.name, built.input_shape, "spec file my.toml")
    assert "Source: spec file my.toml." in text
    exported = load_exported(text)["build"]()
    out = exported(torch.zeros(1, *built.input_shape))
    assert tuple(out.shape[1:]) == built.output_shape
    assert sum(p.numel() for p in exported.parameters()) == built.module.num_parameters()


def test_residual_and_concat_spec_export() -> None:
    text = """
input = [3, 8, 8]
[[layers]]
type = "residual"
body = "b"
activation = "relu"
[[layers]]
type = "concat"
branches = ["b", "c"]
[blocks.b]
[[blocks.b.layers]]
type = "conv2d"
out_channels = 3
kernel_size = 3
padding = 1
[blocks.c]
[[blocks.c.layers]]
type = "avgpool2d"
kernel_size = 3
stride = 1
padding = 1
"""
    built = load_spec_text(text)
    exported = load_exported(export_pytorch(built.module, "x", built.input_shape))["build"]()
    assert tuple(exported(torch.zeros(1, 3, 8, 8)).shape) == (1, 6, 8, 8)


def test_python_name() -> None:
    assert python_name("my-net") == "my_net"
    assert python_name("3d net") == "net_3d_net"
    assert python_name("class") == "net_class"


def test_grouped_conv_lrn_and_transposed_conv_compute_the_same(tmp_path) -> None:
    text = """
input = [4, 9, 9]
[[layers]]
type = "conv2d"
out_channels = 6
kernel_size = 3
groups = 2
stride = 2
[[layers]]
type = "lrn"
size = 3
k = 2.0
[[layers]]
type = "convtranspose2d"
out_channels = 2
kernel_size = 4
stride = 2
padding = 1
[[layers]]
type = "maxpool2d"
kernel_size = 3
stride = 2
ceil_mode = true
"""
    manual_seed(5)
    built = load_spec_text(text)
    model = built.module
    namespace = load_exported(export_pytorch(model, "x", built.input_shape))
    exported = namespace["build"]().eval()
    model.save(tmp_path / "w.npz")
    namespace["load_npz"](exported, str(tmp_path / "w.npz"))
    x = np.random.default_rng(6).normal(size=(2, 4, 9, 9)).astype(np.float32)
    with torch.no_grad():
        expected = exported(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.forward(x), expected, rtol=1e-4, atol=1e-5)


HOSTILE_NAMES = [
    'x"""\nimport os; os.system("echo pwned")\n"""',
    "x'''\n__import__('os')._exit(3)\n'''",
    'a\\\\" \x00\r\u2028 b',
    '"""',
    "\\",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_spec_name_never_becomes_code(name: str, tmp_path) -> None:
    import ast

    # the name as a TOML basic string
    name_line = 'name = "' + name.replace("\\", "\\\\").replace('"', '\\"') + '"\n'
    name_line = name_line.replace("\n", "\\n").replace("\r", "\\r").replace("\x00", "\\u0000")
    name_line = name_line.replace("\u2028", "\\u2028")[:-2] + "\n"
    text = name_line + EXAMPLE_SPEC.split("\n", 2)[2]
    built = load_spec_text(text)
    assert built.spec.name == name.strip()
    source = export_pytorch(built.module, built.spec.name, built.input_shape, f"spec {name}")
    tree = ast.parse(source)
    # the module's docstring is one string holding the name, and nothing imports os
    assert name.strip() in ast.get_docstring(tree, clean=False)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported == {"torch", "numpy"}
    namespace = load_exported(source)
    assert namespace["build"]().__class__.__name__ == "Sequential"
    assert namespace[python_name(name)] is namespace["build"]


def test_non_finite_numbers_are_written_as_float_calls() -> None:
    from cnntui.zoo.export_pytorch import literal

    assert literal(float("inf")) == 'float("inf")'
    assert literal(float("-inf")) == 'float("-inf")'
    assert literal(float("nan")) == 'float("nan")'
    assert literal((1, "a'\"\n")) == "(1, 'a\\'\"\\n')"
    assert literal(np.int64(3)) == "3"
    with pytest.raises(TypeError):
        literal(object())
    text = """
input = [2, 4, 4]
[[layers]]
type = "batchnorm2d"
momentum = inf
[[layers]]
type = "leakyrelu"
negative_slope = inf
"""
    built = load_spec_text(text)
    exported = load_exported(export_pytorch(built.module, "inf", built.input_shape))["build"]()
    assert exported[0].momentum == float("inf")
    assert exported[1].negative_slope == float("inf")


def test_python_name_is_an_ascii_identifier() -> None:
    for text in ["x\nimport os", "é²", "__", "a.b(c)", "0", "match"]:
        name = python_name(text)
        assert name.isidentifier() and name.isascii(), text


_LENET = None


def _lenet():
    global _LENET
    if _LENET is None:
        _LENET = load_spec_text(EXAMPLE_SPEC)
    return _LENET


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_name_stays_inside_its_docstring(name: str) -> None:
    import ast

    built = _lenet()
    source = export_pytorch(built.module, name, built.input_shape, f"spec {name}")
    tree = ast.parse(source)
    assert ast.get_docstring(tree, clean=False).startswith(f"{name}: a PyTorch version")
    plain = ast.parse(export_pytorch(built.module, "net", built.input_shape, "spec net"))
    # the same statements as with a plain name, the same imports and calls: the name added no code
    assert [type(node) for node in tree.body] == [type(node) for node in plain.body]
    for kind in (ast.Import, ast.ImportFrom, ast.Call):
        found = [ast.dump(n) for n in ast.walk(tree) if isinstance(n, kind)]
        assert found == [ast.dump(n) for n in ast.walk(plain) if isinstance(n, kind)]
    assert python_name(name).isidentifier()
