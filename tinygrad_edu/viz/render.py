"""Turning a drawing into a file: SVG, PNG or PDF through Graphviz's ``dot``, or the DOT source.

The drawing itself is text (the DOT language) and needs nothing installed. Making a picture needs
the ``dot`` program of Graphviz. Without it, the source is still written and the error says how to
install Graphviz and how to render the saved file by hand.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import graphviz

from tinygrad_edu.files import write_text_atomically

PICTURE_FORMATS = ("svg", "png", "pdf")
SOURCE_SUFFIXES = (".dot", ".gv")

INSTALL_HINT = (
    "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install -c conda-forge graphviz; Windows: the installer from graphviz.org) and make "
    "sure `dot` is on your PATH."
)


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is not installed, so only the DOT source could be written."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)


def missing_dot_message(source: str | os.PathLike, target: str | os.PathLike, fmt: str) -> str:
    """What went wrong, what was saved, and the two commands that fix it."""
    return (
        f"Graphviz's `dot` program was not found, so {os.fspath(target)} was not made; the graph's DOT "
        f"source is saved in {os.fspath(source)}. {INSTALL_HINT} Then render the file with:  "
        f"dot -T{fmt} {os.fspath(source)} -o {os.fspath(target)}"
    )


class GraphDrawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` (so it shows itself inline in Jupyter) that explains a missing ``dot``.

    ``render()`` works as graphviz's; if ``dot`` is missing it raises :class:`GraphvizNotFound` saying
    where the source was saved and how to install Graphviz. In Jupyter without ``dot`` the drawing
    shows as its DOT source with the same advice instead of a traceback.
    """

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            if isinstance(err, GraphvizNotFound):
                raise
            fmt = kwargs.get("format") or self.format
            outfile = kwargs.get("outfile")
            target = outfile if outfile is not None else f"{self.filepath}.{fmt}"
            raise GraphvizNotFound(missing_dot_message(self.filepath, target, fmt)) from None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": f"{INSTALL_HINT}\n\n{self.source}"}


def save(graph: graphviz.Digraph, path: str | os.PathLike, *, on_missing_dot: str = "raise") -> Path:
    """Write ``graph`` to ``path``; the suffix picks the format (.svg, .png, .pdf, or .dot/.gv source).

    A picture is made by ``dot`` from a DOT source written next to it (``net.svg`` → ``net.dot``).
    Without ``dot``: ``on_missing_dot="raise"`` raises :class:`GraphvizNotFound`, ``"warn"`` warns
    with the same advice and returns the path of the source. Returns the path written.
    """
    if on_missing_dot not in ("raise", "warn"):
        raise ValueError(f"save: on_missing_dot must be 'raise' or 'warn', got {on_missing_dot!r}")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in SOURCE_SUFFIXES:
        write_text_atomically(target, graph.source)
        return target
    fmt = suffix.lstrip(".")
    if fmt not in PICTURE_FORMATS:
        raise ValueError(
            f"save: cannot tell the format from {os.fspath(path)!r}; end the name with one of "
            f"{', '.join('.' + f for f in PICTURE_FORMATS)} for a picture, or .dot / .gv for the source"
        )
    source = target.with_suffix(".dot")
    write_text_atomically(source, graph.source)
    try:
        graphviz.render("dot", fmt, source, outfile=target, quiet=True)
    except graphviz.ExecutableNotFound:
        message = missing_dot_message(source, target, fmt)
        if on_missing_dot == "raise":
            raise GraphvizNotFound(message) from None
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        return source
    return target


def to_svg(graph: graphviz.Digraph) -> str:
    """The drawing as SVG text (made by ``dot``), ready to inline into an HTML page."""
    try:
        return graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(
            f"Graphviz's `dot` program was not found, so the drawing cannot be made into SVG. {INSTALL_HINT}"
        ) from None
