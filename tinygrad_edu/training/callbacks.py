"""Callbacks: code that runs after every epoch and may stop training. Early stopping is one."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.training.batches import is_whole_number
from tinygrad_edu.training.history import EpochRecord, History


class Callback:
    """Called after each epoch; return True from ``on_epoch_end`` to stop training.

    A callback that watches the validation loss sets ``needs_validation``, so fit refuses to start
    without a validation set instead of failing after the first epoch.
    """

    needs_validation = False

    def on_train_begin(self, model: Any) -> None:
        """Before the first epoch."""

    def on_epoch_end(self, record: EpochRecord, history: History, model: Any) -> bool:
        return False

    def on_train_end(self, history: History, model: Any) -> None:
        """After the last epoch (whatever the reason training ended)."""


def snapshot(model: Any) -> dict[str, np.ndarray]:
    """A deep copy of the model's state (its parameters' numbers)."""
    return {name: np.array(getattr(v, "data", v), copy=True) for name, v in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop when the validation loss has not improved for ``patience`` epochs — the lecture's "stop when
    validation error gets to its minimum".

    An epoch improves on the best so far when val_loss < best − ``min_delta``. With ``restore_best``
    the weights of the best epoch are put back when training ends.
    """

    needs_validation = True

    def __init__(self, patience: int = 5, min_delta: float = 0.0, restore_best: bool = True) -> None:
        if not is_whole_number(patience) or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be a whole number of epochs ≥ 1, got {patience!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, (int, float, np.number)) or not min_delta >= 0:
            raise ValueError(f"EarlyStopping: min_delta must be a number ≥ 0, got {min_delta!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.best_loss = float("inf")
        self.best_epoch: int | None = None
        self.best_state: dict[str, np.ndarray] | None = None
        self.epochs_without_improvement = 0

    def on_train_begin(self, model: Any) -> None:
        if self.restore_best and not (hasattr(model, "state_dict") and hasattr(model, "load_state_dict")):
            raise TypeError(
                f"EarlyStopping(restore_best=True) keeps the best epoch's weights with the model's state_dict() "
                f"and load_state_dict(), which a {type(model).__name__} lacks: use an nn.Module, or "
                "restore_best=False"
            )
        self.best_loss, self.best_epoch, self.best_state = float("inf"), None, None
        self.epochs_without_improvement = 0

    def on_epoch_end(self, record: EpochRecord, history: History, model: Any) -> bool:
        if record.val_loss is None:
            raise ValueError("EarlyStopping needs a validation set: pass validation=(X_val, y_val) to fit")
        if record.val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = record.val_loss, record.epoch
            if self.restore_best:
                self.best_state = snapshot(model)
            self.epochs_without_improvement = 0
            return False
        self.epochs_without_improvement += 1
        if self.epochs_without_improvement >= self.patience:
            history.stop_reason = "early stopping"
            history.message = (
                f"validation loss did not improve{f' by more than {self.min_delta:g}' if self.min_delta else ''} "
                f"for {self.patience} epochs; "
                f"best was epoch {self.best_epoch}"
            )
            return True
        return False

    def on_train_end(self, history: History, model: Any) -> None:
        history.best_epoch, history.best_val_loss = self.best_epoch, self.best_loss
        last = history.records[-1].epoch if history.records else None
        moved_on = self.best_epoch != last or history.stop_reason == "diverged"  # a diverged epoch changed them
        if self.restore_best and self.best_state is not None and moved_on:
            model.load_state_dict(self.best_state)
            history.restored_best = True
