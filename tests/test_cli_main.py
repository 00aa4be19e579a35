"""The ``tinygrad-edu`` command as a whole: the overview, help with examples, one-line errors, exit statuses."""

import os
import shutil
import subprocess
import sys
import warnings

import pytest
from cli_helpers import assert_one_line_error, run_cli

import tinygrad_edu.__main__
from tinygrad_edu.cli import main as cli_main
from tinygrad_edu.cli.main import COMMANDS

COMMAND_NAMES = [command.NAME for command in COMMANDS]


def test_python_m_tinygrad_edu_help_runs_in_a_fresh_process():
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: tinygrad-edu")
    for name in COMMAND_NAMES:
        assert name in done.stdout


def test_a_wrong_command_line_in_a_fresh_process_is_one_line():
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "perceptron", "NOR"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "tinygrad-edu: error: perceptron: argument GATE: unknown gate 'NOR'; choose one of AND, OR, NAND, XOR "
        "(see `tinygrad-edu perceptron --help`)"
    ]


def test_the_entry_point_is_the_cli_main():
    assert tinygrad_edu.__main__.main is cli_main.main


def test_no_command_prints_the_overview(capsys):
    run = run_cli(capsys)
    assert run.status == 0 and run.err == ""
    assert "usage: tinygrad-edu COMMAND [options]" in run.out
    listed = [line.split()[0] for line in run.out.split("commands:\n")[1].split("\n\n")[0].splitlines()]
    assert listed == COMMAND_NAMES
    assert "tinygrad-edu tour" in run.out


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_command_has_help_with_examples(capsys, name):
    run = run_cli(capsys, name, "--help")
    assert run.status == 0
    assert run.out.startswith(f"usage: tinygrad-edu {name}")
    examples = run.out.split("examples:\n")[1]
    assert f"  tinygrad-edu {name}" in examples


def test_version(capsys):
    run = run_cli(capsys, "--version")
    assert run.status == 0 and run.out.startswith("tinygrad-edu 0.")


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["trian"], ["invalid choice: 'trian'", "'train'"]),
        (["--bogus"], ["unrecognized arguments: --bogus"]),
        (["gradcheck", "--bogus"], ["gradcheck: unrecognized arguments: --bogus", "tinygrad-edu gradcheck --help"]),
        (["gradcheck", "--seed", "-2"], ["gradcheck: argument --seed: must be a whole number ≥ 0, got '-2'"]),
        (["backprop", "--lr"], ["backprop: argument --lr: expected one argument"]),
    ],
)
def test_usage_errors_are_one_line_with_status_2(capsys, argv, fragments):
    assert_one_line_error(run_cli(capsys, *argv), *fragments, status=2)


def _raise(error):
    def run(args):
        raise error

    return run


def test_an_unexpected_exception_is_one_line_naming_its_type(capsys, monkeypatch):
    monkeypatch.setattr(cli_main.gradcheck, "run", _raise(RuntimeError("something broke\nin two lines")))
    run = run_cli(capsys, "gradcheck")
    assert_one_line_error(run, "something broke; in two lines", "RuntimeError", "--traceback", status=1)


def test_traceback_option_lets_the_exception_through(capsys, monkeypatch):
    monkeypatch.setattr(cli_main.gradcheck, "run", _raise(RuntimeError("something broke")))
    with pytest.raises(RuntimeError, match="something broke"):
        cli_main.main(["--traceback", "gradcheck"])


def test_ctrl_c_is_one_line_and_status_130(capsys, monkeypatch):
    monkeypatch.setattr(cli_main.gradcheck, "run", _raise(KeyboardInterrupt()))
    run = run_cli(capsys, "gradcheck")
    assert run.status == 130 and run.err == "tinygrad-edu: interrupted\n"


def test_warnings_become_one_line_each(capsys, monkeypatch):
    def run(args):
        warnings.warn("first line\nsecond line", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli_main.gradcheck, "run", run)
    result = run_cli(capsys, "gradcheck")
    assert result.status == 0
    assert result.err == "tinygrad-edu: warning: first line; second line\n"
    assert warnings.showwarning is not None and "tinygrad_edu" not in warnings.showwarning.__module__


def test_a_terminal_without_unicode_gets_question_marks_not_a_crash():
    done = subprocess.run([sys.executable, "-m", "tinygrad_edu", "backprop", "--explain"], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"w5? = 0.358916480" in done.stdout  # w5⁺ with the superscript replaced


@pytest.mark.skipif(shutil.which("tinygrad-edu") is None, reason="the package's console script is not installed")
def test_the_installed_console_script():
    done = subprocess.run(["tinygrad-edu", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("tinygrad-edu ")
