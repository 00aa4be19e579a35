"""The installation self-test: every primitive operation is reached, all pass, and a broken rule is caught."""

import numpy as np
import pytest

from tinygrad_edu import selftest
from tinygrad_edu.engine import ops


def test_every_primitive_operation_is_exercised():
    assert selftest.missing_operations() == []
    assert len(selftest.primitive_operations()) >= 30


def test_a_case_set_without_an_operation_names_it():
    without_tanh = [case for case in selftest.OPERATIONS if "tanh" not in case.name]
    assert selftest.missing_operations(without_tanh) == ["tanh"]


@pytest.mark.parametrize("seed", [0, 7])
def test_every_operation_passes(seed):
    results = selftest.check_all_operations(seed=seed)
    assert len(results) == len(selftest.OPERATIONS)
    failed = [(r.name, r.error, r.max_abs_error) for r in results if not r.passed]
    assert failed == []
    assert all(r.max_abs_error < 1e-6 and r.second_order is None for r in results)


def test_second_derivatives_pass():
    results = selftest.check_all_operations(seed=1, second_order=True)
    assert all(r.second_order is True and r.passed for r in results)
    assert "first and second derivatives" in selftest.format_table(results)


def test_samples_keep_away_from_kinks_and_ties():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        x = selftest.away_from([-0.5, 0.5], 50)(rng)
        assert np.min(np.abs(np.abs(x) - 0.5)) >= selftest.KINK_MARGIN - 1e-12
        d = selftest.distinct(3, 4)(rng).ravel()
        assert np.min(np.diff(np.sort(d))) > 0.29
        a, b = selftest.apart((2, 3), (3,))(rng)
        assert np.min(np.abs(a - b)) >= selftest.KINK_MARGIN - 1e-12


def test_inputs_depend_on_the_seed_only():
    case = selftest.OPERATIONS[0]
    first, again, other = case.inputs(3, 0), case.inputs(3, 0), case.inputs(4, 0)
    assert np.array_equal(first[0].data, again[0].data)
    assert not np.array_equal(first[0].data, other[0].data)


def test_a_wrong_backward_rule_fails_its_row(monkeypatch):
    monkeypatch.setattr(ops.Tanh, "vjp", (lambda g, y, x: g * (1 + y * y),))  # sign slip: 1 + y² instead of 1 − y²
    results = selftest.check_all_operations()
    failed = {r.name for r in results if not r.passed}
    assert failed == {"tanh(a)", "tanh(a * b + c) (scalars)"}
    table = selftest.format_table(results)
    verdict = table.splitlines()[-1]
    assert verdict.startswith(f"2 of {len(results)} operations FAILED")
    assert verdict.endswith("tanh(a), tanh(a * b + c) (scalars)")


def test_an_operation_that_raises_is_a_failed_row(monkeypatch):
    def broken(x):
        raise RuntimeError("exp is broken")

    monkeypatch.setattr(ops.Exp, "forward", staticmethod(broken))
    result = next(r for r in selftest.check_all_operations() if r.name == "exp(a)")
    assert not result.passed and result.error == "RuntimeError: exp is broken"
    table = selftest.format_table([result])
    assert "exp(a): RuntimeError: exp is broken" in table
    assert table.splitlines()[-1].startswith("1 of 1 operations FAILED")


def test_table_has_one_row_per_operation_and_a_verdict():
    results = selftest.check_all_operations()
    lines = selftest.format_table(results).splitlines()
    assert lines[0].split()[:2] == ["operation", "kind"]
    assert len(lines) == len(results) + 3
    assert lines[-1].startswith(f"all {len(results)} operations passed")
    weighted = next(line for line in lines if line.startswith("weighted_sum"))
    assert "7 scalars" in weighted and weighted.endswith("ok")


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        selftest.check_all_operations(seed=seed)
