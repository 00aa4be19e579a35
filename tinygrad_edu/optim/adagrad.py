"""AdaGrad: each weight's step shrinks with the sum of its squared gradients (PyTorch's ``Adagrad``)."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim import numeric
from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, check_flags, check_nonnegative


class Adagrad(Optimizer):
    r"""Per-weight learning rates from the history of squared gradients — PyTorch's rule:

    .. code-block:: text

        g ← −g                          if maximize
        g ← g + λ θ                     weight decay λ
        η̃ = η / (1 + (t − 1) · lr_decay)           t = 1, 2, ... counts this parameter's steps
        s ← s + g²                      s starts at initial_accumulator_value
        θ ← θ − η̃ g / (√s + ε)

    Weights with large past gradients take small steps, rarely-updated ones keep large steps; since
    s only grows, every step size decays.
    """

    state_names = ("step", "sum")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, initial_accumulator_value=initial_accumulator_value,
            eps=eps, maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_nonnegative(self.name, group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
        check_flags(self.name, group, "maximize")

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = state["step"] = state.get("step", 0) + 1
        if "sum" not in state:
            state["sum"] = numeric.full_like(p.data, group["initial_accumulator_value"])
        if group["maximize"]:
            g = -g
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p.data
        decayed_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        squares = state["sum"]
        squares += g * g
        state["sum"] = squares
        p.data -= decayed_lr * g / (numeric.sqrt(squares) + group["eps"])  # η·g first, as PyTorch's addcdiv
