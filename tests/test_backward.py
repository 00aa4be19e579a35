"""Backward and grad: seeding, accumulation, deep graphs, higher derivatives, no_grad, and memory.

The chain rule is checked against derivatives worked out by hand; the memory tests check that a graph
holds no reference cycles, so reference counting alone frees it.
"""

from __future__ import annotations

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value, gradgradcheck, no_grad
from tinygrad_edu.engine.ops import Op
from tinygrad_edu.engine.value import apply

# ---------------------------------------------------------------------------- seeding


def test_scalar_output_is_seeded_with_one():
    x = Value(2.0)
    y = x * 3.0 + 1.0
    y.backward()
    assert y.grad == 1.0
    assert x.grad == 3.0


def test_a_one_element_array_output_is_seeded_with_ones():
    x = Value(np.array([[2.0]]))
    y = x * x
    y.backward()
    np.testing.assert_array_equal(y.grad, [[1.0]])
    np.testing.assert_array_equal(x.grad, [[4.0]])


def test_nonscalar_output_without_gradient_says_what_to_pass():
    x = Value([1.0, 2.0, 3.0])
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"gradient=") as info:
        y.backward()
    assert "(3,)" in str(info.value) and "sum()" in str(info.value)
    assert not x.has_grad


def test_gradient_argument_gives_a_vector_jacobian_product():
    x = Value([1.0, 2.0, 3.0])
    (x * np.array([1.0, 2.0, 3.0])).backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [1.0, 20.0, 300.0])
    x.grad = None
    (x * 2.0).backward([1.0, 0.0, -1.0])  # a list is accepted too
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -2.0])
    x.grad = None
    (x * 2.0).backward(Value([1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_gradient_of_the_wrong_shape_is_an_error_and_changes_nothing():
    x = Value([1.0, 2.0])
    y = x.exp()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        y.backward(np.ones(3))
    assert not x.has_grad and not y.has_grad


# ---------------------------------------------------------------------------- deep graphs


def test_a_rule_returning_the_wrong_shape_is_named_at_the_node_it_reached_and_changes_nothing():
    """The error names the first node that received the misshapen gradient (here the tanh feeding the
    faulty operation), before anything below it runs; every .grad stays as it was."""

    class Faulty(Op):
        name = "faulty"
        forward = staticmethod(lambda x: x * 2.0)
        vjp = (lambda g, y, x: np.ones((5, 3)),)

    x = Value(np.ones(3), label="x")
    hidden = x.tanh()
    out = apply(Faulty, hidden).sum()
    x.grad = np.full(3, 7.0)
    with pytest.raises(ValueError, match=r"the gradient reaching a Value \(made by 'tanh'\) has shape \(5, 3\), "
                                         r"but the Value has shape \(3,\)"):
        out.backward()
    np.testing.assert_array_equal(x.grad, np.full(3, 7.0))
    assert not hidden.has_grad and not out.has_grad


def test_a_million_node_chain_needs_no_recursion():
    """333,334 links x → tanh(0.99·x + 0.01) are 1,000,002 nodes (a multiply, an add, a tanh each)."""
    links = 333_334
    x = Value(0.5)
    y = x
    watched = {}  # link index → that link's output, to check gradients near the end of the chain
    for i in range(links):
        y = (0.99 * y + 0.01).tanh()
        if i >= links - 40 and i % 10 == 0:
            watched[i] = y
    y.backward()

    outputs = [0.5]
    for _ in range(links):
        outputs.append(math.tanh(0.99 * outputs[-1] + 0.01))
    assert y.data == outputs[-1]
    # ∂y/∂(output of link i) = Π over later links k of 0.99·(1 − y_k²)
    g = 1.0
    expected = {}
    for k in range(links, 0, -1):
        if k - 1 in watched:
            expected[k - 1] = g
        g = g * (1.0 - outputs[k] ** 2) * 0.99
    for i, node in watched.items():
        assert node.grad == pytest.approx(expected[i], rel=1e-9)
    assert abs(x.grad - g) <= 1e-300  # the product underflows on the way down; it must not turn into nan
    alive = weakref.ref(watched[max(watched)])
    del y, watched, node
    assert alive() is None  # freeing a million-node chain does not overflow the C stack either


def test_reused_nodes_and_diamonds_accumulate():
    a = Value(1.5)
    b = a * a  # a twice
    c = b + a  # a a third time
    d = c * b  # b twice, through two paths
    d.backward()
    # d = (a² + a)·a² = a⁴ + a³  →  d' = 4a³ + 3a²
    assert a.grad == pytest.approx(4 * 1.5**3 + 3 * 1.5**2, rel=1e-15)
    # ∂d/∂b with c depending on b: c + b = 2a² + a
    assert b.grad == pytest.approx(2 * 1.5**2 + 1.5, rel=1e-15)


# ---------------------------------------------------------------------------- accumulation


def test_leaf_gradients_accumulate_until_zeroed():
    w = Value(3.0)
    for expected in (2.0, 4.0, 6.0):
        (w * 2.0).backward()
        assert w.grad == expected
    w.grad = 0  # micrograd's reset
    assert not w.has_grad and w.grad == 0.0
    (w * 5.0).backward()
    assert w.grad == 5.0
    w.zero_grad()
    assert w.grad == 0.0
    m = Value(np.ones((2, 2)))
    m.sum().backward()
    m.sum().backward()
    np.testing.assert_array_equal(m.grad, np.full((2, 2), 2.0))
    m.grad = None  # PyTorch's reset
    np.testing.assert_array_equal(m.grad, np.zeros((2, 2)))
    (m * 3.0).sum().backward()
    np.testing.assert_array_equal(m.grad, np.full((2, 2), 3.0))


def test_accumulated_leaf_gradient_is_not_aliased_with_anything_else():
    """A leaf owns its gradient array: two leaves fed the same contribution do not share it."""
    a, b = Value(np.zeros(3)), Value(np.zeros(3))
    (a + b).sum().backward()
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, np.ones(3))


def test_a_float32_node_keeps_its_grad_in_float32_but_passes_on_the_unrounded_gradient():
    """A float32 node that receives a float64 gradient (here from stacking it with float64 numbers) stores
    it rounded to float32, but its rule takes the gradient as it came, as grad() does: rounding first would
    change the inputs' digits, and backward and grad would disagree."""
    x = Value(np.array([0.1, 0.7, -0.3], dtype=np.float32))
    w = Value(np.array([0.3, -1.1, 2.9]))

    def loss(t: Value) -> Value:
        return (tg.stack([t, w]) * 1.3).sum()

    hidden = x.tanh()
    loss(hidden).backward()
    (expected,) = tg.grad(loss(x.tanh()), [x])
    assert hidden.grad.dtype == np.float32 and x.grad.dtype == np.float32
    assert x.grad.tobytes() == expected.data.tobytes()


def test_setting_data_to_a_value_that_holds_the_same_array_keeps_it():
    a = Value(np.arange(3.0))
    view = a.detach()
    a.data = view
    assert a.data is view.data


def test_intermediate_gradients_accumulate_across_backward_calls_too():
    """Every node keeps its gradient; a second backward adds this pass's share to it, and the share it
    passes on is this pass's alone (not the running total)."""
    x = Value(np.array([1.0, 2.0]))
    hidden = x * 3.0
    out = (hidden * hidden).sum()
    out.backward()
    np.testing.assert_allclose(hidden.grad, 2 * np.array([3.0, 6.0]))
    np.testing.assert_allclose(x.grad, 18 * np.array([1.0, 2.0]))
    out.backward()
    np.testing.assert_allclose(hidden.grad, 4 * np.array([3.0, 6.0]))
    np.testing.assert_allclose(x.grad, 36 * np.array([1.0, 2.0]))
    assert out.grad == 2.0


def test_a_rule_that_fails_midway_leaves_every_gradient_as_it_was():
    class Fragile(Op):
        name = "fragile"
        forward = staticmethod(lambda x: x * 2.0)

        @staticmethod
        def _fail(g, y, x):
            raise ArithmeticError("rule failed")

        vjp = (_fail,)

    a = Value(1.5)
    mid = a * 4.0
    out = apply(Fragile, mid) * 2.0 + mid
    a.grad, mid.grad = 10.0, 20.0
    with pytest.raises(ArithmeticError, match="rule failed"):
        out.backward()
    assert a.grad == 10.0 and mid.grad == 20.0 and not out.has_grad


def test_zero_grad_keeping_zeros_never_clears_a_gradient_shared_with_another_node():
    """Add hands the same gradient to both inputs, so two intermediates may hold one array."""
    a = Value(np.ones(2))
    left, right = a * 2.0, a * 3.0
    (left + right).sum().backward()
    left.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(left.grad, [0.0, 0.0])
    np.testing.assert_array_equal(right.grad, [1.0, 1.0])
    grad_array = a.grad
    a.zero_grad(set_to_none=False)  # a leaf owns its array: filled in place
    assert a.has_grad and a.grad is grad_array
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])


