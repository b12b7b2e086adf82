"""Following a lesson link: into a lesson, into a lab with a preset, or a web address copied to
the clipboard (never opened: over SSH a browser would start on the remote machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.i18n import _

if TYPE_CHECKING:
    from cnntui.ui.app import CnnTuiApp


async def follow_link(app: CnnTuiApp, href: str) -> None:
    """Follow a lesson link.

    `cnntui:lesson?name=…` opens a lesson; `cnntui:LAB?k=v` switches to the lab's mode and calls
    its screen's `apply_preset(params)`; web links are copied to the clipboard (OSC 52) with a
    notice and never opened in a browser, which over SSH would start on the remote machine.
    """
    from cnntui.lessons import LESSON_LINK_TARGET, link_problems, parse_link

    link = parse_link(href, href, 0)
    if link.kind == "web":
        app.copy_to_clipboard(href)
        app.notify(
            _("{href}\nCopied to the clipboard; paste it into your browser.").format(href=href),
            title=_("Web link"),
        )
        return
    if link.kind != "cnntui":
        app.notify(
            _("cnntui cannot open {href}.").format(href=repr(href)),
            title=_("Link"),
            severity="warning",
        )
        return
    names = [lesson.name for lesson in app.lessons] if app.lessons is not None else None
    problems = link_problems(link, names)
    if link.mode == LESSON_LINK_TARGET:
        if problems:
            app.notify(problems[0], title=_("Broken link"), severity="error")
            return
        await app.open_lesson(link.params["name"].removesuffix(".md"), link.params.get("section"))
        return
    spec = app.mode_specs.get(link.mode or "")
    if spec is None:
        app.notify(
            _("The lab {mode} is not part of this build.").format(mode=repr(link.mode)),
            title=_("Link"),
            severity="error",
        )
        return
    if problems:
        app.notify(problems[0], title=_("Broken link"), severity="error")
        return
    await app.switch_mode(spec.name)
    apply_preset = getattr(app.screen, "apply_preset", None)
    if link.params and callable(apply_preset):
        try:
            apply_preset(dict(link.params))
        except Exception as error:  # a lab's bug must not take the app down
            app.notify(
                _("{lab} could not apply the preset: {error}").format(
                    lab=_(spec.title), error=error
                ),
                title=_("Link"),
                severity="error",
            )
