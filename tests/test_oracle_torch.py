"""tinygrad_edu against PyTorch in float64: every operation's forward and gradients, random expression
graphs, and second derivatives.

PyTorch is the oracle: the same float64 leaves go through the same computation in both libraries and
the outputs and gradients must agree to ~1e-12 (the last few bits of float64). Where the two libraries
make different but equally valid choices, the test names PyTorch's matching function: ``torch.amax`` (it
splits the gradient evenly among ties, as tinygrad_edu does) rather than ``torch.max(dim)``.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="PyTorch not installed: pip install torch==2.13.0 && pip install -e .[oracle]"
)

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402
from oracle_helpers import (  # noqa: E402
    arrays_maybe_tied,
    assert_agree,
    broadcastable_shapes,
    check_against_torch,
    check_second_order,
    cotangent_like,
    float_arrays,
    shapes,
    tg_grads,
    tie_prone_arrays,
    torch_const,
    torch_grads,
    torch_leaf,
    value_leaf,
)

import tinygrad_edu as tg  # noqa: E402

EXAMPLES = settings(max_examples=30, deadline=None)
FEW_EXAMPLES = settings(max_examples=15, deadline=None)


# ====================================================================== elementwise, one input
# name → (tinygrad_edu function, torch function, strategy for the input given its shape)
UNARY = {
    "neg": (lambda x: -x, lambda t: -t, arrays_maybe_tied),
    "abs()": (lambda x: abs(x), lambda t: abs(t), arrays_maybe_tied),
    "abs": (lambda x: x.abs(), torch.abs, arrays_maybe_tied),
    "exp": (lambda x: x.exp(), torch.exp, lambda s: float_arrays(s, -5, 5)),
    "log": (lambda x: x.log(), torch.log, lambda s: float_arrays(s, 0.05, 5)),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt, lambda s: float_arrays(s, 0.05, 5)),
    "tanh": (lambda x: x.tanh(), torch.tanh, lambda s: float_arrays(s, -20, 20)),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid, lambda s: float_arrays(s, -40, 40)),
    "relu": (lambda x: x.relu(), torch.relu, arrays_maybe_tied),
    "functions.exp": (tg.exp, torch.exp, lambda s: float_arrays(s, -5, 5)),
    "functions.log": (tg.log, torch.log, lambda s: float_arrays(s, 0.05, 5)),
    "functions.sqrt": (tg.sqrt, torch.sqrt, lambda s: float_arrays(s, 0.05, 5)),
    "functions.tanh": (tg.tanh, torch.tanh, lambda s: float_arrays(s, -20, 20)),
    "functions.sigmoid": (tg.sigmoid, torch.sigmoid, lambda s: float_arrays(s, -40, 40)),
    "functions.relu": (tg.relu, torch.relu, arrays_maybe_tied),
}


@pytest.mark.parametrize("name", list(UNARY))
@EXAMPLES
@given(data=st.data())
def test_unary_elementwise(name, data):
    tg_fn, torch_fn, inputs = UNARY[name]
    x = data.draw(inputs(data.draw(shapes())), label="x")
    check_against_torch(tg_fn, torch_fn, [x])


@EXAMPLES
@given(
    x=shapes().flatmap(arrays_maybe_tied),
    slope=st.floats(0.0, 2.0) | st.sampled_from([0.01, 0.2]),
    as_function=st.booleans(),
)
def test_leaky_relu(x, slope, as_function):
    tg_fn = (lambda v: tg.leaky_relu(v, slope)) if as_function else (lambda v: v.leaky_relu(slope))
    check_against_torch(tg_fn, lambda t: torch.nn.functional.leaky_relu(t, slope), [x])


def test_leaky_relu_default_slope_is_torchs():
    x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    check_against_torch(lambda v: v.leaky_relu(), torch.nn.functional.leaky_relu, [x])


@EXAMPLES
@given(x=shapes().flatmap(arrays_maybe_tied), as_function=st.booleans())
def test_step_is_threshold_with_zero_gradient(x, as_function):
    """The perceptron's unit has no torch op: compare to (x ≥ 0) as float, whose gradient is 0 everywhere."""
    tg_fn = tg.step if as_function else (lambda v: v.step())
    check_against_torch(tg_fn, lambda t: (t >= 0).to(torch.float64), [x])


@EXAMPLES
@given(data=st.data())
def test_clip_matches_clamp(data):
    x = data.draw(shapes().flatmap(arrays_maybe_tied), label="x")
    # bounds drawn freely or taken from x itself, so elements sitting exactly on a bound occur
    bound = st.none() | st.floats(-3, 3) | st.sampled_from([float(v) for v in x.ravel()])
    lo, hi = data.draw(bound, label="min"), data.draw(bound, label="max")
    if lo is None and hi is None:
        lo = 0.0
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    form = data.draw(st.sampled_from(["method", "clamp", "function"]), label="form")
    tg_fn = {
        "method": lambda v: v.clip(lo, hi),
        "clamp": lambda v: v.clamp(lo, hi),
        "function": lambda v: tg.clip(v, lo, hi),
    }[form]
    check_against_torch(tg_fn, lambda t: torch.clamp(t, min=lo, max=hi), [x])


# ====================================================================== elementwise, two inputs, broadcasting
def _pow_inputs(shape_a, shape_b):
    return st.tuples(float_arrays(shape_a, 0.1, 3.0), float_arrays(shape_b, -2.5, 2.5))


def _div_inputs(shape_a, shape_b):
    return st.tuples(float_arrays(shape_a), float_arrays(shape_b, -3.0, 3.0, exclude_small=0.2))


def _tied_pair(shape_a, shape_b):
    return st.tuples(arrays_maybe_tied(shape_a), arrays_maybe_tied(shape_b))


def _plain_pair(shape_a, shape_b):
    return st.tuples(float_arrays(shape_a), float_arrays(shape_b))


# name → (tinygrad_edu function, torch function, strategy for the two inputs given their shapes)
BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b, _plain_pair),
    "-": (lambda a, b: a - b, lambda a, b: a - b, _plain_pair),
    "*": (lambda a, b: a * b, lambda a, b: a * b, _plain_pair),
    "/": (lambda a, b: a / b, lambda a, b: a / b, _div_inputs),
    "** (Value exponent)": (lambda a, b: a**b, lambda a, b: a**b, _pow_inputs),
    "maximum": (tg.maximum, torch.maximum, _tied_pair),
    "minimum": (tg.minimum, torch.minimum, _tied_pair),
}


