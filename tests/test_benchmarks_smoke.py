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
