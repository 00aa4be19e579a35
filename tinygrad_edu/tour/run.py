"""``run_tour``: run the lecture from start to end and write the report folder.

Each section is computed in turn (one line of progress each, with its time); then ``index.html`` is
written. A missing optional tool (matplotlib, Graphviz's ``dot``) only removes pictures: the tour
completes and says, on the terminal and in the page, what to install. A section that fails for any
other reason is reported in the page and the other sections still run; :class:`TourError` is raised
after the report is written.
"""

from __future__ import annotations

import importlib
import platform
import shutil
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from tinygrad_edu.tour import (
    backprop,
    batch_modes,
    early_stopping,
    gradients,
    learning_rate,
    optimizer_paths,
    perceptron_and,
    perceptron_xor,
)
from tinygrad_edu.tour.content import Failure, Missing, Section
from tinygrad_edu.tour.report import RunInfo, write_report
from tinygrad_edu.tour.workspace import Workspace


class SectionModule(Protocol):
    """What the tour needs of a section module: its ``TITLE`` and ``build(workspace) -> Section``."""

    __name__: str
    TITLE: str

    def build(self, ws: Workspace, /) -> Section: ...


# The lecture's order: the perceptron and its limit, back-propagation (the worked example, then checked
# numerically), the training loops, the optimizers, choosing η, and how long to train.
SECTIONS: tuple[SectionModule, ...] = (
    perceptron_and, perceptron_xor, backprop, gradients, batch_modes, optimizer_paths, learning_rate, early_stopping
)
ERRORS_FILE = "errors.txt"


class TourError(RuntimeError):
    """One or more sections failed; the report with the others was still written."""


def run_tour(out_dir: Path, echo: Callable[[str], None] = print) -> Path:
    """Run every section, write ``out_dir/index.html`` and return its path."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(folder)
    started, start_time = datetime.now(), time.perf_counter()
    echo(f"tinygrad_edu tour: running the lecture, writing the report to {folder}")
    sections = []
    for number, module in enumerate(SECTIONS, start=1):
        section = _run_section(module, workspace)
        sections.append(section)
        status = "FAILED" if section.failed else f"{section.seconds:5.1f} s"
        skipped = f"  ({len(section.missing)} figure(s) skipped)" if section.missing else ""
        echo(f"[{number}/{len(SECTIONS)}] {module.TITLE:<60} {status}{skipped}")
    seconds = time.perf_counter() - start_time
    info = RunInfo(started.strftime("%Y-%m-%d %H:%M"), seconds, _versions())
    index = write_report(folder, sections, info)
    for line in _install_advice(sections):
        echo(line)
    failed = [section.title for section in sections if section.failed]
    if failed:
        raise TourError(
            f"{len(failed)} section(s) failed ({'; '.join(failed)}); the rest of the report is in {index} and the "
            f"errors in {folder / ERRORS_FILE}"
        )
    echo(f"Done in {seconds:.1f} s. Open {index} in a browser.")
    return index


def _run_section(module: SectionModule, workspace: Workspace) -> Section:
    """Build one section, timing it and keeping its warnings; an error becomes a Failure block."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            section = module.build(workspace)
        except Exception as err:  # noqa: BLE001 - any failure is shown in the report, the tour goes on
            section = Section(module.__name__.rsplit(".", 1)[-1], module.TITLE, "")
            section.add(Failure(f"{type(err).__name__}: {err}"))
            with open(workspace.path(ERRORS_FILE), "a", encoding="utf-8") as log:
                log.write(f"--- {module.TITLE}\n{traceback.format_exc()}\n")
    section.warnings = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    section.seconds = time.perf_counter() - start
    return section


def _versions() -> tuple[tuple[str, str], ...]:
    from tinygrad_edu import __version__

    try:
        matplotlib_version = importlib.import_module("matplotlib").__version__
    except ImportError:
        matplotlib_version = "not installed"
    dot = "found" if shutil.which("dot") else "not found"
    return (
        ("tinygrad_edu", __version__),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("matplotlib", matplotlib_version),
        ("Graphviz dot", dot),
    )


def _install_advice(sections: list[Section]) -> list[str]:
    """One line per missing tool: what was skipped and what to install."""
    by_tool: dict[str, list[Missing]] = {}
    for section in sections:
        for missing in section.missing:
            by_tool.setdefault(missing.tool, []).append(missing)
    return [
        f"{tool} is not installed, so {len(notes)} figure(s) were skipped (the report shows the same numbers as "
        f"text and tables). {notes[0].install}"
        for tool, notes in by_tool.items()
    ]
