"""Local derivatives ∂out/∂in of one operation, as numbers and as formulas.

The number comes from the operation's own backward rule called with g = 1: the rule returns
g · ∂out/∂in, so with g = 1 it returns exactly the local derivative (y(1 − y) for sigmoid, the other
factor for ×, ...). For arrays, g is an array of ones and the result is Σ over the output's elements,
which is a local derivative only for scalars; callers use it for scalars.

The formula is the same derivative written with the operands' names, for explanations:
∂out_o1/∂net_o1 = out_o1(1 − out_o1), ∂(w5*out_h1)/∂w5 = out_h1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value
from tinygrad_edu.engine.ops import input_grad
from tinygrad_edu.viz.naming import constant_name
from tinygrad_edu.viz.numbers import as_scalar


def raw(x: Any) -> Any:
    """The data of a Value, or a constant as it is."""
    return x.data if isinstance(x, Value) else x


def local_gradient(node: Value, position: int) -> Any:
    """The backward rule of ``node``'s operation for input ``position``, evaluated with g = 1."""
    data = node.data
    ones = 1.0 if isinstance(data, float) else np.ones_like(data)
    inputs = [raw(p) for p in node.parents]
    return input_grad(node.op, position, ones, data, tuple(inputs), node.attrs)


def local_derivative(node: Value, position: int) -> float:
    """∂node/∂(input ``position``) for a scalar operation, as a float."""
    return as_scalar(local_gradient(node, position))


def local_derivative_wrt(node: Value, parent: Value) -> float:
    """∂node/∂parent, summed over every position where ``parent`` is an input (x*x gives 2x)."""
    return sum(local_derivative(node, i) for i, p in enumerate(node.parents) if p is parent)


def passes_unchanged(node: Value, parent: Value) -> bool:
    """True when ``node`` hands ``parent`` its gradient unchanged whatever the values: a sum (``+``, or
    the left side of ``-``) that uses ``parent`` once. (A ReLU that is on also has derivative 1, but only
    at these values.)"""
    positions = [i for i, p in enumerate(node.parents) if p is parent]
    return len(positions) == 1 and (node.op.name == "+" or node.op.name == "-" and positions[0] == 0)


def local_formula(node: Value, parent: Value, name: Callable[[Any], str]) -> str | None:
    """∂node/∂parent as a formula in the operands' names, or None when there is no short one.

    ``name`` turns an operand (Value or constant) into the text to write for it.
    """
    positions = [i for i, p in enumerate(node.parents) if p is parent]
    if len(positions) != 1:
        return None  # the same input used twice: the number is exact, a formula would be clumsy
    position = positions[0]
    op_name = node.op.name
    operands = node.parents

    def other() -> Any:
        return operands[1 - position]

    y, x = name(node), name(parent)
    if op_name == "+":
        return "1"
    if op_name == "-":
        return "1" if position == 0 else "-1"
    if op_name == "neg":
        return "-1"
    if op_name == "*":
        return _atom(name(other()))
    if op_name == "/":
        a, b = (_atom(name(o)) for o in operands)
        return f"1/{b}" if position == 0 else f"-{a}/{b}**2"
    if op_name == "**" and position == 0 and not isinstance(operands[1], Value):
        exponent = float(np.asarray(operands[1]).reshape(-1)[0]) if np.size(operands[1]) == 1 else None
        if exponent is None:
            return None
        if exponent == 2.0:
            return f"2*{_atom(x)}"
        return f"{constant_name(exponent)}*{_atom(x)}**{constant_name(exponent - 1.0)}"
    if op_name == "sigmoid":
        return f"{_atom(y)}(1 - {_atom(y)})"
    if op_name == "tanh":
        return f"1 - {_atom(y)}**2"
    if op_name == "exp":
        return y
    if op_name == "log":
        return f"1/{_atom(x)}"
    if op_name == "sqrt":
        return f"1/(2*{_atom(y)})"
    if op_name == "relu":
        return "1" if as_scalar(raw(parent)) > 0 else "0"
    return None


def _atom(text: str) -> str:
    """Parenthesise a compound name so it multiplies cleanly: ``(0.01 - out_o1)``."""
    return text if is_atomic(text) else f"({text})"


def is_atomic(text: str) -> bool:
    """A name, a non-negative number or a call like ``sigmoid(x)``: safe to multiply unbracketed."""
    head = text.split("(", 1)[0]
    if not head or not all(ch.isalnum() or ch in "_." for ch in head):
        return False
    if head == text:
        return True
    depth = 0
    for i, ch in enumerate(text[len(head) :]):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and i != len(text) - len(head) - 1:
            return False  # the call's bracket closes before the end: f(x)*g
    return depth == 0
