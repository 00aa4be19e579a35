"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay (PyTorch's ``SGD``)."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim import numeric
from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, check_flags, check_nonnegative, check_number


class SGD(Optimizer):
    r"""Gradient descent θ ← θ − η g, optionally with momentum — PyTorch's rule, step by step:

    .. code-block:: text

        g ← −g                          if maximize
        g ← g + λ θ                     weight decay λ (L2 penalty ½λ‖θ‖² added to E)
        b ← g                           momentum μ ≠ 0, first step
        b ← μ b + (1 − τ) g             momentum μ ≠ 0, later steps (τ = dampening)
        g ← g + μ b  if nesterov,  else  g ← b
        θ ← θ − η g

    The buffer b holds *gradients*, and the learning rate η multiplies the whole buffer at each step.
    The lecture writes momentum as Δw(n) = −η ∂E/∂w + α Δw(n−1) instead, where old steps keep the η
    they were taken with; the two agree while η is constant (see :class:`LectureMomentum`).

    Nesterov momentum requires μ > 0 and τ = 0.
    """

    state_names = ("momentum_buffer",)

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_nonnegative(self.name, group, "lr", "momentum", "weight_decay")
        check_number(self.name, group, "dampening")
        check_flags(self.name, group, "nesterov", "maximize")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{self.name}: Nesterov momentum requires momentum > 0 and dampening = 0, "
                f"got momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        if group["maximize"]:
            g = -g
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p.data
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = numeric.copy(g)
            else:
                buf *= momentum
                buf += g if group["dampening"] == 0 else (1 - group["dampening"]) * g
            state["momentum_buffer"] = buf  # a float buffer is a new number each step: store it
            g = g + momentum * buf if group["nesterov"] else buf
        p.data -= group["lr"] * g
