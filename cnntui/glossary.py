"""The Korean glossary (`assets/glossary.toml`) and the rule it enforces in Korean lessons.

A Korean term's first use in a lesson shows its English term in parentheses right after it
(`합성곱(convolution)`, `특징 맵 (feature map)`, `수용 영역(local receptive field)`: the
parentheses hold the English term, possibly within a longer phrase), so that a learner can always find the word the
papers and frameworks use. Terms are matched longest first: a term inside a longer one that is
glossed there ("합성곱" inside "합성곱 신경망(convolutional neural network)") is covered by the
longer term's parentheses at that place, and still needs its own at its first use on its own.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CODE = re.compile(r"`[^`\n]*`|\{\{.*?\}\}|\]\([^)]*\)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class GlossaryProblem:
    """A Korean term whose first use (on `line`, 1-based within the text given) is unglossed."""

    term: str
    english: str
    line: int

    def __str__(self) -> str:
        return f"first use of {self.term!r} needs its English in parentheses: ({self.english})"


def load_glossary(path: Path | None = None) -> dict[str, str]:
    """Korean term → English term, from `assets/glossary.toml` (or `path`)."""
    if path is None:
        return dict(_bundled_glossary())
    return _parse(path.read_text(encoding="utf-8"), str(path))


@cache
def _bundled_glossary() -> tuple[tuple[str, str], ...]:
    from cnntui.resources import asset_path

    path = asset_path("glossary.toml")
    return tuple(_parse(path.read_text(encoding="utf-8"), str(path)).items())


def _parse(text: str, source: str) -> dict[str, str]:
    terms = tomllib.loads(text).get("terms", {})
    if not isinstance(terms, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
        for k, v in terms.items()
    ):
        raise ValueError(f"{source}: [terms] must map Korean terms to English terms")
    return {k.strip(): v.strip() for k, v in terms.items()}


def prose_lines(markdown: str) -> list[str]:
    """The lines of `markdown` with headings, table rows, code spans, code blocks, template
    expressions and link targets blanked out (same line count and columns), so terms are looked
    for in the running prose only: headings and tables repeat the words the prose introduces."""
    lines: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            lines.append("")
            continue
        if opened:
            fence = opened.group(1)
            lines.append("")
            continue
        if line.lstrip().startswith(("#", "|")):
            lines.append("")
            continue
        lines.append(_CODE.sub(lambda m: " " * len(m.group(0)), line))
    return lines


def first_use_problems(markdown: str, glossary: dict[str, str]) -> list[GlossaryProblem]:
    """Every glossary term whose first use in `markdown` lacks `(English)` right after it.

    A term's words may be split across a line break, as wrapped prose splits them.
    """
    text = "\n".join(prose_lines(markdown))
    covered: set[int] = set()
    first: dict[str, tuple[int, bool]] = {}
    for term in sorted(glossary, key=len, reverse=True):
        english = " ".join(glossary[term].casefold().split())
        pattern = r"\s+".join(re.escape(word) for word in term.split())
        for found in re.finditer(pattern, text):
            span = range(found.start(), found.end())
            if covered.intersection(span):
                continue
            covered.update(span)
            if term in first:
                continue
            # Emphasis may close between the term and its gloss: **커널**(kernel).
            after = text[found.end() :].lstrip(" *_")
            close = after.find(")")
            gloss = " ".join(after[1:close].casefold().split()) if after[:1] == "(" else ""
            line = text.count("\n", 0, found.start()) + 1
            first[term] = (line, close > 0 and english in gloss)
    return [
        GlossaryProblem(term, glossary[term], line)
        for term, (line, glossed) in sorted(first.items(), key=lambda item: item[1][0])
        if not glossed
    ]
