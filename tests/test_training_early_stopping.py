"""Early stopping on the validation loss: patience, min_delta, restore_best, and what the History records."""

import numpy as np
import pytest

from tinygrad_edu import data, nn, optim
from tinygrad_edu.nn import functional as F
from tinygrad_edu.training import Callback, EarlyStopping, EpochRecord, History, evaluate, fit


class Snapshots(Callback):
    """Keeps a copy of the weights after every epoch (independently of EarlyStopping's own copy)."""

    def __init__(self):
        self.by_epoch = {}

    def on_epoch_end(self, record, history, model):
        self.by_epoch[record.epoch] = [np.array(p.data, copy=True) for p in model.parameters()]
        return False


@pytest.fixture(scope="module")
def small_digits():
    """300 training digits and a large validation set: a 64-64-10 net overfits within a dozen epochs."""
    digits = data.load_digits()
    (X_train, y_train), (X_val, y_val), _ = data.train_val_test_split(
        digits.X, digits.y, val_size=300, test_size=1197, stratify=True, seed=1
    )
    X_train, X_val, _ = data.standardize(X_train, X_val)
    return X_train, y_train, X_val, y_val


def digits_net():
    return nn.Sequential(nn.Linear(64, 64, seed=0), nn.Tanh(), nn.Linear(64, 10, seed=1))


def train(small_digits, stopper, epochs=60):
    X_train, y_train, X_val, y_val = small_digits
    model, snapshots = digits_net(), Snapshots()
    history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.01), X_train, y_train, epochs,
                  batch_size=30, validation=(X_val, y_val), callbacks=[snapshots, stopper], progress=False)
    return model, history, snapshots


def test_early_stopping_restores_the_best_epochs_weights_on_the_digits(small_digits):
    model, history, snapshots = train(small_digits, EarlyStopping(patience=4))
    X_val, y_val = small_digits[2:]
    assert history.stop_reason == "early stopping"
    assert history.stopped_epoch == len(history) < 60
    val = history.val_loss
    best = int(np.argmin(val)) + 1
    assert history.best_epoch == best < history.stopped_epoch
    assert history.stopped_epoch == best + 4  # four epochs without improvement, then stop
    assert history.best_val_loss == min(val)
    assert history.restored_best
    # the restored model's validation loss is the best recorded one, to the last bit
    assert evaluate(model, F.cross_entropy, X_val, y_val)[0] == history.best_val_loss
    assert all(np.array_equal(p.data, w) for p, w in zip(model.parameters(), snapshots.by_epoch[best]))
    assert f"best was epoch {best}" in history.message and "early stopping" in str(history)


def test_without_restore_best_the_last_epochs_weights_stay(small_digits):
    model, history, snapshots = train(small_digits, EarlyStopping(patience=3, restore_best=False))
    assert history.stop_reason == "early stopping" and not history.restored_best
    last = history.stopped_epoch
    assert all(np.array_equal(p.data, w) for p, w in zip(model.parameters(), snapshots.by_epoch[last]))
    assert evaluate(model, F.cross_entropy, *small_digits[2:])[0] == history.val_loss[-1] > history.best_val_loss


def test_patience_longer_than_the_run_completes_it(small_digits):
    model, history, snapshots = train(small_digits, EarlyStopping(patience=50), epochs=10)
    assert history.stop_reason == "completed" and history.stopped_epoch == 10
    best = history.best_epoch
    assert history.val_loss[best - 1] == min(history.val_loss)
    # training ran past the best epoch, so its weights come back at the end all the same
    assert history.restored_best == (best != 10)
    assert all(np.array_equal(p.data, w) for p, w in zip(model.parameters(), snapshots.by_epoch[best]))


class ScriptedModel:
    """A stand-in model with one number as its state, so EarlyStopping can be driven epoch by epoch."""

    def __init__(self):
        self.value = 0.0

    def state_dict(self):
        return {"value": np.array(self.value)}

    def load_state_dict(self, state):
        self.value = float(state["value"])


