"""Section 4: checking gradients numerically — the worked example's weights, then every operation.

A derivative is a limit, so it can be estimated without calculus: the central difference
(E(w + ε) − E(w − ε)) / 2ε differs from ∂E/∂w by O(ε²). If back-propagation and the estimate agree
for every weight, the backward rules are right.
"""

from __future__ import annotations

from tinygrad_edu import selftest, worked_example
from tinygrad_edu.tour.content import Paragraph, Preformatted, Section, Table
from tinygrad_edu.tour.workspace import Workspace

TITLE = "Checking every gradient numerically"
EPSILON = 1e-6


def build(ws: Workspace) -> Section:
    section = Section("gradcheck", TITLE, "Gradient Descent Derivation; BP Algorithm (a check, not a slide)")
    results = selftest.check_all_operations(seed=0, second_order=True)
    section.add(
        Paragraph(
            "How do we know the numbers of the previous section are right? Nudge one weight a tiny ε up and "
            "down, run the forward pass again, and measure how E moves: (E(w + ε) − E(w − ε)) / 2ε approximates "
            "∂E/∂w with an error of order ε². Back-propagation must agree."
        ),
        _worked_example_check(),
        Paragraph(
            "The same test runs over every operation of the engine — each built from small random inputs kept "
            "away from kinks such as relu at 0, where a difference quotient measures neither side. The second "
            "derivatives (the gradient of the gradient) are checked too, because each backward rule is itself "
            "built from differentiable operations. Run it yourself with `tinygrad-edu gradcheck`."
        ),
        Preformatted(selftest.format_table(results), "The self-test: analytical versus numerical derivatives."),
    )
    return section


def _worked_example_check() -> Table:
    ex = worked_example.build()
    ex.total_error.backward()
    rows = []
    for k, weight in enumerate(ex.weights):
        numerical = _central_difference(k)
        rows.append((weight.label, f"{weight.grad:+.10f}", f"{numerical:+.10f}", f"{abs(weight.grad - numerical):.1e}"))
    return Table(
        ("weight", "backward", f"central difference (ε = {EPSILON:g})", "difference"),
        tuple(rows),
        "The worked example: ∂E_total/∂w from back-propagation and from the central difference.",
        row_header=True,
    )


def _central_difference(k: int) -> float:
    """(E(w_k + ε) − E(w_k − ε)) / 2ε with the other weights at the lecture's values."""
    heights = []
    for sign in (1, -1):
        weights = list(worked_example.WEIGHTS)
        weights[k] += sign * EPSILON
        heights.append(worked_example.build(tuple(weights)).total_error.data)
    return (heights[0] - heights[1]) / (2 * EPSILON)
