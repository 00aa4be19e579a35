"""``tinygrad-edu COMMAND [options]``: the parser, the overview, and one clear line for every error.

Each subcommand module offers ``add_parser(subparsers)`` (its options, help and examples) and
``run(args) -> int`` (its work, returning the exit status). :func:`main` parses, runs, and turns any
exception into ``tinygrad-edu: error: …`` on stderr with a non-zero exit status — never a traceback
(``tinygrad-edu --traceback COMMAND …`` shows one, for bug reports). Warnings become one line each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from tinygrad_edu.cli import backprop, gradcheck, graph, perceptron, tour, train
from tinygrad_edu.cli.errors import FAILURE, CommandError, UsageError

PROG = "tinygrad-edu"
COMMANDS = (tour, perceptron, backprop, train, gradcheck, graph)  # in the order a learner meets them
INTERRUPTED = 130  # the shell's status for a program stopped by Ctrl-C

DESCRIPTION = (
    "tinygrad_edu: an autograd micro-framework for learning how neural networks learn, following the lecture "
    "from the perceptron to back-propagation and modern optimizers."
)
EPILOG = f"""\
start here:
  {PROG} tour                          run the whole lecture, write a browsable report
  {PROG} backprop --graph net.svg      the worked example, every number, and its graph

Run `{PROG} COMMAND --help` for a command's options and examples.
Exit status: 0 success, 1 unusable input or a failed check, 2 a wrong command line."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, except that a usage error raises :class:`UsageError` (one line) instead of printing the
    whole usage text and exiting."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix(PROG).strip()  # "train" in "tinygrad-edu train"
        raise UsageError(f"{command + ': ' if command else ''}{message} (see `{self.prog} --help`)")


def build_parser() -> ArgumentParser:
    """The parser of ``tinygrad-edu`` with one subparser per command."""
    from tinygrad_edu import __version__

    parser = ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--traceback", action="store_true", help="on an error, show Python's full traceback (for bug reports)"
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands).set_defaults(run=command.run)
    return parser


def overview() -> str:
    """What ``tinygrad-edu`` alone prints: what it is, the commands with one line each, where to start."""
    lines = [textwrap.fill(DESCRIPTION, 100), "", f"usage: {PROG} COMMAND [options]", "", "commands:"]
    lines += [f"  {command.NAME:<12}{command.SUMMARY}" for command in COMMANDS]
    lines += ["", EPILOG]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tinygrad-edu`` with ``argv`` (default: the process's arguments); return the exit status."""
    arguments = _prepared(list(sys.argv[1:] if argv is None else argv))
    _tolerate_narrow_terminals()
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(arguments)
        if extra:
            where = f"{PROG} {args.command}" if args.command else PROG
            prefix = f"{args.command}: " if args.command else ""
            raise UsageError(f"{prefix}unrecognized arguments: {' '.join(extra)} (see `{where} --help`)")
    except CommandError as err:
        return report_error(err, err.status)
    except SystemExit as done:  # --help and --version print, then exit
        return done.code if isinstance(done.code, int) else 0
    if args.command is None:
        print(overview())
        return 0
    with warnings_as_lines():
        try:
            return int(args.run(args))
        except CommandError as err:
            if args.traceback:
                raise
            return report_error(err, err.status)
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return INTERRUPTED
        except BrokenPipeError:  # the reader went away (`tinygrad-edu gradcheck | head`): stop quietly
            _silence_stdout()
            return FAILURE
        except Exception as err:  # the promise: one line, never a traceback
            if args.traceback:
                raise
            return report_error(err, FAILURE)


def _prepared(arguments: list[str]) -> list[str]:
    """Let the chosen command adjust the arguments after its name (``graph`` protects a formula like "-a*b")."""
    position = next((k for k, argument in enumerate(arguments) if not argument.startswith("-")), None)
    if position is None:
        return arguments
    for command in COMMANDS:
        if arguments[position] == command.NAME and hasattr(command, "prepare_arguments"):
            return arguments[: position + 1] + command.prepare_arguments(arguments[position + 1 :])
    return arguments


def report_error(err: BaseException, status: int) -> int:
    """Print ``tinygrad-edu: error: …`` as one line and return ``status``."""
    message = one_line(str(err)) or type(err).__name__
    if isinstance(err, OSError) and err.strerror:  # a file problem: the file and the system's reason suffice
        message = f"{err.filename}: {err.strerror}" if err.filename else err.strerror
    elif not isinstance(err, CommandError):
        message = f"{message} ({type(err).__name__}; run `{PROG} --traceback …` for details)"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def one_line(text: str) -> str:
    """Lines joined with "; ", stripped."""
    return "; ".join(part.strip() for part in text.strip().splitlines() if part.strip())


@contextlib.contextmanager
def warnings_as_lines() -> Iterator[None]:
    """Show each warning as ``tinygrad-edu: warning: …`` (one line, no file and line number)."""

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        print(f"{PROG}: warning: {one_line(str(message))}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _tolerate_narrow_terminals() -> None:
    """On a terminal that cannot show ∂, η or σ (not UTF-8), print "?" for them instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush does not fail again on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
