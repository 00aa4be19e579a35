"""``Value``: a number or an n-d array that remembers how it was computed.

Every arithmetic operation on Values returns a new Value whose ``_op`` names the primitive operation
(see :mod:`tinygrad_edu.engine.ops`) and whose ``parents`` are its inputs. That record *is* the
computation graph; :meth:`Value.backward` walks it in reverse to apply the chain rule.

Nodes are kept light on purpose: ``__slots__``, the first two inputs in slots of their own (a third and
further inputs, rare, in a tuple), a reference to the operation class and no closures. Every tuple less
per node is an object less for Python's cycle collector to walk while a big graph is built. A node
refers only to its inputs, never to its outputs, so a graph holds no reference cycles and is freed by
reference counting the moment its output is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.engine.data import as_data, dtype_of, shape_of, to_data
from tinygrad_edu.engine.mode import GRAD_MODE


class Value:
    """A node of the computation graph: data, gradient, and the operation that made it.

    ``Value(data, label="", requires_grad=True, dtype=None)`` takes a Python number, a nested list or
    a numpy array; data is float64 unless float32 is given (then float32 is kept).

    Gradients **accumulate**: each :meth:`backward` *adds* ∂output/∂self to ``.grad``, exactly as in
    PyTorch and micrograd, so reset them (``v.grad = 0`` or an optimizer's ``zero_grad()``) between
    training steps. ``.grad`` reads as zeros of ``data``'s shape until a backward reaches the Value.
    """

    __slots__ = ("_data", "_grad", "_op", "_a", "_b", "_more", "_attrs", "label", "requires_grad", "__weakref__")
    _data: float | np.ndarray  # a Python float for a float64 scalar, else an array (data.as_data's forms)

    # numpy must hand ``array + value`` over to Value.__radd__ instead of looping over the array
    __array_ufunc__ = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # backward's hot loop recognises nodes by ``type(x) is Value``; a subclass would be skipped
        raise TypeError(
            f"Value cannot be subclassed (tried: {cls.__name__}); wrap a Value in your own class instead"
        )

    def __init__(self, data: Any, label: str = "", requires_grad: bool = True, dtype: Any = None) -> None:
        if isinstance(data, Value):
            data = data._data
        self._data = to_data(data, dtype)
        self._grad: Any = None
        self._op: Any = None
        self._a: Any = None  # first input (None for a leaf)
        self._b: Any = None  # second input (None for one-input operations)
        self._more: tuple[Any, ...] | None = None  # third and further inputs
        self._attrs: dict[str, Any] | None = None
        self.label = label
        self.requires_grad = bool(requires_grad)

    # ------------------------------------------------------------------ data and gradient
    @property
    def data(self) -> Any:
        """The numbers: a ``float`` for a float64 scalar, else a ``numpy.ndarray``."""
        return self._data

    @data.setter
    def data(self, new: Any) -> None:
        if isinstance(new, Value):  # ``v.data = other`` takes other's numbers, as Value(other) does
            new = new._data
        if new is self._data:  # ``v.data -= step`` updated the array in place already
            return
        new_data = to_data(new, self.dtype, what="Value.data")
        if shape_of(new_data) != self.shape:
            raise ValueError(f"Value.data: new data has shape {shape_of(new_data)}, expected {self.shape}")
        self._data = new_data

    @property
    def grad(self) -> Any:
        """The sum of ∂output/∂self over every backward() that reached this Value since it was last
        reset (``v.grad = 0`` or ``None``); zeros of data's shape until a backward reaches it."""
        if self._grad is None:
            return 0.0 if type(self._data) is float else np.zeros_like(self._data)
        return self._grad

    @grad.setter
    def grad(self, new: Any) -> None:
        if new is None or (np.isscalar(new) and new == 0):
            self._grad = None  # micrograd's ``p.grad = 0`` and PyTorch's ``p.grad = None``
            return
        new_grad = to_data(new, self.dtype, what="Value.grad")
        if shape_of(new_grad) != self.shape:
            raise ValueError(f"Value.grad: gradient has shape {shape_of(new_grad)}, expected {self.shape}")
        self._grad = new_grad

    @property
    def has_grad(self) -> bool:
        """True once a backward pass has reached this Value (and it was not zeroed since)."""
        return self._grad is not None

    @property
    def shape(self) -> tuple[int, ...]:
        return shape_of(self._data)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        """The number of elements (1 for a scalar)."""
        return 1 if type(self._data) is float else self._data.size  # type: ignore[union-attr]

    @property
    def dtype(self) -> np.dtype:
        return dtype_of(self._data)

    @property
    def is_leaf(self) -> bool:
        """A Value the user made (not the result of a recorded operation)."""
        return self._op is None

    @property
    def op(self) -> Any:
        """The operation class that produced this Value, or ``None`` for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Any, ...]:
        """The operation's inputs: Values, or constants (numbers, arrays) used as they were."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._a,)
        if self._more is None:
            return (self._a, self._b)
        return (self._a, self._b, *self._more)

    @property
    def attrs(self) -> dict[str, Any]:
        """The operation's settings (axis, shape, index, ...)."""
        return dict(self._attrs or {})

    def item(self) -> float:
        """The single number held, as a Python float."""
        if type(self._data) is float:
            return self._data
        # _data is an array from here on; mypy cannot tell (it does not narrow ``type(x) is float``'s
        # other branch, float not being final), hence the ignores
        if self._data.size != 1:  # type: ignore[union-attr]
            raise ValueError(f"item(): Value of shape {self.shape} holds {self._data.size} numbers, not one")  # type: ignore[union-attr]
        return float(self._data.reshape(()))  # type: ignore[union-attr]

    def numpy(self) -> np.ndarray:
        """A copy of the data as a numpy array (0-d for scalars)."""
        return np.array(self._data, dtype=self.dtype)

    def detach(self) -> Value:
        """The same numbers as a new leaf that records nothing: no graph, no gradient. Like PyTorch's
        ``detach`` it shares the numbers' memory, so an in-place change of either shows in both."""
        return _leaf(self._data, requires_grad=False)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a scalar Value")
        return self.shape[0]

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        # right of ``or`` _data is an array; the ignore: mypy does not narrow ``type(x) is float``'s other branch
        if type(self._data) is float or self._data.size == 1:  # type: ignore[union-attr]
            return bool(self._data != 0.0)
        raise TypeError(
            f"the truth value of a Value of shape {self.shape} is ambiguous; compare .data instead"
        )

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        if type(self._data) is float or self.size == 1 and self.ndim == 0:
            grad = f"{float(self.grad):.6g}" if self._grad is not None else "0"
            return f"Value(data={float(self._data):.6g}, grad={grad}{label})"
        body = np.array2string(np.asarray(self._data), precision=4, threshold=20, separator=", ")
        dtype = "" if self.dtype == np.float64 else ", dtype=float32"
        return f"Value({body}{dtype}{label})"

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Value:
        return apply_binary(ops.Add, self, other)

    def __radd__(self, other: Any) -> Value:
        return apply_binary(ops.Add, other, self)

    def __sub__(self, other: Any) -> Value:
        return apply_binary(ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Value:
        return apply_binary(ops.Sub, other, self)

    def __mul__(self, other: Any) -> Value:
        return apply_binary(ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Value:
        return apply_binary(ops.Mul, other, self)

    def __truediv__(self, other: Any) -> Value:
        return apply_binary(ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        return apply_binary(ops.Div, other, self)

    def __pow__(self, exponent: Any) -> Value:
        return apply_binary(ops.Pow, self, exponent)

    def __rpow__(self, base: Any) -> Value:
        return apply_binary(ops.Pow, base, self)

    def __matmul__(self, other: Any) -> Value:
        return apply_binary(ops.MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Value:
        return apply_binary(ops.MatMul, other, self)

    def __neg__(self) -> Value:
        return apply_unary(ops.Neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply_unary(ops.Abs, self)

    # ------------------------------------------------------------------ elementwise functions
    def abs(self) -> Value:
        """|x|; gradient sign(x) (0 at 0, as PyTorch)."""
        return apply_unary(ops.Abs, self)

    def exp(self) -> Value:
        """eˣ."""
        return apply_unary(ops.Exp, self)

    def log(self) -> Value:
        """Natural log. Negative inputs give nan and zero gives −inf, with numpy's RuntimeWarning."""
        return apply_unary(ops.Log, self)

    def sqrt(self) -> Value:
        """√x. Negative inputs give nan with numpy's RuntimeWarning."""
        return apply_unary(ops.Sqrt, self)

    def tanh(self) -> Value:
        """tanh(x)."""
        return apply_unary(ops.Tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for large |x|."""
        return apply_unary(ops.Sigmoid, self)

    def relu(self) -> Value:
        """max(0, x); gradient 0 at x = 0 (PyTorch's choice)."""
        return apply_unary(ops.ReLU, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """x for x > 0, else negative_slope·x."""
        return apply(ops.LeakyReLU, self, negative_slope=float(negative_slope))

    def step(self) -> Value:
        """The perceptron's threshold unit: 1 where x ≥ 0 else 0; gradient 0."""
        return apply_unary(ops.Step, self)

    def clip(self, min: float | None = None, max: float | None = None) -> Value:  # noqa: A002
        """Clamp into [min, max]; gradient 1 inside (bounds included), 0 outside."""
        return ops.clip(self, min, max)

    clamp = clip

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
        """Σ over ``axis`` (all axes when None)."""
        return apply(ops.Sum, self, axis=ops.normalize_axis(axis, self.ndim, "sum"), keepdims=keepdims)

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
        """Σx / n over ``axis``."""
        axes = ops.normalize_axis(axis, self.ndim, "mean")
        count = int(np.prod([self.shape[a] for a in axes])) if axes is not None else self.size
        return self.sum(axis, keepdims) / float(count)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
        """Largest element over ``axis``. Where several elements tie for the maximum, the gradient
        is split evenly among them (each gets g / number of ties)."""
        return apply(ops.Max, self, axis=ops.normalize_axis(axis, self.ndim, "max"), keepdims=keepdims)

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
        """Smallest element over ``axis``; ties split the gradient evenly, as for :meth:`max`."""
        return apply(ops.Min, self, axis=ops.normalize_axis(axis, self.ndim, "min"), keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Value:
        """eˣⁱ / Σⱼ eˣʲ along ``axis`` (shifted by the max, so it never overflows)."""
        return apply(ops.Softmax, self, axis=_single_axis(axis, self.ndim, "softmax"))

    def log_softmax(self, axis: int = -1) -> Value:
        """xᵢ − log Σⱼ eˣʲ along ``axis``, computed stably."""
        return apply(ops.LogSoftmax, self, axis=_single_axis(axis, self.ndim, "log_softmax"))

    def logsumexp(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
        """log Σ eˣ over ``axis``, computed as m + log Σ eˣ⁻ᵐ with m the max (no overflow)."""
        axes = ops.normalize_axis(axis, self.ndim, "logsumexp")
        return apply(ops.LogSumExp, self, axis=axes, keepdims=keepdims)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Value:
        """Same numbers in a new shape (one dimension may be −1); numpy's ``reshape``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.reshape(self, tuple(int(s) for s in shape))

    def transpose(self, dim0: int | None = None, dim1: int | None = None) -> Value:
        """Swap two axes (PyTorch's ``transpose(dim0, dim1)``); with no arguments reverse all axes."""
        if dim0 is None and dim1 is None:
            axes = tuple(reversed(range(self.ndim)))
        elif dim0 is None or dim1 is None:
            raise TypeError("transpose: give both dim0 and dim1, or neither to reverse all axes")
        else:
            axes_list = list(range(self.ndim))
            d0, d1 = ops.normalize_axis((dim0, dim1), self.ndim, "transpose", unique=False)
            axes_list[d0], axes_list[d1] = axes_list[d1], axes_list[d0]
            axes = tuple(axes_list)
        return ops.transpose(self, axes)

    def permute(self, *dims: Any) -> Value:
        """Reorder the axes: ``x.permute(2, 0, 1)``."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        axes = ops.normalize_axis(dims, self.ndim, "permute")
        if axes is None or sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not a permutation of the {self.ndim} axes")
        return ops.transpose(self, axes)

    @property
    def T(self) -> Value:
        """All axes reversed (the matrix transpose for 2-D)."""
        return self.transpose()

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Value:
        """Merge axes start_dim..end_dim into one (PyTorch's ``flatten``)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = ops.normalize_axis((start_dim, end_dim), self.ndim, "flatten", unique=False)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def __getitem__(self, index: Any) -> Value:
        return ops.getitem(self, index)

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Any = None) -> None:
        """Add ∂self/∂v to ``v.grad`` for every Value v this one was computed from.

        For a scalar output the seed ∂self/∂self is 1. A non-scalar output needs ``gradient``, the
        vector in the vector-Jacobian product (an array of this Value's shape).
        """
        autograd.backward(self, gradient)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradient, so ``.grad`` reads as zeros again.

        ``set_to_none=True`` unsets it (``has_grad`` becomes False, as after ``v.grad = 0``);
        ``set_to_none=False`` keeps a gradient of zeros (an array is filled in place), as PyTorch's
        ``zero_grad(set_to_none=False)`` does, so an optimizer still takes its step (momentum) with it.
        """
        if set_to_none or self._grad is None:
            self._grad = None
        elif type(self._grad) is float:
            self._grad = 0.0
        elif self._op is None:
            self._grad.fill(0.0)  # a leaf owns its gradient array
        else:
            self._grad = np.zeros_like(self._grad)  # an intermediate's may be shared with another node


def _single_axis(axis: Any, ndim: int, op: str) -> int:
    """One axis as a non-negative int (softmax normalizes along one axis only)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be a single int (it normalizes along one axis), got {axis!r}")
    (single,) = ops.normalize_axis(axis, ndim, op) or (0,)
    return single


def _leaf(data: Any, requires_grad: bool = True, label: str = "") -> Value:
    """A new leaf around data that is already canonical (skips ``__init__``'s checks)."""
    node = Value.__new__(Value)
    node._data = data
    node._grad = None
    node._op = None
    node._a = node._b = node._more = None
    node._attrs = None
    node.label = label
    node.requires_grad = requires_grad
    return node


def constant(x: Any) -> Any:
    """An operand that is not a Value, made canonical: numbers become floats, arrays float arrays.

    Float arrays keep their dtype (so ``float32_value * array32`` stays float32); boolean and integer
    arrays become the float numpy promotes them to (``float32_value * mask`` stays float32 too).
    """
    if type(x) is float:
        return x
    if isinstance(x, (int, float, bool)) and not isinstance(x, np.generic):
        return float(x)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return as_data(x.copy())  # backward reads it later: the caller may change their array meanwhile
    if isinstance(x, np.ndarray) and x.dtype.kind in "biu":  # float32 for a mask or small ints, else float64
        return x.astype(np.result_type(x.dtype, np.float32))
    if isinstance(x, (list, tuple)) and _holds_a_value(x):
        raise TypeError(
            "operand: a list that holds Values is not one; join them into one Value first, e.g. "
            "tinygrad_edu.stack([a, b]) (gradients then flow to each)"
        )
    return to_data(x, what="operand")


def _holds_a_value(items: list | tuple) -> bool:
    return any(isinstance(i, Value) or isinstance(i, (list, tuple)) and _holds_a_value(i) for i in items)


def apply(op: Any, *args: Any, **attrs: Any) -> Value:
    """Run ``op.forward`` on the operands' data and record the result as a graph node.

    The node keeps its inputs (Values, and constants as they are) only when grad mode is on and some
    input requires a gradient; otherwise the result is a plain leaf and nothing is kept alive.
    """
    inputs, datas, tracked = [], [], False
    for arg in args:
        if type(arg) is Value:  # (Value cannot be subclassed, so this is isinstance, faster)
            datas.append(arg._data)
            tracked = tracked or arg.requires_grad
        else:
            arg = constant(arg)
            datas.append(arg)
        inputs.append(arg)
    try:
        out = op.forward(*datas, **attrs) if attrs else op.forward(*datas)
    except ValueError as err:
        raise _explain(op, datas, err) from None
    tracked = tracked and GRAD_MODE.enabled
    node = _node(as_data(out), op, inputs[0], inputs[1] if len(inputs) > 1 else None, tracked)
    if tracked and (len(inputs) > 2 or attrs):
        node._more = tuple(inputs[2:]) or None
        node._attrs = attrs or None
    return node


def apply_unary(op: Any, x: Value) -> Value:
    """``apply`` for a one-input operation without settings (the hot path of scalar networks)."""
    out = op.forward(x._data)
    if type(out) is not float:
        out = as_data(out)
    return _node(out, op, x, None, x.requires_grad and GRAD_MODE.enabled)


def apply_binary(op: Any, a: Any, b: Any) -> Value:
    """``apply`` for a two-input operation without settings (the hot path of scalar networks)."""
    if type(a) is Value:
        a_data = a._data
        tracked = a.requires_grad
    else:
        a = a_data = a if type(a) is float else constant(a)
        tracked = False
    if type(b) is Value:
        b_data = b._data
        tracked = tracked or b.requires_grad
    else:
        b = b_data = b if type(b) is float else constant(b)
    try:
        out = op.forward(a_data, b_data)
    except ValueError as err:
        raise _explain(op, [a_data, b_data], err) from None
    if type(out) is not float:
        out = as_data(out)
    return _node(out, op, a, b, tracked and GRAD_MODE.enabled)


_new_value = object.__new__  # Value(...) without __init__'s checks, for data already canonical


def _node(data: Any, op: Any, a: Any, b: Any, tracked: bool) -> Value:
    """A new Value; it remembers op and inputs only when it is ``tracked`` (part of a graph)."""
    node = _new_value(Value)
    node._data = data
    node._grad = node._more = node._attrs = None
    node.label = ""
    if tracked:
        node._op = op
        node._a = a
        node._b = b
        node.requires_grad = True
    else:
        node._op = node._a = node._b = None
        node.requires_grad = False
    return node


def _explain(op: Any, datas: list[Any], err: ValueError) -> ValueError:
    """numpy's complaint about shapes, prefixed with the operation and the operands' shapes."""
    if str(err).startswith(f"{op.name}:"):
        return err
    shapes = " and ".join(str(shape_of(d)) for d in datas)
    return ValueError(f"{op.name}: cannot apply to operands of shapes {shapes}: {err}")


def values_in(items: Iterable[Any]) -> list[Value]:
    """The Values among ``items`` (constants dropped)."""
    return [item for item in items if isinstance(item, Value)]


# imported last: both build on Value, and Value's methods call them
from tinygrad_edu.engine import autograd, ops  # noqa: E402
