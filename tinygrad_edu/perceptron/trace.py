"""What a perceptron's training run leaves behind: the epoch table, a detected cycle, and the result.

The trace has one row per presented example, exactly the columns of the lecture's table:
x, t, y, Δw1 … Δwn, Δb and the new w1 … wn, b, preceded by a row holding the starting weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class TraceRow:
    """One presented example: input x, target t, output y, the delta-rule step and the weights after it."""

    epoch: int
    x: tuple[float, ...]
    t: int
    y: int
    delta_w: tuple[float, ...]
    delta_b: float
    w: tuple[float, ...]
    b: float

    @property
    def changed(self) -> bool:
        """Whether the example was misclassified (y ≠ t), so the delta rule moved the weights."""
        return self.y != self.t


@dataclass
class Trace:
    """The lecture's epoch table: the starting weights, then one :class:`TraceRow` per presented example.

    ``str(trace)`` prints it as a table; ``trace.epoch(k)`` gives the rows of epoch k.
    """

    initial_w: tuple[float, ...]
    initial_b: float
    rows: list[TraceRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[TraceRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> TraceRow:
        return self.rows[index]

    def epoch(self, k: int) -> list[TraceRow]:
        """The rows of epoch ``k`` (epochs count from 1)."""
        return [row for row in self.rows if row.epoch == k]

    def table(self) -> str:
        """The trace as an aligned text table, the lecture's layout: "Epoch k" marks each epoch's first row."""
        n = len(self.initial_w)
        header = ["", "x", "t", "y", *(f"Δw{i + 1}" for i in range(n)), "Δb", *(f"w{i + 1}" for i in range(n)), "b"]
        blanks = [""] * (4 + n + 1)  # no x, t, y, Δw or Δb before the first example
        lines = [header, [*blanks, *map(format_number, self.initial_w), format_number(self.initial_b)]]
        previous_epoch = None
        for row in self.rows:
            label = f"Epoch {row.epoch}" if row.epoch != previous_epoch else ""
            previous_epoch = row.epoch
            lines.append(
                [
                    label,
                    " ".join(map(format_number, row.x)),
                    format_number(row.t),
                    format_number(row.y),
                    *map(format_number, row.delta_w),
                    format_number(row.delta_b),
                    *map(format_number, row.w),
                    format_number(row.b),
                ]
            )
        return _align(lines)

    def __str__(self) -> str:
        return self.table()


@dataclass(frozen=True)
class Cycle:
    """The weights after epoch ``epoch`` equal those after the earlier epoch ``repeats_epoch`` (0 = the start).

    An epoch depends only on the weights it starts from, so from here on the same ``period`` epochs repeat
    forever, each with at least one update: the delta rule can never converge. By the perceptron convergence
    theorem (it always converges on linearly separable data) this also proves the data is not linearly separable.
    """

    epoch: int
    repeats_epoch: int
    w: tuple[float, ...]
    b: float

    @property
    def period(self) -> int:
        """How many epochs one turn of the cycle takes."""
        return self.epoch - self.repeats_epoch

    def __str__(self) -> str:
        earlier = "at the start" if self.repeats_epoch == 0 else f"after epoch {self.repeats_epoch}"
        weights = ", ".join(map(format_number, self.w))
        return (
            f"cycle: after epoch {self.epoch} the weights w = ({weights}), b = {format_number(self.b)} are the same "
            f"as {earlier}; this {self.period}-epoch cycle would repeat forever, so further training cannot help "
            "(the data is not linearly separable)"
        )


@dataclass
class PerceptronResult:
    """What :meth:`Perceptron.fit` returns.

    ``converged``: an epoch passed with no change (every example classified correctly); ``epochs``: how many
    epochs ran, the last being the one without a change when converged; ``weights`` and ``bias``: the final
    values; ``errors_per_epoch``: misclassified examples in each epoch; ``cycle``: the detected cycle, if
    training stopped because the weights returned to an earlier state; ``trace``: the epoch table.
    """

    converged: bool
    epochs: int
    weights: np.ndarray
    bias: float
    errors_per_epoch: list[int]
    trace: Trace
    cycle: Cycle | None = None

    @property
    def cycle_detected(self) -> bool:
        return self.cycle is not None

    @property
    def stop_reason(self) -> str:
        """``"converged"``, ``"cycle"`` or ``"max_epochs"``."""
        if self.converged:
            return "converged"
        return "cycle" if self.cycle is not None else "max_epochs"

    def __str__(self) -> str:
        weights = ", ".join(map(format_number, self.weights))
        final = f"w = ({weights}), b = {format_number(self.bias)}"
        if self.converged:
            return f"converged after {self.epochs} epochs (epoch {self.epochs} made no change): {final}"
        if self.cycle is not None:
            return f"did not converge: {self.cycle}"
        return f"did not converge within {self.epochs} epochs and no cycle was seen: {final}"


def format_number(value: float) -> str:
    """A table cell: whole numbers without a decimal point (``-1`` not ``-1.0``), others to 6 significant digits."""
    value = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def _align(lines: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell: the label column left-aligned, the numbers right-aligned."""
    widths = [max(len(line[c]) for line in lines) for c in range(len(lines[0]))]
    rendered = []
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(line[1:], widths[1:])]
        rendered.append("  ".join(cells).rstrip())
    return "\n".join(rendered)
