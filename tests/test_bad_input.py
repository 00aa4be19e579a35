"""Bad input: every mistake gets an exception that names what was wrong, and changes nothing.

Domain errors are the one exception to "raise": log and sqrt of negative numbers give nan, log 0 gives
−inf and x/0 gives ±inf or nan, each with numpy's RuntimeWarning — the documented choice (numpy's and
PyTorch's semantics), so that a diverging training run can be inspected rather than aborted.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value

# ---------------------------------------------------------------------------- data


@pytest.mark.parametrize(
    "bad, what",
    [
        ("abc", "str"),
        (b"abc", "bytes"),
        (None, "NoneType"),
        ([1.0, "a"], "dtype <U"),
        ({"a": 1}, "dict"),
        (object(), "object"),
        (1 + 2j, "complex"),
        (np.array([1j]), "complex"),
        (np.array(["1.0"]), "dtype <U"),
    ],
)
def test_non_numeric_data_is_a_type_error(bad, what):
    with pytest.raises(TypeError, match="numeric|number") as info:
        Value(bad)
    assert what in str(info.value)


@pytest.mark.parametrize("ragged", [[[1.0, 2.0], [3.0]], [1.0, [2.0, 3.0]], [[[1.0]], [2.0]]])
def test_ragged_lists_are_a_value_error(ragged):
    with pytest.raises(ValueError, match="ragged"):
        Value(ragged)


def test_only_float_dtypes_are_accepted():
    with pytest.raises(TypeError, match="float64 or float32.*int32"):
        Value(1, dtype=np.int32)


def test_non_numeric_operands_are_rejected():
    v = Value([1.0, 2.0])
    for bad in ("a", None, [[1.0], [1.0, 2.0]]):
        with pytest.raises((TypeError, ValueError), match="operand"):
            v + bad
        with pytest.raises((TypeError, ValueError), match="operand"):
            bad * v


# ---------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3, 2), (3, 4)), ((3,), (4,)), ((2, 3), (2,)), ((5,), (4, 2)), ((2, 3, 4), (3, 4, 5))],
)
def test_misaligned_matmul_names_both_shapes(shape_a, shape_b):
    a, b = Value(np.ones(shape_a)), Value(np.ones(shape_b))
    with pytest.raises(ValueError, match="@|matmul") as info:
        a @ b
    assert str(shape_a) in str(info.value) and str(shape_b) in str(info.value)


def test_matmul_message_names_the_inner_dimensions():
    with pytest.raises(ValueError, match=r"\(3, 2\) and \(3, 4\) do not align: inner dimensions 2 and 3 differ"):
        Value(np.ones((3, 2))) @ np.ones((3, 4))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        Value(2.0) @ Value(np.ones(3))


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        tg.maximum,
        tg.minimum,
        lambda a, b: tg.where(np.ones((3, 2), dtype=bool), a, b),
    ],
)
def test_incompatible_broadcasts_name_both_shapes(op):
    a, b = Value(np.ones((3, 2))), Value(np.ones((3, 4)))
    with pytest.raises(ValueError) as info:
        op(a, b)
    assert "(3, 2)" in str(info.value) and "(3, 4)" in str(info.value)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        op(a, np.ones(4))


def test_reshape_concat_stack_with_wrong_shapes():
    with pytest.raises(ValueError, match=r"reshape.*\(6,\)"):
        Value(np.ones(6)).reshape(4, 2)
    with pytest.raises(ValueError, match=r"concat.*\(2, 3\).*\(2, 4\)"):
        tg.concat([Value(np.ones((2, 3))), Value(np.ones((2, 4)))])
    with pytest.raises(ValueError, match=r"concat.*\(2, 3\), \(3,\)"):
        tg.concat([Value(np.ones((2, 3))), Value(np.ones(3))])
    with pytest.raises(ValueError, match="at least one"):
        tg.concat([])
    with pytest.raises(ValueError, match=r"stack.*\(3,\), \(2,\)"):
        tg.stack([Value(np.ones(3)), Value(np.ones(2))])
    with pytest.raises(ValueError, match="at least one"):
        tg.stack([])


# ---------------------------------------------------------------------------- axes and indices


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda v: v.sum(axis=2), "sum: axis 2 is out of range"),
        (lambda v: v.mean(axis=-3), "mean: axis -3 is out of range"),
        (lambda v: v.max(axis=(0, 5)), "max: axis 5"),
        (lambda v: v.min(axis=(1, -1)), "min: axis .* repeats"),
        (lambda v: v.logsumexp(axis=7), "logsumexp: axis 7"),
        (lambda v: v.softmax(axis=2), "softmax: axis 2"),
        (lambda v: v.log_softmax(axis=-3), "log_softmax: axis -3"),
        (lambda v: v.transpose(0, 2), "transpose: axis 2"),
        (lambda v: v.flatten(1, 0), "flatten: start_dim 1 comes after end_dim 0"),
        (lambda v: tg.concat([v, v], axis=2), "concat: axis 2"),
        (lambda v: tg.stack([v, v], axis=4), "stack: axis 4"),
        (lambda v: Value(1.0).sum(axis=0), "sum: axis 0 is out of range for a Value with 0"),
    ],
)
def test_bad_axis_is_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(Value(np.ones((2, 3))))


@pytest.mark.parametrize("axis", [1.0, "0", (0, 1.5), True])
def test_axis_of_the_wrong_type_is_a_type_error(axis):
    with pytest.raises(TypeError, match="axis must be an int or a tuple of ints"):
        Value(np.ones((2, 3))).sum(axis=axis)


def test_bad_indices():
    v = Value(np.ones(3))
    with pytest.raises(IndexError, match="out of bounds"):
        v[5]
    with pytest.raises(IndexError, match="non-integer"):
        v[np.array([0.5])]
    with pytest.raises(TypeError, match="boolean"):
        tg.where(np.array([1, 0, 1]), v, 0.0)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="give min, max or both"):
        Value(1.0).clip()
    with pytest.raises(TypeError, match="clip: min and max must be numbers"):
        Value(1.0).clip("a", 2.0)
    with pytest.raises(TypeError, match="dim0 and dim1"):
        Value(np.ones((2, 2))).transpose(1)


# ---------------------------------------------------------------------------- backward and grad


def test_backward_on_a_non_scalar_without_gradient():
    v = Value(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*gradient="):
        (v * 2.0).backward()
    assert not v.has_grad


def test_backward_with_a_bad_gradient():
    v = Value([1.0, 2.0])
    out = v * 2.0
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), but the output has shape \(2,\)"):
        out.backward(np.ones(3))
    with pytest.raises(TypeError, match="backward gradient"):
        out.backward("ab")
    assert not v.has_grad


def test_backward_and_grad_need_something_to_differentiate():
    with tg.no_grad():
        out = Value(1.0) * 2.0
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Value(1.0, requires_grad=False) * 2.0).backward()
    with pytest.raises(TypeError, match="expected a Value, got float"):
        tg.backward(3.0)
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"inputs\[0\] is a float"):
        tg.grad(x * 2.0, [1.0])
    with pytest.raises(ValueError, match="must not be empty"):
        tg.grad([], [x])
    with pytest.raises(ValueError, match="1 outputs but 2 grad_outputs"):
        tg.grad([x * 2.0], [x], grad_outputs=[1.0, 2.0])


def test_a_failed_operation_changes_nothing():
    a, b = Value(np.ones((3, 2))), Value(np.ones((3, 4)))
    a_data = a.data.copy()
    with pytest.raises(ValueError):
        a @ b
    with pytest.raises(ValueError):
        a + b
    np.testing.assert_array_equal(a.data, a_data)
    assert a.shape == (3, 2) and not a.has_grad and a.is_leaf
    (a.sum() + b.sum()).backward()  # both still usable
    np.testing.assert_array_equal(a.grad, np.ones((3, 2)))


# ---------------------------------------------------------------------------- domain errors: numpy's semantics


def warns_runtime(fn):
    with pytest.warns(RuntimeWarning):
        return fn()


@pytest.mark.parametrize("negative", [Value(-1.0), Value(np.array([-1.0, 4.0]))])
def test_log_and_sqrt_of_negatives_give_nan_with_a_warning(negative):
    logged = warns_runtime(negative.log)
    rooted = warns_runtime(negative.sqrt)
    assert np.isnan(np.ravel(logged.data)[0]) and np.isnan(np.ravel(rooted.data)[0])
    if negative.shape:
        assert rooted.data[1] == 2.0 and logged.data[1] == pytest.approx(math.log(4.0))


def test_log_of_zero_is_minus_infinity_with_a_warning():
    assert warns_runtime(Value(0.0).log).data == -math.inf
    assert warns_runtime(Value(np.zeros(2)).log).data[0] == -math.inf


def test_division_by_zero_gives_inf_or_nan_with_a_warning():
    assert warns_runtime(lambda: 1.0 / Value(0.0)).data == math.inf
    assert warns_runtime(lambda: Value(-2.0) / 0.0).data == -math.inf
    assert math.isnan(warns_runtime(lambda: Value(0.0) / Value(0.0)).data)
    quotient = warns_runtime(lambda: Value([1.0, 2.0]) / Value([0.0, 4.0]))
    np.testing.assert_array_equal(quotient.data, [math.inf, 0.5])


def test_fractional_power_of_a_negative_is_nan_with_a_warning():
    assert math.isnan(warns_runtime(lambda: Value(-8.0) ** (1 / 3)).data)


def test_valid_inputs_warn_about_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Value(4.0).sqrt()
        Value(np.array([1.0, 4.0])).log()
        Value(1.0) / 3.0


def test_a_list_of_values_as_an_operand_says_to_stack_them():
    x = Value(2.0)
    w = Value([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"stack\(\[a, b\]\)"):
        w @ [x, x * x]
    with pytest.raises(TypeError, match="holds Values"):
        Value([1.0, 2.0]) + [[x, 1.0], [2.0, 3.0]]
