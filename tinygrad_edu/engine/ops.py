"""The primitive operations: each one's forward on raw numbers and its local derivatives.

Every operation has the same short shape (read any one and you can read them all)::

    class Tanh(Op):
        "y = tanh(x);  ∂y/∂x = 1 − y²"
        forward = staticmethod(...)           # raw data in, raw data out
        vjp = (lambda g, y, x: g * (1 - y * y),)

``vjp`` holds one rule per input: given g = ∂E/∂y (the gradient arriving at the output), the output y
and the inputs, it returns ∂E/∂input = g · ∂y/∂input — the vector-Jacobian product, i.e. one factor of
the chain rule. The rules are written with ordinary arithmetic and the helpers at the end of this file,
which work on raw numbers *and* on Values. So the same rule serves twice: on numbers in an ordinary
``backward`` (fast, builds nothing), and on Values under ``grad(..., create_graph=True)``, where it
records a new graph that can itself be differentiated (second derivatives, Hessian-vector products).

Rules receive each input's numbers in an ordinary backward, and the inputs themselves (Values, or the
constants — floats, arrays — that need no gradient) under ``create_graph=True``. Where numpy broadcast
an input, its rule sums the gradient back to the input's shape (:func:`unbroadcast`). Masks (where is
x > 0? which element is the max?) are read from the data and treated as constants, as PyTorch does.

Operations are grouped as in early tinygrad: elementwise unary, elementwise binary, reductions,
movement (shape), and matmul.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np

from tinygrad_edu.engine.data import as_data
from tinygrad_edu.engine.value import Value, apply


class Op:
    """Base class of the primitive operations (never instantiated: a node refers to the class).

    ``vjp[i]`` is the rule for input i. An operation with many inputs may instead give ``vjp_all``,
    one function returning every input's gradient at once (one call instead of one per input); give
    each input its own array (or g itself, which the engine copies for a leaf): two leaves handed one
    fresh array would share it as their ``.grad``.
    """

    name: str = "op"
    vjp: Any = ()
    vjp_all: Callable[..., tuple[Any, ...]] | None = None

    @staticmethod
    def forward(*inputs: Any, **attrs: Any) -> Any:  # called as forward(*input_data, **node_attrs)
        raise NotImplementedError



def input_grad(op: type[Op], i: int, g: Any, y: Any, inputs: tuple[Any, ...], attrs: dict | None = None) -> Any:
    """∂E/∂inputs[i] = g · ∂y/∂inputs[i] by the operation's own rule (with g = 1: the local derivative)."""
    if op.vjp_all is not None:
        return op.vjp_all(g, y, *inputs, **(attrs or {}))[i]
    return op.vjp[i](g, y, *inputs, **(attrs or {}))


# ====================================================================== helpers on raw data or Values
def data_of(x: Any) -> Any:
    """The raw numbers of a Value or a constant."""
    return x._data if isinstance(x, Value) else x


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of a Value, an array or a number (``()``)."""
    return x.shape if isinstance(x, (Value, np.ndarray)) else ()


def mask_like(condition: Any, x: Any) -> Any:
    """A 0/1 constant with x's dtype where condition holds (1.0 / 0.0 for Python scalars)."""
    xd = data_of(x)
    if not isinstance(xd, np.ndarray):
        return float(condition)
    return np.asarray(condition).astype(xd.dtype)


def keep_where(condition: Any, g: Any) -> Any:
    """g where condition holds, exactly 0 elsewhere — selected, not multiplied by a 0/1 mask, so an
    infinite or nan gradient does not leak through a unit that is off (0 · inf would be nan)."""
    if isinstance(g, Value):
        return where(np.broadcast_to(condition, g.shape), g, 0.0)
    if type(g) is float:
        return g if condition else 0.0
    kept = g * condition  # faster than np.where; wrong only where 0 · (inf or nan) made a nan
    if math.isnan(kept.sum()):
        kept = np.where(condition, g, np.zeros((), dtype=np.asarray(g).dtype))
    return as_data(kept)


def reshape(x: Any, new_shape: tuple[int, ...]) -> Any:
    """x in a new shape (Value → recorded Reshape, array → numpy)."""
    if isinstance(x, Value):
        return apply(Reshape, x, shape=tuple(new_shape))
    if shape_of(x) == tuple(new_shape):
        return x
    return as_data(x.reshape(new_shape) if isinstance(x, np.ndarray) else np.reshape(x, new_shape))


def transpose(x: Any, axes: tuple[int, ...]) -> Any:
    if isinstance(x, Value):
        return apply(Transpose, x, axes=tuple(axes))
    return x.transpose(axes) if isinstance(x, np.ndarray) else x  # a number has no axes to move


def broadcast_to(x: Any, new_shape: tuple[int, ...]) -> Any:
    if isinstance(x, Value):
        return x if x.shape == tuple(new_shape) else apply(BroadcastTo, x, shape=tuple(new_shape))
    if shape_of(x) == tuple(new_shape):
        return x
    return np.broadcast_to(x, new_shape)


