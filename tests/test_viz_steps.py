"""backward_steps replays backward node by node (same order, same numbers, .grad untouched); the HTML
step-through has one frame per step, in order, and requests nothing from the network; the SVG series is
numbered."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value, worked_example
from tinygrad_edu.engine import topological_order
from tinygrad_edu.viz import backward_html, backward_steps, save_backward_html, save_backward_svgs
from tinygrad_edu.viz.graph import FOCUS_FILL
from tinygrad_edu.viz.html import backward_frames
from tinygrad_edu.viz.traverse import forward_order


@pytest.fixture
def example():
    return worked_example.build()


def test_steps_follow_backward_order_and_match_its_gradients(example):
    root = example.total_error
    steps = list(backward_steps(root))
    assert [s.node for s in steps] == list(reversed(topological_order(root)))
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    assert not any(v.has_grad for v in forward_order(root))  # backward_steps leaves .grad alone
    root.backward()
    for step in steps:
        assert step.grad == step.node.grad  # the same rules in the same order: the same floats


def test_each_step_sums_consumer_grad_times_local_derivative(example):
    steps = {s.node: s for s in backward_steps(example.total_error)}
    seed = steps[example.total_error]
    assert seed.is_seed and seed.grad == 1.0 and "seed" in seed.describe()
    out_h1 = steps[example.out_h[0]]
    assert sorted(out_h1.consumer_names) == ["w5*out_h1", "w7*out_h1"]
    for item in out_h1.incoming:
        assert item.consumer_grad == steps[item.consumer].grad
        assert math.isclose(item.contribution, item.consumer_grad * item.local_derivative, rel_tol=1e-15)
    assert out_h1.grad == sum(item.contribution for item in out_h1.incoming)
    w5 = [i for i in out_h1.incoming if i.consumer.parents[0] is example.weights[4]][0]
    assert w5.local_derivative == 0.4  # ∂(w5·out_h1)/∂out_h1 = w5
    net_o1 = steps[example.net_o[0]]
    out_o1 = example.out_o[0].data
    assert net_o1.incoming[0].local_derivative == pytest.approx(out_o1 * (1 - out_o1), rel=1e-15)
    assert net_o1.describe() == "step 6: grad of net_o1 = 0.7414 × 0.1868 from out_o1 = 0.1385"


def _random_graph(data, leaves: list[Value]) -> Value:
    """A random graph over scalar and array leaves, with shared subexpressions."""
    nodes = list(leaves)
    for _ in range(data.draw(st.integers(1, 10))):
        a = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        b = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        kind = data.draw(st.sampled_from(["add", "mul", "sub", "tanh", "sigmoid", "div", "pow"]))
        node = {
            "add": lambda: a + b,
            "mul": lambda: a * b.tanh(),
            "sub": lambda: a - 0.5 * b,
            "tanh": lambda: a.tanh(),
            "sigmoid": lambda: a.sigmoid(),
            "div": lambda: a / (1.5 + b.sigmoid()),
            "pow": lambda: a.tanh() ** 2,
        }[kind]()
        nodes.append(node)
    return (nodes[-1] * nodes[data.draw(st.integers(0, len(nodes) - 1))]).sum()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_steps_agree_with_backward_on_random_graphs(data):
    values = st.floats(-2, 2, allow_nan=False)
    leaves = [
        Value(data.draw(values), label="a"),
        Value(data.draw(values), label="b"),
        Value(np.array(data.draw(st.lists(values, min_size=3, max_size=3))), label="v"),
    ]
    root = _random_graph(data, leaves)
    if not root.requires_grad:
        return
    steps = list(backward_steps(root))
    root.backward()
    for step in steps:
        np.testing.assert_allclose(step.grad, step.node.grad, rtol=1e-12, atol=1e-15)
        if step.incoming and all(i.local_derivative is not None for i in step.incoming):
            total = sum(i.consumer_grad * i.local_derivative for i in step.incoming)
            assert math.isclose(total, step.grad, rel_tol=1e-9, abs_tol=1e-12)


def test_a_non_scalar_root_needs_a_gradient():
    v = Value(np.array([1.0, 2.0]), label="v")
    out = v * v
    with pytest.raises(RuntimeError, match="gradient="):
        list(backward_steps(out))
    steps = list(backward_steps(out, gradient=np.array([1.0, 0.5])))
    np.testing.assert_array_equal(steps[-1].grad, [2.0, 2.0])  # ∂(Σ gᵢvᵢ²)/∂v = 2 g v
    with pytest.raises(ValueError, match="shape"):
        list(backward_steps(out, gradient=np.ones(3)))


def test_html_has_one_frame_per_step_in_order_and_no_network_requests(example, tmp_path):
    root = example.total_error
    steps = list(backward_steps(root))
    page = save_backward_html(root, tmp_path / "steps.html").read_text(encoding="utf-8")
    frames = re.findall(r'<div class="frame" data-caption="([^"]*)"[^>]*>(.*?)</div>', page, re.S)
    assert len(frames) == len(steps) == 37
    for step, (caption, svg) in zip(steps, frames):
        assert caption.startswith(f"step {step.index}: ")
        assert caption == step.describe().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert svg.count(f'fill="{FOCUS_FILL}"') >= 1  # the node being processed is highlighted
        # after step k, k gradients are known; the other Values (39 in all, i1 and i2 never) show "–"
        assert svg.count(">grad –<") == 39 - step.index
    w5_done = next(s.index for s in steps if s.node is example.weights[4])
    assert ">grad 0.08217<" not in frames[w5_done - 2][1] and ">grad 0.08217<" in frames[w5_done - 1][1]
    # self-contained: no URL but the SVG namespace names, no external script, style or font
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    without_namespaces = re.sub(r'xmlns(?::\w+)?="http://www\.w3\.org/[^"]*"', "", page)
    assert "http" not in without_namespaces and "<link" not in without_namespaces
    assert "<!DOCTYPE svg" not in page and "<?xml" not in page
    assert "<script src" not in page and page.count("<script>") == 1
    for control in ('id="first"', 'id="previous"', 'id="next"', 'id="last"', "ArrowRight", "ArrowLeft", "keydown"):
        assert control in page


def test_frames_hidden_except_the_first(example):
    root = example.out_h[0].sigmoid() * 2.0
    page = backward_html(root, rankdir="TB")
    frames = re.findall(r'<div class="frame"[^>]*>', page)
    assert len(frames) == len(list(backward_steps(root))) == 10
    assert "hidden" not in frames[0] and all("hidden" in f for f in frames[1:])


def test_frames_keep_one_layout(example):
    frames = backward_frames(example.total_error)

    def positions(drawing):
        lines = drawing.pipe(format="plain", encoding="utf-8").splitlines()
        return {f[1]: (float(f[2]), float(f[3])) for f in (line.split() for line in lines) if f[0] == "node"}

    first, middle, last = (positions(frames[k][1]) for k in (0, 18, -1))
    for other in (middle, last):
        assert max(math.dist(first[node], other[node]) for node in first) < 0.25  # inches: nodes stay put


def test_numbered_svg_series(example, tmp_path):
    paths = save_backward_svgs(example.total_error, tmp_path / "series", prefix="wx")
    assert [p.name for p in paths] == [f"wx_{k:03d}.svg" for k in range(1, 38)]
    for k in (1, 20, 37):
        text = paths[k - 1].read_text()
        assert "<svg" in text and f"step {k}: " in text


def test_too_many_steps_is_refused_with_a_way_out(example):
    with pytest.raises(ValueError, match="max_steps=37"):
        backward_html(example.total_error, max_steps=10)


# a minimal stand-in for the browser's DOM: just what the page's script touches
DOM_STUB = """
function element(extra) {
  return Object.assign({hidden: false, className: "", textContent: "", value: "0", on: {},
    addEventListener(type, f) { this.on[type] = f; }, getAttribute(name) { return this[name]; }}, extra);
}
const frames = CAPTIONS.map(c => element({"data-caption": c}));
const items = CAPTIONS.map(() => element({}));
const ids = {};
["counter", "caption", "slider", "first", "previous", "next", "last"].forEach(id => ids[id] = element({}));
let onKey;
global.document = {
  querySelectorAll: selector => selector === ".frame" ? frames : items,
  getElementById: id => ids[id],
  addEventListener: (type, f) => { onKey = f; },
};
const seen = [];
const shown = () => seen.push([frames.findIndex(f => !f.hidden), frames.filter(f => !f.hidden).length,
                               ids.caption.textContent, ids.counter.textContent]);
