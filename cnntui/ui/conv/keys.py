"""The Conv Lab's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    Binding("right", "step(1)", "Step", key_display="←→", id="conv.next"),
    Binding("left", "step(-1)", "Back", show=False, id="conv.previous"),
    Binding("down", "step_row(1)", "Row down", show=False, id="conv.row_down"),
    Binding("up", "step_row(-1)", "Row up", show=False, id="conv.row_up"),
    Binding("home", "jump(0)", "First", show=False, id="conv.first"),
    Binding("end", "jump(-1)", "Last", show=False, id="conv.last"),
    Binding("space", "play", "Play", id="conv.play"),
    Binding("plus,equals_sign", "speed(1)", "Speed", key_display="+-", id="conv.faster"),
    Binding("minus", "speed(-1)", "Slower", show=False, id="conv.slower"),
    Binding("o", "settings", "Setup", id="conv.settings"),
    Binding("e", "edit_kernel", "Kernel", id="conv.kernel"),
    Binding("s", "shift", "Shift", id="conv.shift"),
    Binding("v", "values", "Nums", id="conv.values"),
    # Named by the window's own label, "window R (c)", not in the footer (80 columns).
    Binding("c", "channel", "Chan", show=False, id="conv.channel"),
]
