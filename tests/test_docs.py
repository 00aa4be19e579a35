"""Every code block of the README and of the docs runs, and prints exactly what the page shows.

The convention (stated for readers in docs/index.md):

- a ```python block is run; if the next block (nothing but blank lines between) is a ```text block, that
  block is the output the python block must print (compared line by line, trailing spaces ignored);
- every other block (```bash, ```text on its own, ...) is shown, not run;
- a page's python blocks run in order, in one fresh namespace, in a fresh temporary working directory, so a
  later block may use what an earlier one defined, and files a block writes land in the temporary directory.

Blocks that need Graphviz's ``dot`` or matplotlib skip the rest of their page, saying so, only where that
tool is missing (CI installs both).

Run ``python tests/test_docs.py PAGE.md`` to print what each python block of a page prints now, and
``python tests/test_docs.py --write-picture`` to redraw docs/images/worked-example.svg (and its .dot).
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.util
import io
import re
import shutil
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PICTURE = DOCS / "images" / "worked-example.svg"
PICTURE_SOURCE = PICTURE.with_suffix(".dot")

QUICKSTART = [
    'pip install ".[plot]" && python -m tinygrad_edu tour',
    'pip install torch==2.13.0 && pip install -e ".[dev,oracle,plot]" && python -m pytest',
]

FENCE = re.compile(r"^(`{3,})([\w+-]*)\s*$")


# ====================================================================== reading pages
@dataclass
class Block:
    """One fenced code block: its language, its text and the line (1-based) of its opening fence."""

    language: str
    code: str
    line: int
    end: int  # the line of its closing fence


@dataclass
class Example:
    """A python block and the output it must print (None: it only has to run)."""

    code: str
    line: int
    expected: str | None


def fenced_blocks(text: str) -> list[Block]:
    """The page's fenced code blocks, in order (fences start in column 0)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        ticks, language = opening.groups()
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != ticks:
            end += 1
        if end == len(lines):
            raise ValueError(f"line {i + 1}: a ``` block is never closed")
        blocks.append(Block(language, "\n".join(lines[i + 1 : end]), i + 1, end + 1))
        i = end + 1
    return blocks


def examples(text: str) -> list[Example]:
    """The python blocks of a page, each with the ```text block right after it as its expected output."""
    blocks = fenced_blocks(text)
    lines = text.splitlines()
    found = []
    for k, block in enumerate(blocks):
        if block.language != "python":
            continue
        expected = None
        if k + 1 < len(blocks) and blocks[k + 1].language == "text":
            between = lines[block.end : blocks[k + 1].line - 1]
            if all(not line.strip() for line in between):
                expected = blocks[k + 1].code
        found.append(Example(block.code, block.line, expected))
    return found


def normalized(output: str) -> str:
    """Output as compared: trailing spaces of each line and trailing blank lines dropped."""
    return "\n".join(line.rstrip() for line in output.rstrip().splitlines())


# ====================================================================== running pages
class MissingTool(Exception):
    """A block needs Graphviz's dot or matplotlib, and it is not installed."""


def _missing_tool(err: BaseException) -> str | None:
    """Which optional tool the error comes from, if that tool is really missing here."""
    import graphviz

    if isinstance(err, graphviz.ExecutableNotFound) and shutil.which("dot") is None:
        return "Graphviz's dot"
    if isinstance(err, ImportError) and "matplotlib" in str(err) and importlib.util.find_spec("matplotlib") is None:
        return "matplotlib"
    return None


def run_page(name: str, text: str, check: bool = True) -> list[tuple[Example, str]]:
    """Run a page's python blocks in order in one namespace; with ``check``, compare each shown output.

    Returns each example with what it printed. Raises AssertionError naming the page and line of the
    first block that fails or prints something else, MissingTool when a block needs an absent tool.
    """
    namespace: dict[str, object] = {"__name__": "__docs__"}
    results = []
    for example in examples(text):
        where = f"{name}:{example.line}"
        stdout = io.StringIO()
        try:
            # padded with blank lines, so a traceback names the line of the page itself
            code = compile("\n" * example.line + example.code, name, "exec")
            with contextlib.redirect_stdout(stdout):
                exec(code, namespace)
        except Exception as err:  # noqa: BLE001 - reported with the block's place, or skipped
            tool = _missing_tool(err)
            if tool is not None:
                raise MissingTool(f"{where} needs {tool}, which is not installed") from err
            raise AssertionError(f"the code block at {where} raised:\n{traceback.format_exc()}") from err
        printed = stdout.getvalue()
        results.append((example, printed))
        if check and example.expected is not None and normalized(printed) != normalized(example.expected):
            diff = "\n".join(
                difflib.unified_diff(
                    normalized(example.expected).splitlines(),
                    normalized(printed).splitlines(),
                    "shown on the page",
                    "printed now",
                    lineterm="",
                )
            )
            raise AssertionError(f"the code block at {where} prints something else than the page shows:\n{diff}")
    return results


