"""Saving a graph drawing from the command line: the picture, or its DOT source and a hint when
Graphviz's ``dot`` is missing (a warning, not an error: the source is still useful)."""

from __future__ import annotations

import sys
from pathlib import Path

from tinygrad_edu.viz import GraphvizNotFound, save
from tinygrad_edu.viz.render import GraphDrawing

PROG = "tinygrad-edu"


def save_drawing(drawing: GraphDrawing, path: Path) -> Path:
    """Write ``drawing`` to ``path`` (format from the suffix); print where it went; return the file written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = save(drawing, path)
    except GraphvizNotFound as missing:
        warn(str(missing))
        return path.with_suffix(".dot")
    print(f"\nwrote {written}")
    return written


def warn(message: str) -> None:
    """One ``tinygrad-edu: warning: …`` line on stderr."""
    print(f"{PROG}: warning: {' '.join(message.split())}", file=sys.stderr)
