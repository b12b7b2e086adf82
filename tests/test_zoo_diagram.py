"""Block diagrams and model comparison (pure text, no terminal)."""

from __future__ import annotations

import pytest

from cnntui import zoo
from cnntui.zoo.compare import compare
from cnntui.zoo.diagram import block_diagram, op_label
from cnntui.zoo.summary import summarize_zoo


def test_inception_module_has_four_branches_joined() -> None:
    s = summarize_zoo("googlenet")
    lines = block_diagram(s, "inception3a")
    text = "\n".join(lines)
    assert lines[0] == "inception3a (Inception)"
    assert lines[1] == "input 192×28×28"
    for branch in ("branch1", "branch2", "branch3", "branch4"):
        assert branch in text
    assert "conv 3×3, 128" in text and "maxpool 3×3 s1" in text
    assert lines[-1].strip() == "concat → 256×28×28"
    assert max(len(line) for line in lines) <= 78  # fits an 80-column terminal


def test_residual_blocks_show_their_shortcut() -> None:
    s = summarize_zoo("resnet50")
    projection = "\n".join(block_diagram(s, "layer2.0"))
    assert "shortcut" in projection and "conv 1×1 s2, 512" in projection
    assert "⊕ add → relu → 512×28×28" in projection
    identity = "\n".join(block_diagram(s, "layer2.1", ascii_only=True))
    assert "identity" in identity and identity.isascii()
    assert "(+) add -> relu -> 512x28x28" in identity


def test_chain_and_leaf_diagrams() -> None:
    s = summarize_zoo("lenet5")
    chain = block_diagram(s)
    assert chain[0] == "lenet5 (network)" and chain[-1] == "output 10"
    assert sum("conv 5×5" in line for line in chain) == 2
    leaf = block_diagram(s, "c3")
    assert any("conv 5×5, 16" in line for line in leaf)
    with pytest.raises(KeyError):
        block_diagram(s, "nope")


def test_op_labels() -> None:
    s = summarize_zoo("alexnet")
    assert op_label(s.layer("conv2")) == "conv 5×5 g2, 256"
    assert op_label(s.layer("conv1")) == "conv 11×11 s4, 96"
    assert op_label(s.layer("pool1")) == "maxpool 3×3 s2"
    assert op_label(s.layer("fc8")) == "fc 1000"
    g = summarize_zoo("dcgan-generator")
    assert op_label(g.layer("main.0")) == "deconv 4×4, 512"


def test_compare_rows() -> None:
    a, b = summarize_zoo("alexnet"), summarize_zoo("googlenet")
    rows = {row.label: row for row in compare(a, b, zoo.get("alexnet"), zoo.get("googlenet"))}
    assert (rows["parameters"].a, rows["parameters"].b) == ("60,965,224", "6,624,904")
    assert rows["parameters"].ratio == "0.11×"
    assert (rows["ILSVRC top-5 error"].a, rows["ILSVRC top-5 error"].b) == ("15.3%", "6.7%")
    assert (rows["year"].a, rows["year"].b) == ("2012", "2014")
    assert (rows["depth (weight layers)"].a, rows["depth (weight layers)"].b) == ("8", "22")
    assert rows["conv + FC layers"].b == "58"
    ascii_rows = compare(a, b, ascii_only=True)
    assert all(r.a.isascii() and r.b.isascii() for r in ascii_rows if r.label != "parameters")
