"""The text beside the 2-D GAN's plane (`Gan2dView`): the run's numbers and the sub-steps of
one iteration, in the current language."""

from __future__ import annotations

from rich.text import Text

from cnntui.gan.distributions import TITLES
from cnntui.gan.gan2d import SUBSTEP_TITLES, Gan2dSettings, Snapshot
from cnntui.i18n import _


def stats_text(settings: Gan2dSettings, snap: Snapshot | None, running: bool, slow: bool) -> Text:
    """The numbers beside the plane: step, state, data and loss, the last losses and JS
    divergence, the optimisers."""
    s = settings
    state = _("running") if running else _("paused")
    if slow:
        state = _("{state}, slow motion").format(state=state)
    text = Text()
    text.append(_("step {n}").format(n=snap.step if snap else 0), style="bold")
    text.append(f"  {state}\n", style="dim")
    text.append(f"{_(TITLES[s.data])}, {s.loss}\n")
    if snap is not None and snap.history:
        first, last = snap.history[0], snap.history[-1]
        text.append(
            _("D loss {d}  G loss {g}").format(d=f"{last.d_loss:.3f}", g=f"{last.g_loss:.3f}")
            + "\n"
        )
        text.append(
            _("JS {js} bits (step 0: {first})").format(
                js=f"{last.js_divergence:.3f}", first=f"{first.js_divergence:.3f}"
            )
            + "\n"
        )
    else:
        text.append(_("D loss {d}  G loss {g}").format(d="-", g="-") + "\nJS -\n")
    text.append(
        f"G {s.g_optimizer} {s.g_lr:g}  D {s.d_optimizer} {s.d_lr:g}  k={s.d_steps}  z={s.noise_dim}",
        style="dim",
    )
    return text


def steps_text(settings: Gan2dSettings, snap: Snapshot | None) -> Text:
    """The sub-steps of one iteration, the current one marked (slow motion), or the keys."""
    sub = snap.substep if snap is not None else None
    text = Text()
    if sub is None:
        text.append(
            _("one step = {k} D + 1 G update").format(k=settings.d_steps) + "\n",
            style="dim",
        )
    else:
        text.append(
            _("iteration {i}: {net} update").format(i=snap.step + 1 if snap else 1, net=sub.net)
            + "\n",
            style="bold",
        )
    for number, title in SUBSTEP_TITLES.items():
        current = sub is not None and sub.number == number
        marker = ">" if current else " "
        text.append(
            f"{marker}{number} {_(title)}\n",
            style="reverse" if current else ("dim" if sub is None else ""),
        )
    if sub is not None:
        text.append(sub.detail, style="italic")
    else:
        text.append(
            _("l loss  t data  o draw  r reset") + "\n" + _("f field  w arrows  e real points"),
            style="dim",
        )
    return text
