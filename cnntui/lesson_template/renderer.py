"""The renderer: finds `{{ ... }}` expressions, runs their function and filters, and reports
problems as `TemplateError` with the line; `render` uses one shared renderer over the zoo."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cnntui.errors import CnnTuiError
from cnntui.facts import Fact
from cnntui.i18n import _
from cnntui.lesson_template.arguments import LET, _let_value
from cnntui.lesson_template.arithmetic import ArithmeticFunctions
from cnntui.lesson_template.errors import TemplateError, _Problem
from cnntui.lesson_template.experiments import ExperimentFunctions
from cnntui.lesson_template.facts import FactFunctions
from cnntui.lesson_template.filters import FILTERS
from cnntui.lesson_template.formatting import LANGUAGE, default_text
from cnntui.lesson_template.gradients import GradientFunctions, LearningFunctions
from cnntui.lesson_template.grids import GridFunctions
from cnntui.lesson_template.images import ImageFunctions
from cnntui.lesson_template.models import ModelFunctions, ModelTrace, zoo_trace
from cnntui.lesson_template.probability import ProbabilityFunctions
from cnntui.lesson_template.scanning import EXPRESSION, _check_literal, fenced_lines
from cnntui.lesson_template.values import Matrix, Text, Value
from cnntui.text import ascii_text


class Renderer(
    ModelFunctions,
    ArithmeticFunctions,
    FactFunctions,
    ProbabilityFunctions,
    GridFunctions,
    ImageFunctions,
    ExperimentFunctions,
    GradientFunctions,
    LearningFunctions,
):
    """Expands template expressions with a model source and a set of facts.

    `models(name)` returns a `ModelTrace` (raising `_Problem`-style errors for unknown names is
    its business: any exception becomes a TemplateError with the line number). The module-level
    `render` uses the zoo and the bundled facts file; tests build their own.
    """

    def __init__(
        self,
        models: Callable[[str], ModelTrace] | None = None,
        facts: dict[str, Fact] | Callable[[], dict[str, Fact]] | None = None,
        images: Callable[[str], Any] | None = None,
    ) -> None:
        self._models = models or zoo_trace
        self._facts_source = facts
        self._images = images
        self._traces: dict[str, ModelTrace] = {}
        self._functions: dict[str, Callable[[list[str], dict[str, Any]], Value]] = {
            "params": self._params,
            "trainable": self._trainable,
            "share": self._share,
            "count": self._count,
            "macs": self._macs,
            "shape": self._shape,
            "layers": self._layers,
            "connections": self._connections,
            "outsize": self._outsize,
            "fact": self._fact,
            "bars": self._bars,
            "calc": self._calc,
            "ptable": self._ptable,
            "sample": self._sample,
            "prob": self._prob,
            "predict": self._predict,
            "shiftshare": self._shiftshare,
            "shiftcount": self._shiftcount,
            "pixels": self._pixels,
            "matrix": self._matrix,
            "correlate": self._correlate,
            "pool": self._pool,
            "shift": self._shift,
            "padded": self._padded,
            "kernel": self._kernel,
            "changed": self._changed,
            "window": self._window,
            "activations": self._activations,
            "stdconv": self._stdconv,
            "sepconv": self._sepconv,
            "initstat": self._initstat,
            "convgrad": self._convgrad,
            "poolgrad": self._poolgrad,
            "learnkernel": self._learnkernel,
            "learnloss": self._learnloss,
        }

    # -- entry points ----------------------------------------------------------------------

    @property
    def functions(self) -> list[str]:
        return sorted(self._functions)

    def render(self, text: str, first_line: int = 1) -> str:
        """Replace every `{{ ... }}` in `text`; raises TemplateError naming the line."""
        variables: dict[str, Any] = {}
        pieces: list[str] = []
        position = 0
        line = first_line
        fenced = fenced_lines(text)
        for match in EXPRESSION.finditer(text):
            literal = text[position : match.start()]
            _check_literal(literal, line)
            line += literal.count("\n")
            pieces.append(literal)
            position = match.end()
            try:
                expanded = self.expand(match.group(1), variables)
                # A multi-line result placed on an indented line (a code block inside a list
                # item) keeps that indentation on every line.
                before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
                indent = before[: len(before) - len(before.lstrip())]
                if "\n" in expanded and indent and not EXPRESSION.sub("", before).strip():
                    expanded = expanded.replace("\n", "\n" + indent)
                # Code blocks hold ASCII art and kernel grids: keep them plain ASCII so the
                # app's --ascii mode shows them unchanged.
                pieces.append(ascii_text(expanded) if line - first_line in fenced else expanded)
            except _Problem as exc:
                raise TemplateError(line, str(exc)) from None
            except TemplateError:
                raise
            except CnnTuiError as exc:
                raise TemplateError(line, f"{{{{{match.group(1)}}}}}: {exc}") from None
        _check_literal(text[position:], line)
        pieces.append(text[position:])
        return "".join(pieces)

    def expand(self, source: str, variables: dict[str, Any]) -> str:
        """Render one expression (the text between `{{` and `}}`)."""
        body = source.strip()
        if not body:
            raise _Problem(_("empty expression '{{ }}'"))
        let = LET.match(body)
        if let:
            name, raw = let.group(1), let.group(2).strip()
            if name in self._functions or name in FILTERS:
                raise _Problem(_("'let {name}': '{name}' is a function name").format(name=name))
            words = raw.split()
            if words[0] in self._functions:
                variables[name] = self._functions[words[0]](words[1:], variables)
            else:
                variables[name] = _let_value(raw)
            return ""
        parts = [p.strip() for p in body.split("|")]
        head, filters = parts[0], parts[1:]
        words = head.split()
        function = words[0]
        if function not in self._functions:
            raise _Problem(
                _("unknown function '{function}'; known: {value}, let").format(
                    function=function, value=", ".join(self.functions)
                )
            )
        args = [head[len(function) :].strip()] if function == "calc" else words[1:]
        value = self._functions[function](args, variables)
        for spec in filters:
            fwords = spec.split()
            if not fwords or fwords[0] not in FILTERS:
                raise _Problem(
                    _("unknown filter '{spec}'; known filters: {value}").format(
                        spec=spec, value=", ".join(sorted(FILTERS))
                    )
                )
            if isinstance(value, Text | Matrix):
                raise _Problem(
                    _("filter '{value}' cannot apply to the text of '{function}'").format(
                        value=fwords[0], function=function
                    )
                )
            value = FILTERS[fwords[0]](value, fwords[1:])
        return default_text(value)


_default_renderer: Renderer | None = None


def default_renderer() -> Renderer:
    """The renderer over the zoo and the bundled facts, shared so traces are computed once."""
    global _default_renderer
    if _default_renderer is None:
        _default_renderer = Renderer()
    return _default_renderer


@lru_cache(maxsize=128)
def render(text: str, first_line: int = 1, language: str = "en") -> str:
    """Expand every `{{ ... }}` of a lesson body; raises TemplateError with the line number.

    `first_line` is the file line where `text` starts (for lessons whose front matter was cut
    off before rendering), so errors point into the file. `language` is the lesson's: facts write
    their units in it (`6 times` / `6배`).
    """
    token = LANGUAGE.set(language)
    try:
        return default_renderer().render(text, first_line)
    finally:
        LANGUAGE.reset(token)
