"""Standardization: z = (x − μ) / σ per feature, with μ and σ measured on the training set only.

Fitting on the training rows and applying the same μ and σ to validation and test rows keeps any
information about those rows out of training. σ is the population standard deviation (divide by N);
a feature that is constant in the training set (σ = 0, e.g. a border pixel that is always 0) gets σ = 1,
so it becomes 0 instead of a division by zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Standardization:
    """The per-feature mean μ and standard deviation σ used to standardize: z = (x − μ) / σ."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X_train: Any) -> Standardization:
        """μ and σ of each column of the training features (σ = 1 for a constant column)."""
        X = _features(X_train, "X_train")
        std = X.std(axis=0)
        return cls(mean=X.mean(axis=0), std=np.where(std > 0, std, 1.0))

    def apply(self, X: Any) -> np.ndarray:
        """z = (x − μ) / σ, row by row."""
        return (self._matching(X, "apply") - self.mean) / self.std

    def invert(self, Z: Any) -> np.ndarray:
        """x = z·σ + μ: back to the original units."""
        return self._matching(Z, "invert") * self.std + self.mean

    def _matching(self, X: Any, where: str) -> np.ndarray:
        X = _features(X, f"Standardization.{where}", allow_empty=True)
        if X.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"Standardization.{where}: X has {X.shape[1]} features but the standardization was fitted on "
                f"{self.mean.shape[0]}"
            )
        return X


def standardize(X_train: Any, *others: Any) -> tuple[Any, ...]:
    """Standardize the training features and any others with the training set's μ and σ.

    Returns the standardized arrays in the order given, then the :class:`Standardization` used:
    ``X_train, X_val, X_test, scaling = standardize(X_train, X_val, X_test)``.
    """
    scaling = Standardization.fit(X_train)
    return (scaling.apply(X_train), *(scaling.apply(X) for X in others), scaling)


def _features(X: Any, name: str, allow_empty: bool = False) -> np.ndarray:
    array = np.asarray(X)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be numbers, got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real numbers, got complex values")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows of features), got shape {array.shape}")
    if array.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name} has no rows to measure a mean and standard deviation on")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array
