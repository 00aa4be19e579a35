"""``draw_graph``: the forward computation graph as a Graphviz drawing.

Each Value is a box ``name | data | grad``; each operation is a separate small node between its inputs
and its output, as in the lecture's pictures of a network; constants (the 0.5 of ½(t − o)², a target
array) are small dashed boxes. Before any backward the grads show as "–", not as zeros that look real.
The drawing only reads the graph: names for unlabelled Values are computed on the side
(:mod:`tinygrad_edu.viz.naming`).
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import graphviz

from tinygrad_edu.engine import Value, topological_order
from tinygrad_edu.viz.clusters import Cluster, module_clusters
from tinygrad_edu.viz.local import is_atomic, local_derivative
from tinygrad_edu.viz.naming import constant_name, display_names
from tinygrad_edu.viz.numbers import describe_data, describe_shape, short_number
from tinygrad_edu.viz.render import GraphDrawing
from tinygrad_edu.viz.traverse import downstream_of, forward_order

NO_GRAD = "\N{EN DASH}"
OP_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "**": "^", "sigmoid": "σ", "neg": "−x"}
RANKDIRS = ("LR", "RL", "TB", "BT")
CHARACTER_WIDTH = 6.5  # points per character of Helvetica at 11 points, a little generous

PATH_COLOR = "#d9480f"  # highlighted paths to the root
PATH_FILL = "#fff4e6"
FOCUS_COLOR = "#e67700"  # the node a backward step is processing
FOCUS_FILL = "#ffe066"
AUTO_NAME_COLOR = "#495057"
DERIVATIVE_COLOR = "#1864ab"


def draw_graph(
    root: Value,
    *,
    show_data: bool = True,
    show_grad: bool = True,
    digits: int = 4,
    rankdir: str = "LR",
    edge_derivatives: bool = False,
    backward_numbers: bool = False,
    highlight: Value | None = None,
    modules: Any = None,
    grads: Mapping[Value, Any] | None = None,
    focus: Value | None = None,
    max_numbers: int = 6,
    title: str | None = None,
) -> GraphDrawing:
    """Draw the graph that computed ``root``; returns a ``graphviz.Digraph`` (inline in Jupyter).

    - ``show_data`` / ``show_grad``: include the numbers / gradients (``digits`` significant digits;
      arrays show shape and dtype, their numbers when at most ``max_numbers``, else min / mean / max).
    - ``rankdir``: "LR" (inputs left, output right), "TB", "RL" or "BT".
    - ``edge_derivatives``: label each input → operation edge with the local derivative ∂out/∂in at
      the current values (scalar edges only).
    - ``backward_numbers``: number the Values in the order backward visits them (1 = ``root``).
    - ``highlight``: a Value; every path from it to ``root`` is drawn in orange.
    - ``modules``: an ``nn.Module`` (or ``{name: module}``); each submodule with parameters becomes a
      labelled cluster (see :mod:`tinygrad_edu.viz.clusters` for which nodes belong to which).
    - ``grads``: gradients to show instead of ``.grad`` (a Value missing from it shows "–"); the
      backward step-through uses this with ``focus``, the Value being processed, filled yellow.
    - ``title``: a caption above the drawing.

    Save with :func:`tinygrad_edu.viz.save` (``.svg``, ``.png``, ``.pdf``, ``.dot``) or ``.render()``.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if not isinstance(digits, int) or digits < 1:
        raise ValueError(f"draw_graph: digits must be a positive integer, got {digits!r}")
    order = forward_order(root)
    members = set(order)
    for what, node in (("highlight", highlight), ("focus", focus)):
        if node is not None and node not in members:
            raise ValueError(f"draw_graph: the {what} Value is not part of the graph that computed root")

    clusters = module_clusters(modules, order) if modules is not None else []
    module_names = {p: name for top in clusters for c in top.walk() for p, name in c.parameter_names.items()}
    names = display_names(root, given=module_names)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    backward_index = {n: k for k, n in enumerate(reversed(topological_order(root)), 1)} if backward_numbers else {}
    on_path = downstream_of(highlight, order) if highlight is not None else set()
    grad_of = _grad_lookup(grads)

    def value_label(node: Value) -> str:
        cells = []
        if node in backward_index:
            cells.append(f"<TD>#{backward_index[node]}</TD>")
        name = _html_text(names[node])
        if node.label:
            cells.append(f"<TD><B>{name}</B></TD>")
        else:
            cells.append(f'<TD><FONT COLOR="{AUTO_NAME_COLOR}"><I>{name}</I></FONT></TD>')
        shape = describe_shape(node.data)
        if shape:
            cells.append(f"<TD>{html.escape(shape)}</TD>")
        if show_data:
            cells.append(f"<TD>data {html.escape(describe_data(node.data, digits, max_numbers))}</TD>")
        if show_grad:
            grad = grad_of(node)
            text = NO_GRAD if grad is None else describe_data(grad, digits, max_numbers)
            # the frames of a step-through keep one layout: a scalar's grad cell fits its widest number
            fixed = grads is not None and node.size == 1
            width = f' WIDTH="{_grad_cell_width(digits)}"' if fixed else ""
            cells.append(f"<TD{width}>grad {html.escape(text)}</TD>")
        if node is focus:
            table = f'BORDER="3" COLOR="{FOCUS_COLOR}" BGCOLOR="{FOCUS_FILL}"'
        elif node in on_path:
            table = f'BORDER="2" COLOR="{PATH_COLOR}" BGCOLOR="{PATH_FILL}"'
        else:
            table = 'BORDER="0"'
        return f'<<TABLE {table} CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"><TR>{"".join(cells)}</TR></TABLE>>'

    graph = GraphDrawing(
        name="computation_graph",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"},
    )
    if title:
        graph.attr(label=_plain_text(title), labelloc="t", fontsize="13")
    bodies = _cluster_bodies(clusters)
    home = _cluster_of(clusters)
    edges: list[tuple[str, str, dict[str, str]]] = []

    for i, node in enumerate(order):
        cluster = home.get(node)
        body = graph if cluster is None else bodies[cluster]
        body.node(ids[node], label=value_label(node), shape="plain", tooltip=_plain_text(names[node]))
        if node.op is None:
            continue
        op_id = f"op{i}"
        symbol = OP_SYMBOLS.get(node.op.name, node.op.name)
        op_style = {"color": PATH_COLOR, "penwidth": "2"} if node in on_path else {}
        body.node(
            op_id,
            label=symbol,
            shape="circle" if len(symbol) <= 2 else "ellipse",
            width="0.3",
            margin="0.02",
            tooltip=node.op.name,
            **op_style,
        )
        edges.append((op_id, ids[node], _path_edge(node in on_path)))
        for position, parent in enumerate(node.parents):
            if isinstance(parent, Value):
                style = _path_edge(parent in on_path and node in on_path)
                if parent is focus:
                    style = {"color": FOCUS_COLOR, "penwidth": "3"}
                if edge_derivatives and parent.size == 1 and node.size == 1:
                    style["label"] = short_number(local_derivative(node, position), digits)
                    style["fontcolor"] = DERIVATIVE_COLOR
                    style["tooltip"] = _plain_text(f"∂{_bracketed(names[node])}/∂{_bracketed(names[parent])}")
                edges.append((ids[parent], op_id, style))
            else:
                const_id = f"c{i}_{position}"
                body.node(
                    const_id,
                    label=_constant_label(parent, digits, max_numbers),
                    shape="box",
                    style="rounded,dashed",
                    fontsize="9",
                    height="0.2",
                    margin="0.04",
                )
                edges.append((const_id, op_id, {"style": "dashed"}))

    _attach_clusters(graph, clusters, bodies)
    for tail, head, attrs in edges:
        graph.edge(tail, head, **attrs)
    return graph


