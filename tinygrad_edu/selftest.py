"""A self-test of an installation: every operation of the engine, checked against finite differences.

Each :class:`OperationCase` names one operation, builds it from small seeded inputs placed away from its
kinks and ties (relu at 0, clip at its bounds, a max with two equal entries: there a central difference
measures neither one-sided derivative), and :func:`check_operation` compares backward's gradients with
central differences (``tinygrad_edu.gradcheck``: |analytical − numerical| ≤ atol + rtol·|numerical|).

    >>> from tinygrad_edu import selftest
    >>> results = selftest.check_all_operations(seed=0)
    >>> print(selftest.format_table(results))           # one row per operation, then a verdict

The cases together use every primitive operation of :mod:`tinygrad_edu.engine.ops`
(:func:`missing_operations` lists any that none of them reaches), with broadcasting, Python-float
scalars and repeated indices among them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tinygrad_edu.engine import (
    Value,
    concat,
    gradcheck,
    gradgradcheck,
    linear,
    maximum,
    minimum,
    nll_loss,
    ops,
    softmax_cross_entropy,
    stack,
    topological_order,
    weighted_sum,
    where,
)
from tinygrad_edu.engine.value import apply

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # PyTorch's gradcheck defaults
KINK_MARGIN = 0.1  # no sample lies closer than this to a kink

Sampler = Callable[[np.random.Generator], tuple[np.ndarray | float, ...]]


@dataclass(frozen=True)
class OperationCase:
    """One operation to check: ``function(*inputs)`` on the arrays ``sample(rng)`` returns."""

    name: str
    kind: str  # elementwise, binary, reduction, movement, matmul, neuron, loss, scalar
    function: Callable[..., Value]
    sample: Sampler

    def inputs(self, seed: int, index: int) -> list[Value]:
        """The case's inputs as Values labelled a, b, c, …, drawn from the generator seeded by (seed, index)."""
        rng = np.random.default_rng([seed, index])
        return [Value(x, label=chr(ord("a") + i)) for i, x in enumerate(self.sample(rng))]


@dataclass(frozen=True)
class OpCheck:
    """The outcome for one operation.

    ``max_abs_error`` is the largest |analytical − numerical| over all inputs' Jacobians (an element passes
    where it is ≤ atol + rtol·|numerical|); ``second_order`` is the result of ``gradgradcheck`` when second
    derivatives were checked, else None; ``error`` holds the message when the operation raised instead.
    """

    name: str
    kind: str
    shapes: tuple[tuple[int, ...], ...]
    passed: bool
    max_abs_error: float
    seconds: float
    second_order: bool | None = None
    error: str | None = None


