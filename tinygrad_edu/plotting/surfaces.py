"""2-D error surfaces and the paths optimizers take across them ("gradient descent in action").

The surfaces are written with Value arithmetic, so the same function gives the height for a contour
plot (on numpy grids) and the gradient for an optimizer (on Values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygrad_edu.engine import Value


@dataclass(frozen=True)
class Surface:
    """E(w1, w2) with a good plotting window, a start point and where its minimum is (if it has one)."""

    name: str
    height: Callable[[Any, Any], Any]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: tuple[float, float] | None


def _rosenbrock(x: Any, y: Any) -> Any:
    """(1 − x)² + 100(y − x²)²: a long, narrow, curved valley with its minimum at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _saddle(x: Any, y: Any) -> Any:
    """x² − y² + y⁴/4: a saddle at (0, 0) between two minima at (0, ±√2)."""
    return x * x - y * y + 0.25 * y**4


ROSENBROCK = Surface("Rosenbrock valley", _rosenbrock, (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), (1.0, 1.0))
SADDLE = Surface("saddle", _saddle, (-1.5, 1e-3), (-2.0, 2.0), (-2.0, 2.0), (0.0, 2.0**0.5))
SURFACES = {"rosenbrock": ROSENBROCK, "saddle": SADDLE}


def default_optimizers(surface: Surface) -> dict[str, Callable[[list[Value]], Any]]:
    """The lecture's methods in its order, each with a learning rate that suits the surface.

    SGD, momentum and Nesterov share one η, so their paths differ only by the momentum term. On the
    Rosenbrock valley the walls curve up steeply (∂²E/∂w1² ≈ 1800 where the valley starts), so plain
    descent needs η below about 1e-3 and then crawls along the flat valley floor, while momentum gathers
    speed along it; Nesterov's look-ahead step is less forgiving (it zigzags across the valley at first
    and diverges from η ≈ 1.2e-3). AdaGrad and RMSProp divide by the gradient's size, so each coordinate
    moves about η per step at first and they creep down the valley (AdaGrad ever slower as its sum of
    squares grows); Adam's momentum carries it along. On the saddle the adaptive methods escape along
    the tiny w2 gradient at once, while plain descent first slides to the saddle point and lingers.
    """
    from tinygrad_edu import optim

    steep = surface is ROSENBROCK
    lr = 8e-4 if steep else 0.05
    return {
        "SGD": lambda p: optim.SGD(p, lr=lr),
        "Momentum": lambda p: optim.SGD(p, lr=lr, momentum=0.9),
        "Nesterov": lambda p: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
        "AdaGrad": lambda p: optim.Adagrad(p, lr=0.3),
        "RMSProp": lambda p: optim.RMSprop(p, lr=0.01 if steep else 0.02),
        "Adam": lambda p: optim.Adam(p, lr=0.1 if steep else 0.05),
    }


def optimizer_path(surface: Surface, make_optimizer: Callable[[list[Value]], Any], steps: int = 300,
                   start: tuple[float, float] | None = None) -> np.ndarray:
    """The points (steps + 1, 2) one optimizer visits, starting at ``start`` (the surface's by default)."""
    w = Value(np.array(surface.start if start is None else start, dtype=np.float64), label="w")
    if w.shape != (2,):
        raise ValueError(f"optimizer_path: start must be a point (w1, w2) on the surface, got shape {w.shape}")
    optimizer = make_optimizer([w])
    points = [w.numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        surface.height(w[0], w[1]).backward()
        optimizer.step()
        points.append(w.numpy().copy())
        if not np.all(np.isfinite(points[-1])):
            break
    return np.array(points)


def optimizer_paths(surface: Surface, optimizers: dict[str, Callable[[list[Value]], Any]] | None = None,
                    steps: int = 300) -> dict[str, np.ndarray]:
    """Paths of several optimizers from the same start (the lecture's methods by default)."""
    makers = optimizers if optimizers is not None else default_optimizers(surface)
    return {name: optimizer_path(surface, make, steps) for name, make in makers.items()}
