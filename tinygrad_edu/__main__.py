"""``python -m tinygrad_edu`` (and the ``tinygrad-edu`` command): the lecture's worked example."""

from __future__ import annotations

import sys

from tinygrad_edu import worked_example


def main(argv: list[str] | None = None) -> int:
    """Print the worked back-propagation example's forward values, gradients and updated weights."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m tinygrad_edu\n\nRuns the lecture's worked back-propagation example "
              "(2-2-2 sigmoid network) and prints every number.")
        return 0
    if args:
        print(f"tinygrad-edu: unknown arguments {' '.join(args)!r}; try --help", file=sys.stderr)
        return 2
    print(worked_example.report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
