"""Seeded train / validation / test splits, optionally stratified.

The rows are put in one order — random, or the given order when ``shuffle=False`` — and cut into three
consecutive parts: the first ``n_train`` rows train, the next ``n_val`` validate, the last ``n_test`` test.

Stratification keeps each class's share the same in every part. Within each class the members are
ordered (randomly when shuffling) and the j-th of a class with n_c members gets the key (j + ½)/n_c, its
relative position in its class. Sorting all rows by key interleaves the classes evenly, so any run of
consecutive rows holds each class in proportion to its size, within one or two rows.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu.data._checks import Seed, make_rng


class Part(NamedTuple):
    """One part of a split: its features X and labels y."""

    X: np.ndarray
    y: np.ndarray


class Split(NamedTuple):
    """The three parts; unpack as ``(X_train, y_train), (X_val, y_val), (X_test, y_test) = split``."""

    train: Part
    validation: Part
    test: Part


def split_sizes(n_samples: int, val_size: float | int, test_size: float | int) -> tuple[int, int, int]:
    """(n_train, n_val, n_test): a float in [0, 1) is a fraction of n_samples (rounded), an int a count."""
    n_val = _part_size(val_size, n_samples, "val_size")
    n_test = _part_size(test_size, n_samples, "test_size")
    n_train = n_samples - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"split: val_size={val_size!r} and test_size={test_size!r} take {n_val} + {n_test} of the {n_samples} "
            "rows and leave none for training"
        )
    return n_train, n_val, n_test


def split_indices(
    n_samples: int,
    val_size: float | int = 0.15,
    test_size: float | int = 0.15,
    *,
    stratify: Any = None,
    shuffle: bool = True,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices (train, validation, test): disjoint, together 0 … n_samples − 1.

    ``stratify``: class labels (one per row) to keep class proportions equal across the parts.
    ``shuffle=False`` keeps the given order (with stratification: the order within each class).
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"split: n_samples must be a positive integer, got {n_samples!r}")
    n_train, n_val, _ = split_sizes(int(n_samples), val_size, test_size)
    rng = make_rng(seed, "split") if shuffle else None
    if stratify is None:
        order = rng.permutation(n_samples) if rng is not None else np.arange(n_samples)
    else:
        order = _stratified_order(_labels(stratify, n_samples), rng)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def train_val_test_split(
    X: Any,
    y: Any,
    val_size: float | int = 0.15,
    test_size: float | int = 0.15,
    *,
    stratify: bool = False,
    shuffle: bool = True,
    seed: Seed = None,
) -> Split:
    """Split the rows of X and y into train, validation and test parts (see :func:`split_indices`).

    ``stratify=True`` keeps each class's share of y in every part.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"split: X and y need the same number of rows, got shapes {X.shape} and {y.shape}")
    train, val, test = split_indices(
        X.shape[0], val_size, test_size, stratify=y if stratify else None, shuffle=shuffle, seed=seed
    )
    return Split(Part(X[train], y[train]), Part(X[val], y[val]), Part(X[test], y[test]))


def _part_size(size: float | int, n_samples: int, name: str) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"split: {name} must be a fraction in [0, 1) or a row count, got {size!r}")
    if isinstance(size, numbers.Integral):
        if not 0 <= size <= n_samples:
            raise ValueError(f"split: {name}={size} rows is not between 0 and the {n_samples} rows available")
        return int(size)
    if not 0.0 <= size < 1.0:
        raise ValueError(f"split: {name} as a fraction must be in [0, 1), got {size!r}")
    return math.floor(size * n_samples + 0.5)


def _labels(stratify: Any, n_samples: int) -> np.ndarray:
    labels = np.asarray(stratify)
    if labels.shape != (n_samples,):
        raise ValueError(f"split: stratify needs one label per row, shape ({n_samples},), got {labels.shape}")
    return labels


def _stratified_order(labels: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """All rows sorted by their relative position (j + ½)/n_c within their class (see the module docstring)."""
    n = len(labels)
    _, class_of_row = np.unique(labels, return_inverse=True)
    visit = rng.permutation(n) if rng is not None else np.arange(n)  # the order within each class
    key = np.empty(n)
    for c in range(class_of_row.max() + 1):
        members = visit[class_of_row[visit] == c]
        key[members] = (np.arange(len(members)) + 0.5) / len(members)
    tie_break = rng.permutation(n) if rng is not None else np.arange(n)
    return tie_break[np.argsort(key[tie_break], kind="stable")]
