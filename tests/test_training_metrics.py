"""Accuracy and the confusion matrix for every output encoding: class scores (argmax), one probability
(threshold ½), one score with ±1 targets (threshold 0)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value
from tinygrad_edu.training import accuracy, confusion_matrix, predicted_classes

SCORES = np.array([[2.0, 0.1, -1.0], [0.0, 3.0, 0.5], [0.2, 0.1, 0.3], [5.0, 4.0, 4.9], [-1.0, -2.0, -0.5]])
LABELS = np.array([0, 1, 1, 0, 2])  # predictions are 0, 1, 2, 0, 2: the third is wrong


def test_several_columns_are_classified_by_argmax():
    assert predicted_classes(SCORES).tolist() == [0, 1, 2, 0, 2]
    assert accuracy(SCORES, LABELS) == 4 / 5
    assert accuracy(Value(SCORES), LABELS) == 4 / 5  # a model's output Value works as well
    assert accuracy(SCORES, LABELS.reshape(5, 1)) == 4 / 5


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_one_probability_column_is_thresholded_at_one_half(shape):
    p = np.array([0.1, 0.5, 0.49, 0.9, 0.51, 0.0]).reshape(shape)
    assert predicted_classes(p).tolist() == [0, 1, 0, 1, 1, 0]  # ½ itself counts as class 1 (o ≥ ½)
    t = np.array([0, 1, 1, 1, 0, 0]).reshape(shape)
    assert accuracy(p, t) == 4 / 6
    assert accuracy(p, t, threshold=0.05) == 4 / 6  # [1, 1, 1, 1, 1, 0] against t: two wrong
    assert accuracy(p, t, threshold=0.95) == 3 / 6


@pytest.mark.parametrize("shape", [(5,), (5, 1)])
def test_plus_minus_one_targets_are_thresholded_at_zero(shape):
    s = np.array([0.3, -0.2, 0.9, -0.9, 0.0]).reshape(shape)  # tanh outputs or scores
    t = np.array([1, -1, -1, -1, 1]).reshape(shape)
    # sign: +1, −1, +1, −1, +1 (0 counts as +1), so only the third is wrong
    assert accuracy(s, t) == 4 / 5
    # at threshold ½ only 0.9 reads as +1: the first, third and fifth are wrong
    assert accuracy(s, t, threshold=0.5) == 2 / 5


def test_zero_one_targets_that_happen_to_be_all_ones_are_not_read_as_plus_minus_one():
    p = np.array([0.2, 0.8, 0.7])  # sigmoid outputs: class 0, 1, 1
    assert accuracy(p, np.array([1, 1, 1])) == 2 / 3


def test_rows_of_targets_name_the_class_by_their_largest_entry():
    """One-hot rows, or the lecture's (0.01, 0.99) targets for two sigmoid outputs."""
    outputs = np.array([[0.2, 0.7], [0.9, 0.1], [0.6, 0.4]])
    targets = np.array([[0.01, 0.99], [0.99, 0.01], [0.01, 0.99]])
    assert accuracy(outputs, targets) == 2 / 3
    assert accuracy(outputs, np.eye(2)[[1, 0, 1]]) == 2 / 3
    np.testing.assert_array_equal(confusion_matrix(outputs, targets), [[1, 0], [1, 1]])


def test_accuracy_refuses_mismatched_lengths_and_is_nan_on_nothing():
    with pytest.raises(ValueError, match="5 predictions"):
        accuracy(SCORES, LABELS[:4])
    assert np.isnan(accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)))


def test_confusion_matrix_counts_truth_by_row_and_prediction_by_column():
    matrix = confusion_matrix(SCORES, LABELS)
    assert matrix.tolist() == [
        [2, 0, 0],  # both 0s predicted 0
        [0, 1, 1],  # one 1 predicted 1, one predicted 2
        [0, 0, 1],
    ]
    assert matrix.dtype.kind == "i"
    assert confusion_matrix(SCORES, LABELS, n_classes=4).shape == (4, 4)


def test_confusion_matrix_for_one_column_and_for_plus_minus_one():
    p = np.array([0.9, 0.2, 0.6, 0.4])
    assert confusion_matrix(p, np.array([1, 0, 0, 1])).tolist() == [[1, 1], [1, 1]]
    s = np.array([0.9, -0.2, 0.1, -0.4, -0.3])
    t = np.array([1, -1, -1, 1, -1])  # −1 is row/column 0, +1 is row/column 1
    assert confusion_matrix(s, t).tolist() == [[2, 1], [1, 1]]


def test_confusion_matrix_refuses_what_it_cannot_count():
    with pytest.raises(ValueError, match="not negative"):
        confusion_matrix(SCORES, np.array([0, 1, -2, 0, 2]))
    with pytest.raises(ValueError, match="n_classes=2"):
        confusion_matrix(SCORES, LABELS, n_classes=2)
    with pytest.raises(ValueError, match="5 predictions but 3 targets"):
        confusion_matrix(SCORES, LABELS[:3])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_the_confusion_matrix_agrees_with_accuracy_and_the_class_counts(n, k, seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    matrix = confusion_matrix(scores, labels, n_classes=k)
    assert matrix.sum() == n
    assert np.trace(matrix) / n == accuracy(scores, labels)
    assert matrix.sum(axis=1).tolist() == np.bincount(labels, minlength=k).tolist()
    assert matrix.sum(axis=0).tolist() == np.bincount(scores.argmax(axis=1), minlength=k).tolist()
