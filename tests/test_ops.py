"""Every operation of the engine: forward against numpy, gradients against central differences.

Each family (unary, binary with broadcasting, matmul, reductions, shape, indexing, joining) is checked
the same way: hypothesis draws shapes and values (clear of kinks and ties), the forward must equal
numpy's, and ``gradcheck`` must agree with backward. Kinks, ties, large inputs, float32 and Python-float
scalars are pinned down by explicit tests after that.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np
import pytest
from conftest import (
    arrays,
    away_from,
    check_gradients,
    distinct_arrays,
    engine_settings,
    finite,
    nonscalar_shapes,
    positive,
    shapes,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Value


def sigmoid_reference(x):
    return 1.0 / (1.0 + np.exp(-x))


def identity(x):
    return x


def nonzero(x):
    return away_from(x, (0.0,))


# name: (the operation on a Value, numpy's version, where to sample so the derivative exists)
UNARY = {
    "neg": (operator.neg, np.negative, identity),
    "abs()": (abs, np.abs, nonzero),
    "abs": (lambda v: v.abs(), np.abs, nonzero),
    "exp": (lambda v: v.exp(), np.exp, identity),
    "log": (lambda v: v.log(), np.log, positive),
    "sqrt": (lambda v: v.sqrt(), np.sqrt, positive),
    "tanh": (lambda v: v.tanh(), np.tanh, identity),
    "sigmoid": (lambda v: v.sigmoid(), sigmoid_reference, identity),
    "relu": (lambda v: v.relu(), lambda x: np.maximum(x, 0.0), nonzero),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda x: np.where(x > 0, x, 0.1 * x), nonzero),
    "step": (lambda v: v.step(), lambda x: np.where(x >= 0, 1.0, 0.0), nonzero),
    "clip": (lambda v: v.clip(-1.0, 0.5), lambda x: np.clip(x, -1.0, 0.5), lambda x: away_from(x, (-1.0, 0.5))),
    "clip(min)": (lambda v: v.clip(min=-0.5), lambda x: np.maximum(x, -0.5), lambda x: away_from(x, (-0.5,))),
    "clip(max)": (lambda v: v.clip(max=0.5), lambda x: np.minimum(x, 0.5), lambda x: away_from(x, (0.5,))),
    "clamp": (lambda v: v.clamp(-1.0, 0.5), lambda x: np.clip(x, -1.0, 0.5), lambda x: away_from(x, (-1.0, 0.5))),
    "x**2": (lambda v: v**2, np.square, identity),
    "x**3.0": (lambda v: v**3.0, lambda x: x**3.0, identity),
    "x**-1.5": (lambda v: v**-1.5, lambda x: x**-1.5, positive),
    "x**0.5": (lambda v: v**0.5, np.sqrt, positive),
    "1.7**x": (lambda v: 1.7**v, lambda x: 1.7**x, identity),
    "x/3": (lambda v: v / 3, lambda x: x / 3, identity),
    "3/x": (lambda v: 3 / v, lambda x: 3 / x, lambda x: away_from(x, (0.0,), 0.3)),
    "2-x": (lambda v: 2 - v, lambda x: 2 - x, identity),
    "x-2": (lambda v: v - 2, lambda x: x - 2, identity),
    "2+x": (lambda v: 2 + v, lambda x: 2 + x, identity),
    "2*x": (lambda v: 2 * v, lambda x: 2 * x, identity),
    "+x": (operator.pos, identity, identity),
}


@pytest.mark.parametrize("name", list(UNARY))
@engine_settings
@given(x=arrays(shapes))
def test_unary_forward_and_gradient(name, x):
    op, reference, domain = UNARY[name]
    x = domain(x)
    out = op(Value(x))
    assert isinstance(out, Value)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.data, reference(x), rtol=1e-12, atol=1e-300)
    check_gradients(op, x)


@pytest.mark.parametrize("name", list(UNARY))
@engine_settings
@given(x=finite)
def test_unary_on_python_float_scalars(name, x):
    """A float64 scalar is stored as a Python float, and stays one through forward and backward."""
    op, reference, domain = UNARY[name]
    x = float(domain(np.float64(x)))
    v = Value(x)
    assert type(v.data) is float
    out = op(v)
    assert type(out.data) is float
    assert out.data == pytest.approx(float(reference(np.float64(x))), rel=1e-12, abs=1e-300)
    if out.requires_grad and out is not v:
        out.backward()
        assert type(v.grad) is float


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_keeps_float32(name):
    op, reference, domain = UNARY[name]
    x64 = domain(np.linspace(-2.0, 2.0, 6).reshape(2, 3))
    v = Value(x64.astype(np.float32))
    out = op(v)
    assert out.dtype == np.float32 and out.data.dtype == np.float32
    np.testing.assert_allclose(out.data, reference(x64), rtol=1e-5, atol=1e-6)
    if out is not v:
        out.backward(np.ones(out.shape, dtype=np.float32))
        assert v.grad.dtype == np.float32


def test_float32_scalar_stays_a_float32_array():
    v = Value(np.float32(0.5))
    assert isinstance(v.data, np.ndarray) and v.data.dtype == np.float32 and v.shape == ()
    out = (v * 3.0 + 1.0).tanh()
    assert out.dtype == np.float32
    out.backward()
    assert v.grad.dtype == np.float32
    assert float(v.grad) == pytest.approx(3.0 * (1.0 - math.tanh(2.5) ** 2), rel=1e-5)


# ---------------------------------------------------------------------------- function forms
FUNCTION_FORMS = {
    tg.exp: "exp",
    tg.log: "log",
    tg.sqrt: "sqrt",
    tg.tanh: "tanh",
    tg.sigmoid: "sigmoid",
    tg.relu: "relu",
    tg.step: "step",
}


@pytest.mark.parametrize("function", list(FUNCTION_FORMS), ids=list(FUNCTION_FORMS.values()))
def test_function_forms_match_methods_and_accept_numbers_and_arrays(function):
    x = np.array([[0.3, 1.2], [2.0, 0.7]])
    method = getattr(Value(x), FUNCTION_FORMS[function])()
    np.testing.assert_array_equal(function(Value(x)).data, method.data)
    np.testing.assert_array_equal(function(x).data, method.data)
    from_number = function(0.3)
    assert isinstance(from_number, Value) and from_number.data == getattr(Value(0.3), FUNCTION_FORMS[function])().data
    check_gradients(function, x)


def test_function_forms_with_settings():
    x = np.array([-1.5, -0.2, 0.4, 2.0])
    np.testing.assert_allclose(tg.leaky_relu(x, 0.2).data, np.where(x > 0, x, 0.2 * x))
    np.testing.assert_allclose(tg.clip(x, -1.0, 1.0).data, np.clip(x, -1.0, 1.0))
    np.testing.assert_allclose(tg.softmax(x).data, np.exp(x) / np.exp(x).sum())
    np.testing.assert_allclose(tg.log_softmax(x).data, x - np.log(np.exp(x).sum()))
    np.testing.assert_allclose(tg.logsumexp(x).data, np.log(np.exp(x).sum()))
    check_gradients(lambda v: tg.leaky_relu(v, 0.2), x)


# ---------------------------------------------------------------------------- binary, broadcasting
def no_ties(a, b):
    assume(np.all(np.abs(np.subtract(a, b)) > 0.01))
    return a, b


# name: (operation, numpy's version, how to make the two operands valid)
BINARY = {
    "+": (operator.add, np.add, lambda a, b: (a, b)),
    "-": (operator.sub, np.subtract, lambda a, b: (a, b)),
    "*": (operator.mul, np.multiply, lambda a, b: (a, b)),
    "/": (operator.truediv, np.divide, lambda a, b: (a, away_from(b, (0.0,), 0.3))),
    "** (Value exponent)": (operator.pow, np.power, lambda a, b: (positive(a), b)),
    "maximum": (tg.maximum, np.maximum, no_ties),
    "minimum": (tg.minimum, np.minimum, no_ties),
    "where": (
        lambda a, b: tg.where(a.data > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        lambda a, b: (nonzero(a), b),  # the condition must not flip within a finite difference
    ),
}


@pytest.mark.parametrize("name", list(BINARY))
@engine_settings
@given(data=st.data())
def test_binary_broadcasting_forward_and_gradient(name, data):
    """Operands of any ranks numpy can broadcast; each gradient is summed back to its operand's shape."""
    op, reference, valid = BINARY[name]
    shape_a, shape_b = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    a, b = valid(data.draw(arrays(shape_a)), data.draw(arrays(shape_b)))
    va, vb = Value(a), Value(b)
    out = op(va, vb)
    np.testing.assert_allclose(out.data, reference(a, b), rtol=1e-12)
    out.backward(np.ones(out.shape))
    assert np.shape(va.grad) == a.shape and np.shape(vb.grad) == b.shape
    check_gradients(op, a, b)


