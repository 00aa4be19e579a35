"""``tinygrad-edu gradcheck``: the self-test table, its exit status, and its options."""

import pytest
from cli_helpers import assert_one_line_error, run_cli

from tinygrad_edu import selftest
from tinygrad_edu.engine import ops


def test_prints_a_row_per_operation_and_passes(capsys):
    run = run_cli(capsys, "gradcheck")
    assert run.status == 0 and run.err == ""
    lines = run.out.splitlines()
    assert lines[0].split()[:3] == ["operation", "kind", "inputs"]
    assert len(lines) == len(selftest.OPERATIONS) + 3
    assert lines[-1].startswith(f"all {len(selftest.OPERATIONS)} operations passed the gradient check")
    assert any(line.startswith("tanh(a) ") and line.endswith("ok") for line in lines)


def test_seed_and_second_order(capsys):
    run = run_cli(capsys, "gradcheck", "--seed", "5", "--second-order")
    assert run.status == 0
    assert "2nd order" in run.out.splitlines()[0]
    assert "first and second derivatives" in run.out.splitlines()[-1]


def test_a_broken_rule_fails_with_status_1(capsys, monkeypatch):
    monkeypatch.setattr(ops.Sigmoid, "vjp", (lambda g, y, x: g * y,))  # forgot the (1 − y) factor
    run = run_cli(capsys, "gradcheck")
    assert run.status == 1
    assert any(line.startswith("sigmoid(a) ") and line.endswith("FAIL") for line in run.out.splitlines())
    assert "FAILED" in run.out.splitlines()[-1] and "sigmoid(a)" in run.out.splitlines()[-1]


@pytest.mark.parametrize("seed", ["-1", "x", "1.5"])
def test_bad_seed(capsys, seed):
    assert_one_line_error(run_cli(capsys, "gradcheck", "--seed", seed), "argument --seed", status=2)
