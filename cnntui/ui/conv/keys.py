"""The Conv Lab's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from cnntui.i18n import N_

BINDINGS: list[BindingType] = [
    Binding("right", "step(1)", N_("Step"), key_display="←→", id="conv.next"),
    Binding("left", "step(-1)", N_("Back"), show=False, id="conv.previous"),
    Binding("down", "step_row(1)", N_("Row down"), show=False, id="conv.row_down"),
    Binding("up", "step_row(-1)", N_("Row up"), show=False, id="conv.row_up"),
    Binding("home", "jump(0)", N_("First"), show=False, id="conv.first"),
    Binding("end", "jump(-1)", N_("Last"), show=False, id="conv.last"),
    Binding("space", "play", N_("Play"), id="conv.play"),
    Binding("plus,equals_sign", "speed(1)", N_("Speed"), key_display="+-", id="conv.faster"),
    Binding("minus", "speed(-1)", N_("Slower"), show=False, id="conv.slower"),
    Binding("o", "settings", N_("Setup"), id="conv.settings"),
    Binding("e", "edit_kernel", N_("Kernel"), id="conv.kernel"),
    Binding("s", "shift", N_("Shift"), id="conv.shift"),
    Binding("v", "values", N_("Nums"), id="conv.values"),
    # Named by the window's own label, "window R (c)", not in the footer (80 columns).
    Binding("c", "channel", N_("Chan"), show=False, id="conv.channel"),
    # Not in the footer (80 columns are full): the help screen and the lessons name it.
    Binding("b", "backward", N_("Gradients"), show=False, id="conv.backward"),
    Binding("p", "part", N_("Part"), id="conv.part"),
    Binding("u", "upstream", N_("Upstream"), id="conv.upstream"),
]
