"""`cnntui calc` run headlessly: text, JSON, and one-line errors for bad input."""

from __future__ import annotations

import argparse
import json

import pytest

from cnntui.commands import calc
from cnntui.errors import UsageError


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="cnntui calc")
    calc.add_arguments(parser)
    status = calc.run(parser.parse_args(list(argv)))
    return status, capsys.readouterr().out


def test_module_follows_the_command_interface():
    assert calc.NAME == "calc"
    assert isinstance(calc.HELP, str) and calc.HELP


def test_json_document(capsys):
    status, out = _run(
        capsys,
        "--input",
        "227x227x3",
        "--kernel",
        "11",
        "--stride",
        "4",
        "--padding",
        "0",
        "--filters",
        "96",
        "--json",
    )
    assert status == 0
    assert out.count("\n") == 1
    document = json.loads(out)
    assert document["output"] == {"height": 55, "width": 55, "channels": 96}
    assert document["params"] == 34_944
    assert document["macs"] == 105_415_200
    assert document["receptive_field"] == {"height": 11, "width": 11}
    assert "⌊(227 + 2·0 − 11)/4⌋ + 1" in document["formula"]


def test_text_report(capsys):
    status, out = _run(
        capsys, "--input", "224x224x3", "--kernel", "3", "--stride", "2", "--filters", "8"
    )
    assert status == 0
    assert "output           111×111×8" in out
    assert "note: height and width" in out
    assert "exact fits nearby:" in out


def test_options(capsys):
    _, out = _run(capsys, "--input", "28x28x6", "--pool", "max", "--kernel", "2", "--json")
    assert json.loads(out)["output"] == {"height": 14, "width": 14, "channels": 6}
    _, out = _run(
        capsys,
        "--input",
        "7x7x8",
        "--transposed",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "1",
        "--output-padding",
        "1",
        "--filters",
        "4",
        "--no-bias",
        "--json",
    )
    document = json.loads(out)
    assert document["output"] == {"height": 14, "width": 14, "channels": 4}
    assert document["params"] == 8 * 4 * 9
    _, out = _run(
        capsys,
        "--input",
        "10x12x4",
        "--kernel",
        "3x5",
        "--padding",
        "same",
        "--groups",
        "2",
        "--json",
    )
    document = json.loads(out)
    assert document["output"] == {"height": 10, "width": 12, "channels": 4}
    assert document["params"] == 3 * 5 * 2 * 4 + 4
    _, out = _run(
        capsys, "--input", "9x9", "--kernel", "3", "--dilation", "2", "--padding", "full", "--json"
    )
    assert json.loads(out)["output"]["height"] == 13


def test_chain(capsys):
    status, out = _run(capsys, "--chain", "lenet5")
    assert status == 0
    assert "total parameters 61,706" in out
    _, out = _run(capsys, "--chain", "alexnet", "--json")
    document = json.loads(out)
    assert document["params"] == 60_965_224
    assert document["layers"][0]["receptive_field"] == {"height": 11, "width": 11}
    assert document["preset"] == "alexnet"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("--input", "5x5", "--kernel", "7"), "larger than the padded input"),
        (("--input", "abc"), "HEIGHTxWIDTHxCHANNELS"),
        (("--kernel", "3"), "--input"),
        (("--input", "8x8", "--kernel", "x"), "--kernel takes"),
        (("--input", "8x8", "--padding", "half"), "--padding takes"),
        (("--input", "8x8", "--stride", "2", "--padding", "same"), "needs stride 1"),
        (("--input", "8x8x3", "--groups", "2", "--filters", "4"), "groups"),
        (("--input", "8x8", "--pool", "max", "--transposed"), "either --pool or --transposed"),
        (("--input", "8x8", "--output-padding", "1"), "--transposed"),
        (
            ("--input", "8x8", "--transposed", "--stride", "2", "--output-padding", "2"),
            "smaller than",
        ),
        (("--chain", "resnet"), "lenet5"),
        (("--chain", "lenet5", "--input", "8x8"), "layer 3"),
    ],
)
def test_bad_input_is_one_line_usage_error(capsys, argv, fragment):
    with pytest.raises(UsageError) as caught:
        _run(capsys, *argv)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_through_the_cli_when_present(capsys):
    cli = pytest.importorskip("cnntui.cli")
    assert cli.main(["calc", "--input", "5x5", "--kernel", "7"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnntui calc: error:") and err.count("\n") == 1
    assert cli.main(["calc", "--input", "32x32x3", "--kernel", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"]["height"] == 28
