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
    The first time a node is on top of the stack it is *entered* and its inputs are pushed above it;
    the next time it is on top, all of its inputs are finished, so it is finished too and appended.
    """
    roots = [roots] if isinstance(roots, Value) else list(roots)
    order: list[Value] = []
    entered: set[Value] = set()
    finished: set[Value] = set()
    stack = [root for root in reversed(roots) if root.requires_grad]
    while stack:
        node = stack[-1]
        if node not in entered:
            entered.add(node)
            if node._a is None:  # a leaf
                continue
            for parent in (node._a, node._b) if node._more is None else node.parents:
                if type(parent) is Value and parent.requires_grad and parent not in entered:
                    stack.append(parent)
        else:
            stack.pop()
            if node not in finished:
                finished.add(node)
                order.append(node)
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
    changes no gradient. Read the loop as three steps per node: (1) its
    gradient g is complete; (2) gather the operation's inputs; (3) send g · ∂node/∂input to each input
    that needs it. The unrolled input handling in (2) is only there for speed: this loop runs once per
    node of every graph.
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
            op = node._op
            if op is None:  # a leaf: nothing further to send
                continue
            # (1) every consumer of this node came earlier in the reverse order: g is complete
            g = node._grad
            if g is None:
                continue
            # (2) the operation's inputs: numbers for an ordinary backward, Values to build a new graph
            attrs = node._attrs
            a, b = node._a, node._b
            if b is None:
                parents: tuple[Any, ...] = (a,)
            elif node._more is None:
                parents = (a, b)
            else:
                parents = node.parents
            y: Value | float | np.ndarray  # the node itself to build a new graph, else its numbers
            if create_graph:
                inputs, y = parents, node
            elif b is None:
                inputs, y = (a._data,), node._data  # a one-input node's input is always a Value
            elif node._more is None:
                inputs, y = (a._data if type(a) is Value else a, b._data if type(b) is Value else b), node._data
            else:
                inputs, y = tuple([p._data if type(p) is Value else p for p in parents]), node._data
            # (3) the chain rule: each input that needs a gradient receives g · ∂node/∂input
            rules, vjp_all, all_grads = op.vjp, op.vjp_all, None
            for i, parent in enumerate(parents):
                if type(parent) is not Value or not parent.requires_grad:
                    continue
                if vjp_all is None:
                    contribution = rules[i](g, y, *inputs, **attrs) if attrs else rules[i](g, y, *inputs)
                else:
                    if all_grads is None:
                        all_grads = vjp_all(g, y, *inputs, **attrs) if attrs else vjp_all(g, y, *inputs)
                    contribution = all_grads[i]
                previous = parent._grad
                if previous is None:
                    if type(contribution) is np.ndarray and parent._op is None and accumulate:
                        if _may_be_shared(contribution, g):
                            contribution = contribution.copy()  # a leaf's .grad must own its array
                    parent._grad = contribution
                else:
                    parent._grad = previous + contribution
        return _settle(order, earlier, accumulate, wanted)
    except BaseException:
        for node in order:  # leave every .grad as it was
            node._grad = earlier.get(node)
        raise
    finally:
        _PASSES_RUNNING[0] -= 1


# passes now running (a rule may call grad(), which runs a pass inside a pass; backward() may not)
_PASSES_RUNNING = [0]


def _settle(
    order: list[Value], earlier: dict[Value, Any], accumulate: bool, wanted: Sequence[Value]
) -> dict[Value, Any]:
    """End a pass: collect the ``wanted`` nodes' gradients and give every ``_grad`` slot its final
    value — the earlier gradient plus this pass's with ``accumulate``, else the earlier one, untouched.

    Every gradient is first brought to its node's form, in its slot (the only step that can fail, on a
    rule that returned the wrong shape; the caller then restores every slot); the earlier gradients are
    added only once all of them are.
    """
    wanted_set = set(wanted)
    found: dict[Value, Any] = {}
    for node in order:
        g = node._grad
        if g is None:
            continue
        if wanted_set and node in wanted_set:
            found[node] = g
        if accumulate and not (
            # right of ``or`` both are arrays; the ignore: mypy does not narrow ``type(x) is float``'s other branch
            type(g) is type(node._data)
            and (type(g) is float or g.shape == node._data.shape and g.dtype == node._data.dtype)  # type: ignore[union-attr]
        ):
            node._grad = in_form_of(node, g)
    if not accumulate:
        for node in order:
            node._grad = earlier.get(node) if earlier else None
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


def _may_be_shared(contribution: Any, g: Any) -> bool:
    """Could this array also be someone else's (g passed through, a view, read-only)?

    A leaf's ``.grad`` is changed in place by accumulation, optimizers and ``clip_grad_*``, so it must
    not alias another gradient; fresh results of arithmetic need no copy.
    """
    if type(contribution) is not np.ndarray:
        return False
    return contribution is g or contribution.base is not None or not contribution.flags.writeable


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
    elif isinstance(outputs, Value) or isinstance(grad_outputs, Value):
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
