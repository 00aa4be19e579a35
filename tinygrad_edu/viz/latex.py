"""Names and formulas in LaTeX, for explanations in Markdown: ``out_o1`` → ``out_{o1}``, ``w5`` → ``w_{5}``.

Formulas come as the expressions viz writes (``(0.01 - out_o1)**2``, ``out_o1(1 - out_o1)``); they are
rewritten token by token: names get subscripts, ``**`` becomes a superscript, ``*`` a centred dot, and
known functions their usual symbols (σ for sigmoid).
"""

from __future__ import annotations

import re

from tinygrad_edu.engine.ops import Op

FUNCTIONS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log"}


def _operation_names() -> set[str]:
    """The names of the engine's operations (``sum``, ``relu``, ...): a name followed by a bracket is a
    call if it is one of these, else a product, as in the lecture's out_o1(1 − out_o1)."""
    names, stack = set(), [Op]
    while stack:
        cls = stack.pop()
        names.add(cls.name)
        stack.extend(cls.__subclasses__())
    return {n for n in names if n.isidentifier()}


CALLABLE = _operation_names()
TOKEN = re.compile(r"\*\*|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\s+|.")
ESCAPED_UNDERSCORE = r"\_"
SPECIAL = {"#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "{": r"\{", "}": r"\}", "~": r"\sim ", "^": r"\wedge "}


def latex_name(name: str) -> str:
    """A single name in LaTeX: ``E_total`` → ``E_{total}``, ``w5`` → ``w_{5}``; expressions via
    :func:`latex_expression`."""
    letters_then_digits = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if letters_then_digits:
        base, digits = letters_then_digits.groups()
        return f"{base}_{{{digits}}}"
    if re.fullmatch(r"[A-Za-z]+_[A-Za-z0-9_]+", name):
        base, rest = name.split("_", 1)
        return base + "_{" + rest.replace("_", ESCAPED_UNDERSCORE) + "}"
    if re.fullmatch(r"[A-Za-z]+", name):
        return name
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):  # any other single name, e.g. h1_2: as it is
        return r"\mathrm{" + name.replace("_", ESCAPED_UNDERSCORE) + "}"
    return latex_expression(name)


def latex_expression(text: str) -> str:
    """An expression in viz's syntax, rewritten in LaTeX."""
    return _convert(TOKEN.findall(text))


def _convert(tokens: list[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "**":
            j = i + 1
            while j < len(tokens) and tokens[j].isspace():
                j += 1
            if j < len(tokens) and tokens[j] == "(":
                end = _closing(tokens, j)
                out.append("^{" + _convert(tokens[j : end + 1]) + "}")
                i = end + 1
            elif j < len(tokens):
                out.append("^{" + _convert([tokens[j]]) + "}")
                i = j + 1
            else:
                i = j
            continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token):
            is_call = token in CALLABLE and i + 1 < len(tokens) and tokens[i + 1] == "("
            if is_call:
                operator = r"\operatorname{" + token.replace("_", ESCAPED_UNDERSCORE) + "}"
                out.append(FUNCTIONS.get(token, operator))
            else:
                out.append(latex_name(token))
        elif token == "*":
            out.append(r" \cdot ")
        elif token == "@":
            out.append(r" \mathbin{@} ")
        elif token == "\N{MINUS SIGN}":
            out.append("-")
        else:
            out.append(SPECIAL.get(token, token))
        i += 1
    return "".join(out)


def _closing(tokens: list[str], start: int) -> int:
    """The index of the bracket closing the one at ``start`` (the last token if it never closes)."""
    depth = 0
    for k in range(start, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[k], 0)
        if depth == 0:
            return k
    return len(tokens) - 1
