"""Shared machinery for the tests that check tinygrad_edu against PyTorch in float64.

The idea of every oracle test is the same: build the same leaves twice (a ``Value`` and a float64
``torch.Tensor`` with ``requires_grad=True``), run the same computation in both libraries, and demand
that the outputs and the gradients agree to (nearly) the last bit.

Test modules import this file only after ``pytest.importorskip("torch", ...)``, so torch is present here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Value

# float64 agreement demanded by default: a few units in the last place of values of order one
RTOL = 1e-12
ATOL = 1e-12


# ---------------------------------------------------------------------- leaves and conversion
def value_leaf(array: Any) -> Value:
    """A float64 tinygrad_edu leaf that requires a gradient."""
    return Value(np.asarray(array, dtype=np.float64))


def torch_leaf(array: Any) -> torch.Tensor:
    """The same numbers as a float64 torch leaf that requires a gradient."""
    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64, requires_grad=True)


def torch_const(array: Any) -> torch.Tensor:
    """The same numbers as a float64 torch tensor that needs no gradient."""
    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64)


def to_numpy(x: Any) -> np.ndarray:
    """The numbers of a Value, a tensor, a float or an array as a float64 numpy array."""
    if isinstance(x, Value):
        return np.asarray(x.data, dtype=np.float64)
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)  # force: torch returns lazy "ZeroTensor"s for some zero gradients
    return np.asarray(x, dtype=np.float64)


def assert_agree(actual: Any, expected: Any, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """tinygrad_edu's numbers equal torch's: same shape, and equal within rtol/atol elementwise."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{what}: tinygrad_edu shape {a.shape}, torch shape {e.shape}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what)


