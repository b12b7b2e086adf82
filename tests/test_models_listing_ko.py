"""`cnntui models` in Korean: every description in the current language, measured in cells so a
line never runs past the terminal; `--json` keeps the English."""

from __future__ import annotations

import json

import pytest

from cnntui import cli
from cnntui.cells import cell_width, clip_cells
from cnntui.i18n import set_language


@pytest.fixture(autouse=True)
def english_after() -> object:
    yield
    set_language("en")


def test_clip_cells_counts_a_hangul_syllable_as_two() -> None:
    assert clip_cells("합성곱 신경망", 9) == "합성곱..."
    assert cell_width(clip_cells("합성곱 신경망", 9)) == 9
    assert clip_cells("short", 9) == "short"
    assert clip_cells("convolutions", 8) == "convo..."


def test_models_lists_korean_descriptions_within_the_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert cli.main(["models", "--lang", "ko"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(cell_width(line) for line in lines) <= 100
    by_name = {line.split()[0]: line for line in lines}
    assert "학습된 가중치 포함: " in by_name["lenet5-digits"]
    assert "손글씨" in by_name["lenet5-digits"]
    # a zoo entry with numbers in its description (VGG-16's template) is Korean too
    assert any("\uac00" <= ch <= "\ud7a3" for ch in by_name["vgg16"].split("  ")[-1])


def test_models_json_keeps_the_english_under_korean(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models", "--json", "--lang", "ko"]) == 0
    models = {m["name"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert models["lenet5-digits"]["description"] == (
        "pretrained: LeNet-5 on the bundled handwritten digits at 28×28"
    )
