"""The generative-model worked example: probability tables of a `let` data set of `x:y` samples,
and the functions `ptable`, `prob`, `sample` and `predict`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _fraction
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.values import Quantity, Text, Value

PTABLES = ("joint", "x", "y", "y_given_x", "x_given_y", "cdf")


def _point(x: str) -> str:
    return "(" + ",".join(x) + ")"


def _probability(p: Fraction) -> str:
    decimal = f"{float(p):.2f}"
    if p.denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100):
        return f"{float(p):.2f}".rstrip("0").rstrip(".") if p not in (0, 1) else str(int(p))
    return f"{p.numerator}/{p.denominator} ≈ {decimal}"


def probability_table(table: str, samples: list[tuple[str, str]]) -> str:
    """A Markdown table of one distribution estimated by counting `samples` of (x, y)."""
    n = len(samples)
    xs = sorted({x for x, _y in samples})
    ys = sorted({y for _x, y in samples})
    count = {(x, y): sum(1 for s in samples if s == (x, y)) for x in xs for y in ys}
    count_x = {x: sum(count[x, y] for y in ys) for x in xs}
    count_y = {y: sum(count[x, y] for x in xs) for y in ys}
    if table == "joint":
        head = "| x | " + " | ".join(f"P(x, y={y})" for y in ys) + " |"
        body = [
            f"| {_point(x)} | "
            + " | ".join(_probability(Fraction(count[x, y], n)) for y in ys)
            + " |"
            for x in xs
        ]
    elif table == "x":
        head = "| x | count | P(x) |"
        body = [
            f"| {_point(x)} | {count_x[x]} | {_probability(Fraction(count_x[x], n))} |" for x in xs
        ]
    elif table == "y":
        head = "| y | count | P(y) |"
        body = [f"| {y} | {count_y[y]} | {_probability(Fraction(count_y[y], n))} |" for y in ys]
    elif table == "y_given_x":
        head = "| x | " + " | ".join(f"P(y={y} \\| x)" for y in ys) + " |"
        body = [
            f"| {_point(x)} | "
            + " | ".join(_probability(Fraction(count[x, y], count_x[x])) for y in ys)
            + " |"
            for x in xs
        ]
    elif table == "x_given_y":
        head = "| x | " + " | ".join(f"P(x \\| y={y})" for y in ys) + " |"
        body = [
            f"| {_point(x)} | "
            + " | ".join(_probability(Fraction(count[x, y], count_y[y])) for y in ys)
            + " |"
            for x in xs
        ]
    else:  # cdf: the cumulative intervals used to sample x from P(x)
        head = "| x | P(x) | interval of u |"
        body = []
        low = Fraction(0)
        for x in xs:
            high = low + Fraction(count_x[x], n)
            body.append(
                f"| {_point(x)} | {_probability(high - low)} | [{_probability(low)}, {_probability(high)}) |"
            )
            low = high
    columns = head.replace("\\|", "").count("|") - 1
    return "\n".join([head, "|" + "---|" * columns, *body])


def sample_x(samples: list[tuple[str, str]], u: Fraction) -> str:
    """The x whose cumulative interval of P(x) holds `u` (inverse-CDF sampling)."""
    n = len(samples)
    low = Fraction(0)
    for x in sorted({x for x, _y in samples}):
        high = low + Fraction(sum(1 for s, _y in samples if s == x), n)
        if low <= u < high:
            return x
        low = high
    raise _Problem(_("sample: {value} is outside [0, 1)").format(value=float(u)))


def predict_y(samples: list[tuple[str, str]], x: str) -> str:
    """The label with the highest P(y|x); ties are named together."""
    labels = [y for s, y in samples if s == x]
    counts = {y: labels.count(y) for y in sorted(set(labels))}
    best = max(counts.values())
    return " or ".join(y for y, c in counts.items() if c == best)


class ProbabilityFunctions:
    """The template functions on `x:y` data sets (a part of `Renderer`)."""

    def _samples(self, name: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
        data = variables.get(name)
        if not isinstance(data, list) or not all(isinstance(s, tuple) for s in data):
            raise _Problem(
                _(
                    "'{name}' is not a data set; define it first with {{{{ let {name} = x:y x:y ... }}}}"
                ).format(name=name)
            )
        return data

    def _ptable(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{{{ ptable TABLE DATA }}}} with TABLE one of {value}").format(
                    value=", ".join(PTABLES)
                )
            )
        table, name = args
        if table not in PTABLES:
            raise _Problem(
                _("unknown probability table '{table}'; known: {value}").format(
                    table=table, value=", ".join(PTABLES)
                )
            )
        return Text(probability_table(table, self._samples(name, variables)))

    def _prob(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = _(
            "usage: {{ prob DATA x X }}, {{ prob DATA y Y }}, {{ prob DATA joint X Y }}, "
            "{{ prob DATA y_given_x X Y }} or {{ prob DATA x_given_y X Y }}"
        )
        if len(args) < 3:
            raise _Problem(usage)
        samples = self._samples(args[0], variables)
        table, values = args[1], args[2:]
        wanted = {"x": 1, "y": 1, "joint": 2, "y_given_x": 2, "x_given_y": 2}
        if table not in wanted or len(values) != wanted[table]:
            raise _Problem(usage)
        xs = {x for x, _y in samples}
        ys = {y for _x, y in samples}
        x_value = values[0] if table != "y" else None
        y_value = values[-1] if table != "x" else None
        if x_value is not None and x_value not in xs:
            raise _Problem(
                _("prob: x '{x_value}' never occurs; the data has {value}").format(
                    x_value=x_value, value=", ".join(sorted(xs))
                )
            )
        if y_value is not None and y_value not in ys:
            raise _Problem(
                _("prob: y '{y_value}' never occurs; the data has {value}").format(
                    y_value=y_value, value=", ".join(sorted(ys))
                )
            )
        n = len(samples)
        with_x = [s for s in samples if s[0] == x_value]
        with_y = [s for s in samples if s[1] == y_value]
        both = [s for s in samples if s == (x_value, y_value)]
        ratio = {
            "x": Fraction(len(with_x), n),
            "y": Fraction(len(with_y), n),
            "joint": Fraction(len(both), n),
            "y_given_x": Fraction(len(both), len(with_x) or 1),
            "x_given_y": Fraction(len(both), len(with_y) or 1),
        }[table]
        return Quantity(int(ratio) if ratio.denominator == 1 else ratio)

    def _sample(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(_("usage: {{ sample DATA U }} with 0 <= U < 1"))
        samples = self._samples(args[0], variables)
        u = _fraction(args[1], "sample")
        if not 0 <= u < 1:
            raise _Problem(_("sample: U must be in [0, 1), not {value}").format(value=args[1]))
        return Text(_point(sample_x(samples, u)))

    def _predict(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(_("usage: {{ predict DATA X }}, e.g. {{ predict data 01 }}"))
        samples = self._samples(args[0], variables)
        xs = sorted({x for x, _y in samples})
        if args[1] not in xs:
            raise _Problem(
                _("predict: x '{value}' never occurs; the data has {value2}").format(
                    value=args[1], value2=", ".join(xs)
                )
            )
        return Text(predict_y(samples, args[1]))
