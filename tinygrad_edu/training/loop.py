"""One training loop for every model, loss and optimizer — online, mini-batch or full batch.

The lecture's three pseudocode loops differ only in how many examples go into each update:

    online      batch_size=1      N updates per epoch  (w ← w − η∇E_d after each example d)
    mini-batch  batch_size=k      ⌈N/k⌉ updates per epoch
    batch       batch_size=None   1 update per epoch   (w ← w − η∇E_D after all examples)
"""

from __future__ import annotations

import functools
import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value, no_grad
from tinygrad_edu.training.batches import as_rng, check_data, epoch_batches, is_whole_number
from tinygrad_edu.training.callbacks import Callback
from tinygrad_edu.training.forward import forward_batch
from tinygrad_edu.training.history import EpochRecord, History
from tinygrad_edu.training.metrics import accuracy, default_threshold

Metric = Callable[[Any, Any], float]
BUILTIN_METRICS: dict[str, Metric] = {"accuracy": accuracy}


class TrainingDiverged(RuntimeWarning):
    """Warned when the loss turned NaN or infinite and training stopped."""


def _metric_functions(
    metrics: Sequence[str | Metric] | dict[str, Metric] | None, y_train: np.ndarray
) -> dict[str, Metric]:
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return dict(metrics)
    found: dict[str, Metric] = {}
    for m in metrics:
        if isinstance(m, str):
            if m not in BUILTIN_METRICS:
                raise ValueError(f"fit: unknown metric {m!r}; built-in metrics are {sorted(BUILTIN_METRICS)}")
            found[m] = BUILTIN_METRICS[m]
            if m == "accuracy":  # ±1 or 0/1 is read off the training targets: a validation set of only +1 is ±1
                found[m] = functools.partial(accuracy, threshold=default_threshold(y_train))
        else:
            found[getattr(m, "__name__", f"metric{len(found)}")] = m
    return found


def _current_lr(optimizer: Any) -> float | None:
    groups = getattr(optimizer, "param_groups", None)
    return float(groups[0]["lr"]) if groups else None


def _parameters(model: Any) -> list[Value]:
    return list(model.parameters())


def _save_numbers(params: list[Value]) -> list[Any]:
    return [np.array(p.data, copy=True) if isinstance(p.data, np.ndarray) else p.data for p in params]


def _all_finite(params: list[Value]) -> bool:
    return all(np.all(np.isfinite(p.data)) for p in params)


def _restore_numbers(params: list[Value], saved: list[Any]) -> None:
    for p, numbers in zip(params, saved):
        p.data = numbers.copy() if isinstance(numbers, np.ndarray) else numbers


def evaluate(model: Any, loss_fn: Callable[[Value, Any], Value], X: Any, y: Any) -> tuple[float, Value]:
    """Loss and outputs on a whole data set, without recording a graph."""
    X_arr = np.asarray(X)
    X_arr = X_arr if X_arr.dtype.kind == "f" else X_arr.astype(np.float64)  # a float32 set stays float32, as in fit
    with no_grad():
        outputs = forward_batch(model, X_arr)
        return float(loss_fn(outputs, y).item()), outputs


def _progress_bar(epochs: int, progress: bool) -> Any:
    """A tqdm bar over the epochs, or None when progress is off or output is not a terminal."""
    if not progress or not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=epochs, unit="epoch", leave=True)


