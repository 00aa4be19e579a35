"""How fast can a scalar engine be? Two stripped-down engines timed beside micrograd and tinygrad_edu.

``bench_scalar_graph.py`` measures tinygrad_edu against micrograd (issue 2 §6 asks for 5× micrograd with
its collector on). This script asks what that goal asks of *any* engine written in Python, by timing,
on the same workloads and in the same way, two minimal engines written below. Each knows only +, * and
tanh on Python floats, and nothing else:

- ``inlined``: every operation's derivative written out inside backward's loop; micrograd's engine
  without its closures (the reference cycles that make its collector slow), the fastest design we know;
- ``rules``: tinygrad_edu's design, as issue 2 asks for it: an operation is a class with a forward and
  one vector-Jacobian rule per input, called by a generic engine over an iterative topological order;
  but none of tinygrad_edu's features (no requires_grad, no_grad, labels, arrays, broadcasting,
  constants kept apart from inputs, or a failed backward that changes nothing).

Timed as in ``bench_scalar_graph.py``: build + backward + free, collector on, every measurement in a
fresh subprocess, the four engines back to back in each round; a ratio is micrograd's time over the
engine's, the median over the rounds.

    python benchmarks/bench_scalar_ceiling.py           # about two minutes (3 rounds)
    python benchmarks/bench_scalar_ceiling.py --quick   # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from _common import emit_result, format_ratio, format_seconds, format_table, run_worker
from bench_scalar_graph import (
    GOAL_SPEEDUP_OVER_MICROGRAD,
    SAME_RESULT_RTOL,
    Framework,
    load_framework,
    measure,
    ok,
    size_label,
    workloads,
)

MICROGRAD = "micrograd (gc on)"
INLINED = "inlined"
RULES = "rules"
TINY = "tinygrad_edu"
ENGINES = (INLINED, RULES, TINY)
ENGINE_NOTES = {
    INLINED: "derivatives written out in backward (micrograd without closures)",
    RULES: "tinygrad_edu's design, none of its features",
    TINY: "the framework",
}


# ====================================================================== the two minimal engines
def topological_order(root: Any, node_type: type) -> list[Any]:
    """Every node ``root`` was computed from, each after its inputs (``a``, and ``b`` when it is a node).

    Iterative depth-first search: a node goes back on the stack under a marker (None) with its inputs
    above it, and is appended when the marker comes back to the top."""
    order: list[Any] = []
    entered: set[Any] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            order.append(stack.pop())
            continue
        if node in entered:
            continue
        entered.add(node)
        a, b = node.a, node.b
        if a is None:
            order.append(node)
            continue
        stack += (node, None)
        if a not in entered:
            stack.append(a)
        if type(b) is node_type and b not in entered:
            stack.append(b)
    return order


ADD, MUL, TANH = "+", "*", "tanh"


class InlinedValue:
    """A float that records +, * and tanh; backward applies each one's derivative written out in place."""

    __slots__ = ("data", "grad", "op", "a", "b", "__weakref__")

    def __init__(self, data: float) -> None:
        self.data, self.grad, self.op, self.a, self.b = data, 0.0, None, None, None

    def __add__(self, other: Any) -> InlinedValue:
        if type(other) is InlinedValue:
            return inlined_node(self.data + other.data, ADD, self, other)
        return inlined_node(self.data + other, ADD, self, None)  # ∂/∂self is 1: the constant is not needed

    def __mul__(self, other: Any) -> InlinedValue:
        if type(other) is InlinedValue:
            return inlined_node(self.data * other.data, MUL, self, other)
        return inlined_node(self.data * other, MUL, self, other)  # the constant is ∂/∂self

    def tanh(self) -> InlinedValue:
        return inlined_node(math.tanh(self.data), TANH, self, None)

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(topological_order(self, InlinedValue)):
            g, a, b = node.grad, node.a, node.b
            if node.op == ADD:  # ∂(a + b)/∂a = ∂(a + b)/∂b = 1
                a.grad += g
                if b is not None:
                    b.grad += g
            elif node.op == MUL:  # ∂(ab)/∂a = b, ∂(ab)/∂b = a
                if type(b) is InlinedValue:
                    a.grad += g * b.data
                    b.grad += g * a.data
                else:
                    a.grad += g * b
            elif node.op == TANH:  # ∂tanh(a)/∂a = 1 − tanh²(a)
                a.grad += g * (1.0 - node.data * node.data)


