"""Data sets: logic gates, seeded 2-D toy sets, the shipped Iris and digits, splits and standardization."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import data
from tinygrad_edu.data import (
    TOY_DATASETS,
    Standardization,
    load_digits,
    load_iris,
    logic_gate,
    make_toy,
    split_indices,
    standardize,
    train_val_test_split,
)
from tinygrad_edu.perceptron import Perceptron

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------- logic gates
@pytest.mark.parametrize(
    "name, outputs",
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]), ("XOR", [0, 1, 1, 0])],
)
def test_gate_truth_tables_in_both_encodings(name, outputs):
    X, t = logic_gate(name)
    assert X.dtype == np.float64 and t.dtype == np.int64 and X.shape == (4, 2) and t.shape == (4,)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and t.tolist() == outputs
    Xb, tb = logic_gate(name.lower(), encoding="bipolar")
    assert Xb.tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]]
    assert tb.tolist() == [2 * v - 1 for v in outputs]
    by_function = getattr(data, f"{name.lower()}_gate")("bipolar")
    assert by_function[0].tolist() == Xb.tolist() and by_function[1].tolist() == tb.tolist()


@pytest.mark.parametrize("encoding, activation", [("binary", "binary"), ("bipolar", "bipolar")])
def test_gates_train_a_perceptron(encoding, activation):
    for name in ("AND", "OR", "NAND"):
        assert Perceptron(2, activation=activation).fit(*logic_gate(name, encoding)).converged
    assert Perceptron(2, activation=activation).fit(*logic_gate("XOR", encoding)).cycle_detected


def test_gate_errors():
    with pytest.raises(ValueError, match="unknown gate 'NOR'; choose one of AND, OR, NAND, XOR"):
        logic_gate("NOR")
    with pytest.raises(ValueError, match="encoding must be"):
        logic_gate("AND", encoding="signed")


def test_gates_are_fresh_arrays():
    X, t = logic_gate("AND")
    X[0, 0], t[0] = 9, 9
    assert logic_gate("AND")[0][0, 0] == 0 and logic_gate("AND")[1][0] == 0


# ---------------------------------------------------------------------------- toy sets: common contract
TOY_NAMES = sorted(TOY_DATASETS)


@pytest.mark.parametrize("name", TOY_NAMES)
@pytest.mark.parametrize("n_samples", [1, 7, 200])
def test_toy_shapes_and_dtypes(name, n_samples):
    X, y = make_toy(name, n_samples=n_samples, seed=0)
    assert X.shape == (n_samples, 2) and y.shape == (n_samples,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_sets_are_determined_by_the_seed(name):
    X1, y1 = make_toy(name, n_samples=60, noise=0.1, seed=123)
    X2, y2 = make_toy(name, n_samples=60, noise=0.1, seed=123)
    X3, _ = make_toy(name, n_samples=60, noise=0.1, seed=124)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X4, y4 = make_toy(name, n_samples=60, noise=0.1, seed=np.random.default_rng(123))
    assert np.array_equal(X1, X4) and np.array_equal(y1, y4)  # a Generator draws the same stream
    generator = np.random.default_rng(5)
    first, second = make_toy(name, 60, seed=generator)[0], make_toy(name, 60, seed=generator)[0]
    assert not np.array_equal(first, second)  # a shared Generator advances


@pytest.mark.parametrize("name", TOY_NAMES)
def test_toy_sets_never_touch_numpys_global_random_state(name):
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    a = make_toy(name, n_samples=30, seed=1)[0]
    assert np.array_equal(np.random.get_state()[1], state)
    np.random.seed(99)
    assert np.array_equal(make_toy(name, n_samples=30, seed=1)[0], a)


@pytest.mark.parametrize("name", [n for n in TOY_NAMES if n != "blobs"])
def test_noise_jitters_the_same_underlying_points(name):
    clean, y_clean = make_toy(name, n_samples=400, noise=0.0, seed=3)
    noisy, y_noisy = make_toy(name, n_samples=400, noise=0.05, seed=3)
    assert np.array_equal(y_clean, y_noisy)
    offsets = noisy - clean
    assert np.any(offsets != 0) and abs(offsets.std() - 0.05) < 0.01 and abs(offsets.mean()) < 0.01


# ---------------------------------------------------------------------------- toy sets: each definition
def test_diagonal_split_and_xor_labels_follow_their_rules():
    X, y = data.make_diagonal(300, seed=0)
    assert np.array_equal(y, (X[:, 1] > X[:, 0]).astype(int)) and np.all(np.abs(X) <= 1)
    X, y = data.make_split(300, seed=0)
    assert np.array_equal(y, (np.abs(X[:, 0]) < 0.5).astype(int)) and np.all(np.abs(X) <= 1)
    X, y = data.make_xor(300, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int)) and np.all(np.abs(X) <= 1)
    assert 0.3 < y.mean() < 0.7


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.05, 0.3))
def test_linearly_separable_is_separable(seed, margin):
    X, y = data.make_linearly_separable(80, seed=seed, margin=margin)
    assert np.all(np.abs(X) <= 1)
    result = Perceptron(2).fit(X, y, max_epochs=5000, record_trace=False)
    assert result.converged
    # the margin: at most one of the classes can come closer than 2·margin to the other
    if 0 < y.sum() < len(y):
        gaps = np.linalg.norm(X[y == 1][:, None, :] - X[y == 0][None, :, :], axis=2)
        assert gaps.min() >= 2 * margin - 1e-12


def test_circle_disc_inside_a_ring():
    X, y = data.make_circle(301, seed=0)
    radius = np.linalg.norm(X, axis=1)
    assert y.sum() == 150  # ⌊n/2⌋ inside
    assert radius[y == 1].max() <= 0.5 and radius[y == 0].min() >= 0.7 and radius[y == 0].max() <= 1.0
    assert 0.1 < np.mean(radius[y == 1] ** 2) < 0.15  # uniform in the disc's area: E r² = 0.5² / 2 = 0.125


def test_spiral_arms_follow_their_formula():
    turns = 1.5
    X, y = data.make_spiral(101, seed=0, turns=turns)
    assert np.bincount(y).tolist() == [51, 50]
    radius = np.linalg.norm(X, axis=1)
    assert radius.min() >= 0.1 and radius.max() <= 1.0
    s = (radius - 0.1) / 0.9
    angle = 2 * np.pi * turns * s + np.pi * y
    assert np.allclose(X, radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]))


def test_moons_lie_on_their_half_circles():
    X, y = data.make_moons(201, seed=0)
    assert np.bincount(y).tolist() == [101, 100]
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.linalg.norm(upper, axis=1), 1) and np.all(upper[:, 1] >= 0)
    assert np.allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1) and np.all(lower[:, 1] <= 0.5)
    assert 0.1 < np.mean(y[:100]) < 0.9  # classes are mixed, not one block after the other


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_blobs_cluster_around_evenly_spaced_centres(n_classes):
    X, y = data.make_blobs(1000, noise=0.1, seed=0, n_classes=n_classes)
    counts = np.bincount(y, minlength=n_classes)
    assert counts.sum() == 1000 and counts.max() - counts.min() <= 1
    angle = np.pi / 2 + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = np.column_stack([np.cos(angle), np.sin(angle)])
    for k in range(n_classes):
        assert np.allclose(X[y == k].mean(axis=0), centres[k], atol=0.03)
        assert np.allclose(X[y == k].std(axis=0), 0.1, atol=0.02)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: data.make_moons(0), ValueError, "n_samples must be an integer ≥ 1"),
        (lambda: data.make_moons(2.5), ValueError, "n_samples"),
        (lambda: data.make_moons(True), ValueError, "n_samples"),
        (lambda: data.make_xor(10, noise=-0.1), ValueError, "noise must be a finite number ≥ 0"),
        (lambda: data.make_xor(10, noise=float("nan")), ValueError, "noise"),
        (lambda: data.make_circle(10, seed=1.5), TypeError, "seed must be a non-negative integer"),
        (lambda: data.make_circle(10, seed=-1), ValueError, "seed must be a non-negative integer"),
        (lambda: data.make_circle(10, seed=np.random.RandomState(0)), TypeError, "seed"),
        (lambda: data.make_linearly_separable(10, margin=0.5), ValueError, "margin must be < 0.5"),
        (lambda: data.make_blobs(10, n_classes=0), ValueError, "n_classes must be an integer ≥ 1"),
        (lambda: data.make_spiral(10, turns=-1), ValueError, "turns"),
        (lambda: make_toy("checkerboard"), ValueError, "unknown toy set 'checkerboard'"),
    ],
)
def test_toy_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_make_toy_passes_options_and_keeps_default_noise():
    assert np.array_equal(make_toy("blobs", 30, seed=2)[0], data.make_blobs(30, seed=2)[0])
    assert np.array_equal(make_toy("spiral", 30, 0.1, seed=2, turns=2)[0], data.make_spiral(30, 0.1, 2, turns=2)[0])


# ---------------------------------------------------------------------------- shipped real data
def test_iris_shape_classes_and_checksums():
    iris = load_iris()
    assert iris.X.shape == (150, 4) and iris.y.shape == (150,)
    assert iris.X.dtype == np.float64 and iris.y.dtype == np.int64
    assert np.bincount(iris.y).tolist() == [50, 50, 50]
    assert iris.target_names == ("setosa", "versicolor", "virginica") and iris.n_classes == 3
    assert iris.feature_names == ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
    assert np.allclose(iris.X.sum(axis=0), [876.5, 458.6, 563.7, 179.9])
    assert iris.X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    # Fisher's values for flowers 35 and 38 (the UCI file has 4.9,3.1,1.5,0.1 and 4.9,3.1,1.5,0.1)
    assert iris.X[34].tolist() == [4.9, 3.1, 1.5, 0.2] and iris.X[37].tolist() == [4.9, 3.6, 1.4, 0.1]
    # the summary table of the data set's description: min, max, mean, SD per feature
    summary = [(4.3, 7.9, 5.84, 0.83), (2.0, 4.4, 3.05, 0.43), (1.0, 6.9, 3.76, 1.76), (0.1, 2.5, 1.20, 0.76)]
    for column, (low, high, mean, sd) in zip(iris.X.T, summary):
        assert (column.min(), column.max()) == (low, high)
        assert abs(column.mean() - mean) < 0.01 and abs(column.std() - sd) < 0.01
    assert _digest(iris) == "f122387381834f430a25234f9b1d2a38bb35e426d617c6b98b2402bcc4200edf"


def test_digits_shape_values_classes_and_checksums():
    digits = load_digits()
    assert digits.X.shape == (1797, 64) and digits.y.shape == (1797,)
    assert digits.X.dtype == np.float64 and digits.y.dtype == np.int64
    assert digits.X.min() == 0 and digits.X.max() == 16 and np.array_equal(digits.X, np.round(digits.X))
    assert np.bincount(digits.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert digits.X.sum() == 561718 and digits.y.sum() == 8070
    assert digits.target_names == tuple("0123456789") and digits.n_classes == 10 and digits.n_features == 64
    assert digits.feature_names[0] == "pixel_0_0" and digits.feature_names[63] == "pixel_7_7"
    first = digits.X[0].reshape(8, 8)
    assert digits.y[0] == 0 and first[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]  # a zero: its top stroke
    assert _digest(digits) == "6ca9c5719f1de6a4ec9179ff6c3f71aef1715be961ed0af484ae581dd7e60af5"


def _digest(dataset) -> str:
    """SHA-256 of the data in tenths (exact for both sets) and the labels."""
    tenths = np.round(dataset.X * 10).astype(np.int64)
    return hashlib.sha256(tenths.tobytes() + dataset.y.tobytes()).hexdigest()


@pytest.mark.parametrize("loader", [load_iris, load_digits])
def test_source_and_licence_are_stated(loader):
    dataset = loader()
    for text in (dataset.description, loader.__doc__):
        assert "CC BY 4.0" in text and "10.24432/" in text and "UCI" in text
    fresh = loader()
    dataset.X[0, 0] = -1.0  # every call reads the file again: no shared mutable state
    assert fresh.X[0, 0] != -1.0 and loader().X[0, 0] != -1.0


def test_loaders_work_from_an_installed_wheel(tmp_path):
    """Build a wheel from a copy of the sources, install it into a fresh folder, and load both sets from there."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "tinygrad_edu", source / "tinygrad_edu", ignore=shutil.ignore_patterns("__pycache__"))
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "--no-build-isolation", "-w", str(wheels)], check=True)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)], check=True)
    script = (
        "import tinygrad_edu, tinygrad_edu.data as d; "
        "print(tinygrad_edu.__file__); print(d.load_iris().X.shape, d.load_digits().X.shape)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    location, shapes = out.stdout.splitlines()
    assert location.startswith(str(target)) and shapes == "(150, 4) (1797, 64)"


# ---------------------------------------------------------------------------- splits
def test_split_sizes_no_overlap_and_everything_used():
    train, val, test = split_indices(100, val_size=0.15, test_size=0.2, seed=0)
    assert (len(train), len(val), len(test)) == (65, 15, 20)
    together = np.concatenate([train, val, test])
    assert sorted(together.tolist()) == list(range(100))
    assert split_indices(10, val_size=3, test_size=0, seed=0)[1].size == 3


def test_split_size_rounding_is_half_up():
    assert data.split_sizes(10, 0.25, 0.35) == (3, 3, 4)  # 2.5 → 3, 3.5 → 4
    assert data.split_sizes(10, 0.0, 0.0) == (10, 0, 0)


def test_split_is_determined_by_the_seed():
    a = split_indices(50, seed=7)
    b = split_indices(50, seed=7)
    c = split_indices(50, seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert [p.tolist() for p in split_indices(10, 2, 3, shuffle=False)] == [[0, 1, 2, 3, 4], [5, 6], [7, 8, 9]]


def test_train_val_test_split_keeps_rows_and_labels_together():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20) * 10
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(X, y, 0.2, 0.25, seed=1)
    assert (len(X_train), len(X_val), len(X_test)) == (11, 4, 5)
    for part_X, part_y in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert np.array_equal(part_X[:, 0] / 2 * 10, part_y)
    rows = {tuple(r) for part in (X_train, X_val, X_test) for r in part}
    assert len(rows) == 20
    empty = train_val_test_split(X, y, val_size=0, test_size=0.5, seed=1).validation
    assert empty.X.shape == (0, 2) and empty.y.shape == (0,)


def test_stratified_iris_split_is_exactly_balanced():
    iris = load_iris()
    split = train_val_test_split(iris.X, iris.y, 0.2, 0.2, stratify=True, seed=0)
    assert [np.bincount(part.y).tolist() for part in split] == [[30, 30, 30], [10, 10, 10], [10, 10, 10]]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=10, max_size=300),
    st.floats(0.0, 0.4),
    st.floats(0.0, 0.4),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_stratified_parts_keep_class_shares(labels, val_size, test_size, seed, shuffle):
    labels = np.array(labels)
    n = len(labels)
    parts = split_indices(n, val_size, test_size, stratify=labels, seed=seed, shuffle=shuffle)
    assert sorted(np.concatenate(parts).tolist()) == list(range(n))
    for part in parts:
        for c in np.unique(labels):
            expected = len(part) * np.mean(labels == c)
            assert abs(np.sum(labels[part] == c) - expected) <= 2


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"val_size": 0.5, "test_size": 0.5}, ValueError, "leave none for training"),
        ({"val_size": 1.0}, ValueError, r"fraction must be in \[0, 1\)"),
        ({"test_size": -0.1}, ValueError, "test_size"),
        ({"test_size": 11}, ValueError, "test_size=11 rows"),
        ({"val_size": True}, TypeError, "val_size must be a fraction"),
        ({"val_size": "10%"}, TypeError, "val_size"),
        ({"stratify": [0, 1]}, ValueError, "one label per row"),
        ({"seed": "abc"}, TypeError, "seed"),
    ],
)
def test_split_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        split_indices(10, **kwargs)


