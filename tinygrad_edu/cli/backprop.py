"""``tinygrad-edu backprop``: the lecture's worked example — every number of one back-propagation step."""

from __future__ import annotations

import argparse
from pathlib import Path

from tinygrad_edu import worked_example
from tinygrad_edu.cli import options
from tinygrad_edu.cli.drawing import save_drawing, warn
from tinygrad_edu.cli.errors import UsageError
from tinygrad_edu.engine import Value, topological_order

NAME = "backprop"
SUMMARY = "the lecture's worked example: forward pass, E, the chain rule for w5 and w1, updated weights"
EXAMPLES = """\
examples:
  tinygrad-edu backprop                        every number of the 2-2-2 sigmoid network's first step
  tinygrad-edu backprop --graph network.svg    also draw its computation graph (Graphviz)
  tinygrad-edu backprop --explain w8 b1        derive other gradients by the chain rule
  tinygrad-edu backprop --steps backward.html  a page that steps through the backward pass
  tinygrad-edu backprop --lr 0.1               another learning rate η for the update

The network: inputs i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99, weights w1 … w8 = 0.15 … 0.55,
biases b1 = 0.35, b2 = 0.60 and the error E = ½Σ(t − o)². A graph drawing needs Graphviz's `dot`;
without it the graph's .dot source is written instead, with a hint on how to install Graphviz."""


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        NAME, help=SUMMARY, description="The lecture's worked back-propagation example (a 2-2-2 sigmoid network): "
        "the forward values, the error E, the chain rule behind ∂E/∂w5 and ∂E/∂w1, every gradient, and the "
        "weights after one gradient-descent step.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lr", type=options.positive_float, default=worked_example.LEARNING_RATE, metavar="η",
                        help=f"learning rate η of the update (default: {worked_example.LEARNING_RATE})")
    parser.add_argument("--explain", nargs="*", default=["w5", "w1"], metavar="NAME",
                        help="the quantities whose ∂E/∂NAME to derive (default: w5 w1; none: --explain)")
    parser.add_argument("--graph", type=Path, metavar="FILE",
                        help="draw the computation graph with its gradients to FILE (.svg, .png, .pdf or .dot)")
    parser.add_argument("--steps", type=Path, metavar="FILE",
                        help="write an HTML page that steps through the backward pass, one node at a time")
    return parser


def run(args: argparse.Namespace) -> int:
    example = worked_example.build()
    named = _named_values(example)
    unknown = [name for name in args.explain if name not in named]
    if unknown:
        raise UsageError(
            f"backprop: --explain {unknown[0]!r} is not a quantity of the network; choose from {', '.join(named)}"
        )
    for path, suffixes in ((args.graph, (".svg", ".png", ".pdf", ".dot", ".gv")), (args.steps, (".html", ".htm"))):
        if path is not None and path.suffix.lower() not in suffixes:
            raise UsageError(f"backprop: {path} must end in {', '.join(suffixes)}")

    example.total_error.backward()
    print(worked_example.report(example, lr=args.lr))
    from tinygrad_edu.viz import explain

    for name in args.explain:
        print()
        print(explain(example.total_error, named[name]))
    if args.graph is not None:
        from tinygrad_edu.viz import draw_graph

        drawing = draw_graph(example.total_error, title="The lecture's worked example after backward")
        save_drawing(drawing, args.graph)
    if args.steps is not None:
        _save_steps(args.steps)
    return 0


def _named_values(example: worked_example.WorkedExample) -> dict[str, Value]:
    """The parameters w1 … w8, b1, b2, then every other labelled Value from the inputs to E (net_h1, …)."""
    named = {v.label: v for v in example.parameters}
    named.update({v.label: v for v in topological_order(example.total_error) if v.label and v.label not in named})
    return named


def _save_steps(path: Path) -> None:
    from tinygrad_edu.viz import GraphvizNotFound, save_backward_html
    from tinygrad_edu.viz.render import INSTALL_HINT

    example = worked_example.build()  # a fresh graph: the page runs its own backward, step by step
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        save_backward_html(example.total_error, path, title="The worked example's backward pass, step by step")
    except GraphvizNotFound:
        warn(f"the step-through page needs Graphviz's `dot` to draw its frames, so {path} was not written. "
             f"{INSTALL_HINT}")
        return
    print(f"\nwrote {path} (open it in a browser; the arrow keys step through the backward pass)")
