"""Section 7: choosing η — too small, too large and about right, for a linear neuron whose error is a bowl.

For o = w·x + b and the mean squared error E = (1/N) Σ (o − t)², E is a quadratic in (w, b) with the
constant Hessian H = (2/N) AᵀA, A = [X 1]. Along an eigenvector of H with eigenvalue λ, one gradient step
multiplies the distance to the minimum by (1 − ηλ): the steps converge exactly when η < 2/λ_max, and the
fixed η that converges fastest is 2/(λ_max + λ_min). So here the three rates can be computed, not guessed.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.plotting import plot_learning_rate_comparison
from tinygrad_edu.tour.content import Paragraph, Section, Table
from tinygrad_edu.tour.workspace import Workspace
from tinygrad_edu.training import History, TrainingDiverged, fit

TITLE = "Choosing the learning rate η"
EPOCHS = 40
MILESTONES = (1, 5, 10, 20, 30, 40)
N_POINTS = 100


def regression_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """100 points with two correlated features and t = 1.5·x1 − 2·x2 + 0.5 + a little noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_POINTS, 2)) @ np.array([[1.0, 0.6], [0.0, 0.8]])
    t = X @ np.array([1.5, -2.0]) + 0.5 + 0.1 * rng.standard_normal(N_POINTS)
    return X, t.reshape(-1, 1)


def curvatures(X: np.ndarray) -> tuple[float, float]:
    """λ_min and λ_max of the Hessian (2/N) AᵀA of the mean squared error, A = [X 1]."""
    A = np.column_stack([X, np.ones(len(X))])
    eigenvalues = np.linalg.eigvalsh(2.0 / len(X) * A.T @ A)
    return float(eigenvalues[0]), float(eigenvalues[-1])


def build(ws: Workspace) -> Section:
    section = Section("learning-rate", TITLE, "Improving BP (η too small, η too large, η just right)")
    X, t = regression_data()
    low, high = curvatures(X)
    critical, best = 2.0 / high, 2.0 / (low + high)
    rates = {
        f"η = {best / 20:.3g}: too small": best / 20,
        f"η = {1.1 * critical:.3g}: too large": 1.1 * critical,
        f"η = {best:.3g}: about right": best,
    }
    histories: dict[str, History] = {}
    for label, lr in rates.items():
        neuron = nn.Linear(2, 1, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingDiverged)  # a too-large η may blow up: that is the lesson
            histories[label] = fit(neuron, nn.MSELoss(), optim.SGD(neuron.parameters(), lr=lr), X, t,
                                   epochs=EPOCHS, batch_size=None, seed=0, progress=False)
    section.add(
        Paragraph(
            "η sets how far each step goes along −∇E. Too small and training crawls; too large and each step "
            "overshoots the bottom of the valley, landing higher on the other side, again and again; in between "
            "the error falls fast. The simplest case shows it exactly: a single linear neuron o = w·x + b fitted "
            "by the mean squared error, whose error surface is a bowl."
        ),
        Paragraph(
            f"The bowl's curvature runs from λ_min = {low:.3g} to λ_max = {high:.3g} (the eigenvalues of the "
            "Hessian). Each step shrinks the distance to the bottom along a direction of curvature λ by the "
            f"factor (1 − ηλ), so training converges only for η < 2/λ_max = {critical:.3g}, and the fastest "
            f"fixed rate is 2/(λ_max + λ_min) = {best:.3g}. We try that, 1/20 of it, and 1.1 × the limit, each "
            f"from the same start, full batch, for {EPOCHS} epochs."
        ),
        ws.plot(
            "learning_rates",
            lambda: _log_scale(plot_learning_rate_comparison(histories, title="Choosing η: the error per epoch")),
            "The mean squared error per epoch for each η, on a logarithmic scale shared by the three panels.",
            "learning-rate comparison",
        ),
        _milestone_table(histories),
        Paragraph(
            "A network's error surface is not a bowl and its curvature changes from place to place, so η is "
            "chosen by trying values, best with cross-validation (the lecture: usually below 0.5). Momentum "
            "smooths the descent, and restarting from a few random initial weights guards against an unlucky "
            "start."
        ),
    )
    return section


def _log_scale(fig: Any) -> Any:
    """The panels share their vertical axis: one call puts all on a log scale."""
    fig.axes[0].set_yscale("log")
    return fig


def _milestone_table(histories: dict[str, History]) -> Table:
    rows = []
    for epoch in MILESTONES:
        cells = []
        for history in histories.values():
            losses = history.train_loss
            cells.append(f"{losses[epoch - 1]:.4g}" if epoch <= len(losses) else "stopped")
        rows.append((f"epoch {epoch}", *cells))
    rows.append(("how it ended", *(history.stop_reason for history in histories.values())))
    return Table(("", *histories), tuple(rows), "The error after selected epochs.", row_header=True)
