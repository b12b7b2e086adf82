"""Errors of `cnntui explain`, `cnntui transfer`, the Explain mode and the smaller pure modules
(GAN images and divergence, facts, bundled resources, the subcommand table) in Korean: one line,
the values (methods, layers, shapes, options) kept as they are, no English prose left."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import make_app, wait_until

from cnntui import cli
from cnntui.i18n import set_language

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def prose(text: str, *kept: str) -> set[str]:
    """English words of three letters or more left in `text` once the `kept` values are cut."""
    for value in kept:
        text = text.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


def korean_error(call: Callable[[], object], kind: type[Exception] = Exception) -> str:
    """The message of the error `call` raises in Korean (the language is English again after)."""
    set_language("ko")
    try:
        with pytest.raises(kind) as caught:
            call()
    finally:
        set_language("en")
    return str(caught.value)


# -- the command line --------------------------------------------------------------------------


def test_explain_bad_method_is_one_korean_line(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(
        ["explain", "lenet5-digits", "--image", "digit-3", "--method", "nope", "--lang", "ko"]
    )
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and HANGUL.search(err)
    assert "'nope'" in err and "gradcam" in err
    assert prose(err, "cnntui explain", "--method", "--help", "activations", "saliency") <= {
        "nope",
        "occlusion",
        "gradcam",
    }


@pytest.mark.parametrize(
    ("argv", "kept"),
    [
        (["--per-class", "0"], ["--per-class"]),
        (["--epochs", "501"], ["--epochs"]),
        (["--seed", "-1"], ["--seed"]),
    ],
)
def test_transfer_bad_setting_is_one_korean_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], kept: list[str]
) -> None:
    status = cli.main(["transfer", *argv, "--lang", "ko"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and HANGUL.search(err)
    assert err.startswith("cnntui transfer: ")
    assert argv[1] in err and prose(err, "cnntui transfer", *kept) == set()


def test_explain_layer_for_saliency_is_korean(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", "lenet5-digits", "--image", "digit-3", "--method", "saliency"]
    status = cli.main([*argv, "--layer", "c1", "--lang", "ko"])
    _, err = capsys.readouterr()
    assert status == 2 and HANGUL.search(err) and "--layer" in err and "saliency" in err
    assert prose(err, "cnntui explain", "--layer", "activations", "gradcam", "saliency") == set()
    # the same command in English is unchanged
    assert cli.main([*argv, "--layer", "c1"]) == 2
    _, err = capsys.readouterr()
    assert "--layer applies to activations and gradcam, not to saliency" in err


def test_a_subcommand_that_fails_to_import_is_named_in_korean(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = cli.importlib.import_module

    def flaky(name: str):  # type: ignore[no-untyped-def]
        if name == "cnntui.commands.lessons":
            raise SyntaxError("broken module")
        return real_import(name)

    monkeypatch.setattr(cli.importlib, "import_module", flaky)
    monkeypatch.delenv("CNNTUI_DEBUG", raising=False)
    assert cli.main(["--lang", "ko", "--help"]) == 1
    _, err = capsys.readouterr()
    assert "'lessons'" in err and "cnntui.commands.lessons" in err and "SyntaxError" in err
    assert "불러오지 못했습니다" in err


def test_a_broken_config_is_reported_in_its_own_language_and_kept(
    isolated_user_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The language is read from the file before anything else; the file's other problems are
    told by the app (in that language), so a subcommand leaves a broken file where it is."""
    from cnntui.settings import config_path, language_setting, load_settings

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('language = "ko"\ndevice = "tpu"\n', encoding="utf-8")
    assert cli.choose_language([]) == "ko"
    _, warnings = load_settings()
    assert len(warnings) == 1 and HANGUL.search(warnings[0]) and "'tpu'" in warnings[0]
    path.write_text("language = \n", encoding="utf-8")  # not TOML
    assert language_setting() is None
    assert cli.main(["models", "--json"]) == 0
    capsys.readouterr()
    assert path.read_text(encoding="utf-8") == "language = \n"  # not set aside unseen
    set_language("ko")
    _, warnings = load_settings()
    assert len(warnings) == 1 and HANGUL.search(warnings[0]) and "config.toml" in warnings[0]


# -- the pure modules --------------------------------------------------------------------------


def test_explain_errors_in_korean_keep_their_values() -> None:
    from cnntui.engine import nn
    from cnntui.errors import UsageError
    from cnntui.explain import pretrained
    from cnntui.explain.attribution import attribution_map, gradcam, occlusion
    from cnntui.explain.network import forward_trace, unit_detail
    from cnntui.explain.report import explain_module
    from cnntui.explain.transfer import freeze, init_from, read_init_state

    net = pretrained.load("lenet5-digits")
    x = np.zeros(net.input_shape, dtype=np.float32)
    names = list(net.class_names)
    cases: list[tuple[Callable[[], object], tuple[str, ...]]] = [
        (lambda: occlusion(net.module, x, size=99), ("28", "size", "stride")),
        (lambda: attribution_map(net.module, x, "nope"), ("'nope'", "saliency", "occlusion")),
        (lambda: explain_module(net.module, x[0], names), ("(C, H, W)", "(28, 28)")),
        (lambda: explain_module(net.module, x, names[:3]), ("(10,)", "3")),
        (lambda: explain_module(net.module, x, names, method="x"), ("'x'", "activations")),
        (lambda: gradcam(nn.Sequential(nn.Flatten(), nn.Linear(784, 2)), x), ("Grad-CAM",)),
        (lambda: unit_detail(forward_trace(net.module, x), 0, (99, 0, 0)), ("c1", "(99, 0, 0)")),
        (lambda: read_init_state("nothing-here"), ("--init", "'nothing-here'")),
        (lambda: init_from(nn.Sequential(nn.Linear(2, 2)), {"zz.weight": x}), ("--init",)),
        (lambda: freeze(net.module, ["zz"]), ("--freeze", "'zz'")),
        (lambda: freeze(net.module, pretrained_layers(net.module)), ("--freeze",)),
    ]
    for call, kept in cases:
        text = korean_error(call, UsageError)
        assert HANGUL.search(text), text
        for value in kept:
            assert value in text, (value, text)
        assert "\n" not in text