def test_broadcast_across_ranks_sums_gradients_back():
    a = Value(np.arange(6.0).reshape(3, 1, 2))  # broadcast along axis 1 (to 4)
    b = Value(np.arange(4.0).reshape(4, 1))  # gains a leading axis (3) and is copied along the last (2)
    out = a * b
    assert out.shape == (3, 4, 2)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((3, 1, 2), np.arange(4.0).sum()))
    np.testing.assert_array_equal(b.grad, np.full((4, 1), np.arange(6.0).sum()))
    c = Value(2.0)
    (Value(np.ones((2, 3))) * c).sum().backward()
    assert c.grad == 6.0 and type(c.grad) is float


def test_binary_on_python_float_scalars():
    a, b = Value(1.5), Value(-0.5)
    for op in (operator.add, operator.sub, operator.mul, operator.truediv):
        out = op(a, b)
        assert type(out.data) is float and out.data == op(1.5, -0.5)
    out = a**b
    assert type(out.data) is float and out.data == 1.5**-0.5
    out.backward()
    assert type(a.grad) is float and type(b.grad) is float
    assert a.grad == pytest.approx(-0.5 * 1.5**-1.5, rel=1e-14)
    assert b.grad == pytest.approx(1.5**-0.5 * math.log(1.5), rel=1e-14)


