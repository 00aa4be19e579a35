"""Section 2: XOR — the delta rule cycles, because no line separates XOR's classes."""

from __future__ import annotations

from tinygrad_edu.data import xor_gate
from tinygrad_edu.perceptron import Perceptron
from tinygrad_edu.perceptron.trace import format_number
from tinygrad_edu.tour.content import Paragraph, Preformatted, Section
from tinygrad_edu.tour.perceptron_and import decision_plot
from tinygrad_edu.tour.workspace import Workspace

TITLE = "XOR: where a single perceptron gets stuck"


def build(ws: Workspace) -> Section:
    section = Section("perceptron-xor", TITLE, "Main Limitation of Perceptron")
    X, t = xor_gate()
    perceptron = Perceptron(2, lr=1.0, activation="binary", init="zeros")
    result = perceptron.fit(X, t, max_epochs=100)
    errors = ", ".join(map(str, result.errors_per_epoch))
    section.add(
        Paragraph(
            "XOR fires when exactly one input is 1. No straight line puts (0, 1) and (1, 0) on one side and "
            "(0, 0) and (1, 1) on the other, so the convergence theorem does not apply. Training the same "
            "perceptron the same way shows what happens instead."
        ),
        Preformatted(result.trace.table(), "The epoch table for XOR (η = 1, starting from zero weights)."),
        Preformatted(
            f"misclassified examples per epoch: {errors}\n{result}",
            "What the perceptron reports: the weights came back to where an earlier epoch left them.",
            wrap=True,
        ),
    )
    if result.cycle is not None:
        cycle = result.cycle
        weights = ", ".join(map(format_number, cycle.w))
        section.add(
            Paragraph(
                f"Each epoch depends only on the weights it starts from. After epoch {cycle.epoch} the weights "
                f"w = ({weights}), b = {format_number(cycle.b)} repeat an earlier state, so the same "
                f"{cycle.period}-epoch loop would run forever, each time with mistakes. Stopping here is not "
                "giving up early: it is a proof that more training cannot help. A hidden layer fixes this "
                "(the online / batch section below trains one on XOR)."
            )
        )
    section.add(
        decision_plot(
            ws,
            "xor_decision_line",
            perceptron,
            X,
            t,
            "XOR: the perceptron's last line",
            "XOR's four inputs with the perceptron's final decision line: whichever way the line turns, at "
            "least one example lands on the wrong side.",
        )
    )
    return section