def pages() -> list[Path]:
    """README.md and every Markdown page of docs/ (the griffe extension's folder holds none)."""
    return [README, *sorted(DOCS.rglob("*.md"))]


# ====================================================================== the tests
@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_runs_and_prints_what_is_shown(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    try:
        run_page(str(page.relative_to(ROOT)), page.read_text(encoding="utf-8"))
    except MissingTool as missing:
        pytest.skip(str(missing))
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")


def test_tutorials_check_their_output() -> None:
    """Each tutorial shows printed output, and the docs as a whole check dozens of blocks."""
    checked = 0
    for page in DOCS.glob("*.md"):
        found = examples(page.read_text(encoding="utf-8"))
        if page.name not in ("engine.md", "datasets.md"):
            assert any(e.expected is not None for e in found), f"{page.name} shows no checked output"
        checked += sum(e.expected is not None for e in found)
    assert checked >= 40


def test_a_wrong_output_is_caught() -> None:
    page = "```python\nprint(6 * 7)\n```\n\n```text\n41\n```\n"
    with pytest.raises(AssertionError, match=r"page\.md:1 prints something else"):
        run_page("page.md", page)
    assert run_page("page.md", page.replace("41", "42"))[0][1] == "42\n"


def test_blocks_share_a_namespace_and_only_python_runs() -> None:
    page = (
        "```python\nx = 3\n```\n\ntext\n\n```text\nnot an output: prose came between\n```\n\n"
        "```bash\nexit 1\n```\n\n```python\nprint(x + 1)\n```\n```text\n4   \n\n```\n"
    )
    found = examples(page)
    assert [(e.line, e.expected) for e in found] == [(1, None), (15, "4   \n")]
    assert [printed for _, printed in run_page("page.md", page)] == ["", "4\n"]


def test_a_failing_block_names_its_line() -> None:
    with pytest.raises(AssertionError, match=r"(?s)page\.md:3 raised:.*page\.md\", line 4.*ZeroDivisionError"):
        run_page("page.md", "intro\n\n```python\n1 / 0\n```\n")


def test_an_unclosed_block_is_an_error() -> None:
    with pytest.raises(ValueError, match="line 1: a ``` block is never closed"):
        fenced_blocks("```python\nprint(1)\n")


def test_readme_quickstart_is_exactly_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [b.code.strip() for b in fenced_blocks(section) if b.language == "bash"]
    assert commands == ["\n".join(QUICKSTART)]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest" in ci
    assert "python -m mkdocs build --strict" in ci


def test_relative_links_of_the_readme_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#)([^)#\s]+)", text)
    assert "docs/images/worked-example.svg" in targets
    for target in targets:
        assert (ROOT / target).exists(), f"README.md links to {target}, which does not exist"


def test_every_docs_page_is_in_the_site_navigation() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def listed(entries: object) -> list[str]:
        if isinstance(entries, str):
            return [entries]
        if isinstance(entries, list):
            return [page for entry in entries for page in listed(entry)]
        if isinstance(entries, dict):
            return [page for value in entries.values() for page in listed(value)]
        return []

    in_nav = listed(config["nav"])
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(in_nav) == on_disk


def worked_example_drawing() -> object:
    """The README's picture: the worked example's graph after one backward pass, drawn top to bottom."""
    from tinygrad_edu import draw_graph, worked_example

    example = worked_example.build()
    example.total_error.backward()
    return draw_graph(example.total_error, rankdir="TB")


def test_the_committed_picture_is_the_current_drawing() -> None:
    """docs/images/worked-example.svg was rendered from this DOT source; if draw_graph changes, redraw it
    with ``python tests/test_docs.py --write-picture``."""
    assert PICTURE_SOURCE.read_text(encoding="utf-8") == worked_example_drawing().source
    svg = PICTURE.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "E_total" in svg


def write_picture() -> None:
    from tinygrad_edu.viz import save

    save(worked_example_drawing(), PICTURE)
    print(f"wrote {PICTURE.relative_to(ROOT)} and {PICTURE_SOURCE.relative_to(ROOT)}")


def show_outputs(path: str) -> None:
    """Print what each python block of a page prints (for writing or updating a page)."""
    import os
    import tempfile

    page = Path(path).resolve()
    text = page.read_text(encoding="utf-8")
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for example, printed in run_page(path, text, check=False):
                print(f"---- line {example.line}" + ("" if example.expected is not None else " (no output shown)"))
                print(printed, end="")
        finally:
            os.chdir(here)


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-picture"]:
        write_picture()
    else:
        for argument in sys.argv[1:]:
            show_outputs(argument)
