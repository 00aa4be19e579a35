"""Choosing η by k-fold cross-validation and the start by random restarts."""

import numpy as np
import pytest

from tinygrad_edu import data, nn, optim
from tinygrad_edu.nn import functional as F
from tinygrad_edu.training import (
    CrossValidationResult,
    RestartsResult,
    cross_validate,
    evaluate,
    fit,
    k_fold_indices,
    random_restarts,
)

GRID = [0.001, 0.1, 50.0]  # too small, about right, far too large for 5 epochs of SGD


@pytest.fixture(scope="module")
def digits_300():
    digits = data.load_digits()
    (X, y), _, _ = data.train_val_test_split(digits.X, digits.y, val_size=0, test_size=1497, stratify=True, seed=2)
    return data.standardize(X)[0], y


def make_digits_net(seed):
    return nn.Sequential(nn.Linear(64, 16, seed=seed), nn.Tanh(), nn.Linear(16, 10, seed=seed + 1000))


def run_cv(X, y, seed=0):
    return cross_validate(make_digits_net, X, y, F.cross_entropy, GRID, k=3, epochs=5, batch_size=20, seed=seed)


# ---------------------------------------------------------------------- k folds
@pytest.mark.parametrize("n, k", [(10, 2), (11, 3), (7, 7), (300, 5)])
def test_k_fold_indices_partition_the_examples(n, k):
    folds = k_fold_indices(n, k, seed=4)
    assert len(folds) == k
    validation = np.concatenate([val for _, val in folds])
    assert sorted(validation.tolist()) == list(range(n))  # each example validates exactly once
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert not set(train) & set(val)
        assert sorted(np.concatenate([train, val]).tolist()) == list(range(n))
    again = k_fold_indices(n, k, seed=4)
    assert all(np.array_equal(a, c) and np.array_equal(b, d) for (a, b), (c, d) in zip(folds, again))


@pytest.mark.parametrize("k", [1, 0, 12])
def test_k_outside_two_to_n_is_refused(k):
    with pytest.raises(ValueError, match="2 ≤ k"):
        k_fold_indices(11, k)


@pytest.mark.parametrize("k", [2.5, 2.0, "3", True])
def test_k_must_be_a_whole_number(k):
    with pytest.raises(TypeError, match="whole number of folds"):
        k_fold_indices(11, k)


# ---------------------------------------------------------------------- cross-validation
def test_cross_validation_picks_eta_from_the_grid_with_a_table_of_mean_and_std(digits_300):
    X, y = digits_300
    result = run_cv(X, y)
    assert isinstance(result, CrossValidationResult)
    assert result.learning_rates == GRID
    assert result.fold_scores.shape == (3, 3)
    assert result.best_lr == 0.1 == GRID[int(np.argmin(result.fold_scores.mean(axis=1)))]
    rows = result.rows()
    assert [lr for lr, _, _ in rows] == GRID
    for (_, mean, std), scores in zip(rows, result.fold_scores):
        assert mean == pytest.approx(np.mean(scores), rel=1e-15) and std == pytest.approx(np.std(scores), rel=1e-15)
    table = str(result).splitlines()
    assert "mean ± std" in table[0] and "3 folds" in table[0]
    assert len(table) == 4
    assert table[2].split()[0] == "0.1" and table[2].endswith("← best")
    assert sum("← best" in line for line in table) == 1
    mean, std = f"{rows[0][1]:.6f}", f"{rows[0][2]:.6f}"
    assert f"{mean} ± {std}" in table[1]
    assert all(len(h) == 3 for h in result.histories.values())


def test_cross_validation_is_deterministic_for_a_fixed_seed(digits_300):
    X, y = digits_300
    first, second = run_cv(X, y, seed=0), run_cv(X, y, seed=0)
    assert np.array_equal(first.fold_scores, second.fold_scores)
    assert first.best_lr == second.best_lr and str(first) == str(second)
    other = run_cv(X, y, seed=1)  # other folds and other starting weights
    assert not np.array_equal(first.fold_scores, other.fold_scores)


def test_each_fold_score_is_the_loss_on_the_held_out_fold_of_a_fresh_model(digits_300):
    X, y = digits_300
    result = run_cv(X, y, seed=3)
    train_idx, val_idx = k_fold_indices(len(X), 3, seed=3)[1]
    model = make_digits_net(3 + 1)  # fold i starts from make_model(seed + i) for every η
    fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), X[train_idx], y[train_idx], 5,
        batch_size=20, seed=3 + 1, progress=False)
    assert result.fold_scores[1, 1] == evaluate(model, F.cross_entropy, X[val_idx], y[val_idx])[0]


