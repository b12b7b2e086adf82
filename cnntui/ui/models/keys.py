"""The Models mode's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    Binding("c", "compare", "Compare", id="models.compare"),
    Binding("d", "diagram", "Diagram", id="models.diagram"),
    Binding("e", "edit_spec", "Edit", id="models.edit"),
    # One footer entry for the pair (as in the Conv Lab), so that every key fits in 80 columns.
    Binding("plus,equals_sign", "depth(1)", "Depth", key_display="+-", id="models.depth_up"),
    Binding("minus", "depth(-1)", "Depth-", key_display="-", show=False, id="models.depth_down"),
    Binding(
        "right_square_bracket",
        "batch(2)",
        "Batch x2",
        key_display="]",
        show=False,
        id="models.batch_up",
    ),
    Binding(
        "left_square_bracket",
        "batch(0.5)",
        "Batch /2",
        key_display="[",
        show=False,
        id="models.batch_down",
    ),
    # Shown by the input box's own label, "input (i)", not in the footer.
    Binding("i", "focus_input", "Input", show=False, id="models.input"),
    Binding("a", "toggle_aux", "Aux", id="models.aux"),
    Binding("x", "export", "Export", id="models.export"),
    Binding("l", "focus_list", "List", show=False, id="models.list"),
    Binding("escape", "back", "Back", show=False, id="models.back"),
    # The editor's keys are shown on its own border (see on_mount), not in the footer.
    Binding("ctrl+s", "save_spec", "Save", show=False, id="models.save"),
    Binding("ctrl+o", "open_spec", "Open", show=False, id="models.open"),
    Binding("ctrl+g", "goto_problem", "Go to error", show=False, id="models.goto"),
]
