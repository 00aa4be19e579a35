"""Shared helpers for the benchmark scripts: timing one run, running it in a fresh process, printing tables.

A benchmark here times what a user pays for a graph, in three phases:

1. **build** — the forward computation that records the graph;
2. **backward** — the chain rule over it;
3. **free** — dropping the last reference to the graph *and* whatever it takes until its memory is
   released. A graph without reference cycles is freed by reference counting the moment it is dropped;
   a graph whose nodes refer to themselves (micrograd's closures) survives the drop and is released only
   by the cycle collector, so then ``gc.collect(generation)`` is part of the timed free (the youngest
   generation that frees it: the cheapest collection that would do).

Every measurement runs in a fresh subprocess (a clean heap, its own peak memory, and a crash there is
reported instead of ending the benchmark).
"""

from __future__ import annotations

import gc
import json
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

RESULT_MARKER = "BENCH-RESULT "


# ====================================================================== timing one run
@dataclass
class Run:
    """The three timed phases of one run (seconds), and what the run computed."""

    build: float
    backward: float
    free: float
    collected_by: int | None  # None: freed by reference counting; else the gc generation collect() needed
    summary: dict[str, float]

    @property
    def total(self) -> float:
        return self.build + self.backward + self.free


def time_run(
    build: Callable[[], dict[str, Any]],
    backward: Callable[[dict[str, Any]], None],
    summarize: Callable[[dict[str, Any]], dict[str, float]],
) -> Run:
    """Time build → backward → free for one graph.

    ``build`` returns the graph as a dict holding every reference to it, among them ``"output"`` and
    ``"inputs"`` (the leaves; every node of the graph leads to one, so while any node lives, some input
    does). The free phase clears the dict; when an input or the output outlives that (a reference cycle
    keeps it), it runs the cycle collector on the youngest generations first, as the automatic collector
    would, and then on older ones until all of them are gone. ``summarize`` (untimed) reads the results.
    """
    gc.collect()  # every run starts from a clean heap, whatever ran before it
    start = time.perf_counter()
    graph = build()
    built = time.perf_counter()
    backward(graph)
    propagated = time.perf_counter()
    summary = summarize(graph)
    probes = [weakref.ref(node) for node in [graph["output"], *graph["inputs"]]]
    freeing = time.perf_counter()
    graph.clear()
    collected_by = None
    for generation in range(3):
        if all(probe() is None for probe in probes):
            break
        gc.collect(generation)
        collected_by = generation
    freed = time.perf_counter()
    if any(probe() is not None for probe in probes):
        raise RuntimeError("the graph is still alive after clearing it and a full gc.collect()")
    return Run(built - start, propagated - built, freed - freeing, collected_by, summary)


def best_run(runs: Sequence[Run]) -> Run:
    """The fastest run: on shared cores other work only ever adds time (timeit's reasoning)."""
    return min(runs, key=lambda run: run.total)


def run_with_big_stack(fn: Callable[[], Any], stack_bytes: int) -> Any:
    """Call ``fn()`` in a thread whose C stack is ``stack_bytes`` (deep recursion needs one)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as err:  # handed back to the caller below
            outcome["error"] = err

    previous = threading.stack_size(stack_bytes)
    try:
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# ====================================================================== memory
def peak_rss_bytes() -> int:
    """The largest resident set size this process has had.

    Linux's ``VmHWM`` when available: ``getrusage``'s ru_maxrss survives ``exec``, so a fresh
    subprocess would report its parent's peak whenever that was larger.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def current_rss_bytes() -> int | None:
    """The resident set size now (Linux /proc only; None elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


# ====================================================================== running a measurement in a subprocess
def emit_result(result: dict[str, Any]) -> None:
    """Print one result line for the parent process to find (worker side)."""
    print(RESULT_MARKER + json.dumps(result), flush=True)


def run_as_dict(run: Run) -> dict[str, Any]:
    return asdict(run) | {"total": run.total}


def run_worker(script: str, spec: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    """Run ``script --worker <spec>`` in a fresh Python and collect the result lines it printed.

    A crash (a signal, or an exit without results) and a timeout become a result with
    ``status`` "crashed" or "timeout" and a short ``error`` text, instead of an exception here.
    """
    command = [sys.executable, script, "--worker", json.dumps(spec)]
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [{"status": "timeout", "error": f"no result within {timeout:.0f} s"}]
    results = [
        json.loads(line[len(RESULT_MARKER) :]) for line in process.stdout.splitlines() if line.startswith(RESULT_MARKER)
    ]
    if process.returncode < 0:
        name = signal.Signals(-process.returncode).name
        results.append({"status": "crashed", "error": f"killed by {name}"})
    elif process.returncode != 0 or not results:
        last = process.stderr.strip().splitlines()[-1:] or ["no output"]
        results.append({"status": "crashed", "error": f"exit code {process.returncode}: {last[0][:200]}"})
    return results


# ====================================================================== printing
def format_seconds(seconds: float) -> str:
    """1.23 s, 45.6 ms or 789 µs: three significant digits in a readable unit."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def format_ratio(ratio: float | None) -> str:
    return "n/a" if ratio is None or math.isnan(ratio) else f"{ratio:.2f}x"


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = (str(c) for c in cells)
        return "  ".join([first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:])])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def loglog_slope(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size): 1 for linear growth, 2 for quadratic."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
