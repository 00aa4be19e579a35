"""Writing the tour's ``index.html``: a table of contents, then each section's blocks in order.

The page is one self-contained file with plain CSS and no script: pictures are inline SVG or PNG files
of the same folder, and nothing refers to the network (the only URLs are the SVG namespace names that
SVG elements carry, which browsers never fetch).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tinygrad_edu.files import write_text_atomically
from tinygrad_edu.tour.content import (
    Block,
    Failure,
    Frame,
    Image,
    InlineSvg,
    Links,
    Missing,
    Paragraph,
    Preformatted,
    Section,
    Table,
)

INDEX = "index.html"


@dataclass(frozen=True)
class RunInfo:
    """Facts about the run, shown under the title."""

    started: str  # date and time, human readable
    seconds: float
    versions: tuple[tuple[str, str], ...]  # (program, version or "not installed")


def write_report(folder: Path, sections: Sequence[Section], info: RunInfo) -> Path:
    """Write ``index.html`` into ``folder`` and return its path."""
    path = folder / INDEX
    write_text_atomically(path, render_page(sections, info))
    return path


def render_page(sections: Sequence[Section], info: RunInfo) -> str:
    parts = [
        HEAD,
        '<header class="title">',
        "<h1>tinygrad_edu: a tour of the lecture</h1>",
        "<p class=\"lead\">From Rosenblatt's perceptron to back-propagation, gradient descent and its "
        "improvements, and early stopping: every table and picture below was computed just now by "
        "tinygrad_edu, in the order the lecture tells the story.</p>",
        _run_info(info),
        "</header>",
        _missing_summary(sections),
        _contents(sections),
        "<main>",
        *(_section(number, section) for number, section in enumerate(sections, start=1)),
        "</main>",
        '<footer>Made by <code>tinygrad-edu tour</code>. This folder is self-contained: copy it anywhere and '
        "open index.html.</footer>",
        "</body>\n</html>\n",
    ]
    return "\n".join(parts)


def _run_info(info: RunInfo) -> str:
    versions = " · ".join(f"{html.escape(name)} {html.escape(version)}" for name, version in info.versions)
    return f'<p class="meta">Run {html.escape(info.started)} in {info.seconds:.1f} s · {versions}</p>'


def _missing_summary(sections: Sequence[Section]) -> str:
    """One box listing each missing tool once, what it would have added, and how to install it."""
    by_tool: dict[str, list[Missing]] = {}
    for section in sections:
        for missing in section.missing:
            by_tool.setdefault(missing.tool, []).append(missing)
    failed = [section.title for section in sections if section.failed]
    if not by_tool and not failed:
        return ""
    items = []
    for tool, notes in by_tool.items():
        skipped = "; ".join(dict.fromkeys(html.escape(note.skipped) for note in notes))
        items.append(
            f"<li><strong>{html.escape(tool)}</strong> is not installed, so these were left out: {skipped}. "
            f"{html.escape(notes[0].install)} Then run the tour again.</li>"
        )
    for title in failed:
        items.append(f"<li>The section <strong>{html.escape(title)}</strong> failed; its error is shown there.</li>")
    return (
        '<aside class="notice missing" id="missing"><h2>This report is incomplete</h2>'
        f"<ul>{''.join(items)}</ul>"
        "<p>Everything else is here; the skipped pictures are replaced by the same numbers in tables.</p></aside>"
    )


def _contents(sections: Sequence[Section]) -> str:
    items = "".join(
        f'<li><a href="#{section.anchor}">{html.escape(section.title)}</a></li>' for section in sections
    )
    return f'<nav class="toc"><h2>Contents</h2><ol>{items}</ol></nav>'


def _section(number: int, section: Section) -> str:
    body = "\n".join(_block(block) for block in section.blocks)
    notes = ""
    if section.warnings:
        listed = "".join(f"<li>{html.escape(text)}</li>" for text in section.warnings)
        notes = (
            f'<details class="warnings"><summary>{len(section.warnings)} warning(s) while computing this '
            f"section</summary><ul>{listed}</ul></details>"
        )
    return (
        f'<section id="{section.anchor}">\n'
        f'<h2><span class="number">{number}</span> {html.escape(section.title)}</h2>\n'
        f'<p class="slide">Lecture: {html.escape(section.lecture)} · computed in {section.seconds:.1f} s</p>\n'
        f"{body}\n{notes}\n</section>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_inline_markup(block.text)}</p>"
    if isinstance(block, Preformatted):
        wrap = ' class="wrap"' if block.wrap else ""
        pre = f"<pre{wrap}>{html.escape(block.text)}</pre>"
        if block.collapsed:
            return f'<details class="output"><summary>{_inline_markup(block.caption)}</summary>{pre}</details>'
        return _figure(pre, block.caption, "text")
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Image):
        image = f'<img src="{html.escape(block.path)}" alt="{html.escape(block.alt)}" loading="lazy">'
        return _figure(f'<a href="{html.escape(block.path)}">{image}</a>', block.caption, "picture")
    if isinstance(block, InlineSvg):
        return _figure(f'<div class="svg">{block.svg}</div>', block.caption, "picture")
    if isinstance(block, Frame):
        path = html.escape(block.path)
        frame = f'<iframe src="{path}" title="{html.escape(block.caption)}" style="height: {block.height}px"></iframe>'
        caption = f'{_inline_markup(block.caption)} <a href="{path}">Open it on its own page</a>.'
        return f'<figure class="frame">{frame}<figcaption>{caption}</figcaption></figure>'
    if isinstance(block, Links):
        items = "".join(
            f'<li><a href="{html.escape(path)}"><code>{html.escape(path)}</code></a>: {html.escape(what)}</li>'
            for path, what in block.items
        )
        return f'<div class="links">{html.escape(block.intro)}<ul>{items}</ul></div>'
    if isinstance(block, Missing):
        return (
            f'<p class="notice missing">Not shown: {html.escape(block.skipped)}, because '
            f"{html.escape(block.tool)} is not installed. {html.escape(block.install)} Then run the tour again.</p>"
        )
    if isinstance(block, Failure):
        error = html.escape(block.error)
        return f'<div class="notice failed"><strong>This section failed.</strong><pre class="wrap">{error}</pre></div>'
    raise TypeError(f"report: cannot render a block of type {type(block).__name__}")


def _figure(content: str, caption: str, kind: str) -> str:
    caption_html = f"<figcaption>{_inline_markup(caption)}</figcaption>" if caption else ""
    return f'<figure class="{kind}">{content}{caption_html}</figure>'


def _table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in table.header)
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row):
            tag = "th" if table.row_header and c == 0 else "td"
            style = ""
            if table.shade is not None and table.shade[r][c] > 0:
                style = f' style="background: rgba(34, 139, 230, {0.08 + 0.6 * table.shade[r][c]:.2f})"'
            cells.append(f"<{tag}{style}>{html.escape(cell)}</{tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _figure(
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>',
        table.caption,
        "table",
    )


def _inline_markup(text: str) -> str:
    """Escape, then turn **bold** into <strong> and `code` into <code>."""
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", escaped)


HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tinygrad_edu: a tour of the lecture</title>
<link rel="icon" href="data:,">
<style>
  :root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --soft: #f5f7fa; --accent: #1c7ed6; }
  * { box-sizing: border-box; }
  body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink);
         font: 16px/1.6 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
  h1 { font-size: 2rem; margin: 0 0 0.3rem; }
  h2 { font-size: 1.4rem; margin: 0 0 0.2rem; }
  header.title { border-bottom: 3px solid var(--accent); padding-bottom: 0.8rem; margin-bottom: 1.2rem; }
  .lead { font-size: 1.1rem; margin: 0.3rem 0; }
  .meta, .slide { color: var(--muted); font-size: 0.85rem; margin: 0.2rem 0 0.8rem; }
  nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.8rem 1.2rem;
            margin-bottom: 2rem; }
  nav.toc h2 { font-size: 1.05rem; }
  nav.toc ol { margin: 0.3rem 0 0; padding-left: 1.4rem; columns: 2; column-gap: 2rem; }
  a { color: var(--accent); }
  section { margin: 0 0 3rem; padding-top: 0.5rem; border-top: 1px solid var(--line); }
  h2 .number { display: inline-block; min-width: 1.8rem; height: 1.8rem; margin-right: 0.3rem; border-radius: 50%;
               background: var(--accent); color: #fff; font-size: 1rem; line-height: 1.8rem; text-align: center;
               vertical-align: 0.15rem; }
  code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; }
  code { background: var(--soft); padding: 0 0.25em; border-radius: 3px; font-size: 0.9em; }
  pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.8rem 1rem;
        margin: 0; overflow-x: auto; font-size: 0.82rem; line-height: 1.45; }
  pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
  figure { margin: 1.2rem 0; }
  figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 0.4rem; }
  figure.picture img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
                       border-radius: 6px; background: #fff; }
  .svg { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem; background: #fff; }
  .svg svg { max-width: 100%; height: auto; }
  iframe { width: 100%; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85rem; }
  th, td { border: 1px solid var(--line); padding: 0.25rem 0.6rem; text-align: right; white-space: nowrap; }
  thead th { background: var(--soft); text-align: center; }
  tbody th { text-align: left; font-weight: 600; background: #fbfcfd; }
  .links ul { margin: 0.2rem 0; }
  .notice { border-radius: 6px; padding: 0.7rem 1rem; margin: 1rem 0; }
  .notice.missing { background: #fff9db; border: 1px solid #fcc419; }
  .notice.failed { background: #fff5f5; border: 1px solid #fa5252; }
  .notice h2 { font-size: 1.1rem; }
  details.output { margin: 1.2rem 0; }
  details.output summary { cursor: pointer; color: var(--accent); margin-bottom: 0.4rem; }
  details.warnings { color: var(--muted); font-size: 0.85rem; }
  footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); padding-top: 0.8rem; }
  @media (max-width: 700px) { nav.toc ol { columns: 1; } }
</style>
</head>
<body>"""
