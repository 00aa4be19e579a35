"""Plots of optimizer paths over an error surface, and of the learning-rate comparison."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.plotting.backend import new_axes, pyplot
from tinygrad_edu.plotting.surfaces import Surface
from tinygrad_edu.training.history import History


def plot_optimizer_paths(surface: Surface, paths: dict[str, np.ndarray], ax: Any = None, levels: int = 30) -> Any:
    """Contours of the surface, one labelled line per optimizer from the shared start with a dot where
    it ended, the minimum marked. Returns the figure."""
    fig, ax = new_axes(ax, figsize=(7.0, 5.5))
    xs = np.linspace(*surface.xlim, 300)
    ys = np.linspace(*surface.ylim, 300)
    gx, gy = np.meshgrid(xs, ys)
    heights = surface.height(gx, gy)
    shifted = heights - heights.min() + 1.0
    ax.contour(gx, gy, np.log(shifted), levels=levels, cmap="viridis", linewidths=0.6)
    for name, points in paths.items():
        (line,) = ax.plot(points[:, 0], points[:, 1], marker=".", markersize=2, linewidth=1.2, label=name,
                          gid=f"path-{name}")
        finite = points[np.all(np.isfinite(points), axis=1)]
        if len(finite):  # where it got to (paths along one valley overlap: the end points tell them apart)
            ax.plot([finite[-1, 0]], [finite[-1, 1]], marker="o", markersize=6, color=line.get_color(),
                    markeredgecolor="k", linestyle="none", gid=f"end-{name}")
    start = next(iter(paths.values()))[0] if paths else surface.start
    ax.plot([start[0]], [start[1]], marker="s", color="k", linestyle="none", label="start")
    if surface.minimum is not None:
        ax.plot([surface.minimum[0]], [surface.minimum[1]], marker="*", markersize=14, color="gold",
                markeredgecolor="k", linestyle="none", label="minimum")
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(f"Gradient descent in action: {surface.name}")
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_learning_rate_comparison(
    histories: dict[str, History], title: str = "Choosing η", log_scale: bool = False
) -> Any:
    """Side-by-side training-loss curves for several learning rates ("η too small", "too large",
    "just right"), one panel each, on a shared loss axis (``log_scale`` when the losses span decades).
    A run that diverged says so in its panel. Returns the figure."""
    if not histories:
        raise ValueError("plot_learning_rate_comparison: give at least one history")
    plt = pyplot()
    fig, axes = plt.subplots(1, len(histories), figsize=(4.0 * len(histories), 3.6), sharey=True, squeeze=False)
    for ax, (label, history) in zip(axes[0], histories.items()):
        ax.plot(history.epochs, history.train_loss, color="tab:blue", label="training loss", gid=f"train-{label}")
        if any(v is not None for v in history.val_loss):
            ax.plot(history.epochs, history.val_loss, color="tab:orange", label="validation loss", gid=f"val-{label}")
        if history.diverged_at is not None:
            epoch, batch = history.diverged_at
            ax.text(0.5, 0.5, f"diverged\n(epoch {epoch}, batch {batch})", transform=ax.transAxes, ha="center",
                    va="center", color="tab:red", gid=f"diverged-{label}")
        if log_scale:
            ax.set_yscale("log")
        ax.set_title(label)
        ax.set_xlabel("epoch")
    axes[0][0].set_ylabel("loss")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
