"""micrograd's own demo step: tinygrad_edu against micrograd 0.1.0 (issue 3 §4, first benchmark).

The workload is one training step of micrograd's demo notebook: ``MLP(2, [16, 16, 1])`` on 100 two-moons
points, full batch, loss = mean(relu(1 − y·score)) + 1e-4·Σw², then zero_grad, backward and an SGD update
with learning rate 1.0 − 0.9·k/100 at step k. Timed per step, in four columns:

- micrograd as users run it (garbage collector on), and with ``gc.disable()``;
- tinygrad_edu running the very same demo code (micrograd's hand-written loop, imports swapped);
- tinygrad_edu as its own API is meant to be used: ``nn.functional.hinge_loss`` and ``optim.SGD``.

Every column starts from the same initial weights (micrograd's, drawn with its demo's seed and copied
into tinygrad_edu in ``parameters()`` order) and the same points, so every step's loss must agree to 1e-9.
Each process runs a few steps; processes of the four columns alternate over several rounds. A step is
timed in CPU time (robust when the cores are shared with other work) and in wall-clock time; a column's
figures are the median and minimum over all its steps but the first of each process.

    python benchmarks/bench_micrograd_demo.py            # full run, well under 3 minutes
    python benchmarks/bench_micrograd_demo.py --quick    # smoke run, a few seconds
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _common import (
    GcClock,
    Stats,
    Stopwatch,
    emit_result,
    format_ratio,
    format_seconds,
    format_table,
    goal_line,
    run_worker,
    single_thread_env,
)

HIDDEN = [16, 16, 1]
ALPHA = 1e-4  # weight of the L2 penalty in micrograd's demo
MOONS_NOISE = 0.1  # micrograd's demo: make_moons(n_samples=100, noise=0.1)
DATA_SEED = 1337
WEIGHT_SEED = 1337  # micrograd's demo seeds random with 1337 before building the MLP
SAME_LOSS_RTOL = 1e-9

MICRO_GC_ON = "micrograd (gc on)"
MICRO_GC_OFF = "micrograd (gc off)"
TINY_DEMO = "tinygrad_edu (micrograd's loop)"
TINY_API = "tinygrad_edu (hinge_loss + optim.SGD)"
COLUMNS = (MICRO_GC_ON, MICRO_GC_OFF, TINY_DEMO, TINY_API)
TINY_COLUMNS = (TINY_DEMO, TINY_API)

GOAL_SPEEDUP_OVER_MICROGRAD = 5.0


# ====================================================================== the step, as users write it
def learning_rate(k: int) -> float:
    """micrograd's demo schedule: 1.0 at step 0, falling linearly by 0.9 per 100 steps."""
    return 1.0 - 0.9 * k / 100


def demo_step(model: Any, Value: type, X: list[list[float]], y: list[int], k: int) -> tuple[float, float]:
    """Step k of micrograd's demo, written as its notebook writes it (``loss()`` inlined).

    The same function runs micrograd and tinygrad_edu: only ``model`` and ``Value`` differ.
    Returns the loss and the accuracy, as the demo prints them.
    """
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    model.zero_grad()
    total_loss.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return total_loss.data, sum(accuracy) / len(accuracy)


def api_step(model: Any, params: list[Any], optimizer: Any, X: list[list[float]], y: list[int], k: int) -> tuple:
    """The same step in tinygrad_edu's own API: a loss function from ``nn.functional`` and ``optim.SGD``."""
    from tinygrad_edu.nn import functional as F

    scores = [model(x) for x in X]
    loss = F.hinge_loss(scores, y) + ALPHA * sum(p * p for p in params)
    accuracy = [(yi > 0) == (score.data > 0) for yi, score in zip(y, scores)]
    optimizer.zero_grad()
    loss.backward()
    optimizer.param_groups[0]["lr"] = learning_rate(k)
    optimizer.step()
    return loss.item(), sum(accuracy) / len(accuracy)


def prepare(column: str, weights: list[float], X: list[list[float]], y: list[int]) -> tuple[Callable, str]:
    """A function running step k for ``column``, from the given initial weights, and the framework version."""
    if column in (MICRO_GC_ON, MICRO_GC_OFF):
        from micrograd.engine import Value
        from micrograd.nn import MLP

        model = MLP(2, list(HIDDEN))
        version = importlib.metadata.version("micrograd")
    else:
        from tinygrad_edu import Value, optim
        from tinygrad_edu.nn import MLP

        model = MLP(2, list(HIDDEN), seed=0)
        version = importlib.metadata.version("tinygrad_edu")
    params = model.parameters()
    if len(params) != len(weights):
        raise RuntimeError(f"{column}: the MLP has {len(params)} parameters, the shared weights {len(weights)}")
    for p, w in zip(params, weights):
        p.data = w
    if column == TINY_API:
        optimizer = optim.SGD(params, lr=learning_rate(0))
        return (lambda k: api_step(model, params, optimizer, X, y, k)), version
    return (lambda k: demo_step(model, Value, X, y, k)), version


