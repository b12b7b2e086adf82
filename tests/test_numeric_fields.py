"""Numbers typed into the app's fields: overflow, non-finite and odd digits are refused in one line."""

from __future__ import annotations

import time

import pytest
from conftest import make_app
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from cnntui.numeric import NumberError, parse_number, valid_number


@pytest.mark.parametrize(
    ("text", "limits", "expected"),
    [
        ("0.5", {}, 0.5),
        (" -3 ", {"integer": True}, -3.0),
        ("1/9", {"fractions": True}, 1 / 9),
        ("-.5e1", {}, -5.0),
        ("7", {"integer": True, "low": 1, "high": 7}, 7.0),
    ],
)
def test_numbers_within_bounds_are_read(text: str, limits: dict, expected: float) -> None:
    assert parse_number(text, **limits) == expected


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("1e400", {}, "too large"),
        ("1e1000000000", {"fractions": True}, "too large"),
        ("inf", {}, "is not a number"),
        ("nan", {}, "is not a number"),
        ("-Infinity", {}, "is not a number"),
        ("²", {"integer": True}, "is not a whole number"),
        ("1_000", {}, "is not a number"),
        ("9" * 5000, {"integer": True}, "…' is not a whole number"),
        ("1/0", {"fractions": True}, "divides by zero"),
        ("1e308/1e-308", {"fractions": True}, "too large"),
        ("1/2/3", {"fractions": True}, "is not a number"),
        ("2.5", {"integer": True}, "is not a whole number"),
        (
            "8",
            {"integer": True, "low": 1, "high": 7},
            "outside the range: enter a whole number from 1 to 7",
        ),
        ("", {}, "is not a number"),
    ],
)
def test_bad_numbers_give_one_line(text: str, limits: dict, message: str) -> None:
    with pytest.raises(NumberError, match=message) as caught:
        parse_number(text, **limits)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 120
    assert not valid_number(text, **limits)


@settings(max_examples=300, deadline=200)
@given(st.text(max_size=60), st.booleans(), st.booleans())
def test_any_text_is_a_finite_number_or_a_number_error(
    text: str, integer: bool, fractions: bool
) -> None:
    started = time.perf_counter()
    try:
        value = parse_number(text, integer=integer, fractions=fractions, low=-1e6, high=1e6)
    except NumberError:
        pass
    else:
        assert -1e6 <= value <= 1e6
    assert time.perf_counter() - started < 0.1


async def test_typing_1e400_into_a_conv_lab_kernel_cell_is_a_notice() -> None:

    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert type(editor).__name__ == "ConvKernelScreen"
        before = editor.grid.values.copy()
        for text in ("1e400", "1e1000000000", "nan", "1/0"):
            await pilot.press("enter")
            await pilot.pause()
            editor.query_one("#conv-kernel-edit", Input).value = text
            await pilot.press("enter")
            await pilot.pause()
        assert app.is_running and app.screen is editor
        assert (editor.grid.values == before).all()
        notices = [n.message for n in app._notifications]
        assert len(notices) == 4 and all("(try -1, 0.5 or 1/9)" in n for n in notices)