def drive(stopper, val_losses):
    """Feed the validation losses to the callback as fit would; the model's state is the epoch number."""
    model, history = ScriptedModel(), History()
    stopper.on_train_begin(model)
    for epoch, loss in enumerate(val_losses, start=1):
        model.value = float(epoch)
        record = EpochRecord(epoch, train_loss=1.0, val_loss=loss, metrics={}, lr=0.1, updates=1, seconds=0.0)
        history.records.append(record)
        history.stopped_epoch = epoch
        if stopper.on_epoch_end(record, history, model):
            break
    stopper.on_train_end(history, model)
    return history, model


LOSSES = [1.0, 0.9, 0.89, 0.95, 0.88, 0.87, 0.86, 0.85, 0.84]


def test_min_delta_counts_only_improvements_larger_than_it():
    history, model = drive(EarlyStopping(patience=2, min_delta=0.05), LOSSES)
    # 0.9 beats 1.0 by more than 0.05; 0.89 and 0.95 do not beat 0.9 − 0.05: stop after epoch 4
    assert (history.stopped_epoch, history.best_epoch, history.best_val_loss) == (4, 2, 0.9)
    assert model.value == 2.0 and history.restored_best
    history, model = drive(EarlyStopping(patience=2, min_delta=0.0), LOSSES)
    # without min_delta every decrease counts: only epoch 4 fails to improve, so the run completes
    assert (history.stopped_epoch, history.best_epoch, history.stop_reason) == (9, 9, "completed")
    assert model.value == 9.0 and not history.restored_best


def test_an_equal_loss_is_not_an_improvement():
    history, model = drive(EarlyStopping(patience=3), [0.5, 0.5, 0.5, 0.5, 0.4])
    assert (history.stopped_epoch, history.best_epoch, model.value) == (4, 1, 1.0)


def test_the_callback_resets_between_runs():
    stopper = EarlyStopping(patience=1)
    drive(stopper, [0.1, 0.2])
    history, _ = drive(stopper, [5.0, 4.0, 4.5])  # a best of 0.1 from the last run must not linger
    assert (history.best_epoch, history.best_val_loss, history.stopped_epoch) == (2, 4.0, 3)


@pytest.mark.parametrize("options, message", [
    ({"patience": 0}, "patience"),
    ({"patience": 2.5}, "patience must be a whole number"),
    ({"patience": "3"}, "patience must be a whole number"),
    ({"min_delta": -0.1}, "min_delta"),
    ({"min_delta": float("nan")}, "min_delta must be a number ≥ 0, got nan"),
])
def test_bad_settings_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**options)


def test_early_stopping_without_a_validation_set_is_refused_before_training():
    X, y = data.make_blobs(20, seed=0)
    model = nn.Linear(2, 3, seed=0)
    before = model.weight.numpy().copy()
    with pytest.raises(ValueError, match="validation=\\(X_val, y_val\\)"):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), X, y, 5,
            callbacks=[EarlyStopping()], progress=False)
    assert np.array_equal(model.weight.numpy(), before)


class ParametersOnly:
    """A model fit can train (it has parameters() and is callable) but without a state dict."""

    def __init__(self):
        self.layer = nn.Linear(2, 3, seed=0)

    def parameters(self):
        return self.layer.parameters()

    def __call__(self, x):
        return self.layer(x)


def test_restoring_the_best_weights_needs_a_state_dict_and_says_so_before_training():
    X, y = data.make_blobs(20, seed=0)
    model = ParametersOnly()
    before = [np.array(p.data, copy=True) for p in model.parameters()]
    with pytest.raises(TypeError, match="state_dict"):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), X, y, 3, validation=(X, y),
            callbacks=[EarlyStopping()], progress=False)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), X, y, 3, validation=(X, y),
        callbacks=[EarlyStopping(restore_best=False)], progress=False)  # nothing to restore: fine
