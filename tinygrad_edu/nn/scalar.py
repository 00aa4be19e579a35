"""Scalar networks in micrograd's style: every weight is its own scalar ``Value``.

A drawing of such a network's graph shows each weight, as in the lecture's diagrams, and a neuron
computes exactly the lecture's formulas: net = Σᵢ wᵢxᵢ + b (one graph node, see
:func:`tinygrad_edu.engine.weighted_sum`), out = f(net).

micrograd's API works unchanged: ``Neuron(nin, nonlin=True)``, ``Layer(nin, nout)``,
``MLP(2, [16, 16, 1])`` (ReLU hidden layers, a linear last layer), weights drawn from U(−1, 1) and
biases 0, and ``parameters()`` in micrograd's order (each neuron's weights, then its bias).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value
from tinygrad_edu.engine.functions import weighted_sum
from tinygrad_edu.nn import init
from tinygrad_edu.nn.functional import get_activation
from tinygrad_edu.nn.module import Module

Activation = str | Callable[[Any], Any] | None  # None: linear, as everywhere in nn


class _Unset:
    """The default of ``activation`` where micrograd's ``nonlin`` flag may choose instead (None means linear)."""

    def __repr__(self) -> str:
        return "(not given)"


UNSET: Any = _Unset()


def _activation_name(activation: Activation) -> str:
    if activation is None:
        return "linear"
    return activation if isinstance(activation, str) else getattr(activation, "__name__", repr(activation))


def _choose_activation(nonlin: Any, activation: Activation) -> Activation:
    """The ``activation`` given (None: linear), else micrograd's ``nonlin`` flag, read as micrograd reads
    it (any true value → ReLU, any false one → linear; not given → ReLU)."""
    if activation is not UNSET:
        if nonlin is not None:
            raise TypeError("give either nonlin (micrograd's flag) or activation, not both")
        return "linear" if activation is None else activation
    return "relu" if nonlin is None or nonlin else "linear"


def _as_inputs(x: Any, nin: int, who: str) -> list[Any]:
    """x as a list of nin scalars: floats, or scalar Values (a 1-D Value is split into its elements)."""
    if isinstance(x, Value):
        if x.ndim != 1:
            raise ValueError(f"{who}: expected {nin} inputs, got a Value of shape {x.shape}")
        items: list[Any] = [x[i] for i in range(x.shape[0])]
    elif isinstance(x, (int, float, np.number)):
        items = [x]
    else:
        items = list(x)
    if len(items) != nin:
        raise ValueError(f"{who}: expected {nin} inputs, got {len(items)}")
    return [item if isinstance(item, Value) else float(item) for item in items]


class Neuron(Module):
    """One unit: out = f(Σᵢ wᵢxᵢ + b), with one scalar Value per weight.

    ``Neuron(nin, nonlin=True)`` is micrograd's (ReLU, or linear with ``nonlin=False``);
    ``activation`` names another: 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'step', 'linear' (or None),
    or any function of a Value. Weights start uniform in (−1, 1) and the bias at 0, as in micrograd.
    """

    def __init__(
        self, nin: int, nonlin: bool | None = None, activation: Activation = UNSET, *, seed: init.Seed = None
    ) -> None:
        if not isinstance(nin, (int, np.integer)) or isinstance(nin, bool) or nin < 1:
            raise ValueError(f"Neuron: nin must be a positive integer, got {nin!r}")
        rng = init.as_generator(seed)
        self.w = [Value(float(u)) for u in rng.uniform(-1.0, 1.0, size=int(nin))]
        self.b = Value(0.0)
        self.activation = _choose_activation(nonlin, activation)
        self._f = get_activation(self.activation)

    @classmethod
    def from_weights(cls, weights: Sequence[float], bias: float = 0.0, activation: Activation = "relu") -> Neuron:
        """A neuron holding the given numbers, e.g. ``Neuron.from_weights([w1, w2], b1, 'sigmoid')``."""
        neuron = cls(len(weights), activation=activation, seed=0)
        for w, number in zip(neuron.w, weights):
            w.data = float(number)
        neuron.b.data = float(bias)
        return neuron

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: does the neuron apply a nonlinearity?"""
        return self.activation not in ("linear", "identity")

    def forward(self, x: Any) -> Value:
        return self.fire(_as_inputs(x, len(self.w), f"Neuron({len(self.w)})"))

    def fire(self, inputs: list[Any]) -> Value:
        """out = f(b + Σᵢ wᵢxᵢ) for inputs already checked (nin floats or scalar Values)."""
        return self._f(weighted_sum(self.w, inputs, self.b))

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={_activation_name(self.activation)!r}"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of outputs (a single Value
    when nout = 1, as micrograd does)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool | None = None,
        activation: Activation = UNSET,
        *,
        seed: init.Seed = None,
    ) -> None:
        if not isinstance(nout, (int, np.integer)) or isinstance(nout, bool) or nout < 1:
            raise ValueError(f"Layer: nout must be a positive integer, got {nout!r}")
        rng = init.as_generator(seed)
        chosen = _choose_activation(nonlin, activation)
        self.neurons = [Neuron(nin, activation=chosen, seed=rng) for _ in range(int(nout))]

    @classmethod
    def from_weights(
        cls, weights: Sequence[Sequence[float]], biases: Any = 0.0, activation: Activation = "relu"
    ) -> Layer:
        """A layer whose neuron j has weights ``weights[j]`` and bias ``biases[j]`` (or one shared bias)."""
        rows = [list(row) for row in weights]
        shared = np.ndim(biases) == 0
        if not shared and len(biases) != len(rows):
            raise ValueError(f"Layer.from_weights: {len(rows)} rows of weights but {len(biases)} biases")
        layer = cls(len(rows[0]), len(rows), activation=activation, seed=0)
        for j, row in enumerate(rows):
            if len(row) != len(rows[0]):
                raise ValueError(f"Layer.from_weights: row {j} has {len(row)} weights, row 0 has {len(rows[0])}")
            layer.neurons[j] = Neuron.from_weights(row, biases if shared else biases[j], activation)
        return layer

    def forward(self, x: Any) -> Value | list[Value]:
        inputs = _as_inputs(x, len(self.neurons[0].w), f"Layer({len(self.neurons[0].w)}, {len(self.neurons)})")
        outs = [neuron.fire(inputs) for neuron in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def __repr__(self) -> str:
        first = self.neurons[0]
        name = _activation_name(first.activation)
        return f"Layer({len(first.w)}, {len(self.neurons)}, activation={name!r})"


class MLP(Module):
    """A multi-layer perceptron of scalar neurons: ``MLP(2, [16, 16, 1])`` as in micrograd.

    Hidden layers use ``activation`` (ReLU by default, micrograd's choice); the last layer uses
    ``output_activation`` (linear by default, so scores can take any sign).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        seed: init.Seed = None,
    ) -> None:
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size")
        rng = init.as_generator(seed)
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=output_activation if i == last else activation, seed=rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Any) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x
