"""Argument checks shared by the dataset generators: the random source, sample counts, noise levels."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

Seed = int | np.random.Generator | None


def make_rng(seed: Seed, where: str) -> np.random.Generator:
    """A Generator from an integer seed, a Generator (used as is, so it advances) or None (fresh OS entropy).

    Never numpy's global random state: the same integer seed always gives the same data.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{where}: seed must be a non-negative integer, a numpy Generator or None, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{where}: seed must be a non-negative integer, got {seed}")
    return np.random.default_rng(int(seed))


def check_count(value: Any, name: str, where: str, minimum: int = 1) -> int:
    """An integer ≥ ``minimum`` (bools are refused: ``True`` is not a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def check_nonnegative(value: Any, name: str, where: str) -> float:
    """A finite real number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a finite number ≥ 0, got {value!r}")
    return float(value)