def unbroadcast(g: Any, like: Any) -> Any:
    """Sum g over the axes numpy broadcast ``like`` along, so the result has ``like``'s shape.

    If y = f(x) used x broadcast to a bigger shape, every copy of x received a share of ∂E/∂y, and
    ∂E/∂x is the sum of the shares (the chain rule summed over all uses).
    """
    if type(g) is float:  # a float64 scalar output: its inputs were float64 scalars too
        return g
    target = shape_of(like)
    g_shape = shape_of(g)
    if g_shape != target:
        lead = len(g_shape) - len(target)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(target) if n == 1 and g_shape[lead + i] != 1
        )
        g = g.sum(axis=axes, keepdims=True) if axes else g
        g = reshape(g, target)
    if not isinstance(g, Value):
        like_dtype = data_of(like).dtype if isinstance(data_of(like), np.ndarray) else np.dtype(np.float64)
        if isinstance(g, np.ndarray) and g.dtype != like_dtype:
            g = as_data(g.astype(like_dtype))
        elif isinstance(g, np.generic):
            g = as_data(np.asarray(g, dtype=like_dtype))
    return g


def exp(x: Any) -> Any:
    return apply(Exp, x) if isinstance(x, Value) else Exp.forward(x)


def log(x: Any) -> Any:
    return apply(Log, x) if isinstance(x, Value) else Log.forward(x)


def power(a: Any, b: Any) -> Any:
    if isinstance(a, Value) or isinstance(b, Value):
        return apply(Pow, a, b)
    return Pow.forward(a, b)


def divide(a: Any, b: Any) -> Any:
    """a / b on Values or numbers. Numbers are divided as numpy divides (±inf or nan, with numpy's
    warning, where b = 0), so a float64 scalar's rule gives what an array's would, never Python's
    ZeroDivisionError."""
    if isinstance(a, Value) or isinstance(b, Value):
        return a / b
    return _divide(a, b)


def where(condition: Any, a: Any, b: Any) -> Any:
    """Elementwise choice: a where condition holds, else b (condition is never differentiated)."""
    if isinstance(a, Value) or isinstance(b, Value):
        return apply(Where, a, b, condition=np.asarray(data_of(condition), dtype=bool))
    return as_data(np.where(condition, a, b))


def getitem(x: Any, index: Any) -> Any:
    if isinstance(x, Value):
        return apply(GetItem, x, index=normalize_index(index))
    return as_data(np.asarray(x)[index])


def scatter_add(g: Any, index: Any, into_shape: tuple[int, ...]) -> Any:
    if isinstance(g, Value):
        return apply(ScatterAdd, g, index=index, shape=into_shape)
    return ScatterAdd.forward(g, index=index, shape=into_shape)


def clip(x: Any, min: float | None = None, max: float | None = None) -> Value:  # noqa: A002
    """Clamp x into [min, max] (either bound may be None, not both)."""
    if min is None and max is None:
        raise ValueError("clip: give min, max or both")
    try:
        lo = None if min is None else float(min)
        hi = None if max is None else float(max)
    except (TypeError, ValueError):
        raise TypeError(f"clip: min and max must be numbers or None, got {min!r} and {max!r}") from None
    return apply(Clip, x, min=lo, max=hi)


@overload
def normalize_axis(axis: None, ndim: int, op: str, unique: bool = True) -> None: ...
@overload
def normalize_axis(
    axis: int | np.integer | Sequence[int], ndim: int, op: str, unique: bool = True
) -> tuple[int, ...]: ...
def normalize_axis(
    axis: int | np.integer | Sequence[int] | None, ndim: int, op: str, unique: bool = True
) -> tuple[int, ...] | None:
    """Axis argument → tuple of non-negative ints (None stays None: all axes)."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1) or ndim == 0:
            raise ValueError(f"{op}: axis {a} is out of range for a Value with {ndim} dimension(s)")
        result.append(int(a) % ndim)
    if unique and len(set(result)) != len(result):
        raise ValueError(f"{op}: axis {axis!r} repeats an axis")
    return tuple(result)


def normalize_index(index: Any) -> Any:
    """Index with Values and lists replaced by integer / boolean numpy arrays."""
    if isinstance(index, tuple):
        return tuple(normalize_index(i) for i in index)
    if isinstance(index, Value):
        raise TypeError(
            "index: use a list or numpy array of ints (positions) or bools (a mask), not a Value — a Value "
            "holds floats, so it cannot say which of the two it means"
        )
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind == "f":
        if not np.all(index == np.round(index)):
            raise IndexError(f"index holds non-integer numbers: {index}")
        index = index.astype(np.intp)
    if isinstance(index, np.ndarray):
        index = index.copy()  # backward reads it later: the caller may change theirs meanwhile
    return index


def _kept_shape(x_shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """x's shape with the reduced axes kept as length 1."""
    if axis is None:
        return (1,) * len(x_shape)
    return tuple(1 if i in axis else n for i, n in enumerate(x_shape))


def _unreduce(g: Any, x: Any, axis: tuple[int, ...] | None) -> Any:
    """Spread a reduction's gradient back over the reduced axes: reshape, then broadcast."""
    return broadcast_to(reshape(g, _kept_shape(shape_of(x), axis)), shape_of(x))


# ====================================================================== elementwise, one input
class Neg(Op):
    """y = −x;  ∂y/∂x = −1."""

    name = "neg"
    forward = staticmethod(lambda x: -x)
    vjp = (lambda g, y, x: -g,)


class Abs(Op):
    """y = |x|;  ∂y/∂x = sign(x), 0 at x = 0."""

    name = "abs"
    forward = staticmethod(lambda x: abs(x) if type(x) is float else np.abs(x))
    vjp = (lambda g, y, x: g * mask_like(np.sign(data_of(x)), x),)


def _exp(x: Any) -> Any:
    if type(x) is float and x < 709.0:
        return math.exp(x)
    return np.exp(x)


class Exp(Op):
    """y = eˣ;  ∂y/∂x = eˣ = y."""

    name = "exp"
    forward = staticmethod(_exp)
    vjp = (lambda g, y, x: g * y,)