@pytest.mark.parametrize("name", list(BINARY))
@EXAMPLES
@given(data=st.data())
def test_binary_broadcasting(name, data):
    """Shapes of different ranks that numpy broadcasts, e.g. (3, 1, 4) with (2, 4): each gradient is summed
    back to its own input's shape."""
    tg_fn, torch_fn, inputs = BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes(2), label="shapes")
    a, b = data.draw(inputs(shape_a, shape_b), label="inputs")
    check_against_torch(tg_fn, torch_fn, [a, b])


def test_binary_op_with_itself():
    """The same Value on both sides (a reused node): both contributions accumulate."""
    x = np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.3]])
    def reuse(v):  # the same operators work on Values and on tensors
        return v * v + v / (v * v + 1.0) - abs(v) ** v

    check_against_torch(reuse, reuse, [x])


# constants on either side: tinygrad_edu gets a number or a numpy array, torch a tensor without gradient
CONSTANT_OPERANDS = {
    "Value + c": (lambda x, c: x + c, lambda t, c: t + c),
    "c + Value": (lambda x, c: c + x, lambda t, c: c + t),
    "c - Value": (lambda x, c: c - x, lambda t, c: c - t),
    "Value - c": (lambda x, c: x - c, lambda t, c: t - c),
    "c * Value": (lambda x, c: c * x, lambda t, c: c * t),
    "c / Value": (lambda x, c: c / (x * x + 0.5), lambda t, c: c / (t * t + 0.5)),
    "Value / c": (lambda x, c: x / (c * c + 0.5), lambda t, c: t / (c * c + 0.5)),
    "c ** Value": (lambda x, c: (c * c + 0.5) ** x, lambda t, c: (c * c + 0.5) ** t),
    "maximum(c, Value)": (lambda x, c: tg.maximum(c, x), lambda t, c: torch.maximum(c, t)),
    "minimum(Value, c)": (lambda x, c: tg.minimum(x, c), lambda t, c: torch.minimum(t, c)),
}


@pytest.mark.parametrize("name", list(CONSTANT_OPERANDS))
@FEW_EXAMPLES
@given(data=st.data())
def test_operator_with_constant(name, data):
    tg_op, torch_op = CONSTANT_OPERANDS[name]
    shape_x, shape_c = data.draw(broadcastable_shapes(2, max_dims=3), label="shapes")
    x = data.draw(arrays_maybe_tied(shape_x), label="x")
    c = data.draw(arrays_maybe_tied(shape_c), label="c")
    as_number = data.draw(st.booleans(), label="constant as a Python number") and c.ndim == 0
    constant = float(c) if as_number else c
    check_against_torch(lambda v: tg_op(v, constant), lambda t: torch_op(t, torch_const(c)), [x])


POW_EXPONENTS = [0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5, 3.7]


@EXAMPLES
@given(data=st.data())
def test_pow_with_constant_exponent(data):
    p = data.draw(st.sampled_from(POW_EXPONENTS), label="exponent")
    shape = data.draw(shapes(), label="shape")
    if float(p).is_integer() and p >= 0:
        x = data.draw(arrays_maybe_tied(shape), label="x")  # any base, 0 included
    elif float(p).is_integer():
        x = data.draw(float_arrays(shape, -3, 3, exclude_small=0.2), label="x")
    else:
        x = data.draw(float_arrays(shape, 0.1, 3), label="x")  # fractional powers need a positive base
    check_against_torch(lambda v: v**p, lambda t: t**p, [x])


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_pow_edge_cases_match_torch():
    """0⁰ = 1 with both gradients 0; 0ᵇ (b > 0) has ∂/∂b = 0 (not 0·ln 0 = nan); as PyTorch."""
    base = np.array([0.0, 0.0, 0.0, 2.0, 0.5, 4.0])
    exponent = np.array([0.0, 2.0, 1.0, 0.0, 3.0, -0.5])
    check_against_torch(lambda a, b: a**b, lambda a, b: a**b, [base, exponent])


def test_pow_negative_base_gradient_is_nan_in_both():
    """(−2)³ is −8, and ∂/∂b = aᵇ·ln a is nan for a < 0 in both libraries (numpy warns)."""
    base, exponent = np.array([-2.0, 3.0]), np.array([3.0, 2.0])
    with np.errstate(invalid="ignore"):
        check_against_torch(lambda a, b: a**b, lambda a, b: a**b, [base, exponent])


# ====================================================================== matmul
MATMUL_KINDS = [
    "vector @ vector",
    "vector @ matrix",
    "matrix @ vector",
    "matrix @ matrix",
    "batched @ batched",
    "broadcast batch",
    "vector @ batched",
    "batched @ vector",
    "matrix @ batched",
]


@st.composite
def matmul_operands(draw, kind):
    """Two arrays of the given kind whose inner dimensions agree."""
    n, k, m = (draw(st.integers(1, 4), label=name) for name in "nkm")
    batch = draw(shapes(min_dims=1, max_dims=2, max_side=3), label="batch")
    if kind == "broadcast batch":
        batch_a, batch_b = draw(broadcastable_shapes(2, min_dims=1, max_dims=3, max_side=3), label="batches")
    else:
        batch_a = batch_b = batch
    shape_a, shape_b = {
        "vector @ vector": ((k,), (k,)),
        "vector @ matrix": ((k,), (k, m)),
        "matrix @ vector": ((n, k), (k,)),
        "matrix @ matrix": ((n, k), (k, m)),
        "batched @ batched": (batch + (n, k), batch + (k, m)),
        "broadcast batch": (batch_a + (n, k), batch_b + (k, m)),
        "vector @ batched": ((k,), batch + (k, m)),
        "batched @ vector": (batch + (n, k), (k,)),
        "matrix @ batched": ((n, k), batch + (k, m)),
    }[kind]
    return draw(float_arrays(shape_a)), draw(float_arrays(shape_b))


@pytest.mark.parametrize("kind", MATMUL_KINDS)
@FEW_EXAMPLES
@given(data=st.data())
def test_matmul(kind, data):
    a, b = data.draw(matmul_operands(kind), label="operands")
    check_against_torch(lambda x, y: x @ y, torch.matmul, [a, b])


@FEW_EXAMPLES
@given(data=st.data())
def test_matmul_with_constant_on_either_side(data):
    a, b = data.draw(matmul_operands("matrix @ matrix"), label="operands")
    check_against_torch(lambda y: a @ y, lambda y: torch_const(a) @ y, [b])
    check_against_torch(lambda x: x @ b, lambda x: x @ torch_const(b), [a])


