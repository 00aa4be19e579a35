"""The one picture ``train`` saves that :mod:`tinygrad_edu.plotting` does not draw: the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.plotting.backend import new_axes


def plot_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str], title: str = "Confusion matrix") -> Any:
    """C[i, j] = examples of true class i predicted as class j, as shaded cells with their counts; the figure."""
    k = len(class_names)
    fig, ax = new_axes(figsize=(1.0 + 0.45 * k, 0.8 + 0.45 * k) if k > 8 else (4.5, 4.0))
    ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            color = "white" if matrix[i, j] > threshold else "black"
            ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", color=color, fontsize=9)
    ax.set_xticks(range(k), labels=list(class_names))
    ax.set_yticks(range(k), labels=list(class_names))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return fig