def _grad_cell_width(digits: int) -> int:
    """Points for ``grad -1.234e-05`` at ``digits`` significant digits: the widest a scalar's grad gets."""
    return round(CHARACTER_WIDTH * (len("grad ") + digits + len("-.e-05")))


def _grad_lookup(grads: Mapping[Value, Any] | None) -> Callable[[Value], Any]:
    """Where a node's gradient comes from: the given mapping, else ``.grad`` once backward reached it."""
    if grads is not None:
        return lambda node: grads.get(node)
    return lambda node: node.grad if node.has_grad else None


def _bracketed(name: str) -> str:
    return name if is_atomic(name) else f"({name})"


def _path_edge(on_path: bool) -> dict[str, str]:
    return {"color": PATH_COLOR, "penwidth": "2"} if on_path else {}


def _constant_label(constant: Any, digits: int, max_numbers: int) -> str:
    name = constant_name(constant)
    if name.startswith("const"):
        return f"{name} {describe_data(constant, digits, max_numbers)}"
    return short_number(constant, digits)


def _printable(text: str) -> str:
    """text with control characters (which DOT files cannot hold) shown as Python writes them, e.g. \\x07."""
    return "".join(ch if ch.isprintable() or ch == "\n" else repr(ch)[1:-1] for ch in text)


