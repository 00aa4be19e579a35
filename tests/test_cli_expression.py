"""The formula parser of ``tinygrad-edu graph``: what it accepts, what it refuses, and that it never runs Python."""

import ast
import builtins
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value
from tinygrad_edu.cli.expression import (
    MAX_DEPTH,
    ExpressionError,
    evaluate,
    parse,
    parse_assignments,
    variable_names,
)


def value_of(text: str, **numbers: float) -> float:
    variables = {name: Value(x, label=name) for name, x in numbers.items()}
    result = evaluate(parse(text), variables, text)
    return result.item() if isinstance(result, Value) else result


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tanh(a*b + c)", math.tanh(2 * -3 + 10)),
        ("a + b - c * 2 / 4", 2 - 3 - 10 * 2 / 4),
        ("-a ** 2", -(2**2)),  # ** binds tighter than unary minus, as in Python and math
        ("(-b) ** 2", 9.0),
        ("2 ** a ** 2", 2 ** (2**2)),  # right-associative
        ("+a - -b", 2 - 3),
        ("sigmoid(a) * relu(b) + relu(c)", sigmoid(2) * 0 + 10),
        ("exp(log(c)) + sqrt(abs(b))", 10 + math.sqrt(3)),
        ("step(b) + step(a)", 1.0),
        ("leaky_relu(b) + leaky_relu(b, 0.2)", -0.03 - 0.6),
        ("1e-3 * c + 0.5", 0.51),
        ("exp(1) * a", 2 * math.e),
        ("a", 2.0),
    ],
)
def test_formulas_compute_what_they_say(text, expected):
    assert value_of(text, a=2.0, b=-3.0, c=10.0) == pytest.approx(expected, rel=1e-12)


def test_gradients_flow_to_the_variables():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    result = evaluate(parse("a*b + a"), {"a": a, "b": b})
    result.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)


def test_parts_without_variables_are_numbers_not_nodes():
    a = Value(2.0, label="a")
    result = evaluate(parse("(2 * 3 + 1) * a"), {"a": a})
    assert result.item() == 14.0
    assert [p.data if isinstance(p, Value) else p for p in result.parents] == [7.0, 2.0]


