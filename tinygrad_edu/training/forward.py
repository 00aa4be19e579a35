"""Running a model on a batch, whether it takes whole batches (tensor nets) or one example at a time
(micrograd-style scalar nets, whose every weight is its own Value)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.engine import Value, stack
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.scalar import MLP, Layer, Neuron

SCALAR_MODULES = (Neuron, Layer, MLP)


def takes_one_example(model: Any) -> bool:
    """Scalar networks (nn.Neuron, nn.Layer, nn.MLP, or a module built from them, such as a Sequential
    of scalar Layers) map one example (a list of numbers) to Values."""
    if isinstance(model, SCALAR_MODULES):
        return True
    return isinstance(model, Module) and any(isinstance(m, SCALAR_MODULES) for m in model.modules())


def forward_batch(model: Any, X: np.ndarray) -> Value:
    """The model's outputs for every row of X as one Value: (N, outputs) or (N,)."""
    if not takes_one_example(model):
        out = model(X)
        return out if isinstance(out, Value) else stack(list(out))
    rows = []
    for x in X:
        out = model(list(x))
        rows.append(stack(out) if isinstance(out, (list, tuple)) else out)
    return stack(rows)
