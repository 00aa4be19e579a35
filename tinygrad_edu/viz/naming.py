"""Readable names for the Values of a graph, computed on the side (labels are never changed).

A Value the user labelled keeps its label. An intermediate Value is named by the expression that made
it, written from its inputs' names the way the user would type it: ``w5*out_h1 + w6*out_h2``,
``(0.01 - out_o1)**2``, ``sigmoid(net)``. An expression longer than ``max_length`` is replaced by the
operation's word and a counter (``add3``), and bigger expressions build on that short name.
Unlabelled leaves are ``v1, v2, ...``; constants are written as numbers (or ``const(3, 4)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value
from tinygrad_edu.viz.numbers import short_number
from tinygrad_edu.viz.traverse import forward_order

# infix operators and their precedence (higher binds tighter), as in Python
INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}
NEGATION = 3
ATOM = 5
WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul", "neg": "neg"}


def display_names(
    roots: Value | Iterable[Value], max_length: int = 32, given: Mapping[Value, str] | None = None
) -> dict[Value, str]:
    """A name for every Value reachable from ``roots``: its label, else the name ``given`` for it (a
    parameter's name in its module, say), else an automatic one."""
    given = given or {}
    names: dict[Value, str] = {}
    precedence: dict[Value, int] = {}
    counters: dict[str, int] = {}
    leaf_count = 0
    for node in forward_order(roots):
        if node.label:
            names[node], precedence[node] = node.label, ATOM
        elif node in given:
            names[node], precedence[node] = given[node], ATOM
        elif node.op is None:
            leaf_count += 1
            names[node], precedence[node] = f"v{leaf_count}", ATOM
        else:
            text, level = _expression(node, names, precedence)
            if len(text) > max_length:
                word = WORDS.get(node.op.name, node.op.name)
                counters[word] = counters.get(word, 0) + 1
                text, level = f"{word}{counters[word]}", ATOM
            names[node], precedence[node] = text, level
    return names


def constant_name(x: Any) -> str:
    """A constant operand: its number (``0.5``) or, for an array, ``const(3, 4)``."""
    if isinstance(x, float | int) or np.ndim(x) == 0:
        return short_number(float(x), 6)
    return "const" + str(tuple(np.shape(x))).replace(",)", ")")


def _expression(node: Value, names: dict[Value, str], precedence: dict[Value, int]) -> tuple[str, int]:
    """The expression that made ``node`` and its precedence, from its inputs' names."""
    op_name = node.op.name
    operands = [_operand(p, names, precedence) for p in node.parents]
    if op_name in INFIX and len(operands) == 2:
        level = INFIX[op_name]
        (left, left_level), (right, right_level) = operands
        if op_name == "**":  # right-associative
            left = _wrap(left, left_level <= level)
            right = _wrap(right, right_level < level)
            return f"{left}**{right}", level
        left = _wrap(left, left_level < level)
        right = _wrap(right, right_level < level or right_level == level and op_name in "-/")
        spaced = op_name in "+-"
        return (f"{left} {op_name} {right}" if spaced else f"{left}{op_name}{right}"), level
    if op_name == "neg":
        text, level = operands[0]
        return "-" + _wrap(text, level < NEGATION), NEGATION
    if op_name == "getitem":
        text, level = operands[0]
        return f"{_wrap(text, level < ATOM)}[{_index_text(node.attrs.get('index'))}]", ATOM
    arguments = ", ".join(text for text, _ in operands)
    return f"{op_name}({arguments})", ATOM


def _operand(parent: Any, names: dict[Value, str], precedence: dict[Value, int]) -> tuple[str, int]:
    if isinstance(parent, Value):
        return names[parent], precedence[parent]
    text = constant_name(parent)
    return text, NEGATION if text.startswith("-") else ATOM


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _index_text(index: Any) -> str:
    """``x[0]``, ``x[1:3]``, ``x[:, 2]``: an index as it was written."""
    parts = index if isinstance(index, tuple) else (index,)
    texts = []
    for part in parts:
        if isinstance(part, slice):
            start = "" if part.start is None else str(part.start)
            stop = "" if part.stop is None else str(part.stop)
            step = "" if part.step is None else f":{part.step}"
            texts.append(f"{start}:{stop}{step}")
        elif part is Ellipsis:
            texts.append("...")
        elif part is None:
            texts.append("None")
        elif isinstance(part, np.ndarray) and part.size > 4:
            texts.append(f"<{part.size} indices>")
        else:
            texts.append(str(part.tolist() if isinstance(part, np.ndarray) else part))
    return ", ".join(texts)
