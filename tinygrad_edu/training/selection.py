"""Choosing what training cannot learn by itself: η by k-fold cross-validation, and the starting
point by random restarts (the lecture: "select initial random weights a few times")."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinygrad_edu.training.batches import as_rng, check_data, is_whole_number
from tinygrad_edu.training.history import History
from tinygrad_edu.training.loop import evaluate, fit

MakeModel = Callable[[int], Any]  # seed → a freshly initialized model
MakeOptimizer = Callable[[Any, float], Any]  # (parameters, η) → optimizer


def _default_optimizer(params: Any, lr: float) -> Any:
    from tinygrad_edu.optim import SGD

    return SGD(params, lr=lr)


def k_fold_indices(n: int, k: int, seed: int | np.random.Generator | None = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, validation) index pairs: the shuffled examples cut into k folds, each fold validating once."""
    if not is_whole_number(k):
        raise TypeError(f"k-fold cross-validation needs a whole number of folds k, got {k!r}")
    if not 2 <= k <= n:
        raise ValueError(f"k-fold cross-validation needs 2 ≤ k ≤ number of examples ({n}), got k={k}")
    order = as_rng(seed).permutation(n)
    folds = np.array_split(order, k)
    return [(np.concatenate(folds[:i] + folds[i + 1 :]), folds[i]) for i in range(k)]


@dataclass
class CrossValidationResult:
    """Validation loss per η and fold; ``best_lr`` has the lowest mean."""

    learning_rates: list[float]
    fold_scores: np.ndarray  # shape (len(learning_rates), k)
    best_lr: float
    histories: dict[float, list[History]] = field(default_factory=dict)

    @property
    def mean(self) -> np.ndarray:
        return np.mean(self.fold_scores, axis=1)

    @property
    def std(self) -> np.ndarray:
        return np.std(self.fold_scores, axis=1)

    def rows(self) -> list[tuple[float, float, float]]:
        """(η, mean, std) per learning rate."""
        return [(lr, float(m), float(s)) for lr, m, s in zip(self.learning_rates, self.mean, self.std)]

    def __str__(self) -> str:
        k = self.fold_scores.shape[1]
        lines = [f"{'η':>10}  {f'validation loss over {k} folds (mean ± std)':<40}"]
        for lr, m, s in self.rows():
            mark = "  ← best" if lr == self.best_lr else ""
            lines.append(f"{lr:>10g}  {m:.6f} ± {s:.6f}{mark}")
        return "\n".join(lines)


def cross_validate(
    make_model: MakeModel,
    X: Any,
    y: Any,
    loss_fn: Callable[..., Any],
    learning_rates: Sequence[float],
    k: int = 5,
    epochs: int = 20,
    batch_size: int | None = None,
    make_optimizer: MakeOptimizer = _default_optimizer,
    seed: int = 0,
    **fit_options: Any,
) -> CrossValidationResult:
    """Pick η by k-fold cross-validation: for each η, train a fresh model on k−1 folds and measure the
    loss on the held-out fold, k times; the best η has the lowest mean validation loss.

    Every model for fold i starts from ``make_model(seed + i)``, the same for every η, so the η's are
    compared from identical starting points. Deterministic for a fixed ``seed``.
    """
    if not learning_rates:
        raise ValueError("cross_validate: give at least one learning rate")
    if any(lr <= 0 for lr in learning_rates):
        raise ValueError(f"cross_validate: learning rates must be positive, got {list(learning_rates)}")
    if len(set(learning_rates)) != len(learning_rates):
        raise ValueError(f"cross_validate: learning rates {list(learning_rates)} repeat one (results are kept per η)")
    X_arr, y_arr = check_data(X, y)
    folds = k_fold_indices(len(X_arr), k, seed)
    scores = np.zeros((len(learning_rates), k))
    histories: dict[float, list[History]] = {}
    for row, lr in enumerate(learning_rates):
        histories[lr] = []
        for i, (train_idx, val_idx) in enumerate(folds):
            model = make_model(seed + i)
            optimizer = make_optimizer(model.parameters(), lr)
            fit_options.setdefault("progress", False)
            history = fit(
                model, loss_fn, optimizer, X_arr[train_idx], y_arr[train_idx], epochs,
                batch_size=batch_size, seed=seed + i, **fit_options,
            )
            scores[row, i] = evaluate(model, loss_fn, X_arr[val_idx], y_arr[val_idx])[0]
            histories[lr].append(history)
    mean = np.mean(scores, axis=1)
    mean = np.where(np.isfinite(mean), mean, np.inf)
    best = list(learning_rates)[int(np.argmin(mean))]
    return CrossValidationResult(list(learning_rates), scores, best, histories)


@dataclass
class RestartsResult:
    """The best of several trainings from different random starting weights."""

    best_model: Any
    best_seed: int
    val_losses: dict[int, float]
    histories: dict[int, History]

    def __str__(self) -> str:
        lines = [f"{'seed':>6}  validation loss"]
        for seed, loss in self.val_losses.items():
            mark = "  ← best" if seed == self.best_seed else ""
            lines.append(f"{seed:>6}  {loss:.6f}{mark}")
        return "\n".join(lines)


def _better(loss: float, best: float) -> bool:
    """Is ``loss`` lower than ``best``? A NaN loss (a run that diverged) is never lower, and any number beats NaN."""
    return not math.isnan(loss) and (math.isnan(best) or loss < best)


def random_restarts(
    make_model: MakeModel,
    X: Any,
    y: Any,
    loss_fn: Callable[..., Any],
    validation: tuple[Any, Any],
    n_restarts: int = 5,
    lr: float = 0.1,
    epochs: int = 20,
    make_optimizer: MakeOptimizer = _default_optimizer,
    seeds: Sequence[int] | None = None,
    **fit_options: Any,
) -> RestartsResult:
    """Train from ``n_restarts`` seeded initializations; keep the model with the lowest validation loss.

    Gradient descent finds the minimum nearest its start; several starts give several chances that one
    lies near a better (perhaps the global) minimum.
    """
    seeds = list(seeds) if seeds is not None else list(range(n_restarts))
    if not seeds:
        raise ValueError("random_restarts: needs at least one restart")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"random_restarts: seeds {seeds} repeat a seed (each restart is kept under its seed)")
    fit_options.setdefault("progress", False)
    val_losses: dict[int, float] = {}
    histories: dict[int, History] = {}
    best_model, best_seed = None, seeds[0]
    for seed in seeds:
        model = make_model(seed)
        optimizer = make_optimizer(model.parameters(), lr)
        histories[seed] = fit(model, loss_fn, optimizer, X, y, epochs, validation=validation, seed=seed, **fit_options)
        val_losses[seed] = evaluate(model, loss_fn, *validation)[0]
        if best_model is None or _better(val_losses[seed], val_losses[best_seed]):
            best_model, best_seed = model, seed
    return RestartsResult(best_model, best_seed, val_losses, histories)
