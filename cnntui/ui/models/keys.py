"""The Models mode's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from cnntui.i18n import N_

BINDINGS: list[BindingType] = [
    Binding("c", "compare", N_("Compare"), id="models.compare"),
    Binding("d", "diagram", N_("Diagram"), id="models.diagram"),
    Binding("e", "edit_spec", N_("Edit"), id="models.edit"),
    # One footer entry for the pair (as in the Conv Lab), so that every key fits in 80 columns.
    Binding("plus,equals_sign", "depth(1)", N_("Depth"), key_display="+-", id="models.depth_up"),
    Binding(
        "minus", "depth(-1)", N_("Depth-"), key_display="-", show=False, id="models.depth_down"
    ),
    Binding(
        "right_square_bracket",
        "batch(2)",
        N_("Batch x2"),
        key_display="]",
        show=False,
        id="models.batch_up",
    ),
    Binding(
        "left_square_bracket",
        "batch(0.5)",
        N_("Batch /2"),
        key_display="[",
        show=False,
        id="models.batch_down",
    ),
    # Shown by the input box's own label, "input (i)", not in the footer.
    Binding("i", "focus_input", N_("Input"), show=False, id="models.input"),
    Binding("a", "toggle_aux", N_("Aux"), id="models.aux"),
    Binding("x", "export", N_("Export"), id="models.export"),
    Binding("l", "focus_list", N_("List"), show=False, id="models.list"),
    Binding("escape", "back", N_("Back"), show=False, id="models.back"),
    # The editor's keys are shown on its own border (see on_mount), not in the footer.
    Binding("ctrl+s", "save_spec", N_("Save"), show=False, id="models.save"),
    Binding("ctrl+o", "open_spec", N_("Open"), show=False, id="models.open"),
    Binding("ctrl+g", "goto_problem", N_("Go to error"), show=False, id="models.goto"),
]
