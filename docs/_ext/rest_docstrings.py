"""A griffe extension for the API reference: the package's docstrings use a little reStructuredText
(``literal``, :class:`Name`, ``.. code-block:: text`` and ``paragraph::`` literal blocks); this turns
those into the Markdown that mkdocstrings renders, before the docstrings are parsed.

Only the rendered documentation changes; the source keeps its docstrings as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj|exc):`~?([^`]+)`")
DOUBLE_BACKTICKS = re.compile(r"``(.+?)``")
CODE_BLOCK = re.compile(r"^(\s*)\.\. code-block::\s*(\w*)\s*$")


def _role(match: re.Match[str]) -> str:
    """:class:`~a.b.C` → `C`, :func:`a.f` → `a.f` (the name as code, without the ``~`` prefix)."""
    target = match.group(1)
    full = match.group(0)
    return f"`{target.rsplit('.', 1)[-1] if '`~' in full else target}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _literal_blocks(lines: list[str]) -> list[str]:
    """``.. code-block:: lang`` and ``text::`` followed by an indented block become fenced code blocks."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = CODE_BLOCK.match(line)
        opens = directive is not None or (line.rstrip().endswith("::") and not line.strip().startswith(".."))
        if not opens:
            out.append(line)
            i += 1
            continue
        base = _indent(line)
        language = (directive.group(2) if directive else "") or "text"
        if directive is None:
            text = line.rstrip()[:-2].rstrip()
            if text.strip():
                out.append(text + ":")
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        block_end = j
        while block_end < len(lines) and (not lines[block_end].strip() or _indent(lines[block_end]) > base):
            block_end += 1
        while block_end > j and not lines[block_end - 1].strip():
            block_end -= 1
        body = lines[j:block_end]
        if not body:  # a "::" with nothing indented after it: keep the line as it was
            out.append(line)
            i += 1
            continue
        strip = min(_indent(b) for b in body if b.strip())
        pad = " " * base
        out += ["", f"{pad}```{language}", *[pad + b[strip:] if b.strip() else "" for b in body], f"{pad}```", ""]
        i = block_end
    return out


def rest_to_markdown(text: str) -> str:
    """The docstring with its reStructuredText constructs written as Markdown."""
    lines = _literal_blocks(text.splitlines())
    converted: list[str] = []
    in_fence = False
    for line in lines:
        if line.strip().startswith("```"):
            in_fence = not in_fence
        if not in_fence:
            line = DOUBLE_BACKTICKS.sub(r"`\1`", ROLE.sub(_role, line))
        converted.append(line)
    return "\n".join(converted)


class RestDocstrings(griffe.Extension):
    """Rewrite each docstring once, when griffe loads the object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rest_to_markdown(obj.docstring.value)