def pretrained_layers(module: object) -> list[str]:
    from cnntui.explain.transfer import trainable_layer_names

    return trainable_layer_names(module)


def test_gan_facts_and_resource_errors_in_korean(tmp_path: Path) -> None:
    from cnntui import resources
    from cnntui.facts import FactsError, load_facts_file, parse_facts
    from cnntui.gan.divergence import grid_histogram, js_divergence_histograms
    from cnntui.gan.images import read_pgm, tile, upscale

    not_pgm = tmp_path / "x.pgm"
    not_pgm.write_bytes(b"P2 1 1 255 0")
    bad_toml = tmp_path / "facts.toml"
    bad_toml.write_text("a = ", encoding="utf-8")
    cases: list[tuple[Callable[[], object], type[Exception], tuple[str, ...]]] = [
        (lambda: tile(np.zeros((2, 3, 4, 4))), ValueError, ("3",)),
        (lambda: tile(np.zeros((4, 4))), ValueError, ("(4, 4)",)),
        (lambda: upscale(np.zeros((2, 2)), 0), ValueError, ("0",)),
        (lambda: read_pgm(not_pgm), ValueError, ("x.pgm", "PGM")),
        (lambda: grid_histogram(np.zeros((0, 2))), ValueError, ()),
        (lambda: grid_histogram(np.zeros((1, 2)), bins=0), ValueError, ("bins",)),
        (lambda: js_divergence_histograms(np.ones(2), np.ones(3)), ValueError, ("(2,)", "(3,)")),
        (lambda: parse_facts({"a": 1}), FactsError, ("'a'",)),
        (lambda: parse_facts({"a": {"value": 1}}), FactsError, ("'a'",)),
        (lambda: parse_facts({"a": {"value": 1, "x": 2}}), FactsError, ("'a'", "x", "source")),
        (lambda: parse_facts({"a": {"value": [1]}}), FactsError, ("'a'", "value")),
        (lambda: load_facts_file(tmp_path / "none.toml"), FactsError, ("none.toml",)),
        (lambda: load_facts_file(bad_toml), FactsError, ("facts.toml", "TOML")),
        (lambda: resources.lessons_dir("xx"), FileNotFoundError, ("'xx'", "cnntui")),
    ]
    for call, kind, kept in cases:
        text = korean_error(call, kind)
        assert HANGUL.search(text), text
        for value in kept:
            assert value in text, (value, text)


def test_a_missing_bundled_folder_is_korean() -> None:
    from cnntui import resources

    resources._find.cache_clear()
    try:
        text = korean_error(lambda: resources._find("no-such-folder"), FileNotFoundError)
    finally:
        resources._find.cache_clear()
    assert "'no-such-folder'" in text and "다시 설치" in text


# -- the Explain mode's notices ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


async def test_explain_notices_in_korean(tmp_path: Path) -> None:
    from cnntui.ui.explain.screen import ExplainScreen

    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"this is not a network")
    set_language("ko")
    try:
        app = make_app("explain", "conv")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("7")
            await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), 30)
            screen = app.screen
            assert isinstance(screen, ExplainScreen)
            await wait_until(pilot, lambda: screen.session is not None, 30)
            # a layer a link names that the network lacks
            await app.follow_link("cnntui:explain?model=lenet5-digits&layer=zz")
            await wait_until(
                pilot, lambda: any("'zz'" in n.message for n in app._notifications), 30
            )
            notice = next(n.message for n in app._notifications if "'zz'" in n.message)
            assert HANGUL.search(notice) and "c1" in notice
            layers = sorted(screen.session.trace.names, key=len, reverse=True)  # type: ignore[union-attr]
            assert prose(notice, *layers) == set(), notice
            # a file that is no ONNX network: a Korean notice naming it, the app keeps going
            await app.follow_link(f"cnntui:explain?model={bad}")
            await wait_until(
                pilot, lambda: any("bad.onnx" in n.message for n in app._notifications), 30
            )
            notice = next(n.message for n in app._notifications if "bad.onnx" in n.message)
            assert HANGUL.search(notice), notice
            assert screen.model_name == "lenet5-digits"
    finally:
        set_language("en")


def test_a_transfer_runs_title_note_in_korean() -> None:
    """`cnntui train --init/--freeze` adds to the run's title what it did, in the run's language;
    the " · " parts stay for the Train mode to split."""
    from cnntui import zoo
    from cnntui.engine import module as engine_module
    from cnntui.explain import transfer

    engine_module.manual_seed(0)
    model = zoo.build("lenet5-28")
    for p in model.parameters():
        p.materialize()
    set_language("ko")
    try:
        note = transfer.prepare_run_model(model, "lenet5-digits-0-4", "c1,c3")
    finally:
        set_language("en")
    parts = note.split(" · ")
    assert parts[0] == "" and len(parts) == 3
    assert parts[1].startswith("초기 가중치 사전 학습 lenet5-digits-0-4")
    assert "새로 초기화: output" in parts[1] and parts[2] == "고정 c1, c3"
