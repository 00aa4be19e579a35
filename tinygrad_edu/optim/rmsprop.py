"""RMSProp: divide each step by a running root-mean-square of recent gradients (PyTorch's ``RMSprop``)."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim import numeric
from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, buffer, check_flags, check_nonnegative


class RMSprop(Optimizer):
    r"""AdaGrad with a *forgetting* average of squared gradients — PyTorch's rule:

    .. code-block:: text

        g ← −g                          if maximize
        g ← g + λ θ                     weight decay λ
        v ← α v + (1 − α) g²            v starts at 0
        ḡ ← α ḡ + (1 − α) g             if centered (ḡ starts at 0) ...
        ṽ = v − ḡ²                      ... and then the variance replaces v: ṽ = v otherwise
        b ← μ b + g / (√ṽ + ε)          if momentum μ > 0 (b starts at 0);  θ ← θ − η b
        θ ← θ − η g / (√ṽ + ε)          otherwise

    Unlike AdaGrad's ever-growing sum, v tracks only the last ~1/(1 − α) gradients, so steps do not
    die out.
    """

    state_names = ("step", "square_avg", "grad_avg", "momentum_buffer")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_nonnegative(self.name, group, "lr", "alpha", "eps", "weight_decay", "momentum")
        check_flags(self.name, group, "centered", "maximize")

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] = state.get("step", 0) + 1
        if group["maximize"]:
            g = -g
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p.data
        alpha = group["alpha"]
        square_avg = buffer(state, "square_avg", p.data)
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        state["square_avg"] = square_avg
        if group["centered"]:
            grad_avg = buffer(state, "grad_avg", p.data)
            grad_avg += (1 - alpha) * (g - grad_avg)  # = α ḡ + (1 − α) g
            state["grad_avg"] = grad_avg
            denominator = numeric.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denominator = numeric.sqrt(square_avg) + group["eps"]
        if group["momentum"] > 0:
            buf = buffer(state, "momentum_buffer", p.data)
            buf *= group["momentum"]
            buf += g / denominator
            state["momentum_buffer"] = buf
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * g / denominator  # η·g first, as PyTorch's addcdiv