# ====================================================================== samplers
def normal(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    """Standard normal entries."""
    return lambda rng: rng.standard_normal(shape)


def positive(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    """Entries in [0.5, 2]: inside the domain of log, sqrt and fractional powers."""
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def away_from(kinks: Sequence[float], *shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    """Entries in [−1.5, 1.5], each at least ``KINK_MARGIN`` from every kink (moved out if it fell closer)."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        x = rng.uniform(-1.5, 1.5, shape)
        for kink in kinks:
            near = np.abs(x - kink) < KINK_MARGIN
            x = np.where(near, kink + np.where(x >= kink, KINK_MARGIN, -KINK_MARGIN), x)
        return x

    return draw


def probabilities(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    """Entries in [0.1, 0.9]: probabilities clear of 0 and 1, where a log is clamped."""
    return lambda rng: rng.uniform(0.1, 0.9, shape)


def distinct(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    """Entries at least 0.3 apart in random order, so a max or min has no near-tie."""

    def draw(rng: np.random.Generator) -> np.ndarray:
        size = int(np.prod(shape))
        return (rng.permutation(size) * 0.3 - 0.15 * size + rng.uniform(-0.05, 0.05)).reshape(shape)

    return draw


def each(*samplers: Callable[[np.random.Generator], np.ndarray | float]) -> Sampler:
    """Independent inputs, one per sampler."""
    return lambda rng: tuple(s(rng) for s in samplers)


def apart(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> Sampler:
    """(a, b) with every broadcast pair at least ``KINK_MARGIN`` apart: a = b + an offset away from 0."""

    def draw(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        b = rng.standard_normal(shape_b)
        return b + away_from([0.0], *shape_a)(rng), b

    return draw


def scalar(sampler: Callable[[np.random.Generator], np.ndarray]) -> Callable[[np.random.Generator], float]:
    """One Python float from an array sampler (the engine's scalar path, as in micrograd)."""
    return lambda rng: float(np.asarray(sampler(rng)).ravel()[0])


# ====================================================================== the cases
WHERE_MASK = np.array([[True, False, True], [False, True, False]])
FANCY_INDEX = np.array([0, 2, 0])  # index 0 twice: its gradient must add up
N_SCALAR_INPUTS = 3

OPERATIONS: tuple[OperationCase, ...] = (
    # elementwise, one input
    OperationCase("-a", "elementwise", lambda a: -a, each(normal(2, 3))),
    OperationCase("abs(a)", "elementwise", lambda a: a.abs(), each(away_from([0.0], 2, 3))),
    OperationCase("exp(a)", "elementwise", lambda a: a.exp(), each(normal(2, 3))),
    OperationCase("log(a)", "elementwise", lambda a: a.log(), each(positive(2, 3))),
    OperationCase("sqrt(a)", "elementwise", lambda a: a.sqrt(), each(positive(2, 3))),
    OperationCase("tanh(a)", "elementwise", lambda a: a.tanh(), each(normal(2, 3))),
    OperationCase("sigmoid(a)", "elementwise", lambda a: a.sigmoid(), each(normal(2, 3))),
    OperationCase("softplus(a)", "elementwise", lambda a: apply(ops.Softplus, a), each(normal(2, 3))),
    OperationCase("relu(a)", "elementwise", lambda a: a.relu(), each(away_from([0.0], 2, 3))),
    OperationCase("leaky_relu(a, 0.1)", "elementwise", lambda a: a.leaky_relu(0.1), each(away_from([0.0], 2, 3))),
    OperationCase("step(a)", "elementwise", lambda a: a.step(), each(away_from([0.0], 2, 3))),
    OperationCase("clip(a, -0.5, 0.5)", "elementwise", lambda a: a.clip(-0.5, 0.5), each(away_from([-0.5, 0.5], 2, 3))),
    # elementwise, two inputs, b broadcast along the rows
    OperationCase("a + b", "binary", lambda a, b: a + b, each(normal(2, 3), normal(3))),
    OperationCase("a - b", "binary", lambda a, b: a - b, each(normal(2, 3), normal(3))),
    OperationCase("a * b", "binary", lambda a, b: a * b, each(normal(2, 3), normal(3))),
    OperationCase("a / b", "binary", lambda a, b: a / b, each(normal(2, 3), positive(3))),
    OperationCase("a ** b", "binary", lambda a, b: a**b, each(positive(2, 3), normal(3))),
    OperationCase("a ** 3", "binary", lambda a: a**3, each(normal(2, 3))),
    OperationCase("2 ** a", "binary", lambda a: 2.0**a, each(normal(2, 3))),
    OperationCase("maximum(a, b)", "binary", lambda a, b: maximum(a, b), apart((2, 3), (3,))),
    OperationCase("minimum(a, b)", "binary", lambda a, b: minimum(a, b), apart((2, 3), (3,))),
    OperationCase("where(mask, a, b)", "binary", lambda a, b: where(WHERE_MASK, a, b), each(normal(2, 3), normal(3))),
    # reductions
    OperationCase("a.sum()", "reduction", lambda a: a.sum(), each(normal(3, 4))),
    OperationCase("a.sum(axis=1)", "reduction", lambda a: a.sum(axis=1), each(normal(3, 4))),
    OperationCase("a.mean(axis=0)", "reduction", lambda a: a.mean(axis=0), each(normal(3, 4))),
    OperationCase("a.max(axis=1)", "reduction", lambda a: a.max(axis=1), each(distinct(3, 4))),
    OperationCase("a.min()", "reduction", lambda a: a.min(), each(distinct(3, 4))),
    OperationCase("a.logsumexp(axis=1)", "reduction", lambda a: a.logsumexp(axis=1), each(normal(3, 4))),
    OperationCase("a.softmax(axis=1)", "reduction", lambda a: a.softmax(axis=1), each(normal(3, 4))),
    OperationCase("a.log_softmax(axis=1)", "reduction", lambda a: a.log_softmax(axis=1), each(normal(3, 4))),
    # movement: the numbers stay, their places change
    OperationCase("a.reshape(2, 6)", "movement", lambda a: a.reshape(2, 6), each(normal(3, 4))),
    OperationCase("a.T", "movement", lambda a: a.T, each(normal(3, 4))),
    OperationCase("a.permute(2, 0, 1)", "movement", lambda a: a.permute(2, 0, 1), each(normal(2, 3, 4))),
    OperationCase("a.flatten()", "movement", lambda a: a.flatten(), each(normal(2, 3, 2))),
    OperationCase("a[1:, ::2]", "movement", lambda a: a[1:, ::2], each(normal(3, 4))),
    OperationCase("a[[0, 2, 0]]", "movement", lambda a: a[FANCY_INDEX], each(normal(3, 4))),
    OperationCase("broadcast_to(a, (4, 3))", "movement", lambda a: ops.broadcast_to(a, (4, 3)), each(normal(3))),
    OperationCase(
        "scatter_add(a, [0, 2, 0], (4,))", "movement", lambda a: ops.scatter_add(a, FANCY_INDEX, (4,)), each(normal(3))
    ),
    OperationCase(
        "concat([a, b], axis=1)", "movement", lambda a, b: concat([a, b], axis=1), each(normal(2, 3), normal(2, 2))
    ),
    OperationCase("stack([a, b])", "movement", lambda a, b: stack([a, b]), each(normal(2, 3), normal(2, 3))),
    # matrix products
    OperationCase("a @ b", "matmul", lambda a, b: a @ b, each(normal(2, 3), normal(3, 4))),
    OperationCase("a @ b (matrix · vector)", "matmul", lambda a, b: a @ b, each(normal(3, 4), normal(4))),
    OperationCase(
        "linear(a, b, c)", "matmul", lambda a, b, c: linear(a, b, c), each(normal(2, 3), normal(4, 3), normal(4))
    ),
    # the scalar neuron's weighted sum b + Σ wᵢxᵢ, inputs (b, w1 … w3, x1 … x3)
    OperationCase(
        "weighted_sum(w, x, b)",
        "neuron",
        lambda b, *wx: weighted_sum(list(wx[:N_SCALAR_INPUTS]), list(wx[N_SCALAR_INPUTS:]), b),
        each(*[scalar(normal(1))] * (2 * N_SCALAR_INPUTS + 1)),
    ),
    # losses
    OperationCase("nll_loss(a, [0, 2])", "loss", lambda a: nll_loss(a, np.array([0, 2])), each(normal(2, 3))),
    OperationCase(
        "cross_entropy(a, [0, 2])", "loss", lambda a: softmax_cross_entropy(a, np.array([0, 2])), each(normal(2, 3))
    ),
    OperationCase(
        "cross_entropy(a, p) (probabilities)",
        "loss",
        lambda a: softmax_cross_entropy(a, np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]]), "sum"),
        each(normal(2, 3)),
    ),
    OperationCase(
        "binary_cross_entropy(a, b)",
        "loss",
        lambda a, b: apply(ops.BinaryCrossEntropy, a, b),
        each(probabilities(2, 3), probabilities(2, 3)),
    ),
    OperationCase(
        "binary_cross_entropy_with_logits(a, b)",
        "loss",
        lambda a, b: apply(ops.BinaryCrossEntropyWithLogits, a, b, pos_weight=np.array([0.5, 2.0, 1.0])),
        each(normal(2, 3), probabilities(2, 3)),
    ),
    # Python-float scalars take the engine's fast scalar path
    OperationCase(
        "tanh(a * b + c) (scalars)", "scalar", lambda a, b, c: (a * b + c).tanh(), each(*[scalar(normal(1))] * 3)
    ),
    OperationCase(
        "sigmoid(a) / b (scalars)", "scalar", lambda a, b: a.sigmoid() / b, each(scalar(normal(1)), scalar(positive(1)))
    ),
    OperationCase(
        "relu(a) ** 2 - b (scalars)", "scalar", lambda a, b: a.relu() ** 2 - b,
        each(scalar(positive(1)), scalar(normal(1))),
    ),
)


# ====================================================================== checking
def check_operation(case: OperationCase, seed: int = 0, index: int = 0, second_order: bool = False) -> OpCheck:
    """Gradcheck one case (and gradgradcheck it when ``second_order``); never raises for a failing operation."""
    started = time.perf_counter()
    shapes: tuple[tuple[int, ...], ...] = ()
    try:
        inputs = case.inputs(seed, index)
        shapes = tuple(x.shape for x in inputs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a numpy warning (overflow, invalid value) is a failure here
            result = gradcheck(case.function, inputs, eps=EPS, atol=ATOL, rtol=RTOL)
            second = gradgradcheck(case.function, inputs, eps=EPS, atol=ATOL, rtol=RTOL) if second_order else None
    except Exception as err:  # a self-test reports a crash as a failed row instead of stopping
        seconds = time.perf_counter() - started
        return OpCheck(case.name, case.kind, shapes, False, float("nan"), seconds, None, f"{type(err).__name__}: {err}")
    max_abs = max((r.max_abs_error for r in result.inputs), default=0.0)
    second_passed = None if second is None else second.passed
    passed = result.passed and second_passed is not False
    return OpCheck(case.name, case.kind, shapes, passed, max_abs, time.perf_counter() - started, second_passed)


def check_all_operations(seed: int = 0, second_order: bool = False) -> list[OpCheck]:
    """Check every case of :data:`OPERATIONS` with inputs drawn from ``seed``; one :class:`OpCheck` each."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"check_all_operations: seed must be a non-negative integer, got {seed!r}")
    return [check_operation(case, int(seed), i, second_order) for i, case in enumerate(OPERATIONS)]


# ====================================================================== coverage
def primitive_operations() -> set[type[ops.Op]]:
    """Every primitive operation class defined in :mod:`tinygrad_edu.engine.ops`."""
    return {
        obj for obj in vars(ops).values()
        if isinstance(obj, type) and issubclass(obj, ops.Op) and obj is not ops.Op
    }


def operations_used(case: OperationCase, seed: int = 0) -> set[type[ops.Op]]:
    """The primitive operations in the graph one case builds."""
    out = case.function(*case.inputs(seed, 0))
    return {node.op for node in topological_order(out) if node.op is not None}


def missing_operations(cases: Sequence[OperationCase] = OPERATIONS) -> list[str]:
    """Names of primitive operations that no case reaches (empty when the self-test is complete)."""
    used: set[type[ops.Op]] = set()
    for case in cases:
        used |= operations_used(case)
    return sorted(op.name for op in primitive_operations() - used)


# ====================================================================== report
def format_table(results: Sequence[OpCheck]) -> str:
    """One row per operation — kind, input shapes, max |analytical − numerical|, result — then a verdict line."""
    show_second = any(r.second_order is not None for r in results)
    header = ["operation", "kind", "inputs", "max abs error", "result"]
    if show_second:
        header.insert(4, "2nd order")
    rows = [header]
    for r in results:
        row = [
            r.name,
            r.kind,
            _shapes_text(r.shapes),
            "-" if r.error else f"{r.max_abs_error:.1e}",
            "ok" if r.passed else "FAIL",
        ]
        if show_second:
            row.insert(4, {None: "-", True: "ok", False: "FAIL"}[r.second_order])
        rows.append(row)
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    for r in results:
        if r.error:
            lines.append(f"{r.name}: {r.error}")
    lines.append(summary(results))
    return "\n".join(lines)


def summary(results: Sequence[OpCheck]) -> str:
    """One line: how many operations passed, with the tolerances."""
    failed = [r.name for r in results if not r.passed]
    check = "gradient check"
    if any(r.second_order is not None for r in results):
        check += " of first and second derivatives"
    tolerances = f"eps={EPS:g}, atol={ATOL:g}, rtol={RTOL:g}"
    if not failed:
        return f"all {len(results)} operations passed the {check} ({tolerances})"
    return f"{len(failed)} of {len(results)} operations FAILED the {check} ({tolerances}): {', '.join(failed)}"


def _shapes_text(shapes: tuple[tuple[int, ...], ...]) -> str:
    """``2×3, 3`` for arrays; ``scalar`` or ``7 scalars`` for Python-float inputs."""
    if not shapes:
        return "-"
    if all(shape == () for shape in shapes):
        return "scalar" if len(shapes) == 1 else f"{len(shapes)} scalars"
    return ", ".join("scalar" if shape == () else "×".join(map(str, shape)) for shape in shapes)
