"""gradcheck and gradgradcheck themselves: they pass correct rules, catch wrong ones, and say where.

Wrong rules are tiny Op classes defined here and applied with ``value.apply``, exactly as the engine's
own operations are.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from tinygrad_edu import GradcheckError, Value, gradcheck, gradgradcheck
from tinygrad_edu.engine.ops import Op, data_of
from tinygrad_edu.engine.value import apply


class ExpWithWrongRule(Op):
    """y = eˣ with a rule 10 % too large: ∂y/∂x claimed to be 1.1·eˣ."""

    name = "exp_with_wrong_rule"
    forward = staticmethod(np.exp)
    vjp = (lambda g, y, x: g * y * 1.1,)


class Scale(Op):
    """y = true·x with the rule ∂y/∂x = claimed (correct only when claimed == true)."""

    name = "scale"
    forward = staticmethod(lambda x, true, claimed: x * true)
    vjp = (lambda g, y, x, true, claimed: g * claimed,)


class SquareFirstOrderOnly(Op):
    """y = x² with ∂y/∂x = 2x computed from x's raw data: right for backward, but the rule is invisible to
    create_graph, so the second derivative comes out 0 instead of 2."""

    name = "square_first_order_only"
    forward = staticmethod(lambda x: x * x)
    vjp = (lambda g, y, x: g * (2.0 * data_of(x)),)


def wrong_exp(v):
    return apply(ExpWithWrongRule, v)


# ---------------------------------------------------------------------------- passing


def test_a_correct_function_passes_with_small_errors():
    a = Value(np.array([[0.2, -0.4], [1.0, 0.3]]), label="a")
    b = Value(np.array([0.5, -1.5]), label="b")
    result = gradcheck(lambda x, y: (x @ y).tanh() * y.sum(), [a, b])
    assert result and result.passed
    assert [r.position for r in result.inputs] == [0, 1]
    assert [r.shape for r in result.inputs] == [(2, 2), (2,)]
    for report in result.inputs:
        assert report.passed
        assert 0.0 <= report.max_abs_error < 1e-8
        assert 0.0 <= report.max_rel_error < 1e-6
    assert gradcheck(lambda x: x * 2.0, [Value(1.0)], raise_exception=True)


def test_outputs_of_any_shape_and_several_outputs():
    a = Value(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
    b = Value(np.array([0.5, 1.5, -0.5]))

    def several(x, y):
        return x.sum(), x * y, y.exp().reshape(3, 1, 1)

    assert gradcheck(several, [a, b], raise_exception=True)
    assert gradcheck(lambda x: x.reshape(1, 2, 3) * 2.0, [a], raise_exception=True)


def test_plain_numbers_and_arrays_are_turned_into_values():
    assert gradcheck(lambda x, y: x * y, [np.array([1.0, 2.0]), 3.0], raise_exception=True)


def test_inputs_that_do_not_require_grad_are_skipped():
    a = Value([1.0, 2.0])
    constant = Value([3.0, 4.0], requires_grad=False)
    c = Value(0.5)
    result = gradcheck(lambda x, k, y: x * k + y, [a, constant, c])
    assert result and [r.position for r in result.inputs] == [0, 2]


def test_inputs_data_and_grad_are_unchanged():
    original = np.array([0.3, -0.7, 1.1])
    x = Value(original.copy())
    y = Value(2.0)
    data_before = x.data
    gradcheck(lambda u, v: (u * v).tanh(), [x, y])
    assert x.data is data_before and np.array_equal(x.data, original) and y.data == 2.0
    assert not x.has_grad and not y.has_grad
    x.grad = np.array([1.0, 2.0, 3.0])
    gradcheck(lambda u: u.exp(), [x])
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0])
    failing = Value([0.1, 0.2])
    gradcheck(wrong_exp, [failing])
    np.testing.assert_array_equal(failing.data, [0.1, 0.2])
    assert not failing.has_grad


# ---------------------------------------------------------------------------- failing


def test_a_wrong_rule_fails_and_the_report_points_at_the_worst_element():
    x = Value(np.array([0.1, 0.5, 1.0]), label="x")
    result = gradcheck(wrong_exp, [x])
    assert not result and not result.passed
    (report,) = result.inputs
    assert not report.passed and report.label == "x" and report.shape == (3,)
    assert report.max_abs_error == pytest.approx(0.1 * math.e, rel=1e-6)
    assert report.max_rel_error == pytest.approx(0.1, rel=1e-6)
    assert report.worst_element == (2,)
    assert report.worst_output == (0, 2)
    assert report.analytical == pytest.approx(1.1 * math.e, rel=1e-12)
    assert report.numerical == pytest.approx(math.e, rel=1e-8)


def test_a_nan_in_the_analytical_jacobian_shows_in_the_report():
    """Its max error is nan, not the largest of the other elements' (tiny) errors."""
    x = Value(np.array([0.5, 1.5]), label="x")
    result = gradcheck(lambda v: apply(Scale, v, true=2.0, claimed=np.array([2.0, np.nan])), [x])
    (report,) = result.inputs
    assert not result and math.isnan(report.max_abs_error) and math.isnan(report.max_rel_error)
    assert "nan" in str(result)


