"""Training through nn and optim: the lecture's worked example, XOR, and micrograd's two-moons demo."""

import time

import numpy as np
import pytest

from tinygrad_edu import nn, optim, worked_example
from tinygrad_edu.nn import functional as F

W1, W2, W3, W4, W5, W6, W7, W8 = worked_example.WEIGHTS
B1, B2 = worked_example.BIASES
INPUTS, TARGETS = np.array(worked_example.INPUTS), np.array(worked_example.TARGETS)

# the lecture's weights after one step of gradient descent with η = 0.5, as printed
UPDATED = ["0.149780716", "0.19956143", "0.24975114", "0.29950229",
           "0.35891648", "0.408666186", "0.511301270", "0.561370121"]


def agrees(value, printed):
    """``value`` rounded to as many decimals as the lecture printed equals the printed number."""
    return round(float(value), len(printed.split(".")[1])) == float(printed)


def tensor_network():
    """Linear(2, 2) + Sigmoid + Linear(2, 2) + Sigmoid; each layer's bias vector holds its shared b."""
    model = nn.Sequential(
        nn.Linear.from_weights([[W1, W2], [W3, W4]], bias=B1),  # h1 takes w1, w2; h2 takes w3, w4
        nn.Sigmoid(),
        nn.Linear.from_weights([[W5, W6], [W7, W8]], bias=B2),  # o1 takes w5, w6; o2 takes w7, w8
        nn.Sigmoid(),
    )
    weights = lambda: np.concatenate([model[0].weight.data.ravel(), model[2].weight.data.ravel()])  # noqa: E731
    return model, weights


def scalar_network():
    """The same network from scalar neurons, one Value per weight."""
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    model.layers[0] = nn.Layer.from_weights([[W1, W2], [W3, W4]], B1, activation="sigmoid")
    model.layers[1] = nn.Layer.from_weights([[W5, W6], [W7, W8]], B2, activation="sigmoid")
    weights = lambda: [w.data for layer in model.layers for n in layer.neurons for w in n.w]  # noqa: E731
    return model, weights


@pytest.mark.parametrize("build", [tensor_network, scalar_network])
def test_the_lectures_worked_example_one_sgd_step(build):
    model, weights = build()
    assert list(weights()) == list(worked_example.WEIGHTS)
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    error = nn.SquaredError()(model(INPUTS), TARGETS)  # E = ½ Σ (t − o)²
    assert agrees(error.item(), "0.298371109")
    optimizer.zero_grad()
    error.backward()
    optimizer.step()
    for value, printed in zip(weights(), UPDATED, strict=True):
        assert agrees(value, printed), (value, printed)


def test_the_worked_example_as_a_batch_of_one_row():
    model, weights = tensor_network()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    F.squared_error(model(INPUTS[None, :]), TARGETS[None, :]).backward()
    optimizer.step()
    assert all(agrees(v, p) for v, p in zip(weights(), UPDATED))


def test_a_tensor_mlp_learns_xor():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.Tanh(), nn.Linear(8, 1, seed=1))
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()
    start = time.perf_counter()
    for _ in range(300):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    elapsed = time.perf_counter() - start
    predictions = (model(x).data > 0).astype(float)
    assert np.array_equal(predictions, y), (predictions.ravel(), loss.item())
    assert loss.item() < 0.05
    print(f"XOR: 300 steps in {elapsed:.3f} s, final loss {loss.item():.4f}")


def two_moons(n=100, noise=0.1, seed=0):
    """Two interleaved half circles, labels −1 (upper) and +1 (lower), with Gaussian noise."""
    rng = np.random.default_rng(seed)
    upper, lower = n - n // 2, n // 2
    a, b = np.linspace(0.0, np.pi, upper), np.linspace(0.0, np.pi, lower)
    points = np.concatenate([
        np.stack([np.cos(a), np.sin(a)], axis=1),
        np.stack([1.0 - np.cos(b), 0.5 - np.sin(b)], axis=1),
    ])
    labels = np.concatenate([-np.ones(upper), np.ones(lower)])
    return points + rng.normal(0.0, noise, size=points.shape), labels


def test_a_scalar_mlp_learns_two_moons_like_micrograds_demo():
    x, y = two_moons()
    model = nn.MLP(2, [16, 16, 1], seed=1)
    params = model.parameters()
    optimizer = optim.SGD(params, lr=1.0)
    rows = x.tolist()
    steps = 60
    start = time.perf_counter()
    for k in range(steps):
        scores = [model(row) for row in rows]
        data_loss = nn.MaxMarginLoss()(scores, y)  # mean(relu(1 − y·score))
        reg_loss = 1e-4 * sum(p * p for p in params)  # L2, α = 1e-4
        loss = data_loss + reg_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.param_groups[0]["lr"] = 1.0 - 0.9 * k / 100  # micrograd's schedule
        optimizer.step()
    elapsed = time.perf_counter() - start
    accuracy = np.mean([(model(row).data > 0) == (label > 0) for row, label in zip(rows, y)])
    print(f"moons: {steps} steps in {elapsed:.2f} s ({elapsed / steps * 1000:.0f} ms/step), accuracy {accuracy:.0%}")
    assert accuracy > 0.95
