"""viz: see the chain rule — graph drawings, the backward pass step by step, and ``explain``.

- :func:`draw_graph` draws the forward graph (a ``graphviz.Digraph``; :func:`save` writes SVG/PNG/PDF);
- :func:`backward_steps` yields what backward does at each node; :func:`save_backward_html` makes a
  self-contained page to step through it, :func:`save_backward_svgs` a numbered series of pictures;
- :func:`explain` writes ∂root/∂wrt out as the lecture does: products of named local derivatives.

viz only reads graphs: it never changes a Value, its label or its gradient.
"""

from tinygrad_edu.viz.chain import Derivation, chain_rule
from tinygrad_edu.viz.explain import explain
from tinygrad_edu.viz.graph import draw_graph
from tinygrad_edu.viz.html import backward_html, save_backward_html, save_backward_svgs
from tinygrad_edu.viz.naming import display_names
from tinygrad_edu.viz.render import GraphDrawing, GraphvizNotFound, save
from tinygrad_edu.viz.steps import BackwardStep, Incoming, backward_steps

__all__ = [
    "BackwardStep",
    "Derivation",
    "GraphDrawing",
    "GraphvizNotFound",
    "Incoming",
    "backward_html",
    "backward_steps",
    "chain_rule",
    "display_names",
    "draw_graph",
    "explain",
    "save",
    "save_backward_html",
    "save_backward_svgs",
]