def cotangent_like(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """A fixed random upstream gradient ∂E/∂y of the given shape (so every output element matters)."""
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------------- first derivatives
def check_against_torch(
    tg_fn: Callable[..., Value],
    torch_fn: Callable[..., torch.Tensor],
    arrays: Sequence[Any],
    rtol: float = RTOL,
    atol: float = ATOL,
    seed: int = 0,
) -> None:
    """Run ``tg_fn`` on Value leaves and ``torch_fn`` on tensor leaves made from ``arrays``; compare the
    outputs, then back-propagate the same random cotangent through both and compare every input's gradient.

    tinygrad_edu's gradients are taken twice, by ``backward`` (into ``.grad``) and by ``tinygrad_edu.grad``
    (returned), so both entry points meet the oracle. An input torch leaves without a gradient (the output
    does not depend on it) must get zeros from tinygrad_edu.
    """
    values = [value_leaf(a) for a in arrays]
    tensors = [torch_leaf(a) for a in arrays]
    out = tg_fn(*values)
    expected = torch_fn(*tensors)
    assert_agree(out, expected, "forward", rtol, atol)
    weights = cotangent_like(tuple(expected.shape), seed)

    if expected.requires_grad:  # a step function's result records nothing in torch: all gradients are 0
        expected.backward(torch_const(weights))
    out.backward(weights)
    returned = tg.grad([out], values, grad_outputs=[weights], materialize_grads=True)
    for i, (v, t, g) in enumerate(zip(values, tensors, returned)):
        reference = t.grad if t.grad is not None else torch.zeros_like(t)
        assert_agree(v.grad, reference, f"backward: gradient of input {i}", rtol, atol)
        assert_agree(g, reference, f"grad(): gradient of input {i}", rtol, atol)


# ---------------------------------------------------------------------- higher derivatives
def tg_grads(outputs: Any, inputs: Sequence[Value], grad_outputs: Any, create_graph: bool) -> list[Value]:
    """tinygrad_edu.grad with zeros for inputs the outputs do not reach, as torch's materialize_grads.

    Outputs that record no graph are dropped first: a first derivative that does not depend on the inputs
    (relu's 0/1 mask times a constant cotangent) is a constant, so its own derivative is zero. If nothing
    is left, every derivative is zero.
    """
    outs = [outputs] if isinstance(outputs, Value) else list(outputs)
    seeds = [grad_outputs] if isinstance(outputs, Value) else list(grad_outputs)
    live = [(o, s) for o, s in zip(outs, seeds) if o.requires_grad]
    if not live:
        return [Value(np.zeros(v.shape), requires_grad=False) for v in inputs]
    found = tg.grad(
        [o for o, _ in live],
        list(inputs),
        grad_outputs=[s for _, s in live],
        create_graph=create_graph,
        materialize_grads=True,
    )
    return list(found)


def torch_grads(outputs: Any, inputs: Sequence[torch.Tensor], grad_outputs: Any, create_graph: bool) -> list:
    """torch.autograd.grad with zeros (not None) for inputs the outputs do not reach."""
    outs = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
    seeds = [grad_outputs] if isinstance(outputs, torch.Tensor) else list(grad_outputs)
    live = [(o, torch_const(s)) for o, s in zip(outs, seeds) if o.requires_grad]
    if not live:
        return [torch.zeros_like(t) for t in inputs]
    return list(
        torch.autograd.grad(
            [o for o, _ in live],
            list(inputs),
            grad_outputs=[s for _, s in live],
            create_graph=create_graph,
            allow_unused=True,
            materialize_grads=True,
        )
    )


def check_second_order(
    tg_fn: Callable[..., Value],
    torch_fn: Callable[..., torch.Tensor],
    arrays: Sequence[Any],
    rtol: float = RTOL,
    atol: float = ATOL,
    order: int = 2,
) -> None:
    """Differentiate ``order`` times in both libraries and compare every level.

    Level 1 is the vector-Jacobian product Jᵀw with a random cotangent w; each further level differentiates
    the previous level's gradients along new random directions: with order 2 this is the Hessian-vector
    product ∇ₓ(Σ (∂f/∂x · u)) of f = Σ w·tg_fn(x).
    """
    values = [value_leaf(a) for a in arrays]
    tensors = [torch_leaf(a) for a in arrays]
    out = tg_fn(*values)
    expected = torch_fn(*tensors)
    assert_agree(out, expected, "forward", rtol, atol)

    tg_level: list[Any] = [out]
    torch_level: list[Any] = [expected]
    for level in range(1, order + 1):
        seeds = [cotangent_like(tuple(t.shape), seed=10 * level + k) for k, t in enumerate(torch_level)]
        create = level < order
        tg_level = tg_grads(tg_level, values, seeds, create_graph=create)
        torch_level = torch_grads(torch_level, tensors, seeds, create_graph=create)
        for i, (a, e) in enumerate(zip(tg_level, torch_level)):
            assert_agree(a, e, f"derivative of order {level}, input {i}", rtol, atol)


# ---------------------------------------------------------------------- hypothesis strategies
def float_arrays(
    shape: Any, low: float = -3.0, high: float = 3.0, exclude_small: float = 0.0
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` with elements in [low, high]; |x| ≥ exclude_small when it is > 0.

    Hypothesis likes repeated elements and the bounds themselves, so ties (for max, maximum) and exact
    zeros (for relu, abs) come up often, which is what we want.
    """
    def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)

    if exclude_small > 0:
        elements = floats(low, -exclude_small) | floats(exclude_small, high) if low < 0 else floats(exclude_small, high)
    else:
        elements = floats(low, high)
    return hnp.arrays(np.float64, shape, elements=elements)


def shapes(min_dims: int = 0, max_dims: int = 4, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with 1 ≤ side ≤ max_side."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcastable_shapes(
    num_shapes: int, min_dims: int = 0, max_dims: int = 4, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``num_shapes`` shapes that numpy broadcasts together, of possibly different ranks."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    ).map(lambda result: result.input_shapes)


def tie_prone_arrays(shape: Any, low: int = -2, high: int = 2) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of small integers: many exact ties and zeros (max/min splitting, relu at 0, clip bounds)."""
    return hnp.arrays(np.float64, shape, elements=st.integers(low, high).map(float))


def arrays_maybe_tied(shape: Any, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """Either general floats in [low, high] or tie-prone small integers."""
    return float_arrays(shape, low, high) | tie_prone_arrays(shape)