def fit(
    model: Any,
    loss_fn: Callable[[Value, Any], Value],
    optimizer: Any,
    X: Any,
    y: Any,
    epochs: int,
    batch_size: int | None = None,
    validation: tuple[Any, Any] | None = None,
    shuffle: bool = True,
    seed: int | np.random.Generator | None = 0,
    callbacks: Sequence[Callback] = (),
    progress: bool = True,
    metrics: Sequence[str | Metric] | dict[str, Metric] | None = None,
    scheduler: Any = None,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs and return its :class:`History`.

    Each update: forward a batch, E = loss_fn(outputs, targets), zero the gradients, backward,
    ``optimizer.step()``. After each epoch the history records the loss E on the whole training set
    (measured once the epoch's updates are done, so online, mini-batch and full-batch runs report the
    same quantity whatever the loss's reduction), the validation loss (when ``validation=(X_val,
    y_val)`` is given), the metrics on both sets, η, the number of updates and the time. Shuffling
    uses ``seed`` only, so the same call gives the same run.

    If the loss turns NaN or infinite (or an update makes a parameter so), training stops, the
    parameters go back to the last values that gave a finite loss, a :class:`TrainingDiverged` warning
    says at which epoch and batch, the history's ``stop_reason`` is "diverged" and its ``diverged_at``
    holds (epoch, batch).
    """
    if not is_whole_number(epochs) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    X_arr, y_arr = check_data(X, y)
    val = _checked_validation(validation, X_arr, y_arr)
    if isinstance(callbacks, Callback):
        raise TypeError(f"fit: callbacks must be a list, e.g. callbacks=[{type(callbacks).__name__}(...)]")
    for callback in callbacks:
        if val is None and getattr(callback, "needs_validation", False):
            raise ValueError(
                f"fit: {type(callback).__name__} watches the validation loss: pass validation=(X_val, y_val)"
            )
    metric_fns = _metric_functions(metrics, y_arr)
    rng = as_rng(seed)
    params = _parameters(model)
    history = History()
    for callback in callbacks:
        callback.on_train_begin(model)
    bar = _progress_bar(epochs, progress)
    last_good: list[Any] | None = None
    try:
        # overflow turns into inf or NaN, which is caught below and explained in one clear warning
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()
                if hasattr(model, "train"):
                    model.train()
                updates = 0
                for batch_index, (xb, yb) in enumerate(epoch_batches(X_arr, y_arr, batch_size, shuffle, rng), start=1):
                    outputs = _forward_checked(model, xb, epoch, batch_index)
                    loss = loss_fn(outputs, yb)
                    value = loss.item()
                    if not math.isfinite(value):
                        return _diverged(history, params, last_good, epoch, batch_index, f"the loss became {value}")
                    last_good = _save_numbers(params)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if not _all_finite(params):
                        return _diverged(
                            history, params, last_good, epoch, batch_index, "the update made parameters NaN or infinite"
                        )
                    updates += 1
                if hasattr(model, "eval"):
                    model.eval()
                train_loss, train_out = evaluate(model, loss_fn, X_arr, y_arr)
                record = EpochRecord(
                    epoch=epoch, train_loss=train_loss, val_loss=None, metrics={}, lr=_current_lr(optimizer),
                    updates=updates, seconds=0.0,
                )
                record.metrics.update({name: fn(train_out, y_arr) for name, fn in metric_fns.items()})
                if val is not None:
                    record.val_loss, val_out = evaluate(model, loss_fn, *val)
                    record.metrics.update({f"val_{name}": fn(val_out, val[1]) for name, fn in metric_fns.items()})
                record.seconds = time.perf_counter() - started
                history.records.append(record)
                history.stopped_epoch = epoch
                _note_best(history, record)
                if scheduler is not None:
                    _step_scheduler(scheduler, record)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{record.train_loss:.4g}", val_loss=f"{record.val_loss:.4g}" if val else "-")
                if any([callback.on_epoch_end(record, history, model) for callback in callbacks]):
                    break
    finally:
        if bar is not None:
            bar.close()
        for callback in callbacks:
            callback.on_train_end(history, model)
    return history


def _checked_validation(
    validation: tuple[Any, Any] | None, X_train: np.ndarray, y_train: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The validation pair, checked like the training data; its rows (inputs and targets) must look like
    the training rows, so that a mismatch is refused before any update, not after the first epoch."""
    if validation is None:
        return None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError("fit: validation must be a pair (X_val, y_val)")
    X_val, y_val = check_data(*validation, what="validation")
    if X_val.shape[1:] != X_train.shape[1:]:
        raise ValueError(
            f"fit: validation X has rows of shape {X_val.shape[1:]} but training X has rows of shape "
            f"{X_train.shape[1:]} (X of shape {X_val.shape} vs {X_train.shape})"
        )
    if y_val.shape[1:] != y_train.shape[1:]:
        raise ValueError(
            f"fit: validation y has targets of shape {y_val.shape[1:]} per row but training y has "
            f"{y_train.shape[1:]} (y of shape {y_val.shape} vs {y_train.shape})"
        )
    return X_val, y_val


def _forward_checked(model: Any, xb: np.ndarray, epoch: int, batch: int) -> Value:
    try:
        return forward_batch(model, xb)
    except (ValueError, TypeError, IndexError) as err:
        if epoch == 1 and batch == 1:
            raise ValueError(
                f"fit: the model could not process a batch of X with shape {xb.shape} "
                f"(does the number of features, {xb.shape[-1]}, match the model's inputs?): {err}"
            ) from err
        raise


def _note_best(history: History, record: EpochRecord) -> None:
    score = record.val_loss if record.val_loss is not None else record.train_loss
    if history.best_val_loss is None or score < history.best_val_loss:
        history.best_epoch, history.best_val_loss = record.epoch, score


def _step_scheduler(scheduler: Any, record: EpochRecord) -> None:
    """ReduceLROnPlateau watches a loss; the other schedules just count epochs."""
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(record.val_loss if record.val_loss is not None else record.train_loss)
    else:
        scheduler.step()


def _diverged(
    history: History, params: list[Value], last_good: list[Any] | None, epoch: int, batch: int, what: str
) -> History:
    """Stop: put back the parameters of the last finite loss, record where, and warn."""
    if last_good is not None:
        _restore_numbers(params, last_good)
    history.stop_reason = "diverged"
    history.diverged_at = (epoch, batch)
    history.message = (
        f"{what} at epoch {epoch}, batch {batch}; the parameters were restored to the last "
        "values that gave a finite loss (try a smaller learning rate)"
    )
    warnings.warn(f"fit: {history.message}", TrainingDiverged, stacklevel=3)
    return history
