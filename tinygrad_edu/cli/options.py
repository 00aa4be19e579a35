"""Option values checked as they are parsed: each converter returns the value or raises
``argparse.ArgumentTypeError`` with a message argparse prints as ``argument --lr: …``."""

from __future__ import annotations

import argparse
import math


def number(text: str) -> float:
    """A finite real number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate η, a step size)."""
    value = number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite number ≥ 0 (weight decay, noise)."""
    value = number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a number ≥ 0, got {text!r}")
    return value


def unit_interval(text: str) -> float:
    """A number in [0, 1) (a momentum α, a fraction of the data)."""
    value = number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1), got {text!r}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number ≥ 1 (epochs, a count)."""
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """A whole number ≥ 0 (a seed, a patience where 0 switches the feature off)."""
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 0, got {text!r}")
    return value


def layer_sizes(text: str) -> tuple[int, ...]:
    """Hidden layer sizes, comma-separated ("64,32"); "" or "none" for no hidden layer."""
    if text.strip().lower() in ("", "none"):
        return ()
    sizes = []
    for part in text.split(","):
        try:
            size = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected layer sizes like 64,32 (whole numbers separated by commas) or none, got {text!r}"
            ) from None
        if size < 1:
            raise argparse.ArgumentTypeError(f"every layer needs at least one unit, got {text!r}")
        sizes.append(size)
    return tuple(sizes)


def betas(text: str) -> tuple[float, float]:
    """Adam's (β₁, β₂) as "0.9,0.999", each in [0, 1)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected two numbers β1,β2 such as 0.9,0.999, got {text!r}")
    try:
        beta1, beta2 = (unit_interval(p) for p in parts)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"β1 and β2 must be numbers in [0, 1), got {text!r}") from None
    return beta1, beta2


def batch_size(text: str) -> int | None:
    """Examples per update: a whole number ≥ 1, or "full" / 0 for the whole training set (batch training)."""
    if text.strip().lower() in ("full", "0"):
        return None
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number ≥ 1, or full (or 0) for the whole training set, got {text!r}"
        ) from None
