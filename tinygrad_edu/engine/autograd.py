"""Reverse-mode differentiation: the chain rule applied to the whole graph at once.

The lecture computes, for a sigmoid network, δk = ok(1 − ok)(tk − ok) at each output and
δh = oh(1 − oh) Σk wkh δk at each hidden unit: a unit's δ is the sum, over the units it feeds, of
their δ times the local derivative of the connection. Backward does exactly that on any graph:

1. order the nodes so that every node comes after all of its inputs (a topological order);
2. seed ∂E/∂E = 1 at the output;
3. visit the nodes in reverse order; when a node is reached, every node it feeds has already sent it
   a contribution g_consumer · ∂consumer/∂node, so its gradient is complete; pass it on to its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.engine.data import as_data, shape_of, to_data
from tinygrad_edu.engine.mode import enable_grad, no_grad
from tinygrad_edu.engine.value import Value, _leaf


def topological_order(roots: Value | Iterable[Value]) -> list[Value]:
    """Every Value reachable from ``roots`` that requires grad, each listed after all of its inputs.

    Depth-first search with an explicit stack, so a chain of a million nodes needs no recursion.
    When a node is first popped it is entered: it goes back on the stack under a marker (None), with
    its inputs above. When the marker is popped, everything above it has been finished, so all of the
    node's inputs are in the order already and the node is appended after them. A leaf has no inputs to
    wait for: it is appended as soon as it is entered.
    """
    roots = [roots] if isinstance(roots, Value) else list(roots)
    order: list[Value] = []
    entered: set[Value] = set()
    stack: list[Value | None] = [root for root in reversed(roots) if root.requires_grad]
    while stack:
        node = stack.pop()
        if node is None:  # a marker: the node under it is finished
            order.append(stack.pop())  # type: ignore[arg-type]
            continue
        if node in entered:
            continue
        entered.add(node)
        a = node._a
        if a is None:  # a leaf
            order.append(node)
            continue
        stack.append(node)
        stack.append(None)
        # its inputs that need a gradient and are not entered yet (the first two have slots of their own)
        if type(a) is Value and a.requires_grad and a not in entered:
            stack.append(a)
        b = node._b
        if type(b) is Value and b.requires_grad and b not in entered:
            stack.append(b)
        if node._more is not None:
            for parent in node._more:
                if type(parent) is Value and parent.requires_grad and parent not in entered:
                    stack.append(parent)
    return order


def _propagate(
    roots: Sequence[Value],
    seeds: Sequence[Any],
    create_graph: bool,
    accumulate: bool,
    wanted: Sequence[Value] = (),
) -> dict[Value, Any]:
    """Run the chain rule from ``roots`` (seeded with ``seeds``) down to the leaves.

    With ``accumulate`` every node's gradient is added to its ``.grad``; gradients of the ``wanted``
    nodes are returned. With ``create_graph`` the rules run on Values and build a new graph.

    While the pass runs, each node's ``_grad`` slot holds the sum of the contributions it has received
    so far (an attribute is the cheapest place to keep it); whatever the slots held before is set aside
    first and settled afterwards (:func:`_settle`), or put back if a rule raises, so a failed pass
    changes no gradient. Read the loop as three steps per node: (1) its gradient g is complete (with
    ``accumulate``, ``.grad`` keeps it in the node's own shape and dtype);
    (2) gather the operation's inputs; (3) send g · ∂node/∂input to each input that needs it. The
    common case (numbers, a rule per input, no settings) is spelled out for speed: this loop runs once
    per node of every graph, and the general case (:func:`_pass_on`), with its tuples and ``**attrs``
    calls, costs a scalar graph twice the time.
    """
    if accumulate and _PASSES_RUNNING[0]:
        raise RuntimeError(
            "backward() was called while another backward pass is running (from inside an operation's "
            "rule): the running pass keeps its partial sums in .grad, so the two would mix; compute the "
            "gradient with tinygrad_edu.grad(...), which leaves .grad alone"
        )
    order = topological_order(roots)
    earlier = {node: node._grad for node in order if node._grad is not None}
    _PASSES_RUNNING[0] += 1
    try:
        for node in earlier:
            node._grad = None
        for root, seed in zip(roots, seeds):
            root._grad = seed if root._grad is None else root._grad + seed
        for node in reversed(order):
            # (1) every consumer of this node came earlier in the reverse order: its gradient g is complete
            g = node._grad
            if g is None:  # no gradient reached this node
                continue
            if accumulate:  # .grad is kept, so it must have the node's own form (a rule may have broadcast it)
                data = node._data
                # (right of ``or`` both are arrays; mypy does not narrow the other branch of ``type(x) is float``)
                if type(g) is not type(data) or type(g) is not float and (
                    g.shape != data.shape or g.dtype != data.dtype  # type: ignore[union-attr]
                ):
                    node._grad = in_form_of(node, g)  # the rules still take g itself: rounding it to a
                    # float32 node's dtype here would change the numbers below (grad() never rounds)
            op = node._op
            if op is None:  # a leaf: nothing to pass on
                continue
            more = node._more
            if create_graph or node._attrs is not None or op.vjp_all is not None or more and len(more) > 1:
                _pass_on(node, g, create_graph, accumulate)
                continue
            # the common case, spelled out for speed: numbers, one to three inputs, a rule per input,
            # no settings. (2) the inputs' numbers; (3) each input that needs it receives g · ∂node/∂input
            y, a, b = node._data, node._a, node._b
            if b is None:  # one input: always a Value
                if a.requires_grad:
                    _send(a, op.vjp[0](g, y, a._data), g, accumulate)
                continue
            a_data = a._data if type(a) is Value else a
            b_data = b._data if type(b) is Value else b
            if more is None:  # two inputs
                if type(a) is Value and a.requires_grad:
                    _send(a, op.vjp[0](g, y, a_data, b_data), g, accumulate)
                if type(b) is Value and b.requires_grad:
                    _send(b, op.vjp[1](g, y, a_data, b_data), g, accumulate)
                continue
            c = more[0]  # three inputs, such as a layer's x, W and b
            c_data = c._data if type(c) is Value else c
            if type(a) is Value and a.requires_grad:
                _send(a, op.vjp[0](g, y, a_data, b_data, c_data), g, accumulate)
            if type(b) is Value and b.requires_grad:
                _send(b, op.vjp[1](g, y, a_data, b_data, c_data), g, accumulate)
            if type(c) is Value and c.requires_grad:
                _send(c, op.vjp[2](g, y, a_data, b_data, c_data), g, accumulate)
        return _settle(order, earlier, accumulate, wanted)
    except BaseException:
        _restore(order, earlier)  # leave every .grad as it was
        raise
    finally:
        _PASSES_RUNNING[0] -= 1


def _pass_on(node: Value, g: Any, create_graph: bool, accumulate: bool) -> None:
    """Step (2) and (3) for any operation: operations with settings, four or more inputs, or one rule for
    all inputs (``vjp_all``); with ``create_graph``, rules run on the Values themselves to build a new graph."""
    op, parents = node._op, node.parents
    y: Value | float | np.ndarray  # the node's numbers; the node itself to build a new graph
    if create_graph:
        inputs, y = parents, node
    else:
        inputs, y = tuple([p._data if type(p) is Value else p for p in parents]), node._data
    attrs, all_grads = node._attrs or {}, None
    for i, parent in enumerate(parents):
        if type(parent) is not Value or not parent.requires_grad:
            continue
        if op.vjp_all is None:
            contribution = op.vjp[i](g, y, *inputs, **attrs)
        else:
            if all_grads is None:  # one call gives every input's gradient; only made if one is needed
                all_grads = op.vjp_all(g, y, *inputs, **attrs)
            contribution = all_grads[i]
        _send(parent, contribution, g, accumulate)


# passes now running (a rule may call grad(), which runs a pass inside a pass; backward() may not)
_PASSES_RUNNING = [0]


def _send(parent: Value, contribution: Any, g: Any, accumulate: bool) -> None:
    """Add one contribution g · ∂node/∂parent to the gradient ``parent`` has received so far.

    A leaf's ``.grad`` is changed in place later (accumulation, optimizers, ``clip_grad_*``), so a leaf
    must own its array: a contribution that may also be someone else's (g passed through, a view, a
    read-only array) is copied. Fresh results of arithmetic need no copy.
    """
    previous = parent._grad
    if previous is not None:
        parent._grad = previous + contribution
    elif (
        accumulate
        and parent._op is None
        and type(contribution) is np.ndarray
        and (contribution is g or contribution.base is not None or not contribution.flags.writeable)
    ):
        parent._grad = contribution.copy()
    else:
        parent._grad = contribution


def _settle(
    order: list[Value], earlier: dict[Value, Any], accumulate: bool, wanted: Sequence[Value]
) -> dict[Value, Any]:
    """End a pass: collect the ``wanted`` nodes' gradients and give every ``_grad`` slot its final
    value — the earlier gradient plus this pass's with ``accumulate``, else the earlier one, untouched.

    The pass has already brought every gradient to its node's form (the only step that can fail); the
    earlier gradients are added only now, when all of them are.
    """
    in_pass = set(order) if wanted else set()  # a wanted node outside the pass still holds its own .grad
    found = {node: node._grad for node in wanted if node in in_pass and node._grad is not None}
    if not accumulate:
        _restore(order, earlier)
        return found
    for node, before in earlier.items():
        g = node._grad
        if g is None:
            node._grad = before
        elif node._op is None and type(before) is np.ndarray:
            np.add(before, g, out=before)  # a leaf's array is its own: optimizers may hold it
            node._grad = before
        else:
            total = before + g
            # numpy turns a sum of 0-d arrays into a numpy scalar: keep the node's form
            node._grad = total if type(total) is type(before) else np.asarray(total)
    return found


def _restore(order: list[Value], earlier: dict[Value, Any]) -> None:
    """Put back the gradients the nodes held before the pass (none where they held none)."""
    for node in order:
        node._grad = earlier.get(node)


def in_form_of(node: Value, g: Any) -> Any:
    """g in node's form: a float for a float64 scalar, else a new array of node's shape and dtype."""
    data = node._data
    if type(data) is float:
        return float(g)
    try:
        return np.array(np.broadcast_to(g, data.shape), dtype=data.dtype)  # type: ignore[union-attr]
    except ValueError:
        raise ValueError(
            f"the gradient reaching {node.label or 'a Value'} (made by {_op_name(node)}) has shape "
            f"{shape_of(g)}, but the Value has shape {node.shape}; a rule of an operation that uses it "
            "returned a gradient of the wrong shape"
        ) from None


def _op_name(node: Value) -> str:
    return "the user, a leaf" if node._op is None else f"'{node._op.name}'"


def _seed(output: Value, gradient: Any, what: str) -> Any:
    """The starting gradient ∂E/∂output: 1 for a one-element output, else the one given."""
    if gradient is None:
        if output.size != 1:
            raise RuntimeError(
                f"{what}: the output has shape {output.shape}, not a single number, so the gradient to "
                f"start from is ambiguous; pass gradient=numpy.ones({output.shape}) (or the vector of "
                f"your vector-Jacobian product), or reduce the output first, e.g. out.sum().backward()"
            )
        return 1.0 if type(output._data) is float else np.ones_like(output._data)
    seed: Value | float | np.ndarray
    if isinstance(gradient, Value):
        seed = gradient
    else:
        seed = to_data(gradient, output.dtype, what=f"{what} gradient")
    if shape_of(seed._data if isinstance(seed, Value) else seed) != output.shape:
        raise ValueError(
            f"{what}: gradient has shape {seed.shape if isinstance(seed, Value) else shape_of(seed)}, "
            f"but the output has shape {output.shape}; they must match"
        )
    return seed


def _check_differentiable(output: Value, what: str) -> None:
    if not isinstance(output, Value):
        raise TypeError(f"{what}: expected a Value, got {type(output).__name__}")
    if not output.requires_grad:
        raise RuntimeError(
            f"{what}: this Value does not require grad (it was computed under no_grad(), from "
            "constants only, or detached), so there is nothing to differentiate"
        )


def backward(output: Value, gradient: Any = None) -> None:
    """Add ∂output/∂v · gradient to ``v.grad`` for every Value v that ``output`` depends on.

    Every node of the graph (leaves and intermediate results) gets its gradient accumulated, so the
    whole graph can be inspected and drawn afterwards. Calling it twice adds twice.
    """
    _check_differentiable(output, "backward")
    seed = _seed(output, gradient, "backward")
    if isinstance(seed, Value):  # a copy: the output's .grad must not share memory with the seed's data
        seed = np.array(seed._data) if isinstance(seed._data, np.ndarray) else seed._data
    with no_grad():
        _propagate([output], [seed], create_graph=False, accumulate=True)


def _listed_seed(output: Value, grad_outputs: Any) -> bool:
    """Is ``grad_outputs`` one output's seed given in a list, as PyTorch writes it (``[seed]``), rather
    than the seed's own numbers? A one-item list or tuple of a Value, an array or None is; so is one of
    a number when the output is a single number (a list of numbers is otherwise the seed itself)."""
    if not isinstance(grad_outputs, (list, tuple)) or len(grad_outputs) != 1:
        return False
    (item,) = grad_outputs
    if item is None or isinstance(item, (Value, np.ndarray)):
        return True
    return output.shape == () and isinstance(item, (int, float, np.number)) and not isinstance(item, bool)


def grad(
    outputs: Value | Sequence[Value],
    inputs: Value | Sequence[Value],
    grad_outputs: Any = None,
    create_graph: bool = False,
    allow_unused: bool = False,
    materialize_grads: bool = False,
) -> tuple[Value | None, ...]:
    """∂(Σ outputs · grad_outputs)/∂input for each input, returned as a tuple; ``.grad`` is untouched.

    With ``create_graph=True`` the gradients are Values in a new graph built from the same
    operations, so they can be differentiated again (second derivatives, Hessian-vector products).
    An input the outputs do not depend on raises an error, unless ``allow_unused`` (then None) or
    ``materialize_grads`` (then zeros), as in ``torch.autograd.grad``.
    """
    outs = [outputs] if isinstance(outputs, Value) else list(outputs)
    ins = [inputs] if isinstance(inputs, Value) else list(inputs)
    if not outs or not ins:
        raise ValueError("grad: outputs and inputs must not be empty")
    for out in outs:
        _check_differentiable(out, "grad")
    for i, v in enumerate(ins):
        if not isinstance(v, Value):
            raise TypeError(f"grad: inputs[{i}] is a {type(v).__name__}, not a Value")
        if not v.requires_grad:
            raise RuntimeError(
                f"grad: inputs[{i}] ({v.label or 'unlabelled'}) does not require grad, so no gradient is "
                "recorded for it; make it with requires_grad=True"
            )
    if grad_outputs is None:
        grad_outputs = [None] * len(outs)  # each (one-element) output seeded with 1: their sum is differentiated
    elif isinstance(grad_outputs, Value) or isinstance(outputs, Value) and not _listed_seed(outputs, grad_outputs):
        grad_outputs = [grad_outputs]  # one output: the seed may be an array, a number or a Value
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outs):
        raise ValueError(f"grad: {len(outs)} outputs but {len(grad_outputs)} grad_outputs")
    seeds = [_seed(out, g, "grad") for out, g in zip(outs, grad_outputs)]
    if not create_graph:
        seeds = [s._data if isinstance(s, Value) else s for s in seeds]
    mode = enable_grad() if create_graph else no_grad()
    with mode:
        found = _propagate(outs, seeds, create_graph=create_graph, accumulate=False, wanted=ins)
    results: list[Value | None] = []
    for i, v in enumerate(ins):
        g = found.get(v)
        if g is None:
            if materialize_grads:
                results.append(_leaf(as_data(np.zeros_like(np.asarray(v._data))), requires_grad=False))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: inputs[{i}] ({v.label or 'unlabelled'}) is not used to compute the outputs; "
                    "pass allow_unused=True to get None for it, or materialize_grads=True for zeros"
                )
            results.append(None)
        elif isinstance(g, Value):
            results.append(g)
        else:
            results.append(_leaf(in_form_of(v, g), requires_grad=False))
    return tuple(results)
