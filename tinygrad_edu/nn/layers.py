"""Tensor layers: one weight matrix per layer, a whole batch per operation (fast).

``Linear`` computes net = x Wᵀ + b for a batch of rows x at once: row n of the result holds the net
inputs of every unit for sample n, the lecture's net_j = Σᵢ wⱼᵢ xᵢ + bⱼ. ``Sequential`` chains layers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value
from tinygrad_edu.engine.functions import linear
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module


class Linear(Module):
    """y = x Wᵀ + b with W of shape (out_features, in_features), as in PyTorch.

    Row j of W holds the weights *into* unit j, so ``weight[j, i]`` is the lecture's wⱼᵢ. The default
    initialization is PyTorch's: W and b uniform in (−1/√in_features, 1/√in_features) (Kaiming-uniform
    with a = √5). Set given numbers with :meth:`from_weights` or by assigning ``layer.weight.data``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        seed: init.Seed = None,
        dtype: Any = None,
    ) -> None:
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = np.dtype(np.float64 if dtype is None else dtype)
        rng = init.as_generator(seed)
        self.weight = Value(np.zeros((self.out_features, self.in_features)), label="weight", dtype=dtype)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), seed=rng)
        self.bias: Value | None = None
        if bias:
            bound = 1.0 / math.sqrt(self.in_features)
            self.bias = Value(np.zeros(self.out_features), label="bias", dtype=dtype)
            init.uniform_(self.bias, -bound, bound, seed=rng)

    @classmethod
    def from_weights(cls, weight: Any, bias: Any = None) -> Linear:
        """A layer holding the given numbers: ``weight`` of shape (out, in); ``bias`` of shape (out,),
        a single number shared by every unit (the lecture's b1), or None for no bias."""
        w = np.asarray(weight.data if isinstance(weight, Value) else weight)
        if w.ndim != 2:
            raise ValueError(f"Linear.from_weights: weight must have shape (out, in), got shape {w.shape}")
        dtype = w.dtype if w.dtype == np.float32 else np.float64
        layer = cls(w.shape[1], w.shape[0], bias=bias is not None, seed=0, dtype=dtype)
        layer.weight.data = w.astype(dtype)
        if bias is not None:
            b = np.asarray(bias.data if isinstance(bias, Value) else bias, dtype=dtype)
            if b.shape not in ((), (w.shape[0],)):
                raise ValueError(
                    f"Linear.from_weights: bias must be one number or have shape ({w.shape[0]},), got shape {b.shape}"
                )
            layer.bias.data = np.broadcast_to(b, (w.shape[0],))  # type: ignore[union-attr]
        return layer

    def forward(self, x: Any) -> Value:
        try:
            return linear(x, self.weight, self.bias)  # x Wᵀ + b as one graph node
        except ValueError:  # the operation checks the shapes; say which layer refused which input
            shape = x.shape if isinstance(x, Value) else np.shape(x)
            if len(shape) == 0 or shape[-1] != self.in_features:
                raise ValueError(
                    f"Linear({self.in_features}, {self.out_features}): input has shape {tuple(shape)}, but its "
                    f"last dimension must be in_features={self.in_features}"
                ) from None
            raise

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 2), Sigmoid())(x)``.

    Items are named ``0``, ``1``, ... (so parameters are ``0.weight``, ``0.bias``, ... as in PyTorch);
    ``model[0]`` is the first, ``model[1:]`` a Sequential of the rest.
    """

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a Module")
        self.layers = list(modules)

    def _members(self) -> list[tuple[str, Any]]:
        """The items as ``0``, ``1``, ..., then any other attribute under its own name."""
        others = [(name, obj) for name, obj in super()._members() if name != "layers"]
        return [(str(i), m) for i, m in enumerate(self.layers)] + others

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def append(self, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: expected a Module, got {type(module).__name__}")
        self.layers.append(module)
        return self

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)
