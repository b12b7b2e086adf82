"""`cnntui conv` and `cnntui pool` run headlessly: text, JSON and one-line errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from cnntui import images
from cnntui.commands import conv, pool
from cnntui.errors import UsageError


def _run(module, capsys, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog=f"cnntui {module.NAME}")
    module.add_arguments(parser)
    status = module.run(parser.parse_args(list(argv)))
    return status, capsys.readouterr().out


def test_interfaces():
    assert (conv.NAME, pool.NAME) == ("conv", "pool")
    assert conv.HELP and pool.HELP


def test_conv_json_hand_checked(capsys, tmp_path: Path):
    path = tmp_path / "tiny.pgm"
    path.write_bytes(b"P2\n3 3\n4\n0 1 2\n3 4 0\n1 2 3\n")
    status, out = _run(conv, capsys, "--image", str(path), "--kernel", "1,0;0,-1", "--json")
    assert status == 0
    document = json.loads(out)
    assert document["input_shape"] == {"height": 3, "width": 3, "channels": 1}
    assert document["output_shape"] == {"height": 2, "width": 2, "channels": 1}
    assert document["kernel"]["values"] == [[[1.0, 0.0], [0.0, -1.0]]]
    # x/4 with x = [[0,1,2],[3,4,0],[1,2,3]]: out[i,j] = x[i,j] − x[i+1,j+1]
    assert document["output"] == [[-1.0, 0.25], [0.25, 0.25]]


def test_conv_options_match_the_stepper(capsys):
    _, out = _run(
        conv,
        capsys,
        "--image",
        "digit-7-16",
        "--kernel",
        "sobel-x",
        "--stride",
        "2",
        "--padding",
        "1",
        "--padding-mode",
        "replicate",
        "--dilation",
        "2",
        "--bias",
        "0.5",
        "--relu",
        "--json",
    )
    document = json.loads(out)
    assert document["output_shape"] == {"height": 7, "width": 7, "channels": 1}
    assert min(min(row) for row in document["output"]) >= 0
    _, out = _run(
        conv, capsys, "--image", "digit-7", "--kernel", "laplacian", "--padding", "same", "--json"
    )
    assert json.loads(out)["output_shape"]["height"] == 28


def test_conv_rgb_and_transposed(capsys):
    _, out = _run(conv, capsys, "--image", "balloons-8", "--kernel", "box-blur", "--json")
    document = json.loads(out)
    assert document["input_shape"]["channels"] == 3
    assert document["kernel"]["values"] and len(document["kernel"]["values"]) == 3
    pixels = images.load("balloons-8").pixels.astype(np.float64)
    assert document["output"][0][0] == pytest.approx(pixels[:, :3, :3].sum() / 9, abs=1e-6)
    _, out = _run(
        conv,
        capsys,
        "--image",
        "square-8",
        "--kernel",
        "1,1;1,1",
        "--transposed",
        "--stride",
        "2",
        "--output-padding",
        "1",
        "--json",
    )
    assert json.loads(out)["output_shape"] == {"height": 17, "width": 17, "channels": 1}


def test_conv_text(capsys):
    status, out = _run(conv, capsys, "--image", "digit-3-8", "--kernel", "laplacian")
    assert status == 0
    assert "→ 6×6" in out and "scale: ' ' = -3 ... '@' = 3" in out and "values:" in out
    _, out = _run(conv, capsys, "--image", "photo", "--kernel", "sobel-y")
    assert "values not shown" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--image", "nope", "--kernel", "laplacian"), "no image named 'nope'"),
        (("--image", "digit-7", "--kernel", "sobel"), "unknown kernel 'sobel'"),
        (("--image", "digit-7", "--kernel", "1,2;3"), "different lengths"),
        (
            ("--image", "digit-3-8", "--kernel", "laplacian", "--dilation", "5"),
            "larger than the padded input",
        ),
        (("--image", "digit-7", "--kernel", "laplacian", "--padding", "x"), "--padding takes"),
        (("--image", "digit-7", "--kernel", "1,1;1,1", "--padding", "same"), "pads unevenly"),
        (("--image", "digit-7", "--kernel", "laplacian", "--output-padding", "1"), "--transposed"),
        (("--image", "balloons", "--kernel", "1|1"), "2 channels but the image has 3"),
    ],
)
def test_conv_bad_input(capsys, argv, fragment):
    with pytest.raises(UsageError, match=fragment) as caught:
        _run(conv, capsys, *argv)
    assert "\n" not in str(caught.value)


def test_corrupt_file_is_a_usage_error(capsys, tmp_path: Path):
    path = tmp_path / "bad.ppm"
    path.write_bytes(b"P6\n4 4\n255\n\x00\x01")
    with pytest.raises(UsageError, match="truncated"):
        _run(conv, capsys, "--image", str(path), "--kernel", "identity")


def test_pool(capsys):
    _, out = _run(pool, capsys, "--image", "digit-3-8", "--kind", "max", "--size", "2", "--json")
    document = json.loads(out)
    pixels = images.load("digit-3-8").pixels[0]
    assert document["output_shape"] == {"height": 4, "width": 4, "channels": 1}
    np.testing.assert_allclose(document["output"], pixels.reshape(4, 2, 4, 2).max(axis=(1, 3)))
    _, out = _run(
        pool,
        capsys,
        "--image",
        "balloons-8",
        "--kind",
        "avg",
        "--size",
        "3",
        "--stride",
        "2",
        "--json",
    )
    document = json.loads(out)
    assert document["output_shape"] == {"height": 3, "width": 3, "channels": 3}
    assert np.array(document["output"]).shape == (3, 3, 3)
    status, out = _run(pool, capsys, "--image", "balloons-8", "--size", "2")
    assert status == 0 and "channel G:" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--image", "digit-7", "--size", "0"), "1 or more"),
        (("--image", "digit-7", "--size", "2", "--padding", "2"), "more than half"),
        (("--image", "digit-0-8", "--size", "9"), "larger than the padded input"),
    ],
)
def test_pool_bad_input(capsys, argv, fragment):
    with pytest.raises(UsageError, match=fragment):
        _run(pool, capsys, *argv)


def test_through_the_cli(capsys):
    cli = pytest.importorskip("cnntui.cli")
    assert cli.main(["conv", "--image", "nope", "--kernel", "laplacian"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnntui conv: error:") and err.count("\n") == 1
    assert cli.main(["pool", "--image", "digit-7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output_shape"]["height"] == 14


@pytest.mark.parametrize("bias", ["1e400", "nan", "-inf", "1e7"])
def test_a_non_finite_or_huge_bias_is_refused(
    bias: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cnntui.cli import main

    assert main(["conv", "--image", "digit-3", "--kernel", "sobel-x", "--bias", bias]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --bias" in err
