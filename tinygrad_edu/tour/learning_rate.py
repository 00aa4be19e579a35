"""Section 7: choosing η — too small, too large and about right, on a two-moons classification task."""

from __future__ import annotations

import warnings

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.data import make_moons
from tinygrad_edu.plotting import plot_learning_rate_comparison
from tinygrad_edu.tour.content import Paragraph, Section, Table
from tinygrad_edu.tour.workspace import Workspace
from tinygrad_edu.training import History, TrainingDiverged, fit

TITLE = "Choosing the learning rate η"
RATES = {"η = 0.02: too small": 0.02, "η = 30: too large": 30.0, "η = 2: about right": 2.0}
EPOCHS = 150
MILESTONES = (1, 10, 25, 50, 100, 150)


def moons_network() -> nn.Sequential:
    """2 → 8 tanh units → 1 logit (the sigmoid is inside the loss), seeded: every η starts equal."""
    return nn.Sequential(nn.Linear(2, 8, seed=0), nn.Tanh(), nn.Linear(8, 1, seed=1))


def build(ws: Workspace) -> Section:
    section = Section("learning-rate", TITLE, "Improving BP (η too small, too large, just right)")
    X, y = make_moons(200, noise=0.15, seed=0)
    t = y.reshape(-1, 1).astype(np.float64)
    histories: dict[str, History] = {}
    for label, lr in RATES.items():
        model = moons_network()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TrainingDiverged)  # a too-large η may blow up: that is the lesson
            histories[label] = fit(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=lr), X, t,
                                   epochs=EPOCHS, batch_size=None, seed=0, progress=False)
    section.add(
        Paragraph(
            "η sets how far each step goes along −∇E. Too small and training crawls; too large and each step "
            "overshoots the valley floor, so the error jumps about or grows; in between it falls quickly and "
            "smoothly. Here the same network (2 inputs, 8 tanh units, one output; cross-entropy error) learns the "
            f"two interleaved half-moons from the same start with three values of η, full batch, {EPOCHS} epochs."
        ),
        ws.plot(
            "learning_rates",
            lambda: plot_learning_rate_comparison(histories, title="Choosing η: the training error per epoch"),
            "The training error per epoch for each η (shared vertical axis).",
            "learning-rate comparison",
        ),
        _milestone_table(histories),
        Paragraph(
            "In practice η is chosen by cross-validation (the lecture: usually below 0.5 for sigmoid networks "
            "trained online); momentum smooths the descent, and restarting from a few random initial weights "
            "guards against an unlucky start."
        ),
    )
    return section


def _milestone_table(histories: dict[str, History]) -> Table:
    rows = []
    for epoch in MILESTONES:
        cells = []
        for history in histories.values():
            losses = history.train_loss
            cells.append(f"{losses[epoch - 1]:.4f}" if epoch <= len(losses) else "stopped")
        rows.append((f"epoch {epoch}", *cells))
    reasons = tuple(history.stop_reason for history in histories.values())
    rows.append(("how it ended", *reasons))
    return Table(("", *histories), tuple(rows), "The training error after selected epochs.", row_header=True)