# ====================================================================== worker side
def worker_main(spec_json: str) -> None:
    """Run ``steps`` training steps of one column in this fresh process, timing each."""
    spec = json.loads(spec_json)
    if spec["column"] == MICRO_GC_OFF:
        gc.disable()
    step, version = prepare(spec["column"], spec["weights"], spec["X"], spec["y"])
    cpu_times, wall_times, gc_times, losses, accuracies = [], [], [], [], []
    with GcClock() as clock:
        for k in range(spec["steps"]):
            in_gc_before = clock.seconds
            with Stopwatch() as watch:
                loss, accuracy = step(k)
            cpu_times.append(watch.cpu)
            wall_times.append(watch.wall)
            gc_times.append(clock.seconds - in_gc_before)
            losses.append(float(loss))
            accuracies.append(float(accuracy))
    emit_result(
        {
            "status": "ok",
            "column": spec["column"],
            "version": version,
            "cpu_times": cpu_times,
            "wall_times": wall_times,
            "gc_times": gc_times,
            "losses": losses,
            "accuracies": accuracies,
            "gc_enabled": gc.isenabled(),
        }
    )


# ====================================================================== parent side: the plan
@dataclass(frozen=True)
class Plan:
    samples: int
    steps: int  # per process; the first is a warm-up and not counted
    rounds: int  # processes per column, interleaved with the other columns'
    timeout: float


FULL = Plan(samples=100, steps=4, rounds=5, timeout=300)
QUICK = Plan(samples=30, steps=3, rounds=1, timeout=60)


def shared_inputs(samples: int) -> tuple[list[list[float]], list[int], list[float]]:
    """The moons points (labels ±1, as in the demo) and micrograd's initial weights, as plain lists.

    Workers get plain Python numbers, so a micrograd worker imports nothing but micrograd.
    """
    from micrograd.nn import MLP

    from tinygrad_edu.data import make_moons

    points, labels = make_moons(samples, noise=MOONS_NOISE, seed=DATA_SEED)
    X = points.tolist()
    y = [int(2 * label - 1) for label in labels]
    random.seed(WEIGHT_SEED)
    weights = [float(p.data) for p in MLP(2, list(HIDDEN)).parameters()]
    return X, y, weights


