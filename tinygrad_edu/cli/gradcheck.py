"""``tinygrad-edu gradcheck``: check every operation's derivatives against finite differences — a
self-test of an installation (the checks are in :mod:`tinygrad_edu.selftest`)."""

from __future__ import annotations

import argparse

from tinygrad_edu.cli import options
from tinygrad_edu.cli.errors import FAILURE

NAME = "gradcheck"
SUMMARY = "check every operation's gradient against finite differences (a self-test)"
EXAMPLES = """\
examples:
  tinygrad-edu gradcheck                  the table; exit status 1 if any operation fails
  tinygrad-edu gradcheck --seed 7         other random inputs
  tinygrad-edu gradcheck --second-order   also the derivatives of the derivatives (gradgradcheck)

Each operation runs on small random inputs kept away from kinks (relu at 0, clip at its bounds) and
ties (a max of two equal numbers); backward's gradient must agree with the central difference
(f(x + ε) − f(x − ε)) / 2ε to within atol + rtol·|numerical|, with ε = 1e-6, atol = 1e-5, rtol = 1e-3."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description="Check the gradient of every operation of the engine against central "
        "finite differences and print one row per operation.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=options.nonnegative_int, default=0, metavar="N",
                        help="seed of the random inputs (default: 0)")
    parser.add_argument("--second-order", action="store_true",
                        help="also check second derivatives (the gradient of the gradient, create_graph=True)")
    return parser


def run(args: argparse.Namespace) -> int:
    from tinygrad_edu import selftest

    results = selftest.check_all_operations(seed=args.seed, second_order=args.second_order)
    print(selftest.format_table(results))
    return 0 if all(r.passed for r in results) else FAILURE
