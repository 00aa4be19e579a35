"""Gradient checking: compare backward's Jacobian with one from central finite differences.

For a function f and each input element xⱼ the numerical derivative is the central difference

    ∂f/∂xⱼ ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε,          error O(ε²),

and the analytical one is a row of vector-Jacobian products from backward. An element passes where
|analytical − numerical| ≤ atol + rtol · |numerical|, PyTorch's rule with its defaults
(ε = 1e-6, atol = 1e-5, rtol = 1e-3).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinygrad_edu.engine.autograd import grad
from tinygrad_edu.engine.data import as_data
from tinygrad_edu.engine.mode import enable_grad, no_grad
from tinygrad_edu.engine.value import Value


class GradcheckError(AssertionError):
    """Raised by ``gradcheck(..., raise_exception=True)`` when a derivative disagrees."""


@dataclass
class InputReport:
    """How one input's derivatives compare, over all output elements."""

    position: int
    label: str
    shape: tuple[int, ...]
    max_abs_error: float
    max_rel_error: float
    passed: bool
    worst_output: tuple[int, int] = (0, 0)  # (which output, flat element index)
    worst_element: tuple[int, ...] = ()  # index into the input
    analytical: float = 0.0
    numerical: float = 0.0


@dataclass
class GradcheckResult:
    """Truthy when every checked derivative agrees; ``str()`` prints one row per input."""

    inputs: list[InputReport] = field(default_factory=list)
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.inputs)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        header = f"{'input':<12} {'shape':<12} {'max abs err':>12} {'max rel err':>12}  {'worst element':<18} result"
        rows = [header, "-" * len(header)]
        for r in self.inputs:
            name = r.label or f"#{r.position}"
            where = f"{r.worst_element} of out{r.worst_output[0]}[{r.worst_output[1]}]"
            rows.append(
                f"{name:<12} {str(r.shape):<12} {r.max_abs_error:>12.3e} {r.max_rel_error:>12.3e}  "
                f"{where:<18} {'ok' if r.passed else 'FAIL'}"
            )
        verdict = "passed" if self.passed else "FAILED"
        rows.append(f"gradcheck {verdict} (eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})")
        return "\n".join(rows)


def _as_inputs(inputs: Any) -> list[Value]:
    items = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    return [x if isinstance(x, Value) else Value(x) for x in items]


def _as_outputs(result: Any) -> list[Value]:
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    for i, out in enumerate(outs):
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: the function's output {i} is a {type(out).__name__}, not a Value")
    return outs


def _flat_outputs(fn: Callable[..., Any], xs: list[Value]) -> np.ndarray:
    with no_grad():
        outs = _as_outputs(fn(*xs))
    return np.concatenate([np.asarray(o.data, dtype=np.float64).ravel() for o in outs])


def numerical_jacobian(fn: Callable[..., Any], xs: list[Value], x: Value, eps: float) -> np.ndarray:
    """J[i, j] = ∂outᵢ/∂xⱼ by central differences; x's data is restored afterwards."""
    original = x._data
    base = np.array(original, dtype=x.dtype)
    columns = []
    try:
        for j in range(base.size):
            shifted = []
            for sign in (1.0, -1.0):
                perturbed = base.copy()
                perturbed.flat[j] += sign * eps
                x._data = as_data(perturbed)
                shifted.append(_flat_outputs(fn, xs))
            columns.append((shifted[0] - shifted[1]) / (2.0 * eps))
    finally:
        x._data = original
    n_out = _flat_outputs(fn, xs).size
    return np.stack(columns, axis=1) if columns else np.zeros((n_out, 0))


