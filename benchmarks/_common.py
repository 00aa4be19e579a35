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

The training benchmarks (one step or one epoch timed many times) use the second half of this module:
the single-thread worker environment, the time spent in the garbage collector, medians and minimums,
and MET / NOT MET lines.
"""

from __future__ import annotations

import gc
import json
import math
import os
import resource
import signal
import statistics
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


def run_worker(
    script: str, spec: dict[str, Any], timeout: float, env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Run ``script --worker <spec>`` in a fresh Python and collect the result lines it printed.

    ``env`` replaces the worker's environment (default: this process's). A crash (a signal, or an exit
    without results) and a timeout become a result with ``status`` "crashed" or "timeout" and a short
    ``error`` text, instead of an exception here.
    """
    command = [sys.executable, script, "--worker", json.dumps(spec)]
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
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


# ====================================================================== training benchmarks: environment
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# OpenBLAS overrides of the detected CPU type and cache size: when set they can select slower kernels.
OPENBLAS_TUNING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# glibc's allocator serves big blocks with fresh mmap()s (each page then faults in on first touch) until
# its adaptive threshold happens to rise; whether a process gets there decided up to 20% of an epoch of
# the wide MLP (about 100,000 page faults per epoch, measured). Fixed thresholds give every worker the
# same allocator: big arrays come from the heap, and freed memory is kept for the next batch.
ALLOCATOR_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}


def single_thread_env() -> tuple[dict[str, str], str]:
    """The environment for a worker: one BLAS / OpenMP thread, fixed allocator thresholds
    (``ALLOCATOR_SETTINGS``), OpenBLAS's tuning overrides removed.

    The variables must be set before numpy (or torch) is first imported, hence in the worker's
    environment rather than in the worker itself. Returns the environment and a sentence saying
    what was set and what was removed, for the report.
    """
    env = dict(os.environ)
    env.update({name: "1" for name in THREAD_VARIABLES})
    for name, value in ALLOCATOR_SETTINGS.items():
        env.setdefault(name, value)  # a setting of the user's own wins (and is reported)
    removed = [f"{name}={env.pop(name)}" for name in OPENBLAS_TUNING_VARIABLES if name in env]
    settings = " ".join(f"{name}={env[name]}" for name in ALLOCATOR_SETTINGS)
    note = f"Workers run with {'='.join(THREAD_VARIABLES)}=1 and {settings} (glibc's allocator);\n"
    if removed:
        note += f"removed from their environment (both together, so OpenBLAS detects the CPU): {', '.join(removed)}."
    else:
        note += f"{' and '.join(OPENBLAS_TUNING_VARIABLES)} were not set (they would be removed)."
    return env, note


def process_threads() -> int | None:
    """How many OS threads this process has (Linux /proc; None elsewhere)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def blas_report() -> dict[str, Any]:
    """numpy's BLAS library, the thread settings this process sees, and threadpoolctl's view if installed."""
    import numpy as np

    report: dict[str, Any] = {"numpy": np.__version__}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        report["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # an older numpy without mode="dicts": the report simply lacks it
        report["blas"] = "unknown"
    report["env"] = {name: os.environ.get(name) for name in THREAD_VARIABLES + OPENBLAS_TUNING_VARIABLES}
    report["threads"] = process_threads()
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        report["threadpoolctl"] = None
    else:
        report["threadpoolctl"] = [
            {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "architecture")}
            for pool in threadpool_info()
        ]
    return report


def describe_blas(report: dict[str, Any]) -> str:
    """One line from :func:`blas_report`'s result."""
    line = f"numpy {report['numpy']} with {report['blas']}; {report['threads']} OS thread(s) in the worker"
    pools = report.get("threadpoolctl")
    if pools is None:
        return line + "; threadpoolctl not installed"
    described = ", ".join(
        f"{p['internal_api']} {p['version']} ({p['architecture']}): {p['num_threads']} thread(s)" for p in pools
    )
    return line + f"; threadpoolctl: {described or 'no pools'}"


# ====================================================================== training benchmarks: measuring
class GcClock:
    """Total CPU time spent inside Python's cycle collector while it is installed (``gc.callbacks``).

    ``with GcClock() as clock: ...`` then ``clock.seconds`` and ``clock.collections``. CPU time
    (``time.process_time``), so that it compares with step times measured the same way.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started
            self.collections += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


@dataclass(frozen=True)
class Stats:
    """Median and minimum of repeated timings (seconds) and how many there were."""

    median: float
    minimum: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        if not samples:
            raise ValueError("Stats.of: no timings to summarize")
        return cls(statistics.median(samples), min(samples), len(samples))


class Stopwatch:
    """Wall-clock and CPU time of one block: ``with Stopwatch() as watch: ...`` then ``watch.wall``, ``watch.cpu``.

    On cores shared with other work, wall-clock time includes the time the process waited for a core;
    CPU time (``time.process_time``: all threads of this process) does not. For single-threaded work on
    an idle machine the two agree.
    """

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def goal_line(met: bool, text: str) -> str:
    return f"  [{'MET' if met else 'NOT MET'}] {text}"


def max_difference(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest |aᵢ − bᵢ| over two equally long sequences (inf when their lengths differ)."""
    if len(a) != len(b):
        return math.inf
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)
