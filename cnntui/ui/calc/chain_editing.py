"""The calculator's chain editing keys, mixed into `CalcScreen`: `a` repeats the selected layer
after it, `x` removes it, `[`/`]` move it. Any edit makes the chain the learner's own (no preset
name), so `p` keeps it (see `CalcScreen.load_chain`)."""

from __future__ import annotations

from typing import Any

from cnntui.i18n import _


class ChainEditing:
    """Mixed into `CalcScreen` (`self`): its `chain_layers`, `selected`, `preset_name` and
    `_load_selected`."""

    def action_add_layer(self: Any) -> None:
        self.chain_layers.insert(self.selected + 1, self.chain_layers[self.selected])
        self.selected += 1
        self.preset_name = ""
        self._load_selected()

    def action_remove_layer(self: Any) -> None:
        if len(self.chain_layers) == 1:
            self.notify(_("A chain keeps at least one layer; press c for the single-layer view."))
            return
        del self.chain_layers[self.selected]
        self.selected = min(self.selected, len(self.chain_layers) - 1)
        self.preset_name = ""
        self._load_selected()

    def action_move_layer(self: Any, direction: int) -> None:
        target = self.selected + direction
        if not 0 <= target < len(self.chain_layers):
            return
        self.chain_layers[self.selected], self.chain_layers[target] = (
            self.chain_layers[target],
            self.chain_layers[self.selected],
        )
        self.selected = target
        self.preset_name = ""
        self._load_selected()