class Add:
    forward = staticmethod(lambda a, b: a + b)
    vjp = (lambda g, y, a, b: g, lambda g, y, a, b: g)


class Mul:
    forward = staticmethod(lambda a, b: a * b)
    vjp = (lambda g, y, a, b: g * b, lambda g, y, a, b: g * a)


class Tanh:
    forward = staticmethod(math.tanh)
    vjp = (lambda g, y, a: g * (1.0 - y * y),)


class RulesValue:
    """A float that records +, * and tanh as (operation class, inputs); backward calls each input's rule."""

    __slots__ = ("data", "grad", "op", "a", "b", "__weakref__")

    def __init__(self, data: float) -> None:
        self.data, self.grad, self.op, self.a, self.b = data, None, None, None, None

    def __add__(self, other: Any) -> RulesValue:
        return apply_binary(Add, self, other)

    def __mul__(self, other: Any) -> RulesValue:
        return apply_binary(Mul, self, other)

    def tanh(self) -> RulesValue:
        return rules_node(Tanh.forward(self.data), Tanh, self, None)

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(topological_order(self, RulesValue)):
            op, g, a, b = node.op, node.grad, node.a, node.b
            if op is None:
                continue
            if b is None:
                contribution = op.vjp[0](g, node.data, a.data)
                a.grad = contribution if a.grad is None else a.grad + contribution
                continue
            b_data = b.data if type(b) is RulesValue else b
            contribution = op.vjp[0](g, node.data, a.data, b_data)
            a.grad = contribution if a.grad is None else a.grad + contribution
            if type(b) is RulesValue:
                contribution = op.vjp[1](g, node.data, a.data, b_data)
                b.grad = contribution if b.grad is None else b.grad + contribution


def apply_binary(op: Any, a: RulesValue, b: Any) -> RulesValue:
    """The node op(a, b); a constant b (a float) is kept as it is, for the rules."""
    if type(b) is RulesValue:
        return rules_node(op.forward(a.data, b.data), op, a, b)
    return rules_node(op.forward(a.data, b), op, a, b)


# Nodes are made without a call to __init__ (object.__new__, then the slots): the cheapest way Python has
def inlined_node(data: float, op: str, a: Any, b: Any) -> InlinedValue:
    node = object.__new__(InlinedValue)
    node.data = data
    node.grad = 0.0
    node.op = op
    node.a = a
    node.b = b
    return node


def rules_node(data: float, op: Any, a: Any, b: Any) -> RulesValue:
    node = object.__new__(RulesValue)
    node.data = data
    node.grad = None
    node.op = op
    node.a = a
    node.b = b
    return node


def load(name: str) -> Framework:
    """A Framework for bench_scalar_graph's workloads: the two engines here, or one it knows."""
    engines = {INLINED: InlinedValue, RULES: RulesValue}
    if name not in engines:
        return load_framework(name)
    value = engines[name]
    return Framework(
        name, "-", leaf=value, tanh=value.tanh, value_of=lambda v: v.data, grad_of=lambda v: v.grad or 0.0
    )


# ====================================================================== the plan and its run
@dataclass(frozen=True)
class Plan:
    graph_size: int
    chain_lengths: tuple[int, ...]
    rounds: int
    timeout: float


FULL = Plan(100_000, (10**3, 10**4, 10**5), rounds=3, timeout=600)
QUICK = Plan(5_000, (10**2, 10**3), rounds=1, timeout=120)


