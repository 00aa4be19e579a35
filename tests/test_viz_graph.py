"""draw_graph: the DOT source of the lecture's worked example, the drawing options, arrays, automatic
names, and saving to SVG / PNG / PDF — with Graphviz's dot, and without it."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from tinygrad_edu import Value, worked_example
from tinygrad_edu.engine import topological_order
from tinygrad_edu.viz import GraphvizNotFound, display_names, draw_graph, save
from tinygrad_edu.viz.traverse import forward_order

LABELS = [
    "i1",
    "i2",
    *(f"w{k}" for k in range(1, 9)),
    "b1",
    "b2",
    "net_h1",
    "net_h2",
    "out_h1",
    "out_h2",
    "net_o1",
    "net_o2",
    "out_o1",
    "out_o2",
    "E_o1",
    "E_o2",
    "E_total",
]


@pytest.fixture
def example():
    return worked_example.build()


def value_ids(source: str) -> dict[str, str]:
    """label → node id, read from the DOT source (user labels are drawn in bold)."""
    return {label: node for node, label in re.findall(r"^\s*(v\d+) \[label=<<TABLE.*?<B>([^<]+)</B>", source, re.M)}


def edges(source: str) -> set[tuple[str, str]]:
    return set(re.findall(r"^\s*(\w+) -> (\w+)", source, re.M))


def op_labels(source: str) -> list[str]:
    return re.findall(r'^\s*op\d+ \[label="?([^" ]+)"?', source, re.M)


def cell(source: str, label: str) -> str:
    """The whole table row of the Value labelled ``label``."""
    return re.search(rf"<TR>(?:<TD>[^<]*</TD>)?<TD><B>{re.escape(label)}</B>.*?</TR>", source).group(0)


def test_dot_source_holds_every_labelled_value_each_op_and_the_edges(example):
    example.total_error.backward()
    source = draw_graph(example.total_error).source
    ids = value_ids(source)
    assert sorted(ids) == sorted(LABELS)
    every = forward_order(example.total_error)
    computed = [v for v in every if v.op is not None]
    assert len(op_labels(source)) == len(computed) == 27
    assert op_labels(source).count("σ") == 4
    assert op_labels(source).count("×") == sum(v.op.name == "*" for v in computed) == 10
    assert op_labels(source).count("+") == sum(v.op.name == "+" for v in computed)
    # each edge of the graph: input → operation → output, one per input plus one out
    drawn = edges(source)
    assert len(drawn) == sum(len(v.parents) + 1 for v in computed)
    for out, net in [("out_h1", "net_h1"), ("out_h2", "net_h2"), ("out_o1", "net_o1"), ("out_o2", "net_o2")]:
        ops_in = {head for tail, head in drawn if tail == ids[net]}
        ops_out = {tail for tail, head in drawn if head == ids[out]}
        assert len(ops_in & ops_out) == 1  # net → σ → out


def test_data_and_grad_numbers_appear(example):
    example.total_error.backward()
    source = draw_graph(example.total_error).source
    assert "data 0.5933" in cell(source, "out_h1")  # out_h1 = 0.593269992
    assert "data 0.7514" in cell(source, "out_o1")  # out_o1 = 0.75136507
    assert "grad 0.08217" in cell(source, "w5")  # ∂E/∂w5 = 0.082167041
    assert "grad 0.0004386" in cell(source, "w1")  # ∂E/∂w1 = 0.000438568
    for w in example.weights:
        assert f"data {w.data:.4g}" in cell(source, w.label)
        assert f"grad {w.grad:.4g}" in cell(source, w.label)


def test_grads_are_a_dash_before_backward(example):
    source = draw_graph(example.total_error).source
    assert source.count("grad –") == len(forward_order(example.total_error))
    assert not re.search(r"grad -?\d", source)
    example.total_error.backward()
    after = draw_graph(example.total_error).source
    assert "grad –</TD>" in cell(after, "i1")  # inputs that need no grad never get one
    assert "grad 1<" in cell(after, "E_total")


def test_constants_are_drawn_as_small_nodes(example):
    source = draw_graph(example.total_error).source
    constants = re.findall(r'^\s*c\d+_\d+ \[label="?([^" ]+)"?', source, re.M)
    assert sorted(constants) == sorted(["0.01", "0.99", "2", "2", "0.5", "0.5"])


def test_hiding_data_or_grad_and_significant_digits(example):
    root = example.total_error
    root.backward()
    assert "data " not in draw_graph(root, show_data=False).source
    assert "grad " not in draw_graph(root, show_grad=False).source
    assert "data 0.59<" in cell(draw_graph(root, digits=2).source, "out_h1")
    assert "data 0.593269992<" in cell(draw_graph(root, digits=9).source, "out_h1")


def test_rankdir_and_bad_options(example):
    root = example.total_error
    assert "rankdir=LR" in draw_graph(root).source
    assert "rankdir=TB" in draw_graph(root, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(root, rankdir="up")
    with pytest.raises(ValueError, match="digits"):
        draw_graph(root, digits=0)
    with pytest.raises(TypeError, match="Value"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="highlight"):
        draw_graph(root, highlight=Value(1.0))


def test_edge_labels_are_the_local_derivatives(example):
    source = draw_graph(example.total_error, edge_derivatives=True).source
    ids = value_ids(source)
    out_o1, out_h1 = example.out_o[0].data, example.out_h[0].data
    edge_label = re.compile(r"^\s*(\w+) -> (\w+) \[.*?label=\"?([^\" \]]+)", re.M)
    labelled = {(tail, head): label for tail, head, label in edge_label.findall(source)}
    into_sigma = [label for (tail, _), label in labelled.items() if tail == ids["net_o1"]]
    assert into_sigma == [f"{out_o1 * (1 - out_o1):.4g}"]  # ∂out_o1/∂net_o1 = 0.1868
    from_w5 = [label for (tail, _), label in labelled.items() if tail == ids["w5"]]
    assert from_w5 == [f"{out_h1:.4g}"]  # ∂(w5·out_h1)/∂w5 = out_h1
    assert not any(tail.startswith("c") for tail, _ in labelled)  # constants get no gradient, no label


def test_backward_numbering_follows_the_engine_order(example):
    root = example.total_error
    source = draw_graph(root, backward_numbers=True).source
    order = list(reversed(topological_order(root)))
    names = display_names(root)
    for k, node in enumerate(order, 1):
        assert f"<TD>#{k}</TD><TD>" in source
        assert re.search(rf"<TD>#{k}</TD><TD>(<B>|<FONT[^>]*><I>){re.escape(names[node])}<", source)
    assert "#1</TD><TD><B>E_total" in source
    assert f"#{len(order) + 1}<" not in source  # i1, i2 need no gradient: no number


def test_highlight_marks_every_path_to_the_root(example):
    source = draw_graph(example.total_error, highlight=example.weights[0]).source  # w1
    highlighted = set(re.findall(r'BORDER="2" COLOR="#d9480f".*?<B>([^<]+)</B>', source))
    assert highlighted == {"w1", "net_h1", "out_h1", "net_o1", "net_o2", "out_o1", "out_o2", "E_o1", "E_o2", "E_total"}
    source5 = draw_graph(example.total_error, highlight=example.weights[4]).source  # w5 reaches only o1
    assert set(re.findall(r'BORDER="2" COLOR="#d9480f".*?<B>([^<]+)</B>', source5)) == {
        "w5",
        "net_o1",
        "out_o1",
        "E_o1",
        "E_total",
    }


def test_arrays_show_shape_dtype_and_numbers_or_a_summary():
    small = Value(np.array([[1.0, -2.0, 3.0], [0.5, 0.25, 0.125]]), label="small")
    big = Value(np.arange(100, dtype=np.float32).reshape(10, 10), label="big")
    root = small.sum() + big.mean()
    source = draw_graph(root).source
    assert "(2, 3) float64" in cell(source, "small")
    assert "[1, -2, 3, 0.5, 0.25, 0.125]" in cell(source, "small")
    big_row = cell(source, "big")
    assert "(10, 10) float32" in big_row and "min 0 / mean 49.5 / max 99" in big_row
    root.backward()
    assert "grad min 0.01 / mean 0.01 / max 0.01" in cell(draw_graph(root).source, "big")


def test_automatic_names_never_change_labels(example):
    before = {v: (v.label, v.has_grad) for v in forward_order(example.total_error)}
    source = draw_graph(example.total_error, highlight=example.weights[0], edge_derivatives=True).source
    assert {v: (v.label, v.has_grad) for v in before} == before
    for auto in ["w5*out_h1", "w5*out_h1 + w6*out_h2", "0.01 - out_o1", "(0.01 - out_o1)**2"]:
        assert f"<I>{auto}</I>" in source


def test_display_names_from_operations_and_labels():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    z = (x * y + x) / (y - x) ** 2
    names = display_names(z)
    assert names[z] == "(x*y + x)/(y - x)**2"
    assert names[x] == "x"
    t = (-(x.tanh())).sigmoid()
    assert display_names(t)[t] == "sigmoid(-tanh(x))"
    z.label = "z"
    assert display_names(z)[z] == "z"  # user labels win
    long = x
    for _ in range(12):
        long = long * y + x
    long_names = display_names(long)
    assert all(len(name) <= 32 for name in long_names.values())
    assert any(re.fullmatch(r"(add|mul)\d+", name) for name in long_names.values())  # too long: a short name
    unnamed = Value(1.0) * Value(2.0)
    assert display_names(unnamed)[unnamed] == "v1*v2"


def test_render_to_svg_png_pdf_with_dot(example, tmp_path):
    example.total_error.backward()
    drawing = draw_graph(example.total_error)
    svg = save(drawing, tmp_path / "worked.svg")
    assert svg == tmp_path / "worked.svg"
    text = svg.read_text()
    assert "<svg" in text
    for label in LABELS:
        assert f">{label}</text>" in text
    assert "0.08217" in text
    assert (tmp_path / "worked.dot").read_text() == drawing.source
    assert save(drawing, tmp_path / "worked.png").read_bytes().startswith(b"\x89PNG")
    assert save(drawing, tmp_path / "worked.pdf").read_bytes().startswith(b"%PDF")
    assert save(drawing, tmp_path / "source.gv").read_text() == drawing.source
    assert "image/svg+xml" in drawing._repr_mimebundle_()  # inline display in Jupyter
    with pytest.raises(ValueError, match=r"\.svg"):
        save(drawing, tmp_path / "worked.jpeg")


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which Graphviz's dot cannot be found."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize(
    "label, title",
    [("C:\\tmp\\", "ends with \\"), ("bell\x07", "a <b>bold</b> title"), ("<b>", "two\nlines")],
    ids=["backslashes", "control character and markup", "markup and a line break"],
)
def test_any_label_or_title_is_drawn_as_written(tmp_path, label, title):
    """A trailing backslash used to end DOT's quoted string (dot failed, or swallowed the next node)."""
    x = Value(1.0, label=label)
    y = x.tanh()
    y.label = "y"
    svg = save(draw_graph(y, title=title), tmp_path / "g.svg").read_text()
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    shown = label.replace("\x07", "\\x07")  # a control character is shown as Python writes it
    assert shown in texts
    assert all(line in texts for line in title.split("\n"))
    tooltips = [html.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', svg)]
    assert shown in tooltips


def test_without_dot_the_source_is_written_and_the_error_says_what_to_do(example, tmp_path, no_dot):
    drawing = draw_graph(example.total_error)
    with pytest.raises(GraphvizNotFound) as caught:
        save(drawing, tmp_path / "net.svg")
    message = str(caught.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert f"dot -Tsvg {tmp_path / 'net.dot'} -o {tmp_path / 'net.svg'}" in message
    assert (tmp_path / "net.dot").read_text() == drawing.source
    assert not (tmp_path / "net.svg").exists()
    assert isinstance(caught.value, RuntimeError)

    with pytest.warns(RuntimeWarning, match="apt-get install graphviz"):
        written = save(drawing, tmp_path / "warned.png", on_missing_dot="warn")
    assert written == tmp_path / "warned.dot" and written.read_text() == drawing.source

    with pytest.raises(GraphvizNotFound, match=r"dot -Tpdf .*render_me\.gv -o .*render_me\.gv\.pdf"):
        drawing.render(tmp_path / "render_me.gv", format="pdf")
    assert (tmp_path / "render_me.gv").read_text() == drawing.source
    shown = drawing._repr_mimebundle_()
    assert "brew install graphviz" in shown["text/plain"] and "digraph" in shown["text/plain"]