class Log(Op):
    """y = ln x;  ∂y/∂x = 1/x.  ln of a negative number is nan, ln 0 is −inf (numpy warns)."""

    name = "log"
    forward = staticmethod(lambda x: math.log(x) if type(x) is float and x > 0.0 else np.log(x))
    vjp = (lambda g, y, x: divide(g, x),)


class Sqrt(Op):
    """y = √x;  ∂y/∂x = 1/(2√x) = 1/(2y).  √ of a negative number is nan (numpy warns)."""

    name = "sqrt"
    forward = staticmethod(lambda x: math.sqrt(x) if type(x) is float and x >= 0.0 else np.sqrt(x))
    vjp = (lambda g, y, x: divide(g, 2.0 * y),)


class Tanh(Op):
    """y = tanh x;  ∂y/∂x = 1 − y²."""

    name = "tanh"
    forward = staticmethod(lambda x: math.tanh(x) if type(x) is float else np.tanh(x))
    vjp = (lambda g, y, x: g * (1.0 - y * y),)


def _sigmoid(x: Any) -> Any:
    """σ(x) = 1/(1 + e⁻ˣ) for x ≥ 0 and eˣ/(1 + eˣ) for x < 0: neither form can overflow."""
    if type(x) is float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


class Sigmoid(Op):
    """y = σ(x) = 1/(1 + e⁻ˣ);  ∂y/∂x = σ(x)(1 − σ(x)) = y(1 − y)."""

    name = "sigmoid"
    forward = staticmethod(_sigmoid)
    vjp = (lambda g, y, x: g * (y * (1.0 - y)),)


def sigmoid(x: Any) -> Any:
    return apply(Sigmoid, x) if isinstance(x, Value) else _sigmoid(x)


def _softplus(x: Any) -> Any:
    """log(1 + eˣ) as numpy's logaddexp(0, x), which takes log1p of e^−|x|."""
    return np.logaddexp(0.0, x)


def softplus(x: Any) -> Any:
    return apply(Softplus, x) if isinstance(x, Value) else _softplus(x)


class Softplus(Op):
    """y = log(1 + eˣ);  ∂y/∂x = eˣ/(1 + eˣ) = σ(x).

    Computed as numpy's logaddexp(0, x), which takes log1p of e^−|x|: no overflow for large x, and no
    digits lost for very negative x, where y ≈ eˣ (log(1 + tiny) would round to 0).
    """

    name = "softplus"
    forward = staticmethod(_softplus)
    vjp = (lambda g, y, x: g * sigmoid(x),)


class ReLU(Op):
    """y = max(0, x);  ∂y/∂x = 1 for x > 0, else 0 (also at 0, as PyTorch)."""

    name = "relu"
    forward = staticmethod(lambda x: (0.0 if x < 0.0 else x) if type(x) is float else np.maximum(x, 0))
    vjp = (lambda g, y, x: keep_where(data_of(x) > 0, g),)


class LeakyReLU(Op):
    """y = x for x > 0, else s·x;  ∂y/∂x = 1 for x > 0, else s (s = negative_slope)."""

    name = "leaky_relu"

    @staticmethod
    def forward(x: Any, negative_slope: float) -> Any:
        if type(x) is float:
            return x if x > 0.0 else negative_slope * x
        return np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)

    vjp = (
        lambda g, y, x, negative_slope: g
        * mask_like(np.where(data_of(x) > 0, 1.0, negative_slope), x),
    )


class Step(Op):
    """y = 1 if x ≥ 0 else 0 (the perceptron's threshold);  ∂y/∂x = 0 everywhere it exists."""

    name = "step"
    forward = staticmethod(lambda x: (1.0 if x >= 0.0 else 0.0) if type(x) is float else (x >= 0).astype(x.dtype))
    vjp = (lambda g, y, x: keep_where(np.zeros(np.shape(data_of(x)), dtype=bool), g),)


class Clip(Op):
    """y = min(max(x, lo), hi);  ∂y/∂x = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's clamp)."""

    name = "clip"

    @staticmethod
    def forward(x: Any, min: float | None, max: float | None) -> Any:  # noqa: A002
        if type(x) is float:
            if x != x:  # nan stays nan, as numpy's clip and PyTorch's clamp keep it
                return x
            lo = x if min is None else (x if x > min else min)
            return lo if max is None else (lo if lo < max else max)
        return np.clip(x, min, max).astype(x.dtype, copy=False)

    @staticmethod
    def _inside(x: Any, min: float | None, max: float | None) -> Any:  # noqa: A002
        xd = data_of(x)
        inside = np.ones(np.shape(xd), dtype=bool)
        if min is not None:
            inside &= xd >= min
        if max is not None:
            inside &= xd <= max
        return inside if isinstance(xd, np.ndarray) else bool(inside)

    vjp = (lambda g, y, x, min, max: keep_where(Clip._inside(x, min, max), g),)


# ====================================================================== elementwise, two inputs (broadcasting)
class Add(Op):
    """y = a + b;  ∂y/∂a = 1, ∂y/∂b = 1."""

    name = "+"
    forward = staticmethod(lambda a, b: a + b)
    vjp = (lambda g, y, a, b: unbroadcast(g, a), lambda g, y, a, b: unbroadcast(g, b))


class Sub(Op):
    """y = a − b;  ∂y/∂a = 1, ∂y/∂b = −1."""

    name = "-"
    forward = staticmethod(lambda a, b: a - b)
    vjp = (lambda g, y, a, b: unbroadcast(g, a), lambda g, y, a, b: unbroadcast(-g, b))


