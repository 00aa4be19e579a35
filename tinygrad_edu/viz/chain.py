"""The chain rule behind one gradient, worked out the lecture's way: ``chain_rule(root, wrt)``.

The lecture writes ∂E/∂w5 = ∂E/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5: a product of local derivatives
between *named* quantities, although the graph has unnamed nodes in between (net_o1 is
(w5*out_h1 + w6*out_h2) + b2, E_o1 is 0.5*(t − out_o1)**2). So the derivation is built in four moves:

1. **Named stops.** The nodes on the paths from ``wrt`` to ``root`` that are written out are the
   labelled ones (plus ``wrt`` and ``root``). If nothing in between is labelled, every node is a stop,
   under its automatic name. Between two stops, the unnamed stretch collapses into one *factor*: the sum
   over its routes of the product of the local derivatives along each route (one route: one product).
2. **Folding sums.** A stop whose only use is a sum (local derivative exactly 1), like E_o1 in
   E_total = E_o1 + E_o2, passes its gradient on unchanged, so it is folded into its neighbours' factors:
   the lecture's ∂E_total/∂out_o1 rather than ∂E_total/∂E_o1 × ∂E_o1/∂out_o1.
3. **Bottlenecks.** The stops every path passes through (out_h1, net_h1 for w1) split the derivative
   into a product of segments, ∂E/∂w1 = ∂E/∂out_h1 × ∂out_h1/∂net_h1 × ∂net_h1/∂w1.
4. **Sums over paths.** A segment with several paths (out_h1 reaches E through out_o1 and out_o2) is the
   sum over its paths of their products. When there are more than ``max_paths``, it is computed node by
   node instead: each node's derivative is the sum over the nodes that use it of their derivative × the
   local derivative — the δ recursion, which backward runs.

Everything is computed from the op's own backward rules (:mod:`tinygrad_edu.viz.local`); nothing in the
graph is changed. Scalars only: a path through arrays has Jacobian matrices, not numbers, as factors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod
from typing import Any

from tinygrad_edu.engine import Value
from tinygrad_edu.viz.local import local_derivative_wrt, local_formula, passes_unchanged
from tinygrad_edu.viz.naming import constant_name, display_names
from tinygrad_edu.viz.traverse import downstream_of, forward_order

STOP_CHOICES = ("auto", "labelled", "all")
NAME_LENGTH = 24  # automatic names longer than this become short ones (mul3), so formulas stay readable


@dataclass(frozen=True, eq=False)
class Factor:
    """∂top/∂bottom between two stops, collapsing the unnamed nodes between them."""

    top: Value
    bottom: Value
    value: float
    routes: int  # how many routes through unnamed nodes it sums (1: a single chain)
    through: tuple[Value, ...] = ()  # a single chain's inner nodes, top to bottom
    steps: tuple[float, ...] = ()  # its local derivatives, top to bottom (len(through) + 1)
    formula: tuple[str, ...] | None = None  # the local derivatives as formulas, 1s left out; None: unknown
    unchanged: bool = False  # every step is a sum, which hands the gradient on unchanged


@dataclass(frozen=True)
class Path:
    """One path of a segment: its factors from the top down, and their product."""

    factors: tuple[Factor, ...]
    value: float


@dataclass(frozen=True)
class RecursionLine:
    """∂top/∂node = Σ over the stops using node of ∂top/∂user × ∂user/∂node."""

    node: Value
    terms: tuple[tuple[Value, float, Factor], ...]  # (user, ∂top/∂user, factor ∂user/∂node)
    value: float


@dataclass(frozen=True)
class Segment:
    """∂top/∂bottom between two consecutive bottlenecks: one path, a sum of paths, or the recursion."""

    top: Value
    bottom: Value
    path_count: int
    value: float
    paths: tuple[Path, ...] | None  # None when there are more than max_paths
    recursion: tuple[RecursionLine, ...] | None  # the node-by-node form, when paths is None


@dataclass(frozen=True)
class Derivation:
    """∂root/∂wrt as a product of segments (from the root down), with everything needed to write it."""

    root: Value
    wrt: Value
    value: float
    segments: tuple[Segment, ...]
    names: dict[Value, str]
    stops: tuple[Value, ...]  # in topological order (wrt first, root last)
    factors: dict[Value, dict[Value, Factor]]  # factors[bottom][top]
    gradient: dict[Value, float]  # ∂root/∂stop for every stop
    folded: tuple[tuple[Value, Value], ...]  # (stop, the stop it passed its gradient to unchanged)
    max_paths: int


def chain_rule(root: Value, wrt: Value, *, stops: str = "auto", max_paths: int = 16) -> Derivation:
    """Work out ∂root/∂wrt as the lecture does (see the module docstring for the four moves).

    ``stops``: "labelled" writes out only labelled nodes, "all" every node, "auto" the labelled ones
    when some node between wrt and root is labelled, else all.
    """
    _check_arguments(root, wrt, stops, max_paths)
    order = forward_order(root)
    if wrt not in set(order):
        raise ValueError(f"explain: {_name_of(root)} does not depend on {_name_of(wrt)} (no path between them)")
    on_paths = downstream_of(wrt, order)
    region = [n for n in order if n in on_paths]
    for node in region:
        if node.size != 1:
            raise ValueError(
                f"explain: works on scalar paths, but {_name_of(node)} on a path from {_name_of(wrt)} to "
                f"{_name_of(root)} has shape {node.shape} (its local derivatives are Jacobian matrices); "
                "use draw_graph or backward_steps for tensors"
            )
    names = display_names(root, max_length=NAME_LENGTH)
    inside = set(region)
    position = {node: i for i, node in enumerate(region)}
    labelled_between = any(n.label for n in region if n is not root and n is not wrt)
    use_labels = stops == "labelled" or stops == "auto" and labelled_between
    stop_list = [n for n in region if n is wrt or n is root or not use_labels or n.label]

    factors = _collapse(stop_list, region, inside, position, names)
    folded = _fold(stop_list, factors, wrt, root, position)
    folded_stops = {stop for stop, _ in folded}
    stop_list = [s for s in stop_list if s not in folded_stops]
    gradient = _gradients(stop_list, factors, root)
    segments = _segments(stop_list, factors, wrt, root, max_paths)
    return Derivation(
        root=root,
        wrt=wrt,
        value=prod(s.value for s in segments) if segments else 1.0,
        segments=tuple(segments),
        names=names,
        stops=tuple(stop_list),
        factors=factors,
        gradient=gradient,
        folded=tuple(folded),
        max_paths=max_paths,
    )


def _check_arguments(root: Any, wrt: Any, stops: str, max_paths: int) -> None:
    for what, v in (("root", root), ("wrt", wrt)):
        if not isinstance(v, Value):
            raise TypeError(f"explain: {what} must be a Value, got {type(v).__name__}")
    if stops not in STOP_CHOICES:
        raise ValueError(f"explain: stops must be one of {', '.join(STOP_CHOICES)}, got {stops!r}")
    if not isinstance(max_paths, int) or max_paths < 1:
        raise ValueError(f"explain: max_paths must be a positive integer, got {max_paths!r}")


def _name_of(v: Value) -> str:
    if v.label:
        return v.label
    return f"the unlabelled Value of shape {v.shape}" if v.shape else "the unlabelled Value"


# ----------------------------------------------------------------------------- 1. named stops
def _collapse(
    stop_list: list[Value], region: list[Value], inside: set[Value], position: dict[Value, int], names: dict
) -> dict[Value, dict[Value, Factor]]:
    """factors[bottom][top]: ∂top/∂bottom for each pair of stops joined by unnamed nodes only."""
    is_stop = set(stop_list)
    users: dict[Value, list[Value]] = {}
    for node in region:
        for parent in dict.fromkeys(p for p in node.parents if isinstance(p, Value) and p in inside):
            users.setdefault(parent, []).append(node)

    def name(operand: Any) -> str:
        return names[operand] if isinstance(operand, Value) else constant_name(operand)

    factors: dict[Value, dict[Value, Factor]] = {s: {} for s in stop_list}
    for start in stop_list:
        derivative = {start: 1.0}  # ∂node/∂start along the unnamed stretch
        routes = {start: 1}
        came_from: dict[Value, Value] = {}
        frontier = set(users.get(start, ()))
        seen = set(frontier)
        while frontier:  # collect the stretch, then walk it in topological order
            nxt = set()
            for node in frontier:
                if node not in is_stop:
                    for u in users.get(node, []):
                        if u not in seen:
                            seen.add(u)
                            nxt.add(u)
            frontier = nxt
        for node in sorted(seen, key=position.__getitem__):
            inputs = dict.fromkeys(p for p in node.parents if isinstance(p, Value))  # constants may be arrays
            reached = [p for p in inputs if p in derivative]
            derivative[node] = sum(derivative[p] * local_derivative_wrt(node, p) for p in reached)
            routes[node] = sum(routes[p] for p in reached)
            if len(reached) == 1:
                came_from[node] = reached[0]
            if node in is_stop:
                factors[start][node] = _factor(start, node, derivative[node], routes[node], came_from, name)
                del derivative[node]  # a stop ends the stretch: nothing continues through it
    return factors


def _factor(start: Value, stop: Value, value: float, routes: int, came_from: dict, name: Callable) -> Factor:
    """The factor ∂stop/∂start, with its chain of unnamed nodes when there is just one route."""
    if routes != 1:
        return Factor(stop, start, value, routes)
    chain = [stop]
    while chain[-1] is not start:
        chain.append(came_from[chain[-1]])
    steps = tuple(local_derivative_wrt(upper, lower) for upper, lower in zip(chain, chain[1:]))
    formulas = [local_formula(upper, lower, name) for upper, lower in zip(chain, chain[1:])]
    known = [f for f in formulas if f is not None]
    formula = tuple(f for f in known if f != "1") if len(known) == len(formulas) else None
    unchanged = all(passes_unchanged(upper, lower) for upper, lower in zip(chain, chain[1:]))
    return Factor(stop, start, value, 1, tuple(chain[1:-1]), steps, formula, unchanged)


# ----------------------------------------------------------------------------- 2. folding sums
def _fold(
    stop_list: list[Value], factors: dict[Value, dict[Value, Factor]], wrt: Value, root: Value, position: dict
) -> list[tuple[Value, Value]]:
    """Fold each stop whose only use passes its gradient on unchanged (every step on the way is a sum,
    local derivative 1) into its neighbours: u → s → t becomes u → t. Works from the root down, so chains
    of sums fold entirely."""
    folded = []
    for stop in sorted(stop_list, key=position.__getitem__, reverse=True):
        if stop is wrt or stop is root or len(factors[stop]) != 1:
            continue
        ((target, upper),) = factors[stop].items()
        if not upper.unchanged:  # a product or a ReLU that happens to be 1 here is not folded
            continue
        for lower_stop in stop_list:
            lower = factors.get(lower_stop, {}).pop(stop, None)
            if lower is None:
                continue
            joined = _join(upper, stop, lower)
            existing = factors[lower_stop].get(target)
            if existing is not None:  # two ways from lower_stop to target now: add them
                joined = Factor(target, lower_stop, existing.value + joined.value, existing.routes + joined.routes)
            factors[lower_stop][target] = joined
        del factors[stop]
        folded.append((stop, target))
    return folded


def _join(upper: Factor, middle: Value, lower: Factor) -> Factor:
    """The factor ∂upper.top/∂lower.bottom through ``middle``, where ∂upper.top/∂middle = 1."""
    if upper.routes != 1 or lower.routes != 1:
        return Factor(upper.top, lower.bottom, upper.value * lower.value, upper.routes * lower.routes)
    formula = None if upper.formula is None or lower.formula is None else upper.formula + lower.formula
    return Factor(
        upper.top,
        lower.bottom,
        upper.value * lower.value,
        1,
        upper.through + (middle,) + lower.through,
        upper.steps + lower.steps,
        formula,
        upper.unchanged and lower.unchanged,
    )


# ----------------------------------------------------------------------------- 3. bottlenecks
def _gradients(stop_list: list[Value], factors: dict[Value, dict[Value, Factor]], root: Value) -> dict[Value, float]:
    """∂root/∂stop for every stop, from the root down (backward, on the collapsed graph)."""
    gradient = {root: 1.0}
    for stop in reversed(stop_list):
        if stop is not root:
            gradient[stop] = sum(gradient[top] * f.value for top, f in factors[stop].items())
    return gradient


def _path_counts(stop_list: list[Value], factors: dict, source: Value, allowed: set[Value]) -> dict[Value, int]:
    """How many paths lead from ``source`` to each stop, moving up through ``allowed`` stops only."""
    counts = {s: 0 for s in stop_list if s in allowed}
    counts[source] = 1
    for stop in stop_list:
        if stop in allowed and counts[stop]:
            for top in factors[stop]:
                if top in allowed:
                    counts[top] += counts[stop]
    return counts


def _segments(
    stop_list: list[Value], factors: dict[Value, dict[Value, Factor]], wrt: Value, root: Value, max_paths: int
) -> list[Segment]:
    """The segments between consecutive bottlenecks, from the root down."""
    everything = set(stop_list)
    from_wrt = _path_counts(stop_list, factors, wrt, everything)
    to_root = {s: 0 for s in stop_list}
    to_root[root] = 1
    for stop in reversed(stop_list):
        if stop is not root:
            to_root[stop] = sum(to_root[top] for top in factors[stop])
    total = from_wrt[root]
    bottlenecks = [i for i, s in enumerate(stop_list) if from_wrt[s] * to_root[s] == total]
    segments = []
    for low, high in zip(reversed(bottlenecks[:-1]), reversed(bottlenecks[1:])):
        # every stop lies on a path through both bottlenecks, so the stops ordered between them are
        # exactly the ones on their paths
        between = stop_list[low : high + 1]
        segments.append(_segment(stop_list[low], stop_list[high], between, factors, max_paths))
    return segments


# ----------------------------------------------------------------------------- 4. sums over paths
def _segment(bottom: Value, top: Value, between: list[Value], factors: dict, max_paths: int) -> Segment:
    allowed = set(between)
    count = _path_counts(between, factors, bottom, allowed)[top]
    if count <= max_paths:
        paths = _all_paths(bottom, top, allowed, factors)
        return Segment(top, bottom, count, sum(p.value for p in paths), tuple(paths), None)
    lines = _recursion(bottom, top, between, allowed, factors)
    return Segment(top, bottom, count, lines[-1].value, None, tuple(lines))


def _all_paths(bottom: Value, top: Value, allowed: set[Value], factors: dict) -> list[Path]:
    """Every path from bottom up to top, each written from the top down. Iterative depth-first search."""
    paths = []
    stack: list[tuple[Value, tuple[Factor, ...]]] = [(bottom, ())]
    while stack:
        node, so_far = stack.pop()
        if node is top:
            written = tuple(reversed(so_far))
            paths.append(Path(written, prod(f.value for f in written)))
            continue
        for upper, factor in reversed(list(factors[node].items())):
            if upper in allowed:
                stack.append((upper, so_far + (factor,)))
    return paths


def _recursion(
    bottom: Value, top: Value, between: list[Value], allowed: set[Value], factors: dict
) -> list[RecursionLine]:
    """∂top/∂node for each stop of the segment, from the top down: the δ recursion."""
    relative = {top: 1.0}
    lines = []
    for node in reversed(between):
        if node is top:
            continue
        terms = tuple((upper, relative[upper], f) for upper, f in factors[node].items() if upper in allowed)
        relative[node] = sum(g * f.value for _, g, f in terms)
        lines.append(RecursionLine(node, terms, relative[node]))
    return lines
