"""Pictures of learning (matplotlib, the optional ``plot`` extra): learning curves, decision regions,
the learning-rate comparison, and optimizer paths across 2-D error surfaces. Each function returns
the matplotlib figure; :func:`save_figure` writes it as PNG, SVG or PDF."""

from tinygrad_edu.plotting.backend import INSTALL_HINT, save_figure
from tinygrad_edu.plotting.curves import plot_learning_curves
from tinygrad_edu.plotting.paths import plot_learning_rate_comparison, plot_optimizer_paths
from tinygrad_edu.plotting.regions import plot_decision_regions, predictor
from tinygrad_edu.plotting.surfaces import (
    ROSENBROCK,
    SADDLE,
    SURFACES,
    Surface,
    default_optimizers,
    optimizer_path,
    optimizer_paths,
)

__all__ = [
    "INSTALL_HINT",
    "ROSENBROCK",
    "SADDLE",
    "SURFACES",
    "Surface",
    "default_optimizers",
    "optimizer_path",
    "optimizer_paths",
    "plot_decision_regions",
    "plot_learning_curves",
    "plot_learning_rate_comparison",
    "plot_optimizer_paths",
    "predictor",
    "save_figure",
]
