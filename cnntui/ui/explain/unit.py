"""`UnitPanel`: how the selected unit's value came about.

For a convolution: its receptive field framed on the input, the kernel and the input patch of
one input channel (`[`/`]` choose it; the channel with the largest contribution first), the
per-channel sums and the total with the bias. For a ReLU, a pooling window or a fully connected
unit: the few numbers that produced it. `o` (on the screen) opens the convolution in the Conv Lab.
"""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widgets import Static

from cnntui.explain.network import UnitDetail
from cnntui.explain.session import ExplainSession
from cnntui.i18n import _
from cnntui.ui.explain.maps import frame, grey, map_lines
from cnntui.ui.shared.access import ascii_only


def _num(value: float) -> str:
    return f"{value:+.2f}" if abs(value) < 100 else f"{value:+.0f}"


def grid_lines(values: np.ndarray, title: str) -> list[str]:
    """A small matrix of numbers with a title line."""
    out = [title]
    for row in values:
        out.append(" ".join(f"{v:5.2f}" if np.isfinite(v) else " -inf" for v in row))
    return out


class UnitPanel(Static):
    """Draws `session.detail()`; `action_in_channel` (the screen's `[`/`]`) picks the input
    channel of a convolution unit."""

    DEFAULT_CSS = """
    UnitPanel { height: auto; max-height: 9; width: 1fr; padding: 0 1; text-wrap: nowrap; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.session: ExplainSession | None = None
        self.in_channel: int | None = None

    def show_session(self, session: ExplainSession, reset: bool = True) -> None:
        self.session = session
        if reset:
            self.in_channel = None
        self.update(self.describe())

    def action_in_channel(self, delta: int) -> None:
        if self.session is None:
            return
        detail = self.session.detail()
        if detail.patch is None or detail.kind != "conv":
            return
        count = detail.patch.shape[0]
        self.in_channel = ((self.in_channel or 0) + delta) % count
        self.update(self.describe())

    def describe(self) -> Text:
        if self.session is None:
            return Text("")
        ascii_mode = ascii_only(self)
        times = "x" if ascii_mode else "×"
        detail = self.session.detail()
        where = ",".join(str(p) for p in detail.position)
        head = Text(f"{detail.layer}[{where}] = {detail.value:.4f}", style="bold")
        body = self._explain(detail, times, ascii_mode)
        picture = self.session.trace.image.mean(axis=0)
        marked = frame(picture.shape[0], picture.shape[1], detail.box)
        side = min(12 if self.size.width < 100 else 16, picture.shape[1])
        image = map_lines(grey(picture), side, ascii_mode, marked)
        top, left, bottom, right = detail.box
        caption = _("field {size}").format(size=f"{bottom - top + 1}{times}{right - left + 1}")
        out = Text()
        room = max(10, self.size.width - side - 4)
        lines = [head, *[Text(set_cell_size(line, room).rstrip()) for line in body]]
        pic = [Text(set_cell_size(caption, side), style="dim"), *image]
        for r in range(max(len(lines), len(pic))):
            out.append_text(pic[r] if r < len(pic) else Text(" " * side))
            out.append("  ")
            out.append_text(lines[r] if r < len(lines) else Text(""))
            out.append("\n")
        out.rstrip()
        out.no_wrap = True
        out.overflow = "crop"
        return out

    def _explain(self, detail: UnitDetail, times: str, ascii_mode: bool) -> list[str]:
        if detail.kind == "conv" and detail.patch is not None and detail.kernel is not None:
            per_channel = (detail.patch.astype(np.float64) * detail.kernel).sum(axis=(1, 2))
            count = detail.patch.shape[0]
            if self.in_channel is None:
                self.in_channel = int(np.argmax(np.abs(per_channel)))
            ch = self.in_channel % count
            kh, kw = detail.kernel.shape[1:]
            sums = " ".join(f"{v:+.1f}" for v in per_channel[:8]) + (" ..." if count > 8 else "")
            kernel = grid_lines(detail.kernel[ch], _("kernel ch {ch}").format(ch=ch))
            patch = grid_lines(detail.patch[ch], _("input patch ch {ch}").format(ch=ch))
            width = max(cell_len(line) for line in kernel)
            pairs = [f"{set_cell_size(a, width)}  {b}" for a, b in zip(kernel, patch)]
            relu = _(", then ReLU") if detail.followed_by_relu else ""
            sigma = _("sum of") if ascii_mode else "Σ"
            products = _("= {sigma} {shape} products + bias = {sum} + {bias}").format(
                sigma=sigma,
                shape=f"{count}{times}{kh}{times}{kw}",
                sum=f"{detail.products_sum:.4f}",
                bias=f"{detail.bias:.4f}",
            )
            return [
                products + relu,
                _("per input channel: {sums}").format(sums=sums),
                *pairs,
            ]
        if detail.kind == "relu":
            return [f"ReLU: max(0, {detail.inputs[0]:.4f}) = {detail.value:.4f}"]
        if detail.kind == "pool" and detail.patch is not None:
            window = grid_lines(detail.patch, _("window (the previous layer's map)"))
            return [_("max of its window"), *window]
        if detail.kind == "linear":
            terms = "  ".join(f"x{i}·w={x * w:+.2f}" for i, x, w in detail.terms[:4])
            if ascii_mode:
                terms = terms.replace("·", "*")
            total = detail.inputs[0] if detail.inputs else 0.0
            return [
                _("fully connected: sum of input x weight, + bias"),
                _("largest terms: {terms}").format(terms=terms),
                f"{total:.4f} + {detail.bias:.4f} = {detail.value:.4f}",
                _("every input pixel can reach this unit"),
            ]
        return [_("{kind} layer").format(kind=detail.kind)]