# ====================================================================== reductions
@st.composite
def axis_arguments(draw, ndim):
    """None, an int (maybe negative) or a non-empty tuple of distinct axes (maybe negative)."""
    kinds = ["none", "int", "tuple"] if ndim else ["none"]
    kind = draw(st.sampled_from(kinds), label="axis kind")
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1), label="axis")
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True), label="axes")
    negate = draw(st.lists(st.booleans(), min_size=len(axes), max_size=len(axes)), label="negate")
    return tuple(a - ndim if flip else a for a, flip in zip(axes, negate))


def torch_dims(axis, ndim):
    """torch's ``dim`` for numpy's ``axis``: None must become every axis (torch reads dim=() as all axes)."""
    return tuple(range(ndim)) if axis is None else axis


# name → (tinygrad_edu method name, torch function(t, dim, keepdim), input strategy)
REDUCTIONS = {
    "sum": ("sum", lambda t, d, k: torch.sum(t, dim=d, keepdim=k), arrays_maybe_tied),
    "mean": ("mean", lambda t, d, k: torch.mean(t, dim=d, keepdim=k), arrays_maybe_tied),
    "max": ("max", lambda t, d, k: torch.amax(t, dim=d, keepdim=k), arrays_maybe_tied),
    "min": ("min", lambda t, d, k: torch.amin(t, dim=d, keepdim=k), arrays_maybe_tied),
    "logsumexp": ("logsumexp", lambda t, d, k: torch.logsumexp(t, dim=d, keepdim=k), arrays_maybe_tied),
}


@pytest.mark.parametrize("name", list(REDUCTIONS))
@EXAMPLES
@given(data=st.data())
def test_reduction(name, data):
    """Ties in max/min (tie-prone integer inputs) split the gradient evenly, as torch.amax/amin do."""
    method, torch_fn, inputs = REDUCTIONS[name]
    shape = data.draw(shapes(), label="shape")
    x = data.draw(inputs(shape), label="x")
    axis = data.draw(axis_arguments(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    check_against_torch(
        lambda v: getattr(v, method)(axis=axis, keepdims=keepdims),
        lambda t: torch_fn(t, torch_dims(axis, t.ndim), keepdims),
        [x],
    )


@EXAMPLES
@given(data=st.data())
def test_logsumexp_function_form(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(float_arrays(shape, -50, 50), label="x")
    axis = data.draw(axis_arguments(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    check_against_torch(
        lambda v: tg.logsumexp(v, axis, keepdims), lambda t: torch.logsumexp(t, torch_dims(axis, t.ndim), keepdims), [x]
    )


def test_max_ties_split_evenly_like_amax():
    """Three-way tie in a row: each tied element gets a third of the gradient."""
    x = np.array([[1.0, 3.0, 3.0, 3.0], [2.0, 2.0, -1.0, 0.0]])
    check_against_torch(lambda v: v.max(axis=1), lambda t: torch.amax(t, dim=1), [x])
    check_against_torch(lambda v: v.min(), lambda t: torch.amin(t), [np.array([[0.0, 5.0], [0.0, 0.0]])])


# ====================================================================== softmax family
SOFTMAX_FAMILY = {
    "softmax": (lambda v, a: v.softmax(a), lambda t, a: torch.softmax(t, dim=a)),
    "log_softmax": (lambda v, a: v.log_softmax(a), lambda t, a: torch.log_softmax(t, dim=a)),
    "functions.softmax": (tg.softmax, lambda t, a: torch.softmax(t, dim=a)),
    "functions.log_softmax": (tg.log_softmax, lambda t, a: torch.log_softmax(t, dim=a)),
}


@pytest.mark.parametrize("name", list(SOFTMAX_FAMILY))
@EXAMPLES
@given(data=st.data())
def test_softmax_family(name, data):
    tg_fn, torch_fn = SOFTMAX_FAMILY[name]
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(float_arrays(shape, -30, 30) | tie_prone_arrays(shape), label="x")
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    check_against_torch(lambda v: tg_fn(v, axis), lambda t: torch_fn(t, axis), [x])


def test_softmax_family_is_stable_for_huge_inputs():
    """Inputs of ±1000 would overflow a naive eˣ; both libraries shift by the max and agree."""
    x = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1001.0, -999.5]])
    check_against_torch(lambda v: v.softmax(-1), lambda t: torch.softmax(t, -1), [x])
    check_against_torch(lambda v: v.log_softmax(0), lambda t: torch.log_softmax(t, 0), [x])
    check_against_torch(lambda v: v.logsumexp(axis=1), lambda t: torch.logsumexp(t, 1), [x], rtol=1e-14)
    check_against_torch(lambda v: v.sigmoid(), torch.sigmoid, [x])


@pytest.mark.parametrize("scale", [1e8, 1e12, 1e16])
def test_log_softmax_keeps_every_digit_at_huge_magnitudes(scale):
    """Shifting by the max before taking the log keeps the small differences between huge logits:
    x − (m + log Σ e^(x−m)) would lose them (at 1e16 every entry read 0, the gradient did not sum to 0)."""
    x = np.array([[scale + 0.5, scale, scale - 3.0], [scale, scale, -scale]])
    check_against_torch(lambda v: v.log_softmax(-1), lambda t: torch.log_softmax(t, -1), [x])


# ====================================================================== movement
@st.composite
def reshape_targets(draw, shape):
    """A new shape with the same size: the sides shuffled, some neighbours merged, maybe one written −1."""
    sides = draw(st.permutations(list(shape)), label="shuffled sides")
    merged: list[int] = []
    for side in sides:
        if merged and draw(st.booleans(), label="merge with previous"):
            merged[-1] *= side
        else:
            merged.append(side)
    if draw(st.booleans(), label="add a unit axis"):
        merged.insert(draw(st.integers(0, len(merged)), label="where"), 1)
    if merged and draw(st.booleans(), label="use -1"):
        merged[draw(st.integers(0, len(merged) - 1), label="which")] = -1
    return tuple(merged)


@EXAMPLES
@given(data=st.data())
def test_reshape(data):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    target = data.draw(reshape_targets(shape), label="new shape")
    as_varargs = data.draw(st.booleans(), label="pass sides as separate arguments")
    tg_fn = (lambda v: v.reshape(*target)) if as_varargs else (lambda v: v.reshape(target))
    check_against_torch(tg_fn, lambda t: t.reshape(target), [x])


@EXAMPLES
@given(data=st.data())
def test_transpose_two_axes(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    ndim = len(shape)
    d0, d1 = (data.draw(st.integers(-ndim, ndim - 1), label=name) for name in ("dim0", "dim1"))
    check_against_torch(lambda v: v.transpose(d0, d1), lambda t: t.transpose(d0, d1), [x])


@EXAMPLES
@given(x=shapes().flatmap(float_arrays))
def test_T_and_transpose_reverse_all_axes(x):
    reverse = lambda t: t.permute(tuple(reversed(range(t.ndim))))  # noqa: E731  (torch's .T is 2-D only)
    check_against_torch(lambda v: v.T, reverse, [x])
    check_against_torch(lambda v: v.transpose(), reverse, [x])


def test_T_of_a_matrix_is_torchs_T():
    x = np.arange(6.0).reshape(2, 3) / 7.0
    check_against_torch(lambda v: v.T, lambda t: t.T, [x])


@EXAMPLES
@given(data=st.data())
def test_permute(data):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    dims = tuple(data.draw(st.permutations(range(len(shape))), label="dims"))
    as_tuple = data.draw(st.booleans(), label="dims as one tuple")
    tg_fn = (lambda v: v.permute(dims)) if as_tuple else (lambda v: v.permute(*dims))
    check_against_torch(tg_fn, lambda t: t.permute(dims), [x])


@EXAMPLES
@given(data=st.data())
def test_flatten(data):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    ndim = max(len(shape), 1)
    start = data.draw(st.integers(-ndim, ndim - 1), label="start_dim")
    end = data.draw(st.integers(-ndim, ndim - 1), label="end_dim")
    if start % ndim > end % ndim:
        start, end = end, start
    check_against_torch(lambda v: v.flatten(start, end), lambda t: torch.flatten(t, start, end), [x])
    check_against_torch(lambda v: v.flatten(), torch.flatten, [x])


# ====================================================================== indexing
@st.composite
def basic_indices(draw, shape):
    """Ints, slices with a positive step (torch has no negative steps), None and Ellipsis."""
    index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True), label="index")
    parts = index if isinstance(index, tuple) else (index,)
    assume(all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts))
    return index


