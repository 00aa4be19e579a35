"""The backward pass as a page to step through, and as a numbered series of SVG pictures.

One frame per backward step, in the order backward visits the nodes. Each frame is the graph drawn by
``dot`` with the gradients known so far; the node being processed is filled yellow and the edges its
gradient arrives along are drawn thick; gradient cells keep a fixed width, so nodes stay put from frame
to frame. The page is one self-contained file: the SVG frames are inline, the script is plain
JavaScript in the page, nothing is fetched from the network. Keys: → / ← (or the buttons) step,
Home / End jump to the first / last step."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tinygrad_edu.engine import Value
from tinygrad_edu.files import write_text_atomically
from tinygrad_edu.viz.graph import draw_graph
from tinygrad_edu.viz.render import GraphDrawing, to_svg
from tinygrad_edu.viz.steps import BackwardStep, backward_steps

MAX_STEPS = 300  # each frame is a run of dot; a bigger graph needs an explicit max_steps


def backward_frames(
    root: Value, *, gradient: Any = None, digits: int = 4, max_steps: int = MAX_STEPS, **draw_options: Any
) -> list[tuple[BackwardStep, GraphDrawing]]:
    """Each backward step with its drawing: gradients known so far, the processed node in focus."""
    steps = list(backward_steps(root, gradient))
    if len(steps) > max_steps:
        raise ValueError(
            f"the backward pass of this graph has {len(steps)} steps, more than max_steps={max_steps}; "
            f"each step is drawn by a run of dot, so pass max_steps={len(steps)} to draw them all anyway"
        )
    draw_options.setdefault("edge_derivatives", True)
    draw_options.setdefault("backward_numbers", True)
    known: dict[Value, Any] = {}
    frames = []
    for step in steps:
        known[step.node] = step.grad
        drawing = draw_graph(root, grads=dict(known), focus=step.node, digits=digits, **draw_options)
        frames.append((step, drawing))
    return frames


def backward_html(
    root: Value,
    *,
    gradient: Any = None,
    title: str = "The backward pass, step by step",
    digits: int = 4,
    max_steps: int = MAX_STEPS,
    **draw_options: Any,
) -> str:
    """A self-contained HTML page stepping through ``root``'s backward pass, one frame per step."""
    frames = backward_frames(root, gradient=gradient, digits=digits, max_steps=max_steps, **draw_options)
    svgs = _render_all(drawing for _, drawing in frames)
    captions = [step.describe(digits) for step, _ in frames]
    frame_html = "\n".join(
        f'<div class="frame" data-caption="{html.escape(caption)}"{"" if k == 0 else " hidden"}>{_inline(svg, k)}</div>'
        for k, (caption, svg) in enumerate(zip(captions, svgs))
    )
    step_list = "\n".join(f"<li>{html.escape(caption)}</li>" for caption in captions)
    return PAGE.format(
        title=html.escape(title),
        count=len(frames),
        last=len(frames) - 1,
        frames=frame_html,
        steps=step_list,
        script=SCRIPT,
    )


def save_backward_html(root: Value, path: str | os.PathLike, **options: Any) -> Path:
    """Write :func:`backward_html` to ``path`` and return the path."""
    target = Path(path)
    write_text_atomically(target, backward_html(root, **options))
    return target


def save_backward_svgs(
    root: Value, directory: str | os.PathLike, *, prefix: str = "backward_step", digits: int = 4, **options: Any
) -> list[Path]:
    """Write one SVG per backward step, ``prefix_001.svg`` …, each titled with what the step does."""
    frames = backward_frames(root, digits=digits, **options)
    for step, drawing in frames:
        drawing.attr(label=step.describe(digits), labelloc="t", fontsize="13")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames))))
    paths = []
    for k, svg in enumerate(_render_all(drawing for _, drawing in frames), 1):
        path = folder / f"{prefix}_{k:0{width}d}.svg"
        write_text_atomically(path, svg)
        paths.append(path)
    return paths


def _render_all(drawings: Iterable[GraphDrawing]) -> list[str]:
    """SVG text of each drawing; dot runs as a subprocess, so two run side by side."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(to_svg, drawings))


def _inline(svg: str, frame: int) -> str:
    """The ``<svg>`` element alone (no XML prolog or DOCTYPE, which names a URL), with ids made unique
    per frame so the frames can share one page."""
    body = svg[svg.index("<svg") :]
    return re.sub(r'\bid="', f'id="f{frame}_', body)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #212529; }}
  .controls {{ display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; }}
  .controls button {{ font-size: 1em; padding: 0.2em 0.7em; }}
  #slider {{ width: 20em; }}
  #caption {{ margin: 0.7em 0; font-size: 1.05em; min-height: 1.4em; }}
  .frames {{ overflow: auto; border: 1px solid #dee2e6; padding: 0.5em; }}
  .frame svg {{ max-width: none; }}
  #steps {{ font-size: 0.9em; color: #495057; }}
  #steps li {{ cursor: pointer; }}
  #steps li.current {{ color: #000; font-weight: bold; background: #fff3bf; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Each step completes one node's gradient: the sum, over the nodes that use it, of their gradient times the
local derivative (the number on the edge). Use the buttons or the arrow keys (Home / End jump to the ends).</p>
<div class="controls">
  <button id="first" title="first step (Home)">&#x25C0;&#x25C0;</button>
  <button id="previous" title="previous step (&#x2190;)">&#x25C0;</button>
  <button id="next" title="next step (&#x2192;)">&#x25B6;</button>
  <button id="last" title="last step (End)">&#x25B6;&#x25B6;</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <span id="counter">Step 1 of {count}</span>
</div>
<div id="caption"></div>
<div class="frames">
{frames}
</div>
<h2>All steps</h2>
<ol id="steps">
{steps}
</ol>
<script>
{script}
</script>
</body>
</html>
"""

SCRIPT = """(function () {
  "use strict";
  var frames = Array.prototype.slice.call(document.querySelectorAll(".frame"));
  var items = Array.prototype.slice.call(document.querySelectorAll("#steps li"));
  var counter = document.getElementById("counter");
  var caption = document.getElementById("caption");
  var slider = document.getElementById("slider");
  var current = 0;

  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    frames.forEach(function (frame, i) { frame.hidden = i !== current; });
    items.forEach(function (item, i) { item.className = i === current ? "current" : ""; });
    counter.textContent = "Step " + (current + 1) + " of " + frames.length;
    caption.textContent = frames[current].getAttribute("data-caption");
    slider.value = String(current);
  }

  document.getElementById("first").addEventListener("click", function () { show(0); });
  document.getElementById("previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("last").addEventListener("click", function () { show(frames.length - 1); });
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  items.forEach(function (item, i) { item.addEventListener("click", function () { show(i); }); });
  document.addEventListener("keydown", function (event) {
    var moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (event.target === slider) { return; }
    if (event.key in moves) { show(current + moves[event.key]); }
    else if (event.key === "Home") { show(0); }
    else if (event.key === "End") { show(frames.length - 1); }
    else { return; }
    event.preventDefault();
  });
  show(0);
})();"""
