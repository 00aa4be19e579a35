"""explain(root, wrt): the lecture's chain-rule derivations to the digits printed, agreement with backward
on random graphs, the node-by-node form for many paths, the δ notation, Markdown with LaTeX, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value, worked_example
from tinygrad_edu.viz import chain_rule, explain
from tinygrad_edu.viz.numbers import lecture_number
from tinygrad_edu.viz.traverse import forward_order


@pytest.fixture
def example():
    return worked_example.build()


def test_w5_as_on_the_slide(example):
    text = explain(example.total_error, example.weights[4])
    assert "∂E_total/∂w5 = ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5\n" in text
    assert "= 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041\n" in text
    # each factor with its formula, as on the slides
    assert "∂E_total/∂out_o1 = 0.5 × 2*(0.01 - out_o1) × (-1) = 0.74136507" in text
    assert "∂out_o1/∂net_o1 = out_o1(1 - out_o1) = 0.186815602" in text
    assert "∂net_o1/∂w5 = out_h1 = 0.593269992" in text
    assert "E_o1 passes the gradient on unchanged (∂E_total/∂E_o1 = 1)" in text


def test_w1_sums_the_paths_through_out_o1_and_out_o2(example):
    text = explain(example.total_error, example.weights[0])
    assert "∂E_total/∂w1 = ∂E_total/∂out_h1 × ∂out_h1/∂net_h1 × ∂net_h1/∂w1\n" in text
    assert "= 0.036350306 × 0.241300709 × 0.05 = 0.000438568\n" in text
    assert "∂E_total/∂out_h1 is the sum over its 2 paths:" in text
    assert "via net_o1, out_o1: ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂out_h1 = " in text
    assert "0.74136507 × 0.186815602 × 0.4 = 0.055399425\n" in text
    # The lecture prints this sum as 0.055399425 + (−0.019049119) = 0.036350306. Its second term comes from
    # rounding δ_o2 to −0.038098237 before multiplying by w7 = 0.5 (exactly −0.0190491185, rounded up);
    # the exact product is −0.01904911826, which is −0.019049118 to nine decimals.
    assert "∂E_total/∂out_h1 = 0.055399425 + (−0.019049118) = 0.036350306\n" in text
    derivation = chain_rule(example.total_error, example.weights[0])
    through_o2 = derivation.segments[0].paths[1]
    assert derivation.names[through_o2.factors[0].top] == "E_total"
    assert abs(through_o2.value - (-0.019049119)) < 1e-9  # the lecture's number, to its printed precision
    assert "∂out_h1/∂net_h1 = out_h1(1 - out_h1) = 0.241300709" in text
    assert "∂net_h1/∂w1 = i1 = 0.05" in text


def test_delta_notation_where_the_graph_has_the_lectures_shape(example):
    text = explain(example.total_error, example.weights[0])
    assert "δ_o1 = ∂E_total/∂out_o1 × out_o1(1 - out_o1) = 0.74136507 × 0.186815602 = 0.138498562" in text
    assert "δ_o2 = ∂E_total/∂out_o2 × out_o2(1 - out_o2) = −0.217071535 × 0.175510053 = −0.038098237" in text
    assert (
        "δ_h1 = out_h1(1 - out_h1) × (w5 δ_o1 + w7 δ_o2) = 0.241300709 × (0.4 × 0.138498562 + 0.5 × (−0.038098237))"
        in text
    )
    assert "∂E_total/∂w1 = δ_h1 × i1 = 0.008771355 × 0.05 = 0.000438568" in text
    assert text.index("δ_o1 =") < text.index("δ_o2 =") < text.index("δ_h1 =")
    assert "δk = ok(1 − ok)(tk − ok)" in text  # and how its sign relates to ∂E/∂net
    no_units = Value(0.3, label="x") * Value(2.0, label="y")
    no_units.label = "z"
    assert "δ" not in explain(no_units, no_units.parents[0])


def test_no_delta_is_claimed_for_a_net_input_that_also_feeds_something_else():
    """With a penalty on net, ∂E/∂net = ∂E/∂out · σ' + 0.2·net: the one-product δ line would be wrong."""
    w, x = Value(0.8, label="w"), Value(1.5, label="x", requires_grad=False)
    net = w * x
    net.label = "net"
    out = net.sigmoid()
    out.label = "out"
    error = (0.3 - out) ** 2 + 0.1 * net**2
    error.label = "E"
    text = explain(error, w)
    assert "δ" not in text
    assert "∂E/∂net = 0.166695909 + 0.24 = 0.406695909" in text  # both paths, added