def test_variable_names_in_order_of_appearance_without_functions():
    assert variable_names(parse("tanh(w2*x + w1) * leaky_relu(x, 0.1) + b")) == ["w2", "x", "w1", "b"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('true')", "only the functions tanh, sigmoid"),
        ("a.real", "attribute access is not allowed in an expression: 'a.real'"),
        ("tanh.__globals__", "attribute access is not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "only the functions"),
        ("a[0]", "indexing is not allowed in an expression: 'a[0]'"),
        ("lambda: a", "a lambda is not allowed"),
        ("(lambda x: x)(a)", "only the functions"),
        ("[x for x in a]", "a comprehension is not allowed"),
        ("{x for x in a}", "a comprehension is not allowed"),
        ("{x: 1 for x in a}", "a comprehension is not allowed"),
        ("sum(x for x in a)", "unknown function 'sum'"),
        ("tanh(x for x in a)", "a generator expression is not allowed"),
        ("'rm -rf /'", "a string is not allowed in an expression"),
        ("b'bytes'", "bytes is not allowed"),
        ("f'{a}'", "an f-string is not allowed"),
        ("a + 'x'", "a string is not allowed"),
        ("1j * a", "an imaginary number is not allowed"),
        ("True * a", "True is not allowed"),
        ("None", "None is not allowed"),
        ("a < b", "a comparison is not allowed"),
        ("a and b", "and / or is not allowed"),
        ("a if b else c", "if ... else is not allowed"),
        ("(a := 2)", "an assignment (:=) is not allowed"),
        ("[a, b]", "a list is not allowed"),
        ("(a, b)", "a tuple is not allowed"),
        ("{'k': a}", "a dictionary is not allowed"),
        ("tanh(*a)", "tanh takes plain arguments"),
        ("leaky_relu(a, negative_slope=0.1)", "leaky_relu takes plain arguments"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("eval('1')", "unknown function 'eval'"),
        ("tanh(a, b)", "tanh takes 1 argument, as in tanh(x); got 2"),
        ("leaky_relu()", "leaky_relu takes 1 or 2 arguments"),
        ("tanh", "tanh is a function: call it, as in tanh(x)"),
        ("a ^ 2", "^ is not a power here: write a**2"),
        ("a // 2", "// (floor division) has no derivative"),
        ("a % 2", "% (remainder) is not supported"),
        ("a @ b", "@ (matrix product) needs arrays"),
        ("~a", "only - and + may stand before a value"),
        ("not a", "only - and + may stand before a value"),
        ("1e999 * a", "the number '1e999' is too large"),
        ("a +", "cannot read 'a +'"),
        ("import os", "cannot read 'import os'"),
        ("a; b", "cannot read"),
        ("", "the expression is empty"),
        ("a\x00", "cannot read"),
    ],
)
def test_refused_with_the_offending_part_named(text, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert fragment in str(caught.value)


def test_too_long_and_too_deep():
    with pytest.raises(ExpressionError, match="characters long"):
        parse("a + " * 400 + "a")
    with pytest.raises(ExpressionError, match=f"nests more than {MAX_DEPTH} operations deep"):
        parse("tanh(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    parse("tanh(" * (MAX_DEPTH - 1) + "a" + ")" * (MAX_DEPTH - 1))


@pytest.mark.parametrize(
    "text, variables, fragment",
    [
        ("a + d", {"a": 1.0}, "unknown name 'd': give its value on the command line, such as d=1.5"),
        ("__builtins__", {}, "unknown name '__builtins__'"),
        ("2 / 0 + a", {"a": 1.0}, "'2 / 0' divides by zero"),
        ("(-8) ** 0.5 * a", {"a": 1.0}, "'(-8) ** 0.5' is not a real number"),
        ("10.0 ** 400 * a", {"a": 1.0}, "'10.0 ** 400' is too large for a float"),
        ("leaky_relu(a, a)", {"a": 1.0}, "leaky_relu's second argument must be a number"),
    ],
)
def test_evaluation_errors(text, variables, fragment):
    values = {name: Value(x, label=name) for name, x in variables.items()}
    with pytest.raises(ExpressionError) as caught:
        evaluate(parse(text), values, text)
    assert fragment in str(caught.value)


def test_nothing_typed_is_ever_run_as_python(monkeypatch):
    """eval and exec are never called; compile only ever makes a syntax tree (what ast.parse asks for)."""
    real_compile = builtins.compile

    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec was called")

    def tree_only(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile was asked for code, not a syntax tree"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(builtins, "compile", tree_only)
    assert value_of("sigmoid(a) * tanh(b) + exp(a / b)", a=1.0, b=2.0) == pytest.approx(
        sigmoid(1) * math.tanh(2) + math.exp(0.5))
    with pytest.raises(ExpressionError):
        parse("__import__('os').system('echo hacked')")


def test_assignments():
    assert parse_assignments(["a=2", "b = -3.5", "w_1=1e-3"]) == {"a": 2.0, "b": -3.5, "w_1": 0.001}


@pytest.mark.parametrize(
    "items, fragment",
    [
        (["a"], "expected a variable's value as NAME=NUMBER (such as a=2), got 'a'"),
        (["a="], "expected a variable's value as NAME=NUMBER"),
        (["=2"], "expected a variable's value as NAME=NUMBER"),
        (["1a=2"], "'1a' is not a variable name"),
        (["a.b=2"], "'a.b' is not a variable name"),
        (["tanh=2"], "'tanh' is the name of a function"),
        (["a=1", "a=2"], "the variable 'a' is given twice"),
        (["a=two"], "the value of a must be a number, got 'two'"),
        (["a=inf"], "the value of a must be a finite number, got 'inf'"),
        (["a=nan"], "the value of a must be a finite number"),
    ],
)
def test_bad_assignments(items, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse_assignments(items)
    assert fragment in str(caught.value)


FORMULA_PIECES = st.sampled_from(
    ["a", "b", "2", "0.5", "1e3", "+", "-", "*", "/", "**", "(", ")", ",", " ", "tanh(", "leaky_relu(", "log(",
     "exp(", "sqrt(", "[", "]", ".", "'", "lambda", ":", "for", "in", "^", "0", "_", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(FORMULA_PIECES, max_size=25).map("".join)))
def test_any_text_either_evaluates_or_raises_an_expression_error(text):
    variables = {"a": Value(0.7, label="a"), "b": Value(-1.3, label="b")}
    try:
        with np.errstate(all="ignore"):
            result = evaluate(parse(text), variables, text)
    except ExpressionError as err:
        assert str(err)
    else:
        assert isinstance(result, (Value, float))
