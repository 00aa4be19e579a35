"""Function forms of the operations, for expressions that read like math: ``tanh(a * b + c)``.

Each accepts Values, numbers or arrays; the multi-input ones (concat, stack, where, maximum,
minimum) are only available here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.engine import ops
from tinygrad_edu.engine.value import Value, apply


def as_value(x: Any) -> Value:
    """x itself if it is a Value, else a constant Value (requires_grad=False) holding it."""
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def exp(x: Any) -> Value:
    """eˣ elementwise."""
    return as_value(x).exp()


def log(x: Any) -> Value:
    """ln x elementwise (nan for negatives, −inf at 0, with numpy's warning)."""
    return as_value(x).log()


def sqrt(x: Any) -> Value:
    """√x elementwise (nan for negatives, with numpy's warning)."""
    return as_value(x).sqrt()


def tanh(x: Any) -> Value:
    """tanh x elementwise."""
    return as_value(x).tanh()


def sigmoid(x: Any) -> Value:
    """σ(x) = 1/(1 + e⁻ˣ) elementwise, stable for large |x|."""
    return as_value(x).sigmoid()


def relu(x: Any) -> Value:
    """max(0, x) elementwise."""
    return as_value(x).relu()


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Value:
    """x for x > 0, else negative_slope · x."""
    return as_value(x).leaky_relu(negative_slope)


def step(x: Any) -> Value:
    """1 where x ≥ 0 else 0 (gradient 0)."""
    return as_value(x).step()


def clip(x: Any, min: float | None = None, max: float | None = None) -> Value:  # noqa: A002
    """Clamp into [min, max]."""
    return ops.clip(as_value(x), min, max)


def softmax(x: Any, axis: int = -1) -> Value:
    """e^xᵢ / Σⱼ e^xⱼ along axis."""
    return as_value(x).softmax(axis)


def log_softmax(x: Any, axis: int = -1) -> Value:
    """xᵢ − log Σⱼ e^xⱼ along axis."""
    return as_value(x).log_softmax(axis)


def logsumexp(x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Value:
    """log Σ eˣ over axis, stable."""
    return as_value(x).logsumexp(axis, keepdims)


def maximum(a: Any, b: Any) -> Value:
    """Elementwise max(a, b) with broadcasting; on a tie each side gets half the gradient."""
    return apply(ops.Maximum, as_value(a), b)


def minimum(a: Any, b: Any) -> Value:
    """Elementwise min(a, b) with broadcasting; on a tie each side gets half the gradient."""
    return apply(ops.Minimum, as_value(a), b)


def where(condition: Any, a: Any, b: Any) -> Value:
    """a where condition is true, else b (broadcasting); condition is a boolean array (or list)."""
    cond = np.array(condition.data if isinstance(condition, Value) else condition)  # a copy: kept for backward
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be boolean (e.g. x.data > 0), got dtype {cond.dtype}")
    return apply(ops.Where, as_value(a), b, condition=cond)


def concat(values: Sequence[Any], axis: int = 0) -> Value:
    """Join Values along an existing axis (numpy's ``concatenate``, PyTorch's ``cat``)."""
    items = [as_value(v) for v in values]
    if not items:
        raise ValueError("concat: needs at least one Value")
    ndim = items[0].ndim
    if any(v.ndim != ndim for v in items) or ndim == 0:
        shapes = ", ".join(str(v.shape) for v in items)
        raise ValueError(f"concat: all inputs need the same number (≥ 1) of dimensions, got shapes {shapes}")
    (ax,) = ops.normalize_axis(axis, ndim, "concat") or (0,)
    return apply(ops.Concat, *items, axis=ax)


def stack(values: Sequence[Any], axis: int = 0) -> Value:
    """Join same-shape Values along a new axis."""
    items = [as_value(v) for v in values]
    if not items:
        raise ValueError("stack: needs at least one Value")
    if any(v.shape != items[0].shape for v in items):
        shapes = ", ".join(str(v.shape) for v in items)
        raise ValueError(f"stack: all inputs need the same shape, got {shapes}")
    (ax,) = ops.normalize_axis(axis, items[0].ndim + 1, "stack") or (0,)
    expanded = [v.reshape(v.shape[:ax] + (1,) + v.shape[ax:]) for v in items]
    return apply(ops.Concat, *expanded, axis=ax)


cat = concat


def linear(x: Any, weight: Value, bias: Value | None = None) -> Value:
    """x Wᵀ + b as one node (PyTorch's ``nn.functional.linear``); W has shape (out_features, in_features)."""
    if bias is None:  # x may stay a plain array: apply() takes it as a constant without copying it
        return apply(ops.Linear, x, weight)
    return apply(ops.Linear, x, weight, bias)


def nll_loss(log_probs: Value, targets: Any, reduction: str = "mean") -> Value:
    """−log p[target] per row of ``log_probs`` (shape (N, C)), averaged ("mean"), summed ("sum") or
    kept ("none"); ``targets`` are N integer class indices in [0, C)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    log_probs = as_value(log_probs)
    if log_probs.ndim != 2:
        raise ValueError(f"nll_loss: log_probs must have shape (N, C), got {log_probs.shape}")
    t = np.asarray(targets.data if isinstance(targets, Value) else targets)
    if t.dtype.kind == "f" and np.all(t == np.round(t)):
        t = t.astype(np.intp)
    if t.dtype.kind not in "iu" or t.shape != (log_probs.shape[0],):
        raise ValueError(
            f"nll_loss: targets must be {log_probs.shape[0]} integer class indices (shape ({log_probs.shape[0]},)), "
            f"got shape {t.shape} and dtype {t.dtype}"
        )
    n_classes = log_probs.shape[1]
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(f"nll_loss: targets must lie in [0, {n_classes}), got values from {t.min()} to {t.max()}")
    return apply(ops.NLLLoss, log_probs, targets=t.astype(np.intp), reduction=reduction)


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Any], bias: Value) -> Value:
    """b + Σᵢ wᵢxᵢ over scalar Values as one node (a scalar neuron's net input)."""
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
    net = apply(ops.WeightedSum, bias, *weights, *inputs)
    if net.shape != ():  # checked on the result: one check per neuron, not one per weight
        raise ValueError(
            f"weighted_sum: weights, inputs and bias must be scalars (one number each), but together they "
            f"make shape {net.shape}; use linear() for arrays"
        )
    return net


def softmax_cross_entropy(logits: Value, targets: Any, reduction: str = "mean") -> Value:
    """−Σ_c y_c log softmax(x)_c per row of logits (N, C) as one stable node, for constant targets:
    N class indices, or target probabilities of shape (N, C); reduced by "mean" (over N), "sum" or "none"."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    logits = as_value(logits)
    y = np.array(targets.data if isinstance(targets, Value) else targets)  # a copy: kept for backward
    if y.ndim == 1 and y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.intp)  # class labels given as floats (e.g. from a Value): 0., 2. → 0, 2
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    if y.dtype.kind in "iu":
        n, classes = logits.shape
        if y.shape != (n,) or (y.size and (y.min() < 0 or y.max() >= classes)):
            raise ValueError(
                f"cross_entropy: class indices must have shape ({n},) and lie in [0, {classes}), got shape "
                f"{y.shape}" + (f" and values from {y.min()} to {y.max()}" if y.size else "")
            )
        y = y.astype(np.intp, copy=False)
    elif y.shape != logits.shape:
        raise ValueError(
            f"cross_entropy: target probabilities must have the logits' shape {logits.shape}, got {y.shape}"
        )
    else:
        y = y.astype(logits.dtype, copy=False)
    saved = ops.SavedSoftmax.if_used(y, reduction)
    return apply(ops.CrossEntropy, logits, targets=y, reduction=reduction, saved=saved)
