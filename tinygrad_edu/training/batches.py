"""Splitting a data set into the batches of one epoch: online, mini-batch and full batch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np


def as_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (or the Generator itself); never numpy's global state."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def is_whole_number(value: Any) -> bool:
    """An int (Python's or numpy's), not a bool: what counts of epochs, folds and examples must be."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def resolve_batch_size(batch_size: int | None, n: int) -> int:
    """None means the whole set (batch training); 1 is online training; k in between is mini-batch."""
    if batch_size is None:
        return n
    if not is_whole_number(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer or None (full batch), got {batch_size!r}")
    return min(int(batch_size), n)


def updates_per_epoch(n: int, batch_size: int | None) -> int:
    """⌈N / k⌉: N updates online, 1 with full batches, ⌈N/k⌉ with mini-batches of k."""
    return math.ceil(n / resolve_batch_size(batch_size, n))


def epoch_batches(
    X: np.ndarray, y: np.ndarray, batch_size: int | None, shuffle: bool, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The (X, y) batches of one epoch, in a fresh random order when ``shuffle``."""
    n = len(X)
    k = resolve_batch_size(batch_size, n)
    order = rng.permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, k):
        index = order[start : start + k]
        yield X[index], y[index]


def check_data(X: Any, y: Any, what: str = "training") -> tuple[np.ndarray, np.ndarray]:
    """X and y as arrays, after checking they pair up and hold only finite numbers."""
    X_arr = np.asarray(X, dtype=np.float64) if not isinstance(X, np.ndarray) else X
    y_arr = np.asarray(y)
    if X_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(f"fit: {what} X and y must be arrays with one row per example")
    if len(X_arr) != len(y_arr):
        raise ValueError(f"fit: {what} X has {len(X_arr)} examples but y has {len(y_arr)}; they must match")
    if len(X_arr) == 0:
        raise ValueError(f"fit: the {what} set is empty")
    for name, arr in (("X", X_arr), ("y", y_arr)):
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"fit: {what} {name} must be numeric, got dtype {arr.dtype}")
        bad = ~np.isfinite(arr.astype(np.float64))
        if bad.any():
            row = int(np.argwhere(bad)[0][0])
            raise ValueError(f"fit: {what} {name} contains NaN or infinity (first at row {row}); clean the data first")
    return X_arr.astype(np.float64, copy=False) if X_arr.dtype.kind != "f" else X_arr, y_arr