def test_a_rule_returning_the_wrong_shape_is_named_and_changes_no_gradient():
    class WrongShape(Op):
        name = "wrong_shape"
        forward = staticmethod(lambda x: x * 1.0)
        vjp = (lambda g, y, x: np.ones(5),)

    p, q = Value(np.ones(3), label="p"), Value(np.ones(3), label="q")
    p.grad, q.grad = np.ones(3), np.ones(3)
    p_grad = p.grad
    out = (apply(WrongShape, q) + p * 2.0).sum()
    with pytest.raises(ValueError, match=r"reaching q .* shape \(5,\), but the Value has shape \(3,\)"):
        out.backward()
    np.testing.assert_array_equal(p.grad, np.ones(3))  # p's array was not added to before the failure
    np.testing.assert_array_equal(q.grad, np.ones(3))
    assert p.grad is p_grad and not out.has_grad


def _reentrant(call):
    """An operation y = x whose rule runs ``call()`` (another pass) before passing g on."""

    class Reentrant(Op):
        name = "reentrant"
        forward = staticmethod(lambda x: x * 1.0)

        @staticmethod
        def _rule(g, y, x):
            call()
            return g

        vjp = (_rule,)

    return Reentrant


def test_backward_from_inside_a_rule_is_refused_and_changes_nothing():
    w = Value(np.ones(3))
    h = w * 2.0

    def inner_backward():
        with tg.enable_grad():
            (h * h).sum().backward()

    out = apply(_reentrant(inner_backward), h).sum()
    with pytest.raises(RuntimeError, match="while another backward pass is running"):
        out.backward()
    assert not w.has_grad and not h.has_grad and not out.has_grad
    (h * h).sum().backward()  # the engine is usable again afterwards
    np.testing.assert_array_equal(w.grad, np.full(3, 8.0))