def test_only_the_wrong_input_fails():
    good = Value(np.array([[1.0, 2.0], [3.0, 4.0]]), label="good")
    bad = Value(np.array([[0.0, 0.2], [-0.3, 0.1]]), label="bad")
    result = gradcheck(lambda g, b: g * 3.0 + wrong_exp(b), [good, bad])
    assert not result
    assert [r.passed for r in result.inputs] == [True, False]
    # the excess 0.1·eˣ − (atol + rtol·eˣ) grows with x: the worst element holds the largest x, 0.2
    assert result.inputs[1].worst_element == (0, 1)


def test_the_worst_output_is_located_among_several_outputs():
    a = Value(np.array([0.1, 0.3]))
    result = gradcheck(lambda x: (x * 2.0, wrong_exp(x).reshape(1, 2), x.sum()), [a])
    assert not result
    assert result.inputs[0].worst_output == (1, 1) and result.inputs[0].worst_element == (1,)


def test_str_prints_one_row_per_input():
    good = Value([1.0, 2.0], label="weights")
    bad = Value([0.5], label="bias")
    text = str(gradcheck(lambda w, b: w * 2.0 + wrong_exp(b), [good, bad]))
    lines = text.splitlines()
    assert "max abs err" in lines[0] and "max rel err" in lines[0] and "worst element" in lines[0]
    weights_row = next(line for line in lines if line.startswith("weights"))
    bias_row = next(line for line in lines if line.startswith("bias"))
    assert weights_row.endswith("ok") and bias_row.endswith("FAIL") and "(1,)" in bias_row
    assert "FAILED" in lines[-1] and "eps=1e-06" in lines[-1]
    unlabelled = str(gradcheck(lambda x: x * 1.0, [Value([1.0])]))
    assert "#0" in unlabelled and "passed" in unlabelled.splitlines()[-1]


def test_raise_exception_names_output_input_element_and_both_values():
    x = Value(np.array([0.0, 0.7]), label="x")
    y = Value(np.array([[0.2, 0.4], [0.9, 0.1]]), label="y")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda u, v: (u * 2.0, wrong_exp(v)), [x, y], raise_exception=True)
    message = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "input 1 (y)" in message and "input 0" not in message
    assert "output 1" in message and "element (1, 0)" in message
    match = re.search(r"analytical (\S+), numerical (\S+)", message)
    assert match is not None, message
    assert float(match.group(1)) == pytest.approx(1.1 * math.exp(0.9), rel=1e-12)
    assert float(match.group(2)) == pytest.approx(math.exp(0.9), rel=1e-8)


# ---------------------------------------------------------------------------- tolerances, eps, float32


