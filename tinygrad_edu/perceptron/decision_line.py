"""The decision line of a two-input perceptron: w1·x1 + w2·x2 + b = 0.

Points with w1·x1 + w2·x2 + b ≥ 0 get output 1 (the side the vector w points to), the others 0 (or −1).
Solved for x2 the line is x2 = −(w1/w2)·x1 − b/w2, so slope = −w1/w2 and intercept = −b/w2; when w2 = 0
it is the vertical line x1 = −b/w1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class DecisionLine:
    """The line w1·x1 + w2·x2 + b = 0; ``w1`` and ``w2`` must not both be zero."""

    w1: float
    w2: float
    b: float

    def __post_init__(self) -> None:
        values = (self.w1, self.w2, self.b)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"DecisionLine: w1, w2 and b must be finite, got {values}")
        if self.w1 == 0 and self.w2 == 0:
            raise ValueError(
                "DecisionLine: w1 = w2 = 0, so w1·x1 + w2·x2 + b is the constant b and there is no line: "
                "every point gets the same output"
            )

    @property
    def is_vertical(self) -> bool:
        """True when w2 = 0: the line is x1 = −b/w1 and has no slope."""
        return self.w2 == 0

    @property
    def slope(self) -> float:
        """−w1/w2, the change of x2 per unit of x1 along the line."""
        self._require_not_vertical("slope")
        return -self.w1 / self.w2 + 0.0

    @property
    def intercept(self) -> float:
        """−b/w2, where the line crosses the x2 axis (x1 = 0)."""
        self._require_not_vertical("intercept")
        return -self.b / self.w2 + 0.0

    @property
    def x1_intercept(self) -> float | None:
        """−b/w1, where the line crosses the x1 axis (x2 = 0); None for a horizontal line (w1 = 0)."""
        return None if self.w1 == 0 else -self.b / self.w1 + 0.0

    def x2_at(self, x1: float) -> float:
        """The line's x2 at a given x1: slope·x1 + intercept."""
        return self.slope * x1 + self.intercept

    def segment(self, x1_limits: tuple[float, float], x2_limits: tuple[float, float]) -> tuple[Point, Point] | None:
        """The part of the line inside the box x1_limits × x2_limits as two end points, or None if it misses the box.

        The line is written as p(s) = p0 + s·d with p0 = −b·w/|w|² (its point nearest the origin) and direction
        d = (−w2, w1); each axis limits s to an interval, and the segment is their intersection (Liang–Barsky).
        """
        limits = (_ordered(x1_limits, "x1_limits"), _ordered(x2_limits, "x2_limits"))
        norm2 = self.w1 * self.w1 + self.w2 * self.w2
        p0 = (-self.b * self.w1 / norm2, -self.b * self.w2 / norm2)
        d = (-self.w2, self.w1)
        s_low, s_high = -math.inf, math.inf
        for (low, high), p, direction in zip(limits, p0, d):
            if direction == 0:
                if not low <= p <= high:
                    return None
                continue
            s1, s2 = (low - p) / direction, (high - p) / direction
            s_low, s_high = max(s_low, min(s1, s2)), min(s_high, max(s1, s2))
        if s_low > s_high:
            return None
        start = (p0[0] + s_low * d[0], p0[1] + s_low * d[1])
        end = (p0[0] + s_high * d[0], p0[1] + s_high * d[1])
        return start, end

    def __str__(self) -> str:
        if self.is_vertical:
            return f"x1 = {-self.b / self.w1 + 0.0:g}"
        sign = "−" if self.intercept < 0 else "+"
        return f"x2 = {self.slope + 0.0:g}·x1 {sign} {abs(self.intercept):g}"

    def _require_not_vertical(self, what: str) -> None:
        if self.is_vertical:
            raise ValueError(f"DecisionLine: a vertical line (w2 = 0, x1 = {-self.b / self.w1:g}) has no {what}")


def _ordered(limits: tuple[float, float], name: str) -> tuple[float, float]:
    low, high = (float(v) for v in limits)
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"DecisionLine.segment: {name} must be finite (low, high) with low ≤ high, got {limits}")
    return low, high
