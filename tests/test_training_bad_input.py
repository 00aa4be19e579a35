"""fit() on bad input (mismatched lengths, wrong feature counts, NaN data), a loss that blows up during
training, and the progress bar that only a terminal gets."""

import io
import sys
import warnings

import numpy as np
import pytest

from tinygrad_edu import data, nn, optim
from tinygrad_edu.nn import functional as F
from tinygrad_edu.training import EarlyStopping, TrainingDiverged, evaluate, fit


def regression(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([[1.0], [2.0], [-1.0]]) + 0.5


def numbers(model):
    return [np.array(p.data, copy=True) for p in model.parameters()]


def unchanged(model, before):
    return all(np.array_equal(a, b) for a, b in zip(numbers(model), before))


def try_fit(model, X, y, **options):
    """fit a model on bad input; the error must leave its weights alone."""
    before = numbers(model)
    options.setdefault("progress", False)
    try:
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1), X, y, 3, **options)
    finally:
        assert unchanged(model, before)


# ---------------------------------------------------------------------- bad data
def test_x_and_y_of_different_lengths():
    X, y = regression()
    with pytest.raises(ValueError, match="X has 12 examples but y has 11"):
        try_fit(nn.Linear(3, 1, seed=0), X, y[:11])
    with pytest.raises(ValueError, match="validation X has 4 examples but y has 3"):
        try_fit(nn.Linear(3, 1, seed=0), X, y, validation=(X[:4], y[:3]))


def test_a_tensor_net_with_the_wrong_feature_count_gets_an_error_naming_the_shapes():
    X, y = regression()
    with pytest.raises(ValueError) as info:
        try_fit(nn.Sequential(nn.Linear(4, 2, seed=0), nn.Tanh(), nn.Linear(2, 1, seed=1)), X, y, batch_size=5)
    message = str(info.value)
    assert "shape (5, 3)" in message and "number of features, 3" in message and "in_features=4" in message


def test_a_scalar_net_with_the_wrong_feature_count_gets_an_error_naming_the_shapes():
    X, y = regression()
    with pytest.raises(ValueError) as info:
        try_fit(nn.MLP(2, [3, 1], seed=0), X, y.ravel(), batch_size=4)
    message = str(info.value)
    assert "shape (4, 3)" in message and "expected 2 inputs, got 3" in message


def test_validation_rows_unlike_the_training_rows_are_refused_before_training():
    X, y = regression()
    expected = r"validation X has rows of shape \(2,\) but training X has rows of shape \(3,\)"
    with pytest.raises(ValueError, match=expected):
        try_fit(nn.Linear(3, 1, seed=0), X, y, validation=(X[:, :2], y))


def test_validation_targets_unlike_the_training_targets_are_refused_before_training():
    X, y = regression()
    expected = r"validation y has targets of shape \(2,\) per row but training y has \(1,\)"
    with pytest.raises(ValueError, match=expected):
        try_fit(nn.Linear(3, 1, seed=0), X, y, validation=(X, np.zeros((len(X), 2))))


def test_callbacks_must_come_in_a_list():
    X, y = regression()
    with pytest.raises(TypeError, match=r"callbacks must be a list, e.g. callbacks=\[EarlyStopping"):
        try_fit(nn.Linear(3, 1, seed=0), X, y, validation=(X, y), callbacks=EarlyStopping())


def test_accuracy_in_fit_reads_plus_minus_one_off_the_training_targets():
    """A validation set that holds only +1 targets is still scored at threshold 0 (tanh outputs)."""
    X = np.array([[1.0], [2.0], [-1.0], [-2.0]])
    y = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    model = nn.Sequential(nn.Linear(1, 1, seed=0), nn.Tanh())
    model[0].weight.data, model[0].bias.data = np.array([[0.1]]), np.array([0.0])  # outputs ≈ ±0.1 to ±0.2
    history = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.0), X, y, 1,
                  validation=(X[:2], y[:2]), metrics=["accuracy"], progress=False)
    assert history.records[0].metrics == {"accuracy": 1.0, "val_accuracy": 1.0}


@pytest.mark.parametrize("where", ["X", "y", "validation X", "validation y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity_in_the_data_is_refused_naming_the_row(where, bad):
    X, y = regression()
    X_val, y_val = X[:5].copy(), y[:5].copy()
    X, y = X.copy(), y.copy()
    target = {"X": X, "y": y, "validation X": X_val, "validation y": y_val}[where]
    target[3, 0] = bad
    name = where.split()[-1]
    with pytest.raises(ValueError, match=f"{name} contains NaN or infinity \\(first at row 3\\)"):
        try_fit(nn.Linear(3, 1, seed=0), X, y, validation=(X_val, y_val))


@pytest.mark.parametrize("X, y, error, message", [
    (np.zeros((0, 3)), np.zeros((0, 1)), ValueError, "empty"),
    (np.float64(1.0), np.float64(1.0), ValueError, "one row per example"),
    (np.zeros((2, 3)), np.array([["a"], ["b"]]), TypeError, "numeric"),
])
def test_data_that_is_not_a_set_of_numeric_rows(X, y, error, message):
    with pytest.raises(error, match=message):
        try_fit(nn.Linear(3, 1, seed=0), X, y)


@pytest.mark.parametrize("options, message", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"epochs": 2.5}, "epochs must be a positive integer"),
    ({"metrics": ["f1"]}, "unknown metric 'f1'"),
    ({"validation": np.zeros((3, 3))}, "validation must be a pair"),
])
def test_bad_options_are_refused_before_training(options, message):
    X, y = regression()
    model = nn.Linear(3, 1, seed=0)
    before = numbers(model)
    epochs = options.pop("epochs", 3)
    with pytest.raises((ValueError, TypeError), match=message):
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1), X, y, epochs, progress=False, **options)
    assert unchanged(model, before)


