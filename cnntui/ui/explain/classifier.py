"""`ClassifierView`: the end of the network — logits, the softmax written out, the top classes."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from cnntui.explain.session import ExplainSession
from cnntui.i18n import _
from cnntui.ui.shared.access import ascii_only


def pad(text: str, cells: int) -> str:
    """`text` left-aligned in `cells` terminal cells (Hangul takes two)."""
    return text + " " * max(0, cells - cell_len(text))


def softmax_text(session: ExplainSession, ascii_mode: bool, bar_width: int = 20) -> Text:
    """The table `class  z  z - max  e^(z - max)  p` and a bar per class, then the sum."""
    probs = session.probabilities()
    names = session.net.class_names
    best = probs.top(1)[0]
    bar = "#" if ascii_mode else "█"
    out = Text()
    out.append(
        _("prediction {label}  ({p})").format(
            label=names[best], p=f"{probs.probabilities[best]:.1%}"
        )
        + "\n\n",
        style="bold",
    )
    class_title = _("class")
    header = f"{pad(class_title, 9)}{'logit z':>9}{'z - max':>9}{'e^(z-max)':>11}{'p':>8}\n"
    out.append(header, style="dim")
    for i in range(len(names)):
        style = "bold" if i == best else ""
        line = (
            f"{names[i][:8]:<9}{probs.logits[i]:9.3f}{probs.shifted[i]:9.3f}"
            f"{probs.exps[i]:11.4f}{probs.probabilities[i]:8.3f} "
        )
        out.append(line, style=style)
        out.append(
            bar * round(probs.probabilities[i] * bar_width), style="green" if i == best else ""
        )
        out.append("\n")
    total = _("sum of e^(z-max) = {total};  p = e^(z-max) / sum").format(total=f"{probs.total:.4f}")
    out.append(total, style="dim")
    top = ", ".join(f"{names[i]} {probs.probabilities[i]:.1%}" for i in probs.top(3))
    out.append("\n" + _("top 3: {classes}").format(classes=top))
    return out


class ClassifierView(Static):
    """Redrawn by the screen with `show_session`."""

    DEFAULT_CSS = """
    ClassifierView { height: 1fr; width: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def show_session(self, session: ExplainSession) -> None:
        ascii_mode = ascii_only(self)
        self.update(softmax_text(session, ascii_mode))