def test_grad_from_inside_a_rule_works_and_touches_no_gradient():
    w = Value(np.ones(3))
    h = w * 2.0
    inner = []

    def inner_grad():
        with tg.enable_grad():
            inner.append(tg.grad((h * h).sum(), w)[0].data)

    apply(_reentrant(inner_grad), h).sum().backward()
    np.testing.assert_array_equal(inner[0], np.full(3, 8.0))  # ∂Σ(2w)²/∂w = 8w
    np.testing.assert_array_equal(w.grad, np.full(3, 2.0))  # the outer pass alone: ∂Σh/∂w = 2
    np.testing.assert_array_equal(h.grad, np.ones(3))


def test_a_float32_zero_dimensional_node_keeps_an_array_gradient_over_two_backwards():
    x = Value(np.float32(1.5))
    mid = x * 2.0
    out = mid * mid
    out.backward()
    out.backward()
    for node in (x, mid, out):
        assert type(node.grad) is np.ndarray and node.grad.dtype == np.float32 and node.grad.shape == ()
    assert float(x.grad) == 2 * 2 * (2 * 2.0 * 1.5)


# ---------------------------------------------------------------------------- grad()


def test_grad_returns_gradients_without_touching_dot_grad():
    x = Value(2.0)
    y = Value(np.array([1.0, -1.0]))
    x.grad = 7.0
    hidden = x * y
    out = (hidden * hidden).sum()
    gx, gy = tg.grad(out, [x, y])
    assert gx.data == pytest.approx(2 * 2.0 * 2.0)  # Σ 2·x·y² = 2·x·2
    np.testing.assert_allclose(gy.data, 2 * 4.0 * np.array([1.0, -1.0]))
    assert not gx.requires_grad and gx.is_leaf
    assert x.grad == 7.0 and not y.has_grad and not hidden.has_grad and not out.has_grad
    (single,) = tg.grad(out, x)
    assert single.data == gx.data


