"""Decision regions of a 2-D classifier, with its data and (for a perceptron) its line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.perceptron import DecisionLine, Perceptron
from tinygrad_edu.plotting.backend import new_axes
from tinygrad_edu.training.forward import takes_one_example
from tinygrad_edu.training.metrics import is_bipolar


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


def _boundary(model: Any, line: DecisionLine | tuple[float, float, float] | None) -> DecisionLine | None:
    """The straight boundary to draw: the one given, else a perceptron's own (None if it has none yet)."""
    if isinstance(line, DecisionLine):
        return line
    if line is not None:
        w1, w2, b = (float(v) for v in line)
        return DecisionLine(w1, w2, b) if (w1, w2) != (0.0, 0.0) else None  # w = 0: every point on one side
    if isinstance(model, Perceptron) and model.n_inputs == 2 and np.any(model.weights != 0):
        return model.decision_line()
    return None


def plot_decision_regions(
    model: Any,
    X: Any,
    y: Any,
    ax: Any = None,
    resolution: int | None = None,
    line: DecisionLine | tuple[float, float, float] | None = None,
    threshold: float | None = None,
    title: str = "Decision regions",
) -> Any:
    """Colour the plane by the class ``model`` predicts, and draw the data on top.

    ``model`` is a network (tensor or scalar), a :class:`~tinygrad_edu.perceptron.Perceptron`, or
    anything with ``predict(points)``. A perceptron's line w1·x1 + w2·x2 + b = 0 is drawn with it;
    ``line`` (a DecisionLine or (w1, w2, b)) draws a given one. ``resolution`` grid points per axis
    default to 200, or 50 for a scalar network (it evaluates one point at a time). A network's single
    output is thresholded at ``threshold``: by default ½, or 0 when the labels are ±1 (as in
    :func:`~tinygrad_edu.training.accuracy`). Returns the figure.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_regions: needs 2-D points, X of shape (N, 2); got {X.shape}")
    y = np.asarray(y)
    if y.size != len(X):
        raise ValueError(f"plot_decision_regions: {len(X)} points but {y.size} labels")
    y = y.reshape(len(X))
    bipolar = is_bipolar(y)
    if threshold is None:
        threshold = 0.0 if bipolar else 0.5
    boundary = _boundary(model, line)
    if resolution is None:
        resolution = 50 if takes_one_example(model) else 200
    fig, ax = new_axes(ax)
    pad_x, pad_y = 0.1 * np.ptp(X[:, 0]) + 0.5, 0.1 * np.ptp(X[:, 1]) + 0.5
    xs = np.linspace(X[:, 0].min() - pad_x, X[:, 0].max() + pad_x, resolution)
    ys = np.linspace(X[:, 1].min() - pad_y, X[:, 1].max() + pad_y, resolution)
    gx, gy = np.meshgrid(xs, ys)
    labels = predictor(model, threshold)(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    if bipolar and np.all((labels == 0) | (labels == 1)):
        labels = np.where(labels == 1, 1, -1)  # a network's 0/1 decision in the data's ±1 labels
    classes = np.unique(np.concatenate([np.unique(labels), np.unique(y)]))
    ax.contourf(gx, gy, np.searchsorted(classes, labels), levels=np.arange(len(classes) + 1) - 0.5,
                cmap="coolwarm", alpha=0.3)
    scatter = ax.scatter(X[:, 0], X[:, 1], c=np.searchsorted(classes, y), cmap="coolwarm", edgecolors="k", s=30)
    scatter.set_gid("data")
    if boundary is not None:
        ends = boundary.segment((xs[0], xs[-1]), (ys[0], ys[-1]))
        if ends is not None:
            (x1a, x2a), (x1b, x2b) = ends
            ax.plot([x1a, x1b], [x2a, x2b], color="k", linewidth=2, gid="boundary",
                    label="w·x + b = 0")
            ax.legend(loc="best")
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    return fig
