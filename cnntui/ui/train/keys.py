"""The Train lab's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    Binding("space", "toggle_run", "Run", key_display="space", id="train.toggle"),
    Binding("n", "single_step", "Step", id="train.step"),
    Binding("x", "stop_run", "Stop", id="train.stop"),
    Binding("l", "change_lr", "LR", id="train.lr"),
    Binding("v", "next_view", "View", id="train.view"),
    Binding("left_square_bracket", "layer(-1)", "Layer", key_display="[]", id="train.layer"),
    Binding("right_square_bracket", "layer(1)", "Layer", show=False, id="train.layer_next"),
    Binding("comma", "image(-1)", "Image", key_display="<>", id="train.image"),
    Binding("full_stop", "image(1)", "Image", show=False, id="train.image_next"),
    Binding("y", "log_scale", "Log y", show=False, id="train.log_scale"),
    Binding("r", "resume_selected", "Resume", show=False, id="train.resume"),
    Binding("d", "delete_selected", "Delete", show=False, id="train.delete"),
    # A settings field keeps the number and letter keys for itself; Escape hands them back.
    Binding("escape", "leave_field", "Leave field", show=False, id="train.leave"),
]