def test_tolerances_follow_pytorchs_rule():
    """|analytical − numerical| ≤ atol + rtol·|numerical|: a rule 1e-4 off (relative) passes the default
    rtol = 1e-3 and fails rtol = 1e-5; an error of 2e-6 at a zero derivative passes atol = 1e-5 only."""
    x = [Value(np.array([0.5, 1.5]))]
    slightly_off = lambda v: apply(Scale, v, true=1.0, claimed=1.0001)  # noqa: E731
    assert gradcheck(slightly_off, x)
    assert not gradcheck(slightly_off, x, rtol=1e-5, atol=1e-9)
    assert gradcheck(slightly_off, x, rtol=2e-4, atol=0.0)
    tiny_rule = lambda v: apply(Scale, v, true=0.0, claimed=2e-6)  # noqa: E731
    assert gradcheck(tiny_rule, x)
    assert not gradcheck(tiny_rule, x, atol=1e-6)


def test_eps_is_the_finite_difference_step():
    """(e^(x+ε) − e^(x−ε)) / 2ε = eˣ (1 + ε²/6 + …): with ε = 0.1 the estimate is 0.17 % off."""
    x = [Value(np.array([1.0]))]
    assert gradcheck(lambda v: v.exp(), x)
    assert not gradcheck(lambda v: v.exp(), x, eps=0.1)
    report = gradcheck(lambda v: v.exp(), x, eps=0.1).inputs[0]
    assert report.max_rel_error == pytest.approx(0.1**2 / 6, rel=1e-2)


def test_float32_inputs_warn():
    x32 = Value(np.array([0.5, 1.0], dtype=np.float32))
    with pytest.warns(UserWarning, match="float32"):
        gradcheck(lambda v: v * 2.0, [x32], atol=1e-2, rtol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck(lambda v: v * 2.0, [Value(np.array([0.5, 1.0]))])
        gradcheck(lambda v, k: v * k, [Value([1.0]), Value(np.ones(1, np.float32), requires_grad=False)])


def test_a_function_that_returns_no_value_is_a_type_error():
    with pytest.raises(TypeError, match="output 0 is a float"):
        gradcheck(lambda v: 2.0, [Value(1.0)])


# ---------------------------------------------------------------------------- gradgradcheck


def test_gradgradcheck_passes_correct_second_derivatives():
    x = Value(np.array([0.3, -0.8, 1.2]))
    result = gradgradcheck(lambda v: (v * v).tanh() * v.exp(), [x], raise_exception=True)
    assert result
    assert len(result.inputs) == 2  # x and the random grad_outputs v, as in PyTorch
    assert gradgradcheck(lambda v: v**3, [x], grad_outputs=[np.array([1.0, -2.0, 0.5])])


def test_gradgradcheck_catches_a_rule_that_create_graph_cannot_see():
    x = Value(np.array([0.4, -1.1]))
    square = lambda v: apply(SquareFirstOrderOnly, v)  # noqa: E731
    assert gradcheck(square, [x], raise_exception=True)  # the first derivative is right
    assert not gradgradcheck(square, [x])
    with pytest.raises(GradcheckError, match="input 0"):
        gradgradcheck(square, [x], raise_exception=True)


@pytest.mark.parametrize(
    "fn",
    [lambda u: (u**3, u.detach()), lambda u: (u**3, Value(2.0, requires_grad=False)), lambda u: u.detach() * 2.0],
    ids=["with a detached output", "with a constant output", "only a detached output"],
)
def test_gradgradcheck_takes_outputs_that_do_not_require_grad_as_zero(fn):
    """As gradcheck does (and PyTorch's gradgradcheck): such an output's derivatives are all 0."""
    assert gradgradcheck(fn, [Value(np.array([0.5, 1.5]))], raise_exception=True)


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
def test_a_check_needs_an_input_that_requires_grad(check):
    """With none there is nothing to compare: passing would say nothing (PyTorch refuses too)."""
    with pytest.raises(ValueError, match="gradcheck: no input requires grad"):
        check(lambda v: v * 2.0, [Value(1.0, requires_grad=False)])
