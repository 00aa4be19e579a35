"""Activation functions and losses as plain functions (PyTorch keeps them in ``nn.functional``).

Inputs may be Values, numbers, numpy arrays, or (nested) lists of Values such as a scalar network's
outputs, which are stacked into one Value first. Targets are numbers or arrays (a Value target is differentiated
too, as in PyTorch).

Every loss takes ``reduction``, with PyTorch's meaning: ``'none'`` returns the loss of each element,
``'sum'`` their sum, ``'mean'`` their mean (over the batch, for cross-entropy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value, stack
from tinygrad_edu.engine.functions import linear as linear  # x Wᵀ + b, PyTorch's F.linear (nn.Linear uses it)
from tinygrad_edu.engine.functions import softmax_cross_entropy
from tinygrad_edu.engine.ops import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    SavedSoftmax,
    Softplus,
)
from tinygrad_edu.engine.value import apply

REDUCTIONS = ("mean", "sum", "none")


# ====================================================================== inputs
def _holds_values(items: list[Any] | tuple[Any, ...]) -> bool:
    """Does a (nested) list or tuple hold a Value anywhere?"""
    return any(isinstance(item, Value) or isinstance(item, (list, tuple)) and _holds_values(item) for item in items)


def as_input(x: Any, what: str) -> Value:
    """x as a Value: a Value as it is; a (nested) list holding Values, such as a scalar network's
    outputs for a batch, stacked into one Value (the graph still reaches every element); anything
    else a constant."""
    if isinstance(x, Value):
        return x
    if isinstance(x, (list, tuple)) and _holds_values(x):
        return stack([as_input(item, what) for item in x])
    try:
        return Value(x, requires_grad=False)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what}: cannot use {type(x).__name__} as an input: {err}") from None


def as_target(target: Any, like: Value, what: str) -> Any:
    """A target with the input's shape: a Value as it is, else a constant array of the input's dtype."""
    if not isinstance(target, Value):
        target = as_input(target, f"{what} target")
    if target.shape != like.shape:
        raise ValueError(
            f"{what}: input has shape {like.shape} but target has shape {target.shape}; they must match "
            "(broadcasting them would silently compare every output with every target)"
        )
    if target.requires_grad:
        return target
    data = np.asarray(target.data, dtype=like.dtype)
    return float(data) if data.ndim == 0 and data.dtype == np.float64 else data


def target_numbers(target: Any) -> np.ndarray:
    """The target's numbers as an array (for validating them)."""
    return np.asarray(target.data if isinstance(target, Value) else target)