const key = k => onKey({key: k, target: null, preventDefault() {}});
"""

ACTIONS = """
shown(); ids.next.on.click(); shown(); key("ArrowRight"); shown(); key("ArrowLeft"); shown();
key("End"); shown(); key("ArrowRight"); shown(); ids.previous.on.click(); shown(); key("Home"); shown();
ids.last.on.click(); shown(); ids.first.on.click(); shown(); key("ArrowLeft"); shown();
console.log(JSON.stringify(seen));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the page's script")
def test_buttons_and_arrow_keys_step_through_the_frames(tmp_path):
    x = Value(0.5, label="x")
    page = backward_html((x * x).tanh())  # three steps
    captions = re.findall(r'<div class="frame" data-caption="([^"]*)"', page)
    script = re.search(r"<script>\n(.*?)\n</script>", page, re.S).group(1)
    program = tmp_path / "page.js"
    program.write_text(f"const CAPTIONS = {json.dumps(captions)};\n{DOM_STUB}\n{script}\n{ACTIONS}")
    result = subprocess.run(["node", str(program)], capture_output=True, text=True, timeout=30, check=True)
    visible = [index for index, count, _, _ in json.loads(result.stdout)]
    assert visible == [0, 1, 2, 1, 2, 2, 1, 0, 2, 0, 0]  # next, →, ←, End, → (stays), previous, Home, last, first
    for index, count, caption, counter in json.loads(result.stdout):
        assert count == 1 and caption == captions[index] and counter == f"Step {index + 1} of 3"