def test_grad_with_several_outputs_and_grad_outputs():
    x = Value([1.0, 2.0])
    out1, out2 = x * 3.0, (x * x).sum()
    (g,) = tg.grad([out1, out2], [x], grad_outputs=[np.array([1.0, 10.0]), 1.0])
    np.testing.assert_allclose(g.data, [3.0 + 2.0, 30.0 + 4.0])


@pytest.mark.parametrize(
    "output, grad_outputs, expected",
    [
        ("vector", [np.array([1.0, 10.0])], [2.0, 40.0]),  # PyTorch's way: a list with the one seed
        ("vector", (Value([1.0, 10.0]),), [2.0, 40.0]),
        ("vector", [1.0, 10.0], [2.0, 40.0]),  # the seed's own numbers
        ("vector", np.array([1.0, 10.0]), [2.0, 40.0]),
        ("scalar", [None], [2.0, 4.0]),
        ("scalar", [3.0], [6.0, 12.0]),
        ("scalar", 3.0, [6.0, 12.0]),
        ("first", [3.0], [6.0, 0.0]),  # an output of shape (1,): [3.0] is its seed
    ],
)
def test_one_outputs_seed_may_be_given_alone_or_in_a_list(output, grad_outputs, expected):
    x = Value([1.0, 2.0])
    y = {"vector": x * x, "scalar": (x * x).sum(), "first": (x * x)[:1]}[output]
    (g,) = tg.grad(y, x, grad_outputs=grad_outputs)
    np.testing.assert_array_equal(g.data, expected)


def test_grad_unused_inputs():
    x, unused = Value(1.0), Value(2.0)
    out = x * 2.0
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad(out, [x, unused])
    assert tg.grad(out, [x, unused], allow_unused=True)[1] is None
    zeros = tg.grad(out, [x, unused], materialize_grads=True)[1]
    assert zeros.data == 0.0
    unused.grad = 5.0  # a gradient left by some earlier backward is not this graph's
    assert tg.grad(out, [x, unused], allow_unused=True)[1] is None
    assert unused.grad == 5.0


# ---------------------------------------------------------------------------- higher derivatives

SECOND_DERIVATIVES = {
    "x**3": (lambda x: x**3, lambda x: 6 * x),
    "tanh": (lambda x: x.tanh(), lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 2 * s),
    ),
    "exp": (lambda x: x.exp(), math.exp),
    "log": (lambda x: x.log(), lambda x: -1 / x**2),
    "sqrt": (lambda x: x.sqrt(), lambda x: -0.25 * x**-1.5),
    "1/x": (lambda x: 1.0 / x, lambda x: 2 / x**3),
    "x**x": (lambda x: x**x, lambda x: x**x * ((math.log(x) + 1) ** 2 + 1 / x)),
}


@pytest.mark.parametrize("name", list(SECOND_DERIVATIVES))
@pytest.mark.parametrize("at", [0.3, 1.7])
def test_second_derivatives_with_create_graph(name, at):
    f, second = SECOND_DERIVATIVES[name]
    x = Value(at)
    (first,) = tg.grad(f(x), x, create_graph=True)
    assert first.requires_grad and not first.is_leaf
    (second_derivative,) = tg.grad(first, x)
    assert second_derivative.data == pytest.approx(second(at), rel=1e-12)
    first.backward()  # the first derivative is an ordinary Value: backward works on it too
    assert x.grad == pytest.approx(second(at), rel=1e-12)


def test_third_derivative():
    x = Value(1.3)
    (d1,) = tg.grad(x**4, x, create_graph=True)
    (d2,) = tg.grad(d1, x, create_graph=True)
    (d3,) = tg.grad(d2, x)
    assert (d1.data, d2.data, d3.data) == pytest.approx((4 * 1.3**3, 12 * 1.3**2, 24 * 1.3))


