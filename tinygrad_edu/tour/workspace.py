"""The report folder a tour writes into, and the two optional tools its pictures need.

Plots need matplotlib and graph drawings need Graphviz's ``dot``. When one is missing the picture is
replaced by a :class:`~tinygrad_edu.tour.content.Missing` notice saying what to install; the sections
show the same numbers as text, so the tour still teaches everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinygrad_edu.plotting import INSTALL_HINT as MATPLOTLIB_HINT
from tinygrad_edu.plotting import save_figure
from tinygrad_edu.tour.content import Image, InlineSvg, Missing
from tinygrad_edu.viz import GraphvizNotFound, save
from tinygrad_edu.viz.render import INSTALL_HINT as GRAPHVIZ_HINT

MATPLOTLIB = "matplotlib"
GRAPHVIZ = "Graphviz (dot)"
INSTALL = {  # full sentences: what to run
    MATPLOTLIB: "Install it with: pip install 'tinygrad_edu[plot]'   (or: pip install matplotlib)",
    GRAPHVIZ: GRAPHVIZ_HINT,
}
FIGURES = "figures"


def missing_matplotlib(skipped: str) -> Missing:
    return Missing(MATPLOTLIB, skipped, INSTALL[MATPLOTLIB])


def missing_dot(skipped: str) -> Missing:
    return Missing(GRAPHVIZ, skipped, INSTALL[GRAPHVIZ])


class Workspace:
    """The report folder: where each section saves its pictures and files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / FIGURES).mkdir(parents=True, exist_ok=True)

    def path(self, relative: str) -> Path:
        """The absolute path of a file of the report, e.g. ``figures/and_line.png``."""
        return self.root / relative

    def plot(self, name: str, draw: Callable[[], Any], caption: str, alt: str) -> Image | Missing:
        """Run ``draw`` (which returns a matplotlib figure) and save it as ``figures/<name>.png``.

        Without matplotlib the plotting functions raise ImportError: the result is then a notice.
        """
        try:
            fig = draw()
        except ImportError as err:
            if MATPLOTLIB_HINT not in str(err) and "matplotlib" not in str(err):
                raise
            return missing_matplotlib(f"the plot “{alt}”")
        relative = f"{FIGURES}/{name}.png"
        try:
            save_figure(fig, self.path(relative), dpi=110)
        finally:
            _close(fig)
        return Image(relative, caption, alt)

    def graph(self, name: str, drawing: Any, caption: str, what: str) -> tuple[InlineSvg | Missing, str]:
        """Save a Graphviz drawing of ``what`` as ``<name>.svg`` (and its DOT source ``<name>.dot``).

        Returns the SVG to place in the page, or a notice when ``dot`` is missing, and the path of the
        DOT source, which is written in both cases.
        """
        target = self.path(f"{name}.svg")
        try:
            save(drawing, target)
        except GraphvizNotFound:
            return missing_dot(f"the picture of {what} (its DOT source is saved)"), f"{name}.dot"
        return InlineSvg(inline_svg(target.read_text(encoding="utf-8")), caption), f"{name}.dot"


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone: no XML prolog, no DOCTYPE (which names a URL) and no comments."""
    body = svg[svg.index("<svg") :]
    return re.sub(r"<!--.*?-->\n?", "", body, flags=re.DOTALL)


def _close(fig: Any) -> None:
    """Free a matplotlib figure (pyplot keeps every figure it made until it is closed)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