@EXAMPLES
@given(data=st.data())
def test_basic_indexing(data):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    index = data.draw(basic_indices(shape), label="index")
    check_against_torch(lambda v: v[index], lambda t: t[index], [x])


@st.composite
def integer_array_indices(draw, shape):
    """An integer array (repeats and negative indices likely) on one axis, slices on the others."""
    axis = draw(st.integers(0, len(shape) - 1), label="axis")
    n = shape[axis]
    rows = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), label="index shape")
    picks = draw(hnp.arrays(np.intp, rows, elements=st.integers(-n, n - 1)), label="picks")
    return (slice(None),) * axis + (picks,)


@EXAMPLES
@given(data=st.data())
def test_integer_array_indexing_accumulates_repeats(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    index = data.draw(integer_array_indices(shape), label="index")
    torch_index = tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    check_against_torch(lambda v: v[index], lambda t: t[torch_index], [x])


def test_integer_list_and_pair_of_arrays_indexing():
    x = np.arange(12.0).reshape(3, 4) / 5.0
    rows, cols = np.array([0, 2, 2, -1]), np.array([1, 3, 3, 0])
    check_against_torch(lambda v: v[[1, 1, 0]], lambda t: t[[1, 1, 0]], [x])
    check_against_torch(lambda v: v[rows, cols], lambda t: t[torch.as_tensor(rows), torch.as_tensor(cols)], [x])
    check_against_torch(lambda v: v[1:, [0, 0, 2]], lambda t: t[1:, [0, 0, 2]], [x])


@EXAMPLES
@given(data=st.data())
def test_boolean_mask_indexing(data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(float_arrays(shape), label="x")
    mask_ndim = data.draw(st.integers(1, len(shape)), label="mask covers the leading axes")
    mask = data.draw(hnp.arrays(bool, shape[:mask_ndim]), label="mask")
    check_against_torch(lambda v: v[mask], lambda t: t[torch.as_tensor(mask)], [x])


# ====================================================================== joining and choosing
@st.composite
def concat_operands(draw):
    """1–3 arrays with equal shapes except along ``axis``."""
    shape = list(draw(shapes(min_dims=1, max_dims=3), label="shape"))
    axis = draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    arrays = []
    for _ in range(draw(st.integers(1, 3), label="count")):
        shape[axis] = draw(st.integers(1, 3), label="length along axis")
        arrays.append(draw(float_arrays(tuple(shape))))
    return arrays, axis


@EXAMPLES
@given(operands=concat_operands(), name=st.sampled_from(["concat", "cat"]))
def test_concat(operands, name):
    arrays, axis = operands
    join = getattr(tg, name)
    check_against_torch(lambda *vs: join(vs, axis=axis), lambda *ts: torch.cat(ts, dim=axis), arrays)


@EXAMPLES
@given(data=st.data())
def test_stack(data):
    shape = data.draw(shapes(max_dims=3), label="shape")
    count = data.draw(st.integers(1, 3), label="count")
    arrays = [data.draw(float_arrays(shape), label=f"x{i}") for i in range(count)]
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    check_against_torch(lambda *vs: tg.stack(vs, axis=axis), lambda *ts: torch.stack(ts, dim=axis), arrays)


def test_concat_reusing_one_value():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    check_against_torch(
        lambda v: tg.concat([v, v * 2.0, v], axis=1), lambda t: torch.cat([t, t * 2.0, t], dim=1), [x]
    )


@EXAMPLES
@given(data=st.data())
def test_where_broadcasting(data):
    shape_c, shape_a, shape_b = data.draw(broadcastable_shapes(3), label="shapes")
    condition = data.draw(hnp.arrays(bool, shape_c), label="condition")
    a, b = data.draw(float_arrays(shape_a), label="a"), data.draw(float_arrays(shape_b), label="b")
    cond_t = torch.as_tensor(condition)
    check_against_torch(lambda x, y: tg.where(condition, x, y), lambda x, y: torch.where(cond_t, x, y), [a, b])
    check_against_torch(lambda x: tg.where(condition, x, 0.5), lambda x: torch.where(cond_t, x, 0.5), [a])
    check_against_torch(lambda y: tg.where(condition, -1.5, y), lambda y: torch.where(cond_t, -1.5, y), [b])


# ====================================================================== random expression graphs
class TinyLib:
    """The operations whose spelling differs between the two libraries, in tinygrad_edu's words."""

    maximum, minimum, exp = staticmethod(tg.maximum), staticmethod(tg.minimum), staticmethod(tg.exp)

    @staticmethod
    def where_positive(x, a, b):
        return tg.where(np.asarray(x.data) > 0, a, b)

    @staticmethod
    def reduce(x, name, axis):
        return getattr(x, name)(axis=axis, keepdims=True)

    @staticmethod
    def along(x, name, axis):
        return getattr(x, name)(axis)

    @staticmethod
    def leaky_relu(x, slope):
        return x.leaky_relu(slope)

    @staticmethod
    def step(x):
        return x.step()

    @staticmethod
    def take_rows(x, rows):
        return x[rows]


class TorchLib:
    """The same operations in torch."""

    maximum, minimum, exp = staticmethod(torch.maximum), staticmethod(torch.minimum), staticmethod(torch.exp)
    # torch.amax/amin, not torch.max/min(dim): they split the gradient among ties, as tinygrad_edu does
    REDUCTIONS = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}
    REDUCTIONS["logsumexp"] = torch.logsumexp

    @staticmethod
    def where_positive(x, a, b):
        return torch.where(torch.as_tensor(x.detach().numpy() > 0), a, b)

    @staticmethod
    def reduce(x, name, axis):
        dim = (0, 1) if axis is None else axis
        return TorchLib.REDUCTIONS[name](x, dim=dim, keepdim=True)

    @staticmethod
    def along(x, name, axis):
        return getattr(torch, name)(x, dim=axis)

    @staticmethod
    def leaky_relu(x, slope):
        return torch.nn.functional.leaky_relu(x, slope)

    @staticmethod
    def step(x):
        return (x >= 0).to(torch.float64)

    @staticmethod
    def take_rows(x, rows):
        return x[torch.as_tensor(rows)]


def _same(shapes_, param):
    return shapes_[0]


def _broadcast(shapes_, param):
    return tuple(np.broadcast_shapes(*shapes_))


def _reduced(shapes_, axis):
    return (1, 1) if axis is None else tuple(1 if i == axis else n for i, n in enumerate(shapes_[0]))


def _swapped(shapes_, param):
    return shapes_[0][::-1]


def _matmul_shape(shapes_, param):
    return (shapes_[0][0], shapes_[1][1])


def _rows(x, picks):
    """Rows picked from x, with repeats: ``picks`` wrapped into x's number of rows."""
    count = x.shape[0]
    return np.array(picks[:count]) % count


class GraphOp:
    """One kind of node in a random expression graph: how to compute it (the same code for either library,
    L being TinyLib or TorchLib), its output shape, and a strategy for its setting if it has one."""

    def __init__(self, arity, evaluate, shape, param=None, valid=None):
        self.arity, self.evaluate, self.shape, self.param = arity, evaluate, shape, param
        self.valid = valid or (lambda shapes_: True)


AXES = st.sampled_from([0, 1, None])
GRAPH_OPS = {
    "+": GraphOp(2, lambda L, a, b, p: a + b, _broadcast),
    "-": GraphOp(2, lambda L, a, b, p: a - b, _broadcast),
    "*": GraphOp(2, lambda L, a, b, p: a * b, _broadcast),
    "/": GraphOp(2, lambda L, a, b, p: a / (1.0 + b * b), _broadcast),
    "**": GraphOp(2, lambda L, a, b, p: (a * a + 0.5) ** b.tanh(), _broadcast),
    "** integer": GraphOp(1, lambda L, a, p: a**p, _same, st.sampled_from([2, 3])),
    "** fraction": GraphOp(1, lambda L, a, p: (a * a + 0.5) ** p, _same, st.sampled_from([0.5, -1.5])),
    "@": GraphOp(2, lambda L, a, b, p: a @ b, _matmul_shape, valid=lambda s: s[0][1] == s[1][0]),
    "neg": GraphOp(1, lambda L, a, p: -a, _same),
    "abs": GraphOp(1, lambda L, a, p: abs(a), _same),
    "exp": GraphOp(1, lambda L, a, p: L.exp(a), _same),
    "log": GraphOp(1, lambda L, a, p: (a * a + 0.1).log(), _same),
    "sqrt": GraphOp(1, lambda L, a, p: (abs(a) + 0.25).sqrt(), _same),
    "tanh": GraphOp(1, lambda L, a, p: a.tanh(), _same),
    "sigmoid": GraphOp(1, lambda L, a, p: a.sigmoid(), _same),
    "relu": GraphOp(1, lambda L, a, p: a.relu(), _same),
    "leaky_relu": GraphOp(1, lambda L, a, p: L.leaky_relu(a, p), _same, st.sampled_from([0.01, 0.3])),
    "step": GraphOp(2, lambda L, a, b, p: a * L.step(b), _broadcast),
    "clip": GraphOp(1, lambda L, a, p: a.clip(-1.0, 1.5), _same),
    "maximum": GraphOp(2, lambda L, a, b, p: L.maximum(a, b), _broadcast),
    "minimum": GraphOp(2, lambda L, a, b, p: L.minimum(a, b), _broadcast),
    "where": GraphOp(2, lambda L, a, b, p: L.where_positive(a, a, b), _broadcast),
    "sum": GraphOp(1, lambda L, a, p: L.reduce(a, "sum", p), _reduced, AXES),
    "mean": GraphOp(1, lambda L, a, p: L.reduce(a, "mean", p), _reduced, AXES),
    "max": GraphOp(1, lambda L, a, p: L.reduce(a, "max", p), _reduced, AXES),
    "min": GraphOp(1, lambda L, a, p: L.reduce(a, "min", p), _reduced, AXES),
    "logsumexp": GraphOp(1, lambda L, a, p: L.reduce(a, "logsumexp", p), _reduced, AXES),
    "softmax": GraphOp(1, lambda L, a, p: L.along(a, "softmax", p), _same, st.sampled_from([0, 1])),
    "log_softmax": GraphOp(1, lambda L, a, p: L.along(a, "log_softmax", p), _same, st.sampled_from([0, 1])),
    "transpose": GraphOp(1, lambda L, a, p: a.T, _swapped),
    "reshape": GraphOp(1, lambda L, a, p: a.reshape(a.shape[1], a.shape[0]), _swapped),
    "take rows": GraphOp(
        1, lambda L, a, p: L.take_rows(a, _rows(a, p)), _same, st.lists(st.integers(0, 3), min_size=4, max_size=4)
    ),
}


@st.composite
def expression_graphs(draw):
    """2–3 input arrays and 10–30 steps; each step applies an operation to earlier nodes (inputs or results,
    so intermediate nodes are reused), preferring recent nodes for the first operand so graphs grow deep."""
    n = draw(st.integers(2, 4), label="n")
    input_shapes = draw(st.lists(st.sampled_from([(n, n), (1, n), (n, 1)]), min_size=2, max_size=3), label="shapes")
    node_shapes = list(input_shapes)
    steps = []
    for _ in range(draw(st.integers(10, 30), label="number of steps")):
        name = draw(st.sampled_from(list(GRAPH_OPS)), label="op")
        op = GRAPH_OPS[name]
        first = len(node_shapes) - 1 - draw(st.integers(0, min(3, len(node_shapes) - 1)), label="recent operand")
        rest = [draw(st.integers(0, len(node_shapes) - 1), label="operand") for _ in range(op.arity - 1)]
        operands = [first, *rest]
        if not op.valid([node_shapes[i] for i in operands]):
            name, op = "+", GRAPH_OPS["+"]
        param = draw(op.param, label="setting") if op.param is not None else None
        node_shapes.append(op.shape([node_shapes[i] for i in operands], param))
        steps.append((name, operands, param))
    arrays = [draw(float_arrays(shape, -2.0, 2.0), label="input") for shape in input_shapes]
    return arrays, steps


def run_graph(L, leaves, steps):
    """Every node of the graph, inputs first, computed with library L."""
    nodes = list(leaves)
    for name, operands, param in steps:
        nodes.append(GRAPH_OPS[name].evaluate(L, *(nodes[i] for i in operands), param))
    return nodes


def sink_nodes(count_inputs, steps):
    """Indices of the results no later step uses: together they depend on everything computed."""
    used = {i for _, operands, _ in steps for i in operands}
    return [count_inputs + k for k in range(len(steps)) if count_inputs + k not in used]


@settings(max_examples=40, deadline=None)
@given(graph=expression_graphs())
def test_random_expression_graph(graph):
    """Outputs of every node, and the gradients of all inputs from all sinks, match torch's."""
    arrays, steps = graph
    values, tensors = [value_leaf(a) for a in arrays], [torch_leaf(a) for a in arrays]
    expected = run_graph(TorchLib, tensors, steps)
    assume(all(np.all(np.abs(t.detach().numpy()) < 1e6) for t in expected))  # no overflow on the way
    actual = run_graph(TinyLib, values, steps)
    for k, (a, e) in enumerate(zip(actual, expected)):
        what = "input" if k < len(arrays) else steps[k - len(arrays)][0]
        assert_agree(a, e, f"node {k} ({what})")

    sinks = [k for k in sink_nodes(len(arrays), steps) if expected[k].requires_grad]
    assume(sinks)
    weights = [cotangent_like(tuple(expected[k].shape), seed=k) for k in sinks]
    torch_grads = torch.autograd.grad(
        [expected[k] for k in sinks],
        tensors,
        grad_outputs=[torch_const(w) for w in weights],
        allow_unused=True,
        materialize_grads=True,
    )
    tg_grads = tg.grad([actual[k] for k in sinks], values, grad_outputs=weights, materialize_grads=True)
    for k, w in zip(sinks, weights):  # backward once per sink: .grad accumulates the sum
        actual[k].backward(w)
    for i, (v, g, e) in enumerate(zip(values, tg_grads, torch_grads)):
        assert_agree(g, e, f"grad(): gradient of input {i}")
        assert_agree(v.grad, e, f"backward: accumulated gradient of input {i}")


# ====================================================================== second and higher derivatives
# name → (tinygrad_edu function, torch function, input strategy given a shape, highest order to compare)
HIGHER_ORDER_UNARY = {
    "exp": (lambda x: x.exp(), torch.exp, lambda s: float_arrays(s, -3, 3), 3),
    "log": (lambda x: x.log(), torch.log, lambda s: float_arrays(s, 0.2, 4), 3),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt, lambda s: float_arrays(s, 0.2, 4), 3),
    "tanh": (lambda x: x.tanh(), torch.tanh, lambda s: float_arrays(s, -4, 4), 3),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid, lambda s: float_arrays(s, -6, 6), 3),
    "neg": (lambda x: -x, lambda t: -t, float_arrays, 2),
    "abs": (lambda x: abs(x), torch.abs, arrays_maybe_tied, 2),
    "relu": (lambda x: x.relu(), torch.relu, arrays_maybe_tied, 2),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), lambda t: torch.nn.functional.leaky_relu(t, 0.2), arrays_maybe_tied, 2),
    "step": (lambda x: x.step() * x, lambda t: (t >= 0).to(torch.float64) * t, arrays_maybe_tied, 2),
    "clip": (lambda x: x.clip(-1.0, 1.0) * x, lambda t: torch.clamp(t, -1.0, 1.0) * t, arrays_maybe_tied, 2),
    "x ** 3": (lambda x: x**3, lambda t: t**3, float_arrays, 3),
    "x ** 2.5": (lambda x: x**2.5, lambda t: t**2.5, lambda s: float_arrays(s, 0.2, 3), 3),
    "x ** -1.5": (lambda x: x**-1.5, lambda t: t**-1.5, lambda s: float_arrays(s, 0.2, 3), 3),
    "2 ** x": (lambda x: 2.0**x, lambda t: 2.0**t, float_arrays, 3),
}


