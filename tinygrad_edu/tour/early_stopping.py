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
MAX_EPOCHS = 60
PATIENCE = 5
SHOWN_DIGITS = 12


def digits_network() -> nn.Sequential:
    """64 pixels → 32 tanh units → 10 logits, one per digit."""
    return nn.Sequential(nn.Linear(64, 32, seed=0), nn.Tanh(), nn.Linear(32, 10, seed=1))


def build(ws: Workspace) -> Section:
    section = Section("early-stopping", TITLE, "How much training is needed?")
    digits = load_digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(
        digits.X, digits.y, val_size=0.15, test_size=0.15, stratify=True, seed=0
    )
    Z_train, Z_val, Z_test, _ = standardize(X_train, X_val, X_test)
    model = digits_network()
    loss_fn = nn.CrossEntropyLoss()
    stopper = EarlyStopping(patience=PATIENCE, restore_best=True)
    history = fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), Z_train, y_train,
                  epochs=MAX_EPOCHS, batch_size=32, validation=(Z_val, y_val), callbacks=[stopper], seed=0,
                  progress=False, metrics=["accuracy"])
    test_loss, outputs = evaluate(model, loss_fn, Z_test, y_test)
    test_accuracy = accuracy(outputs, y_test)
    matrix = confusion_matrix(outputs, y_test, n_classes=10)

    section.add(
        Paragraph(
            f"The digits set has {digits.n_samples} handwritten digits, each an 8×8 image of pixel counts 0–16. "
            f"We split it into {len(y_train)} training, {len(y_val)} validation and {len(y_test)} test images "
            "(each digit equally represented in every part), standardize the pixels with the training set's mean "
            "and spread, and train a 64-32-10 network (tanh hidden units, softmax cross-entropy error) with "
            "mini-batches of 32 and momentum."
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
        Preformatted(str(history), "The training history, epoch by epoch (← best marks the restored epoch)."),
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
            "The first test images with the network's answer; a red title marks a mistake.",
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
    plt = pyplot()
    fig, axes = plt.subplots(1, SHOWN_DIGITS, figsize=(1.0 * SHOWN_DIGITS, 1.4))
    for ax, image, t, p in zip(axes, images, truth, predicted):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"says {p}", color="black" if p == t else "tab:red", fontsize=9)
        ax.set_axis_off()
    return fig
