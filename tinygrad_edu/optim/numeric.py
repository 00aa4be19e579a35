"""Arithmetic that works the same on a parameter's two kinds of data.

A parameter holds a Python ``float`` (a float64 scalar) or a numpy array, and so do its gradient and
the optimizer's state for it. Augmented assignment (``buf *= μ``) already does the right thing for both:
in place for an array, a new number for a float. The few operations below have no operator, so they
choose: numpy for arrays (in place where the name ends in ``_``), ``math`` for floats.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def copy(x: Any) -> Any:
    """An independent copy: a new array, or the float itself (floats never change in place)."""
    return x.copy() if isinstance(x, np.ndarray) else x


def sqrt(x: Any) -> Any:
    """√x, elementwise."""
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


def maximum_(running_max: Any, x: Any) -> Any:
    """max(running_max, x) elementwise, stored into ``running_max`` when it is an array."""
    if isinstance(running_max, np.ndarray):
        return np.maximum(running_max, x, out=running_max)
    return max(running_max, x)


def zeros_like(x: Any) -> Any:
    """Zeros of x's shape and dtype (0.0 for a float)."""
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0


def full_like(x: Any, value: float) -> Any:
    """``value`` in x's shape and dtype (``value`` itself for a float)."""
    return np.full_like(x, value) if isinstance(x, np.ndarray) else float(value)
