"""Formulas typed on the command line, such as ``tanh(a*b + c)``, turned into a graph of Values — safely.

The text is never run as Python (no ``eval``, ``exec`` or ``compile``). Python's own parser,
``ast.parse(text, mode="eval")``, only turns it into a syntax tree, and that tree is accepted only if
every node is one of:

- a number (``2``, ``0.5``, ``1e-3``);
- a variable name given a value on the command line (``a=2``);
- ``+ - * / **`` between two parts, ``-`` or ``+`` before one;
- a call of one of :data:`FUNCTIONS` by name (``tanh(x)``, ``leaky_relu(x, 0.1)``).

Anything else — attribute access, indexing, strings, lambdas, comprehensions, comparisons, unknown
functions — is an :class:`ExpressionError` naming the offending part. The accepted tree is then
walked by :func:`evaluate`, which applies the matching operations of the engine to the Values.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from tinygrad_edu.engine import Value

MAX_LENGTH = 1000  # characters: a formula, not a program
MAX_DEPTH = 100  # nesting of operations, far below Python's recursion limit


class ExpressionError(ValueError):
    """The formula or a variable assignment cannot be used; the message says which part and why."""


@dataclass(frozen=True)
class Function:
    """A function the formulas may call: its argument counts and what it does to a Value."""

    min_args: int
    max_args: int
    apply: Callable[..., Value]
    usage: str


FUNCTIONS: dict[str, Function] = {
    "tanh": Function(1, 1, lambda x: x.tanh(), "tanh(x)"),
    "sigmoid": Function(1, 1, lambda x: x.sigmoid(), "sigmoid(x)"),
    "relu": Function(1, 1, lambda x: x.relu(), "relu(x)"),
    "exp": Function(1, 1, lambda x: x.exp(), "exp(x)"),
    "log": Function(1, 1, lambda x: x.log(), "log(x)"),
    "sqrt": Function(1, 1, lambda x: x.sqrt(), "sqrt(x)"),
    "abs": Function(1, 1, lambda x: x.abs(), "abs(x)"),
    "step": Function(1, 1, lambda x: x.step(), "step(x)"),
    "leaky_relu": Function(1, 2, lambda x, slope=0.01: x.leaky_relu(slope), "leaky_relu(x) or leaky_relu(x, slope)"),
}

BINARY_OPERATORS: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
UNARY_OPERATORS: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}

# what to call the parts of Python that formulas do not allow
FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "and / or",
    ast.IfExp: "if ... else",
    ast.NamedExpr: "an assignment (:=)",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dictionary",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}
OPERATOR_HINTS = {
    ast.BitXor: "^ is not a power here: write a**2 for a squared",
    ast.MatMult: "@ (matrix product) needs arrays; the variables are numbers",
    ast.FloorDiv: "// (floor division) has no derivative; use /",
    ast.Mod: "% (remainder) is not supported",
}


# ====================================================================== parsing and checking
def parse(text: str) -> ast.expr:
    """The checked syntax tree of ``text``; raises :class:`ExpressionError` for anything not allowed."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ExpressionError("the expression is empty; write one such as 'tanh(a*b + c)'")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters long; at most {MAX_LENGTH} are allowed")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", SyntaxWarning)  # "2x" and the like: refused, not warned about
            tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        raise ExpressionError(f"cannot read {source!r}: {err.msg}{where}") from None
    except (SyntaxWarning, ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"cannot read {source!r}: {err}") from None
    _check(tree.body, source)
    return tree.body


def _check(root: ast.expr, source: str) -> None:
    """Every node allowed (see the module docstring); walked with an explicit stack, nesting bounded."""
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests more than {MAX_DEPTH} operations deep")
        part = _segment(node, source)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINARY_OPERATORS:
                hint = OPERATOR_HINTS.get(type(node.op), f"the operator {type(node.op).__name__} is not supported")
                raise ExpressionError(f"{hint} (in {part!r}); use + - * / **")
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in UNARY_OPERATORS:
                raise ExpressionError(f"only - and + may stand before a value, not in {part!r}")
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Call):
            _check_call(node, part)
            stack += [(arg, depth + 1) for arg in node.args]
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: call it, as in {FUNCTIONS[node.id].usage}")
        elif isinstance(node, ast.Constant):
            _check_constant(node, part)
        else:
            what = FORBIDDEN.get(type(node), f"a {type(node).__name__} expression")
            raise ExpressionError(f"{what} is not allowed in an expression: {part!r}; use numbers, variables, "
                                  f"+ - * / ** and the functions {', '.join(FUNCTIONS)}")