def test_hessian_vector_product_matches_the_analytic_hessian():
    """f(x) = ½ xᵀAx + Σ eˣ + (Σx)³ has Hessian H = ½(A + Aᵀ) + diag(eˣ) + 6(Σx)·11ᵀ."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 4))
    x0 = rng.standard_normal(4) * 0.5
    v = rng.standard_normal(4)
    x = Value(x0)
    f = 0.5 * (x @ (Value(a, requires_grad=False) @ x)) + x.exp().sum() + x.sum() ** 3
    (g,) = tg.grad(f, x, create_graph=True)
    (hv,) = tg.grad((g * v).sum(), x)
    hessian = 0.5 * (a + a.T) + np.diag(np.exp(x0)) + 6 * x0.sum() * np.ones((4, 4))
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-12)
    np.testing.assert_allclose(g.data, 0.5 * (a + a.T) @ x0 + np.exp(x0) + 3 * x0.sum() ** 2, rtol=1e-12)


RNG = np.random.default_rng(7)
GRADGRAD = {
    "tanh": (lambda x: x.tanh(), [RNG.standard_normal((2, 3))]),
    "sigmoid": (lambda x: x.sigmoid(), [RNG.standard_normal(4)]),
    "exp·log": (lambda x: x.exp() * (x * x + 1.0).log(), [RNG.standard_normal(3)]),
    "sqrt": (lambda x: x.sqrt(), [RNG.uniform(0.5, 2.0, 3)]),
    "pow (Value exponent)": (lambda a, b: a**b, [RNG.uniform(0.5, 2.0, 3), RNG.standard_normal(3)]),
    "div, broadcast": (lambda a, b: a / b, [RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2.0, 3)]),
    "matmul": (lambda a, b: a @ b, [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))]),
    "softmax": (lambda x: x.softmax(axis=0), [RNG.standard_normal((3, 2))]),
    "log_softmax": (lambda x: x.log_softmax(), [RNG.standard_normal((2, 3))]),
    "logsumexp": (lambda x: x.logsumexp(axis=1), [RNG.standard_normal((2, 3))]),
    "max·x": (lambda x: x.max(axis=0) * x.sum(axis=0), [np.array([[0.1, 2.0], [1.0, -1.0]])]),
    "mean of squares": (lambda x: (x * x).mean(axis=1, keepdims=True), [RNG.standard_normal((2, 3))]),
    "getitem, repeated": (lambda x: x[[0, 0, 2]] ** 3, [RNG.standard_normal(3)]),
    "concat, stack": (lambda a, b: tg.stack([tg.concat([a, b]) ** 2, tg.concat([b, a]).tanh()]),
                      [RNG.standard_normal(2), RNG.standard_normal(3)]),
    "reshape, transpose": (lambda x: x.reshape(3, 2).T.tanh() * x.reshape(2, 3),
                           [RNG.standard_normal(6)]),
    "where, maximum, clip": (
        lambda a, b: tg.where(a.data > 0, a * b, b**2) + tg.maximum(a * a, b) + a.clip(-0.5, 0.5) * b,
        [np.array([0.3, -1.2, 0.8]), np.array([0.5, 0.1, 2.0])],
    ),
    "relu, abs, leaky": (lambda x: x.relu() * x + abs(x) * x + x.leaky_relu(0.1) ** 2,
                         [np.array([-1.0, 0.5, 2.0])]),
}


@pytest.mark.parametrize("name", list(GRADGRAD))
def test_gradgradcheck(name):
    fn, inputs = GRADGRAD[name]
    assert gradgradcheck(fn, [Value(x) for x in inputs], raise_exception=True)


def test_second_derivative_through_relu():
    """f = Σ relu(x)·x:  f' = relu(x) + x·[x > 0] = 2x·[x > 0],  f'' = 2·[x > 0] (the mask is a constant)."""
    x = Value([-1.0, 2.0, 0.5])
    (g,) = tg.grad((x.relu() * x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, [0.0, 4.0, 1.0])
    (h,) = tg.grad(g.sum(), x)
    np.testing.assert_array_equal(h.data, [0.0, 2.0, 2.0])


# ---------------------------------------------------------------------------- no_grad, detach, requires_grad


def test_no_grad_records_nothing():
    x = Value([1.0, 2.0])
    with no_grad():
        assert not tg.is_grad_enabled()
        y = (x * 2.0).tanh().sum()
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.parents == () and y.op is None and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    assert not x.has_grad


def test_no_grad_nests_with_enable_grad_and_restores_after_errors():
    x = Value(1.0)
    with no_grad():
        with tg.enable_grad():
            recorded = x * 2.0
        not_recorded = x * 2.0
    assert recorded.requires_grad and recorded.parents[0] is x
    assert not not_recorded.requires_grad
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    assert tg.is_grad_enabled()


def test_no_grad_as_a_decorator():
    @no_grad()
    def update(p):
        p.data = (p - 0.1 * p.grad).data
        return p * 1.0

    @tg.enable_grad()
    def recorded(p):
        return p * 1.0

    p = Value(1.0)
    (p * p).backward()
    out = update(p)
    assert p.data == pytest.approx(0.8) and not out.requires_grad and tg.is_grad_enabled()
    with no_grad():
        assert recorded(p).requires_grad and not tg.is_grad_enabled()


def test_no_grad_and_enable_grad_decorate_without_parentheses_too():
    @no_grad
    def evaluate(p):
        return p * 2.0, tg.is_grad_enabled()

    @tg.enable_grad
    def recorded(p):
        return p * 1.0

    out, enabled_inside = evaluate(Value(1.0))
    assert not out.requires_grad and not enabled_inside and tg.is_grad_enabled()
    assert evaluate.__name__ == "evaluate"
    with no_grad():
        assert recorded(Value(1.0)).requires_grad


def test_detach_cuts_the_graph():
    x = Value(3.0)
    d = x.detach()
    assert d.data == 3.0 and not d.requires_grad and d.is_leaf and d is not x
    (d * x).backward()  # only the path through x itself counts
    assert x.grad == 3.0 and not d.has_grad


def test_leaves_with_requires_grad_false_get_no_gradient():
    x = Value(2.0)
    c = Value(5.0, requires_grad=False)
    (x * c).backward()
    assert x.grad == 5.0 and not c.has_grad
    only_constants = c * 2.0
    assert not only_constants.requires_grad and only_constants.parents == ()


class ScaleCheckingInputs(Op):
    """y = a·b whose rule for b fails if called: backward must not compute what nobody needs."""

    name = "scale_checking_inputs"
    forward = staticmethod(lambda a, b: a * b)

    @staticmethod
    def _not_needed(g, y, a, b):
        raise AssertionError("the gradient of an input that does not require grad was computed")

    vjp = (lambda g, y, a, b: g * b, _not_needed)


def test_no_rule_runs_for_an_input_that_does_not_require_grad():
    a = Value([1.0, 2.0])
    b = Value([3.0, 4.0], requires_grad=False)
    out = apply(ScaleCheckingInputs, a, b)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])
    with pytest.raises(AssertionError, match="does not require grad"):
        apply(ScaleCheckingInputs, a, Value([1.0, 1.0])).sum().backward()


