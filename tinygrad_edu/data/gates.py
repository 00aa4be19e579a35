"""The logic gates AND, OR, NAND and XOR as four-example training sets.

Rows are presented in the lecture's order (0,0), (0,1), (1,0), (1,1). The ``"binary"`` encoding uses
0 and 1 (false, true), the ``"bipolar"`` encoding −1 and 1, for inputs and targets alike, matching the
perceptron's two activations. AND, OR and NAND are linearly separable; XOR is not.
"""

from __future__ import annotations

import numpy as np

GATE_NAMES = ("AND", "OR", "NAND", "XOR")
ENCODINGS = ("binary", "bipolar")

_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
_TRUTH_TABLES = {  # the output for each of _INPUTS
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "XOR": (0, 1, 1, 0),
}


def logic_gate(name: str, encoding: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """The truth table of gate ``name`` (case-insensitive) as inputs X (4, 2) float64 and targets t (4,) int64."""
    if not isinstance(name, str) or name.upper() not in _TRUTH_TABLES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; choose one of {', '.join(GATE_NAMES)}")
    if encoding not in ENCODINGS:
        raise ValueError(f"logic_gate: encoding must be 'binary' (0/1) or 'bipolar' (−1/1), got {encoding!r}")
    X = np.array(_INPUTS, dtype=np.float64)
    t = np.array(_TRUTH_TABLES[name.upper()], dtype=np.int64)
    if encoding == "bipolar":  # 0 → −1, 1 → 1
        X, t = 2 * X - 1, 2 * t - 1
    return X, t


def and_gate(encoding: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """x1 AND x2: true only when both inputs are true."""
    return logic_gate("AND", encoding)


def or_gate(encoding: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """x1 OR x2: true when at least one input is true."""
    return logic_gate("OR", encoding)


def nand_gate(encoding: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """NOT (x1 AND x2): false only when both inputs are true."""
    return logic_gate("NAND", encoding)


def xor_gate(encoding: str = "binary") -> tuple[np.ndarray, np.ndarray]:
    """x1 XOR x2: true when exactly one input is true — not linearly separable."""
    return logic_gate("XOR", encoding)
