"""Gradient clipping: tame exploding gradients before the optimizer's step (PyTorch's ``clip_grad_*_``).

Both functions change the parameters' ``.grad`` in place and skip parameters without a gradient.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from tinygrad_edu.engine.value import Value


def clip_grad_norm_(
    parameters: Value | Iterable[Value],
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale all gradients by one factor so that their joint p-norm is at most ``max_norm``.

    With all gradients viewed as one long vector g (p = ``norm_type``, ``"inf"`` for the largest |gᵢ|):

        ‖g‖ₚ = (Σ |gᵢ|ᵖ)^(1/p),     g ← g · min(1, max_norm / (‖g‖ₚ + 10⁻⁶))

    The direction of the step is kept; only its length is limited. Returns ‖g‖ₚ before clipping.
    A non-finite norm gives nan/zero gradients, or a ``RuntimeError`` when ``error_if_nonfinite``.
    """
    params = _with_gradients(parameters, "clip_grad_norm_")
    order = _norm_order(norm_type)
    max_norm = float(max_norm)
    if not params:
        return 0.0
    total = _norm([_norm([p.grad], order) for p in params], order)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total {norm_type}-norm of the gradients is {total}; "
            "set error_if_nonfinite=False to clip anyway"
        )
    factor = min(max_norm / (total + 1e-6), 1.0)  # nan stays nan, as in PyTorch
    if factor != 1.0:
        for p in params:
            _set_gradient(p, p.grad * factor)
    return total


def clip_grad_value_(parameters: Value | Iterable[Value], clip_value: float) -> None:
    """Clip every gradient entry into [−clip_value, clip_value]:  gᵢ ← min(max(gᵢ, −c), c)."""
    params = _with_gradients(parameters, "clip_grad_value_")
    c = float(clip_value)
    if not c >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be ≥ 0, got {clip_value}")
    for p in params:
        _set_gradient(p, np.clip(p.grad, -c, c))


def _with_gradients(parameters: Any, what: str) -> list[Value]:
    params = [parameters] if isinstance(parameters, Value) else list(parameters)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{what}: expected Values, got a {type(p).__name__}")
    return [p for p in params if p.has_grad]


def _norm_order(norm_type: float | str) -> float:
    order = float(norm_type)
    if not order > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or 'inf', got {norm_type!r}")
    return order


def _norm(xs: list[Any], order: float) -> float:
    """The p-norm of the numbers in ``xs`` (floats and arrays) taken together."""
    flat = np.concatenate([np.ravel(x) for x in xs]) if len(xs) > 1 else np.ravel(xs[0])
    return float(np.linalg.norm(flat, order))


def _set_gradient(p: Value, new: Any) -> None:
    """p.grad ← new, in place for arrays. A float gradient clipped to 0.0 stays a real gradient of 0.0
    (``p.grad = 0`` would unset it), so an optimizer still takes its step with it, as in PyTorch."""
    g = p.grad
    if isinstance(g, np.ndarray):
        np.copyto(g, new)
    elif new == 0.0:
        p.zero_grad(set_to_none=False)
    elif new != g:
        p.grad = float(new)
