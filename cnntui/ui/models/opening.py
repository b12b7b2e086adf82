"""`^o` in the Models mode: an ONNX model shown in place of a zoo model, or a spec file opened in
the editor. Paths a user types go through `cnntui.paths.check_user_path` (a served session may
open only its own folder); the reading itself is `cnntui.zoo.onnx_import` and `cnntui.zoo.spec`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cnntui.errors import UsageError
from cnntui.i18n import N_, Message, _
from cnntui.paths import check_user_path
from cnntui.ui.models.input_size import InputSize


class Opening:
    """Mixed into `ModelsScreen` (`self`): its `imported`, `editing` and `spec_editor`."""

    input_override: tuple[int, ...] | None

    def action_open_spec(self: Any) -> None:
        """^o: in the editor, a spec file; elsewhere an ONNX model (or a spec, which opens the
        editor)."""
        if self.editing:
            self.spec_editor.open()
            return
        from cnntui.ui.models.dialogs import PathScreen

        title = Message(N_("Open a spec (.toml) or an ONNX model (.onnx):"))
        self.app.push_screen(PathScreen(title, "model.onnx"), self._open_from)

    def _open_from(self: Any, value: str | None) -> None:
        if not value:
            return
        try:
            path = check_user_path(value)
        except UsageError as exc:
            self.notify(str(exc), title=_("Open"), severity="error")
            return
        if path.suffix.lower() == ".onnx":
            self.open_onnx(path)
            return
        self.action_edit_spec()
        self.spec_editor.open_path(path)

    def open_onnx(self: Any, path: Path) -> None:
        """Show an ONNX network (read by `cnntui.zoo.onnx_import`) in place of a zoo model."""
        from cnntui.zoo.onnx_import import load_onnx

        try:
            imported = load_onnx(path)
        except UsageError as exc:
            self.notify(str(exc), title=_("Open"), severity="error")
            return
        if self.editing:
            self.editing = False
            self.set_class(False, "-editing")
        self.imported = imported
        self.input_override = None
        self.query_one(InputSize).show_shape(imported.input_shape)
        self.refresh_summary()
        self.refresh_bindings()
        if imported.problem:
            self.notify(
                _("The table stops before {problem}").format(problem=imported.problem),
                title=path.name,
                timeout=12,
            )
