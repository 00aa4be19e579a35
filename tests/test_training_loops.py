"""fit(): the lecture's online / mini-batch / batch loops as one switch, with tensor and scalar networks,
every loss of nn.functional, seeded reproducibility, and the digits set."""

import math

import numpy as np
import pytest

from tinygrad_edu import data, nn, optim
from tinygrad_edu.nn import functional as F
from tinygrad_edu.training import History, accuracy, evaluate, fit, updates_per_epoch
from tinygrad_edu.training.forward import forward_batch, takes_one_example


class CountingSGD(optim.SGD):
    """SGD that counts its own steps, to check the History's ``updates`` independently."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = 0

    def step(self, closure=None):
        self.steps += 1
        return super().step(closure)


def linear_regression(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    return X, y


def tensor_xor_net(seed, hidden=4):
    return nn.Sequential(
        nn.Linear(2, hidden, seed=seed), nn.Sigmoid(), nn.Linear(hidden, 1, seed=seed + 100), nn.Sigmoid()
    )


def weights(model):
    return [np.array(p.data, copy=True) for p in model.parameters()]


# ---------------------------------------------------------------------- updates per epoch
@pytest.mark.parametrize(
    "batch_size, expected",
    [(1, 10), (None, 1), (10, 1), (25, 1), (3, 4), (4, 3), (5, 2)],
    ids=["online", "batch-None", "batch-N", "batch>N", "mini-3", "mini-4", "mini-5"],
)
def test_updates_per_epoch_are_n_one_and_ceil_n_over_k(batch_size, expected):
    X, y = linear_regression(n=10)
    model = nn.Linear(3, 1, seed=0)
    optimizer = CountingSGD(model.parameters(), lr=0.01)
    history = fit(model, F.mse_loss, optimizer, X, y, epochs=3, batch_size=batch_size, progress=False)
    assert history.column("updates") == [expected] * 3
    assert optimizer.steps == 3 * expected
    assert updates_per_epoch(10, batch_size) == expected == math.ceil(10 / min(batch_size or 10, 10))


@pytest.mark.parametrize("batch_size", [0, -2, 1.5, True, "4"])
def test_a_batch_size_that_is_not_a_positive_integer_is_refused(batch_size):
    X, y = linear_regression()
    model = nn.Linear(3, 1, seed=0)
    before = weights(model)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1), X, y, 2, batch_size=batch_size, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights(model)))


@pytest.mark.parametrize("shuffle", [True, False])
def test_every_example_is_seen_once_per_epoch_in_batches_of_k(shuffle):
    X = np.arange(11, dtype=np.float64).reshape(11, 1)
    y = np.arange(11, dtype=np.float64).reshape(11, 1)
    seen = []

    def recording_loss(outputs, targets):
        if len(targets) < len(X):  # the end-of-epoch evaluation sees the whole set: not a batch
            seen.append(np.asarray(targets).ravel().astype(int).tolist())
        return F.mse_loss(outputs, targets)

    model = nn.Linear(1, 1, seed=0)
    fit(model, recording_loss, optim.SGD(model.parameters(), lr=1e-4), X, y, 3, batch_size=4,
        shuffle=shuffle, seed=7, progress=False)
    epochs = [seen[i : i + 3] for i in range(0, 9, 3)]
    for batches in epochs:
        assert [len(b) for b in batches] == [4, 4, 3]
        assert sorted(sum(batches, [])) == list(range(11))
    orders = [sum(batches, []) for batches in epochs]
    if shuffle:
        assert len({tuple(o) for o in orders}) == 3  # a fresh order every epoch
    else:
        assert orders == [list(range(11))] * 3


# ---------------------------------------------------------------------- the three loops, written out by hand
def test_online_training_is_one_sgd_step_per_example_as_in_the_lectures_loop():
    X, y = linear_regression(n=6)
    model, reference = nn.Linear(3, 1, seed=3), nn.Linear(3, 1, seed=3)
    fit(model, F.squared_error, optim.SGD(model.parameters(), lr=0.05), X, y, 2, batch_size=1, shuffle=False,
        progress=False)
    for _ in range(2):
        for x_d, t_d in zip(X, y):  # w ← w − η ∇E_d after each example d
            E_d = F.squared_error(reference(x_d[None, :]), t_d[None, :])
            reference.zero_grad()
            E_d.backward()
            for p in reference.parameters():
                p.data = p.data - 0.05 * p.grad
    assert all(np.array_equal(a, b) for a, b in zip(weights(model), weights(reference)))


def test_batch_training_is_one_step_on_the_whole_sets_gradient():
    X, y = linear_regression(n=6)
    model, reference, shuffled = nn.Linear(3, 1, seed=3), nn.Linear(3, 1, seed=3), nn.Linear(3, 1, seed=3)
    history = fit(model, F.squared_error, optim.SGD(model.parameters(), lr=0.02), X, y, 3, batch_size=None,
                  shuffle=False, progress=False)
    fit(shuffled, F.squared_error, optim.SGD(shuffled.parameters(), lr=0.02), X, y, 3, progress=False)
    losses = []
    for _ in range(3):  # w ← w − η ∇E_D, E_D = Σ_d E_d
        E = F.squared_error(reference(X), y)
        reference.zero_grad()
        E.backward()
        for p in reference.parameters():
            p.data = p.data - 0.02 * p.grad
        losses.append(F.squared_error(reference(X), y).item())
    assert all(np.array_equal(a, b) for a, b in zip(weights(model), weights(reference)))
    # shuffling one full batch only changes the order of the sum: equal up to rounding
    assert all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(weights(shuffled), weights(reference)))
    # the recorded training loss is E on the whole training set after the epoch's update
    assert history.train_loss == pytest.approx(losses, rel=1e-12)


# ---------------------------------------------------------------------- XOR in every mode
@pytest.mark.parametrize("batch_size, epochs", [(1, 250), (2, 400), (None, 800)], ids=["online", "mini", "batch"])
def test_a_sigmoid_mlp_solves_xor_online_minibatch_and_batch(batch_size, epochs):
    X, t = data.xor_gate()
    T = t.reshape(4, 1).astype(np.float64)
    model = tensor_xor_net(seed=1)
    optimizer = CountingSGD(model.parameters(), lr=3.0)
    history = fit(model, F.mse_loss, optimizer, X, T, epochs, batch_size=batch_size, seed=1, progress=False,
                  metrics=["accuracy"])
    assert optimizer.steps == epochs * updates_per_epoch(4, batch_size)
    assert history.column("updates")[-1] == {1: 4, 2: 2, None: 1}[batch_size]
    _, outputs = evaluate(model, F.mse_loss, X, T)
    assert accuracy(outputs, T) == 1.0
    assert np.max(np.abs(outputs.numpy() - T)) < 0.25
    assert history.column("accuracy")[-1] == 1.0
    assert history.train_loss[-1] < 0.05 < history.train_loss[0]


def test_a_scalar_micrograd_style_mlp_solves_xor_through_fit():
    X, t = data.xor_gate()
    model = nn.MLP(2, [4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    assert takes_one_example(model)
    history = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=3.0), X, t.astype(np.float64), 250,
                  batch_size=1, progress=False)
    _, outputs = evaluate(model, F.mse_loss, X, t.astype(np.float64))
    assert outputs.shape == (4,)
    assert accuracy(outputs, t) == 1.0
    assert history.train_loss[-1] < 0.05


def test_scalar_and_tensor_networks_are_told_apart_by_their_real_classes():
    assert takes_one_example(nn.MLP(2, [3, 1]))
    assert takes_one_example(nn.Layer(2, 3))
    assert takes_one_example(nn.Neuron(2))
    assert takes_one_example(nn.Sequential(nn.Layer(2, 3, activation="tanh"), nn.Layer(3, 1)))
    assert not takes_one_example(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)))
    assert not takes_one_example(nn.Linear(2, 1))
    # a scalar net's batch output: one row per example, one column per output unit
    X = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0]])
    scalar = nn.MLP(2, [3, 2], seed=0)
    out = forward_batch(scalar, X)
    assert out.shape == (3, 2)
    assert np.array_equal(out.numpy()[1], np.array([v.data for v in scalar(list(X[1]))]))
    stacked = nn.Sequential(nn.Layer(2, 3, activation="tanh", seed=1), nn.Layer(3, 1, activation="linear", seed=2))
    assert forward_batch(stacked, X).shape == (3,)


# ---------------------------------------------------------------------- every loss, both kinds of network
def blobs(n=30):
    X, y = data.make_blobs(n, noise=0.3, seed=0, n_classes=3)
    return X, y


def two_classes(n=30):
    return data.make_linearly_separable(n, seed=2, margin=0.2)


def tensor_net(n_out):
    return nn.Sequential(nn.Linear(2, 6, seed=0), nn.Tanh(), nn.Linear(6, n_out, seed=1))


def scalar_net(n_out):
    return nn.MLP(2, [6, n_out], activation="tanh", seed=0)


def as_column(y, dtype=np.float64):
    return y.reshape(-1, 1).astype(dtype)


LOSS_CASES = {
    # name: (loss, dataset, model builder, n_out, how the targets are shaped for the model)
    "cross_entropy-tensor": (F.cross_entropy, blobs, tensor_net, 3, lambda y: y),
    "cross_entropy-scalar": (F.cross_entropy, blobs, scalar_net, 3, lambda y: y),
    "mse_loss-tensor": (F.mse_loss, two_classes, tensor_net, 1, as_column),
    "mse_loss-scalar": (F.mse_loss, two_classes, scalar_net, 1, lambda y: y.astype(np.float64)),
    "bce_with_logits-tensor": (F.binary_cross_entropy_with_logits, two_classes, tensor_net, 1, as_column),
    "bce_with_logits-scalar": (F.binary_cross_entropy_with_logits, two_classes, scalar_net, 1, lambda y: y),
    "squared_error-tensor": (F.squared_error, two_classes, tensor_net, 1, as_column),
    "squared_error-scalar": (F.squared_error, two_classes, scalar_net, 1, lambda y: y),
    "hinge-tensor": (F.hinge_loss, two_classes, tensor_net, 1, lambda y: as_column(2 * y - 1)),
    "hinge-scalar": (F.hinge_loss, two_classes, scalar_net, 1, lambda y: 2 * y - 1),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_fit_trains_with_every_loss_of_nn_functional_on_tensor_and_scalar_nets(case):
    loss_fn, dataset, build, n_out, shape_targets = LOSS_CASES[case]
    X, labels = dataset()
    y = shape_targets(labels)
    model = build(n_out)
    lr = 0.01 if loss_fn is F.squared_error else 0.1  # E = ½Σ(t − o)² sums over the batch: a smaller η
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=lr, momentum=0.9), X, y, 15, batch_size=10,
                  progress=False, metrics=["accuracy"])
    assert history.stop_reason == "completed" and len(history) == 15
    assert history.train_loss[-1] < 0.6 * history.train_loss[0]
    threshold = 0.0 if loss_fn is F.binary_cross_entropy_with_logits else None  # logits: σ(s) ≥ ½ ⇔ s ≥ 0
    _, outputs = evaluate(model, loss_fn, X, y)
    assert accuracy(outputs, y, threshold=threshold) >= 0.9
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())


def test_a_target_shape_that_does_not_fit_the_outputs_gets_the_losss_clear_error():
    X, y = two_classes()
    model = tensor_net(1)  # outputs (N, 1); targets (N,) would broadcast to (N, N)
    with pytest.raises(ValueError, match=r"shape \(10, 1\).*target has shape \(10,\)"):
        fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.1), X, y, 1, batch_size=10, progress=False)


# ---------------------------------------------------------------------- the History
def test_history_records_each_epoch_with_loss_validation_metrics_lr_updates_and_time():
    X, y = blobs(45)
    model = tensor_net(3)
    optimizer = optim.SGD(model.parameters(), lr=0.2)
    scheduler = optim.StepLR(optimizer, step_size=2, gamma=0.5)
    history = fit(model, F.cross_entropy, optimizer, X[:30], y[:30], 5, batch_size=8, validation=(X[30:], y[30:]),
                  metrics=["accuracy"], scheduler=scheduler, progress=False)
    assert isinstance(history, History)
    assert history.epochs == [1, 2, 3, 4, 5]
    assert history.column("lr") == [0.2, 0.2, 0.1, 0.1, 0.05]  # η used in each epoch, StepLR halving every 2
    assert history.column("updates") == [4] * 5
    assert all(r.seconds > 0 for r in history.records)
    assert set(history.records[0].metrics) == {"accuracy", "val_accuracy"}
    final_val, outputs = evaluate(model, F.cross_entropy, X[30:], y[30:])
    assert history.val_loss[-1] == final_val
    assert history.column("val_accuracy")[-1] == accuracy(outputs, y[30:])
    assert history.stopped_epoch == 5 and history.stop_reason == "completed"
    assert history.best_val_loss == min(history.val_loss)
    assert history.best_epoch == history.epochs[int(np.argmin(history.val_loss))]
    table = str(history)
    assert table.splitlines()[0].split() == ["epoch", "train", "loss", "val", "loss", "accuracy", "val_accuracy"]
    assert len(table.splitlines()) == 7 and "← best" in table and "completed" in table


# ---------------------------------------------------------------------- reproducibility
def run_once(seed):
    X, y = blobs(40)
    model = tensor_net(3)
    history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.05), X[:30], y[:30], 6, batch_size=7,
                  validation=(X[30:], y[30:]), seed=seed, metrics=["accuracy"], progress=False)
    return history, weights(model)


def comparable(history):
    return [(r.epoch, r.train_loss, r.val_loss, r.metrics, r.lr, r.updates) for r in history.records]


def test_the_same_call_twice_gives_bit_identical_histories_and_weights():
    (first, w1), (second, w2) = run_once(seed=5), run_once(seed=5)
    assert comparable(first) == comparable(second)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    other, _ = run_once(seed=6)  # another seed shuffles differently
    assert other.train_loss != first.train_loss


def test_scalar_network_runs_are_reproducible_too():
    X, t = data.xor_gate()

    def run():
        model = nn.MLP(2, [3, 1], activation="tanh", seed=4)
        h = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=0.3), X, t, 5, batch_size=2, seed=9,
                progress=False)
        return comparable(h), [p.data for p in model.parameters()]

    assert run() == run()


def test_fit_never_touches_numpys_global_random_state():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    run_once(seed=0)
    assert np.random.random() == expected


# ---------------------------------------------------------------------- the digits set
def test_a_tensor_mlp_reaches_95_percent_test_accuracy_on_the_digits():
    digits = data.load_digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = data.train_val_test_split(
        digits.X, digits.y, val_size=0.15, test_size=0.15, stratify=True, seed=0
    )
    X_train, X_val, X_test, _ = data.standardize(X_train, X_val, X_test)
    model = nn.Sequential(nn.Linear(64, 32, seed=0), nn.ReLU(), nn.Linear(32, 10, seed=1))
    history = fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=0.01), X_train, y_train, 12,
                  batch_size=32, validation=(X_val, y_val), metrics=["accuracy"], seed=0, progress=False)
    _, outputs = evaluate(model, F.cross_entropy, X_test, y_test)
    test_accuracy = accuracy(outputs, y_test)
    assert test_accuracy >= 0.95, test_accuracy
    assert history.column("val_accuracy")[-1] >= 0.95
    assert len(y_test) == 270 and set(np.unique(y_test)) == set(range(10))


def test_the_history_table_keeps_long_metric_names_aligned():
    X, t = data.xor_gate()
    model = tensor_xor_net(seed=1)
    history = fit(model, F.mse_loss, optim.SGD(model.parameters(), lr=1.0), X, t.reshape(4, 1).astype(float), 2,
                  validation=(X, t.reshape(4, 1).astype(float)), metrics=["accuracy"], progress=False)
    header, first = str(history).splitlines()[:2]
    assert header.endswith("val_accuracy") and len(first.rstrip(" ←best")) == len(header)