class Mul(Op):
    """y = a · b;  ∂y/∂a = b, ∂y/∂b = a."""

    name = "*"
    forward = staticmethod(lambda a, b: a * b)
    vjp = (lambda g, y, a, b: unbroadcast(g * b, a), lambda g, y, a, b: unbroadcast(g * a, b))


def _divide(a: Any, b: Any) -> Any:
    if type(b) is float and b != 0.0 and type(a) is float:
        return a / b
    return np.divide(a, b)  # x/0 gives ±inf or nan with numpy's warning, never an exception


class Div(Op):
    """y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b."""

    name = "/"
    forward = staticmethod(_divide)
    vjp = (lambda g, y, a, b: unbroadcast(divide(g, b), a), lambda g, y, a, b: unbroadcast(divide(-g * y, b), b))


def _power(a: Any, b: Any) -> Any:
    if type(a) is float and type(b) is float and a > 0.0:
        try:
            return a**b
        except OverflowError:
            return math.inf
    return np.power(a, b)  # negative base, fractional exponent → nan (numpy warns), as PyTorch


def _pow_grad_base(g: Any, y: Any, a: Any, b: Any) -> Any:
    """∂(aᵇ)/∂a = b·aᵇ⁻¹, taken as 0 where b = 0 (so 0⁰ has gradient 0, as PyTorch).

    Where b = 0 the base is set to 1 before aᵇ⁻¹ is taken, so 0⁻¹ = inf (and numpy's warning) never
    arises; this case comes up in every third derivative of x², through the rule's own aᵇ⁻¹ term."""
    exponent_is_zero = data_of(b) == 0
    if not np.any(exponent_is_zero):
        return unbroadcast(g * (b * power(a, b - 1.0)), a)
    safe_a = where(exponent_is_zero, 1.0, a)
    return unbroadcast(g * where(exponent_is_zero, 0.0, b * power(safe_a, b - 1.0)), a)


def _pow_grad_exponent(g: Any, y: Any, a: Any, b: Any) -> Any:
    """∂(aᵇ)/∂b = aᵇ·ln a, taken as 0 where a = 0 and b ≥ 0 (as PyTorch)."""
    ad, bd = data_of(a), data_of(b)
    zero_base = np.logical_and(ad == 0, bd >= 0)
    safe_a = where(zero_base, 1.0, a) if np.any(zero_base) else a
    return unbroadcast(g * y * log(safe_a), b)


class Pow(Op):
    """y = aᵇ;  ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a."""

    name = "**"
    forward = staticmethod(_power)
    vjp = (_pow_grad_base, _pow_grad_exponent)


def _maximum_share(a: Any, b: Any) -> Any:
    """1 where a wins, ½ on a tie, 0 where it loses."""
    ad, bd = data_of(a), data_of(b)
    return np.where(ad > bd, 1.0, np.where(ad == bd, 0.5, 0.0))


def _share_of(g: Any, share: Any, y: Any) -> Any:
    """g × share where the share is positive, exactly 0 where it is 0."""
    return keep_where(share > 0, g) * mask_like(share, y)


class Maximum(Op):
    """y = max(a, b) elementwise; the gradient goes to the larger input, split evenly on a tie."""

    name = "maximum"
    forward = staticmethod(lambda a, b: np.maximum(a, b))
    vjp = (
        lambda g, y, a, b: unbroadcast(_share_of(g, _maximum_share(a, b), y), a),
        lambda g, y, a, b: unbroadcast(_share_of(g, _maximum_share(b, a), y), b),
    )


class Minimum(Op):
    """y = min(a, b) elementwise; the gradient goes to the smaller input, split evenly on a tie."""

    name = "minimum"
    forward = staticmethod(lambda a, b: np.minimum(a, b))
    vjp = (
        lambda g, y, a, b: unbroadcast(_share_of(g, _maximum_share(b, a), y), a),
        lambda g, y, a, b: unbroadcast(_share_of(g, _maximum_share(a, b), y), b),
    )


class Where(Op):
    """y = a where condition else b;  ∂y/∂a = condition, ∂y/∂b = not condition."""

    name = "where"
    forward = staticmethod(lambda a, b, condition: np.where(condition, a, b))
    vjp = (
        lambda g, y, a, b, condition: unbroadcast(where(condition, g, 0.0), a),
        lambda g, y, a, b, condition: unbroadcast(where(condition, 0.0, g), b),
    )


# ====================================================================== reductions
class Sum(Op):
    """y = Σ x over axis;  ∂y/∂xᵢ = 1, so g is copied back to every summed element."""

    name = "sum"
    forward = staticmethod(lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims))
    vjp = (lambda g, y, x, axis, keepdims: _unreduce(g, x, axis),)


def _extreme_share(y: Any, x: Any, axis: tuple[int, ...] | None) -> Any:
    """1/k at each of the k elements equal to the reduced extreme, 0 elsewhere."""
    xd = np.asarray(data_of(x))
    hits = xd == np.reshape(data_of(y), _kept_shape(xd.shape, axis))
    return mask_like(hits / np.sum(hits, axis=axis, keepdims=True), x)


def _extreme_grad(g: Any, y: Any, x: Any, axis: tuple[int, ...] | None) -> Any:
    """g spread back and shared among the tied extremes; exactly 0 elsewhere (selected, not 0·g)."""
    share = _extreme_share(y, x, axis)
    return keep_where(np.asarray(share) > 0, _unreduce(g, x, axis)) * share