BINARY_FLOAT32 = {
    "+": operator.add,
    "*": operator.mul,
    "/": operator.truediv,
    "**": lambda a, b: a**b,
    "maximum": tg.maximum,
    "where": lambda a, b: tg.where(a.data > 1.0, a, b),
    "@": lambda a, b: a @ b.T,
}


@pytest.mark.parametrize("name", list(BINARY_FLOAT32))
def test_binary_keeps_float32(name):
    a = Value(np.array([[0.5, 1.5, 2.5], [1.2, 0.7, 2.1]], dtype=np.float32))
    b = Value(np.array([[1.0, 2.0, 0.5], [0.3, 1.1, 1.9]], dtype=np.float32))
    out = BINARY_FLOAT32[name](a, b)
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float32
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64])
def test_an_integer_or_boolean_array_promotes_as_numpy_promotes_it(dtype):
    """float32 · a mask stays float32 (and so does its gradient); int32 and int64 make float64, as in numpy."""
    x = np.array([1.5, -2.0, 0.25], dtype=np.float32)
    other = np.array([1, 0, 1], dtype=dtype)
    v = Value(x)
    out = v * other
    assert out.dtype == (x * other).dtype
    np.testing.assert_array_equal(out.data, x * other)
    out.sum().backward()
    assert v.grad.dtype == np.float32


# ---------------------------------------------------------------------------- numbers and arrays on either side
OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "@": operator.matmul,
}
CONSTANTS = {
    "int": 2,
    "float": 1.5,
    "numpy float": np.float64(1.5),
    "array": np.array([[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]]),
    "list": [[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]],
}


# matmul needs operands with at least one dimension, so numbers are paired with the other operators only
OPERATOR_CASES = [
    (symbol, constant_name)
    for symbol in OPERATORS
    for constant_name in CONSTANTS
    if symbol != "@" or np.ndim(CONSTANTS[constant_name]) > 0
]


@pytest.mark.parametrize("symbol, constant_name", OPERATOR_CASES)
@pytest.mark.parametrize("value_side", ["left", "right"])
def test_operators_with_a_constant_on_either_side(symbol, constant_name, value_side):
    op, constant = OPERATORS[symbol], CONSTANTS[constant_name]
    value_data = np.array([[0.8, 1.2, 0.6], [1.1, 0.9, 1.4]])
    if symbol == "@":  # (2, 3) @ (3, 2) either way round
        if value_side == "left":
            constant = np.asarray(constant).T.tolist() if constant_name == "list" else constant.T
        else:
            value_data = value_data.T
    v = Value(value_data)
    raw_constant = np.asarray(constant, dtype=np.float64)

    def with_value(x):
        return op(x, constant) if value_side == "left" else op(constant, x)

    out = with_value(v)
    assert isinstance(out, Value), f"{type(constant).__name__} {symbol} Value gave {type(out).__name__}"
    expected = op(value_data, raw_constant) if value_side == "left" else op(raw_constant, value_data)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    check_gradients(with_value, value_data)


def test_numpy_array_on_the_left_gives_a_value():
    v = Value([1.0, 2.0])
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.pow):
        out = op(np.array([3.0, 4.0]), v)
        assert isinstance(out, Value)
        np.testing.assert_allclose(out.data, op(np.array([3.0, 4.0]), np.array([1.0, 2.0])))
    assert isinstance(np.ones((2, 2)) @ v, Value)


