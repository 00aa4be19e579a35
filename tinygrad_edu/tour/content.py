"""What a tour section is made of: paragraphs, monospace text, tables, figures and notices.

Each section module builds a :class:`Section` from these blocks; :mod:`tinygrad_edu.tour.report` turns
them into HTML. The blocks hold plain text (escaped when written) and paths relative to the report folder,
so a section never writes HTML itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """A short explanation. ``**bold**`` and ``code`` in backquotes are the only markup."""

    text: str


@dataclass(frozen=True)
class Preformatted:
    """Program output or a text table, shown in a monospace box with a caption."""

    text: str
    caption: str = ""
    wrap: bool = False  # long lines of prose-like output wrap; tables keep their columns and scroll
    collapsed: bool = False  # long output: shown folded, the caption opens it


@dataclass(frozen=True)
class Table:
    """A small table; ``shade[r][c]`` in [0, 1] tints a cell (0 = none), as a heat map does."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    shade: tuple[tuple[float, ...], ...] | None = None
    row_header: bool = False  # the first cell of each row is a label


@dataclass(frozen=True)
class Image:
    """A picture file in the report folder (PNG or SVG), shown with ``<img>``."""

    path: str  # relative to the report folder, with forward slashes
    caption: str
    alt: str


@dataclass(frozen=True)
class InlineSvg:
    """An SVG drawing placed into the page itself (its ``<svg>`` element, without XML prolog or DOCTYPE)."""

    svg: str
    caption: str


@dataclass(frozen=True)
class Frame:
    """Another page of the report folder, embedded in the page (with a link to open it on its own)."""

    path: str
    caption: str
    height: int = 620


@dataclass(frozen=True)
class Links:
    """Links to files of the report folder: (relative path, what it is)."""

    items: tuple[tuple[str, str], ...]
    intro: str = "Files:"


@dataclass(frozen=True)
class Missing:
    """A part of the tour skipped because a program or package is not installed, and how to get it."""

    tool: str  # "matplotlib" or "Graphviz (dot)"
    skipped: str  # what could not be made, in a few words
    install: str  # what to run


@dataclass(frozen=True)
class Failure:
    """A section that raised an error: the report still shows the others."""

    error: str


Block = Paragraph | Preformatted | Table | Image | InlineSvg | Frame | Links | Missing | Failure


@dataclass
class Section:
    """One part of the lecture: an anchor, a title, the slide it follows, and its blocks in reading order."""

    anchor: str
    title: str
    lecture: str  # the lecture slide(s) this section follows
    blocks: list[Block] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # warnings raised while it ran, shown in small print

    def add(self, *blocks: Block | None) -> None:
        """Append the blocks in order; None (a picture that could not be made) is skipped."""
        self.blocks.extend(block for block in blocks if block is not None)

    @property
    def missing(self) -> list[Missing]:
        return [block for block in self.blocks if isinstance(block, Missing)]

    @property
    def failed(self) -> bool:
        return any(isinstance(block, Failure) for block in self.blocks)
