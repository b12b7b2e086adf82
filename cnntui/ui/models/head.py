"""The line above the Models table: what is shown (a zoo model, your spec, an ONNX import)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from cnntui import zoo
from cnntui.i18n import _
from cnntui.zoo.catalog import description_of
from cnntui.zoo.summary import asciify


def head_text(screen: Any) -> Text:
    """The head line of `screen` (a `ModelsScreen`) for what it shows now."""
    text = Text()
    if screen.editing:
        spec = screen.spec_editor
        text.append(spec.network_name or _("your network"), style="bold")
        text.append("  " + _("your own network"), style="dim")
        if spec.path is not None:
            text.append(f"  ({spec.path.name})", style="dim")
    elif screen.imported is not None:
        imported = screen.imported
        text.append(imported.name, style="bold")
        weights = _("with weights") if imported.has_weights else _("no weights")
        text.append(f"  ONNX, {weights}", style="dim")
        if imported.problem:
            text.append("  " + _("stops at an unsupported node (see the notice)"), style="red")
    else:
        entry = zoo.get(screen.model_name)
        text.append(entry.title, style="bold")
        text.append(f" ({entry.year})  ")
        description = description_of(entry)
        text.append(asciify(description) if screen.ascii_only else description, style="dim")
    return text
