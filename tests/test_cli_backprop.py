"""``tinygrad-edu backprop``: the worked example's numbers, its chain-rule derivations, the graph and its errors."""

import shutil

import pytest
from cli_helpers import assert_one_line_error, run_cli

HAS_DOT = shutil.which("dot") is not None


def test_prints_forward_values_error_gradients_updated_weights_and_explains_w5_and_w1(capsys):
    run = run_cli(capsys, "backprop")
    assert run.status == 0 and run.err == ""
    for printed in ["out_h1   = 0.593269992", "out_o1   = 0.751365070", "E_total  = 0.298371109",
                    "∂E/∂w5  =  0.082167041", "∂E/∂w1  =  0.000438568", "w5⁺ = 0.358916480", "w1⁺ = 0.149780716"]:
        assert printed in run.out
    assert "∂E_total/∂w5 = ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5" in run.out
    assert "= 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041" in run.out
    assert "∂E_total/∂w1 = ∂E_total/∂out_h1 × ∂out_h1/∂net_h1 × ∂net_h1/∂w1" in run.out
    assert "∂E_total/∂out_h1 is the sum over its 2 paths" in run.out
    assert run.out.index("w8⁺") < run.out.index("∂E_total/∂w5 by the chain rule") < run.out.index(
        "∂E_total/∂w1 by the chain rule")
    assert "wrote" not in run.out


def test_learning_rate_changes_only_the_update(capsys):
    run = run_cli(capsys, "backprop", "--lr", "0.1", "--explain")
    assert run.status == 0
    assert "with η = 0.1" in run.out
    assert f"w5⁺ = {0.40 - 0.1 * 0.082167041:.9f}" in run.out
    assert "∂E/∂w5  =  0.082167041" in run.out
    assert "by the chain rule" not in run.out


def test_explain_other_quantities(capsys):
    run = run_cli(capsys, "backprop", "--explain", "b1", "out_h2")
    assert run.status == 0
    assert "∂E_total/∂b1 by the chain rule" in run.out and "∂E_total/∂out_h2 by the chain rule" in run.out
    assert "∂E_total/∂w5 by the chain rule" not in run.out


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_graph_is_drawn_with_its_gradients(capsys, tmp_path):
    target = tmp_path / "drawings" / "network.svg"
    run = run_cli(capsys, "backprop", "--explain", "--graph", str(target))
    assert run.status == 0 and run.err == ""
    assert f"wrote {target}" in run.out
    svg = target.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "E_total" in svg and "w5" in svg and "0.08217" in svg  # ∂E/∂w5 in w5's box


def test_graph_without_dot_writes_the_source_and_warns(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` anywhere
    target = tmp_path / "network.svg"
    run = run_cli(capsys, "backprop", "--explain", "--graph", str(target))
    assert run.status == 0
    assert not target.exists()
    source = tmp_path / "network.dot"
    assert "digraph" in source.read_text(encoding="utf-8")
    [warning] = run.err.splitlines()
    assert warning.startswith("tinygrad-edu: warning: Graphviz's `dot` program was not found")
    assert str(source) in warning and "apt-get install graphviz" in warning


def test_graph_as_dot_source_needs_no_graphviz(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "network.dot"
    run = run_cli(capsys, "backprop", "--explain", "--graph", str(target))
    assert run.status == 0 and run.err == ""
    assert "E_total" in target.read_text(encoding="utf-8")


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_step_through_page(capsys, tmp_path):
    target = tmp_path / "steps.html"
    run = run_cli(capsys, "backprop", "--explain", "--steps", str(target))
    assert run.status == 0
    page = target.read_text(encoding="utf-8")
    assert page.count('class="frame"') > 10 and "E_total" in page


def test_step_through_page_without_dot_is_a_warning(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "steps.html"
    run = run_cli(capsys, "backprop", "--explain", "--steps", str(target))
    assert run.status == 0 and not target.exists()
    [warning] = run.err.splitlines()
    assert "needs Graphviz's `dot`" in warning and "Install Graphviz" in warning


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--explain", "w9"], ["--explain 'w9' is not a quantity of the network", "w1, w2, w3"]),
        (["--graph", "net.jpg"], ["net.jpg must end in .svg, .png, .pdf, .dot, .gv"]),
        (["--steps", "steps.svg"], ["steps.svg must end in .html, .htm"]),
        (["--lr", "-0.5"], ["argument --lr: must be a number > 0"]),
        (["--lr", "nan"], ["argument --lr: expected a finite number, got 'nan'"]),
    ],
)
def test_wrong_command_lines(capsys, argv, fragments):
    assert_one_line_error(run_cli(capsys, "backprop", *argv), *fragments, status=2)


def test_unwritable_graph_location_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    run = run_cli(capsys, "backprop", "--explain", "--graph", str(blocker / "net.svg"))
    assert_one_line_error(run, f"{blocker}: File exists", status=1)
