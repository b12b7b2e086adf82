"""Choosing the language, and the checks that keep a translation of the lessons faithful."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cnntui import i18n
from cnntui.cli import _lang_in, choose_language
from cnntui.glossary import first_use_problems, load_glossary
from cnntui.lessons import lesson_language, load_lessons, translation_problems
from cnntui.settings import load_settings, parse_settings, save_language

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("cli", "env", "setting", "expected"),
    [
        ("ko", {"CNNTUI_LANG": "en", "LANG": "en_US.UTF-8"}, "en", "ko"),
        (None, {"CNNTUI_LANG": "ko", "LANG": "en_US.UTF-8"}, "en", "ko"),
        (None, {"LANG": "en_US.UTF-8"}, "ko", "ko"),
        (None, {"LANG": "ko_KR.UTF-8"}, None, "ko"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "ko_KR.UTF-8"}, None, "en"),
        (None, {"LC_MESSAGES": "ko_KR", "LANG": "en_GB"}, None, "ko"),
        (None, {}, None, "en"),
        (None, {"CNNTUI_LANG": "fr"}, None, "en"),
    ],
)
def test_resolve_language_order(cli, env, setting, expected):
    assert i18n.resolve_language(cli, setting, env) == expected


def test_normalise_language_accepts_locale_forms():
    assert i18n.normalise_language("ko_KR.UTF-8") == "ko"
    assert i18n.normalise_language("KO") == "ko"
    assert i18n.normalise_language("en-GB") == "en"
    assert i18n.normalise_language("de") is None
    assert i18n.normalise_language(3) is None


def test_set_language_rejects_unknown():
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        i18n.set_language("xx")
    assert i18n.current_language() == "en"


def test_gettext_translates_in_korean_and_passes_english_through():
    i18n.set_language("ko")
    assert i18n._("Lessons") == "강의"
    assert i18n._("no such message in the catalogue") == "no such message in the catalogue"
    i18n.set_language("en")
    assert i18n._("Lessons") == "Lessons"


def test_lang_prescan_finds_the_last_value_before_double_dash():
    assert _lang_in(["lessons", "--lang", "ko"]) == "ko"
    assert _lang_in(["--lang=en", "calc", "--lang", "ko"]) == "ko"
    assert _lang_in(["--", "--lang", "ko"]) is None
    assert _lang_in(["calc"]) is None


def test_choose_language_reads_the_config(monkeypatch, isolated_user_dirs):
    monkeypatch.delenv("CNNTUI_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    save_language("ko")
    assert choose_language([]) == "ko"
    assert choose_language(["--lang", "en"]) == "en"


def test_language_setting_is_validated():
    settings, warnings = parse_settings({"language": "ko"})
    assert settings.language == "ko" and not warnings
    settings, warnings = parse_settings({"language": "klingon"})
    assert settings.language is None
    assert warnings == [
        "config.toml: language must be one of en, ko, not 'klingon'; using the locale's"
    ]


def test_save_language_keeps_the_rest_of_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n\n[keys]\n"lessons.next" = "right"\n', encoding="utf-8")
    save_language("ko", path)
    assert path.read_text(encoding="utf-8").startswith('language = "ko"\ntheme = "nord"\n')
    save_language("en", path)
    text = path.read_text(encoding="utf-8")
    assert text.count("language") == 1 and 'language = "en"' in text
    assert '"lessons.next" = "right"' in text
    settings, warnings = load_settings(path)
    assert settings.language == "en" and settings.theme == "nord" and not warnings


def _translate(tmp_path: Path) -> Path:
    folder = tmp_path / "ko"
    shutil.copytree(FIXTURES, folder)
    return folder


def test_an_identical_copy_is_a_faithful_translation(tmp_path):
    english = load_lessons(FIXTURES)
    assert translation_problems(english, load_lessons(_translate(tmp_path))) == []


def test_translation_with_another_numeric_answer_is_refused(tmp_path):
    folder = _translate(tmp_path)
    path = folder / "01-convolution.md"
    path.write_text(path.read_text().replace("answer = 24", "answer = 25"), encoding="utf-8")
    reasons = [p.reason for p in translation_problems(load_lessons(FIXTURES), load_lessons(folder))]
    assert reasons == ["quiz quiz-1: answer must be 24 as in the English"]


def test_text_answers_must_accept_the_english_term(tmp_path):
    folder = _translate(tmp_path)
    path = folder / "02-pooling.md"
    original = 'answer = "the largest value"'
    path.write_text(path.read_text().replace(original, 'answer = "최댓값"'), encoding="utf-8")
    english = load_lessons(FIXTURES)
    reasons = [p.reason for p in translation_problems(english, load_lessons(folder))]
    assert reasons == [
        "quiz quiz-1: must accept the English answer 'the largest value' too (add it to accept)"
    ]
    path.write_text(
        path.read_text().replace(
            'answer = "최댓값"', 'answer = "최댓값"\naccept = ["the largest value"]'
        ),
        encoding="utf-8",
    )
    translated = load_lessons(folder)
    assert translation_problems(english, translated) == []
    quiz = translated[1].quizzes[0]
    assert quiz.check("최댓값") and quiz.check("The  largest value") and not quiz.check("평균")


def test_missing_lessons_links_and_moved_choices_are_named(tmp_path):
    folder = _translate(tmp_path)
    (folder / "03-lenet.md").unlink()
    path = folder / "01-convolution.md"
    text = path.read_text().replace("(https://arxiv.org/abs/1603.07285)", "(https://example.org)")
    text = text.replace('choices = ["0", "1", "2"]', 'choices = ["1", "0", "2"]')
    path.write_text(text, encoding="utf-8")
    reasons = sorted(
        str(p) for p in translation_problems(load_lessons(FIXTURES), load_lessons(folder))
    )
    assert any("03-lenet.md: has no translation" in r for r in reasons)
    assert any(
        "links differ" in r and "lacks https://arxiv.org/abs/1603.07285" in r for r in reasons
    )
    assert any("the right choice must stand where it does in the English" in r for r in reasons)


def test_glossary_first_use_needs_english():
    glossary = {"합성곱 신경망": "convolutional neural network", "합성곱": "convolution"}
    good = "합성곱 신경망(convolutional neural network)은\n합성곱 (Convolution)을 쓴다. 합성곱."
    assert first_use_problems(good, glossary) == []
    bad = "`합성곱`은 코드.\n합성곱을 먼저 쓰고\n합성곱(convolution)은 나중에."
    problems = first_use_problems(bad, glossary)
    assert [(p.term, p.line) for p in problems] == [("합성곱", 2)]


def test_bundled_glossary_has_the_issue_terms():
    glossary = load_glossary()
    for term in ("합성곱", "풀링", "패딩", "스트라이드", "특징 맵", "수용 영역", "배치 정규화"):
        assert glossary[term]


def test_facts_write_their_units_in_the_lessons_language():
    from decimal import Decimal

    from cnntui.facts import Fact, korean_amount
    from cnntui.lesson_template import render

    assert korean_amount(Decimal(65_000_000)) == "6,500만"
    assert korean_amount(Decimal(1_500_000_000)) == "15억"
    assert korean_amount(Decimal("3860000000")) == "38.6억"
    assert korean_amount(Decimal(500)) == "500"
    assert Fact("x", 6, "s", unit="times").display("ko") == "6배"
    assert Fact("x", 60, "s", unit="million").display("ko") == "6,000만"
    assert Fact("x", 15.3, "s", unit="%").display("ko") == "15.3%"
    assert Fact("x", 4, "s", unit="GB").display("ko") == "4 GB"
    text = "{{ fact alexnet.relu_speedup }}"
    assert render(text) == "6 times" and render(text, language="ko") == "6배"


def test_a_lessons_language_is_its_folders():
    assert lesson_language(Path("lessons/ko/03-convolution.md")) == "ko"
    assert lesson_language(Path("lessons/03-convolution.md")) == "en"
