"""Scalar autograd graphs: tinygrad_edu against micrograd 0.1.0 (and PyTorch for reference), issue 2 §6.

Two workloads, the same graph in every framework:

1. a random-but-seeded scalar expression graph of 100,000 operations (+, *, tanh) over 100 input
   leaves, built, back-propagated and freed;
2. chains x → tanh(0.99·x + 0.01) of 10^3, 10^4, 10^5 and 10^6 links (3 operations per link).

Each run is timed as build + backward + free (see ``_common``), with the garbage collector running as
it does for users; micrograd is timed a second time with the collector disabled. Every measurement runs
in a fresh subprocess, so micrograd's recursive backward can fail (RecursionError, or a crash) without
ending the benchmark: the failure is reported where its time would be.

    python benchmarks/bench_scalar_graph.py            # full run, about five minutes (3 rounds)
    python benchmarks/bench_scalar_graph.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _common import (
    best_run,
    current_rss_bytes,
    emit_result,
    format_ratio,
    format_seconds,
    format_table,
    loglog_slope,
    peak_rss_bytes,
    run_as_dict,
    run_with_big_stack,
    run_worker,
    time_run,
)

RAISED_RECURSION_LIMIT = 10_000_000
STACK_BYTES = 1 << 30  # 1 GiB of C stack for the measuring thread
GRAPH_LEAVES = 100
GRAPH_SEED = 0
SAME_RESULT_RTOL = 1e-9

TINY = "tinygrad_edu"
MICRO_GC_ON = "micrograd (gc on)"
MICRO_GC_OFF = "micrograd (gc off)"
TORCH = "torch"

GOAL_SPEEDUP_OVER_MICROGRAD = 5.0
GOAL_MAX_LOGLOG_SLOPE = 1.15  # time ∝ links^slope; 1 is linear, 2 quadratic
GOAL_MAX_MEMORY_GROWTH = 1.3  # bytes per link at the longest chain vs the next one


# ====================================================================== the frameworks, behind one interface
@dataclass(frozen=True)
class Framework:
    """What a workload needs from a framework: leaves, tanh, and reading numbers back.

    ``+`` and ``*`` with Python floats are written as operators and work the same in all of them.
    """

    name: str
    version: str
    leaf: Callable[[float], Any]
    tanh: Callable[[Any], Any]
    value_of: Callable[[Any], float]
    grad_of: Callable[[Any], float]


def load_framework(name: str) -> Framework:
    if name == TINY:
        from tinygrad_edu import Value

        return Framework(
            TINY,
            importlib.metadata.version("tinygrad_edu"),
            leaf=Value,
            tanh=Value.tanh,
            value_of=lambda v: float(v.data),
            grad_of=lambda v: float(v.grad),
        )
    if name == "micrograd":
        Value = micrograd_with_tanh()
        return Framework(
            "micrograd",
            importlib.metadata.version("micrograd"),
            leaf=Value,
            tanh=Value.tanh,
            value_of=lambda v: float(v.data),
            grad_of=lambda v: float(v.grad),
        )
    if name == TORCH:
        import torch

        torch.set_num_threads(1)  # scalar work: threads only contend for the shared cores
        return Framework(
            TORCH,
            torch.__version__,
            leaf=lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True),
            tanh=torch.tanh,
            value_of=lambda v: v.item(),
            grad_of=lambda v: 0.0 if v.grad is None else v.grad.item(),
        )
    raise ValueError(f"unknown framework {name!r}")


def micrograd_with_tanh() -> type:
    """micrograd 0.1.0's ``Value``, given the tanh it lacks, written the way micrograd writes its operations.

    y = tanh x, ∂y/∂x = 1 − y². As in micrograd's ``__add__``, ``__mul__`` and ``relu``, the output's
    ``_backward`` is a closure over the input and the output itself, so every node is a reference cycle.
    """
    from micrograd.engine import Value

    def tanh(self: Value) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    Value.tanh = tanh
    return Value


# ====================================================================== the workloads
def chain_workload(fw: Framework, links: int) -> Callable[[], dict[str, Any]]:
    """x → tanh(0.99·x + 0.01), ``links`` times: a graph 3·links operations deep."""

    def build() -> dict[str, Any]:
        x = fw.leaf(0.5)
        y = x
        for _ in range(links):
            y = fw.tanh(y * 0.99 + 0.01)
        return {"inputs": [x], "output": y}

    return build


def graph_recipe(operations: int, leaves: int = GRAPH_LEAVES, seed: int = GRAPH_SEED) -> list[tuple[str, int, int]]:
    """A random expression graph as a list of (op, i, j): node ``leaves + k`` = op(node i, node j).

    Node i is always the previous node, so every node is reachable from the last one (the output) and
    the graph is one operation deeper per node. The second operand is one of the input leaves (reused
    many times, like a network's weights) or one of the 32 latest tanh results; since tanh bounds those
    to [−1, 1], the values stay finite however long the graph.
    """
    rng = random.Random(seed)
    recipe: list[tuple[str, int, int]] = []
    recent_tanh: list[int] = []
    for k in range(operations):
        previous = leaves + k - 1
        op = rng.choices(("+", "*", "tanh"), weights=(2, 1, 1))[0]
        if op == "tanh":
            recipe.append((op, previous, previous))
            recent_tanh = (recent_tanh + [leaves + k])[-32:]
        elif recent_tanh and rng.random() < 0.5:
            recipe.append((op, previous, rng.choice(recent_tanh)))
        else:
            recipe.append((op, previous, rng.randrange(leaves)))
    return recipe


def graph_workload(fw: Framework, operations: int) -> Callable[[], dict[str, Any]]:
    """The ``graph_recipe`` graph over input leaves drawn uniformly from [−1, 1] (seeded)."""
    rng = random.Random(GRAPH_SEED + 1)
    leaf_values = [rng.uniform(-1.0, 1.0) for _ in range(GRAPH_LEAVES)]
    recipe = graph_recipe(operations)

    def build() -> dict[str, Any]:
        nodes = [fw.leaf(v) for v in leaf_values]
        for op, i, j in recipe:
            if op == "+":
                nodes.append(nodes[i] + nodes[j])
            elif op == "*":
                nodes.append(nodes[i] * nodes[j])
            else:
                nodes.append(fw.tanh(nodes[i]))
        return {"inputs": nodes[:GRAPH_LEAVES], "output": nodes[-1], "nodes": nodes}

    return build


# ====================================================================== worker side: one measurement
def measure(spec: dict[str, Any], load: Callable[[str], Framework] = load_framework) -> dict[str, Any]:
    """Time ``spec["repeats"]`` runs of one workload in this process and return the best.

    ``load`` turns ``spec["framework"]`` into a Framework (bench_scalar_ceiling.py passes its own)."""
    fw = load(spec["framework"])
    if spec["recursion"] == "raised":
        sys.setrecursionlimit(RAISED_RECURSION_LIMIT)
    make = chain_workload if spec["workload"] == "chain" else graph_workload
    build = make(fw, spec["size"])

    def backward(graph: dict[str, Any]) -> None:
        graph["output"].backward()

    def summarize(graph: dict[str, Any]) -> dict[str, float]:
        return {
            "output": fw.value_of(graph["output"]),
            "grad_sum": math.fsum(fw.grad_of(v) for v in graph["inputs"]),
        }

    if not spec["gc"]:
        gc.disable()
    baseline = current_rss_bytes()
    runs = []

    def repeat() -> None:
        for _ in range(spec["repeats"]):
            runs.append(time_run(build, backward, summarize))

    try:
        run_with_big_stack(repeat, STACK_BYTES)
    except (RecursionError, MemoryError) as err:
        return {"status": "failed", "error": f"{type(err).__name__}: {err}"}
    return {
        "status": "ok",
        "version": fw.version,
        "runs": len(runs),
        **run_as_dict(best_run(runs)),
        "baseline_rss": baseline,
        "peak_rss": peak_rss_bytes(),
        "rss_after_free": current_rss_bytes(),
    }


def probe_default_recursion(spec: dict[str, Any]) -> dict[str, Any]:
    """With micrograd's default recursion limit: the longest chain whose backward works (bisection),
    and whether the expression graph's backward works."""
    fw = load_framework("micrograd")

    def backward_works(build: Callable[[], dict[str, Any]]) -> bool:
        graph = build()
        try:
            graph["output"].backward()
            return True
        except RecursionError:
            return False

    works, fails = 1, spec["max_links"]
    if backward_works(chain_workload(fw, fails)):
        return {"status": "ok", "limit": sys.getrecursionlimit(), "longest_chain": None, "graph_works": None}
    while fails - works > 1:
        middle = (works + fails) // 2
        if backward_works(chain_workload(fw, middle)):
            works = middle
        else:
            fails = middle
    graph_works = backward_works(graph_workload(fw, spec["graph_size"]))
    return {"status": "ok", "limit": sys.getrecursionlimit(), "longest_chain": works, "graph_works": graph_works}


def worker_main(specs_json: str) -> None:
    for spec in json.loads(specs_json):
        result = probe_default_recursion(spec) if spec["workload"] == "recursion-probe" else measure(spec)
        emit_result(result | {"spec": spec})


# ====================================================================== parent side: the plan
Results = dict[tuple[str, str, int], dict[str, Any]]  # (column, workload, size) -> a worker's result


@dataclass(frozen=True)
class Plan:
    graph_size: int
    chain_lengths: tuple[int, ...]
    micrograd_max: int
    torch_max: int
    max_repeats: int
    timeout: float
    rounds: int  # tinygrad_edu and micrograd measured back to back this many times; ratios are per round

    def repeats(self, size: int) -> int:
        """Best of several runs for small graphs, one run for the largest."""
        return min(self.max_repeats, max(1, 300_000 // size))


FULL = Plan(
    100_000, (10**3, 10**4, 10**5, 10**6), micrograd_max=10**5, torch_max=10**5, max_repeats=5, timeout=900, rounds=3
)
QUICK = Plan(5_000, (10**2, 10**3, 10**4), micrograd_max=10**4, torch_max=10**4, max_repeats=2, timeout=120, rounds=1)


def workloads(plan: Any, cap: int | None = None) -> list[tuple[str, int]]:
    """The graph, then the chains (up to ``cap`` links), of any plan with graph_size and chain_lengths."""
    return [("graph", plan.graph_size)] + [("chain", n) for n in plan.chain_lengths if cap is None or n <= cap]


def run_plan(plan: Plan, with_torch: bool) -> tuple[Results, dict[str, Any]]:
    """Run every measurement; results keyed by (column, workload, size), plus the recursion probe."""
    script = os.path.abspath(__file__)
    batches: list[tuple[str, list[dict[str, Any]]]] = []

    def spec(framework: str, workload: str, size: int, gc_on: bool = True) -> dict[str, Any]:
        return {
            "framework": framework,
            "workload": workload,
            "size": size,
            "gc": gc_on,
            "recursion": "raised",
            "repeats": plan.repeats(size),
        }

    # Within a round the three columns of one workload run back to back, so that they share the machine's
    # state of the moment (on shared cores its speed drifts by tens of per cent over minutes); ratios are
    # taken within a round. Sizes micrograd does not run are measured once, in the first round.
    for round_number in range(plan.rounds):
        for workload, size in workloads(plan, max(plan.chain_lengths)):
            if size > plan.micrograd_max:
                if round_number == 0:
                    batches.append((TINY, [spec(TINY, workload, size)]))
                continue
            batches.append((TINY, [spec(TINY, workload, size)]))
            for column, gc_on in ((MICRO_GC_ON, True), (MICRO_GC_OFF, False)):
                batches.append((column, [spec("micrograd", workload, size, gc_on)]))
    if with_torch:  # one process for all of them: a reference column, its import alone takes a second
        batches.append((TORCH, [spec(TORCH, w, n) for w, n in workloads(plan, plan.torch_max)]))
    probe = {"framework": "micrograd", "workload": "recursion-probe", "max_links": 2000, "graph_size": plan.graph_size}
    batches.append(("probe", [probe]))

    results: Results = {}
    probe_result: dict[str, Any] = {}
    for number, (column, specs) in enumerate(batches, 1):
        what = ", ".join(f"{s['workload']} {s.get('size', '')}".strip() for s in specs)
        print(f"[{number}/{len(batches)}] {column}: {what} ...", end=" ", file=sys.stderr, flush=True)
        started = time.perf_counter()
        outcomes = run_worker(script, specs, plan.timeout)
        print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        if column == "probe":
            probe_result = outcomes[0]
            continue
        for i, s in enumerate(specs):  # a crash leaves the remaining specs with the crash as their result
            outcome = outcomes[i] if i < len(outcomes) else outcomes[-1]
            record(results, (column, s["workload"], s["size"]), outcome)
    return results, probe_result


PHASES = ("build", "backward", "free")


def record(results: Results, key: tuple[str, str, int], outcome: dict[str, Any]) -> None:
    """Keep the fastest round's result for the tables, and every round's phase times for the ratios.

    A failed round makes the whole entry failed: a framework that cannot always run a workload has no time.
    """
    earlier = results.get(key)
    rounds = (earlier or {}).get("rounds", []) + [{p: outcome[p] for p in PHASES} if ok(outcome) else None]
    if earlier is not None and not ok(earlier):
        return
    if earlier is None or not ok(outcome) or outcome["total"] < earlier["total"]:
        best = dict(outcome)
    else:
        best = earlier
    if ok(best):
        best["runs"] = (earlier["runs"] if earlier is not None and ok(earlier) else 0) + (
            outcome["runs"] if ok(outcome) else 0
        )
    results[key] = best | {"rounds": rounds}


# ====================================================================== parent side: the report


def ok(result: dict[str, Any] | None) -> bool:
    return result is not None and result.get("status") == "ok"


def power(n: int) -> str:
    """10^5 for 100000, else the number with thousands separators."""
    exponent = round(math.log10(n))
    return f"10^{exponent}" if 10**exponent == n else f"{n:,}"


def size_label(workload: str, size: int) -> str:
    return f"graph {size:,}" if workload == "graph" else f"chain {power(size)}"


def megabytes(n: float) -> str:
    return f"{n / 2**20:.0f} MB"


def memory_growth(result: dict[str, Any]) -> int:
    """Peak resident memory above the process's memory before its first run (bytes)."""
    return result["peak_rss"] - result["baseline_rss"]


def measurement_table(results: Results, plan: Plan, columns: list[str], workload: str) -> str:
    unit = "node" if workload == "graph" else "link"
    header = ["workload", "framework", "build", "backward", "free", "total", f"per {unit}", "freed by"]
    header += ["peak mem", f"mem/{unit}", "runs"]
    sizes = [plan.graph_size] if workload == "graph" else list(plan.chain_lengths)
    rows = []
    for size in sizes:
        for column in columns:
            result = results.get((column, workload, size))
            if result is None:
                continue
            cells = [size_label(workload, size), column]
            if not ok(result):
                failure = f"{result['status']}: {result['error'][:70]}"
                rows.append(cells + ["", "", "", failure] + [""] * (len(header) - 6))
                continue
            phases = [result[key] for key in ("build", "backward", "free", "total")]
            cells += [format_seconds(t) for t in phases] + [format_seconds(result["total"] / size)]
            generation = result["collected_by"]
            cells.append("refcount" if generation is None else f"gc.collect({generation})")
            if column == TORCH:  # its measurements share one process: the peak is not this one's
                cells += ["-", "-"]
            else:
                cells += [megabytes(memory_growth(result)), f"{memory_growth(result) / size:,.0f} B"]
            rows.append(cells + [str(result["runs"])])
    return format_table(header, rows)


RATIO_ON = f"micrograd(gc on)/{TINY}"
RATIO_OFF = f"micrograd(gc off)/{TINY}"
RATIO_OFF_UNFREED = f"micrograd(gc off)/{TINY}, build+backward only"
RATIO_TORCH = f"torch/{TINY}"


RATIO_KINDS = [
    (RATIO_ON, MICRO_GC_ON, PHASES),
    (RATIO_OFF, MICRO_GC_OFF, PHASES),
    (RATIO_OFF_UNFREED, MICRO_GC_OFF, ("build", "backward")),
    (RATIO_TORCH, TORCH, PHASES),
]


def round_ratios(results: Results, plan: Plan, peer: str, phases: tuple[str, ...]) -> dict[str, list[float]]:
    """Peer time / tinygrad_edu time in each round, per workload (empty where either did not run).

    Rounds pair up by number: both were measured back to back. torch runs in one round of its own, so
    its ratio compares the two fastest runs instead."""
    found: dict[str, list[float]] = {}
    for workload, size in workloads(plan, max(plan.chain_lengths)):
        mine, theirs = results.get((TINY, workload, size)), results.get((peer, workload, size))
        values: list[float] = []
        if ok(mine) and ok(theirs):
            assert mine is not None and theirs is not None  # for mypy: ok() checked it
            pairs = list(zip(mine["rounds"], theirs["rounds"])) if peer != TORCH else [(mine, theirs)]
            values = [sum(t[p] for p in phases) / sum(m[p] for p in phases) for m, t in pairs if m and t]
        found[size_label(workload, size)] = values
    return found


def ratios(results: Results, plan: Plan) -> dict[str, dict[str, float | None]]:
    """The median over rounds of peer time / tinygrad_edu time, per ratio kind and workload (None where
    either did not run)."""
    table: dict[str, dict[str, float | None]] = {}
    for label, peer, phases in RATIO_KINDS:
        per_round = round_ratios(results, plan, peer, phases)
        table[label] = {w: statistics.median(v) if v else None for w, v in per_round.items()}
    if all(v is None for v in table[RATIO_TORCH].values()):
        del table[RATIO_TORCH]
    return table


def per_round_line(results: Results, plan: Plan) -> str:
    """Every round's micrograd (gc on) / tinygrad_edu ratio: how much the machine moved them."""
    per_round = round_ratios(results, plan, MICRO_GC_ON, PHASES)
    cells = [f"{w}: {' '.join(format_ratio(v) for v in values)}" for w, values in per_round.items() if values]
    return f"{RATIO_ON}, round by round: " + "; ".join(cells)


def ratio_table(table: dict[str, dict[str, float | None]]) -> str:
    columns = list(next(iter(table.values())))
    rows = [[label] + [format_ratio(values[c]) for c in columns] for label, values in table.items()]
    return format_table(["ratio (peer time / tinygrad_edu time)"] + columns, rows)


def disagreements(results: Results) -> list[str]:
    """Workloads where a framework's output or Σ ∂output/∂inputs differs from tinygrad_edu's."""
    found = []
    for (column, workload, size), result in results.items():
        reference = results.get((TINY, workload, size))
        if column == TINY or not (ok(result) and ok(reference)):
            continue
        for key in ("output", "grad_sum"):
            theirs, mine = result["summary"][key], reference["summary"][key]
            if not math.isclose(theirs, mine, rel_tol=SAME_RESULT_RTOL, abs_tol=1e-300):
                found.append(f"{size_label(workload, size)}: {column} {key}={theirs!r}, {TINY} {key}={mine!r}")
    return found


def goal_line(met: bool, text: str) -> str:
    return f"  [{'MET' if met else 'NOT MET'}] {text}"


def ratio_goal(values: dict[str, float | None], passes: Callable[[float], bool], text: str) -> tuple[bool, str]:
    """Whether every measured ratio passes, and the worst one (and those that fall short) as text."""
    measured = {k: v for k, v in values.items() if v is not None}
    if not measured:
        return False, f"{text}: nothing to compare"
    worst = min(measured, key=measured.__getitem__)
    short = [k for k, v in measured.items() if not passes(v)]
    detail = f"worst {format_ratio(measured[worst])} ({worst})"
    return not short, f"{text}: {detail}" + (f"; short on {', '.join(short)}" if short else "")


def linearity_goal(results: Results, plan: Plan) -> tuple[bool, str]:
    chains = [(n, results.get((TINY, "chain", n))) for n in plan.chain_lengths]
    chains = [(n, r) for n, r in chains if ok(r)]
    if len(chains) < 2:
        return False, "linear in chain length: fewer than two chain lengths completed"
    slope = loglog_slope([n for n, _ in chains], [r["total"] for _, r in chains])
    per_link = ", ".join(f"{power(n)}: {format_seconds(r['total'] / n)}" for n, r in chains)
    return slope <= GOAL_MAX_LOGLOG_SLOPE, (
        f"linear in chain length: time grows as links^{slope:.3f} (goal <= {GOAL_MAX_LOGLOG_SLOPE}); "
        f"per link {per_link}"
    )


def memory_goal(results: Results, plan: Plan) -> tuple[bool, str]:
    """Bounded: bytes per link no larger at the longest chain than at the next, and freed without the collector."""
    longest, shorter = plan.chain_lengths[-1], plan.chain_lengths[-2]
    big, small = results.get((TINY, "chain", longest)), results.get((TINY, "chain", shorter))
    if not (ok(big) and ok(small)):
        return False, f"{power(longest)} links in bounded memory: the run did not complete"
    per_link, per_link_shorter = memory_growth(big) / longest, memory_growth(small) / shorter
    growth = per_link / per_link_shorter
    by_refcount = big["collected_by"] is None
    met = growth <= GOAL_MAX_MEMORY_GROWTH and by_refcount
    return met, (
        f"{power(longest)} links in bounded memory: peak {megabytes(memory_growth(big))} above the start, "
        f"{per_link:,.0f} B/link ({per_link_shorter:,.0f} B/link at {power(shorter)}: x{growth:.2f}, goal <= "
        f"{GOAL_MAX_MEMORY_GROWTH}); freed by reference counting alone: {'yes' if by_refcount else 'no'}; "
        f"{megabytes(big['rss_after_free'] - big['baseline_rss'])} above the start after the free"
    )


def goals(results: Results, plan: Plan, table: dict[str, dict[str, float | None]], quick: bool) -> list[str]:
    caveat = "  (quick run: sizes too small to judge; run without --quick)" if quick else ""
    speedup = GOAL_SPEEDUP_OVER_MICROGRAD
    checks = [
        ratio_goal(table[RATIO_ON], lambda v: v >= speedup, f">= {speedup:g}x faster than micrograd as users run it"),
        ratio_goal(table[RATIO_OFF], lambda v: v > 1, "faster than micrograd with its collector off"),
        linearity_goal(results, plan),
        memory_goal(results, plan),
    ]
    lines = [f"Goals (issue 2 §6; freeing included in every time){caveat}:"]
    lines += [goal_line(met, text) for met, text in checks]
    _, unfreed = ratio_goal(table[RATIO_OFF_UNFREED], lambda v: v > 1, "")
    lines.append(f"  (for reference, micrograd with gc off, build+backward only, never freeing the graph{unfreed})")
    return lines


def preamble(results: Results, plan: Plan, quick: bool) -> list[str]:
    versions = {column: r["version"] for (column, _, _), r in results.items() if ok(r)}
    peers = f"micrograd {versions.get(MICRO_GC_ON, versions.get(MICRO_GC_OFF, '?'))}"
    if TORCH in versions:
        peers += f", PyTorch {versions[TORCH]} for reference"
    lines = [
        f"Scalar autograd graphs: {TINY} {versions.get(TINY, '?')} vs {peers}" + ("  [--quick]" if quick else ""),
        f"Python {platform.python_version()} on {platform.system()}, {os.cpu_count()} CPUs. Every measurement runs "
        f"in a fresh subprocess; a time is the best of `runs` runs, over {plan.rounds} round(s) in which tinygrad_edu "
        "and micrograd run",
        "back to back on each workload (one round for 10^6 links and for torch).",
        "Timed per run: build the graph + backward + free (drop the graph; when it survives the drop, as",
        "micrograd's graphs of self-referencing closures do, add gc.collect(g) for the youngest generation g that",
        "frees it). The garbage collector runs as it does for users, except in the 'micrograd (gc off)' rows",
        "(gc.disable() for the whole process).",
        "Note: micrograd 0.1.0 has no tanh. This benchmark gives it one written in micrograd's own style (a closure",
        "_backward over the input and the output node, like its + * relu), so both frameworks run the same workload.",
        "Note: micrograd's backward recurses once per node; it runs with sys.setrecursionlimit"
        f"({RAISED_RECURSION_LIMIT:,})",
        f"in a thread with a {STACK_BYTES >> 20} MiB stack (every framework is measured in such a thread).",
    ]
    micro_chains = [n for (c, w, n), r in results.items() if c == MICRO_GC_ON and w == "chain" and ok(r)]
    longest = plan.chain_lengths[-1]
    if micro_chains and max(micro_chains) < longest:
        n = max(micro_chains)
        r, factor = results[(MICRO_GC_ON, "chain", n)], longest / n
        lines.append(
            f"Note: micrograd is capped at {power(n)} links (--micrograd-max): at its measured "
            f"{format_seconds(r['total'] / n)} and {memory_growth(r) / n:,.0f} B per link, {power(longest)} links "
            f"would take ~{r['total'] * factor:.0f} s and ~{memory_growth(r) * factor / 2**30:.1f} GiB."
        )
    if TORCH in versions:
        lines.append(
            f"Note: torch (scalar float64 tensors, 1 thread) is capped at {power(plan.torch_max)} links "
            "(--torch-max); its measurements share one process, hence no memory column."
        )
    return lines


def recursion_line(probe: dict[str, Any], plan: Plan) -> str:
    if not ok(probe):
        return f"micrograd default-recursion-limit probe: {probe.get('status')}: {probe.get('error')}"
    head = f"micrograd with its default recursion limit ({probe['limit']}): "
    if probe["longest_chain"] is None:
        return head + "a chain of 2000 links back-propagates."
    graph = "works" if probe["graph_works"] else "raises RecursionError too"
    return head + (
        f"backward works up to {probe['longest_chain']} links and raises RecursionError from "
        f"{probe['longest_chain'] + 1}; on the {plan.graph_size:,}-operation graph it {graph}."
    )


def report(results: Results, probe: dict[str, Any], plan: Plan, quick: bool) -> str:
    columns = [TINY, MICRO_GC_ON, MICRO_GC_OFF] + ([TORCH] if any(c == TORCH for c, _, _ in results) else [])
    table = ratios(results, plan)
    mismatches = disagreements(results)
    lines = preamble(results, plan, quick)
    lines += [
        "",
        f"Workload 1: random scalar expression graph of {plan.graph_size:,} operations (+ * tanh, seed "
        f"{GRAPH_SEED}) over {GRAPH_LEAVES} leaves",
    ]
    lines += [measurement_table(results, plan, columns, "graph")]
    lines += ["", "Workload 2: chains x -> tanh(0.99*x + 0.01), 3 operations per link"]
    lines += [measurement_table(results, plan, columns, "chain")]
    lines += [
        "",
        f"Ratios (peer time / tinygrad_edu time; above 1 means tinygrad_edu is faster), each the median over the "
        f"{plan.rounds} round(s)",
        "of the ratio within a round (torch: of the fastest runs):",
        ratio_table(table),
        per_round_line(results, plan),
    ]
    lines += ["", recursion_line(probe, plan)]
    lines += [
        "Same output and Σ ∂output/∂inputs in every framework (rel. 1e-9): "
        + ("yes" if not mismatches else "NO: " + "; ".join(mismatches))
    ]
    lines += [""] + goals(results, plan, table, quick)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a few seconds")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference column")
    parser.add_argument("--micrograd-max", type=int, help="longest micrograd chain to run (default 10^5)")
    parser.add_argument("--torch-max", type=int, help="longest PyTorch chain to run (default 10^5)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    plan = QUICK if args.quick else FULL
    overrides = {k: v for k, v in (("micrograd_max", args.micrograd_max), ("torch_max", args.torch_max)) if v}
    plan = Plan(**{**plan.__dict__, **overrides})
    with_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    results, probe = run_plan(plan, with_torch)
    print(report(results, probe, plan, args.quick))


if __name__ == "__main__":
    main()
