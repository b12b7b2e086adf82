"""The characters cnntui draws with, in a Unicode set and a plain-ASCII set.

Widgets pick `glyphs(app.ascii_mode)` instead of writing symbols inline, so `--ascii` (and
`CNNTUI_ASCII=1`) reaches everything. `install_ascii(True)` also switches Textual's own drawing to
ASCII for the whole process: every border style becomes `+-|`, scrollbars draw `#` thumbs without
eighth-block ends, radio buttons lose their half-block caps, drop-downs show `v`/`^` and cropped
text ends without `…`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar


@dataclass(frozen=True)
class Glyphs:
    """Symbols by meaning. Each field is one string; ramps run from dark/empty to full."""

    done: str
    partial: str
    todo: str
    correct: str
    wrong: str
    bullet: str
    arrow: str
    link_mark: str
    ellipsis: str
    separator: str
    horizontal: str
    markdown_bullets: tuple[str, ...]
    shade_ramp: str
    """Intensity from empty to full, one character per level (image and heat-map fallbacks)."""
    spark_ramp: str
    """Heights for sparklines, from lowest to highest."""
    half_upper: str
    """Upper half block for two pixels per cell; ASCII has none (use `shade_ramp`)."""
    full_block: str


UNICODE = Glyphs(
    done="✓",
    partial="◐",
    todo="·",
    correct="✓",
    wrong="✗",
    bullet="•",
    arrow="→",
    link_mark="↗",
    ellipsis="…",
    separator="│",
    horizontal="─",
    markdown_bullets=("• ", "▪ ", "‣ ", "◦ ", "· "),
    shade_ramp=" ░▒▓█",
    spark_ramp="▁▂▃▄▅▆▇█",
    half_upper="▀",
    full_block="█",
)

ASCII = Glyphs(
    done="x",
    partial="~",
    todo=".",
    correct="+",
    wrong="x",
    bullet="*",
    arrow="->",
    link_mark="->",
    ellipsis="...",
    separator="|",
    horizontal="-",
    markdown_bullets=("* ", "- ", "+ ", "o ", ". "),
    shade_ramp=" .:-=+*#%@",
    spark_ramp="_.-~=+*#",
    half_upper="",
    full_block="#",
)


def glyphs(ascii_mode: bool) -> Glyphs:
    """The glyph set for this mode."""
    return ASCII if ascii_mode else UNICODE


def is_ascii(text: str) -> bool:
    """Whether `text` is plain 7-bit ASCII (what `--ascii` promises on screen)."""
    return text.isascii()


def ascii_prose(text: str) -> str:
    """Lesson prose in plain ASCII: `3×3` is `3x3`, `C²` is `C^2`, `Jürgen` is `Jurgen`.

    Symbols go through the calculator's table (`ascii_text`); accented letters lose their accent
    rather than becoming `?`.
    """
    import unicodedata

    from cnntui.text import ascii_text

    def plain(char: str) -> str:
        if char.isascii():
            return char
        base = unicodedata.normalize("NFD", char)
        return base[0] if len(base) > 1 and base[0].isascii() else char

    return ascii_text("".join(plain(char) for char in text))


_saved: dict[str, Any] = {}


def install_ascii(enabled: bool) -> None:
    """Switch Textual's built-in drawing between its own glyphs and plain ASCII.

    Process-wide and reversible: the originals are kept and restored with `install_ascii(False)`.
    """
    from textual import _border, _box_drawing
    from textual.content import Content
    from textual.scrollbar import ScrollBar
    from textual.widgets import RadioButton
    from textual.widgets._select import SelectCurrent
    from textual.widgets._toggle_button import ToggleButton

    if enabled and not _saved:
        _saved["chars"] = dict(_border.BORDER_CHARS)
        _saved["locations"] = dict(_border.BORDER_LOCATIONS)
        _saved["renderer"] = ScrollBar.renderer
        _saved["toggle"] = (ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT)
        _saved["radio"] = RadioButton.BUTTON_INNER
        _saved["box"] = dict(_box_drawing.BOX_CHARACTERS)
        _saved["select"] = SelectCurrent.compose
        _saved["truncate"] = Content.truncate
        Content.truncate = _ascii_truncate(Content.truncate)  # type: ignore[method-assign]
        SelectCurrent.compose = _ascii_select_compose  # type: ignore[method-assign]
        for quad in _box_drawing.BOX_CHARACTERS:
            _box_drawing.BOX_CHARACTERS[quad] = _ascii_box(quad)
        ascii_chars = _border.BORDER_CHARS["ascii"]
        ascii_locations = _border.BORDER_LOCATIONS["ascii"]
        blank = {"", "none", "hidden", "blank"}
        for name in list(_border.BORDER_CHARS):
            if name not in blank:
                _border.BORDER_CHARS[name] = ascii_chars
                _border.BORDER_LOCATIONS[name] = ascii_locations
        ScrollBar.renderer = ascii_scrollbar_renderer()
        ToggleButton.BUTTON_LEFT = "("
        ToggleButton.BUTTON_RIGHT = ")"
        RadioButton.BUTTON_INNER = "*"
        _border.get_box.cache_clear()
    elif not enabled and _saved:
        _border.BORDER_CHARS.update(_saved.pop("chars"))
        _border.BORDER_LOCATIONS.update(_saved.pop("locations"))
        ScrollBar.renderer = _saved.pop("renderer")
        ToggleButton.BUTTON_LEFT, ToggleButton.BUTTON_RIGHT = _saved.pop("toggle")
        RadioButton.BUTTON_INNER = _saved.pop("radio")
        _box_drawing.BOX_CHARACTERS.update(_saved.pop("box"))
        SelectCurrent.compose = _saved.pop("select")  # type: ignore[method-assign]
        Content.truncate = _saved.pop("truncate")  # type: ignore[method-assign]
        _border.get_box.cache_clear()


def _ascii_truncate(truncate: Any) -> Any:
    """`Content.truncate` that crops instead of ending in `…` (border titles, labels, tables)."""

    def crop(self: Any, max_width: int, *, ellipsis: bool = False, pad: bool = False) -> Any:
        return truncate(self, max_width, ellipsis=False, pad=pad)

    return crop


def _ascii_select_compose(self: Any) -> Any:
    """`SelectCurrent.compose` with `v`/`^` for the drop-down arrows instead of `▼`/`▲`."""
    from textual.widgets._select import NonSelectableStatic

    yield NonSelectableStatic(self.placeholder, id="label")
    yield NonSelectableStatic("v", classes="arrow down-arrow")
    yield NonSelectableStatic("^", classes="arrow up-arrow")


KEY_WORDS = {"↑": "up", "↓": "down", "←": "left", "→": "right", "⏎": "enter", "⌫": "backspace"}
"""Words for the key symbols Textual shows in the footer, for `--ascii`."""


def ascii_key_display(display: str, key: str) -> str:
    """An ASCII label for a key shown as `display` (bound to `key`): `←→` is `left/right`.

    Labels that are ASCII already stay as they are; a symbol with no word falls back to the
    binding's own key name (`right`, `ctrl+s`), which is always ASCII.
    """
    if display.isascii():
        return display
    if set(display) == set("←→↑↓"):
        return "arrows"
    words = [KEY_WORDS.get(char, char) for char in display]
    label = "/".join(words) if all(char in KEY_WORDS for char in display) else "".join(words)
    return label if label.isascii() else key.split(",", 1)[0]


def _ascii_box(quad: tuple[int, int, int, int]) -> str:
    """The ASCII stand-in for a box-drawing glyph given as (top, right, bottom, left) line weights."""
    top, right, bottom, left = quad
    vertical, horizontal = bool(top or bottom), bool(left or right)
    if vertical and horizontal:
        return "+"
    if vertical:
        return "|"
    if horizontal:
        return "-"
    return " "


@cache
def ascii_scrollbar_renderer() -> type:
    from math import ceil

    from rich.color import Color
    from rich.segment import Segment, Segments
    from rich.style import Style
    from textual.scrollbar import ScrollBarRender

    class _AsciiScrollBarRender(ScrollBarRender):
        """Whole-cell scrollbar: `#` for the thumb, blank track, no eighth-block glyphs."""

        VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
        HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8

        @classmethod
        def render_bar(  # type: ignore[override]
            cls,
            size: int = 25,
            virtual_size: float = 50,
            window_size: float = 20,
            position: float = 0,
            thickness: int = 1,
            vertical: bool = True,
            back_color: Color = Color.parse("#555555"),
            bar_color: Color = Color.parse("bright_magenta"),
        ) -> Segments:
            width = thickness if vertical else 1
            back = Style(bgcolor=back_color)
            thumb_style = Style(color=back_color, bgcolor=bar_color, meta={"@mouse.down": "grab"})
            track = [Segment(" " * width, back)] * size
            if (
                window_size
                and size
                and virtual_size
                and size != virtual_size
                and virtual_size > window_size
            ):
                thumb = max(1, ceil(window_size / virtual_size * size))
                start = round((size - thumb) * position / (virtual_size - window_size))
                start = min(max(0, start), size - thumb)
                for cell in range(start, start + thumb):
                    track[cell] = Segment("#" * width, thumb_style)
            if vertical:
                return Segments(track, new_lines=True)
            return Segments((track + [Segment.line()]) * thickness, new_lines=False)

    return _AsciiScrollBarRender