def run_plan(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Every column's worker results, the columns' processes interleaved round by round."""
    X, y, weights = shared_inputs(plan.samples)
    env, _ = single_thread_env()
    script = os.path.abspath(__file__)
    results: dict[str, list[dict[str, Any]]] = {column: [] for column in COLUMNS}
    total = plan.rounds * len(COLUMNS)
    for r in range(plan.rounds):
        order = COLUMNS[r % len(COLUMNS) :] + COLUMNS[: r % len(COLUMNS)]  # rotate: no column always goes first
        for i, column in enumerate(order, 1):
            print(f"[{r * len(COLUMNS) + i}/{total}] {column} ...", end=" ", file=sys.stderr, flush=True)
            started = time.perf_counter()
            spec = {"column": column, "steps": plan.steps, "weights": weights, "X": X, "y": y}
            outcome = run_worker(script, spec, plan.timeout, env)[-1]
            print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
            results[column].append(outcome)
    return results


# ====================================================================== parent side: the report
def ok(result: dict[str, Any]) -> bool:
    return result.get("status") == "ok"


@dataclass(frozen=True)
class ColumnSummary:
    cpu: Stats  # per-step CPU time, warm-up steps excluded
    wall: Stats  # per-step wall-clock time, the same steps
    gc_share: float  # CPU time in the collector / CPU time of the steps, over the counted steps


def summarize(results: list[dict[str, Any]]) -> ColumnSummary | None:
    done = [r for r in results if ok(r)]
    cpu = [t for r in done for t in r["cpu_times"][1:]]
    if not cpu:
        return None
    wall = [t for r in done for t in r["wall_times"][1:]]
    in_gc = sum(g for r in done for g in r["gc_times"][1:])
    return ColumnSummary(Stats.of(cpu), Stats.of(wall), in_gc / sum(cpu))


def loss_disagreements(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Steps where a process's loss differs from the first micrograd process's by more than 1e-9 (relative)."""
    reference = next((r for r in results[MICRO_GC_ON] + results[MICRO_GC_OFF] if ok(r)), None)
    if reference is None:
        return ["no micrograd process completed, nothing to compare with"]
    found = []
    for column, runs in results.items():
        for number, run in enumerate(runs, 1):
            if not ok(run):
                continue
            for k, (mine, theirs) in enumerate(zip(run["losses"], reference["losses"])):
                if abs(mine - theirs) > SAME_LOSS_RTOL * abs(theirs):
                    found.append(f"{column} process {number} step {k}: loss {mine!r}, micrograd {theirs!r}")
                    break
    return found


def measurement_table(summaries: dict[str, ColumnSummary | None], results: dict[str, list[dict[str, Any]]]) -> str:
    header = ["framework", "CPU median", "CPU min", "wall median", "wall min", "in gc", "steps", "version"]
    rows = []
    for column in COLUMNS:
        s = summaries[column]
        version = next((r["version"] for r in results[column] if ok(r)), "?")
        failures = [f"{r['status']}: {r.get('error', '')[:60]}" for r in results[column] if not ok(r)]
        if s is None:
            rows.append([column, (failures or ["no run"])[0]] + [""] * 5 + [version])
            continue
        times = [s.cpu.median, s.cpu.minimum, s.wall.median, s.wall.minimum]
        share = f"{100 * s.gc_share:.0f}%" if column != MICRO_GC_OFF else "off"
        steps = f"{s.cpu.count}" + (f" ({len(failures)} process(es) failed)" if failures else "")
        rows.append([column] + [format_seconds(t) for t in times] + [share, steps, version])
    return format_table(header, rows)


def ratio(peer: ColumnSummary | None, mine: ColumnSummary | None, clock: str, key: str) -> float | None:
    """peer time / tinygrad_edu time on ``clock`` ('cpu' or 'wall') and statistic ``key`` ('median', 'minimum')."""
    if peer is None or mine is None:
        return None
    return getattr(getattr(peer, clock), key) / getattr(getattr(mine, clock), key)


def report(results: dict[str, list[dict[str, Any]]], plan: Plan, quick: bool) -> str:
    summaries = {column: summarize(runs) for column, runs in results.items()}
    _, env_note = single_thread_env()
    lines = [
        f"micrograd's demo step: MLP(2, {HIDDEN}) on {plan.samples} moons points (noise {MOONS_NOISE}), full batch,"
        + ("  [--quick]" if quick else ""),
        f"loss = mean(relu(1 - y*score)) + {ALPHA:g}*sum(w^2); zero_grad, backward, SGD with lr = 1 - 0.9*k/100.",
        f"Python {platform.python_version()} on {platform.system()}, {os.cpu_count()} CPUs (shared with other work).",
        f"Each process runs {plan.steps} steps from the same initial weights (micrograd's, random.seed"
        f"({WEIGHT_SEED})); its first step is a warm-up.",
        f"{plan.rounds} process(es) per column, the columns' processes interleaved round by round.",
        "Times per step over all counted steps: CPU time (process_time; excludes waiting for a shared core)",
        "and wall-clock time. Goals are judged on CPU-time medians; wall-clock minimums are shown beside them.",
        "'in gc': share of the step spent in Python's cycle collector (measured with gc.callbacks).",
        "micrograd (gc off) runs with gc.disable() for the whole process: its graphs are never freed.",
        env_note,
        "",
        measurement_table(summaries, results),
        "",
    ]
    header = ["peer time / tinygrad_edu time", "gc on, CPU median", "gc on, wall min", "gc off, CPU median"]
    header += ["gc off, wall min"]
    rows = []
    for column in TINY_COLUMNS:
        cells = [
            format_ratio(ratio(summaries[peer], summaries[column], clock, key))
            for peer in (MICRO_GC_ON, MICRO_GC_OFF)
            for clock, key in (("cpu", "median"), ("wall", "minimum"))
        ]
        rows.append([column] + cells)
    lines += ["Ratios against micrograd (above 1: tinygrad_edu is faster):", format_table(header, rows), ""]
    mismatches = loss_disagreements(results)
    lines.append(
        f"Same loss at every step in every process (rel. {SAME_LOSS_RTOL:g}): "
        + ("yes" if not mismatches else "NO: " + "; ".join(mismatches))
    )
    caveat = "  (quick run: too few steps to judge; run without --quick)" if quick else ""
    lines += ["", f"Goals (issue 3 §4; judged on CPU-time medians, wall-clock minimums in brackets){caveat}:"]
    speedup = GOAL_SPEEDUP_OVER_MICROGRAD
    for column in TINY_COLUMNS:
        for peer, passes, text in (
            (MICRO_GC_ON, lambda r: r >= speedup, f">= {speedup:g}x faster than micrograd as users run it"),
            (MICRO_GC_OFF, lambda r: r > 1, "faster than micrograd with its collector off"),
        ):
            cpu = ratio(summaries[peer], summaries[column], "cpu", "median")
            wall = ratio(summaries[peer], summaries[column], "wall", "minimum")
            met = cpu is not None and passes(cpu)
            lines.append(goal_line(met, f"{text}, {column}: {format_ratio(cpu)} ({format_ratio(wall)})"))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points and steps: a smoke run of a few seconds")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return
    if importlib.util.find_spec("micrograd") is None:
        sys.exit("micrograd is not installed: pip install micrograd==0.1.0 (the 'bench' extra)")
    plan = QUICK if args.quick else FULL
    print(report(run_plan(plan), plan, args.quick))


if __name__ == "__main__":
    main()
