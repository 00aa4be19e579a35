"""``tinygrad-edu graph``: a formula's value, gradients, drawing and explanation, and its input errors."""

import math
import shutil

import pytest
from cli_helpers import assert_one_line_error, run_cli

HAS_DOT = shutil.which("dot") is not None
NEURON = ["tanh(a*b + c)", "a=2", "b=-3", "c=10"]


def test_value_and_gradients(capsys):
    run = run_cli(capsys, "graph", *NEURON)
    assert run.status == 0 and run.err == ""
    f = math.tanh(4.0)
    local = 1 - f * f  # ∂tanh(n)/∂n
    assert run.out.splitlines()[:7] == [
        "f = tanh(a*b + c)",
        "  with a = 2, b = -3, c = 10",
        f"  f = {f:.10g}",
        "gradients:",
        f"  ∂f/∂a = {-3 * local:.10g}",
        f"  ∂f/∂b = {2 * local:.10g}",
        f"  ∂f/∂c = {local:.10g}",
    ]
    assert "(add --out graph.svg to draw the graph)" in run.out


def test_options_may_come_anywhere_and_a_formula_may_start_with_minus(capsys, tmp_path):
    target = tmp_path / "g.dot"
    run = run_cli(capsys, "graph", "--out", str(target), "-a*b", "a=1.5", "--backward", "b=2")
    assert run.status == 0, run.err
    assert "f = -a*b" in run.out and "  f = -3" in run.out and "  ∂f/∂a = -2" in run.out
    assert target.exists()


def test_backward_puts_the_gradients_into_the_drawing(capsys, tmp_path):
    before, after = tmp_path / "before.dot", tmp_path / "after.dot"
    assert run_cli(capsys, "graph", *NEURON, "--out", str(before)).status == 0
    assert run_cli(capsys, "graph", *NEURON, "--out", str(after), "--backward").status == 0
    grad_c = f"{1 - math.tanh(4.0) ** 2:.4g}"  # the drawing's 4 significant digits
    assert grad_c not in before.read_text(encoding="utf-8")
    assert grad_c in after.read_text(encoding="utf-8")


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_svg_drawing(capsys, tmp_path):
    target = tmp_path / "pictures" / "neuron.svg"
    run = run_cli(capsys, "graph", *NEURON, "--out", str(target), "--backward", "--rankdir", "TB")
    assert run.status == 0 and f"wrote {target}" in run.out
    svg = target.read_text(encoding="utf-8")
    assert "<svg" in svg and ">a<" in svg and ">f<" in svg


def test_without_dot_the_source_is_written_with_a_hint(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    run = run_cli(capsys, "graph", *NEURON, "--out", str(tmp_path / "g.svg"))
    assert run.status == 0
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()
    [warning] = run.err.splitlines()
    assert warning.startswith("tinygrad-edu: warning: Graphviz's `dot` program was not found")
    assert "Install Graphviz" in warning


def test_explain(capsys):
    run = run_cli(capsys, "graph", *NEURON, "--explain", "a", "--explain", "c")
    assert run.status == 0
    assert "∂f/∂a = ∂f/∂(a*b + c) × ∂(a*b + c)/∂a" in run.out
    assert "∂f/∂c by the chain rule" in run.out


def test_result_named_after_a_free_name_and_unused_variables_warned(capsys):
    run = run_cli(capsys, "graph", "f * out", "f=2", "out=3", "z=1")
    assert run.status == 0
    assert run.out.startswith("result = f * out") and "∂result/∂f = 3" in run.out
    assert run.err == "tinygrad-edu: warning: the variable z is not used by the formula 'f * out'\n"


def test_numpy_warnings_are_one_line(capsys):
    run = run_cli(capsys, "graph", "log(a)", "a=-1")
    assert run.status == 0 and "  f = nan" in run.out
    assert run.err == "tinygrad-edu: warning: invalid value encountered in log\n"


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["__import__('os').system('true')"], ["graph: only the functions tanh, sigmoid"]),
        (["a.b", "a=1"], ["graph: attribute access is not allowed in an expression: 'a.b'"]),
        (["a[0]", "a=1"], ["indexing is not allowed"]),
        (["lambda: a", "a=1"], ["a lambda is not allowed"]),
        (["[a for a in b]", "b=1"], ["a comprehension is not allowed"]),
        (["'text'"], ["a string is not allowed"]),
        (["a + d", "a=1"], ["graph: give the value of d after the formula, such as: d=1.5"]),
        (["2 * 3"], ["graph: '2 * 3' has no variables"]),
        (["a", "a"], ["expected a variable's value as NAME=NUMBER"]),
        (["a", "a=x"], ["the value of a must be a number, got 'x'"]),
        (["a", "a=1", "--out", "g.jpg"], ["--out g.jpg must end in .svg, .png, .pdf or .dot"]),
        (["a", "a=1", "--explain", "b"], ["--explain b: not a variable of the formula; it has a"]),
        (["a", "a=1", "--rankdir", "up"], ["argument --rankdir: invalid choice: 'up'"]),
        (["a", "a=1", "--bogus"], ["graph: unrecognized arguments: --bogus"]),
        ([], ["graph: the following arguments are required: EXPRESSION"]),
    ],
)
def test_wrong_command_lines(capsys, argv, fragments):
    assert_one_line_error(run_cli(capsys, "graph", *argv), *fragments, status=2)
