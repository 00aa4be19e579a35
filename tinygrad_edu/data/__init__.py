"""Data sets for learning: logic gates, seeded 2-D toy sets, Iris and the 8×8 digits (shipped with the package),
a seeded train / validation / test split and standardization."""

from tinygrad_edu.data.gates import ENCODINGS, GATE_NAMES, and_gate, logic_gate, nand_gate, or_gate, xor_gate
from tinygrad_edu.data.real import Dataset, load_digits, load_iris
from tinygrad_edu.data.scaling import Standardization, standardize
from tinygrad_edu.data.splits import Part, Split, split_indices, split_sizes, train_val_test_split
from tinygrad_edu.data.toy import (
    TOY_DATASETS,
    make_blobs,
    make_circle,
    make_diagonal,
    make_linearly_separable,
    make_moons,
    make_spiral,
    make_split,
    make_toy,
    make_xor,
)

__all__ = [
    "Dataset",
    "ENCODINGS",
    "GATE_NAMES",
    "Part",
    "Split",
    "Standardization",
    "TOY_DATASETS",
    "and_gate",
    "load_digits",
    "load_iris",
    "logic_gate",
    "make_blobs",
    "make_circle",
    "make_diagonal",
    "make_linearly_separable",
    "make_moons",
    "make_spiral",
    "make_split",
    "make_toy",
    "make_xor",
    "nand_gate",
    "or_gate",
    "split_indices",
    "split_sizes",
    "standardize",
    "train_val_test_split",
    "xor_gate",
]
