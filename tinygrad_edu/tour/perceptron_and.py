"""Section 1: the perceptron learns AND with the delta rule (the lecture's "Simple Example: Learning AND")."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.data import and_gate
from tinygrad_edu.perceptron import Perceptron
from tinygrad_edu.plotting import plot_decision_regions
from tinygrad_edu.tour.content import Image, Missing, Paragraph, Preformatted, Section
from tinygrad_edu.tour.workspace import Workspace

TITLE = "The perceptron learns AND"


def build(ws: Workspace) -> Section:
    section = Section("perceptron-and", TITLE, "Perceptron learning algorithm; Simple Example: Learning AND")
    X, t = and_gate()
    perceptron = Perceptron(2, lr=1.0, activation="binary", init="zeros")
    result = perceptron.fit(X, t)
    line = perceptron.decision_line()
    section.add(
        Paragraph(
            "A perceptron adds up its weighted inputs, a = x·w + b, and fires (y = 1) when a ≥ 0. "
            "The **delta rule** nudges the weights only when the output is wrong: Δwᵢ = η(t − y)xᵢ and "
            "Δb = η(t − y). As in the lecture we start from w₁ = w₂ = b = 0 with η = 1 and show the "
            "four AND examples in order, one epoch after another."
        ),
        Preformatted(
            result.trace.table(),
            "The epoch table: each row is one example; Δ columns are the delta rule's step, the last three "
            "columns the weights after it. The lecture's slide shows epoch 1.",
        ),
        Paragraph(
            f"Result: {result}. The perceptron convergence theorem promised this: AND is linearly separable, "
            f"so the delta rule reaches weights that classify every example after finitely many steps."
        ),
        Paragraph(
            f"The learned decision line w₁x₁ + w₂x₂ + b = 0 is {line}. Points with w₁x₁ + w₂x₂ + b ≥ 0 (on the "
            f"line, or on the side the weight vector w points to) give 1.{_on_the_line(perceptron, X)}"
        ),
        decision_plot(
            ws,
            "and_decision_line",
            perceptron,
            X,
            t,
            "AND: the learned decision line",
            "The four AND inputs coloured by their target, the plane coloured by the perceptron's output (red: "
            "it fires), and its decision line.",
        ),
    )
    return section


def _on_the_line(perceptron: Perceptron, X: np.ndarray) -> str:
    """A remark on inputs exactly on the line (a = 0): the step fires there, as a ≥ 0."""
    on_line = [tuple(int(v) for v in x) for x in X if perceptron.net_input(x) == 0]
    if not on_line:
        return ""
    points = ", ".join(f"({x1}, {x2})" for x1, x2 in on_line)
    return f" The input {points} lies exactly on the line: its a = 0, and the step fires for a ≥ 0."


def decision_plot(
    ws: Workspace, name: str, perceptron: Perceptron, X: np.ndarray, t: np.ndarray, title: str, caption: str
) -> Image | Missing:
    """The perceptron's decision regions over the four gate inputs, with its line drawn in."""
    line = (float(perceptron.weights[0]), float(perceptron.weights[1]), perceptron.bias)

    def draw() -> Any:
        fig = plot_decision_regions(perceptron, X, t, line=line, title=title, resolution=150)
        fig.set_size_inches(4.8, 4.0)
        return fig

    return ws.plot(name, draw, caption, title)
