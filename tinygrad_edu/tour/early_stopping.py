"""Section 8: how much training is needed? Handwritten digits, stopped early at the best validation error."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.data import load_digits, standardize, train_val_test_split
from tinygrad_edu.plotting import plot_learning_curves
from tinygrad_edu.plotting.backend import pyplot
from tinygrad_edu.tour.content import Paragraph, Preformatted, Section, Table
from tinygrad_edu.tour.workspace import Workspace
from tinygrad_edu.training import EarlyStopping, accuracy, confusion_matrix, evaluate, fit, predicted_classes

TITLE = "How much training? Early stopping on handwritten digits"
MAX_EPOCHS = 80
PATIENCE = 10
HIDDEN = 64
SHOWN_DIGITS = 12  # test images in the picture: the first mistakes, then correct answers


def digits_network() -> nn.Sequential:
    """64 pixels → 64 tanh units → 10 logits, one per digit."""
    return nn.Sequential(nn.Linear(64, HIDDEN, seed=0), nn.Tanh(), nn.Linear(HIDDEN, 10, seed=1))


def build(ws: Workspace) -> Section:
    section = Section("early-stopping", TITLE, "How much training is needed?")
    digits = load_digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(
        digits.X, digits.y, val_size=0.25, test_size=0.5, stratify=True, seed=0
    )
    Z_train, Z_val, Z_test, _ = standardize(X_train, X_val, X_test)
    model = digits_network()
    loss_fn = nn.CrossEntropyLoss()
    stopper = EarlyStopping(patience=PATIENCE, restore_best=True)
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), Z_train, y_train,
                  epochs=MAX_EPOCHS, batch_size=16, validation=(Z_val, y_val), callbacks=[stopper], seed=0,
                  progress=False, metrics=["accuracy"])
    test_loss, outputs = evaluate(model, loss_fn, Z_test, y_test)
    test_accuracy = accuracy(outputs, y_test)
    matrix = confusion_matrix(outputs, y_test, n_classes=10)

    section.add(
        Paragraph(
            f"The digits set has {digits.n_samples} handwritten digits, each an 8×8 image of pixel counts 0–16. "
            f"We split it into {len(y_train)} training, {len(y_val)} validation and {len(y_test)} test images "
            "(each digit equally represented in every part), standardize the pixels with the training set's mean "
            f"and spread, and train a 64-{HIDDEN}-10 network (tanh hidden units, softmax cross-entropy error) with "
            "mini-batches of 16 and momentum. The training set is kept small on purpose: a network with thousands "
            "of weights can then memorize it quickly, and we can watch that happen."
        ),
        Paragraph(
            "The training error keeps falling as long as we train, but the error on the validation images — "
            "which the network never learns from — stops improving at some point: after that the network "
            "memorizes its training images rather than learning digits. **Early stopping** watches the validation "
            f"error and stops when it has not improved for {PATIENCE} epochs, then puts back the weights of the "
            "best epoch."
        ),
        ws.plot(
            "digits_learning_curves",
            lambda: plot_learning_curves(history, title="Digits: training and validation error"),
            "Learning curves. The red dot marks the best validation epoch, the dashed line where early stopping "
            "ended the run; the weights of the best epoch were restored.",
            "learning curves with the early-stopping mark",
        ),
        Preformatted(
            str(history), "The training history, epoch by epoch (← best marks the restored epoch)", collapsed=True
        ),
        Paragraph(
            f"On the {len(y_test)} test images, used only now, the restored network classifies "
            f"**{test_accuracy:.1%}** correctly (test error {test_loss:.4f}). "
            f"Training stopped after epoch {history.stopped_epoch} of at most {MAX_EPOCHS}; the best "
            f"validation error was at epoch {history.best_epoch}."
        ),
        _confusion_table(matrix, digits.target_names),
        ws.plot(
            "digits_examples",
            lambda: _examples_figure(X_test, y_test, predicted_classes(outputs)),
            "Test images with the network's answer: its mistakes first (red, with the true digit), then some it "
            "got right.",
            "test digits with their predictions",
        ),
    )
    return section


def _confusion_table(matrix: np.ndarray, names: tuple[str, ...]) -> Table:
    totals = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    rows = tuple((f"true {names[i]}", *(str(int(c)) for c in matrix[i])) for i in range(len(matrix)))
    shade = tuple((0.0, *(float(c) for c in matrix[i] / totals[i])) for i in range(len(matrix)))
    return Table(
        ("", *(f"→ {name}" for name in names)),
        rows,
        "Confusion matrix on the test set: row = the true digit, column = the network's answer. The diagonal "
        "counts the correct answers; anything off it is a mistake.",
        shade=shade,
        row_header=True,
    )


def _examples_figure(images: np.ndarray, truth: np.ndarray, predicted: np.ndarray) -> Any:
    """Up to half the panels show mistakes, the rest correct answers, each an 8×8 image."""
    wrong = np.flatnonzero(predicted != truth)[: SHOWN_DIGITS // 2]
    right = np.flatnonzero(predicted == truth)[: SHOWN_DIGITS - len(wrong)]
    plt = pyplot()
    fig, axes = plt.subplots(1, SHOWN_DIGITS, figsize=(1.0 * SHOWN_DIGITS, 1.5), squeeze=False)
    for ax in axes[0]:
        ax.set_axis_off()
    for ax, k in zip(axes[0], np.concatenate([wrong, right])):
        ax.imshow(images[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        mistake = predicted[k] != truth[k]
        title = f"says {predicted[k]}\n(is {truth[k]})" if mistake else f"says {predicted[k]}"
        ax.set_title(title, color="tab:red" if mistake else "black", fontsize=9)
    return fig
