"""The scalar-graph benchmark still runs: ``bench_scalar_graph.py --quick`` exits 0 and prints its ratios.

Benchmarks are scripts, not tests; this only keeps the script from rotting unnoticed (an engine API
change, a renamed import, a crashing worker). It says nothing about speed.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_scalar_graph.py"
RATIO = r"\d+\.\d\dx"


@pytest.fixture(scope="module")
def quick_run() -> tuple[subprocess.CompletedProcess, float]:
    if importlib.util.find_spec("micrograd") is None:
        pytest.skip("micrograd is not installed (pip install micrograd==0.1.0, the 'bench' extra)")
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=60, check=False
    )
    return process, time.perf_counter() - started


def test_quick_run_exits_cleanly_and_fast(quick_run):
    process, seconds = quick_run
    assert process.returncode == 0, process.stderr[-2000:]
    assert seconds < 20, f"--quick took {seconds:.1f} s; it must stay a smoke run"


@pytest.mark.parametrize("label", ["micrograd(gc on)/tinygrad_edu", "micrograd(gc off)/tinygrad_edu"])
def test_ratio_lines_hold_a_number_per_workload(quick_run, label):
    process, _ = quick_run
    lines = [line for line in process.stdout.splitlines() if line.startswith(label + " ")]
    assert len(lines) == 1, f"no line starting with {label!r} in:\n{process.stdout}"
    ratios = re.findall(RATIO, lines[0])
    assert len(ratios) == 4, lines[0]  # the graph and the three quick chain lengths


def test_every_measurement_succeeded_and_frameworks_agree(quick_run):
    process, _ = quick_run
    out = process.stdout
    for status in ("crashed", "timeout", "failed:"):
        assert status not in out, out
    assert "in every framework (rel. 1e-9): yes" in out
    assert "backward works up to" in out  # micrograd's default-recursion-limit probe found its limit
    assert len(re.findall(r"\[(?:MET|NOT MET)\]", out)) == 4


# ====================================================================== the training benchmarks of issue 3 §4
BENCHMARKS = SCRIPT.parent


def run_quick(script: str, needs: tuple[str, ...]) -> tuple[subprocess.CompletedProcess, float]:
    """``benchmarks/<script> --quick``, skipped when a peer it needs is not installed."""
    for module in needs:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed; {script} needs it")
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"], capture_output=True, text=True, timeout=60, check=False
    )
    return process, time.perf_counter() - started


def table_rows(out: str, name: str) -> list[str]:
    """Table rows starting with ``name`` (a cell is padded by at least two spaces; prose has one)."""
    return [line for line in out.splitlines() if re.match(re.escape(name) + r" {2,}\S", line)]


@pytest.fixture(scope="module")
def demo_run() -> tuple[subprocess.CompletedProcess, float]:
    return run_quick("bench_micrograd_demo.py", ("micrograd",))


@pytest.fixture(scope="module")
def epoch_run() -> tuple[subprocess.CompletedProcess, float]:
    return run_quick("bench_mlp_epoch.py", ("torch",))


@pytest.mark.parametrize("run", ["demo_run", "epoch_run"])
def test_training_benchmark_quick_run_exits_cleanly_and_fast(run, request):
    process, seconds = request.getfixturevalue(run)
    assert process.returncode == 0, process.stderr[-2000:]
    assert seconds < 20, f"--quick took {seconds:.1f} s; it must stay a smoke run"
    for status in ("crashed", "timeout", "Traceback"):
        assert status not in process.stdout, process.stdout


def test_demo_times_every_column_and_the_losses_agree(demo_run):
    out = demo_run[0].stdout
    for column in ("micrograd (gc on)", "micrograd (gc off)", "tinygrad_edu (micrograd's loop)",
                   "tinygrad_edu (hinge_loss + optim.SGD)"):
        rows = table_rows(out, column)
        assert rows, f"no row for {column!r} in:\n{out}"
        assert len(re.findall(r"\d(?:\.\d+)? (?:s|ms|µs)(?= |$)", rows[0])) == 4, rows[0]  # CPU, wall: median, min
    assert "Same loss at every step in every process (rel. 1e-09): yes" in out
    ratio_rows = [line for line in out.splitlines() if line.startswith("tinygrad_edu (") and line.endswith("x")]
    assert len(ratio_rows) == 2 and all(len(re.findall(RATIO, row)) == 4 for row in ratio_rows), out
    assert len(re.findall(r"\[(?:MET|NOT MET)\]", out)) == 4


def test_epoch_benchmark_runs_both_workloads_in_four_implementations(epoch_run):
    out = epoch_run[0].stdout
    for workload in ("digits", "wide"):
        assert f"Workload {workload}:" in out, out
    for implementation in ("numpy (by hand)", "tinygrad_edu", "minimal graph engine", "torch"):
        rows = table_rows(out, implementation)
        assert len(rows) == 2, f"expected a row per workload for {implementation!r} in:\n{out}"
        assert all(len(re.findall(RATIO, row)) == 2 for row in rows), rows
    assert out.count("Same loss for every batch (|difference| <= 1e-10): yes") == 2, out
    assert "1 OS thread(s) in the worker" in out  # the single-thread environment reached numpy's BLAS
    assert len(re.findall(r"\[(?:MET|NOT MET)\] (?:digits|wide):", out)) == 2
    floors = re.findall(rf"the floor of the graph design: the minimal engine / numpy per round {RATIO}; median", out)
    assert len(floors) == 2, out


# ====================================================================== the ceiling of issue 2's scalar goal
@pytest.fixture(scope="module")
def ceiling_run() -> tuple[subprocess.CompletedProcess, float]:
    return run_quick("bench_scalar_ceiling.py", ("micrograd",))


def test_ceiling_benchmark_times_four_engines_that_agree(ceiling_run):
    process, seconds = ceiling_run
    assert process.returncode == 0, process.stderr[-2000:]
    assert seconds < 20, f"--quick took {seconds:.1f} s; it must stay a smoke run"
    out = process.stdout
    for engine in ("micrograd (gc on)", "inlined", "rules", "tinygrad_edu"):
        rows = table_rows(out, engine)
        assert rows and len(re.findall(r"\d(?:\.\d+)? (?:s|ms|µs)(?= |$)", rows[0])) == 3, rows  # graph, 2 chains
    for engine in ("inlined", "rules", "tinygrad_edu"):
        rows = table_rows(out, f"micrograd / {engine}")
        assert len(rows) == 1 and len(re.findall(RATIO, rows[0])) == 3, out
        assert re.search(rf"^  {engine}: (?:yes|no)", out, re.MULTILINE), out
    assert "Same output and Σ ∂output/∂inputs as micrograd (rel. 1e-09): yes" in out
