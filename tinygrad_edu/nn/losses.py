"""Losses as modules: ``loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, labels)``.

Each wraps the function of the same name in :mod:`tinygrad_edu.nn.functional` (the formulas are
documented there) and remembers its settings.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.engine import Value
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module


class _Loss(Module):
    """A loss with a ``reduction`` ('mean', 'sum' or 'none'), checked when it is made."""

    default_reduction = "mean"

    def __init__(self, reduction: str | None = None) -> None:
        self.reduction = self.default_reduction if reduction is None else reduction
        F.check_reduction(self.reduction, type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class SquaredError(_Loss):
    """The lecture's E = ½ Σ (t − o)² (reduction 'sum' by default, as E is defined)."""

    default_reduction = "sum"

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.squared_error(input, target, self.reduction)


class MSELoss(_Loss):
    """(1/n) Σ (x − y)²."""

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.mse_loss(input, target, self.reduction)


class BCELoss(_Loss):
    """−[t log p + (1 − t) log(1 − p)] for probabilities p."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of σ(x) from logits x, computed stably."""

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)


class CrossEntropyLoss(_Loss):
    """−log softmax(x)[c] from logits and integer class indices (or class probabilities)."""

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.cross_entropy(input, target, self.reduction)


class HingeLoss(_Loss):
    """max(0, margin − y·s) for labels y ∈ {−1, +1}: micrograd's max-margin loss."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = float(margin)

    def forward(self, input: Any, target: Any) -> Value:  # noqa: A002
        return F.hinge_loss(input, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, reduction={self.reduction!r}"


MaxMarginLoss = HingeLoss