@pytest.mark.parametrize("name", list(HIGHER_ORDER_UNARY))
@FEW_EXAMPLES
@given(data=st.data())
def test_higher_derivatives_elementwise(name, data):
    """∂ᵏ/∂xᵏ along random directions, up to the third order for the smooth functions."""
    tg_fn, torch_fn, inputs, order = HIGHER_ORDER_UNARY[name]
    x = data.draw(inputs(data.draw(shapes(max_dims=3), label="shape")), label="x")
    check_second_order(tg_fn, torch_fn, [x], order=order)


SECOND_ORDER_BINARY = {
    "+": (lambda a, b: (a + b) * a, _plain_pair),
    "-": (lambda a, b: (a - b) * b, _plain_pair),
    "*": (lambda a, b: a * b * a, _plain_pair),
    "/": (lambda a, b: a / b, _div_inputs),
    "**": (lambda a, b: a**b, _pow_inputs),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER_BINARY))
@FEW_EXAMPLES
@given(data=st.data())
def test_second_derivatives_binary_broadcasting(name, data):
    """Mixed second derivatives ∂²/∂a∂b of broadcasting operations (the same code runs in both libraries)."""
    fn, inputs = SECOND_ORDER_BINARY[name]
    shape_a, shape_b = data.draw(broadcastable_shapes(2, max_dims=3), label="shapes")
    a, b = data.draw(inputs(shape_a, shape_b), label="inputs")
    check_second_order(fn, fn, [a, b], order=3 if name in ("*", "/", "**") else 2)


