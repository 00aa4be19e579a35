"""micrograd programs run unchanged on tinygrad_edu's Value and print the same numbers.

Each program below is written once, against whichever ``Value`` class it is handed, using only
micrograd's scalar API (``Value(2.0)``, ``.data``, ``.grad``, ``.relu()``, ``**``, ``.backward()``,
``p.grad = 0``, ``p.data += ...``). It runs on micrograd 0.1.0 itself and on tinygrad_edu; the numbers
must agree.
"""

from __future__ import annotations

import random

import pytest

from tinygrad_edu import Value

micrograd_engine = pytest.importorskip("micrograd.engine", reason="micrograd==0.1.0 is not installed")
MicrogradValue = micrograd_engine.Value


def readme_expression(Value):  # noqa: N803  (the class is the parameter: the program is unchanged)
    """micrograd README's expression chain; its README prints g = 24.7041, ∂g/∂a = 138.8338,
    ∂g/∂b = 645.5773."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return {"g": g.data, "a.grad": a.grad, "b.grad": b.grad, "printed": f"{g.data:.4f} {a.grad:.4f} {b.grad:.4f}"}


def every_operator(Value):  # noqa: N803
    """Each operator micrograd has, with numbers on both sides, and relu on both sides of zero."""
    x = Value(1.5)
    y = Value(-0.5)
    terms = [x + y, 2 + x, x - 3, 3 - y, -x, x * y, 4 * y, x / y, 1 / x, x**3, y**-2, (x * y).relu(), (x - y).relu()]
    total = sum(terms)
    out = total * total
    out.backward()
    return {"out": out.data, "x.grad": x.grad, "y.grad": y.grad, "terms": [t.data for t in terms]}


def train_tiny_network(Value, steps=15):  # noqa: N803
    """A 3-4-1 relu network fitted to four points by plain gradient descent, micrograd style."""
    rng = random.Random(0)
    inputs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    targets = [1.0, -1.0, -1.0, 1.0]
    hidden = [([Value(rng.uniform(-1, 1)) for _ in range(3)], Value(0.0)) for _ in range(4)]
    output = ([Value(rng.uniform(-1, 1)) for _ in range(4)], Value(0.0))
    parameters = [p for w, b in hidden + [output] for p in w + [b]]
    losses = []
    for _ in range(steps):
        predictions = []
        for x in inputs:
            h = [sum((wi * xi for wi, xi in zip(w, x)), b).relu() for w, b in hidden]
            predictions.append(sum((wi * hi for wi, hi in zip(output[0], h)), output[1]))
        loss = sum((p - t) ** 2 for p, t in zip(predictions, targets))
        for p in parameters:
            p.grad = 0
        loss.backward()
        for p in parameters:
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    return {"losses": losses, "parameters": [p.data for p in parameters]}


PROGRAMS = [readme_expression, every_operator, train_tiny_network]


def assert_same_numbers(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key in ours:
        if isinstance(ours[key], str):
            assert ours[key] == theirs[key], key
        else:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-12, abs=1e-12), key


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_program_gives_micrograds_numbers(program):
    assert_same_numbers(program(Value), program(MicrogradValue))


def test_readme_numbers_as_printed():
    assert readme_expression(Value)["printed"] == "24.7041 138.8338 645.5773"


def test_the_tiny_network_learns():
    losses = train_tiny_network(Value, steps=15)["losses"]
    assert losses[-1] < 0.5 * losses[0]


def test_scalar_values_behave_like_micrograds():
    a = Value(2.0)
    b = a.relu() * a**2
    b.backward()
    assert isinstance(a.data, float) and isinstance(a.grad, float)
    assert a.grad == 12.0  # d(a³)/da at 2
    assert repr(a).startswith("Value(data=2, grad=12")  # micrograd's repr shape
