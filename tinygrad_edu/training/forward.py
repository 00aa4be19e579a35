"""Running a model on a batch, whether it takes whole batches (tensor nets) or one example at a time
(micrograd-style scalar nets, whose every weight is its own Value)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.engine import Value, stack


def takes_one_example(model: Any) -> bool:
    """Scalar networks (nn.Neuron, nn.Layer, nn.MLP) map one example (a list of numbers) to Values."""
    try:
        from tinygrad_edu.nn import scalar
    except ImportError:
        return False
    kinds = tuple(getattr(scalar, name) for name in ("Neuron", "Layer", "MLP") if hasattr(scalar, name))
    return bool(kinds) and isinstance(model, kinds)


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