def test_pow_with_a_value_exponent_has_both_gradients():
    base, exponent = Value(2.0), Value(3.0)
    out = base**exponent
    out.backward()
    assert out.data == 8.0
    assert base.grad == pytest.approx(3.0 * 2.0**2)
    assert exponent.grad == pytest.approx(8.0 * math.log(2.0))
    e = Value(np.array([0.5, 2.0]))
    out = 3.0**e
    out.sum().backward()
    np.testing.assert_allclose(e.grad, 3.0 ** np.array([0.5, 2.0]) * math.log(3.0))


# ---------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((1, 3), (3, 1)),
    ((2, 2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((2, 2, 3), (2, 3, 2)),
]


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES)
@engine_settings
@given(data=st.data())
def test_matmul_forward_and_gradient(shape_a, shape_b, data):
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    out = Value(a) @ Value(b)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12, atol=1e-12)
    check_gradients(operator.matmul, a, b)


@engine_settings
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), data=st.data())
def test_matmul_random_sizes(n, k, m, data):
    a, b = data.draw(arrays((n, k))), data.draw(arrays((k, m)))
    check_gradients(operator.matmul, a, b)


# ---------------------------------------------------------------------------- reductions
@st.composite
def axis_for(draw, ndim):
    """None, an int (possibly negative) or a tuple of distinct axes."""
    kind = draw(st.sampled_from(["all", "int", "tuple"]))
    if kind == "all":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))


def logsumexp_reference(x, axis, keepdims):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


# name: (method name, numpy's version, whether values must be free of ties)
REDUCTIONS = {
    "sum": (np.sum, False),
    "mean": (np.mean, False),
    "max": (np.max, True),
    "min": (np.min, True),
    "logsumexp": (logsumexp_reference, False),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@engine_settings
@given(data=st.data(), keepdims=st.booleans())
def test_reduction_forward_and_gradient(name, data, keepdims):
    reference, needs_distinct = REDUCTIONS[name]
    x = data.draw(distinct_arrays() if needs_distinct else arrays(nonscalar_shapes))
    axis = data.draw(axis_for(x.ndim))

    def reduce(v):
        return getattr(v, name)(axis=axis, keepdims=keepdims)

    out = reduce(Value(x))
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-15)
    check_gradients(reduce, x)


@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_of_a_scalar_and_float32(name):
    out = getattr(Value(1.25), name)()
    assert type(out.data) is float and out.data == pytest.approx(1.25)
    v = Value(np.array([[1.0, 2.0], [3.0, 5.0]], dtype=np.float32))
    out = getattr(v, name)(axis=0)
    assert out.dtype == np.float32
    out.backward(np.ones(2, dtype=np.float32))
    assert v.grad.dtype == np.float32


def test_reduction_gradient_values():
    x = Value(np.array([[1.0, 4.0, 2.0], [3.0, 0.0, 5.0]]))
    x.mean(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 1 / 3))
    x.grad = None
    x.max(axis=0).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@engine_settings
@given(x=arrays(nonscalar_shapes), data=st.data())
def test_softmax_family_forward_and_gradient(name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    log_probs = x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))
    expected = np.exp(log_probs) if name == "softmax" else log_probs

    def fn(v):
        return getattr(v, name)(axis=axis)

    np.testing.assert_allclose(fn(Value(x)).data, expected, rtol=1e-11, atol=1e-14)
    check_gradients(fn, x)


def test_softmax_rows_sum_to_one_and_default_axis_is_last():
    x = Value(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    probs = x.softmax()
    np.testing.assert_allclose(probs.data.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(probs.data[1], [1 / 3] * 3)
    np.testing.assert_allclose(x.log_softmax().data, np.log(probs.data))


# ---------------------------------------------------------------------------- ties, kinks, stability
def test_max_splits_the_gradient_evenly_among_ties():
    x = Value([1.0, 3.0, 3.0, 2.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5, 0.0])
    y = Value([[2.0, 2.0, 2.0], [1.0, 0.0, 1.0]])
    (y.max(axis=1, keepdims=True) * Value([[3.0], [6.0]])).sum().backward()
    np.testing.assert_allclose(y.grad, [[1.0, 1.0, 1.0], [3.0, 0.0, 3.0]])


def test_min_splits_the_gradient_evenly_among_ties():
    x = Value([[0.0, 1.0], [0.0, -1.0]])
    x.min(axis=0).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.5, 0.0], [0.5, 1.0]])
    z = Value([4.0, 4.0, 4.0, 4.0])
    z.min().backward()
    np.testing.assert_array_equal(z.grad, [0.25] * 4)


