"""What a Value holds: turning user input into canonical numeric data.

A Value's data is always one of two things:

* a Python ``float`` for a float64 scalar — the common case in scalar networks, and the fastest:
  ``math.tanh`` on a float costs a sixth of ``numpy.tanh`` on a 0-d array;
* a ``numpy.ndarray`` of dtype float64 or float32 for everything else (including float32 scalars,
  kept as 0-d arrays so their dtype survives).

Every operation's result passes through :func:`as_data`, so the two forms never drift apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def as_data(x: Any) -> float | np.ndarray:
    """Canonical form of a numeric result: float64 scalars become ``float``, the rest stay arrays."""
    if type(x) is float:
        return x
    if isinstance(x, np.ndarray):
        if x.ndim == 0 and x.dtype == np.float64:
            return float(x)
        return x
    if isinstance(x, np.generic):  # numpy scalar, e.g. the result of a ufunc on a 0-d array
        return float(x) if x.dtype == np.float64 else np.asarray(x)
    return float(x)


def to_data(x: Any, dtype: Any = None, *, what: str = "Value") -> float | np.ndarray:
    """Convert user input (number, nested list, numpy array) to canonical float data.

    Integers and booleans become float64; float32 is kept; anything non-numeric or ragged raises a
    ``TypeError`` / ``ValueError`` that says what was given.
    """
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"{what}: dtype must be float64 or float32, got {dtype}")
    if type(x) is float and dtype in (None, np.float64):
        return x
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        arr = np.asarray(float(x))
    else:
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(
                f"{what}: data must be a number, a (nested) list of numbers or a numpy array, "
                f"got {type(x).__name__} {x!r}"
            )
        try:
            arr = np.asarray(x)
        except ValueError as err:  # numpy refuses ragged nested lists
            raise ValueError(f"{what}: ragged nested list, rows of different lengths ({err})") from None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(
                f"{what}: data must be numeric (bool, int or float); got dtype {arr.dtype} "
                f"from {type(x).__name__}"
            )
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64)
    # copy so that later in-place updates of the Value never alias the caller's array
    return as_data(np.array(arr, dtype=dtype, copy=True))


def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of raw data: ``()`` for a Python number."""
    return x.shape if isinstance(x, np.ndarray) else ()


def dtype_of(x: Any) -> np.dtype:
    """Dtype of raw data: float64 for a Python number."""
    return x.dtype if isinstance(x, np.ndarray) else np.dtype(np.float64)
