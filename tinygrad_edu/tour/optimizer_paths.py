"""Section 6: gradient descent in action — the paths of SGD, momentum, Nesterov, AdaGrad, RMSProp and Adam
across two error surfaces: Rosenbrock's curved valley and a saddle."""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from tinygrad_edu.plotting import ROSENBROCK, SADDLE, Surface, optimizer_paths, plot_optimizer_paths
from tinygrad_edu.tour.content import Paragraph, Section, Table
from tinygrad_edu.tour.workspace import Workspace

TITLE = "Gradient descent in action: six optimizers, two surfaces"
STEPS = 300


def build(ws: Workspace) -> Section:
    section = Section("optimizers", TITLE, "Gradient Descent in Action; Improving BP (momentum)")
    section.add(
        Paragraph(
            "Plain gradient descent steps straight downhill: w ← w − η∇E. The lecture's improvements remember "
            "something about earlier steps. **Momentum** adds a share α of the previous step, "
            "Δw(n) = −η∇E + αΔw(n − 1), so it keeps rolling along a valley; **Nesterov** looks at the gradient "
            "where momentum is about to carry it; **AdaGrad**, **RMSProp** and **Adam** give every weight its own "
            "step size from the sizes of its past gradients. Each optimizer below starts at the same point (black "
            f"square) and takes {STEPS} steps on a surface E(w1, w2)."
        )
    )
    for surface, name, story in (
        (
            ROSENBROCK,
            "rosenbrock",
            "Rosenbrock's valley E = (1 − w1)² + 100(w2 − w1²)² is steep across and nearly flat along its curved "
            "floor; the minimum is the star at (1, 1). Plain descent needs a small η to survive the steep walls, "
            "and then crawls along the floor.",
        ),
        (
            SADDLE,
            "saddle",
            "The saddle E = w1² − w2² + w2⁴/4 curves up along w1 and down along w2 at the origin; the start sits "
            "almost exactly on the ridge (w2 = 0.001). A method must notice the tiny slope sideways to escape "
            "towards the minima at w2 = ±√2.",
        ),
    ):
        with np.errstate(over="ignore", invalid="ignore"):
            paths = optimizer_paths(surface, steps=STEPS)
        section.add(
            Paragraph(story),
            ws.plot(
                f"optimizer_paths_{name}",
                partial(plot_optimizer_paths, surface, paths),
                f"Optimizer paths on the {surface.name}, drawn over the contour lines of E.",
                f"optimizer paths on the {surface.name}",
            ),
            _path_table(surface, paths),
        )
    return section


def _fixed(x: float) -> str:
    """Four decimals, without the minus sign of a number that rounds to zero."""
    text = f"{x:.4f}"
    return text.lstrip("-") if float(text) == 0 else text


def _point(point: tuple[float, float] | None) -> str:
    return "" if point is None else f" at ({point[0]:.4g}, {point[1]:.4g})"


def _path_table(surface: Surface, paths: dict[str, np.ndarray]) -> Table:
    rows = []
    for name, points in paths.items():
        finite = points[np.all(np.isfinite(points), axis=1)]
        last = finite[-1]
        height = float(surface.height(last[0], last[1]))
        diverged = len(finite) < len(points)
        distance = "–" if surface.minimum is None else f"{math.dist(last, surface.minimum):.4f}"
        rows.append((
            name,
            f"diverged at step {len(finite)}" if diverged else str(len(points) - 1),
            f"({_fixed(last[0])}, {_fixed(last[1])})",
            f"{height:.5g}",
            distance,
        ))
    return Table(
        ("optimizer", "steps", "last finite point", "E there", "distance to ★"),
        tuple(rows),
        f"Where each optimizer ended on the {surface.name} (★ = the minimum{_point(surface.minimum)}).",
        row_header=True,
    )