def test_few_decimals_never_print_a_nonzero_number_as_zero(example):
    assert [lecture_number(x, 2) for x in (0.000438568, -0.004, 0.5, 1e-7)] == ["4.4e−4", "−4e−3", "0.5", "1e−7"]
    text = explain(example.total_error, example.weights[0], decimals=2)
    assert "= 4.4e−4\n" in text  # ∂E/∂w1 = 0.000438568


@pytest.mark.parametrize("decimals", [0, -1, 2.5, None, True])
def test_decimals_must_be_a_whole_number_from_one(example, decimals):
    with pytest.raises(ValueError, match="decimals must be a whole number ≥ 1"):
        explain(example.total_error, example.weights[0], decimals=decimals)


def test_explain_reads_the_graph_and_changes_nothing(example):
    nodes = forward_order(example.total_error)
    before = [(v.label, v.has_grad, v.data) for v in nodes]
    explain(example.total_error, example.weights[0])
    explain(example.total_error, example.weights[0], markdown=True, stops="all")
    assert [(v.label, v.has_grad, v.data) for v in nodes] == before


def test_results_agree_with_backward_for_every_parameter(example):
    example.total_error.backward()
    for p in example.parameters:
        derivation = chain_rule(example.total_error, p)
        assert math.isclose(derivation.value, p.grad, rel_tol=1e-12)
        assert f"= {lecture_number(p.grad)}\n" in explain(example.total_error, p)


def test_markdown_with_latex(example):
    text = explain(example.total_error, example.weights[4], markdown=True)
    assert (
        r"$$\frac{\partial E_{total}}{\partial w_{5}} = \frac{\partial E_{total}}{\partial out_{o1}} \times "
        r"\frac{\partial out_{o1}}{\partial net_{o1}} \times \frac{\partial net_{o1}}{\partial w_{5}} = "
        r"0.74136507 \times 0.186815602 \times 0.593269992 = 0.082167041$$"
    ) in text
    assert r"out_{o1}(1 - out_{o1}) = 0.186815602" in text
    assert r"\delta_{o1}" in text and "∂" not in text.replace("∂E/∂w", "")
    w1 = explain(example.total_error, example.weights[0], markdown=True)
    assert r"0.055399425 + (-0.019049118) = 0.036350306$$" in w1
    assert "−" not in w1.split("(The slides")[0]  # LaTeX gets ASCII minus signs


def test_many_paths_switch_to_the_node_by_node_form():
    x = Value(0.3, label="x")
    u, v = x, x.sigmoid()
    for _ in range(8):  # u' = u·v, v' = u + v: no single node every path passes, 2⁸ paths and more
        u, v = u * v, u + v
    root = u
    root.backward()
    derivation = chain_rule(root, x, max_paths=16)
    (segment,) = derivation.segments
    assert segment.path_count > 16 and segment.paths is None
    text = explain(root, x, max_paths=16)
    assert f"sums {segment.path_count} paths, more than max_paths=16 to list" in text
    assert "node by node" in text and "δ recursion" in text
    assert text.count("\n  ∂") == len(segment.recursion) == len(derivation.stops) - 1
    assert math.isclose(derivation.value, x.grad, rel_tol=1e-10)
    listed = chain_rule(root, x, max_paths=segment.path_count)
    assert len(listed.segments[0].paths) == segment.path_count
    assert math.isclose(listed.value, x.grad, rel_tol=1e-10)


def test_unlabelled_graphs_use_automatic_names():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    root = (x * y).tanh() + x
    text = explain(root, x)
    assert "∂(tanh(x*y) + x)/∂x is the sum over its 2 paths:" in text
    assert "∂(x*y)/∂x = y = 2" in text
    expected = (1 - math.tanh(1.0) ** 2) * 2.0 + 1.0
    assert f"= {lecture_number(expected)}\n" in text


def test_only_sums_are_folded_not_factors_that_happen_to_be_one():
    x = Value(0.5, label="x")
    a = x * 2.0
    b = a.relu()  # on: derivative 1, but only at these values
    c = b * 1.0  # a product by 1
    root = c + 0.5  # a sum: hands c its gradient unchanged
    for v, name in [(a, "a"), (b, "b"), (c, "c"), (root, "root")]:
        v.label = name
    derivation = chain_rule(root, x)
    assert [(s.label, t.label) for s, t in derivation.folded] == [("c", "root")]
    assert [s.label for s in derivation.stops] == ["x", "a", "b", "root"]
    text = explain(root, x)
    assert "∂root/∂x = ∂root/∂b × ∂b/∂a × ∂a/∂x = 1 × 1 × 2 = 2\n" in text
    assert "c passes the gradient on unchanged (∂root/∂c = 1)" in text