def _plain_text(text: str) -> str:
    """A label, title or tooltip as Graphviz shows it, character for character: its backslashes and
    control characters escaped (a trailing backslash would otherwise end the quoted string)."""
    escaped = graphviz.escape(_printable(text)).replace("\n", "\\n")  # (a line break as DOT writes one)
    return graphviz.nohtml(escaped)  # never read as an HTML-like label, even if it starts with '<'


def _html_text(text: str) -> str:
    """Text for a cell of an HTML-like label: markup characters escaped, a backslash as an entity (so that
    Graphviz does not read \\N as the node's name), and line breaks as <BR/>."""
    return html.escape(_printable(text)).replace("\\", "&#92;").replace("\n", "<BR/>")


def _cluster_bodies(clusters: list[Cluster]) -> dict[Cluster, graphviz.Digraph]:
    """One Graphviz subgraph named ``cluster_…`` (Graphviz draws those as boxes) per cluster, numbered
    outermost first."""
    bodies: dict[Cluster, graphviz.Digraph] = {}
    queue = deque(clusters)
    while queue:
        cluster = queue.popleft()
        body = graphviz.Digraph(name=f"cluster_{len(bodies)}")
        body.attr(
            label=_plain_text(cluster.title),
            style="rounded,dashed",
            color="#868e96",
            fontname="Helvetica",
            fontsize="11",
            labeljust="l",
        )
        bodies[cluster] = body
        queue.extend(cluster.children)
    return bodies


def _cluster_of(clusters: list[Cluster]) -> dict[Value, Cluster]:
    """The innermost cluster of each Value (parents are visited before children, so children win)."""
    home: dict[Value, Cluster] = {}
    queue = deque(clusters)
    while queue:
        cluster = queue.popleft()
        for node in cluster.members:
            home[node] = cluster
        queue.extend(cluster.children)
    return home


def _attach_clusters(graph: graphviz.Digraph, clusters: list[Cluster], bodies: dict[Cluster, graphviz.Digraph]) -> None:
    """Nest each cluster's subgraph into its parent's, then into the drawing. graphviz copies a subgraph
    when it is attached, so every cluster is attached after its own children (in their given order)."""
    pending = [(cluster, graph, False) for cluster in reversed(clusters)]
    while pending:
        cluster, parent, children_done = pending.pop()
        if children_done:
            parent.subgraph(bodies[cluster])
            continue
        pending.append((cluster, parent, True))
        pending.extend((child, bodies[cluster], False) for child in reversed(cluster.children))
