"""Plain-ASCII key labels for the footer in `--ascii` mode (arrows and Enter have no ASCII glyph).

`use_ascii_keys(node)` rewrites the key labels of one screen's or widget's bindings once it is
mounted in an app running with `ascii_mode`; labels that are ASCII already stay as they are.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode
from textual.keys import format_key

from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.glyphs import ascii_key_display


def ascii_label(label: str, key: str = "?") -> str:
    """`←→` → `left/right`, `⏎` → `enter`, as the app's own footer labels them (words, not `<>`
    or `v`, which are keys of their own); `key` stands in for a symbol that has no word."""
    return ascii_key_display(label, key)


def use_ascii_keys(node: DOMNode) -> None:
    """Give every binding of `node` an ASCII key label when the app draws in ASCII."""
    if not ascii_only(node):
        return
    bindings = node._bindings.key_to_bindings
    for key, items in bindings.items():
        fixed = []
        for binding in items:
            label = binding.key_display or format_key(binding.key)
            fixed.append(
                replace(binding, key_display=ascii_label(label, binding.key))
                if not label.isascii()
                else binding
            )
        bindings[key] = fixed