def test_maximum_and_minimum_split_ties_between_operands():
    a, b = Value([1.0, 2.0, 3.0]), Value([1.0, 5.0, 0.0])
    tg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    tg.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0, 1.0])
    s = Value(2.0)
    tg.maximum(s, 2.0).backward()
    assert s.grad == 0.5
    m = Value([2.0, 1.0])
    tg.maximum(m, m).sum().backward()  # both operands are m: halves add back to 1
    np.testing.assert_array_equal(m.grad, [1.0, 1.0])


def test_maximum_minimum_accept_constants_on_either_side():
    v = Value([0.5, -1.0])
    np.testing.assert_array_equal(tg.maximum(0.0, v).data, [0.5, 0.0])
    np.testing.assert_array_equal(tg.minimum(v, np.array([0.0, 0.0])).data, [0.0, -1.0])
    check_gradients(lambda x: tg.maximum(0.0, x) + tg.minimum(np.array([0.0, 0.0]), x), [0.5, -1.0])


def test_relu_gradient_is_zero_at_zero():
    x = Value(0.0)
    x.relu().backward()
    assert x.relu().data == 0.0 and x.grad == 0.0
    xs = Value([-1.0, 0.0, 2.0])
    xs.relu().sum().backward()
    np.testing.assert_array_equal(xs.grad, [0.0, 0.0, 1.0])


def test_relu_does_not_let_an_infinite_gradient_through_an_off_unit():
    """Where x ≤ 0 the gradient is exactly 0 even if ∂E/∂y is ±inf or nan there (0 · inf would be nan)."""
    x = Value([-1.0, 0.0, 2.0, 3.0])
    x.relu().backward(np.array([np.inf, np.nan, -np.inf, 1.5]))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, -np.inf, 1.5])

def test_abs_and_leaky_relu_at_zero():
    x = Value([-2.0, 0.0, 3.0])
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])
    y = Value([-2.0, 0.0, 3.0])
    y.leaky_relu(0.1).sum().backward()
    np.testing.assert_allclose(y.grad, [0.1, 0.1, 1.0])  # PyTorch: slope where x ≤ 0
    np.testing.assert_allclose(Value([-2.0, 0.0, 3.0]).leaky_relu().data, [-0.02, 0.0, 3.0])


def test_step_is_one_at_zero_and_has_zero_gradient():
    x = Value([-1.0, -1e-12, 0.0, 1e-12, 2.0])
    out = x.step()
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 1.0, 1.0, 1.0])
    (out * 5.0).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(5))
    s = Value(0.0)
    assert s.step().data == 1.0 and Value(-0.5).step().data == 0.0
    s.step().backward()
    assert s.grad == 0.0


def test_clip_gradient_is_one_on_the_bounds_and_zero_outside():
    x = Value([-2.0, -1.0, 0.0, 1.0, 2.0])
    out = x.clip(-1.0, 1.0)
    np.testing.assert_array_equal(out.data, [-1.0, -1.0, 0.0, 1.0, 1.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])
    s = Value(3.0)
    s.clip(max=1.0).backward()
    assert s.clip(max=1.0).data == 1.0 and s.grad == 0.0