def check_reduction(reduction: str, what: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{what}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def apply_reduction(loss: Value, reduction: str) -> Value:
    """Apply ``reduction`` to per-element losses."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ====================================================================== activations
def identity(x: Any) -> Value:
    """f(x) = x."""
    return as_input(x, "identity")


def sigmoid(x: Any) -> Value:
    """σ(x) = 1 / (1 + e⁻ˣ);  σ' = σ(1 − σ)."""
    return as_input(x, "sigmoid").sigmoid()


def tanh(x: Any) -> Value:
    """tanh x;  tanh' = 1 − tanh²."""
    return as_input(x, "tanh").tanh()


def relu(x: Any) -> Value:
    """max(0, x)."""
    return as_input(x, "relu").relu()


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Value:
    """x for x > 0, else negative_slope · x."""
    return as_input(x, "leaky_relu").leaky_relu(negative_slope)


def step(x: Any) -> Value:
    """The perceptron's threshold: 1 where x ≥ 0, else 0 (its gradient is 0, so it cannot be trained
    by gradient descent: that is why back-propagation needs a smooth activation)."""
    return as_input(x, "step").step()


def softmax(x: Any, dim: int = -1) -> Value:
    """e^xᵢ / Σⱼ e^xⱼ along ``dim``."""
    return as_input(x, "softmax").softmax(dim)


def log_softmax(x: Any, dim: int = -1) -> Value:
    """xᵢ − log Σⱼ e^xⱼ along ``dim``, computed stably."""
    return as_input(x, "log_softmax").log_softmax(dim)


def softplus(x: Any) -> Value:
    """log(1 + eˣ), without overflow and to the last digit also where it is tiny; its derivative is σ(x)."""
    return apply(Softplus, as_input(x, "softplus"))


ACTIVATIONS: dict[str, Callable[[Any], Value]] = {
    "linear": identity,
    "identity": identity,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "step": step,
}


def get_activation(activation: str | Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """An activation function from its name (see ``ACTIVATIONS``), a callable, or None (identity)."""
    if activation is None:
        return identity
    if callable(activation):
        return activation
    if activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(f"unknown activation {activation!r}; use one of {sorted(ACTIVATIONS)} or a function")


# ====================================================================== regression losses
def squared_error(input: Any, target: Any, reduction: str = "sum") -> Value:  # noqa: A002
    """The lecture's error E = ½ Σ (t − o)².

    The default reduction is ``'sum'`` because E is defined as a sum; ``'mean'`` averages ½(t − o)².
    ∂E/∂o = −(t − o) = o − t, which is why the lecture's δ at an output is (t − o) · f'(net).
    """
    check_reduction(reduction, "squared_error")
    output = as_input(input, "squared_error")
    t = as_target(target, output, "squared_error")
    return apply_reduction(0.5 * (t - output) ** 2, reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Value:  # noqa: A002
    """Mean squared error (1/n) Σ (x − y)² (PyTorch's ``mse_loss``; no ½)."""
    check_reduction(reduction, "mse_loss")
    x = as_input(input, "mse_loss")
    y = as_target(target, x, "mse_loss")
    return apply_reduction((x - y) ** 2, reduction)


# ====================================================================== classification losses
def _weighted(loss: Value, weight: Any, what: str) -> Value:
    if weight is None:
        return loss
    w = weight if isinstance(weight, Value) else np.asarray(weight, dtype=loss.dtype)
    shape = w.shape
    try:
        np.broadcast_to(np.empty(shape), loss.shape)
    except ValueError:
        raise ValueError(f"{what}: weight of shape {shape} does not broadcast to the loss shape {loss.shape}") from None
    return loss * w


def _check_probabilities(numbers: np.ndarray, what: str, name: str) -> None:
    outside = (numbers < 0) | (numbers > 1) | np.isnan(numbers)
    if np.any(outside):
        bad = numbers[outside].ravel()[0]
        raise ValueError(f"{what}: every {name} must be a probability in [0, 1], found {bad}")


def binary_cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
) -> Value:
    """−[t log p + (1 − t) log(1 − p)] for probabilities p (e.g. a sigmoid's output).

    As in PyTorch, each log is clamped at −100, so p = 0 or 1 gives a large finite loss, not inf, and
    the gradient (p − t)/(p(1 − p)) has its denominator floored at 10⁻¹², so it stays finite and still
    pushes p = 0 towards t = 1 (see :class:`~tinygrad_edu.engine.ops.BinaryCrossEntropy`).
    ``weight`` rescales each element's loss. For raw scores use
    :func:`binary_cross_entropy_with_logits`, which is more accurate.
    """
    check_reduction(reduction, "binary_cross_entropy")
    p = as_input(input, "binary_cross_entropy")
    _check_probabilities(np.asarray(p.data), "binary_cross_entropy", "input")
    t = as_target(target, p, "binary_cross_entropy")
    _check_probabilities(target_numbers(t), "binary_cross_entropy", "target")
    loss = apply(BinaryCrossEntropy, p, t)
    return apply_reduction(_weighted(loss, weight, "binary_cross_entropy"), reduction)


def binary_cross_entropy_with_logits(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Value:
    """Binary cross-entropy of σ(x), computed from the logit x without forming σ(x).

    With p = σ(x): −log p = softplus(−x) and −log(1 − p) = softplus(x) = x + softplus(−x), so with
    pos_weight w₊ (default 1) the loss −[w₊ t log p + (1 − t) log(1 − p)] is
    (1 − t) x + (1 + (w₊ − 1)t) · softplus(−x) (PyTorch's form), which never overflows and keeps a tiny
    loss's digits (t = 1, x = 40 gives e⁻⁴⁰, not 0); its gradient is σ(x)(1 − t + w₊t) − w₊t
    (see :class:`~tinygrad_edu.engine.ops.BinaryCrossEntropyWithLogits`).
    """
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    x = as_input(input, "binary_cross_entropy_with_logits")
    t = as_target(target, x, "binary_cross_entropy_with_logits")
    _check_probabilities(target_numbers(t), "binary_cross_entropy_with_logits", "target")
    weight_of_positives = None if pos_weight is None else np.asarray(pos_weight, dtype=x.dtype)
    loss = apply(BinaryCrossEntropyWithLogits, x, t, pos_weight=weight_of_positives)
    return apply_reduction(_weighted(loss, weight, "binary_cross_entropy_with_logits"), reduction)


def one_hot(target: Any, num_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Rows of the identity: one_hot(c)[k] = 1 if k = c else 0, for an array of class indices."""
    classes = np.asarray(target)
    check_classes(classes, num_classes, "one_hot")
    return (classes[..., None] == np.arange(num_classes)).astype(dtype)


#: up to this many labels, Python's min() and max() over a list are faster than numpy's reductions
SMALL_BATCH = 1024


def classes_in_range(classes: np.ndarray, num_classes: int) -> bool:
    """Does every integer class index lie in [0, num_classes)?

    It runs at every training step, so it is quick for a mini-batch: a few dozen labels are checked in
    Python (numpy's min and max each cost more call overhead than they save); bigger arrays in numpy."""
    if classes.size <= SMALL_BATCH:
        labels = classes.ravel().tolist()
        return not labels or (min(labels) >= 0 and max(labels) < num_classes)
    return bool(classes.min() >= 0 and classes.max() < num_classes)


def check_classes(classes: np.ndarray, num_classes: int, what: str) -> None:
    """Class indices must be integers in [0, num_classes)."""
    if classes.dtype.kind not in "iu":
        raise TypeError(f"{what}: class indices must be integers, got dtype {classes.dtype}")
    if not classes_in_range(classes, num_classes):
        bad = classes[(classes < 0) | (classes >= num_classes)].ravel()[0]
        raise ValueError(f"{what}: class {bad} is out of range for {num_classes} classes (0 … {num_classes - 1})")


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Value:  # noqa: A002
    """−log softmax(x)[c] for logits x and the correct class c (PyTorch's ``cross_entropy``).

    ``input`` holds one row of C logits per sample, shape (N, C) (or (C,) for one sample, or
    (N, C, d₁, …) with classes on axis 1). ``target`` holds integer class indices of shape (N,) (or (),
    (N, d₁, …)); a float target of the input's shape is read as class probabilities instead.

    Computed as −Σ_c y_c · log_softmax(x)_c with y the one-hot (or probability) target: log_softmax
    is stable for any logits, and its gradient is softmax(x) − y. 'mean' averages over the samples.
    """
    check_reduction(reduction, "cross_entropy")
    x = as_input(input, "cross_entropy")
    shape = x.shape
    if not shape:
        raise ValueError("cross_entropy: input must hold a logit per class, got a single number")
    class_axis = 1 if len(shape) >= 2 else 0
    num_classes = shape[class_axis]
    numbers = target_numbers(target)
    if numbers.dtype.kind == "f":
        if numbers.shape != shape:
            raise TypeError(
                f"cross_entropy: target must be integer class indices of shape "
                f"{shape[:class_axis] + shape[class_axis + 1:]}, or class probabilities of the input's "
                f"shape {shape}; got a float target of shape {numbers.shape}"
            )
        y = target if isinstance(target, Value) and target.requires_grad else numbers.astype(x.dtype)
    elif numbers.dtype.kind in "iu":
        expected = shape[:class_axis] + shape[class_axis + 1 :]
        if numbers.shape != expected:
            raise ValueError(
                f"cross_entropy: input of shape {shape} ({num_classes} classes on axis {class_axis}) needs "
                f"class indices of shape {expected}, got target of shape {numbers.shape}"
            )
        if len(shape) == 2:  # the usual (N, C) batch of class labels: one fused, stable node
            check_classes(numbers, num_classes, "cross_entropy")
            targets = numbers.astype(np.intp)  # a copy: backward reads it, the caller may change theirs
            saved = SavedSoftmax.if_used(targets, reduction)
            return apply(CrossEntropy, x, targets=targets, reduction=reduction, saved=saved)
        y = np.moveaxis(one_hot(numbers, num_classes, x.dtype), -1, class_axis)
    else:
        raise TypeError(f"cross_entropy: target must hold integer class indices, got dtype {numbers.dtype}")
    if len(shape) == 2 and not isinstance(y, Value):  # the usual (N, C) batch: one fused, stable node
        return softmax_cross_entropy(x, y, reduction)
    loss = -(x.log_softmax(class_axis) * y).sum(axis=class_axis)
    return apply_reduction(loss, reduction)


def hinge_loss(input: Any, target: Any, margin: float = 1.0, reduction: str = "mean") -> Value:  # noqa: A002
    """The max-margin (SVM) loss max(0, margin − y·s) for scores s and labels y ∈ {−1, +1}.

    A sample costs nothing once it is on the right side with room to spare (y·s ≥ margin);
    micrograd's demo trains with mean(relu(1 − y·s)).
    """
    check_reduction(reduction, "hinge_loss")
    s = as_input(input, "hinge_loss")
    y = as_target(target, s, "hinge_loss")
    labels = target_numbers(y)
    if not np.all((labels == 1) | (labels == -1)):
        bad = labels[(labels != 1) & (labels != -1)].ravel()[0]
        raise ValueError(f"hinge_loss: targets must be −1 or +1, found {bad}")
    return apply_reduction((margin - y * s).relu(), reduction)


max_margin_loss = hinge_loss
