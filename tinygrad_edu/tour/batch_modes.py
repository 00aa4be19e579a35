"""Section 5: online, batch and mini-batch gradient descent on XOR with a small sigmoid network.

The three loops of the lecture differ only in how many examples go into one update. All three start
from the same weights and use the same η; after every epoch the error on the whole set,
E = ½Σ(t − o)² over the four examples, is measured the same way for each, so the curves compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.data import xor_gate
from tinygrad_edu.plotting.backend import pyplot
from tinygrad_edu.tour.content import Paragraph, Section, Table
from tinygrad_edu.tour.workspace import Workspace
from tinygrad_edu.training import Callback, EpochRecord, History, evaluate, fit, updates_per_epoch

TITLE = "Online, batch and mini-batch training on XOR"
MODES = {"online": 1, "mini-batch (2)": 2, "batch": None}  # name → batch_size
EPOCHS = 400
LEARNING_RATE = 3.0
HIDDEN = 4
SOLVED = 0.05  # E below this: every output is on the right side of 0.5 with a margin
MILESTONES = (1, 10, 50, 100, 200, 300, 400)


@dataclass
class WholeSetError(Callback):
    """Records E over the whole training set after each epoch (no graph is built)."""

    X: np.ndarray
    t: np.ndarray
    errors: list[float] = field(default_factory=list)

    def on_epoch_end(self, record: EpochRecord, history: History, model: Any) -> bool:
        self.errors.append(evaluate(model, nn.SquaredError(), self.X, self.t)[0])
        return False


def xor_network() -> nn.Sequential:
    """2 inputs → 4 sigmoid hidden units → 1 sigmoid output, seeded so every mode starts equal."""
    return nn.Sequential(nn.Linear(2, HIDDEN, seed=0), nn.Sigmoid(), nn.Linear(HIDDEN, 1, seed=10), nn.Sigmoid())


def build(ws: Workspace) -> Section:
    section = Section("batch-modes", TITLE, "BP and Gradient Descent; Offline and Online GD")
    X, t = xor_gate()
    t = t.reshape(-1, 1).astype(np.float64)
    runs: dict[str, list[float]] = {}
    for name, batch_size in MODES.items():
        model = xor_network()
        tracker = WholeSetError(X, t)
        fit(model, nn.SquaredError(), optim.SGD(model.parameters(), lr=LEARNING_RATE), X, t, epochs=EPOCHS,
            batch_size=batch_size, seed=0, progress=False, callbacks=[tracker])
        runs[name] = tracker.errors
    section.add(
        Paragraph(
            "A hidden layer lets a network bend its decision boundary, so XOR becomes learnable. We train a "
            f"2-{HIDDEN}-1 sigmoid network three ways, from the same starting weights with the same η = "
            f"{LEARNING_RATE:g}, for {EPOCHS} epochs. **Online** updates after every example (4 updates per epoch), "
            "**batch** adds up the four examples' deltas and updates once per epoch, **mini-batch** updates "
            "after every 2 examples."
        ),
        _summary_table(runs, len(X)),
        Paragraph(_reading(runs, len(X))),
        ws.plot(
            "batch_modes",
            lambda: _plot(runs, len(X)),
            "Left: E over the whole set after each epoch. Right: the same curves against the number of weight "
            "updates made so far. The dotted line is E = 0.05.",
            "online, batch and mini-batch loss curves",
        ),
        _milestone_table(runs),
    )
    return section


def _solved_at(errors: list[float]) -> int | None:
    """The first epoch after which E < SOLVED, or None."""
    below = np.flatnonzero(np.asarray(errors) < SOLVED)
    return int(below[0]) + 1 if below.size else None


def _summary_table(runs: dict[str, list[float]], n: int) -> Table:
    rows = []
    for name, errors in runs.items():
        per_epoch = updates_per_epoch(n, MODES[name])
        solved = _solved_at(errors)
        rows.append((
            name,
            str(MODES[name] or n),
            str(per_epoch),
            "–" if solved is None else str(solved),
            "–" if solved is None else str(solved * per_epoch),
            f"{errors[-1]:.5f}",
        ))
    return Table(
        ("mode", "batch size", "updates per epoch", f"epochs to E < {SOLVED}", f"updates to E < {SOLVED}",
         f"E after {EPOCHS} epochs"),
        tuple(rows),
        "The three loops side by side (– : E stayed above the threshold).",
        row_header=True,
    )


def _reading(runs: dict[str, list[float]], n: int) -> str:
    """What the table shows, in words that follow the measured numbers."""
    solved_at = {name: _solved_at(errors) for name, errors in runs.items()}
    solved = {name: epoch for name, epoch in solved_at.items() if epoch is not None}
    if len(solved) < len(solved_at):
        return (
            "Not every mode got XOR right within the epochs given: sigmoid networks often sit on a plateau "
            "(E ≈ 0.5, every output near 0.5) before they find the way down."
        )
    updates = {name: epoch * updates_per_epoch(n, MODES[name]) for name, epoch in solved.items()}
    fewest_updates = min(updates, key=updates.__getitem__)
    fewest_epochs = min(solved, key=solved.__getitem__)
    if fewest_updates == fewest_epochs:
        race = (
            f"Here {fewest_epochs} training needed both the fewest epochs ({solved[fewest_epochs]}) and the fewest "
            f"weight updates ({updates[fewest_updates]})"
        )
    else:
        race = (
            f"Counted in epochs, {fewest_epochs} training got there first ({solved[fewest_epochs]}); counted in "
            f"weight updates, {fewest_updates} training needed the fewest ({updates[fewest_updates]})"
        )
    return (
        f"All three learn XOR. {race}. Each online step follows one example's gradient, only an estimate of the "
        "whole set's, so its curve wobbles; the batch step follows the exact gradient of E = Σ E_d (the lecture's "
        "accumulated deltas), one step per epoch. Which wins depends on the problem and on η: the lecture's "
        "advice is that online training needs smaller learning rates, batch training tolerates larger ones."
    )


def _milestone_table(runs: dict[str, list[float]]) -> Table:
    epochs = [e for e in MILESTONES if e <= EPOCHS]
    rows = tuple((f"epoch {e}", *(f"{runs[name][e - 1]:.5f}" for name in runs)) for e in epochs)
    return Table(("", *runs), rows, "E over the four examples after selected epochs.", row_header=True)


def _plot(runs: dict[str, list[float]], n: int) -> Any:
    plt = pyplot()
    fig, (by_epoch, by_update) = plt.subplots(1, 2, figsize=(10.0, 3.8), sharey=True)
    for name, errors in runs.items():
        epochs = np.arange(1, len(errors) + 1)
        by_epoch.plot(epochs, errors, label=name, linewidth=1.6)
        by_update.plot(epochs * updates_per_epoch(n, MODES[name]), errors, label=name, linewidth=1.6)
    by_epoch.set_xlabel("epoch")
    by_update.set_xlabel("weight updates")
    by_epoch.set_ylabel("E = ½Σ(t − o)² over the 4 examples")
    for ax in (by_epoch, by_update):
        ax.axhline(SOLVED, color="gray", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    by_epoch.legend()
    fig.suptitle(f"XOR, 2-{HIDDEN}-1 sigmoid network, η = {LEARNING_RATE:g}")
    fig.tight_layout()
    return fig