def analytical_jacobians(fn: Callable[..., Any], xs: list[Value]) -> list[np.ndarray]:
    """For each input, J[i, j] = ∂outᵢ/∂xⱼ from backward, one vector-Jacobian product per row."""
    with enable_grad():  # the check records fn's graph even when called inside no_grad()
        outs = _as_outputs(fn(*xs))
    sizes = [o.size for o in outs]
    checked = [x for x in xs if x.requires_grad]
    jacobians = [np.zeros((sum(sizes), x.size)) for x in checked]
    row = 0
    for k, out in enumerate(outs):
        for i in range(out.size):
            seeds = [np.zeros(o.shape, dtype=o.dtype) for o in outs]
            seeds[k].flat[i] = 1.0
            differentiable = [(o, s) for o, s in zip(outs, seeds) if o.requires_grad]
            if differentiable:
                grads = grad(
                    [o for o, _ in differentiable],
                    checked,
                    grad_outputs=[as_data(s) for _, s in differentiable],
                    allow_unused=True,
                )
                for jac, g in zip(jacobians, grads):
                    if g is not None:
                        jac[row] = np.asarray(g.data, dtype=np.float64).ravel()
            row += 1
    return jacobians


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = False,
) -> GradcheckResult:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    ``fn(*inputs)`` returns a Value or a tuple of Values of any shape; the full Jacobian of every
    output with respect to every input is compared. Inputs that are not Values become Values.
    Nothing is changed: inputs' data and ``.grad`` are as they were afterwards.
    """
    xs = _as_inputs(inputs)
    for position, x in enumerate(xs):
        if x.requires_grad and x.dtype == np.float32:
            warnings.warn(
                f"gradcheck: input {position} is float32; central differences with eps={eps:g} lose most "
                "of their digits in float32, so use float64 inputs for a meaningful check",
                UserWarning,
                stacklevel=2,
            )
    _require_an_input_to_check(xs, "gradcheck")
    result = GradcheckResult(eps=eps, atol=atol, rtol=rtol)
    analytical = analytical_jacobians(fn, xs)
    with no_grad():
        output_sizes = [o.size for o in _as_outputs(fn(*xs))]
    checked = [(p, x) for p, x in enumerate(xs) if x.requires_grad]
    for (position, x), a_jac in zip(checked, analytical):
        n_jac = numerical_jacobian(fn, xs, x, eps)
        result.inputs.append(_compare(position, x, a_jac, n_jac, atol, rtol, output_sizes))
    if raise_exception and not result.passed:
        raise GradcheckError(_failure_message(fn, xs, result))
    return result


def _require_an_input_to_check(xs: list[Value], what: str) -> None:
    """A check with no input that requires grad would check nothing and pass: refuse it, as PyTorch does."""
    if not any(x.requires_grad for x in xs):
        raise ValueError(
            f"{what}: no input requires grad, so there is no derivative to check; "
            "give at least one input with requires_grad=True"
        )


def _compare(
    position: int, x: Value, a_jac: np.ndarray, n_jac: np.ndarray, atol: float, rtol: float, sizes: list[int]
) -> InputReport:
    """The worst element of one input's Jacobian, by how far it exceeds the tolerance."""
    abs_err = np.abs(a_jac - n_jac)
    if abs_err.size == 0:
        return InputReport(position, x.label, x.shape, 0.0, 0.0, True)
    rel_err = abs_err / np.maximum(np.abs(n_jac), np.finfo(np.float64).tiny)
    excess = abs_err - (atol + rtol * np.abs(n_jac))
    excess = np.where(np.isnan(excess), np.inf, excess)
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    passed = bool(np.all(excess <= 0))
    which_output = int(np.searchsorted(np.cumsum(sizes), worst[0], side="right"))
    element_in_output = int(worst[0]) - int(np.sum(sizes[:which_output]))
    return InputReport(
        position=position,
        label=x.label,
        shape=x.shape,
        max_abs_error=float(np.max(abs_err)),  # nan when any element is: the table must not hide it
        max_rel_error=float(np.max(rel_err)),
        passed=passed,
        worst_output=(which_output, element_in_output),
        worst_element=tuple(int(i) for i in np.unravel_index(int(worst[1]), x.shape)) if x.shape else (),
        analytical=float(a_jac[worst]),
        numerical=float(n_jac[worst]),
    )


def _failure_message(fn: Callable[..., Any], xs: list[Value], result: GradcheckResult) -> str:
    lines = ["gradcheck failed: backward and finite differences disagree"]
    for r in result.inputs:
        if not r.passed:
            name = f"input {r.position}" + (f" ({r.label})" if r.label else "")
            lines.append(
                f"  output {r.worst_output[0]}, element {r.worst_output[1]}, w.r.t. {name}, element "
                f"{r.worst_element}: "
                f"analytical {r.analytical!r}, numerical {r.numerical!r} "
                f"(|diff| {abs(r.analytical - r.numerical):.3e} > "
                f"atol {result.atol:g} + rtol {result.rtol:g}·|numerical|)"
            )
    return "\n".join(lines)


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    grad_outputs: Sequence[Any] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = False,
    seed: int = 0,
) -> GradcheckResult:
    """Check second derivatives: gradcheck of (x, v) ↦ vᵀ ∂fn/∂x, built with ``create_graph=True``.

    ``grad_outputs`` (the v's) default to seeded random values of the outputs' shapes; they are
    checked as inputs too, as in PyTorch.
    """
    xs = _as_inputs(inputs)
    with no_grad():
        outs = _as_outputs(fn(*xs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        vs = [Value(rng.standard_normal(o.shape).astype(o.dtype), label=f"v{i}") for i, o in enumerate(outs)]
    else:
        vs = _as_inputs(list(grad_outputs))
    _require_an_input_to_check(xs, "gradgradcheck")
    n = len(xs)

    def first_derivatives(*args: Value) -> tuple[Value, ...]:
        # gradcheck evaluates its function under no_grad() for the finite differences, but a first
        # derivative needs the graph of fn recorded, so record it here in any case
        with enable_grad():
            first_outs = _as_outputs(fn(*args[:n]))
            wrt = [a for a, x in zip(args[:n], xs) if x.requires_grad]
            # an output that does not require grad (a constant, a detached Value) contributes 0
            used = [(out, v) for out, v in zip(first_outs, args[n:]) if out.requires_grad]
            if not used:
                return tuple(Value(np.zeros_like(a.numpy()), requires_grad=False) for a in wrt)
            outs, seeds = zip(*used)
            return grad(list(outs), wrt, grad_outputs=list(seeds), create_graph=True, materialize_grads=True)  # type: ignore[return-value]

    return gradcheck(first_derivatives, xs + vs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
