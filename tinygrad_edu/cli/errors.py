"""The one exception the command line turns into a single ``tinygrad-edu: error: …`` line."""

from __future__ import annotations

USAGE = 2  # exit status for a wrong command line (unknown option, bad value, unknown gate or data set)
FAILURE = 1  # exit status for input that cannot be used (a bad CSV file, a missing file) or a failed check


class CommandError(Exception):
    """A problem the user can fix, said in one line; ``status`` is the exit status (2: usage, 1: input)."""

    def __init__(self, message: str, status: int = FAILURE) -> None:
        super().__init__(message)
        self.status = status


class UsageError(CommandError):
    """The command line itself is wrong (exit status 2, as for argparse's own errors)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, USAGE)
