"""The Conv Lab's backward mode (`b`): the same operation's gradients stepped one sum at a time,
kernel gradient or input gradient (`p`), with the upstream gradient g = 1 or g = y (`u`). The
numbers come from `cnntui.conv.stepper_backward`; `cnntui.ui.conv.backward` draws them."""

from __future__ import annotations

from typing import Any

from cnntui.conv.stepper_backward import UPSTREAMS, BackwardStepper, upstream_gradient
from cnntui.i18n import _


class BackwardMode:
    """The backward mode's state changes, mixed into `ConvScreen` (`self`; it owns the attributes:
    `backward`, `backward_stepper`, `bw_part`, `bw_index`, `bw_upstream`, `stepper`)."""

    backward_stepper: BackwardStepper | None

    def _build_backward(self: Any) -> None:
        """The backward stepper for the current forward one (None outside the backward mode)."""
        self.backward_stepper = None
        if not self.backward or self.stepper is None:
            return
        if self.stepper.settings.mode == "transposed":
            self.backward = False
            self.notify(_("The backward mode steps convolution and pooling, not transposed."))
            return
        upstream = upstream_gradient(self.stepper, self.bw_upstream)
        self.backward_stepper = BackwardStepper(self.stepper, upstream)
        if self.bw_part not in self.backward_stepper.parts:
            self.bw_part = self.backward_stepper.parts[0]
        self.bw_index = min(self.bw_index, self.backward_stepper.total(self.bw_part) - 1)

    def action_backward(self: Any) -> None:
        """Switch between stepping the output (forward) and the gradients (backward)."""
        if self.stepper is None:
            return
        if self.playing:
            self.action_play()
        self.backward = not self.backward
        self._build_backward()
        self.redraw()
        self.refresh_bindings()

    def action_part(self: Any) -> None:
        """Backward mode: step the kernel gradient or the input gradient."""
        backward = self.backward_stepper
        if backward is None or len(backward.parts) < 2:
            return
        self.bw_part = backward.parts[
            (backward.parts.index(self.bw_part) + 1) % len(backward.parts)
        ]
        self.bw_index = 0
        self.redraw()

    def action_upstream(self: Any) -> None:
        """Backward mode: the upstream gradient g = 1 (L = Σ y) or g = y (L = ½ Σ y²)."""
        self.bw_upstream = UPSTREAMS[(UPSTREAMS.index(self.bw_upstream) + 1) % len(UPSTREAMS)]
        self._build_backward()
        self.redraw()
