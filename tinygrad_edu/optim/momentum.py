"""The lecture's momentum, written as the lecture writes it: each step remembers the previous *step*."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, check_nonnegative


class LectureMomentum(Optimizer):
    r"""Gradient descent with the lecture's momentum term:

    .. code-block:: text

        Δw(n) = −η ∂E/∂w + α Δw(n−1)        (Δw(0) = 0)
        w     ← w + Δw(n)

    **Same as PyTorch's momentum while η is constant.** ``SGD(momentum=α)`` keeps a buffer of
    gradients, b(n) = α b(n−1) + g(n), and steps by −η b(n). Unrolling both,

        Δw(n) = −η Σₖ αⁿ⁻ᵏ g(k)   and   −η b(n) = −η Σₖ αⁿ⁻ᵏ g(k),

    the same numbers. **They differ when η changes** (a schedule, or a manual change): PyTorch
    multiplies the whole buffer by the new η, so past gradients are re-weighted by it at once,

        SGD:     −ηₙ (g(n) + α b(n−1)),

    while here every past step keeps the η it was taken with,

        lecture: −ηₙ g(n) + α Δw(n−1) = −ηₙ g(n) − α ηₙ₋₁ b(n−1).

    After a cut in η, SGD slows down at once; the lecture's form coasts on its old, larger steps
    for a while (they decay as αᵏ).
    """

    state_names = ("delta",)

    def __init__(self, params: ParamsT, lr: float = 1e-3, alpha: float = 0.9) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha))

    def _check_group(self, group: dict[str, Any]) -> None:
        check_nonnegative(self.name, group, "lr", "alpha")

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        delta = state.get("delta")
        if delta is None:
            delta = -group["lr"] * g  # Δw(1) = −η ∂E/∂w, as Δw(0) = 0
        else:
            delta *= group["alpha"]
            delta -= group["lr"] * g
        state["delta"] = delta
        p.data += delta