def test_cross_validation_with_another_optimizer_and_fit_options():
    X, y = data.make_blobs(60, noise=0.4, seed=1)
    made = []

    def make_adam(params, lr):
        made.append(lr)
        return optim.Adam(params, lr=lr)

    result = cross_validate(lambda s: nn.Linear(2, 3, seed=s), X, y, F.cross_entropy, [1e-4, 0.05], k=2, epochs=4,
                            make_optimizer=make_adam, metrics=["accuracy"], seed=0)
    assert made == [1e-4, 1e-4, 0.05, 0.05]
    assert result.best_lr == 0.05
    assert "accuracy" in result.histories[0.05][0].records[-1].metrics


@pytest.mark.parametrize("grid, message", [([], "at least one"), ([0.1, 0.0], "positive"), ([-1.0], "positive")])
def test_a_bad_grid_is_refused(grid, message):
    X, y = data.make_blobs(20, seed=0)
    with pytest.raises(ValueError, match=message):
        cross_validate(lambda s: nn.Linear(2, 3, seed=s), X, y, F.cross_entropy, grid, k=2)


# ---------------------------------------------------------------------- random restarts
def xor_problem():
    X, t = data.make_xor(40, seed=3)
    return X[:30], t[:30].astype(np.float64), X[30:], t[30:].astype(np.float64)


def make_xor_net(seed):
    return nn.Sequential(nn.Linear(2, 3, seed=seed), nn.Tanh(), nn.Linear(3, 1, seed=seed + 50), nn.Sigmoid())


def test_random_restarts_keep_the_model_with_the_lowest_validation_loss():
    X, t, X_val, t_val = xor_problem()
    T, T_val = t.reshape(-1, 1), t_val.reshape(-1, 1)
    result = random_restarts(make_xor_net, X, T, F.mse_loss, (X_val, T_val), n_restarts=5, lr=0.5, epochs=20,
                             batch_size=10)
    assert isinstance(result, RestartsResult)
    assert list(result.val_losses) == [0, 1, 2, 3, 4]
    losses = result.val_losses
    assert len(set(losses.values())) == 5  # the starts really differ
    assert result.best_seed == min(losses, key=losses.get)
    assert evaluate(result.best_model, F.mse_loss, X_val, T_val)[0] == losses[result.best_seed]
    # each restart's score is what an independent run from that seed gives
    seed = max(losses, key=losses.get)
    model = make_xor_net(seed)
    fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.5), X, T, 20, batch_size=10,
        validation=(X_val, T_val), seed=seed, progress=False)
    assert evaluate(model, F.mse_loss, X_val, T_val)[0] == losses[seed]
    assert result.histories[seed].val_loss[-1] == losses[seed]
    lines = str(result).splitlines()
    assert sum("← best" in line for line in lines) == 1
    assert lines[1 + result.best_seed].split()[0] == str(result.best_seed)


def test_random_restarts_with_given_seeds_are_reproducible():
    X, t, X_val, t_val = xor_problem()
    T, T_val = t.reshape(-1, 1), t_val.reshape(-1, 1)
    runs = [random_restarts(make_xor_net, X, T, F.mse_loss, (X_val, T_val), seeds=[7, 3, 11], lr=0.5, epochs=5)
            for _ in range(2)]
    assert runs[0].val_losses == runs[1].val_losses and list(runs[0].val_losses) == [7, 3, 11]
    assert runs[0].best_seed == runs[1].best_seed
    with pytest.raises(ValueError, match="at least one"):
        random_restarts(make_xor_net, X, T, F.mse_loss, (X_val, T_val), seeds=[])


class SquareRootOfALine(nn.Module):
    """out = √(w·x + b): its loss is NaN from any start where w·x + b < 0 for some x."""

    def __init__(self, seed):
        self.line = nn.Linear(1, 1, seed=seed)

    def forward(self, x):
        return self.line(x).sqrt()


def test_random_restarts_never_keep_a_run_whose_loss_is_nan():
    X = np.linspace(0.5, 1.5, 8).reshape(-1, 1)
    T = np.sqrt(X)
    losses = {}
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        result = random_restarts(SquareRootOfALine, X, T, F.mse_loss, (X, T), seeds=[2, 0, 1, 3], lr=0.01, epochs=2)
    losses = result.val_losses
    assert any(np.isnan(v) for v in losses.values()) and any(np.isfinite(v) for v in losses.values())
    assert np.isfinite(losses[result.best_seed])
    assert losses[result.best_seed] == min(v for v in losses.values() if np.isfinite(v))


def test_repeated_seeds_or_learning_rates_are_refused():
    X, t, X_val, t_val = xor_problem()
    T, T_val = t.reshape(-1, 1), t_val.reshape(-1, 1)
    with pytest.raises(ValueError, match="repeat a seed"):
        random_restarts(make_xor_net, X, T, F.mse_loss, (X_val, T_val), seeds=[3, 3, 1], epochs=1)
    with pytest.raises(ValueError, match="repeat one"):
        cross_validate(lambda seed: nn.Linear(2, 1, seed=seed), X, T, F.mse_loss, learning_rates=[0.1, 0.1], k=2)