class Max(Op):
    """y = max x over axis;  ∂y/∂xᵢ = 1/k for each of the k elements tied at the max, else 0."""

    name = "max"
    forward = staticmethod(lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims))
    vjp = (lambda g, y, x, axis, keepdims: _extreme_grad(g, y, x, axis),)


class Min(Op):
    """y = min x over axis;  ∂y/∂xᵢ = 1/k for each of the k elements tied at the min, else 0."""

    name = "min"
    forward = staticmethod(lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims))
    vjp = (lambda g, y, x, axis, keepdims: _extreme_grad(g, y, x, axis),)


def _logsumexp(x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """m + log Σ e^(x − m), m = max x (a finite stand-in when the max is ±inf)."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


class LogSumExp(Op):
    """y = log Σ eˣ over axis;  ∂y/∂xᵢ = e^(xᵢ − y) = softmax(x)ᵢ."""

    name = "logsumexp"
    forward = staticmethod(_logsumexp)
    vjp = (lambda g, y, x, axis, keepdims: _unreduce(g, x, axis) * exp(x - _unreduce(y, x, axis)),)


def _softmax(x: Any, axis: int) -> Any:
    e = np.exp(x - x.max(axis=axis, keepdims=True))  # array methods: less call overhead than np.max
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Softmax(Op):
    """yᵢ = e^xᵢ / Σⱼ e^xⱼ along axis;  ∂E/∂xᵢ = yᵢ (gᵢ − Σⱼ gⱼ yⱼ)."""

    name = "softmax"
    forward = staticmethod(_softmax)
    vjp = (lambda g, y, x, axis: y * (g - (g * y).sum(axis=axis, keepdims=True)),)


def _log_softmax(x: Any, axis: int) -> Any:
    """(x − m) − log Σ e^(x − m), m = max x: the shift is taken first, so no digit is lost when |x| is large
    (x − (m + log Σ …) cancels them: at |x| ≈ 10¹⁶ every result would read 0)."""
    m = np.max(x, axis=axis, keepdims=True)
    shifted = x - np.where(np.isfinite(m), m, 0.0)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class LogSoftmax(Op):
    """yᵢ = xᵢ − log Σⱼ e^xⱼ along axis;  ∂E/∂xᵢ = gᵢ − softmax(x)ᵢ Σⱼ gⱼ."""

    name = "log_softmax"
    forward = staticmethod(_log_softmax)
    vjp = (lambda g, y, x, axis: g - exp(y) * g.sum(axis=axis, keepdims=True),)


# ====================================================================== movement (shape only)
class Reshape(Op):
    """Same numbers, new shape; the gradient is reshaped back."""

    name = "reshape"
    forward = staticmethod(lambda x, shape: np.reshape(x, shape))
    vjp = (lambda g, y, x, shape: reshape(g, shape_of(x)),)


class Transpose(Op):
    """Axes permuted; the gradient is permuted back by the inverse permutation."""

    name = "transpose"
    forward = staticmethod(lambda x, axes: np.transpose(x, axes))
    vjp = (lambda g, y, x, axes: transpose(g, tuple(np.argsort(axes))),)


class BroadcastTo(Op):
    """x copied along new or length-1 axes; the gradient sums the copies."""

    name = "broadcast_to"
    forward = staticmethod(lambda x, shape: np.array(np.broadcast_to(x, shape)))
    vjp = (lambda g, y, x, shape: unbroadcast(g, x),)


class GetItem(Op):
    """y = x[index] (basic, integer-array or boolean-mask indexing);  the gradient is scattered back into zeros,
    adding up where an index repeats."""

    name = "getitem"
    forward = staticmethod(lambda x, index: np.array(np.asarray(x)[index]))
    vjp = (lambda g, y, x, index: scatter_add(g, index, shape_of(x)),)


class ScatterAdd(Op):
    """y = zeros(shape) with g added at index (repeats accumulate): the adjoint of GetItem."""

    name = "scatter_add"

    @staticmethod
    def forward(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
        out = np.zeros(shape, dtype=g.dtype if isinstance(g, np.ndarray) else np.float64)
        np.add.at(out, index, g)
        return out

    vjp = (lambda g, y, x, index, shape: getitem(g, index),)


class _SliceOfGradient:
    """The i-th rule of Concat: input i's gradient is g's slice along the joined axis."""

    def __init__(self, i: int) -> None:
        self.i = i

    def __call__(self, g: Any, y: Any, *inputs: Any, axis: int) -> Any:
        start = sum(shape_of(x)[axis] for x in inputs[: self.i])
        index = (slice(None),) * axis + (slice(start, start + shape_of(inputs[self.i])[axis]),)
        return getitem(g, index)


class _SliceRules:
    """Concat takes any number of inputs, so its rules are made on demand: ``vjp[i]``."""

    def __getitem__(self, i: int) -> _SliceOfGradient:
        return _SliceOfGradient(i)


class Concat(Op):
    """y = inputs joined along axis;  each input's gradient is its own slice of g."""

    name = "concat"
    forward = staticmethod(lambda *xs, axis: np.concatenate(xs, axis=axis))
    vjp = _SliceRules()


def _weighted_sum(bias: Any, *terms: Any) -> Any:
    """b + w₁x₁ + w₂x₂ + … + wₙxₙ for inputs laid out as (b, w₁ … wₙ, x₁ … xₙ), added left to right."""
    n = len(terms) // 2
    total = bias
    for i in range(n):
        total = total + terms[i] * terms[n + i]
    return total


def _weighted_sum_grads(g: Any, y: Any, bias: Any, *terms: Any) -> tuple[Any, ...]:
    """(∂E/∂b, ∂E/∂w₁ … ∂E/∂wₙ, ∂E/∂x₁ … ∂E/∂xₙ) = (g, g·x₁ … g·xₙ, g·w₁ … g·wₙ)."""
    n = len(terms) // 2
    weights, inputs = terms[:n], terms[n:]
    return (g, *[g * x for x in inputs], *[g * w for w in weights])


class WeightedSum(Op):
    """net = b + Σᵢ wᵢxᵢ, a scalar neuron's net input as one node;
    ∂net/∂b = 1,  ∂net/∂wᵢ = xᵢ,  ∂net/∂xᵢ = wᵢ.

    Built from ``*`` and ``+`` a neuron with n inputs makes 2n nodes; this makes one, with the same
    number (the same additions in the same order), and every weight is still its own input.
    """

    name = "Σwx+b"
    forward = staticmethod(_weighted_sum)
    vjp_all = staticmethod(_weighted_sum_grads)


# ====================================================================== matmul
def _as_matrices(g: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    """Lift 1-D operands of a @ b to matrices (numpy's rule) and g to the matching shape."""
    if len(shape_of(a)) == 1:
        a = reshape(a, (1, shape_of(a)[0]))
    if len(shape_of(b)) == 1:
        b = reshape(b, (shape_of(b)[0], 1))
    batch = np.broadcast_shapes(shape_of(a)[:-2], shape_of(b)[:-2])
    g = reshape(g, batch + (shape_of(a)[-2], shape_of(b)[-1]))
    return g, a, b


def _swap_last(x: Any) -> Any:
    axes = tuple(range(len(shape_of(x)) - 2)) + (len(shape_of(x)) - 1, len(shape_of(x)) - 2)
    return transpose(x, axes)


def _matmul_grad_a(g: Any, y: Any, a: Any, b: Any) -> Any:
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:  # the common case: G @ Bᵀ directly
        return unbroadcast(g @ transpose(b, (1, 0)), a)
    g2, a2, b2 = _as_matrices(g, a, b)
    return reshape(unbroadcast(g2 @ _swap_last(b2), a2), shape_of(a))


def _matmul_grad_b(g: Any, y: Any, a: Any, b: Any) -> Any:
    if len(shape_of(a)) == 2 and len(shape_of(b)) == 2:  # the common case: Aᵀ @ G directly
        return unbroadcast(transpose(a, (1, 0)) @ g, b)
    g2, a2, b2 = _as_matrices(g, a, b)
    return reshape(unbroadcast(_swap_last(a2) @ g2, b2), shape_of(b))


def _matmul(a: Any, b: Any) -> Any:
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {sa} and {sb}")
    inner_a = sa[-1]
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: shapes {sa} and {sb} do not align: inner dimensions {inner_a} and {inner_b} differ"
        )
    return np.matmul(a, b)


class MatMul(Op):
    """Y = A @ B;  ∂E/∂A = G @ Bᵀ,  ∂E/∂B = Aᵀ @ G  (numpy's rules for 1-D and batched operands)."""

    name = "@"
    forward = staticmethod(_matmul)
    vjp = (_matmul_grad_a, _matmul_grad_b)


# ====================================================================== layers fused for speed
def _linear(x: Any, weight: Any, bias: Any = None) -> Any:
    if type(weight) is not np.ndarray or weight.ndim != 2:  # matmul would accept a 1-d or 3-d weight
        raise _misfit(x, weight)
    try:
        y = np.matmul(x, weight.T)  # refuses an x whose last dimension is not in_features
    except ValueError:
        raise _misfit(x, weight) from None
    if bias is not None:
        y += bias
    return y


def _misfit(x: Any, weight: Any) -> ValueError:
    return ValueError(
        f"linear: input of shape {shape_of(x)} does not fit weight of shape {shape_of(weight)}: "
        f"the input's last dimension must equal the weight's in_features (its dimension 1)"
    )


def _linear_grad_input(g: Any, y: Any, x: Any, weight: Any, bias: Any = None) -> Any:
    # G of shape (..., out) times W of shape (out, in) has x's shape (..., in) already
    return g @ weight


def _linear_grad_weight(g: Any, y: Any, x: Any, weight: Any, bias: Any = None) -> Any:
    if x.ndim == 2:  # a batch of rows: Gᵀ x directly
        return g.T @ x if type(g) is np.ndarray else transpose(g, (1, 0)) @ x
    out_features, in_features = shape_of(weight)
    g2, x2 = reshape(g, (-1, out_features)), reshape(x, (-1, in_features))
    return unbroadcast(transpose(g2, (1, 0)) @ x2, weight)


def _linear_grad_bias(g: Any, y: Any, x: Any, weight: Any, bias: Any = None) -> Any:
    if len(shape_of(g)) == 2 and len(shape_of(bias)) == 1:  # a batch of rows, a bias vector: Σ over the batch
        return g.sum(axis=0)
    return unbroadcast(g, bias)


class Linear(Op):
    """y = x Wᵀ + b (PyTorch's ``linear``; W has shape (out, in));
    ∂E/∂x = G W,  ∂E/∂W = Gᵀ x (summed over the batch),  ∂E/∂b = Σ_batch G.

    One node instead of three (transpose, matmul, add) keeps a tensor layer's graph small and fast.
    """

    name = "linear"
    forward = staticmethod(_linear)
    vjp = (_linear_grad_input, _linear_grad_weight, _linear_grad_bias)


LOG_FLOOR = -100.0  # PyTorch clamps log p and log(1 − p) at −100 in binary_cross_entropy
# PyTorch's floor for p(1 − p) in binary_cross_entropy's gradient: 1e-12 as its CPU kernel stores it, in single
# precision (9.99999996e-13), so that clamped gradients agree with PyTorch's to the last digit
BCE_EPSILON = float(np.float32(1e-12))


def _floored_log(x: Any) -> Any:
    """max(ln x, −100) on numbers: finite at x = 0 (e⁻¹⁰⁰ is the least argument taken, so no warning)."""
    return np.maximum(np.log(np.maximum(x, math.exp(LOG_FLOOR))), LOG_FLOOR)


def _binary_cross_entropy(p: Any, t: Any) -> Any:
    return -t * _floored_log(p) - (1.0 - t) * _floored_log(1.0 - p)  # (written so, p = t = 0 gives 0.0, not −0.0)


def _bce_grad_input(g: Any, y: Any, p: Any, t: Any) -> Any:
    """g · (p − t) / max(p(1 − p), 10⁻¹²): the unclamped loss's derivative, kept finite (PyTorch's)."""
    spread = p * (1.0 - p)
    return unbroadcast(g * (p - t) / where(data_of(spread) < BCE_EPSILON, BCE_EPSILON, spread), p)


def _bce_grad_target(g: Any, y: Any, p: Any, t: Any) -> Any:
    """g · (ln(1 − p) − ln p) = −g · logit(p), unclamped as in PyTorch (±inf where p is 1 or 0)."""
    return unbroadcast(g * (log(1.0 - p) - log(p)), t)


class BinaryCrossEntropy(Op):
    """E = −[t·max(ln p, −100) + (1 − t)·max(ln(1 − p), −100)] elementwise, for probabilities p and
    targets t (PyTorch's ``binary_cross_entropy`` before its reduction);
    ∂E/∂p = (p − t) / max(p(1 − p), 10⁻¹²),  ∂E/∂t = ln(1 − p) − ln p.

    One node, so that ∂E/∂p is PyTorch's: differentiating the clamped logs instead would give 0 where
    a log is clamped (no signal for the worst predictions, p = 0 with t = 1) and huge values just
    above the clamp.
    """

    name = "binary_cross_entropy"
    forward = staticmethod(_binary_cross_entropy)
    vjp = (_bce_grad_input, _bce_grad_target)


def _positive_weight(t: Any, pos_weight: Any) -> Any:
    """1 + (w₊ − 1)·t: the weight of softplus(−x) in the loss (1 where t = 0, w₊ where t = 1)."""
    return 1.0 if pos_weight is None else 1.0 + (pos_weight - 1.0) * t


def _bce_with_logits(x: Any, t: Any, pos_weight: Any = None) -> Any:
    return (1.0 - t) * x + _positive_weight(t, pos_weight) * _softplus(-x)


def _bce_with_logits_grad_input(g: Any, y: Any, x: Any, t: Any, pos_weight: Any = None) -> Any:
    """g · (σ(x) − t), or g · ((1 − t + w₊t)·σ(x) − w₊t) with a pos_weight (PyTorch's forms)."""
    if pos_weight is None:
        return unbroadcast(g * (sigmoid(x) - t), x)
    weighted_t = pos_weight * t
    return unbroadcast(g * ((weighted_t + 1.0 - t) * sigmoid(x) - weighted_t), x)


def _bce_with_logits_grad_target(g: Any, y: Any, x: Any, t: Any, pos_weight: Any = None) -> Any:
    """g · ((w₊ − 1)·softplus(−x) − x), which is g · (−x) without a pos_weight."""
    if pos_weight is None:
        return unbroadcast(g * -x, t)
    return unbroadcast(g * ((pos_weight - 1.0) * softplus(-x) - x), t)


class BinaryCrossEntropyWithLogits(Op):
    """E = −[w₊t·log σ(x) + (1 − t)·log(1 − σ(x))] = (1 − t)·x + (1 + (w₊ − 1)t)·softplus(−x) elementwise,
    from logits x and targets t, with pos_weight w₊ (a setting; None for 1);
    ∂E/∂x = (1 − t + w₊t)·σ(x) − w₊t,  ∂E/∂t = (w₊ − 1)·softplus(−x) − x.

    One node, computed in PyTorch's form: no overflow, the digits of a tiny loss kept (t = 1, x = 40
    gives e⁻⁴⁰, not 0), and the gradient evaluated as PyTorch evaluates it.
    """

    name = "binary_cross_entropy_with_logits"
    forward = staticmethod(_bce_with_logits)
    vjp = (_bce_with_logits_grad_input, _bce_with_logits_grad_target)


def _nll(log_probs: Any, targets: np.ndarray, reduction: str) -> Any:
    """−log p[target] per row, then the reduction."""
    if len(targets) == 0:
        raise ValueError("nll_loss: the batch is empty (0 rows): there is no loss to compute")
    picked = -np.take_along_axis(log_probs, targets[:, None], axis=1)[:, 0]
    if reduction == "none":
        return picked
    return np.sum(picked) if reduction == "sum" else np.mean(picked)


def _nll_grad(g: Any, y: Any, log_probs: Any, targets: np.ndarray, reduction: str) -> Any:
    """−1 (÷ N for the mean) at each row's target class, 0 elsewhere, times g."""
    n = shape_of(log_probs)[0]
    selector = np.zeros(shape_of(log_probs), dtype=data_of(log_probs).dtype)
    selector[np.arange(n), targets] = -1.0 / n if reduction == "mean" else -1.0
    if reduction == "none":
        return reshape(g, (n, 1)) * selector
    return g * selector


class NLLLoss(Op):
    """E = −Σᵢ log pᵢ[tᵢ] (÷ N for reduction="mean"): the negative log-likelihood of the target
    classes, given log-probabilities (rows of log_softmax);  ∂E/∂log pᵢⱼ = −1 (÷ N) where j = tᵢ, else 0."""

    name = "nll_loss"
    forward = staticmethod(_nll)
    vjp = (_nll_grad,)


def _target_sums(targets: np.ndarray) -> Any:
    """Σ_c y_c per row: 1 for class indices (a one-hot row), the row sums for probabilities."""
    return 1.0 if targets.ndim == 1 else targets.sum(axis=1)


def _target_logits(logits: Any, targets: np.ndarray) -> Any:
    """Σ_c y_c x_c per row: the target class's logit for class indices."""
    if targets.ndim == 1:
        return logits[np.arange(len(targets)), targets]
    return (logits * targets).sum(axis=1)


class SavedSoftmax:
    """The softmax probabilities a cross-entropy forward computed, kept for its backward.

    PyTorch's "saved tensors": the forward has just computed e^(x − m) and its row sums, and the
    gradient softmax(x) − y needs their quotient, so the forward stores it here (one division) and an
    ordinary backward takes it instead of recomputing max, shift, exp and sum. Give a fresh one to each
    call (``apply(CrossEntropy, x, ..., saved=SavedSoftmax())``); it belongs to that node, whose input
    numbers do not change. The first backward takes the array over (and changes it); a second backward
    finds it empty and recomputes softmax(x), with the same numbers.
    """

    __slots__ = ("probabilities",)

    def __init__(self) -> None:
        self.probabilities: np.ndarray | None = None

    @classmethod
    def if_used(cls, targets: np.ndarray, reduction: str) -> SavedSoftmax | None:
        """A fresh one where the backward takes it (class indices, a reduced loss), else None."""
        return cls() if targets.ndim == 1 and reduction != "none" else None


def _cross_entropy(logits: Any, targets: np.ndarray, reduction: str, saved: SavedSoftmax | None = None) -> Any:
    """Per row: −Σ_c y_c log softmax(x)_c = (Σ_c y_c)·logsumexp(x) − Σ_c y_c x_c, with every logit
    shifted by its row's max m first (the shift cancels between the two terms, and exp never overflows)."""
    if len(targets) == 0:
        raise ValueError("cross_entropy: the batch is empty (0 rows): there is no loss to compute")
    m = logits.max(axis=1, keepdims=True)
    finite = math.isfinite(m.sum())  # one reduction; a sum that overflows only takes the guarded path needlessly
    if not finite:
        m = np.where(np.isfinite(m), m, 0.0)
    shifted = logits - m
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    if saved is not None and finite:  # what softmax(x) would compute, with the same numbers
        exps /= sums
        saved.probabilities = exps
    log_sums = np.log(sums[:, 0])
    if targets.ndim == 1:  # class indices: Σ_c y_c = 1
        row_loss = log_sums - _target_logits(shifted, targets)
    else:
        row_loss = log_sums * _target_sums(targets) - _target_logits(shifted, targets)
    if reduction == "none":
        return row_loss
    total = row_loss.sum()
    return total if reduction == "sum" else total / len(row_loss)


def _softmax_of(x: Any, axis: int) -> Any:
    return apply(Softmax, x, axis=axis) if isinstance(x, Value) else _softmax(x, axis)


def _cross_entropy_grad(
    g: Any, y: Any, logits: Any, targets: np.ndarray, reduction: str, saved: SavedSoftmax | None = None
) -> Any:
    """(softmax(x)·Σ_c y_c − y) · g, with g spread over the rows (÷ N for the mean)."""
    n = shape_of(logits)[0]
    if targets.ndim == 1 and not isinstance(logits, Value) and reduction != "none":  # the training loop's case
        if saved is not None and saved.probabilities is not None:
            local, saved.probabilities = saved.probabilities, None  # taken, not copied: a second backward recomputes
        else:
            local = _softmax(logits, 1)
        local[np.arange(n), targets] -= 1.0
        local *= g / n if reduction == "mean" else g
        return local
    if targets.ndim == 1:  # class indices: subtract the one-hot rows
        one_hot = np.zeros(shape_of(logits), dtype=data_of(logits).dtype)
        one_hot[np.arange(n), targets] = 1.0
        local = _softmax_of(logits, 1) - one_hot
    else:
        local = _softmax_of(logits, 1) * targets.sum(axis=1, keepdims=True) - targets
    if reduction == "none":
        return local * reshape(g, (n, 1))
    return local * (g / n if reduction == "mean" else g)


class CrossEntropy(Op):
    """E = −Σᵢ Σ_c y_ic log softmax(xᵢ)_c (÷ N for reduction="mean") from logits x of shape (N, C) and
    targets y: class indices (N,) — one-hot rows — or probabilities (N, C);
    ∂E/∂xᵢ = softmax(xᵢ)·Σ_c y_ic − yᵢ.

    One node for log_softmax, the product with the targets and the reduction, computed stably. Settings:
    ``targets``, ``reduction`` and, optionally, ``saved``: a fresh :class:`SavedSoftmax` for the forward
    to leave softmax(x) in, so that the backward need not recompute it.
    """

    name = "cross_entropy"
    forward = staticmethod(_cross_entropy)
    vjp = (_cross_entropy_grad,)
