"""Turn what a user typed (a zoo name, a spec file or an ONNX file, an input size) into a module.

Shared by `cnntui summary`, `cnntui export` and the Models mode, so they accept exactly the same
things and fail with the same one-line reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cnntui.errors import UsageError
from cnntui.i18n import _

if TYPE_CHECKING:
    from cnntui.engine.module import Module
    from cnntui.zoo import ZooEntry
    from cnntui.zoo.onnx_import import ImportedModel


@dataclass
class Resolved:
    """A network ready to summarise: its display name, module, default input and origin."""

    name: str
    module: Module
    input_shape: tuple[int, ...]
    entry: ZooEntry | None = None
    spec_path: Path | None = None
    imported: ImportedModel | None = None
    """The ONNX import behind `module` (its file, whether weights came with it, what it could not
    read), for an `.onnx` target."""

    @property
    def problem(self) -> str | None:
        """One line naming what could not be imported (the module holds everything before it)."""
        return self.imported.problem if self.imported is not None else None

    @property
    def problem_in_english(self) -> str | None:
        """`problem` in English, for `--json` documents."""
        imported = self.imported
        if imported is None or imported.problem_message is None:
            return None
        return imported.problem_message.english()


def parse_input_shape(text: str) -> tuple[int, ...]:
    """`3x224x224` (C×H×W), `224` (square, channels left to the model) is not accepted: sizes
    are explicit. One number alone is a flat feature vector. UsageError when malformed."""
    from cnntui.zoo.spec import parse_shape

    try:
        return parse_shape(text)
    except ValueError as exc:
        raise UsageError(_("--input: {exc}; give CxHxW, e.g. 3x224x224").format(exc=exc)) from None


def looks_like_spec(target: str) -> bool:
    return target.lower().endswith(".toml") or "/" in target or Path(target).is_file()


def resolve(target: str, input_text: str | None = None, **options: object) -> Resolved:
    """A zoo entry by name, a spec file or an ONNX file by path; `input_text` overrides the
    default input.

    Raises UsageError for unknown names, unreadable or invalid specs or ONNX files and malformed
    sizes (and, for ONNX without the onnx package, says how to install it).
    """
    shape = parse_input_shape(input_text) if input_text else None
    from cnntui.zoo.onnx_import import is_onnx_path

    if is_onnx_path(target):
        from cnntui.zoo.onnx_import import load_onnx

        if options:
            raise UsageError(_("model options only apply to zoo models, not to ONNX files"))
        imported = load_onnx(target, shape)
        return Resolved(imported.name, imported.module, imported.input_shape, None, None, imported)
    if looks_like_spec(target):
        from cnntui.zoo.spec import SpecError, load_spec_file

        if options:
            raise UsageError(_("model options only apply to zoo models, not to spec files"))
        try:
            built = load_spec_file(target)
        except SpecError as exc:
            raise UsageError(str(exc)) from None
        return Resolved(
            built.spec.name, built.module, shape or built.input_shape, None, Path(target)
        )
    from cnntui import zoo

    entry = zoo.get(target)
    try:
        module = entry.build(**options)
    except (TypeError, ValueError) as exc:
        raise UsageError(_("{name}: {exc}").format(name=entry.name, exc=exc)) from None
    return Resolved(entry.name, module, shape or entry.input_shape, entry)
