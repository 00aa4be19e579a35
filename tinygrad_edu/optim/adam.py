"""Adam and AdamW: momentum and RMSProp together, with bias correction (PyTorch's ``Adam``, ``AdamW``)."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine.value import Value
from tinygrad_edu.optim import numeric
from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, buffer, check_flags, check_fraction, check_nonnegative


class Adam(Optimizer):
    r"""Adaptive moment estimation — PyTorch's rule:

    .. code-block:: text

        g ← −g                          if maximize
        g ← g + λ θ                     weight decay λ (an L2 penalty, coupled: it passes through m and v)
        m ← β₁ m + (1 − β₁) g           first moment (a momentum of gradients), m starts at 0
        v ← β₂ v + (1 − β₂) g²          second moment (as in RMSProp), v starts at 0
        v_max ← max(v_max, v);  v ← v_max          if amsgrad (v_max starts at 0)
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)      bias correction, t = this parameter's step count
        θ ← θ − η m̂ / (√v̂ + ε)

    m and v start at 0, which biases them towards 0 in the first steps; dividing by 1 − βᵗ undoes that.
    """

    state_names = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_nonnegative(self.name, group, "lr", "eps", "weight_decay")
        check_flags(self.name, group, "amsgrad", "maximize")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{self.name}: betas must be a pair (β₁, β₂), got {betas!r}")
        for i, beta in enumerate(betas):
            check_fraction(self.name, f"betas[{i}]", beta)

    def _update(self, p: Value, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        step = state["step"] = state.get("step", 0) + 1
        if group["maximize"]:
            g = -g
        g = self._apply_weight_decay(p, g, group)
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq = buffer(state, "exp_avg", p.data), buffer(state, "exp_avg_sq", p.data)
        exp_avg += (1 - beta1) * (g - exp_avg)  # = β₁ m + (1 − β₁) g
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = exp_avg, exp_avg_sq
        if group["amsgrad"]:
            running_max = numeric.maximum_(buffer(state, "max_exp_avg_sq", p.data), exp_avg_sq)
            exp_avg_sq = state["max_exp_avg_sq"] = running_max
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        denominator = numeric.sqrt(exp_avg_sq) / bias_correction2**0.5 + group["eps"]
        p.data -= (group["lr"] / bias_correction1) * exp_avg / denominator  # (η/b₁)·m first, as PyTorch's addcdiv

    def _apply_weight_decay(self, p: Value, g: Any, group: dict[str, Any]) -> Any:
        """Adam's L2 penalty: g ← g + λθ."""
        if group["weight_decay"] != 0:
            g = g + group["weight_decay"] * p.data
        return g


class AdamW(Adam):
    r"""Adam with *decoupled* weight decay — PyTorch's rule:

    .. code-block:: text

        θ ← θ (1 − η λ)                 shrink the weights directly ...
        (then Adam's step, with no λθ added to g)    ... instead of adding λθ to the gradient

    With Adam's coupled decay, λθ is divided by √v̂ like any gradient, so weights with large
    gradients are barely decayed; AdamW decays every weight at the same rate ηλ.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)

    def _apply_weight_decay(self, p: Value, g: Any, group: dict[str, Any]) -> Any:
        """AdamW's decoupled decay: θ ← θ(1 − ηλ), and g is left as it is."""
        if group["weight_decay"] != 0:
            p.data *= 1 - group["lr"] * group["weight_decay"]
        return g
