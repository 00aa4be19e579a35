"""``tinygrad-edu perceptron``: train the lecture's perceptron by the delta rule and print its epoch table."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from tinygrad_edu.cli import options
from tinygrad_edu.cli.csvdata import read_csv
from tinygrad_edu.cli.errors import CommandError, UsageError
from tinygrad_edu.data import ENCODINGS, GATE_NAMES, logic_gate
from tinygrad_edu.perceptron import ACTIVATIONS, Perceptron
from tinygrad_edu.perceptron.trace import format_number

NAME = "perceptron"
SUMMARY = "train a perceptron on a logic gate or a CSV file and print the epoch table"
EXAMPLES = """\
examples:
  tinygrad-edu perceptron AND                      the lecture's table: converges after 6 epochs
  tinygrad-edu perceptron XOR                      never converges: the weights cycle
  tinygrad-edu perceptron OR --encoding bipolar    inputs and targets −1/1, bipolar step
  tinygrad-edu perceptron NAND --lr 0.5 --seed 3   another η, random initial weights
  tinygrad-edu perceptron --csv points.csv         features in the first columns, target (0/1 or −1/1) last

The delta rule: Δw = η (t − y) x and Δb = η (t − y) after each example; training stops after an epoch
without a change, when the weights repeat an earlier epoch's (a cycle: the data is not linearly
separable), or after --max-epochs."""


def gate_name(text: str) -> str:
    """AND, OR, NAND or XOR, in any case."""
    if text.upper() not in GATE_NAMES:
        raise argparse.ArgumentTypeError(f"unknown gate {text!r}; choose one of {', '.join(GATE_NAMES)}")
    return text.upper()


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description="Train Rosenblatt's perceptron by the delta rule, as in the lecture, "
        "and print the epoch table: every example's output, step and new weights.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("gate", nargs="?", type=gate_name, metavar="GATE", help="AND, OR, NAND or XOR")
    parser.add_argument("--csv", type=Path, metavar="FILE",
                        help="train on a CSV file instead: features in the first columns, the target in the last")
    parser.add_argument("--encoding", choices=ENCODINGS,
                        help="gates only: binary (0/1, the default) or bipolar (−1/1) inputs and targets")
    parser.add_argument("--activation", choices=tuple(ACTIVATIONS),
                        help="the step's outputs: binary (0/1) or bipolar (−1/1); default: the targets' own")
    parser.add_argument("--lr", type=options.positive_float, default=1.0, metavar="η",
                        help="learning rate η (default: 1)")
    parser.add_argument("--max-epochs", type=options.positive_int, default=100, metavar="N",
                        help="stop after N epochs at the latest (default: 100)")
    parser.add_argument("--seed", type=options.nonnegative_int, metavar="N",
                        help="start from random weights in [−0.5, 0.5] drawn with this seed (default: all zero)")
    parser.add_argument("--no-table", action="store_true",
                        help="print the errors per epoch instead of the full table (for long files)")
    return parser


def run(args: argparse.Namespace) -> int:
    X, t, what = _training_set(args)
    activation = args.activation or _activation_of(t, what)
    perceptron = Perceptron(X.shape[1], lr=args.lr, activation=activation,
                            init="zeros" if args.seed is None else args.seed)
    start = _weights_text(perceptron.weights, perceptron.bias)
    print(f"Perceptron on {what}: {len(X)} examples, η = {args.lr:g}, {activation} step, starting from {start}")
    print()
    result = perceptron.fit(X, t, max_epochs=args.max_epochs, record_trace=not args.no_table)
    if args.no_table:
        print("misclassified examples per epoch: " + " ".join(map(str, result.errors_per_epoch)))
    else:
        print(result.trace.table())
    print()
    print(result)
    if X.shape[1] == 2 and np.any(result.weights != 0):
        print(f"decision line w1·x1 + w2·x2 + b = 0: {perceptron.decision_line()}")
    return 0


def _training_set(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, t, a description) from the gate or the CSV file."""
    if (args.gate is None) == (args.csv is None):
        raise UsageError(
            "perceptron: give a gate (AND, OR, NAND or XOR) or --csv FILE"
            + (", not both" if args.gate is not None else "")
        )
    if args.gate is not None:
        encoding = args.encoding or "binary"
        X, t = logic_gate(args.gate, encoding)
        return X, t, f"{args.gate} ({encoding} encoding)"
    if args.encoding is not None:
        raise UsageError("perceptron: --encoding applies to the gates; a CSV file's numbers are used as they are")
    table = read_csv(args.csv)
    return table.features, table.numeric_targets(), str(args.csv)


def _activation_of(t: np.ndarray, what: str) -> str:
    """The activation whose two outputs are the targets' values."""
    values = set(np.unique(t).tolist())
    for name, outputs in ACTIVATIONS.items():
        if values <= set(outputs):
            return name
    shown = ", ".join(format_number(v) for v in sorted(values)[:5])
    raise CommandError(
        f"{what}: the perceptron's targets must be 0/1 (binary) or −1/1 (bipolar); the last column holds {shown}"
    )


def _weights_text(w: np.ndarray, b: float) -> str:
    return f"w = ({', '.join(map(format_number, w))}), b = {format_number(b)}"