def test_split_rejects_mismatched_rows():
    with pytest.raises(ValueError, match=r"same number of rows, got shapes \(5, 2\) and \(4,\)"):
        train_val_test_split(np.zeros((5, 2)), np.zeros(4))


# ---------------------------------------------------------------------------- standardization
def test_standardize_fits_on_train_and_applies_to_the_others():
    rng = np.random.default_rng(0)
    X_train = rng.normal([3.0, -2.0, 5.0], [2.0, 0.5, 0.0], size=(50, 3))  # the last column is constant
    X_val = rng.normal([4.0, -2.0, 6.0], 1.0, size=(20, 3))
    train_z, val_z, scaling = standardize(X_train, X_val)
    assert isinstance(scaling, Standardization)
    assert np.allclose(scaling.mean, X_train.mean(axis=0)) and np.allclose(scaling.std[:2], X_train.std(axis=0)[:2])
    assert scaling.std[2] == 1.0 and np.allclose(train_z[:, 2], 0.0)
    assert np.allclose(train_z[:, :2].mean(axis=0), 0) and np.allclose(train_z[:, :2].std(axis=0), 1)
    assert np.allclose(val_z, (X_val - scaling.mean) / scaling.std)  # the training set's μ and σ, not its own
    assert not np.allclose(val_z.mean(axis=0), 0)
    assert np.allclose(scaling.invert(val_z), X_val)


def test_standardize_digits_with_constant_pixels():
    digits = load_digits()
    (X_train, _), (X_val, _), _ = train_val_test_split(digits.X, digits.y, seed=0)
    train_z, val_z, scaling = standardize(X_train, X_val)
    assert np.all(np.isfinite(train_z)) and np.all(np.isfinite(val_z))
    assert np.sum(scaling.std == 1.0) >= 1 and scaling.mean.shape == (64,)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: standardize(np.zeros(5)), ValueError, r"X_train must be 2-D .*shape \(5,\)"),
        (lambda: standardize(np.zeros((0, 3))), ValueError, "no rows"),
        (lambda: standardize(np.array([[1.0, np.nan]])), ValueError, "NaN"),
        (lambda: standardize(np.ones((4, 3)), np.ones((2, 2))), ValueError, "has 2 features but .* fitted on 3"),
        (lambda: standardize([["a"]]), TypeError, "must be numbers"),
    ],
)
def test_standardize_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
