"""Rosenblatt's perceptron trained by the delta rule — plain numpy, no autograd: the "before".

a(x) = x·w + b, y = f(a) with the step activation f(a) = 1 if a ≥ 0 else 0 ("binary") or else −1
("bipolar"). For each example the delta rule moves the weights towards the target:

    Δwi = η (t − y) xi,    Δb = η (t − y),

which is zero when y = t and ±η·x (±2η·x for bipolar outputs) otherwise. Training repeats epochs
(passes over the examples in their given order) until one passes with no change. The perceptron
convergence theorem guarantees that happens for linearly separable data; otherwise the weights stay
bounded and, with a deterministic order, can return to a state seen before — :meth:`Perceptron.fit`
notices the repeat and stops with a proof that no further training can help.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tinygrad_edu.perceptron.decision_line import DecisionLine
from tinygrad_edu.perceptron.trace import Cycle, PerceptronResult, Trace, TraceRow

ACTIVATIONS = {"binary": (0, 1), "bipolar": (-1, 1)}  # activation name → (output for a < 0, output for a ≥ 0)


class Perceptron:
    """A single threshold unit: y = f(x·w + b) with f the binary (0/1) or bipolar (±1) step.

    ``init`` is ``"zeros"`` (w = 0, b = 0, as in the lecture's AND example) or a seed / ``numpy.random.Generator``
    for weights and bias drawn uniformly from [−0.5, 0.5]. ``lr`` is the learning rate η > 0.
    """

    n_inputs: int
    lr: float  # η
    activation: str
    weights: np.ndarray  # w, shape (n_inputs,)
    bias: float  # b

    def __init__(
        self,
        n_inputs: int,
        lr: float = 1.0,
        activation: str = "binary",
        init: str | int | np.random.Generator = "zeros",
    ) -> None:
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, numbers.Integral) or n_inputs < 1:
            raise ValueError(f"Perceptron: n_inputs must be a positive integer, got {n_inputs!r}")
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"Perceptron: the learning rate lr (η) must be a finite number > 0, got {lr!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"Perceptron: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.n_inputs = int(n_inputs)
        self.lr = float(lr)
        self.activation = activation
        self.weights, self.bias = _initial_parameters(self.n_inputs, init)

    def __repr__(self) -> str:
        return (
            f"Perceptron(n_inputs={self.n_inputs}, lr={self.lr:g}, activation={self.activation!r}, "
            f"weights={self.weights.tolist()}, bias={self.bias:g})"
        )

    # ------------------------------------------------------------------ forward
    def net_input(self, X: Any) -> np.ndarray | float:
        """a = x·w + b for one example (shape (n_inputs,)) or each row of X (shape (N, n_inputs))."""
        X = self._check_inputs(X, "net_input")
        a = X @ self.weights + self.bias
        return float(a) if X.ndim == 1 else a

    def predict(self, X: Any) -> np.ndarray | int:
        """The step of the net input: y = 1 if a ≥ 0, else 0 (binary) or −1 (bipolar); an int for one example."""
        X = self._check_inputs(X, "predict")
        low, high = ACTIVATIONS[self.activation]
        y = np.where(X @ self.weights + self.bias >= 0, high, low)
        return int(y) if X.ndim == 1 else y

    def decision_line(self) -> DecisionLine:
        """The boundary w1·x1 + w2·x2 + b = 0 of a two-input perceptron (slope, intercept, segment for plots)."""
        if self.n_inputs != 2:
            raise ValueError(f"decision_line: needs a perceptron with 2 inputs, this one has {self.n_inputs}")
        return DecisionLine(float(self.weights[0]), float(self.weights[1]), self.bias)

    # ------------------------------------------------------------------ learning
    def delta_rule(self, x: Any, t: int) -> tuple[int, np.ndarray, float]:
        """For one example: the output y and the step Δw = η(t − y)x, Δb = η(t − y). Nothing is changed."""
        x = self._check_inputs(x, "delta_rule")
        if x.ndim != 1:
            raise ValueError(f"delta_rule: x must be one example of shape ({self.n_inputs},), got shape {x.shape}")
        t = int(self._check_targets(np.asarray([t]), 1, "delta_rule")[0])
        return self._delta_rule(x, t, self.weights, self.bias)

    def fit(self, X: Any, t: Any, max_epochs: int = 100, record_trace: bool = True) -> PerceptronResult:
        """Train by the delta rule, presenting the rows of X in order, one epoch after another.

        Stops at the first epoch without a change (``converged``), when the weights at the end of an epoch
        equal those at the end of an earlier one (a :class:`Cycle`: training can never converge), or after
        ``max_epochs``. The final weights are kept in the perceptron. Set ``record_trace=False`` to skip the
        per-example table on large data.

        Cycles are found by exact comparison; with a learning rate or inputs that are not exactly
        representable (η = 0.1, say) rounding can make a repeat inexact and it then runs to ``max_epochs``.
        """
        X = self._check_inputs(X, "fit")
        if X.ndim != 2:
            raise ValueError(f"fit: X must have shape (N, {self.n_inputs}) — one row per example —, got {X.shape}")
        t = self._check_targets(t, X.shape[0], "fit")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, numbers.Integral) or max_epochs < 1:
            raise ValueError(f"fit: max_epochs must be a positive integer, got {max_epochs!r}")

        w, b = self.weights.copy(), self.bias
        trace = Trace(initial_w=tuple(w.tolist()), initial_b=b)
        errors_per_epoch: list[int] = []
        seen = {_state(w, b): 0}  # weights at the end of each epoch → that epoch (0 = the start)
        cycle = None
        for epoch in range(1, int(max_epochs) + 1):
            errors = 0
            for x_i, t_i in zip(X, t):
                y, delta_w, delta_b = self._delta_rule(x_i, int(t_i), w, b)
                w, b = w + delta_w, b + delta_b
                errors += y != t_i
                if record_trace:
                    trace.rows.append(
                        TraceRow(
                            epoch=epoch,
                            x=tuple(x_i.tolist()),
                            t=int(t_i),
                            y=y,
                            delta_w=tuple(delta_w.tolist()),
                            delta_b=delta_b,
                            w=tuple(w.tolist()),
                            b=b,
                        )
                    )
            errors_per_epoch.append(int(errors))
            if errors == 0:
                break
            state = _state(w, b)
            if state in seen:
                cycle = Cycle(epoch=epoch, repeats_epoch=seen[state], w=state[0], b=state[1])
                break
            seen[state] = epoch

        self.weights, self.bias = w, b
        return PerceptronResult(
            converged=errors_per_epoch[-1] == 0,
            epochs=len(errors_per_epoch),
            weights=w.copy(),
            bias=b,
            errors_per_epoch=errors_per_epoch,
            trace=trace,
            cycle=cycle,
        )

    def _delta_rule(self, x: np.ndarray, t: int, w: np.ndarray, b: float) -> tuple[int, np.ndarray, float]:
        low, high = ACTIVATIONS[self.activation]
        y = high if float(x @ w) + b >= 0 else low
        error = t - y
        return y, self.lr * error * x + 0.0, self.lr * error + 0.0  # + 0.0: no −0 in the table

    # ------------------------------------------------------------------ input checks
    def _check_inputs(self, X: Any, where: str) -> np.ndarray:
        X = _as_float_array(X, f"{where}: X")
        if X.ndim not in (1, 2) or X.shape[-1] != self.n_inputs:
            raise ValueError(
                f"{where}: X must have shape (N, {self.n_inputs}) or ({self.n_inputs},) for this perceptron with "
                f"{self.n_inputs} inputs, got shape {X.shape}"
            )
        if X.ndim == 2 and X.shape[0] == 0:
            raise ValueError(f"{where}: X has no examples (shape {X.shape})")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{where}: X contains NaN or infinite values")
        return X

    def _check_targets(self, t: Any, n_examples: int, where: str) -> np.ndarray:
        t = _as_float_array(t, f"{where}: t")
        if t.shape != (n_examples,):
            raise ValueError(f"{where}: t must have shape ({n_examples},), one target per example, got {t.shape}")
        if not np.all(np.isfinite(t)):
            raise ValueError(f"{where}: t contains NaN or infinite values")
        allowed = ACTIVATIONS[self.activation]
        bad = t[~np.isin(t, allowed)]
        if bad.size:
            message = f"{where}: with activation={self.activation!r} targets must be {allowed[0]} or {allowed[1]}"
            other = "bipolar" if self.activation == "binary" else "binary"
            low, high = ACTIVATIONS[other]
            fits_other = np.all(np.isin(t, (low, high)))
            hint = f" (for targets in {{{low}, {high}}} use activation={other!r})" if fits_other else ""
            raise ValueError(f"{message}, got {bad[0]:g}{hint}")
        return t.astype(np.int64)


def _state(w: np.ndarray, b: float) -> tuple[tuple[float, ...], float]:
    """The weights as a hashable key (−0.0 and 0.0 compare and hash equal)."""
    return tuple(w.tolist()), float(b)


def _as_float_array(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must be numbers, got an array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real numbers, got complex values")
    return array.astype(np.float64)


def _initial_parameters(n_inputs: int, init: str | int | np.random.Generator) -> tuple[np.ndarray, float]:
    """w = 0, b = 0 for ``"zeros"``; otherwise w and b uniform in [−0.5, 0.5] from the given seed or Generator."""
    if isinstance(init, str):
        if init != "zeros":
            raise ValueError(f"Perceptron: init must be 'zeros', an integer seed or a numpy Generator, got {init!r}")
        return np.zeros(n_inputs), 0.0
    if isinstance(init, bool) or not isinstance(init, (numbers.Integral, np.random.Generator)):
        raise TypeError(f"Perceptron: init must be 'zeros', an integer seed or a numpy Generator, got {init!r}")
    rng = np.random.default_rng(init)
    values = rng.uniform(-0.5, 0.5, size=n_inputs + 1)
    return values[:n_inputs], float(values[n_inputs])
