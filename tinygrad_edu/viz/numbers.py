"""How numbers are written: short for drawings, the lecture's way for explanations.

Drawings use ``digits`` significant digits (``0.5933``). Explanations use the lecture's style: nine
decimals with trailing zeros dropped (0.74136507, 0.186815602, 0.000438568), switching to nine
significant digits in scientific notation for numbers too small or too large for that to be useful.
Arrays are summarised by shape and dtype, with their numbers when small, else min / mean / max.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MINUS = "\N{MINUS SIGN}"


def short_number(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits: 0.5933, 1.106, -0.01905, 2.5e-07."""
    return f"{float(x):.{digits}g}"


def lecture_number(x: float, decimals: int = 9) -> str:
    """``x`` as the lecture prints it: ``decimals`` decimals, trailing zeros dropped, a true minus sign.

    At most ``decimals + 1`` significant digits are kept (1.105905967, 17986.06636); numbers below 10⁻⁴
    or from 10⁹ up (and any number whose decimals would all be 0) get ``decimals`` significant digits in
    scientific notation, so a tiny gradient never prints as 0.
    """
    x = float(x)
    if not math.isfinite(x):
        return str(x).replace("-", MINUS)
    if x == 0.0:
        return "0"
    text = ""
    if 1e-4 <= abs(x) < 1e9:
        whole_digits = max(0, math.floor(math.log10(abs(x))))  # digits before the point, beyond the first
        text = f"{x:.{max(0, decimals - whole_digits)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if not any(digit in text for digit in "123456789"):  # out of that range, or too small for the decimals
        mantissa, exponent = f"{x:.{decimals - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def describe_data(data: Any, digits: int = 4, max_numbers: int = 6) -> str:
    """A one-line summary of a Value's numbers (or gradient) for a drawing.

    Scalars: the number. Arrays of at most ``max_numbers`` elements: the numbers. Larger arrays:
    ``min / mean / max``. The shape and dtype are described separately by :func:`describe_shape`.
    """
    if isinstance(data, float | int):
        return short_number(data, digits)
    array = np.asarray(data)
    if array.size == 1:
        return short_number(array.reshape(-1)[0], digits)
    if array.size == 0:
        return "(empty)"
    if array.size <= max_numbers:
        numbers = ", ".join(short_number(v, digits) for v in array.reshape(-1))
        return f"[{numbers}]"
    return (
        f"min {short_number(array.min(), digits)} / mean {short_number(array.mean(), digits)}"
        f" / max {short_number(array.max(), digits)}"
    )


def describe_shape(data: Any) -> str:
    """``(3, 4) float32``; empty for a float64 scalar (its number says it all)."""
    if isinstance(data, float | int):
        return ""
    array = np.asarray(data)
    if array.ndim == 0 and array.dtype == np.float64:
        return ""
    dims = ", ".join(str(d) for d in array.shape)
    shape = f"({dims},)" if array.ndim == 1 else f"({dims})"
    return f"{shape} {array.dtype}"


def as_scalar(data: Any) -> float:
    """The single number held by a float or a one-element array."""
    if isinstance(data, float | int):
        return float(data)
    return float(np.asarray(data).reshape(-1)[0])
