"""Section 3: back-propagation on the lecture's worked 2-2-2 example — graph, chain rule, one update."""

from __future__ import annotations

from tinygrad_edu import worked_example
from tinygrad_edu.tour.content import Frame, InlineSvg, Links, Paragraph, Preformatted, Section, Table
from tinygrad_edu.tour.workspace import Workspace, missing_dot
from tinygrad_edu.viz import GraphvizNotFound, draw_graph, explain, save_backward_html

TITLE = "Back-propagation, number by number"
STEP_THROUGH = "backward_steps.html"


def build(ws: Workspace) -> Section:
    section = Section("backprop", TITLE, "Example of BP calculation (1)–(10)")
    ex = worked_example.build()
    ex.total_error.backward()
    w1, w5 = ex.weights[0], ex.weights[4]
    section.add(
        Paragraph(
            "The lecture's worked example: two inputs, two sigmoid hidden units, two sigmoid outputs, and the "
            "error E = ½Σ(t − o)². Every value below is a `Value` of tinygrad_edu, computed by the framework, "
            "not typed in. (Two slips on the slides: the target list says 0.1 where the computation uses 0.01, "
            "and one slide writes w3 where net_h1 uses w2. The numbers here follow the computation.)"
        ),
        Preformatted(_forward_table(ex), "The forward pass: net inputs, outputs and the error."),
    )
    drawing = draw_graph(ex.total_error, highlight=w1, digits=4, rankdir="TB")
    picture, source = ws.graph(
        "worked_example_graph",
        drawing,
        "The computation graph after backward. Each box shows a value's name, its number and ∂E_total/∂(it); "
        "the orange paths are the two ways w1 influences E_total.",
        "the worked example's graph",
    )
    section.add(
        Paragraph(
            "Back-propagation is the chain rule applied to this graph from the error backwards: each node's "
            "gradient is the sum, over the nodes that use it, of their gradient times the local derivative."
        ),
        picture,
        Links(_graph_files(source, drawn=isinstance(picture, InlineSvg))),
        Paragraph(
            "`explain` writes out the same chain rule for one weight. w5 feeds a single output, so one product "
            "of local derivatives gives ∂E/∂w5:"
        ),
        Preformatted(explain(ex.total_error, w5), "explain(E_total, w5)", wrap=True),
        Paragraph(
            "w1 sits in the hidden layer and reaches the error through both outputs, so its derivative sums "
            "two paths — the lecture's δ_h = out_h(1 − out_h) Σ w δ_o:"
        ),
        Preformatted(explain(ex.total_error, w1), "explain(E_total, w1)", wrap=True),
        Paragraph(
            f"One gradient-descent step w⁺ = w − η ∂E/∂w with the lecture's η = {worked_example.LEARNING_RATE} "
            "gives the updated weights of the slides:"
        ),
        _updated_weights(ex),
    )
    section.add(*_step_through(ws))
    return section


def _graph_files(source: str, drawn: bool) -> tuple[tuple[str, str], ...]:
    """The picture (when dot made it) and the DOT source, as links."""
    files = []
    if drawn:
        files.append((source.removesuffix(".dot") + ".svg", "the drawing at full size"))
    files.append((source, "its DOT source (render it with Graphviz: dot -Tsvg file.dot -o file.svg)"))
    return tuple(files)


def _forward_table(ex: worked_example.WorkedExample) -> str:
    i1, i2 = worked_example.INPUTS
    t1, t2 = worked_example.TARGETS
    lines = [f"inputs  i1 = {i1}, i2 = {i2}      targets  t1 = {t1}, t2 = {t2}", ""]
    for value in ex.net_h + ex.out_h + ex.net_o + ex.out_o + ex.errors + [ex.total_error]:
        lines.append(f"{value.label:<8} = {value.data:.9f}")
    return "\n".join(lines)


def _updated_weights(ex: worked_example.WorkedExample) -> Table:
    lr = worked_example.LEARNING_RATE
    rows = tuple(
        (w.label, f"{w.data:.2f}", f"{w.grad:+.9f}", f"{new:.9f}")
        for w, new in zip(ex.weights, ex.updated_weights(lr))
    )
    return Table(
        ("weight", "before", "∂E_total/∂w", f"after (η = {lr})"),
        rows,
        "Every weight after one step of back-propagation. The output weights move most: their δ is largest.",
        row_header=True,
    )


def _step_through(ws: Workspace) -> list:
    """The backward pass as a page of frames; it needs dot to draw them."""
    intro = Paragraph(
        "Backward visits the nodes in reverse topological order. The page below shows each visit as a frame: "
        "the yellow node is being completed, the thick edges carry its gradient in. Step with the buttons or "
        "the arrow keys."
    )
    fresh = worked_example.build()  # backward_html runs its own backward, on a graph with no gradients yet
    try:
        save_backward_html(
            fresh.total_error, ws.path(STEP_THROUGH), title="The worked example's backward pass, step by step"
        )
    except GraphvizNotFound:
        return [intro, missing_dot("the step-through page of the backward pass")]
    return [intro, Frame(STEP_THROUGH, "The backward pass of the worked example, one node per step.", 640)]
