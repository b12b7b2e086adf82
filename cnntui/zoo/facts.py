"""ILSVRC results of the zoo's architectures, read from the bundled facts (`assets/facts.toml`).

The facts file is shared with the lessons. When it is missing or a fact is absent the answer is
simply unknown (None), never an error: the zoo works without it.
"""

from __future__ import annotations

FAMILY_FACTS: dict[str, tuple[str, str]] = {
    "alexnet": ("ilsvrc.2012.top5", "ILSVRC 2012 winner (SuperVision)"),
    "vgg": ("ilsvrc.2014.vgg_top5", "ILSVRC 2014 classification runner-up"),
    "googlenet": ("ilsvrc.2014.top5", "ILSVRC 2014 winner"),
    "resnet": ("ilsvrc.2015.top5", "ILSVRC 2015 winner (ensemble)"),
}
"""Which fact holds the top-5 error of each competition family, and a short line about it."""


def _fact_value(key: str) -> float | None:
    try:
        from cnntui.facts import load_facts

        fact = load_facts().get(key)
    except Exception:  # a missing or broken facts file means "unknown", not a crash
        return None
    if fact is None or not fact.is_number:
        return None
    return float(fact.value)


def top5_error(name: str, family: str) -> float | None:
    """Top-5 test error in percent of the competition entry built on this architecture."""
    entry = FAMILY_FACTS.get(family)
    return _fact_value(entry[0]) if entry else None


def ilsvrc_note(name: str, family: str) -> str | None:
    entry = FAMILY_FACTS.get(family)
    return entry[1] if entry else None