def spec(column: str, workload: str, size: int) -> dict[str, Any]:
    return {
        "framework": "micrograd" if column == MICROGRAD else column,
        "workload": workload,
        "size": size,
        "gc": True,
        "recursion": "raised",  # micrograd's backward recurses once per node
        "repeats": min(5, max(1, 300_000 // size)),
    }


Results = dict[tuple[str, str, int], list[dict[str, Any]]]  # (column, workload, size) -> one result per round


def run_plan(plan: Plan) -> Results:
    script = os.path.abspath(__file__)
    results: Results = {}
    for round_number in range(1, plan.rounds + 1):
        for workload, size in workloads(plan):
            for column in (MICROGRAD, *ENGINES):
                what = f"[round {round_number}/{plan.rounds}] {column}: {workload} {size:,} ..."
                print(what, end=" ", file=sys.stderr, flush=True)
                started = time.perf_counter()
                (outcome,) = run_worker(script, spec(column, workload, size), plan.timeout)[:1]
                print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
                results.setdefault((column, workload, size), []).append(outcome)
    return results


def worker_main(spec_json: str) -> None:
    import json

    emit_result(measure(json.loads(spec_json), load=load))


# ====================================================================== the report
def median_ratio(results: Results, column: str, workload: str, size: int) -> float | None:
    """micrograd's time over the column's, round by round (both ran back to back), then the median."""
    pairs = zip(results[(MICROGRAD, workload, size)], results[(column, workload, size)])
    ratios = [theirs["total"] / mine["total"] for theirs, mine in pairs if ok(theirs) and ok(mine)]
    return statistics.median(ratios) if ratios else None


def best_total(rounds: list[dict[str, Any]]) -> str:
    times = [r["total"] for r in rounds if ok(r)]
    if len(times) < len(rounds):
        failed = next(r for r in rounds if not ok(r))
        return f"{failed['status']}: {failed.get('error', '')[:40]}"
    return format_seconds(min(times))


def disagreements(results: Results, plan: Plan) -> list[str]:
    """Workloads where an engine's output or Σ ∂output/∂inputs differs from micrograd's."""
    found = []
    for workload, size in workloads(plan):
        reference = next((r for r in results[(MICROGRAD, workload, size)] if ok(r)), None)
        for column in ENGINES:
            result = next((r for r in results[(column, workload, size)] if ok(r)), None)
            if reference is None or result is None:
                continue
            for key in ("output", "grad_sum"):
                theirs, mine = reference["summary"][key], result["summary"][key]
                if not math.isclose(theirs, mine, rel_tol=SAME_RESULT_RTOL, abs_tol=1e-300):
                    found.append(f"{size_label(workload, size)}: {column} {key}={mine!r}, micrograd {key}={theirs!r}")
    return found


def report(results: Results, plan: Plan, quick: bool) -> str:
    sizes = workloads(plan)
    names = [size_label(w, n) for w, n in sizes]
    rows = [
        [column, ENGINE_NOTES.get(column, "the peer")] + [best_total(results[(column, w, n)]) for w, n in sizes]
        for column in (MICROGRAD, *ENGINES)
    ]
    lines = [
        "Scalar engines on bench_scalar_graph.py's workloads, against micrograd 0.1.0 with its collector on"
        + ("  [--quick]" if quick else ""),
        f"(build + backward + free; best of each engine's runs; {plan.rounds} round(s), the engines back to back "
        "in each)",
        "",
        format_table(["engine", "what it is"] + names, rows),
        "",
    ]
    ratio_rows, verdicts = [], []
    goal = GOAL_SPEEDUP_OVER_MICROGRAD
    for column in ENGINES:
        ratios = {name: median_ratio(results, column, w, n) for name, (w, n) in zip(names, sizes)}
        ratio_rows.append([f"micrograd / {column}"] + [format_ratio(r) for r in ratios.values()])
        measured = {name: r for name, r in ratios.items() if r is not None}
        short = [name for name, r in measured.items() if r < goal]
        verdict = "yes" if measured and not short else "no" + (f" (short on {', '.join(short)})" if short else "")
        verdicts.append(f"  {column}: {verdict}")
    lines.append(format_table(["ratio (median over rounds)"] + names, ratio_rows))
    lines.append("")
    found = disagreements(results, plan)
    agreement = "yes" if not found else "NO: " + "; ".join(found)
    lines.append(f"Same output and Σ ∂output/∂inputs as micrograd (rel. {SAME_RESULT_RTOL:g}): {agreement}")
    caveat = " (quick run: sizes too small to judge)" if quick else ""
    lines.append(f"At least {goal:g}x micrograd on every workload{caveat}:")
    lines += verdicts
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round: a smoke run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    plan = QUICK if args.quick else FULL
    print(report(run_plan(plan), plan, args.quick))


if __name__ == "__main__":
    main()
