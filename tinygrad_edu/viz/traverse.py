"""Walking a computation graph without changing it: every Value, and who uses whom.

The engine's :func:`~tinygrad_edu.engine.topological_order` lists only the Values that need a
gradient (that is all backward needs). A drawing must also show the inputs that need none, such as
the lecture's i1 and i2, so viz walks every Value reachable from the root, also without recursion.
"""

from __future__ import annotations

from collections.abc import Iterable

from tinygrad_edu.engine import Value


def forward_order(roots: Value | Iterable[Value]) -> list[Value]:
    """Every Value the roots were computed from (whether or not it requires grad), inputs first.

    Iterative depth-first search: a node is appended once all of its inputs have been appended.
    """
    roots = [roots] if isinstance(roots, Value) else list(roots)
    for root in roots:
        if not isinstance(root, Value):
            raise TypeError(f"expected a Value to draw or explain, got {type(root).__name__}")
    order: list[Value] = []
    entered: set[Value] = set()
    finished: set[Value] = set()
    stack = list(reversed(roots))
    while stack:
        node = stack[-1]
        if node not in entered:
            entered.add(node)
            for parent in reversed(node.parents):  # the first input is explored first
                if isinstance(parent, Value) and parent not in entered:
                    stack.append(parent)
        else:
            stack.pop()
            if node not in finished:
                finished.add(node)
                order.append(node)
    return order


def consumers_of(nodes: Iterable[Value]) -> dict[Value, list[tuple[Value, int]]]:
    """For each Value, the (consumer, input position) pairs of the operations that read it."""
    users: dict[Value, list[tuple[Value, int]]] = {}
    for node in nodes:
        for position, parent in enumerate(node.parents):
            if isinstance(parent, Value):
                users.setdefault(parent, []).append((node, position))
    return users


def downstream_of(source: Value, order: list[Value]) -> set[Value]:
    """``source`` and every Value in ``order`` computed from it: the nodes on its paths to the root."""
    reached = {source}
    for node in order:
        if any(isinstance(p, Value) and p in reached for p in node.parents):
            reached.add(node)
    return reached
