"""Which nodes of a graph belong to which ``nn`` module, so a drawing reads as layers.

The graph does not record which module made a node, so membership is inferred from the parameters,
with this rule for a module whose own parameters are P (those it holds directly, not via submodules):

1. A node *depends on* a parameter if the parameter is among its ancestors.
2. A *completion node* of the module is a computed node that depends on every parameter in P while
   none of its computed inputs does: where the module's computation is complete (x Wᵀ + b once b is
   added; Σ wᵢxᵢ + b for a neuron).
3. The module's cluster holds P and every node that depends on some parameter of P and is an ancestor
   of (or is) a completion node: exactly the nodes from its parameters to its result.

So a Linear layer's cluster holds W, b and x Wᵀ + b; the input x (no parameter of it) stays outside,
and so do a following activation and the loss (they come after the completion node). A module with
submodules is a cluster holding its submodules' clusters (a scalar MLP: layers holding neurons). Given
a whole model, its direct children become the top-level clusters. Parameter-free modules (Tanh) get no
cluster. A node that qualifies for two clusters (shared weights) goes to the first. An unlabelled
parameter is drawn under its name within its module (``w.0``, ``bias``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.engine import Value

MAX_TITLE = 60


@dataclass(eq=False)
class Cluster:
    """A labelled group of Values in a drawing: a module's own nodes and its submodules' clusters."""

    title: str
    members: list[Value] = field(default_factory=list)
    children: list[Cluster] = field(default_factory=list)
    parameter_names: dict[Value, str] = field(default_factory=dict)  # names within the module: w.0, bias

    def walk(self) -> list[Cluster]:
        """This cluster and every cluster nested in it, outermost first."""
        found, queue = [], deque([self])
        while queue:
            cluster = queue.popleft()
            found.append(cluster)
            queue.extend(cluster.children)
        return found


def module_clusters(modules: Any, order: list[Value]) -> list[Cluster]:
    """The clusters for ``modules`` (an ``nn.Module``, a ``{name: module}`` mapping or (name, module)
    pairs) over the nodes ``order`` of a graph, inputs first."""
    if _is_module(modules):
        children = [(name, child) for name, child in modules.named_children() if _has_parameters(child)]
        named = children if children and not _own_parameters(modules) else [("", modules)]
    elif isinstance(modules, Mapping):
        named = list(modules.items())
    else:
        try:
            named = [(str(name), module) for name, module in modules]
        except (TypeError, ValueError):
            raise TypeError(
                "draw_graph: modules must be an nn.Module, a {name: module} dict or (name, module) pairs, "
                f"got {type(modules).__name__}"
            ) from None
    for name, module in named:
        if not _is_module(module):
            raise TypeError(f"draw_graph: modules[{name!r}] is a {type(module).__name__}, not an nn.Module")
    index = {node: i for i, node in enumerate(order)}
    claimed: set[Value] = set()
    clusters = [_build(name, module, order, index, claimed) for name, module in named]
    return [c for c in clusters if c is not None]


def _build(name: str, module: Any, order: list[Value], index: dict[Value, int], claimed: set[Value]) -> Cluster | None:
    """The cluster of one module (None when none of its parameters is in the graph)."""
    own_named = [(n, p) for n, p in _own_parameters(module) if p in index]
    own = [p for _, p in own_named]
    members = [n for n in _computation_of(own, order) if n not in claimed]
    claimed.update(members)
    children = []
    for child_name, child in module.named_children():
        if _has_parameters(child):
            built = _build(child_name, child, order, index, claimed)
            if built is not None:
                children.append(built)
    if not members and not children:
        return None
    names = {p: n for n, p in own_named if p in members}
    return Cluster(title=_title(name, module), members=members, children=children, parameter_names=names)


def _computation_of(parameters: list[Value], order: list[Value]) -> list[Value]:
    """The parameters, and the nodes from them to their completion nodes (rule 3 above)."""
    if not parameters:
        return []
    bit = {p: 1 << k for k, p in enumerate(parameters)}
    everything = (1 << len(parameters)) - 1
    depends: dict[Value, int] = {}
    completions: list[Value] = []
    for node in order:
        mask = bit.get(node, 0)
        an_input_is_complete = False
        for parent in node.parents:
            if isinstance(parent, Value):
                parent_mask = depends.get(parent, 0)
                mask |= parent_mask
                an_input_is_complete |= parent_mask == everything and parent not in bit
        depends[node] = mask
        if mask == everything and node not in bit and not an_input_is_complete:
            completions.append(node)
    members: set[Value] = set(parameters)
    stack = list(completions)
    while stack:
        node = stack.pop()
        if node in members:
            continue
        members.add(node)
        stack.extend(p for p in node.parents if isinstance(p, Value) and depends.get(p, 0))
    return [n for n in order if n in members]


def _is_module(x: Any) -> bool:
    return hasattr(x, "named_parameters") and hasattr(x, "named_children")


def _has_parameters(module: Any) -> bool:
    return bool(module.named_parameters())


def _own_parameters(module: Any) -> list[tuple[str, Value]]:
    """The (name, parameter) pairs a module holds itself, not through a submodule."""
    inherited = {id(p) for _, child in module.named_children() for _, p in child.named_parameters()}
    return [(n, p) for n, p in module.named_parameters() if id(p) not in inherited]


def _title(name: str, module: Any) -> str:
    """``0: Linear(in_features=2, out_features=4, bias=True)``, or the class name if that is long."""
    text = repr(module)
    if "\n" in text or len(text) > MAX_TITLE:
        text = type(module).__name__
    return f"{name}: {text}" if name else text
