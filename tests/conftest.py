"""Shared helpers for the engine tests: hypothesis strategies for shapes and inputs that stay clear of
kinks, one gradient check used the same way for every operation; and a umask for tests of file permissions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Value, gradcheck

# the engine tests' hypothesis budget: applied per test (``@engine_settings``), so other test files keep
# their own defaults
engine_settings = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# small shapes keep a full Jacobian (one backward per output element) cheap
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)
finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape: Any) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` (a shape or a strategy of shapes) with entries in [−3, 3]."""
    return hnp.arrays(np.float64, shape, elements=finite)


@st.composite
def distinct_arrays(draw: st.DrawFn, shape_strategy: st.SearchStrategy = nonscalar_shapes) -> np.ndarray:
    """Arrays whose entries differ pairwise by at least 0.1, so a max or min has no (near-)tie."""
    shape = draw(shape_strategy)
    size = int(np.prod(shape))
    ticks = draw(st.lists(st.integers(-40, 40), min_size=size, max_size=size, unique=True))
    offset = draw(st.floats(-0.04, 0.04))
    return np.reshape(np.array(ticks, dtype=np.float64) * 0.1 + offset, shape)


def away_from(x: np.ndarray, kinks: tuple[float, ...], margin: float = 0.05) -> np.ndarray:
    """x with every entry closer than ``margin`` to a kink pushed to ``kink ± margin``.

    Finite differences straddling a kink (relu at 0, clip at its bounds) measure neither one-sided
    derivative, so gradient checks stay clear of them; the kinks themselves are tested separately.
    """
    x = np.array(x, dtype=np.float64)
    for kink in kinks:
        near = np.abs(x - kink) < margin
        x = np.where(near, kink + np.where(x >= kink, margin, -margin), x)
    return x


def positive(x: np.ndarray, floor: float = 0.2) -> np.ndarray:
    """|x| + floor: inside the domain of log, sqrt and fractional powers."""
    return np.abs(np.asarray(x, dtype=np.float64)) + floor


def check_gradients(fn: Callable[..., Any], *data: Any, **kwargs: Any) -> None:
    """Gradcheck ``fn`` at Values holding ``data``; raises with the offending element on a mismatch."""
    inputs = [Value(d) for d in data]
    assert gradcheck(fn, inputs, raise_exception=True, **kwargs)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common umask 022 while a test runs (files then default to 0o644), whatever the machine's is."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