def quietly(fn):
    """Run fn with every warning turned into an error (a stable computation warns about nothing)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("big", [1000.0, -1000.0, 1e300])
def test_sigmoid_is_stable_for_large_inputs(big):
    for x in (Value(big), Value(np.array([big, -big, 0.0]))):
        out = quietly(x.sigmoid)
        quietly(lambda: out.sum().backward())  # noqa: B023
        assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    assert Value(big).sigmoid().data == (1.0 if big > 0 else 0.0)
    tiny = Value(-30.0).sigmoid().data
    assert tiny == pytest.approx(math.exp(-30.0) / (1.0 + math.exp(-30.0)), rel=1e-12)


@pytest.mark.parametrize("shift", [1000.0, -1000.0])
def test_softmax_log_softmax_logsumexp_are_stable(shift):
    base = np.array([[0.0, 1.0, 2.0], [3.0, 3.0, -1.0]])
    x = base + shift
    log_probs = base - np.log(np.exp(base).sum(axis=1, keepdims=True))
    for name, expected in [
        ("softmax", np.exp(log_probs)),
        ("log_softmax", log_probs),
        ("logsumexp", shift + np.log(np.exp(base).sum(axis=1))),
    ]:
        v = Value(x)
        out = quietly(lambda: getattr(v, name)(axis=1))  # noqa: B023
        np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
        quietly(lambda: (out * Value(np.ones(out.shape))).sum().backward())  # noqa: B023
        assert np.all(np.isfinite(v.grad)), name
    v = Value([1000.0, 1000.0])
    out = quietly(v.logsumexp)
    assert out.data == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
    out.backward()
    np.testing.assert_allclose(v.grad, [0.5, 0.5])


# ---------------------------------------------------------------------------- shape
@engine_settings
@given(x=arrays(nonscalar_shapes))
def test_reshape_forward_and_gradient(x):
    new_shapes = [(x.size,), (-1,), tuple(reversed(x.shape)), (1, x.size, 1), (x.shape[0], -1)]
    for new_shape in new_shapes:
        out = Value(x).reshape(new_shape)
        np.testing.assert_array_equal(out.data, x.reshape(new_shape))
        check_gradients(lambda v: v.reshape(*new_shape) * 1.5, x)  # noqa: B023


@engine_settings
@given(x=arrays(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3)), data=st.data())
def test_transpose_permute_flatten(x, data):
    d0, d1 = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(-x.ndim, x.ndim - 1))
    np.testing.assert_array_equal(Value(x).transpose(d0, d1).data, np.swapaxes(x, d0, d1))
    np.testing.assert_array_equal(Value(x).T.data, x.T)
    np.testing.assert_array_equal(Value(x).transpose().data, x.T)
    order = data.draw(st.permutations(range(x.ndim)))
    np.testing.assert_array_equal(Value(x).permute(*order).data, np.transpose(x, order))
    np.testing.assert_array_equal(Value(x).permute(order).data, np.transpose(x, order))
    start = data.draw(st.integers(0, x.ndim - 1))
    flat = Value(x).flatten(start)
    np.testing.assert_array_equal(flat.data, x.reshape(x.shape[:start] + (-1,)))
    np.testing.assert_array_equal(Value(x).flatten().data, x.ravel())
    weights = np.arange(x.size, dtype=np.float64).reshape(np.transpose(x, order).shape)
    check_gradients(lambda v: v.transpose(d0, d1).T * 2.0, x)
    check_gradients(lambda v: v.permute(*order) * weights, x)
    check_gradients(lambda v: v.flatten(start) ** 2, x)


def test_flatten_of_a_scalar_and_transpose_needs_both_dims():
    assert Value(2.0).flatten().shape == (1,)
    with pytest.raises(TypeError, match="dim0 and dim1"):
        Value(np.ones((2, 3))).transpose(0)
    with pytest.raises(ValueError, match="permutation|repeats"):
        Value(np.ones((2, 3))).permute(0, 0)


# ---------------------------------------------------------------------------- indexing
BASIC_INDICES = {
    "int": 1,
    "negative int": -1,
    "slice": slice(1, None),
    "step": (slice(None), slice(None, None, 2)),
    "negative step": (slice(None, None, -1), 0),
    "int and slice": (0, slice(1, 3)),
    "ellipsis": (Ellipsis, 1),
    "newaxis": (None, 1, Ellipsis),
    "all ints": (2, 3, 1),
}


@pytest.mark.parametrize("name", list(BASIC_INDICES))
@engine_settings
@given(x=arrays((3, 4, 2)))
def test_basic_indexing_forward_and_gradient(name, x):
    index = BASIC_INDICES[name]
    np.testing.assert_array_equal(np.asarray(Value(x)[index].data), x[index])
    check_gradients(lambda v: v[index] * 3.0, x)


INTEGER_INDICES = {
    "list": [2, 0, 2],
    "array": np.array([1, 0]),
    "2-d array": np.array([[0, 1], [2, 2]]),
    "paired arrays": (np.array([0, 2, 2]), np.array([3, 3, 0])),
    "array after slice": (slice(None), [1, 1, 3]),
    "boolean mask": np.array([True, False, True]),
    "boolean mask 2-d": (np.arange(12).reshape(3, 4) % 3 == 0),
}


@pytest.mark.parametrize("name", list(INTEGER_INDICES))
@engine_settings
@given(x=arrays((3, 4)))
def test_advanced_indexing_forward_and_gradient(name, x):
    index = INTEGER_INDICES[name]
    np.testing.assert_array_equal(Value(x)[index].data, x[index])
    check_gradients(lambda v: v[index] ** 2, x)


def test_repeated_indices_accumulate_their_gradients():
    x = Value(np.arange(4.0))
    x[[1, 1, 1, 3]].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 0.0, 1.0])
    y = Value(np.arange(4.0))
    (y[np.array([0, 0, 2])] * np.array([2.0, 5.0, 7.0])).sum().backward()
    np.testing.assert_array_equal(y.grad, [7.0, 0.0, 7.0, 0.0])
    z = Value(np.ones((2, 2)))
    (z[[0, 0], [1, 1]] + z[0, 1]).sum().backward()
    np.testing.assert_array_equal(z.grad, [[0.0, 4.0], [0.0, 0.0]])


def test_boolean_mask_gradient_is_the_mask():
    data = np.array([[0.5, -1.0], [2.0, -3.0]])
    x = Value(data)
    picked = x[x.data > 0]
    np.testing.assert_array_equal(picked.data, [0.5, 2.0])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, (data > 0).astype(float))


def test_indexing_with_a_value_is_refused_because_it_could_be_a_mask_or_positions():
    x = Value(np.array([10.0, 20.0, 30.0]))
    with pytest.raises(TypeError, match="not a Value"):
        x[Value(np.array([True, False, True]))]  # a Value holds 1.0/0.0: mask or positions? refuse


def test_an_index_array_changed_after_the_forward_does_not_change_the_gradient():
    x = Value(np.array([1.0, 2.0, 3.0]))
    positions = np.array([0, 0, 1])
    y = x[positions].sum()
    positions[:] = 2
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 1.0, 0.0])


def test_indexing_with_positions_and_float32():
    x = Value(np.arange(5.0, dtype=np.float32) * 1.5)
    out = x[[4, 0]]
    np.testing.assert_array_equal(out.data, np.array([6.0, 0.0], dtype=np.float32))
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0, 0.0, 1.0])
    element = Value(np.arange(3.0))[1]
    assert type(element.data) is float and element.data == 1.0


# ---------------------------------------------------------------------------- joining
@engine_settings
@given(
    base=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
    lengths=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    data=st.data(),
)
def test_concat_forward_and_gradient(base, lengths, data):
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    positive_axis = axis % len(base)
    parts = [
        data.draw(arrays(base[:positive_axis] + (n,) + base[positive_axis + 1 :])) for n in lengths
    ]
    out = tg.concat([Value(p) for p in parts], axis=axis)
    np.testing.assert_array_equal(out.data, np.concatenate(parts, axis=axis))
    weights = np.arange(out.size, dtype=np.float64).reshape(out.shape)
    check_gradients(lambda *vs: tg.concat(vs, axis=axis) * weights, *parts)
    assert tg.cat is tg.concat


@engine_settings
@given(shape=shapes, count=st.integers(1, 3), data=st.data())
def test_stack_forward_and_gradient(shape, count, data):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [data.draw(arrays(shape)) for _ in range(count)]
    out = tg.stack([Value(p) for p in parts], axis=axis)
    np.testing.assert_array_equal(out.data, np.stack(parts, axis=axis))
    weights = np.arange(out.size, dtype=np.float64).reshape(out.shape)
    check_gradients(lambda *vs: tg.stack(vs, axis=axis) * weights, *parts)


def test_concat_and_stack_mix_values_and_constants():
    v = Value([[1.0, 2.0]])
    out = tg.concat([v, np.array([[3.0, 4.0]]), v], axis=0)
    np.testing.assert_array_equal(out.data, [[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
    (out * np.array([[1.0], [10.0], [100.0]])).sum().backward()
    np.testing.assert_array_equal(v.grad, [[101.0, 101.0]])
    s = tg.stack([Value(1.0), 2.0, Value(3.0, dtype=np.float64)])
    np.testing.assert_array_equal(s.data, [1.0, 2.0, 3.0])


def test_where_with_constants_and_broadcast_condition():
    a = Value(np.array([[1.0, -2.0, 3.0]]))
    condition = np.array([[True], [False]])
    out = tg.where(condition, a, 0.5)
    np.testing.assert_array_equal(out.data, [[1.0, -2.0, 3.0], [0.5, 0.5, 0.5]])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [[1.0, 1.0, 1.0]])
    b = Value([4.0, 5.0, 6.0])
    tg.where(Value([1.0, 0.0, 2.0]).data > 0, 0.0, b).sum().backward()
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0])


# ---------------------------------------------------------------------------- reuse and deep compositions
def test_reused_inputs_accumulate():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    a.grad = 0
    (a * a).backward()
    assert a.grad == 6.0
    a.grad = 0
    (a * a * a).backward()
    assert a.grad == 27.0
    m = Value(np.array([[1.0], [2.0]]))
    (m + m.T).sum().backward()  # each element used 2 times in each of the two operands
    np.testing.assert_array_equal(m.grad, [[4.0], [4.0]])


def test_diamond_graph():
    """a feeds b and c, both feed d: ∂d/∂a = ∂d/∂b·∂b/∂a + ∂d/∂c·∂c/∂a."""
    a = Value(0.7)
    b = a.tanh()
    c = a.exp()
    d = b * c + b
    d.backward()
    tb, ec = math.tanh(0.7), math.exp(0.7)
    expected = (ec + 1.0) * (1.0 - tb**2) + tb * ec
    assert a.grad == pytest.approx(expected, rel=1e-14)
    assert b.grad == pytest.approx(ec + 1.0, rel=1e-14)
    check_gradients(lambda x: x.tanh() * x.exp() + x.tanh(), np.array([0.7, -1.3]))


STEPS = {
    "tanh(h·x + y)": lambda h, x, y: (h * x + y).tanh(),
    "σ(h − x)·y": lambda h, x, y: (h - x).sigmoid() * y,
    "h + x·y": lambda h, x, y: h + x * y,
    "log(h² + 1)": lambda h, x, y: (h * h + 1.0).log(),
    "√(h² + x² + 0.1) / (1 + y²)": lambda h, x, y: (h * h + x**2 + 0.1).sqrt() / (1.0 + y * y),
    "exp(tanh h)·x": lambda h, x, y: h.tanh().exp() * x,
    "softmax(h)·x": lambda h, x, y: h.softmax(axis=-1) * x,
    "h − logsumexp(h)": lambda h, x, y: h - h.logsumexp(axis=-1, keepdims=True),
    # steps are kept bounded: a chain that grows values ×10 per step makes f''' so large that central
    # differences (error ~ ε²·f''') disagree with the exact gradient, which is then not the engine's fault
    "tanh(h @ yᵀ) mean + x": lambda h, x, y: (h @ y.T).tanh().mean() + x,
    "h·tanh(h.sum()) / 2": lambda h, x, y: h * h.sum().tanh() / 2.0,
}


@engine_settings
@given(
    steps=st.lists(st.sampled_from(list(STEPS)), min_size=3, max_size=20),
    x=arrays((2, 3)),
    y=arrays((2, 3)),
)
def test_deep_compositions_with_reuse(steps, x, y):
    """Random chains of operations, each reusing both inputs: a many-path graph."""

    def program(xv, yv):
        h = xv
        for name in steps:
            h = STEPS[name](h, xv, yv)
        return h

    check_gradients(program, x, y)


def test_a_two_layer_network_with_cross_entropy():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((5, 3))
    labels = np.array([0, 2, 1, 1, 0])

    def loss(w1, b1, w2):
        hidden = (Value(inputs) @ w1 + b1).tanh()
        log_probs = (hidden @ w2).log_softmax(axis=1)
        return -log_probs[np.arange(5), labels].mean()

    check_gradients(loss, rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 3)))


# ---------------------------------------------------------------------------- fast paths against the general ones
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_backward_from_the_saved_softmax_equals_the_recomputed_one(reduction):
    """The forward leaves softmax(x) in ``saved``; the backward that takes it gives the numbers that
    recomputing softmax gives, bit for bit; a second backward recomputes and adds the same again."""
    from tinygrad_edu.engine import ops
    from tinygrad_edu.engine.value import apply

    logits = np.random.default_rng(3).standard_normal((6, 4)) * 10.0
    targets = np.array([0, 3, 1, 1, 2, 3])
    x_saved, x_plain = Value(logits), Value(logits)
    saved = ops.SavedSoftmax()
    with_saved = apply(ops.CrossEntropy, x_saved, targets=targets, reduction=reduction, saved=saved)
    recomputed = apply(ops.CrossEntropy, x_plain, targets=targets, reduction=reduction)
    assert saved.probabilities is not None and with_saved.item() == recomputed.item()
    with_saved.backward()
    recomputed.backward()
    np.testing.assert_array_equal(x_saved.grad, x_plain.grad)
    assert saved.probabilities is None  # taken by the first backward
    with_saved.backward()
    np.testing.assert_array_equal(x_saved.grad, 2.0 * x_plain.grad)
    # nn.functional.cross_entropy takes this path; its gradient is the same again
    x_functional = Value(logits)
    tg.nn.functional.cross_entropy(x_functional, targets, reduction=reduction).backward()
    np.testing.assert_array_equal(x_functional.grad, x_plain.grad)


def test_cross_entropy_saves_no_softmax_for_rows_with_an_infinite_max():
    """An infinite logit takes the forward's guarded path; the backward then recomputes, as before."""
    from tinygrad_edu.engine import ops
    from tinygrad_edu.engine.value import apply

    saved = ops.SavedSoftmax()
    apply(ops.CrossEntropy, Value([[np.inf, 0.0], [1.0, 2.0]]), targets=np.array([0, 1]), reduction="sum", saved=saved)
    assert saved.probabilities is None