@FEW_EXAMPLES
@given(data=st.data())
def test_second_derivatives_maximum_minimum_where(data):
    shape_a, shape_b = data.draw(broadcastable_shapes(2, max_dims=3), label="shapes")
    a, b = data.draw(_tied_pair(shape_a, shape_b), label="inputs")
    mask = data.draw(hnp.arrays(bool, shape_b), label="condition")
    check_second_order(lambda x, y: tg.maximum(x * x, y) * y, lambda x, y: torch.maximum(x * x, y) * y, [a, b])
    check_second_order(lambda x, y: tg.minimum(x, y * y) * x, lambda x, y: torch.minimum(x, y * y) * x, [a, b])
    check_second_order(
        lambda x, y: tg.where(mask, x * y, y * y), lambda x, y: torch.where(torch.as_tensor(mask), x * y, y * y), [a, b]
    )


@pytest.mark.parametrize("name", list(REDUCTIONS))
@FEW_EXAMPLES
@given(data=st.data())
def test_second_derivatives_reductions(name, data):
    """Second and third derivatives through each reduction's backward rule: r(x)²/2 + r(tanh x), curved, so
    the gradient of the reduction r depends on x."""
    method, torch_fn, inputs = REDUCTIONS[name]
    shape = data.draw(shapes(max_dims=3), label="shape")
    x = data.draw(inputs(shape), label="x")
    axis = data.draw(axis_arguments(len(shape)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    check_second_order(
        lambda v: getattr(v, method)(axis=axis, keepdims=keepdims) ** 2 * 0.5
        + getattr(v.tanh(), method)(axis=axis, keepdims=keepdims),
        lambda t: torch_fn(t, torch_dims(axis, t.ndim), keepdims) ** 2 * 0.5
        + torch_fn(t.tanh(), torch_dims(axis, t.ndim), keepdims),
        [x],
        order=3,
    )


@pytest.mark.parametrize("name", list(SOFTMAX_FAMILY))
@FEW_EXAMPLES
@given(data=st.data())
def test_higher_derivatives_softmax_family(name, data):
    tg_fn, torch_fn = SOFTMAX_FAMILY[name]
    shape = data.draw(shapes(min_dims=1, max_dims=3), label="shape")
    x = data.draw(float_arrays(shape, -5, 5), label="x")
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    check_second_order(lambda v: tg_fn(v, axis), lambda t: torch_fn(t, axis), [x], order=3)


MOVEMENT = {
    "reshape": (lambda v: v.reshape(-1), lambda t: t.reshape(-1)),
    "transpose": (lambda v: v.transpose(0, -1), lambda t: t.transpose(0, -1)),
    "T": (lambda v: v.T, lambda t: t.permute(tuple(reversed(range(t.ndim))))),
    "flatten": (lambda v: v.flatten(1), lambda t: torch.flatten(t, 1)),
    "basic slice": (lambda v: v[1:, ::2], lambda t: t[1:, ::2]),
    "integer array": (lambda v: v[[0, 0, -1, 1]], lambda t: t[[0, 0, -1, 1]]),
    "boolean mask": (lambda v: v[np.asarray(v.data) > 0], lambda t: t[t.detach() > 0]),
    "concat": (lambda v: tg.concat([v, v * v], axis=1), lambda t: torch.cat([t, t * t], dim=1)),
    "stack": (lambda v: tg.stack([v, v.exp()], axis=-1), lambda t: torch.stack([t, t.exp()], dim=-1)),
}


@pytest.mark.parametrize("name", list(MOVEMENT))
@FEW_EXAMPLES
@given(x=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4).flatmap(float_arrays))
def test_higher_derivatives_through_movement(name, x):
    """Movement ops are linear; squaring and tanh around them make their backward rules (reshape back,
    scatter-add, slice) part of a curved function, differentiated three times."""
    tg_fn, torch_fn = MOVEMENT[name]
    check_second_order(lambda v: tg_fn(v.tanh()) ** 2, lambda t: torch_fn(t.tanh()) ** 2, [x], order=3)


@pytest.mark.parametrize("kind", MATMUL_KINDS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_higher_derivatives_matmul(kind, data):
    a, b = data.draw(matmul_operands(kind), label="operands")

    def curved_product(x, y):  # the same code runs on Values and on tensors
        product = x @ y
        return (0.1 * product).tanh() * product  # 0.1: keep tanh out of saturation, where 1 − y² cancels

    check_second_order(curved_product, curved_product, [a, b], order=3)


@FEW_EXAMPLES
@given(data=st.data())
def test_second_derivatives_matmul_chain(data):
    """sigmoid(tanh(0.2 A @ B) @ C) with a broadcast batch: all nine blocks ∂²/∂P∂Q of the Hessian, along
    random directions, and the third derivatives."""
    n, k, m, p = (data.draw(st.integers(1, 4), label=side) for side in "nkmp")
    batch = data.draw(shapes(max_dims=2, max_side=3), label="batch")
    a = data.draw(float_arrays(batch + (n, k)), label="A")
    b = data.draw(float_arrays((k, m)), label="B")
    c = data.draw(float_arrays((m, p)), label="C")

    def chain(x, y, z):
        return ((0.2 * (x @ y)).tanh() @ z).sigmoid()

    check_second_order(chain, chain, [a, b, c], order=3)


def mlp_error(x, w1, b1, w2, b2, target):
    """E = ½ Σ (t − o)² / batch for o = σ(tanh(x W₁ + b₁) W₂ + b₂): the lecture's error on a two-layer net.
    The same code runs on Values and on tensors."""
    hidden = (x @ w1 + b1).tanh()
    out = (hidden @ w2 + b2).sigmoid()
    return ((target - out) ** 2).sum() * (0.5 / x.shape[0])


def mlp_cross_entropy(x, w1, b1, w2, b2, one_hot):
    """−Σ t · log_softmax(relu(x W₁ + b₁) W₂ + b₂) / batch: softmax cross-entropy on a ReLU layer."""
    hidden = (x @ w1 + b1).relu()
    return -(one_hot * (hidden @ w2 + b2).log_softmax(-1)).sum() / x.shape[0]


@st.composite
def mlp_problems(draw):
    """Inputs, the four parameters of a 2-layer net, and 0/1 targets (one-hot rows)."""
    batch, n_in, n_hidden, n_out = (draw(st.integers(1, 4), label=name) for name in ("batch", "in", "hidden", "out"))
    x = draw(float_arrays((batch, n_in)), label="x")
    params = [
        draw(float_arrays(shape, -1.5, 1.5), label="parameter")
        for shape in ((n_in, n_hidden), (n_hidden,), (n_hidden, n_out), (n_out,))
    ]
    labels = draw(hnp.arrays(np.intp, (batch,), elements=st.integers(0, n_out - 1)), label="labels")
    return x, params, np.eye(n_out)[labels]


@pytest.mark.parametrize("loss", [mlp_error, mlp_cross_entropy])
@FEW_EXAMPLES
@given(problem=mlp_problems())
def test_hessian_vector_products_of_a_small_mlp(loss, problem):
    """Hv = ∇(∇E · v) with respect to the parameters (and the inputs), against torch.autograd.functional.hvp."""
    x, params, target = problem
    directions = [cotangent_like(p.shape, seed=k) for k, p in enumerate([x, *params])]

    leaves = [value_leaf(a) for a in [x, *params]]
    error = loss(*leaves, target)
    first = tg.grad(error, leaves, create_graph=True, materialize_grads=True)
    hvp = tg_grads(list(first), leaves, directions, create_graph=False)

    def torch_loss(*tensors):
        return loss(*tensors, torch_const(target))

    expected_error, expected_hvp = torch.autograd.functional.hvp(
        torch_loss, tuple(torch_const(a) for a in [x, *params]), tuple(torch_const(d) for d in directions)
    )
    assert_agree(error, expected_error, "E")
    for i, (a, e) in enumerate(zip(hvp, expected_hvp)):
        assert_agree(a, e, f"Hessian-vector product, block of input {i}")


def test_full_hessian_of_a_small_mlp_from_hessian_vector_products():
    """The whole 13 × 13 Hessian of a 2-3-1 net's error over one flat parameter vector, one HVP per
    column (the parameters are cut out of the vector with slicing and reshape, whose backward rules are
    then differentiated too), against torch.autograd.functional.hessian."""
    rng = np.random.default_rng(7)
    x, target = rng.standard_normal((5, 2)), rng.uniform(0.1, 0.9, (5, 1))
    flat = rng.standard_normal(13) * 0.7

    def unpack(vector):
        return vector[0:6].reshape(2, 3), vector[6:9], vector[9:12].reshape(3, 1), vector[12:13]

    theta = value_leaf(flat)
    (gradient,) = tg.grad(mlp_error(value_leaf(x), *unpack(theta), target), theta, create_graph=True)
    columns = [tg.grad([gradient], theta, grad_outputs=[np.eye(13)[j]])[0].numpy() for j in range(13)]
    hessian = np.stack(columns, axis=1)

    expected = torch.autograd.functional.hessian(
        lambda v: mlp_error(torch_const(x), *unpack(v), torch_const(target)), torch_const(flat)
    )
    assert_agree(hessian, expected, "Hessian")
    np.testing.assert_allclose(hessian, hessian.T, rtol=1e-12, atol=1e-12, err_msg="Hessian is symmetric")


@FEW_EXAMPLES
@given(problem=mlp_problems())
def test_gradient_penalty_mixed_second_derivative(problem):
    """∂/∂W ‖∂E/∂x‖²: differentiate a norm of an input gradient with respect to the weights."""
    x, params, target = problem
    leaves = [value_leaf(a) for a in [x, *params]]
    (grad_x,) = tg.grad(mlp_error(*leaves, target), leaves[0], create_graph=True)
    penalty = (grad_x * grad_x).sum()
    actual = tg_grads(penalty, leaves[1:], 1.0, create_graph=False)

    tensors = [torch_leaf(a) for a in [x, *params]]
    (torch_grad_x,) = torch.autograd.grad(mlp_error(*tensors, torch_const(target)), tensors[0], create_graph=True)
    expected = torch_grads((torch_grad_x * torch_grad_x).sum(), tensors[1:], 1.0, create_graph=False)
    assert_agree(penalty, (torch_grad_x * torch_grad_x).sum(), "penalty")
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_agree(a, e, f"∂penalty/∂parameter {i}")


def lecture_network_error(weights, biases, inputs=(0.05, 0.10), targets=(0.01, 0.99)):
    """The lecture's 2-2-2 sigmoid network from scalars (Values or 0-d tensors): E = ½Σ(t − o)²."""
    w1, w2, w3, w4, w5, w6, w7, w8 = weights
    b1, b2 = biases
    i1, i2 = inputs
    h1 = (w1 * i1 + w2 * i2 + b1).sigmoid()
    h2 = (w3 * i1 + w4 * i2 + b1).sigmoid()
    o1 = (w5 * h1 + w6 * h2 + b2).sigmoid()
    o2 = (w7 * h1 + w8 * h2 + b2).sigmoid()
    return 0.5 * ((targets[0] - o1) ** 2 + (targets[1] - o2) ** 2)


def test_hessian_of_the_lecture_network_from_scalar_values():
    """Scalar float64 Values (stored as Python floats) through the create_graph path: the full 10 × 10 Hessian
    of the lecture's network in its weights and biases, against torch on 0-d tensors."""
    start = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55, 0.35, 0.60]
    params = [value_leaf(p) for p in start]
    first = tg.grad(lecture_network_error(params[:8], params[8:]), params, create_graph=True)
    rows = [tg.grad(g, params, allow_unused=True) for g in first]
    hessian = np.array([[0.0 if h is None else h.item() for h in row] for row in rows])

    expected = torch.autograd.functional.hessian(
        lambda *ps: lecture_network_error(ps[:8], ps[8:]), tuple(torch_const(p) for p in start)
    )
    assert_agree(hessian, np.array([[float(h) for h in row] for row in expected]), "Hessian of E")


def test_grad_takes_an_array_as_the_single_outputs_seed():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    seed = cotangent_like(x.shape)
    value, tensor = value_leaf(x), torch_leaf(x)
    (actual,) = tg.grad(value.tanh(), value, grad_outputs=seed)
    (expected,) = torch.autograd.grad(tensor.tanh(), tensor, grad_outputs=torch_const(seed))
    assert_agree(actual, expected, "gradient")


BLOCKING_RULES = {
    "relu": (lambda v: v.relu(), torch.relu),
    "clip": (lambda v: v.clip(-1.0, 1.0), lambda t: torch.clamp(t, -1.0, 1.0)),
    "maximum": (lambda v: tg.maximum(v, 0.5), lambda t: torch.maximum(t, torch_const(0.5))),
    "minimum": (lambda v: tg.minimum(v, 0.5), lambda t: torch.minimum(t, torch_const(0.5))),
}


@pytest.mark.parametrize("name", list(BLOCKING_RULES))
def test_gradient_is_exactly_zero_where_the_unit_is_off_even_for_infinite_upstream(name):
    tg_fn, torch_fn = BLOCKING_RULES[name]
    x = np.array([-2.0, 0.25, 3.0])
    seed = np.array([np.inf, 1.0, -np.inf])
    value, tensor = value_leaf(x), torch_leaf(x)
    tg_fn(value).backward(seed)
    torch_fn(tensor).backward(torch_const(seed))
    assert_agree(value.grad, tensor.grad, "gradient")
