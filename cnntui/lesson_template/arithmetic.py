"""Exact arithmetic: `outsize` and `calc`, whose expression is walked on a restricted syntax tree
(nothing is evaluated with `eval`)."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _whole
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.values import Number, Quantity, Value

if TYPE_CHECKING:
    from cnntui.lesson_template.renderer import Renderer

MAX_EXPONENT = 4096


def conv_output_size(size: int, kernel: int, padding: int, stride: int, dilation: int = 1) -> int:
    """⌊(I + 2P − D·(F − 1) − 1)/S⌋ + 1, the output length of a convolution or pooling window.

    The Calculator's checked output size does the work (on the engine's one formula,
    `cnntui.engine.outsize`), so lessons, the Calculator and the layers agree; its ShapeError
    explains what does not fit.
    """
    from cnntui.calc.layer import conv_output_size as calc_output_size

    if padding < 0:
        raise _Problem(_("outsize: padding must be 0 or more"))
    return calc_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)


_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class _Evaluator:
    """Walks a parsed arithmetic expression; anything outside the small grammar is refused."""

    def __init__(self, renderer: Renderer, variables: dict[str, Any]) -> None:
        self.renderer = renderer
        self.variables = variables

    def visit(self, node: ast.AST) -> Number:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return Fraction(str(node.value)) if isinstance(node.value, float) else node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = self.visit(node.left), self.visit(node.right)
            if isinstance(node.op, ast.Pow):
                return self._power(left, right)
            if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
                raise _Problem(_("calc: division by zero"))
            if isinstance(node.op, ast.Div):
                result = Fraction(left) / Fraction(right)
                return int(result) if result.denominator == 1 else result
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.Name):
            named = self.variables.get(node.id)
            if isinstance(named, int | Fraction):
                return named
            if isinstance(named, Quantity):
                return Fraction(str(named.value)) if isinstance(named.value, float) else named.value
            raise _Problem(
                _("calc: unknown name '{id}' (define it with {{{{ let {id} = ... }}}})").format(
                    id=node.id
                )
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node)
        raise _Problem(
            _(
                "calc: only numbers, + - * / // % **, parentheses, let names and params(), macs(), fact(), outsize() are allowed"
            )
        )

    def _power(self, base: Number, exponent: Number) -> Number:
        if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
            raise _Problem(
                _("calc: exponents must be whole numbers up to {limit}").format(limit=MAX_EXPONENT)
            )
        size = max(Fraction(base).numerator.bit_length(), Fraction(base).denominator.bit_length())
        if size * abs(exponent) > MAX_EXPONENT * 4:
            raise _Problem(_("calc: the power is too large to write out"))
        result = Fraction(base) ** exponent
        return int(result) if result.denominator == 1 else result

    def _call(self, node: ast.Call) -> Number:
        name = node.func.id  # type: ignore[attr-defined]
        if node.keywords:
            raise _Problem(_("calc: {name}() takes no keyword arguments").format(name=name))
        if name == "outsize":
            numbers = [self.visit(a) for a in node.args]
            if len(numbers) not in (4, 5) or not all(isinstance(n, int) for n in numbers):
                raise _Problem(
                    _(
                        "calc: outsize(input, kernel, padding, stride[, dilation]) takes whole numbers"
                    )
                )
            return conv_output_size(*numbers)  # type: ignore[arg-type]
        words = [self._word(a) for a in node.args]
        if name in ("params", "trainable", "macs", "activations") and 1 <= len(words) <= 2:
            value = self.renderer._functions[name](words, self.variables)
        elif name == "fact" and len(words) == 1:
            value = self.renderer._fact(words, self.variables)
        else:
            raise _Problem(
                _(
                    'calc: unknown call {name}(); use params("m"[, "part"]), macs("m"[, "part"]), activations("m"[, "part"]), fact("key") or outsize(i, f, p, s[, d])'
                ).format(name=name)
            )
        if not isinstance(value, Quantity):
            raise _Problem(
                _("calc: {name}({value}) is not a number").format(name=name, value=", ".join(words))
            )
        number = value.value
        return Fraction(str(number)) if isinstance(number, float) else number

    @staticmethod
    def _word(node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return node.id
        raise _Problem(_("calc: names of models, layers and facts are written in quotes"))


class ArithmeticFunctions:
    """The template functions `outsize` and `calc` (a part of `Renderer`)."""

    def _outsize(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) not in (4, 5):
            raise _Problem(_("usage: {{ outsize INPUT KERNEL PADDING STRIDE [DILATION] }}"))
        numbers = [_whole(a, "outsize", variables) for a in args]
        return Quantity(conv_output_size(*numbers))

    def _calc(self, args: list[str], variables: dict[str, Any]) -> Value:
        expression = args[0] if args else ""
        if not expression:
            raise _Problem(_("usage: {{ calc EXPRESSION }}, e.g. {{ calc (7*7 + 1) * 64 }}"))
        return Quantity(self.evaluate(expression, variables))

    def evaluate(self, expression: str, variables: dict[str, Any]) -> Number:
        """Exact arithmetic on a restricted syntax tree (no names but `let` values and helpers)."""
        try:
            tree = ast.parse(expression.replace("×", "*").replace("·", "*"), mode="eval")
        except SyntaxError:
            raise _Problem(
                _("cannot read the expression '{expression}'").format(expression=expression)
            ) from None
        return _Evaluator(cast("Renderer", self), variables).visit(tree.body)
