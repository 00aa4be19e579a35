"""Decision regions of a 2-D classifier, with its data and (for a perceptron) its line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.plotting.backend import new_axes


def predictor(model: Any, threshold: float = 0.5) -> Callable[[np.ndarray], np.ndarray]:
    """A function from points (M, 2) to class labels, for a network or anything with ``predict``."""
    if hasattr(model, "predict"):
        return lambda points: np.asarray(model.predict(points))
    from tinygrad_edu.engine import no_grad
    from tinygrad_edu.training.forward import forward_batch
    from tinygrad_edu.training.metrics import predicted_classes

    def classify(points: np.ndarray) -> np.ndarray:
        with no_grad():
            return predicted_classes(forward_batch(model, points), threshold)

    return classify


def plot_decision_regions(
    model: Any,
    X: Any,
    y: Any,
    ax: Any = None,
    resolution: int = 200,
    line: tuple[float, float, float] | None = None,
    threshold: float = 0.5,
    title: str = "Decision regions",
) -> Any:
    """Colour the plane by the class ``model`` predicts, and draw the data on top.

    ``line=(w1, w2, b)`` also draws the straight boundary w1·x1 + w2·x2 + b = 0 (a perceptron's).
    Returns the figure.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(len(X))
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_regions: needs 2-D points, X of shape (N, 2); got {X.shape}")
    fig, ax = new_axes(ax)
    pad_x, pad_y = 0.1 * np.ptp(X[:, 0]) + 0.5, 0.1 * np.ptp(X[:, 1]) + 0.5
    xs = np.linspace(X[:, 0].min() - pad_x, X[:, 0].max() + pad_x, resolution)
    ys = np.linspace(X[:, 1].min() - pad_y, X[:, 1].max() + pad_y, resolution)
    gx, gy = np.meshgrid(xs, ys)
    labels = predictor(model, threshold)(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    classes = np.unique(np.concatenate([np.unique(labels), np.unique(y)]))
    ax.contourf(gx, gy, np.searchsorted(classes, labels), levels=np.arange(len(classes) + 1) - 0.5,
                cmap="coolwarm", alpha=0.3)
    scatter = ax.scatter(X[:, 0], X[:, 1], c=np.searchsorted(classes, y), cmap="coolwarm", edgecolors="k", s=30)
    scatter.set_gid("data")
    if line is not None:
        w1, w2, b = line
        if w2 != 0:
            ax.plot(xs, -(w1 * xs + b) / w2, color="k", linewidth=2, gid="boundary", label="w·x + b = 0")
        elif w1 != 0:
            ax.axvline(-b / w1, color="k", linewidth=2, gid="boundary", label="w·x + b = 0")
        ax.set_ylim(ys[0], ys[-1])
        ax.legend(loc="best")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    return fig
