"""Activation functions as modules, for ``Sequential(Linear(2, 2), Sigmoid(), ...)``.

Each one applies its function from :mod:`tinygrad_edu.nn.functional` elementwise (Softmax and
LogSoftmax along ``dim``); none has parameters.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine import Value
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module


class Identity(Module):
    """f(x) = x (a placeholder where a layer is expected)."""

    def forward(self, x: Any) -> Value:
        return F.identity(x)


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e⁻ˣ), the lecture's activation; σ' = σ(1 − σ)."""

    def forward(self, x: Any) -> Value:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh x; tanh' = 1 − tanh²."""

    def forward(self, x: Any) -> Value:
        return F.tanh(x)


class ReLU(Module):
    """max(0, x)."""

    def forward(self, x: Any) -> Value:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope · x."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Value:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Step(Module):
    """The perceptron's threshold: 1 where x ≥ 0, else 0 (gradient 0)."""

    def forward(self, x: Any) -> Value:
        return F.step(x)


class Softmax(Module):
    """e^xᵢ / Σⱼ e^xⱼ along ``dim``: turns scores into probabilities."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = dim

    def forward(self, x: Any) -> Value:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """xᵢ − log Σⱼ e^xⱼ along ``dim``, computed stably."""

    def __init__(self, dim: int = -1) -> None:
        self.dim = dim

    def forward(self, x: Any) -> Value:
        return F.log_softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
