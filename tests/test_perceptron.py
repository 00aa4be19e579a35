"""The perceptron and delta rule: the lecture's AND table row by row, convergence on separable data
(with Novikoff's mistake bound), cycle detection on XOR, the decision line, and input checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.perceptron import Cycle, DecisionLine, Perceptron

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
NAND = np.array([1, 1, 1, 0])
XOR = np.array([0, 1, 1, 0])


def bipolar(values: np.ndarray) -> np.ndarray:
    return 2 * values - 1


def weights_after_epoch(result, epoch: int) -> tuple:
    """(w, b) at the end of ``epoch`` read from the trace (epoch 0 = the starting weights)."""
    if epoch == 0:
        return result.trace.initial_w, result.trace.initial_b
    last = result.trace.epoch(epoch)[-1]
    return last.w, last.b


# ---------------------------------------------------------------------------- the lecture's AND example
def test_and_epoch_one_matches_the_lecture_row_by_row():
    result = Perceptron(2, lr=1.0, activation="binary").fit(GATE_INPUTS, AND)
    assert result.trace.initial_w == (0.0, 0.0) and result.trace.initial_b == 0.0
    expected = [  # x, t, y, Δw, Δb, new w, new b
        ((0, 0), 0, 1, (0, 0), -1, (0, 0), -1),
        ((0, 1), 0, 0, (0, 0), 0, (0, 0), -1),
        ((1, 0), 0, 0, (0, 0), 0, (0, 0), -1),
        ((1, 1), 1, 0, (1, 1), 1, (1, 1), 0),
    ]
    rows = result.trace.epoch(1)
    assert len(rows) == 4
    for row, (x, t, y, dw, db, w, b) in zip(rows, expected):
        assert (row.epoch, row.x, row.t, row.y, row.delta_w, row.delta_b, row.w, row.b) == (1, x, t, y, dw, db, w, b)
    assert [row.changed for row in rows] == [True, False, False, True]


def test_and_converges_to_the_lectures_weights_in_six_epochs():
    perceptron = Perceptron(2)
    result = perceptron.fit(GATE_INPUTS, AND)
    assert result.converged and result.stop_reason == "converged" and not result.cycle_detected
    assert result.epochs == 6
    assert result.weights.tolist() == [2.0, 1.0] and result.bias == -3.0
    assert perceptron.weights.tolist() == [2.0, 1.0] and perceptron.bias == -3.0
    # the sixth epoch is the first without a change
    assert not any(row.changed for row in result.trace.epoch(6))
    assert all(any(row.changed for row in result.trace.epoch(k)) for k in range(1, 6))
    assert result.errors_per_epoch[-1] == 0 and min(result.errors_per_epoch[:-1]) > 0
    assert len(result.trace) == 6 * 4
    assert perceptron.predict(GATE_INPUTS).tolist() == AND.tolist()


def test_and_trace_prints_as_the_lectures_table():
    table = str(Perceptron(2).fit(GATE_INPUTS, AND).trace)
    lines = table.splitlines()
    assert lines[0].split() == ["x", "t", "y", "Δw1", "Δw2", "Δb", "w1", "w2", "b"]
    assert lines[1].split() == ["0", "0", "0"]  # the starting weights
    assert lines[2].split() == ["Epoch", "1", "0", "0", "0", "1", "0", "0", "-1", "0", "0", "-1"]
    assert lines[3].split() == ["0", "1", "0", "0", "0", "0", "0", "0", "0", "-1"]
    assert lines[5].split() == ["1", "1", "1", "0", "1", "1", "1", "1", "1", "0"]
    epoch_lines = [i for i, line in enumerate(lines) if line.startswith("Epoch")]
    assert epoch_lines == [2 + 4 * k for k in range(6)]  # "Epoch k" only on each epoch's first row
    assert lines[-1].split() == ["1", "1", "1", "1", "0", "0", "0", "2", "1", "-3"]
    assert len({len(line) for line in lines[2:]}) <= 2  # aligned columns (the label column is padded)


def test_table_with_three_inputs_and_fractional_numbers():
    X = np.array([[0.5, 1.0, -0.25]])
    result = Perceptron(3, lr=0.1).fit(X, [0], max_epochs=1)
    lines = str(result.trace).splitlines()
    assert lines[0].split() == ["x", "t", "y", "Δw1", "Δw2", "Δw3", "Δb", "w1", "w2", "w3", "b"]
    # a = 0 → y = 1 ≠ t = 0: Δw = −0.1·x, Δb = −0.1, and the new weights equal the steps
    steps = ["-0.05", "-0.1", "0.025", "-0.1"]
    assert lines[2].split() == ["Epoch", "1", "0.5", "1", "-0.25", "0", "1", *steps, *steps]


# ---------------------------------------------------------------------------- other gates
@pytest.mark.parametrize("targets", [OR, NAND, AND], ids=["OR", "NAND", "AND"])
@pytest.mark.parametrize("activation", ["binary", "bipolar"])
def test_linearly_separable_gates_converge(targets, activation):
    X, t = (GATE_INPUTS, targets) if activation == "binary" else (bipolar(GATE_INPUTS), bipolar(targets))
    perceptron = Perceptron(2, activation=activation)
    result = perceptron.fit(X, t)
    assert result.converged and result.cycle is None
    assert perceptron.predict(X).tolist() == t.tolist()


def test_bipolar_delta_rule_steps_by_two_eta_x():
    perceptron = Perceptron(2, lr=0.5, activation="bipolar")
    y, delta_w, delta_b = perceptron.delta_rule([1, -1], -1)  # a = 0 → y = +1, t − y = −2
    assert y == 1 and delta_w.tolist() == [-1.0, 1.0] and delta_b == -1.0
    assert perceptron.weights.tolist() == [0.0, 0.0] and perceptron.bias == 0.0  # delta_rule changes nothing


# ---------------------------------------------------------------------------- XOR: the cycle
def test_xor_binary_reports_the_cycle_worked_by_hand():
    # from w = b = 0: after epoch 1 (w, b) = (−1, 0, −1); after epochs 2 and 3 both (−1, 0, 0)
    result = Perceptron(2).fit(GATE_INPUTS, XOR, max_epochs=1000)
    assert not result.converged and result.stop_reason == "cycle" and result.cycle_detected
    assert (result.cycle.epoch, result.cycle.repeats_epoch, result.cycle.period) == (3, 2, 1)
    assert result.epochs == 3
    assert weights_after_epoch(result, 1) == ((-1.0, 0.0), -1.0)
    assert weights_after_epoch(result, 2) == weights_after_epoch(result, 3) == ((-1.0, 0.0), 0.0)
    assert (result.cycle.w, result.cycle.b) == ((-1.0, 0.0), 0.0)
    assert "after epoch 3" in str(result) and "after epoch 2" in str(result) and "cannot help" in str(result)


@pytest.mark.parametrize("activation", ["binary", "bipolar"])
@pytest.mark.parametrize("init", ["zeros", 0, 1, 2, 3])
@pytest.mark.parametrize("lr", [1.0, 0.1, 0.37])
def test_xor_never_converges_and_the_cycle_is_real(activation, init, lr):
    X, t = (GATE_INPUTS, XOR) if activation == "binary" else (bipolar(GATE_INPUTS), bipolar(XOR))
    result = Perceptron(2, lr=lr, activation=activation, init=init).fit(X, t, max_epochs=5000)
    assert result.stop_reason == "cycle"
    cycle = result.cycle
    assert isinstance(cycle, Cycle) and 0 <= cycle.repeats_epoch < cycle.epoch == result.epochs
    assert weights_after_epoch(result, cycle.epoch) == weights_after_epoch(result, cycle.repeats_epoch)
    assert min(result.errors_per_epoch) > 0  # every epoch of the run changed something


def test_cycle_at_the_start_is_described_as_such():
    result = Perceptron(2, activation="bipolar").fit(bipolar(GATE_INPUTS), bipolar(XOR))
    assert (result.cycle.epoch, result.cycle.repeats_epoch) == (1, 0)
    assert "at the start" in str(result.cycle)


# ---------------------------------------------------------------------------- convergence theorem in practice
@st.composite
def separable_sets(draw):
    """Points in [−1, 1]² at least ``margin`` from a random line n·x = c (|n| = 1), labelled by its side."""
    angle = draw(st.floats(0.0, 2 * math.pi))
    offset = draw(st.floats(-0.5, 0.5))
    margin = draw(st.floats(0.05, 0.3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    normal = np.array([math.cos(angle), math.sin(angle)])
    points = rng.uniform(-1, 1, size=(400, 2))
    distance = points @ normal - offset
    keep = np.abs(distance) >= margin
    X = points[keep][: draw(st.integers(2, 60))]
    assert X.shape[0] >= 2  # 400 uniform points leave plenty outside a band of width ≤ 0.6
    t = (X @ normal - offset > 0).astype(int)
    return X, t, margin, offset


@settings(max_examples=40, deadline=None)
@given(data=separable_sets(), activation=st.sampled_from(["binary", "bipolar"]), lr=st.sampled_from([1.0, 0.25, 0.1]))
def test_converges_on_separable_sets_within_novikoffs_bound(data, activation, lr):
    X, t, margin, offset = data
    if activation == "bipolar":
        t = bipolar(t)
    result = Perceptron(2, lr=lr, activation=activation).fit(X, t, max_epochs=2000)
    assert result.converged and result.cycle is None
    trained = Perceptron(2, activation=activation)
    trained.weights, trained.bias = result.weights, result.bias
    assert trained.predict(X).tolist() == t.tolist()
    # Novikoff: with x̃ = (x, 1), R = max|x̃| and the augmented unit separator's margin γ/√(1 + c²),
    # the number of updates from w = 0 is at most R²(1 + c²)/γ²
    radius2 = float(np.max(np.sum(X * X, axis=1) + 1.0))
    bound = radius2 * (1 + offset**2) / margin**2
    assert sum(result.errors_per_epoch) <= bound


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_non_separable_integer_sets_end_in_a_cycle(seed):
    """XOR corners plus random integer points: not separable, and integer weights leave only finitely many states."""
    rng = np.random.default_rng(seed)
    extra = rng.integers(-3, 4, size=(rng.integers(0, 6), 2))
    X = np.vstack([GATE_INPUTS, extra])
    t = np.concatenate([XOR, rng.integers(0, 2, size=len(extra))])
    result = Perceptron(2).fit(X, t, max_epochs=20000, record_trace=False)
    assert result.stop_reason == "cycle"


# ---------------------------------------------------------------------------- running out of epochs, continuing
def test_max_epochs_is_reported_when_neither_converged_nor_cycled():
    result = Perceptron(2).fit(GATE_INPUTS, AND, max_epochs=3)
    assert (result.converged, result.cycle, result.epochs, result.stop_reason) == (False, None, 3, "max_epochs")
    assert "within 3 epochs" in str(result)


def test_fit_continues_from_the_current_weights():
    perceptron = Perceptron(2)
    perceptron.fit(GATE_INPUTS, AND, max_epochs=3)
    second = perceptron.fit(GATE_INPUTS, AND)
    assert second.trace.initial_w == (2.0, 1.0) and second.trace.initial_b == -2.0  # after epoch 3 (lecture run)
    assert second.converged and second.epochs == 3 and second.weights.tolist() == [2.0, 1.0]


def test_record_trace_false_gives_the_same_result_without_rows():
    with_trace = Perceptron(2).fit(GATE_INPUTS, AND)
    without = Perceptron(2).fit(GATE_INPUTS, AND, record_trace=False)
    assert len(without.trace) == 0 and len(with_trace.trace) == 24
    assert without.epochs == with_trace.epochs and without.weights.tolist() == with_trace.weights.tolist()
    assert without.errors_per_epoch == with_trace.errors_per_epoch


# ---------------------------------------------------------------------------- prediction and initialization
def test_predict_one_example_and_many():
    perceptron = Perceptron(2)
    perceptron.weights, perceptron.bias = np.array([2.0, 1.0]), -3.0
    assert perceptron.predict([1, 1]) == 1 and isinstance(perceptron.predict([1, 1]), int)
    assert perceptron.predict([1, 0]) == 0
    assert perceptron.net_input([1, 1]) == 0.0  # a = 0 counts as firing (a ≥ 0)
    assert perceptron.predict(GATE_INPUTS).tolist() == [0, 0, 0, 1]
    perceptron.activation = "bipolar"
    assert perceptron.predict(GATE_INPUTS).tolist() == [-1, -1, -1, 1]


def test_seeded_initialization_is_reproducible_and_small():
    a, b, c = Perceptron(5, init=7), Perceptron(5, init=7), Perceptron(5, init=8)
    assert a.weights.tolist() == b.weights.tolist() and a.bias == b.bias
    assert a.weights.tolist() != c.weights.tolist()
    assert np.all(np.abs(a.weights) <= 0.5) and abs(a.bias) <= 0.5
    generator = np.random.default_rng(7)
    from_generator = Perceptron(5, init=generator)
    assert from_generator.weights.tolist() == a.weights.tolist()
    assert Perceptron(5, init=generator).weights.tolist() != a.weights.tolist()  # the generator moved on


# ---------------------------------------------------------------------------- decision line
def test_decision_line_of_the_trained_and_perceptron():
    perceptron = Perceptron(2)
    perceptron.fit(GATE_INPUTS, AND)
    line = perceptron.decision_line()  # 2 x1 + x2 − 3 = 0 → x2 = −2 x1 + 3
    assert (line.slope, line.intercept, line.x1_intercept) == (-2.0, 3.0, 1.5)
    assert line.x2_at(1.0) == 1.0 and not line.is_vertical
    assert str(line) == "x2 = -2·x1 + 3"
    assert str(DecisionLine(1.0, 1.0, 0.5)) == "x2 = -1·x1 − 0.5"  # a negative intercept reads as subtraction


def test_vertical_and_horizontal_lines():
    vertical = DecisionLine(2.0, 0.0, -1.0)  # x1 = 0.5
    assert vertical.is_vertical and str(vertical) == "x1 = 0.5"
    with pytest.raises(ValueError, match="vertical.*no slope"):
        _ = vertical.slope
    with pytest.raises(ValueError, match="no intercept"):
        _ = vertical.intercept
    assert sorted(vertical.segment((-1, 1), (-2, 2))) == [(0.5, -2.0), (0.5, 2.0)]
    horizontal = DecisionLine(0.0, 4.0, 2.0)  # x2 = −0.5
    assert horizontal.slope == 0.0 and horizontal.intercept == -0.5 and horizontal.x1_intercept is None


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-5, 5).filter(lambda v: abs(v) > 1e-3),
    st.floats(-5, 5),
    st.floats(-3, 3),
)
def test_segment_end_points_lie_on_the_line_and_in_the_box(w1, w2, b):
    line = DecisionLine(w1, w2, b)
    segment = line.segment((-1.0, 2.0), (-1.5, 1.0))
    # the line meets the box iff the corners do not all lie strictly on one side
    corners = np.array([[-1, -1.5], [-1, 1.0], [2, -1.5], [2, 1.0]])
    values = corners @ np.array([w1, w2]) + b
    meets = values.min() <= 1e-9 and values.max() >= -1e-9
    if segment is None:
        assert not meets or np.min(np.abs(values)) < 1e-6
        return
    for x1, x2 in segment:
        assert abs(w1 * x1 + w2 * x2 + b) <= 1e-9 * (1 + abs(w1) + abs(w2) + abs(b)) * 10
        assert -1.0 - 1e-9 <= x1 <= 2.0 + 1e-9 and -1.5 - 1e-9 <= x2 <= 1.0 + 1e-9


def test_segment_misses_the_box():
    assert DecisionLine(1.0, 1.0, -10.0).segment((0, 1), (0, 1)) is None
    assert DecisionLine(1.0, 0.0, -10.0).segment((0, 1), (0, 1)) is None


def test_decision_line_errors():
    with pytest.raises(ValueError, match="no line"):
        Perceptron(2).decision_line()  # w = 0
    with pytest.raises(ValueError, match="needs a perceptron with 2 inputs"):
        Perceptron(3).decision_line()
    with pytest.raises(ValueError, match="finite"):
        DecisionLine(float("nan"), 1.0, 0.0)
    with pytest.raises(ValueError, match="low ≤ high"):
        DecisionLine(1.0, 1.0, 0.0).segment((1, 0), (0, 1))


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_inputs": 0}, ValueError, "n_inputs must be a positive integer"),
        ({"n_inputs": 2.0}, ValueError, "n_inputs must be a positive integer"),
        ({"n_inputs": True}, ValueError, "n_inputs must be a positive integer"),
        ({"n_inputs": 2, "lr": 0.0}, ValueError, "lr .η. must be a finite number > 0"),
        ({"n_inputs": 2, "lr": float("inf")}, ValueError, "lr"),
        ({"n_inputs": 2, "activation": "sigmoid"}, ValueError, "activation must be one of"),
        ({"n_inputs": 2, "init": "ones"}, ValueError, "init must be 'zeros'"),
        ({"n_inputs": 2, "init": 0.5}, TypeError, "init must be 'zeros'"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        Perceptron(**kwargs)


@pytest.mark.parametrize(
    "X, t, error, match",
    [
        (np.zeros((4, 3)), AND, ValueError, r"shape \(N, 2\).*got shape \(4, 3\)"),
        (np.zeros((4, 2, 1)), AND, ValueError, r"got shape \(4, 2, 1\)"),
        (np.zeros(2), [0], ValueError, r"X must have shape \(N, 2\)"),
        (np.zeros((0, 2)), [], ValueError, "no examples"),
        (GATE_INPUTS, AND[:3], ValueError, r"t must have shape \(4,\)"),
        (GATE_INPUTS, AND.reshape(4, 1), ValueError, r"t must have shape \(4,\)"),
        (GATE_INPUTS, [0, 0, 0, 2], ValueError, "targets must be 0 or 1, got 2$"),
        (GATE_INPUTS, [-1, -1, -1, 1], ValueError, r"got -1 \(for targets in \{-1, 1\} use activation='bipolar'\)"),
        (GATE_INPUTS, [0, 0, 0.5, 1], ValueError, "targets must be 0 or 1, got 0.5"),
        (np.array([[0, 0], [0, np.nan], [1, 0], [1, 1]]), AND, ValueError, "X contains NaN"),
        (np.array([[0, 0], [0, np.inf], [1, 0], [1, 1]]), AND, ValueError, "X contains NaN or infinite"),
        (GATE_INPUTS, [0, 0, np.nan, 1], ValueError, "t contains NaN"),
        ([["a", "b"], ["c", "d"]], [0, 1], TypeError, "X must be numbers"),
        (GATE_INPUTS, ["0", "0", "0", "1"], TypeError, "t must be numbers"),
        (GATE_INPUTS + 1j, AND, TypeError, "real numbers"),
    ],
)
def test_bad_training_data_is_rejected_and_changes_nothing(X, t, error, match):
    perceptron = Perceptron(2, init=3)
    before = (perceptron.weights.copy(), perceptron.bias)
    with pytest.raises(error, match=match):
        perceptron.fit(X, t)
    assert perceptron.weights.tolist() == before[0].tolist() and perceptron.bias == before[1]


def test_bipolar_rejects_zero_targets_with_a_hint():
    with pytest.raises(ValueError, match=r"must be -1 or 1, got 0 \(for targets in \{0, 1\} use activation='binary'\)"):
        Perceptron(2, activation="bipolar").fit(GATE_INPUTS, AND)


@pytest.mark.parametrize("max_epochs", [0, -1, 2.5, True])
def test_bad_max_epochs(max_epochs):
    with pytest.raises(ValueError, match="max_epochs must be a positive integer"):
        Perceptron(2).fit(GATE_INPUTS, AND, max_epochs=max_epochs)


def test_predict_and_delta_rule_check_their_input():
    perceptron = Perceptron(2)
    with pytest.raises(ValueError, match=r"predict.*got shape \(3,\)"):
        perceptron.predict([1, 2, 3])
    with pytest.raises(ValueError, match="NaN"):
        perceptron.predict([[1, np.nan]])
    with pytest.raises(ValueError, match="one example"):
        perceptron.delta_rule([[1, 2]], 1)
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        perceptron.delta_rule([1, 2], 3)
