"""The Train lab's keys.

Each binding has an id, so a user's keymap can rebind it; the help screen lists them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from cnntui.i18n import N_

BINDINGS: list[BindingType] = [
    Binding("space", "toggle_run", N_("Run"), key_display="space", id="train.toggle"),
    Binding("n", "single_step", N_("Step"), id="train.step"),
    Binding("x", "stop_run", N_("Stop"), id="train.stop"),
    Binding("l", "change_lr", N_("LR"), id="train.lr"),
    Binding("v", "next_view", N_("View"), id="train.view"),
    Binding("left_square_bracket", "layer(-1)", N_("Layer"), key_display="[]", id="train.layer"),
    Binding("right_square_bracket", "layer(1)", N_("Layer"), show=False, id="train.layer_next"),
    Binding("comma", "image(-1)", N_("Image"), key_display="<>", id="train.image"),
    Binding("full_stop", "image(1)", N_("Image"), show=False, id="train.image_next"),
    Binding("y", "log_scale", N_("Log y"), show=False, id="train.log_scale"),
    Binding("r", "resume_selected", N_("Resume"), show=False, id="train.resume"),
    Binding("d", "delete_selected", N_("Delete"), show=False, id="train.delete"),
    # A settings field keeps the number and letter keys for itself; Escape hands them back.
    Binding("i", "init_stats", N_("Init stats"), show=False, id="train.init_stats"),
    Binding("escape", "leave_field", N_("Leave field"), show=False, id="train.leave"),
]