def test_float32_scalars_and_array_constants():
    x = Value(np.array(0.5, dtype=np.float32), label="x")
    root = (x * np.array(2.0, dtype=np.float32)).tanh()  # the constant 2 is a 0-d array
    root.backward()
    assert math.isclose(chain_rule(root, x).value, float(x.grad), rel_tol=1e-6)
    assert "∂(x*2)/∂x = 2" in explain(root, x)


def test_trivial_and_wrong_requests():
    x = Value(1.5, label="x")
    assert "∂x/∂x = 1" in explain(x, x)
    y = x * 2.0
    with pytest.raises(ValueError, match="does not depend on z"):
        explain(y, Value(1.0, label="z"))
    with pytest.raises(ValueError, match=r"scalar paths.*shape \(3,\)"):
        w = Value(np.ones(3), label="w")
        explain((w * 2.0).sum(), w)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(y, 1.5)
    with pytest.raises(ValueError, match="stops"):
        explain(y, x, stops="some")
    with pytest.raises(ValueError, match="max_paths"):
        explain(y, x, max_paths=0)


def test_lecture_number_format():
    assert lecture_number(0.7413650695523157) == "0.74136507"
    assert lecture_number(0.00043856773447434685) == "0.000438568"
    assert lecture_number(-0.019049118258) == "−0.019049118"
    assert lecture_number(1.105905967) == "1.105905967"
    assert lecture_number(17986.066356666) == "17986.06636"
    assert lecture_number(1.2345e-7) == "1.2345e−7"
    assert lecture_number(0.0) == "0" and lecture_number(2.0) == "2"


OPERATIONS = ["add", "mul", "sub", "tanh", "sigmoid", "div", "square", "scale", "reuse"]


@st.composite
def scalar_graphs(draw):
    """A random scalar graph (shared subexpressions, constants, some labelled nodes) and a leaf."""
    numbers = st.floats(-2, 2, allow_nan=False)
    nodes = [Value(draw(numbers), label=f"x{k}") for k in range(draw(st.integers(1, 3)))]
    leaves = list(nodes)
    for k in range(draw(st.integers(1, 14))):
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        kind = draw(st.sampled_from(OPERATIONS))
        node = {
            "add": lambda: a + b,
            "mul": lambda: a * b.tanh(),
            "sub": lambda: 0.25 - a - b,
            "tanh": lambda: a.tanh(),
            "sigmoid": lambda: a.sigmoid(),
            "div": lambda: a / (1.5 + b.sigmoid()),
            "square": lambda: a.tanh() ** 2,
            "scale": lambda: draw(numbers) * a,
            "reuse": lambda: a * a.tanh() + a,
        }[kind]()
        if draw(st.booleans()):
            node.label = f"n{k}"
        nodes.append(node)
    return nodes[-1], leaves[draw(st.integers(0, len(leaves) - 1))]


@settings(max_examples=40, deadline=None)
@given(scalar_graphs(), st.sampled_from(["auto", "labelled", "all"]), st.sampled_from([1, 4, 16]))
def test_agrees_with_backward_on_random_graphs(graph, stops, max_paths):
    root, wrt = graph
    if wrt not in set(forward_order(root)):
        with pytest.raises(ValueError, match="does not depend"):
            explain(root, wrt)
        return
    derivation = chain_rule(root, wrt, stops=stops, max_paths=max_paths)
    root.backward()
    assert math.isclose(derivation.value, wrt.grad, rel_tol=1e-9, abs_tol=1e-12)
    for stop, g in derivation.gradient.items():  # every named node's ∂root/∂node, too
        if stop.requires_grad:
            assert math.isclose(g, stop.grad, rel_tol=1e-9, abs_tol=1e-12)
    for segment in derivation.segments:
        if segment.paths is not None:
            assert len(segment.paths) == segment.path_count <= max_paths
            assert math.isclose(sum(p.value for p in segment.paths), segment.value, rel_tol=1e-12, abs_tol=1e-15)
    text = explain(root, wrt, stops=stops, max_paths=max_paths)
    markdown = explain(root, wrt, stops=stops, max_paths=max_paths, markdown=True)
    assert text.startswith("∂") and markdown.startswith("**$")


def test_markdown_handles_names_that_are_neither_word_digits_nor_word_underscore():
    a = Value(2.0, label="h1_2")
    y = a * Value(3.0, label="c")
    text = explain(y, a, markdown=True)
    assert r"\mathrm{h1\_2}" in text