# ---------------------------------------------------------------------- a loss that turns infinite
def first_divergence_by_hand(model, X, y, lr, batch_size, epochs):
    """The lecture's mini-batch loop written out, without shuffling: the (epoch, batch) of the first batch
    whose loss is not finite, and the weights that gave the last finite loss (those before the last step)."""
    params = model.parameters()
    last_good = None
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            for batch, start in enumerate(range(0, len(X), batch_size), start=1):
                loss = F.mse_loss(model(X[start : start + batch_size]), y[start : start + batch_size])
                if not np.isfinite(loss.item()):
                    return (epoch, batch), last_good
                last_good = numbers(model)
                model.zero_grad()
                loss.backward()
                for p in params:
                    p.data = p.data - lr * p.grad
    raise AssertionError("the hand-written loop did not diverge")


@pytest.mark.parametrize("seed, lr, batch_size", [(0, 50.0, 6), (2, 30.0, 5), (1, 100.0, 20)])
def test_a_loss_that_blows_up_stops_training_with_the_last_good_weights(seed, lr, batch_size):
    X, y = regression(n=20)
    model = nn.Linear(3, 1, seed=seed)
    with pytest.warns(TrainingDiverged) as caught:
        history = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=lr), X, y, 100, batch_size=batch_size,
                      shuffle=False, progress=False)
    (epoch, batch), last_good = first_divergence_by_hand(nn.Linear(3, 1, seed=seed), X, y, lr, batch_size, 100)
    assert epoch > 1  # it takes a few epochs to overflow: there are good weights to go back to
    assert history.stop_reason == "diverged" and history.diverged_at == (epoch, batch)
    assert history.stopped_epoch == len(history) == epoch - 1  # the broken epoch is not recorded
    message = str(caught[0].message)
    assert f"epoch {epoch}, batch {batch}" in message and "restored" in message
    assert f"epoch {epoch}, batch {batch}" in history.message and "diverged" in str(history)
    assert all(np.array_equal(a, b) for a, b in zip(numbers(model), last_good))
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())


def test_an_update_that_makes_the_weights_nan_is_undone_even_with_a_finite_loss():
    """E = Σ sqrt|o − t| is 0 at a perfect fit, but its gradient there is infinite: the step breaks w."""
    model = nn.Linear.from_weights([[2.0]], bias=0.0)
    X, y = np.array([[1.0], [2.0]]), np.array([[2.0], [4.0]])
    root_error = lambda o, t: (o - t).abs().sqrt().sum()
    with pytest.warns(TrainingDiverged, match="the update made parameters NaN or infinite at epoch 1, batch 1"):
        history = fit(model, root_error, optim.SGD(model.parameters(), lr=0.1), X, y, 5, progress=False)
    assert history.diverged_at == (1, 1) and len(history) == 0
    assert model.weight.data.tolist() == [[2.0]] and model.bias.data.tolist() == [0.0]


def test_a_loss_that_is_nan_from_the_start_leaves_the_weights_as_they_were():
    X, y = regression()
    model = nn.Linear(3, 1, seed=0)
    before = numbers(model)
    with pytest.warns(TrainingDiverged, match="the loss became nan at epoch 1, batch 1"):
        history = fit(model, lambda o, t: F.mse_loss(o, t) * np.nan, optim.SGD(model.parameters(), lr=0.1), X, y, 3,
                      progress=False)
    assert history.stop_reason == "diverged" and history.diverged_at == (1, 1)
    assert unchanged(model, before)


def test_divergence_with_early_stopping_brings_back_the_best_epoch():
    X, y = regression(n=20)
    model = nn.Linear(3, 1, seed=0)
    with pytest.warns(TrainingDiverged):
        history = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=50.0), X, y, 100, batch_size=6,
                      validation=(X[:5], y[:5]), callbacks=[EarlyStopping(patience=50)], progress=False)
    assert history.stop_reason == "diverged" and history.restored_best
    assert evaluate(model, F.mse_loss, X[:5], y[:5])[0] == history.best_val_loss == min(history.val_loss)


def test_numpy_overflow_warnings_give_way_to_the_one_clear_warning():
    X, y = regression(n=20)
    model = nn.Linear(3, 1, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=50.0), X, y, 100, batch_size=6, progress=False)
    assert [w.category for w in caught] == [TrainingDiverged]


# ---------------------------------------------------------------------- the progress bar
class FakeStderr(io.StringIO):
    def __init__(self, terminal):
        super().__init__()
        self.terminal = terminal

    def isatty(self):
        return self.terminal


def train_xor_with_output(monkeypatch, terminal, progress):
    stderr = FakeStderr(terminal)
    monkeypatch.setattr(sys, "stderr", stderr)
    X, t = data.xor_gate()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1), X, t, 4, validation=(X, t), progress=progress)
    return stderr.getvalue()


def test_a_terminal_gets_a_tqdm_bar_with_epoch_loss_and_validation_loss(monkeypatch):
    pytest.importorskip("tqdm")
    shown = train_xor_with_output(monkeypatch, terminal=True, progress=True)
    assert "4/4" in shown and "epoch" in shown  # tqdm's counter, in epochs
    assert "loss=" in shown and "val_loss=" in shown


def test_no_bar_when_output_is_not_a_terminal(monkeypatch):
    assert train_xor_with_output(monkeypatch, terminal=False, progress=True) == ""


def test_no_bar_when_progress_is_false_even_on_a_terminal(monkeypatch):
    assert train_xor_with_output(monkeypatch, terminal=True, progress=False) == ""
