"""The lecture's worked back-propagation example: a 2-2-2 sigmoid network, every number by hand.

Inputs i = (0.05, 0.10), targets t = (0.01, 0.99); hidden units h1 (weights w1, w2) and h2 (w3, w4)
share the bias b1 = 0.35; outputs o1 (w5, w6) and o2 (w7, w8) share b2 = 0.60; the error is
E = ½Σ(t − o)². (The lecture's slide lists the first target as 0.1, but its computation uses 0.01;
another slide writes w3 where net_h1 takes w2. The numbers below follow the computation.)

Every intermediate Value is labelled with the lecture's name (net_h1, out_o1, E_o1, ...), so graph
drawings and chain-rule explanations read like the slides.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygrad_edu.engine import Value

INPUTS = (0.05, 0.10)
TARGETS = (0.01, 0.99)
WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)  # w1 … w8
BIASES = (0.35, 0.60)  # b1 (hidden), b2 (output)
LEARNING_RATE = 0.5


@dataclass
class WorkedExample:
    """The network's Values, by the lecture's names."""

    inputs: list[Value]
    targets: list[float]
    weights: list[Value]  # w1 … w8
    biases: list[Value]  # b1, b2
    net_h: list[Value]
    out_h: list[Value]
    net_o: list[Value]
    out_o: list[Value]
    errors: list[Value]  # E_o1, E_o2
    total_error: Value  # E_total

    @property
    def parameters(self) -> list[Value]:
        return self.weights + self.biases

    def updated_weights(self, lr: float = LEARNING_RATE) -> list[float]:
        """w⁺ = w − η ∂E/∂w for w1 … w8 (after ``total_error.backward()``)."""
        return [w.data - lr * w.grad for w in self.weights]


def build(weights: tuple[float, ...] = WEIGHTS, biases: tuple[float, ...] = BIASES) -> WorkedExample:
    """Run the forward pass of the lecture's network with scalar Values (no backward yet)."""
    i1, i2 = (Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS))
    w = [Value(x, label=f"w{k + 1}") for k, x in enumerate(weights)]
    b1, b2 = Value(biases[0], label="b1"), Value(biases[1], label="b2")

    net_h1 = _named(w[0] * i1 + w[1] * i2 + b1, "net_h1")
    net_h2 = _named(w[2] * i1 + w[3] * i2 + b1, "net_h2")
    out_h1, out_h2 = _named(net_h1.sigmoid(), "out_h1"), _named(net_h2.sigmoid(), "out_h2")

    net_o1 = _named(w[4] * out_h1 + w[5] * out_h2 + b2, "net_o1")
    net_o2 = _named(w[6] * out_h1 + w[7] * out_h2 + b2, "net_o2")
    out_o1, out_o2 = _named(net_o1.sigmoid(), "out_o1"), _named(net_o2.sigmoid(), "out_o2")

    e_o1 = _named(0.5 * (TARGETS[0] - out_o1) ** 2, "E_o1")
    e_o2 = _named(0.5 * (TARGETS[1] - out_o2) ** 2, "E_o2")
    total = _named(e_o1 + e_o2, "E_total")
    return WorkedExample(
        inputs=[i1, i2],
        targets=list(TARGETS),
        weights=w,
        biases=[b1, b2],
        net_h=[net_h1, net_h2],
        out_h=[out_h1, out_h2],
        net_o=[net_o1, net_o2],
        out_o=[out_o1, out_o2],
        errors=[e_o1, e_o2],
        total_error=total,
    )


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


def report(example: WorkedExample | None = None, lr: float = LEARNING_RATE) -> str:
    """Forward values, E, every ∂E/∂w and the weights after one step, as the lecture prints them."""
    ex = example or build()
    if not ex.weights[0].has_grad:
        ex.total_error.backward()
    lines = ["The lecture's worked example: a 2-2-2 sigmoid network, one step of back-propagation", ""]
    lines.append(f"inputs i1, i2 = {INPUTS[0]}, {INPUTS[1]}    targets t1, t2 = {TARGETS[0]}, {TARGETS[1]}")
    lines.append("")
    lines.append("forward pass")
    for v in ex.net_h + ex.out_h + ex.net_o + ex.out_o:
        lines.append(f"  {v.label:<8} = {v.data:.9f}")
    lines.append(f"  {'E_total':<8} = {ex.total_error.data:.9f}")
    lines.append("")
    lines.append("backward pass: ∂E_total/∂w")
    for w in ex.weights:
        lines.append(f"  ∂E/∂{w.label:<3} = {w.grad: .9f}")
    lines.append("")
    lines.append(f"one gradient-descent step, w⁺ = w − η ∂E/∂w with η = {lr}")
    for w, new in zip(ex.weights, ex.updated_weights(lr)):
        lines.append(f"  {w.label}⁺ = {new:.9f}")
    return "\n".join(lines)
