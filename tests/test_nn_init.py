"""Initializers: their distributions' statistics, seeding, and independence from numpy's global state."""

import math

import numpy as np
import pytest

from tinygrad_edu import Value, nn
from tinygrad_edu.nn import init

OUT, IN = 300, 500  # a weight of shape (out, in): fan_in = 500, fan_out = 300


def weight(dtype=np.float64):
    return Value(np.zeros((OUT, IN)), dtype=dtype)


def assert_close(measured, expected, rel=0.03):
    assert abs(measured - expected) <= rel * abs(expected), (measured, expected)


def test_uniform_between_its_bounds_with_the_uniform_variance():
    w = init.uniform_(weight(), -1.0, 1.0, seed=0)
    assert w.data.min() >= -1.0 and w.data.max() < 1.0
    assert abs(w.data.mean()) < 0.01
    assert_close(w.data.var(), 1.0 / 3.0)  # (b − a)² / 12


def test_normal_mean_and_std():
    w = init.normal_(weight(), 2.0, 0.5, seed=1)
    assert abs(w.data.mean() - 2.0) < 0.005
    assert_close(w.data.std(), 0.5)


def test_xavier_uniform_and_normal():
    bound = math.sqrt(6.0 / (IN + OUT))
    w = init.xavier_uniform_(weight(), seed=2)
    assert np.abs(w.data).max() <= bound
    assert_close(w.data.var(), 2.0 / (IN + OUT))
    w = init.xavier_normal_(weight(), gain=init.calculate_gain("tanh"), seed=3)
    assert_close(w.data.std(), 5.0 / 3.0 * math.sqrt(2.0 / (IN + OUT)))
    assert init.glorot_uniform_ is init.xavier_uniform_


def test_kaiming_uniform_and_normal():
    w = init.kaiming_uniform_(weight(), nonlinearity="relu", seed=4)
    assert np.abs(w.data).max() <= math.sqrt(6.0 / IN)
    assert_close(w.data.var(), 2.0 / IN)
    w = init.kaiming_normal_(weight(), mode="fan_out", nonlinearity="relu", seed=5)
    assert_close(w.data.std(), math.sqrt(2.0 / OUT))
    w = init.kaiming_normal_(weight(), a=0.2, seed=6)  # leaky ReLU with slope 0.2
    assert_close(w.data.std(), math.sqrt(2.0 / (1 + 0.04) / IN))


def test_zeros_ones_and_constant():
    w = weight()
    init.uniform_(w, seed=0)
    assert np.array_equal(init.zeros_(w).data, np.zeros((OUT, IN)))
    assert np.array_equal(init.ones_(w).data, np.ones((OUT, IN)))
    b = init.constant_(Value(np.zeros(2)), 0.35)
    assert b.data.tolist() == [0.35, 0.35]


def test_calculate_gain_matches_pytorchs_table():
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == 5.0 / 3.0
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01**2))
    assert init.calculate_gain("leaky_relu", math.sqrt(5.0)) == math.sqrt(1.0 / 3.0)
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        init.calculate_gain("swish")


def test_initializers_keep_dtype_and_shape():
    w = init.xavier_normal_(weight(np.float32), seed=0)
    assert w.dtype == np.float32 and w.shape == (OUT, IN)
    scalar = init.uniform_(Value(0.0), -1.0, 1.0, seed=0)
    assert type(scalar.data) is float and -1.0 <= scalar.data < 1.0


def test_linear_default_is_pytorchs_uniform_in_one_over_root_fan_in():
    layer = nn.Linear(IN, OUT, seed=7)
    bound = 1.0 / math.sqrt(IN)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert_close(layer.weight.data.var(), bound**2 / 3.0)
    assert layer.bias.data.std() > 0.3 * bound  # the bias is random too, not zero


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(Value(np.zeros(3)))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(weight(), mode="fan_avg")
    with pytest.raises(ValueError, match="exceeds the upper bound"):
        init.uniform_(weight(), 1.0, -1.0)
    with pytest.raises(TypeError, match="seed must be an int"):
        init.uniform_(weight(), seed=1.5)
    with pytest.raises(TypeError, match="fill a Value"):
        init.zeros_(np.zeros(3))


# ---------------------------------------------------------------------------------------- seeding
INITIALIZERS = [
    lambda v, seed: init.uniform_(v, -1.0, 1.0, seed=seed),
    lambda v, seed: init.normal_(v, seed=seed),
    lambda v, seed: init.xavier_uniform_(v, seed=seed),
    lambda v, seed: init.xavier_normal_(v, seed=seed),
    lambda v, seed: init.kaiming_uniform_(v, seed=seed),
    lambda v, seed: init.kaiming_normal_(v, seed=seed),
]


@pytest.mark.parametrize("initializer", INITIALIZERS)
def test_same_seed_same_numbers_other_seed_other_numbers(initializer):
    a = initializer(Value(np.zeros((4, 5))), 11).data
    b = initializer(Value(np.zeros((4, 5))), 11).data
    c = initializer(Value(np.zeros((4, 5))), 12).data
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_a_generator_continues_its_stream():
    rng = np.random.default_rng(5)
    first = init.uniform_(Value(np.zeros(3)), seed=rng).data
    second = init.uniform_(Value(np.zeros(3)), seed=rng).data
    assert not np.array_equal(first, second)
    replay = np.random.default_rng(5).uniform(0.0, 1.0, size=6)
    assert np.array_equal(np.concatenate([first, second]), replay)


def _global_state():
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return kind, keys.copy(), pos, has_gauss, cached


def _same_state(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


@pytest.mark.parametrize(
    "build",
    [
        lambda seed: nn.Linear(3, 4, seed=seed).weight.data,
        lambda seed: np.array([w.data for w in nn.MLP(2, [3, 1], seed=seed).parameters()]),
        lambda seed: nn.Neuron(4, seed=seed).w[0].data,
        lambda seed: init.kaiming_normal_(Value(np.zeros((2, 2))), seed=seed).data,
    ],
)
def test_numpys_global_random_state_is_neither_read_nor_changed(build):
    np.random.seed(0)
    before = _global_state()
    unseeded = [build(None), build(None)]
    seeded = [build(3), build(3)]
    assert _same_state(before, _global_state())  # nothing drew from the global generator
    np.random.seed(0)
    assert not np.array_equal(unseeded[0], unseeded[1])  # np.random.seed does not make them repeat
    assert not np.array_equal(build(None), build(None))
    assert np.array_equal(seeded[0], seeded[1])
