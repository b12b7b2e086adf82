"""The Explain mode's head line: the views (all of them when the terminal is wide, else the one
shown and how to move on) and what the network makes of the input."""

from __future__ import annotations

from rich.text import Text

from cnntui.explain.session import ExplainSession
from cnntui.i18n import N_, _

VIEWS: tuple[tuple[str, str], ...] = (
    ("layers", N_("Layers")),
    ("classifier", N_("Classifier")),
    ("looks", N_("Looks")),
    ("draw", N_("Draw")),
    ("transfer", N_("Transfer")),
)
"""The views `v` cycles, in order: (id, title)."""


def head_text(view: str, wide: bool, session: ExplainSession | None, ascii_only: bool) -> Text:
    """`Layers  v: next view  lenet5-digits · digit-7 → 7 98%`: the `view` shown (every view
    when `wide`), then the network, the input and the likeliest class with its probability."""
    text = Text("")
    for name, title in VIEWS:
        if wide or name == view:
            text.append(f" {_(title)} ", style="reverse bold" if name == view else "dim")
    if not wide:
        text.append(_(" v: next view"), style="dim")
    if session is not None:
        probs = session.probabilities()
        best = probs.top(1)[0]
        label = session.net.class_names[best]
        # "drawing" is the session's name for the pad's picture; the rest are file or data set
        # names, shown as they are.
        source = _("drawing") if session.source == "drawing" else session.source
        name = session.net.spec.name
        text.append(f"  {name} · {source} → {label} {probs.probabilities[best]:.0%}")
    if ascii_only:
        text = Text(text.plain.replace("·", "|").replace("→", "->"))
    return text
