"""Learning-rate schedules: change η as training goes on (PyTorch's ``torch.optim.lr_scheduler``).

Call ``scheduler.step()`` once per epoch, after the optimizer's steps; it writes the new η into each
parameter group's ``"lr"``. :class:`ReduceLROnPlateau` instead watches a validation metric:
``scheduler.step(val_loss)``. ``get_last_lr()`` returns the learning rates now in use, one per group.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu.optim.optimizer import Optimizer


class _Schedule:
    """What every schedule shares: its optimizer, ``get_last_lr`` and saving/restoring its counters."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group, as last set (or found, before the first step)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The schedule's settings and counters (everything but the optimizer, which saves itself)."""
        return {key: _copied(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue from :meth:`state_dict`'s result (load the optimizer's own state separately)."""
        unknown = sorted(set(state_dict) - set(self.__dict__))
        if unknown:
            raise ValueError(f"{type(self).__name__}.load_state_dict: unknown entries {', '.join(unknown)}")
        self.__dict__.update({key: _copied(value) for key, value in state_dict.items()})


class LRScheduler(_Schedule):
    """A schedule indexed by epoch: ``step()`` advances ``last_epoch`` and sets ``get_lr()``'s rates.

    ``base_lrs`` are the groups' learning rates when the schedule was made (kept in each group as
    ``"initial_lr"``, as PyTorch does, so that a second schedule on the same optimizer starts from them).
    """

    def __init__(self, optimizer: Optimizer) -> None:
        super().__init__(optimizer)
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        """End an epoch: ``last_epoch`` += 1, and every group's lr becomes the schedule's value."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch`` (a subclass defines them)."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr")


class StepLR(LRScheduler):
    """η ← γ·η every ``step_size`` epochs:  ηₜ = η₀ · γ^⌊t / step_size⌋.

    Like PyTorch, it multiplies the current lr (so it composes with other changes to it).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _whole(type(self).__name__, "step_size", step_size, 1)
        self.gamma = _positive(type(self).__name__, "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        if self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """η ← γ·η every epoch:  ηₜ = η₀ · γᵗ."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _positive(type(self).__name__, "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """η follows half a cosine from η₀ down to η_min over ``T_max`` epochs (SGDR without restarts):

        ηₜ = η_min + ½ (η₀ − η_min) (1 + cos(π t / T_max))

    After ``T_max`` the cosine continues, rising back towards η₀ (as in PyTorch). PyTorch computes the
    same values recursively from the previous lr (so that other lr changes compose); this is the closed
    form, which agrees with it to rounding when nothing else changes the lr.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803 (torch's name)
        self.T_max = _whole(type(self).__name__, "T_max", T_max, 1)
        self.eta_min = _nonnegative(type(self).__name__, "eta_min", eta_min)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2 for base_lr in self.base_lrs]


class ReduceLROnPlateau(_Schedule):
    """Cut η by ``factor`` when a metric (say the validation loss) has stopped improving.

    ``step(metric)`` once per epoch. A metric *improves* on the best so far when it is lower
    (``mode="min"``) or higher (``"max"``) by more than ``threshold`` — relative
    (best·(1 ∓ threshold), ``threshold_mode="rel"``) or absolute (best ∓ threshold, ``"abs"``).
    After more than ``patience`` epochs in a row without improvement, every group's lr becomes
    max(lr · factor, min_lr) (changes smaller than ``eps`` are skipped), and the count restarts after
    ``cooldown`` epochs in which bad epochs are not counted. PyTorch's rule and defaults.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        name = type(self).__name__
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0.0 < _number(name, "factor", factor) < 1.0:
            raise ValueError(f"{name}: factor must lie in (0, 1) (new lr = lr · factor), got {factor}")
        super().__init__(optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(f"{name}: got {len(min_lr)} min_lr values for {groups} parameter groups")
            self.min_lrs = [_nonnegative(name, "min_lr", value) for value in min_lr]
        else:
            self.min_lrs = [_nonnegative(name, "min_lr", min_lr)] * groups
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor = float(factor)
        self.patience = _whole(name, "patience", patience, 0)
        self.cooldown = _whole(name, "cooldown", cooldown, 0)
        self.threshold = _nonnegative(name, "threshold", threshold)
        self.eps = _nonnegative(name, "eps", eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def step(self, metrics: Any) -> None:
        """End an epoch whose metric was ``metrics`` (a number or a one-element Value/array)."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lrs()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _is_better(self, current: float) -> bool:
        if self.mode == "min":
            bar = self.best * (1 - self.threshold) if self.threshold_mode == "rel" else self.best - self.threshold
            return current < bar
        bar = self.best * (1 + self.threshold) if self.threshold_mode == "rel" else self.best + self.threshold
        return current > bar

    def _reduce_lrs(self) -> None:
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            new_lr = max(group["lr"] * self.factor, min_lr)
            if group["lr"] - new_lr > self.eps:
                group["lr"] = new_lr


# ---------------------------------------------------------------------- argument checks
def _number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def _positive(owner: str, name: str, value: Any) -> float:
    if not _number(owner, name, value) > 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value}")
    return float(value)


def _nonnegative(owner: str, name: str, value: Any) -> float:
    if not _number(owner, name, value) >= 0:
        raise ValueError(f"{owner}: {name} must be ≥ 0, got {value}")
    return float(value)


def _whole(owner: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}: {name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
