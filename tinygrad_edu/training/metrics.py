"""Classification metrics: accuracy and the confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.engine import Value


def predicted_classes(outputs: Any, threshold: float = 0.5) -> np.ndarray:
    """Class labels from a model's outputs.

    Several columns (N, C): the index of the largest (argmax). One column (N,) or (N, 1): 1 where the
    output is ≥ ``threshold`` else 0 (use threshold=0 for logits).
    """
    out = np.asarray(outputs.data if isinstance(outputs, Value) else outputs, dtype=np.float64)
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    return (out.reshape(len(out)) >= threshold).astype(np.int64)


def _labels(targets: Any) -> np.ndarray:
    """Targets as one label per example: a column as it is, rows of several targets (one-hot, or the
    lecture's (0.01, 0.99)) as the index of the largest."""
    t = np.asarray(targets.data if isinstance(targets, Value) else targets)
    if t.ndim == 2 and t.shape[1] > 1:
        return np.argmax(t, axis=1)
    return t.reshape(len(t)) if t.ndim == 2 and t.shape[1] == 1 else t


def default_threshold(targets: Any) -> float:
    """The middle between the two labels: 0 for ±1 targets, else 0.5 (0/1 targets)."""
    return 0.0 if is_bipolar(_labels(targets)) else 0.5


def is_bipolar(t: np.ndarray) -> bool:
    """Are the targets the ±1 encoding (they hold −1, and nothing but −1 and +1)?"""
    return bool(t.size) and bool(np.any(t == -1)) and bool(np.all((t == -1) | (t == 1)))


def accuracy(outputs: Any, targets: Any, threshold: float | None = None) -> float:
    """Fraction of examples whose predicted class equals the target class.

    Targets are class indices (argmax of several output columns) or rows with one target per output
    (one-hot: the largest names the class), or 0/1 or −1/+1 for a single output column, thresholded at
    ``threshold``: by default 0.5 for 0/1 targets (sigmoid outputs) and 0 for ±1 targets (tanh outputs
    or scores), the middle between the two labels. Targets that are all +1 cannot show which: they are
    read as 0/1, so pass ``threshold=0`` for ±1 outputs (``fit`` decides from the training targets).
    """
    t = _labels(targets)
    bipolar = is_bipolar(t)
    pred = predicted_classes(outputs, (0.0 if bipolar else 0.5) if threshold is None else threshold)
    if t.ndim != 1 or len(t) != len(pred):
        raise ValueError(f"accuracy: {len(pred)} predictions but targets of shape {t.shape}")
    if bipolar and pred.max(initial=0) <= 1:
        pred = np.where(pred == 1, 1, -1)  # ±1 encoding
    return float(np.mean(pred == t)) if len(t) else float("nan")


def confusion_matrix(
    outputs: Any, targets: Any, n_classes: int | None = None, threshold: float | None = None
) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j (rows: truth, columns: prediction).

    ±1 targets count as classes 0 (−1) and 1 (+1); ``threshold`` defaults as in :func:`accuracy`.
    """
    t = _labels(targets)
    bipolar = is_bipolar(t)
    pred = predicted_classes(outputs, (0.0 if bipolar else 0.5) if threshold is None else threshold)
    t = ((t + 1) // 2 if bipolar else t).astype(np.int64)
    if len(t) != len(pred):
        raise ValueError(f"confusion_matrix: {len(pred)} predictions but {len(t)} targets")
    if t.size and t.min() < 0:
        raise ValueError("confusion_matrix: targets must be class indices 0, 1, ..., not negative")
    k = n_classes or int(max(t.max(initial=-1), pred.max(initial=-1)) + 1)
    largest = int(max(t.max(initial=0), pred.max(initial=0)))
    if largest >= k:
        raise ValueError(f"confusion_matrix: class {largest} does not fit n_classes={k} (classes 0 … {k - 1})")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (t, pred), 1)
    return matrix
