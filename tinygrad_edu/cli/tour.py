"""``tinygrad-edu tour``: run the whole lecture and write a browsable report (the work is in
:mod:`tinygrad_edu.tour`; this module only wires the command line to it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinygrad_edu.cli.errors import CommandError

NAME = "tour"
SUMMARY = "run the whole lecture and write a browsable report (index.html)"
DEFAULT_OUT = Path("tinygrad-edu-tour")
EXAMPLES = """\
examples:
  tinygrad-edu tour                         write ./tinygrad-edu-tour/index.html
  tinygrad-edu tour --out ~/lecture-report  somewhere else
  tinygrad-edu tour --quiet                 no progress messages, only where the report is

The report holds the perceptron's epoch tables, the worked back-propagation example with its graph,
a gradient check of every operation, the training loops and optimizers compared, and a network
trained on handwritten digits. Without Graphviz or matplotlib it still completes and says what to
install for the missing pictures."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description=f"{SUMMARY[0].upper()}{SUMMARY[1:]}.", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the report (default: ./{DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="do not print progress as the tour runs")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        from tinygrad_edu.tour import run_tour
    except ModuleNotFoundError as err:
        if err.name in ("tinygrad_edu.tour", "tinygrad_edu"):
            raise CommandError("the tour is not part of this installation (tinygrad_edu.tour is missing)") from None
        raise
    out_dir = Path(args.out).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise CommandError(f"--out {args.out}: exists and is not a folder")
    from tinygrad_edu.tour import TourError

    try:
        if not args.quiet:
            run_tour(out_dir, echo=print)  # its progress ends with where the report is
            return 0
        index = run_tour(out_dir, echo=lambda message: None)
    except TourError as err:  # the report is written; a section failed and says so on the page
        raise CommandError(str(err).splitlines()[0] if str(err) else "a section of the tour failed") from None
    print(f"The tour's report is ready: open {Path(index).resolve().as_uri()}")
    return 0