def _check_call(node: ast.Call, part: str) -> None:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"only the functions {', '.join(FUNCTIONS)} may be called, by name: {part!r}")
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(f"unknown function {name!r} in {part!r}; the functions are {', '.join(FUNCTIONS)}")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise ExpressionError(f"{name} takes plain arguments, as in {FUNCTIONS[name].usage}: {part!r}")
    function = FUNCTIONS[name]
    if not function.min_args <= len(node.args) <= function.max_args:
        raise ExpressionError(f"{name} takes {_count(function)}, as in {function.usage}; got {len(node.args)} "
                              f"in {part!r}")


def _check_constant(node: ast.Constant, part: str) -> None:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {str: "a string", bytes: "bytes", complex: "an imaginary number"}.get(type(value), repr(value))
        raise ExpressionError(f"{kind} is not allowed in an expression: {part!r}; only real numbers are")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        raise ExpressionError(f"the number {part!r} is too large")


def _count(function: Function) -> str:
    if function.min_args == function.max_args:
        return f"{function.min_args} argument" + ("s" if function.min_args != 1 else "")
    return f"{function.min_args} or {function.max_args} arguments"


def _segment(node: ast.AST, source: str) -> str:
    """The part of the text a node came from (rebuilt from the node when the text is not at hand)."""
    return (ast.get_source_segment(source, node) if source else None) or ast.unparse(node)


def variable_names(tree: ast.expr) -> list[str]:
    """The variables a checked tree uses, in the order they first appear in the text."""
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    first: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in functions:
            position = (node.lineno, node.col_offset)
            first[node.id] = min(position, first.get(node.id, position))
    return sorted(first, key=lambda name: first[name])


# ====================================================================== variables
def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["a=2", "b=-3"]`` → ``{"a": 2.0, "b": -3.0}``; each a new name (not a function) and a finite number."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not equals or not name or not text:
            raise ExpressionError(f"expected a variable's value as NAME=NUMBER (such as a=2), got {item!r}")
        if not name.isidentifier():
            raise ExpressionError(f"{name!r} is not a variable name (letters, digits and _, not first a digit)")
        if name in FUNCTIONS:
            raise ExpressionError(f"{name!r} is the name of a function; give the variable another name")
        if name in values:
            raise ExpressionError(f"the variable {name!r} is given twice")
        try:
            value = float(text)
        except ValueError:
            raise ExpressionError(f"the value of {name} must be a number, got {text!r}") from None
        if not math.isfinite(value):
            raise ExpressionError(f"the value of {name} must be a finite number, got {text!r}")
        values[name] = value
    return values


# ====================================================================== evaluation
def evaluate(tree: ast.expr, variables: Mapping[str, Value], source: str = "") -> Value | float:
    """Apply the engine's operations along a tree from :func:`parse`; parts without variables are plain
    numbers (a float is returned when the whole formula has none)."""
    return _Evaluator(variables, source).value(tree)


class _Evaluator:
    """Bottom-up evaluation of a checked tree (its depth is at most MAX_DEPTH, so recursion is safe)."""

    def __init__(self, variables: Mapping[str, Value], source: str) -> None:
        self.variables = variables
        self.source = source

    def value(self, node: ast.expr) -> Value | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in self.variables:
                raise ExpressionError(f"unknown name {node.id!r}: give its value on the command line, such as "
                                      f"{node.id}=1.5")
            return self.variables[node.id]
        if isinstance(node, ast.UnaryOp):
            return UNARY_OPERATORS[type(node.op)](self.value(node.operand))
        if isinstance(node, ast.BinOp):
            symbol, combine = BINARY_OPERATORS[type(node.op)]
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(left, float) and isinstance(right, float):
                return self.constant(combine, left, right, node)
            return combine(left, right)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ExpressionError(f"cannot evaluate {_segment(node, self.source)!r}")  # parse() lets nothing else by

    def call(self, node: ast.Call) -> Value:
        name = cast(ast.Name, node.func).id  # parse() let only calls of a function by its name through
        x, *settings = [self.value(arg) for arg in node.args]
        for setting in settings:
            if not isinstance(setting, float):
                raise ExpressionError(f"{name}'s second argument must be a number, not a formula with variables: "
                                      f"{_segment(node, self.source)!r}")
        operand = x if isinstance(x, Value) else Value(x, requires_grad=False)
        return FUNCTIONS[name].apply(operand, *settings)

    def constant(self, combine: Callable[[float, float], Any], left: float, right: float, node: ast.BinOp) -> float:
        """Two numbers combined as numbers (``2*3`` is 6, not a node), with clear errors."""
        part = _segment(node, self.source)
        try:
            result = combine(left, right)
        except ZeroDivisionError:
            raise ExpressionError(f"{part!r} divides by zero") from None
        except OverflowError:
            raise ExpressionError(f"{part!r} is too large for a float") from None
        if isinstance(result, complex):
            raise ExpressionError(f"{part!r} is not a real number")
        return float(result)
