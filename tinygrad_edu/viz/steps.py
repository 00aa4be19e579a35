"""``backward_steps``: the backward pass one node at a time, as data a learner can read.

Backward visits the nodes in reverse topological order. When it reaches a node, every node that uses
it (its *consumers*) has already been visited and has sent it a contribution

    consumer's gradient × ∂consumer/∂node            (the vector-Jacobian product, for arrays)

so the node's gradient is complete: the sum of those contributions — the lecture's δ recursion.
:func:`backward_steps` replays exactly that, in the engine's order, with its own bookkeeping: it never
touches ``.grad``, so it can be run before, after or instead of ``backward()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.engine.autograd import in_form_of
from tinygrad_edu.engine.ops import input_grad
from tinygrad_edu.viz.local import local_derivative, raw
from tinygrad_edu.viz.naming import display_names
from tinygrad_edu.viz.numbers import describe_data


@dataclass(frozen=True)
class Incoming:
    """One contribution to a node's gradient, sent by one of its consumers."""

    consumer: Value
    position: int  # which input of the consumer's operation the node is
    consumer_grad: Any  # ∂root/∂consumer, complete when the consumer was processed
    local_derivative: float | None  # ∂consumer/∂node for scalars; None for arrays (a Jacobian)
    contribution: Any  # consumer_grad × local derivative (the vector-Jacobian product for arrays)


@dataclass(frozen=True)
class BackwardStep:
    """What happens at one node of the backward pass."""

    index: int  # 1 for the root, then in the order backward visits the nodes
    node: Value
    name: str  # the node's label, or its automatic name
    incoming: tuple[Incoming, ...]  # empty for the root, whose gradient is the seed
    grad: Any  # the node's accumulated gradient ∂root/∂node (the sum of the contributions)
    consumer_names: tuple[str, ...]  # the names of the consumers, aligned with ``incoming``

    @property
    def is_seed(self) -> bool:
        return not self.incoming

    def describe(self, digits: int = 4) -> str:
        """One line: ``step 5: out_o1 ← from E_o1: 0.7414 × 1 = 0.7414``."""
        total = describe_data(self.grad, digits)
        if self.is_seed:
            return f"step {self.index}: {self.name} is the output; its gradient starts as the seed {total}"
        terms = []
        for item, consumer in zip(self.incoming, self.consumer_names):
            if item.local_derivative is None:
                terms.append(f"vjp from {consumer}")
            else:
                grad = _bracketed(describe_data(item.consumer_grad, digits))
                local = _bracketed(describe_data(item.local_derivative, digits))
                terms.append(f"{grad} × {local} from {consumer}")
        return f"step {self.index}: grad of {self.name} = {' + '.join(terms)} = {total}"


def _bracketed(number: str) -> str:
    return f"({number})" if number.startswith("-") else number


def backward_steps(root: Value, gradient: Any = None) -> Iterator[BackwardStep]:
    """Yield, in backward order, each node's step: the gradient arriving from each consumer, the local
    derivative, and the accumulated result. ``gradient`` seeds a non-scalar root (as in backward).

    Only nodes that require grad take part, exactly as in ``backward()``; ``.grad`` is not changed.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError("backward_steps: root does not require grad, so backward has nothing to do")
    names = display_names(root)
    arriving: dict[Value, list[tuple[Incoming, str]]] = {}
    for index, node in enumerate(reversed(topological_order(root)), 1):
        if index == 1:
            grad = _seed(root, gradient)
            incoming: list[tuple[Incoming, str]] = []
        else:
            incoming = arriving.pop(node, [])
            grad = _sum([item.contribution for item, _ in incoming])
        yield BackwardStep(
            index=index,
            node=node,
            name=names[node],
            incoming=tuple(item for item, _ in incoming),
            grad=grad,
            consumer_names=tuple(consumer for _, consumer in incoming),
        )
        _send(node, grad, names[node], arriving)


def _send(node: Value, grad: Any, name: str, arriving: dict[Value, list[tuple[Incoming, str]]]) -> None:
    """Pass the node's gradient on to each input that requires grad, through the op's backward rule."""
    if node.op is None:
        return
    inputs = [raw(p) for p in node.parents]
    for position, parent in enumerate(node.parents):
        if not (isinstance(parent, Value) and parent.requires_grad):
            continue
        contribution = input_grad(node.op, position, grad, node.data, tuple(inputs), node.attrs)
        scalar = node.size == 1 and parent.size == 1
        local = local_derivative(node, position) if scalar else None
        item = Incoming(node, position, grad, local, in_form_of(parent, contribution))
        arriving.setdefault(parent, []).append((item, name))


def _seed(root: Value, gradient: Any) -> Any:
    if gradient is None:
        if root.size != 1:
            raise RuntimeError(
                f"backward_steps: the root has shape {root.shape}; pass gradient= an array of that shape "
                "(or reduce the root to one number first, e.g. root.sum())"
            )
        return 1.0 if isinstance(root.data, float) else np.ones_like(root.data)
    seed = np.asarray(raw(gradient), dtype=np.asarray(root.data).dtype)
    if seed.shape != root.shape:
        raise ValueError(f"backward_steps: gradient has shape {seed.shape}, but the root has shape {root.shape}")
    return float(seed) if isinstance(root.data, float) else seed


def _sum(contributions: list[Any]) -> Any:
    total = contributions[0]
    for c in contributions[1:]:
        total = total + c
    return total
