"""The Models mode's export (`x`): ask for a file name, write the shown network as PyTorch source."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from cnntui.errors import UsageError
from cnntui.i18n import N_, Message, _
from cnntui.paths import check_user_path
from cnntui.zoo.spec import save_spec_file


def ask_to_export(screen: Screen[Any], name: str, module: Any, shape: tuple[int, ...]) -> None:
    """Ask where to write `module` (named `name`, input `shape` (C, H, W)) as PyTorch source,
    the same file `cnntui export pytorch` writes; an existing file is never overwritten."""
    from cnntui.ui.models.dialogs import PathScreen
    from cnntui.zoo.export_pytorch import export_pytorch, python_name

    def write(value: str | None) -> None:
        if not value:
            return
        try:
            path = check_user_path(value, write=True)
            text = export_pytorch(module, name, shape, "the cnntui Models mode")
            if path.exists():
                raise UsageError(_("{path} already exists; choose another name").format(path=path))
            save_spec_file(path, text)
        except UsageError as exc:
            screen.notify(str(exc), title=_("Export"), severity="error")
            return
        screen.notify(
            _("Wrote {path}: run `python {name}` to check it.").format(path=path, name=path.name),
            title=_("Export"),
        )

    screen.app.push_screen(
        PathScreen(Message(N_("Export as PyTorch source to:")), f"{python_name(name)}.py"), write
    )
