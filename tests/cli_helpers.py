"""Running ``tinygrad-edu`` in-process for the CLI tests, and the checks every error must pass."""

from __future__ import annotations

from dataclasses import dataclass

from tinygrad_edu.cli.main import main


@dataclass
class Run:
    status: int
    out: str
    err: str


def run_cli(capsys, *argv: str) -> Run:
    """Call ``main(argv)`` and capture what it printed."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return Run(status, captured.out, captured.err)


def assert_one_line_error(run: Run, *fragments: str, status: int | None = None) -> None:
    """A non-zero exit, exactly one ``tinygrad-edu: error:`` line on stderr naming the fragments, no traceback."""
    assert run.status != 0
    if status is not None:
        assert run.status == status
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("tinygrad-edu: error: ")
    assert "Traceback" not in run.err + run.out
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
