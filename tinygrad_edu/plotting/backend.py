"""matplotlib, imported on demand (it is the optional ``plot`` extra).

The user's backend is left alone: a script gets a window from ``plt.show()``, a notebook its inline
pictures, and a machine without a display falls back to matplotlib's off-screen Agg by itself.
Saving to a file works with any of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

INSTALL_HINT = "plotting needs matplotlib: pip install 'tinygrad_edu[plot]' (or pip install matplotlib)"


def pyplot() -> Any:
    """matplotlib.pyplot, or an ImportError that says what to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err
    return plt


def new_axes(ax: Any = None, figsize: tuple[float, float] = (6.0, 4.5)) -> tuple[Any, Any]:
    """(figure, axes): the given axes and its figure, or a fresh pair."""
    if ax is not None:
        return ax.figure, ax
    plt = pyplot()
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def save_figure(fig: Any, path: str | Path, dpi: int = 120) -> Path:
    """Write the figure as PNG, SVG or PDF, chosen by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ValueError(f"save_figure: use a .png, .svg or .pdf file name, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path