class ScaleAndShiftCheckingInputs(Op):
    """y = a·b + c with a setting: backward's general case (three inputs, settings), where the rule for
    b fails if called and the rule for c passes g on unchanged (the same array)."""

    name = "scale_and_shift_checking_inputs"
    forward = staticmethod(lambda a, b, c, unused: a * b + c)

    @staticmethod
    def _not_needed(g, y, a, b, c, unused):
        raise AssertionError("the gradient of an input that does not require grad was computed")

    vjp = (lambda g, y, a, b, c, unused: g * b, _not_needed, lambda g, y, a, b, c, unused: g)


class SumOfThreeFailingAtOnce(Op):
    """y = a + b + c whose one rule for every input (``vjp_all``) fails if called."""

    name = "sum_of_three_failing_at_once"
    forward = staticmethod(lambda a, b, c: a + b + c)

    @staticmethod
    def vjp_all(g, y, a, b, c):
        raise AssertionError("the gradients of inputs that do not require grad were computed")


def test_a_rule_for_every_input_at_once_runs_only_if_an_input_needs_a_gradient():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    out = apply(SumOfThreeFailingAtOnce, a, b, c) * 2.0
    for v in (a, b, c):
        v.requires_grad = False  # frozen between forward and backward, e.g. fine-tuning other layers
    out.backward()
    assert out.grad == 1.0 and not any(v.has_grad for v in (a, b, c))


