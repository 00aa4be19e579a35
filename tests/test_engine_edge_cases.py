"""Edge cases found by a second review of the engine: aliasing, shapes, nan and inf, and messages."""

import math
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value, grad, gradcheck, no_grad
from tinygrad_edu.engine.functions import linear, nll_loss, softmax_cross_entropy, weighted_sum


def test_a_constant_array_changed_after_the_forward_does_not_change_the_gradient():
    w = Value(np.array([1.0, 1.0]))
    a = np.array([2.0, 3.0])
    y = (w * a).sum()
    a[:] = 0.0  # the operation kept its own copy
    y.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 3.0])


def test_the_gradient_seed_value_does_not_share_memory_with_the_outputs_grad():
    x = Value(np.array([1.0, 1.0]))
    seed = Value(np.array([1.0, 1.0]))
    x.backward(seed)
    x.backward(seed)
    np.testing.assert_array_equal(seed.data, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert not np.shares_memory(x.grad, seed.data)


@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
def test_softmax_takes_one_axis_only(method):
    x = Value(np.ones((2, 3)))
    with pytest.raises(TypeError, match="single int"):
        getattr(x, method)(axis=(0, 1))


@pytest.mark.parametrize("bias_shape", [(1, 4), ()])
def test_linear_reduces_the_bias_gradient_to_the_bias_shape(bias_shape):
    rng = np.random.default_rng(0)
    W = Value(rng.standard_normal((4, 3)))
    b = Value(rng.standard_normal(bias_shape))
    x = rng.standard_normal((5, 3))
    linear(x, W, b).sum().backward()
    assert np.shape(b.grad) == bias_shape
    np.testing.assert_allclose(b.grad, np.full(bias_shape, 5.0 * (4 if bias_shape == () else 1)))
    (g_b,) = grad(linear(x, W, b).tanh().sum(), [b], create_graph=True)
    assert g_b.shape == bias_shape
    assert gradcheck(lambda W, b: linear(x, W, b).tanh(), [W, b], raise_exception=True)


def test_grad_of_several_outputs_without_grad_outputs_differentiates_their_sum():
    x = Value(2.0)
    (g,) = grad([x * 3.0, x * x], [x])
    assert g.item() == 3.0 + 2 * 2.0


def test_grad_says_when_an_input_does_not_require_grad():
    c = Value(2.0, requires_grad=False)
    w = Value(3.0)
    with pytest.raises(RuntimeError, match=r"inputs\[0\].*does not require grad"):
        grad(c * w + c, [c, w])


def test_relu_and_clip_keep_nan_on_python_floats_as_on_arrays():
    assert math.isnan(Value(float("nan")).relu().data)
    assert math.isnan(Value(float("nan")).clip(0.0, 1.0).data)
    assert np.isnan(Value([float("nan")]).relu().data).all()
    assert Value(-0.5).relu().data == 0.0 and Value(0.5).relu().data == 0.5


def test_an_infinite_gradient_does_not_reach_the_elements_max_did_not_pick():
    x = Value(np.array([[0.0, -1.0]]))
    x.max(axis=1).log().sum().backward()  # log(0) = −inf, so ∂/∂max = +inf
    assert x.grad[0, 0] == np.inf and x.grad[0, 1] == 0.0


def test_gradcheck_works_when_called_inside_no_grad():
    with no_grad():
        assert gradcheck(lambda x: (x * x).sum(), [Value(np.array([1.0, 2.0]))])


@pytest.mark.parametrize("loss", [lambda z: nll_loss(z, np.array([], dtype=int)),
                                  lambda z: softmax_cross_entropy(z, np.array([], dtype=int))])
def test_an_empty_batch_is_a_clear_error(loss):
    with pytest.raises(ValueError, match="empty"):
        loss(Value(np.zeros((0, 3))))


def test_cross_entropy_takes_class_labels_given_as_floats():
    logits = Value(np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]))
    a = softmax_cross_entropy(logits, np.array([0.0, 2.0]))
    b = softmax_cross_entropy(logits, np.array([0, 2]))
    assert a.item() == b.item()


def test_the_truth_of_a_one_element_value():
    assert bool(Value(np.float32(1.0))) and not bool(Value(np.float32(0.0)))
    with pytest.raises(TypeError, match="ambiguous"):
        bool(Value([1.0, 2.0]))


def test_weighted_sum_refuses_arrays():
    with pytest.raises(ValueError, match="scalars"):
        weighted_sum([Value(np.ones(1))], [np.ones(3)], Value(0.0))


def test_where_refuses_a_non_boolean_condition_with_a_hint():
    with pytest.raises(TypeError, match="boolean"):
        tg.where(Value([1.0, 0.0]), Value([1.0, 2.0]), 0.0)


@pytest.mark.parametrize(
    "fn, at",
    [(lambda v: v.log(), 0.0), (lambda v: v.sqrt(), 0.0), (lambda v: 1.0 / v, 0.0), (lambda v: v / 0.0, 1.0)],
    ids=["log at 0", "sqrt at 0", "1/x at 0", "x/0"],
)
def test_a_zero_denominator_in_a_rule_gives_a_float_what_it_gives_an_array(fn, at):
    """numpy's ±inf (with its warning), never Python's ZeroDivisionError: a float64 scalar is a 0-d array."""
    scalar, array = Value(at), Value(np.array([at]))
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fn(scalar).backward()
        fn(array).sum().backward()
    assert type(scalar.grad) is float
    np.testing.assert_array_equal([scalar.grad], array.grad)
    assert np.isinf(scalar.grad)
