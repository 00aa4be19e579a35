"""The scalar neuron's net input, net = b + Σᵢ wᵢxᵢ, as one operation of the graph.

Built from ``+`` and ``*`` a neuron with n inputs makes 2n nodes; as one node it makes one, with the
same number (the terms are added in the same order, b + w₁x₁ + w₂x₂ + …). Every weight is still its
own input Value, so a drawing shows each one entering the neuron, as in the lecture's diagrams, and
the lecture's formulas are the local derivatives:

    ∂net/∂b = 1,    ∂net/∂wᵢ = xᵢ,    ∂net/∂xᵢ = wᵢ.

Written as an engine operation (``forward`` on numbers, one ``vjp`` rule per input written with
arithmetic that also works on Values), so it supports ``create_graph`` and gradcheck like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.engine import Value
from tinygrad_edu.engine.ops import Op
from tinygrad_edu.engine.value import apply


def _net(bias: Any, *terms: Any) -> Any:
    """b + Σᵢ wᵢxᵢ for inputs laid out as (b, w₁ … wₙ, x₁ … xₙ)."""
    n = len(terms) // 2
    total = bias
    for i in range(n):
        total = total + terms[i] * terms[n + i]
    return total


class _PartnerRule:
    """The rule for input ``position``: g times the factor it is multiplied by (g itself for b)."""

    def __init__(self, position: int) -> None:
        self.position = position

    def __call__(self, g: Any, y: Any, *inputs: Any) -> Any:
        if self.position == 0:
            return g
        n = (len(inputs) - 1) // 2
        partner = self.position + n if self.position <= n else self.position - n
        return g * inputs[partner]


class WeightedSum(Op):
    """net = b + Σᵢ wᵢxᵢ;  ∂net/∂b = 1, ∂net/∂wᵢ = xᵢ, ∂net/∂xᵢ = wᵢ."""

    name = "Σwx+b"
    forward = staticmethod(_net)
    # one rule per input position; the list grows (once) to fit the widest neuron seen
    vjp: list[_PartnerRule] = []  # type: ignore[assignment]


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Any], bias: Value) -> Value:
    """b + Σᵢ wᵢxᵢ as one recorded node (weights and inputs of equal length)."""
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
    rules = WeightedSum.vjp
    while len(rules) < 2 * len(weights) + 1:
        rules.append(_PartnerRule(len(rules)))
    return apply(WeightedSum, bias, *weights, *inputs)