def test_the_general_case_also_skips_unneeded_rules_and_gives_leaves_their_own_arrays():
    a, c = Value([1.0, 2.0]), Value([0.0, 0.0])
    b = Value([3.0, 4.0], requires_grad=False)
    out = apply(ScaleAndShiftCheckingInputs, a, b, c, unused=None)
    out.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(a.grad, [3.0, 40.0])
    np.testing.assert_array_equal(c.grad, [1.0, 10.0])
    c.grad += 1.0  # c's gradient is its own array, not the output's
    np.testing.assert_array_equal(out.grad, [1.0, 10.0])


# ---------------------------------------------------------------------------- memory: no reference cycles


def one_training_step(w, b, inputs, targets):
    """A small tensor network plus a scalar expression, trained one step, graph dropped on return."""
    hidden = (inputs @ w + b).tanh()
    loss = ((hidden.sum(axis=1) - targets) ** 2).mean()
    scalar = Value(0.5)
    loss = loss + (scalar * scalar).sigmoid() * 0.0
    w.grad = b.grad = None
    loss.backward()
    with no_grad():
        w.data = (w - 0.01 * w.grad).data
        b.data = (b - 0.01 * b.grad).data


def count_values():
    return sum(1 for obj in gc.get_objects() if type(obj) is Value)


@pytest.fixture
def collector_off():
    """Disable the cycle collector: anything not freed by reference counting then stays around."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_graph_is_freed_as_soon_as_its_output_is_unreachable(collector_off):
    x = Value(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
    for _ in range(20):
        hidden = (x * 2.0).tanh()
        out = (hidden * hidden).sum()
        out.backward()
        (g,) = tg.grad(out, x, create_graph=True)
        second = (g * g).sum()
        refs = [weakref.ref(node) for node in (hidden, out, g, second)]
        del hidden
        assert refs[0]() is not None  # still reachable through out
        del out, g, second
        assert all(ref() is None for ref in refs)
    assert x.has_grad  # the leaf survives, with its accumulated gradient


def test_training_loop_leaves_nothing_for_the_cycle_collector(collector_off):
    rng = np.random.default_rng(0)
    w, b = Value(rng.standard_normal((3, 4))), Value(np.zeros(4))
    inputs, targets = Value(rng.standard_normal((8, 3)), requires_grad=False), rng.standard_normal(8)
    one_training_step(w, b, inputs, targets)
    before = count_values()
    for _ in range(200):
        one_training_step(w, b, inputs, targets)
    assert count_values() == before
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        ours = [obj for obj in gc.garbage if type(obj) is Value]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert ours == []


def test_memory_stays_flat_over_200_steps():
    """Traced memory after 200 more steps is what it was after the warm-up.

    ``gc.collect()`` before each reading empties CPython's free lists (of tuples, floats, ...), which
    otherwise keep up to a few thousand freed objects each and look like growth to tracemalloc.
    """
    rng = np.random.default_rng(1)
    w, b = Value(rng.standard_normal((3, 4))), Value(np.zeros(4))
    inputs, targets = Value(rng.standard_normal((8, 3)), requires_grad=False), rng.standard_normal(8)
    tracemalloc.start()
    try:
        for _ in range(20):
            one_training_step(w, b, inputs, targets)
        gc.collect()
        after_warmup, _ = tracemalloc.get_traced_memory()
        for _ in range(200):
            one_training_step(w, b, inputs, targets)
        gc.collect()
        after_loop, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after_loop - after_warmup < 4_000, f"grew by {after_loop - after_warmup} bytes over 200 steps"
