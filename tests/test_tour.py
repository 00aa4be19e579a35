"""The tour end to end: every artifact is made and linked, the page is self-contained, it degrades gracefully
without Graphviz's ``dot`` or matplotlib, and it opens in headless Chromium without errors or network requests.

The full tour runs once (module-scoped fixture) and the page checks share it; the runs without ``dot`` and
without matplotlib are separate (each a few seconds, since they skip the pictures).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import selftest, worked_example
from tinygrad_edu.tour import SECTIONS, run_tour

CHROMIUM = Path("/usr/bin/chromium")
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # names, never fetched

PICTURES = [  # made with matplotlib
    "figures/and_decision_line.png",
    "figures/xor_decision_line.png",
    "figures/batch_modes.png",
    "figures/optimizer_paths_rosenbrock.png",
    "figures/optimizer_paths_saddle.png",
    "figures/learning_rates.png",
    "figures/digits_learning_curves.png",
    "figures/digits_examples.png",
]
DRAWINGS = ["worked_example_graph.svg", "backward_steps.html"]  # made with Graphviz's dot
SOURCES = ["worked_example_graph.dot"]  # written in every case


class Page(HTMLParser):
    """The parts of a page the tests look at: referenced files, section ids, scripts, text."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.ids: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.references.append(values[name])
        if tag == "section" and values.get("id"):
            self.ids.append(values["id"])
        if tag == "script":
            self.scripts += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def page_text(path: Path) -> str:
    """The page's visible text with runs of white space made single spaces."""
    return re.sub(r"\s+", " ", "".join(parse(path).text))


def run(folder: Path) -> tuple[Path, list[str], float]:
    lines: list[str] = []
    started = time.perf_counter()
    index = run_tour(folder, echo=lines.append)
    return index, lines, time.perf_counter() - started


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], float]:
    return run(tmp_path_factory.mktemp("tour"))


# ---------------------------------------------------------------------------------------------- the full run
def test_tour_writes_every_artifact_and_the_page_links_each(tour: tuple[Path, list[str], float]) -> None:
    index, _, _ = tour
    folder = index.parent
    assert index.name == "index.html" and index.exists()
    references = set(parse(index).references)
    for relative in PICTURES + DRAWINGS + SOURCES:
        assert (folder / relative).stat().st_size > 0, relative
        assert relative in references, f"index.html does not link {relative}"
    html = index.read_text(encoding="utf-8")
    assert "<svg" in html, "the worked example's graph is embedded inline"
    assert not (folder / "errors.txt").exists()


def test_the_page_shows_each_result_of_the_lecture(tour: tuple[Path, list[str], float]) -> None:
    index, _, _ = tour
    text = page_text(index)
    assert "Epoch 1" in text and "converged after" in text  # the AND epoch table and its outcome
    assert "cycle: after epoch" in text  # XOR's cycle
    assert "∂E_total/∂w5 = ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5" in text  # explain(E, w5)
    assert "∂E_total/∂out_h1 is the sum over its 2 paths" in text  # explain(E, w1)
    ex = worked_example.build()
    ex.total_error.backward()
    for new in ex.updated_weights():
        assert f"{new:.9f}" in text  # the updated weights w1⁺ … w8⁺
    assert selftest.summary(selftest.check_all_operations(seed=0, second_order=True)) in text
    assert "updates per epoch" in text and "online" in text and "mini-batch" in text
    assert "too small" in text and "too large" in text and "about right" in text
    assert re.search(r"classifies \d+\.\d% correctly", text), "the digits' test accuracy"
    assert "true 9" in text, "the confusion matrix"
    assert "This report is incomplete" not in text


def test_sections_follow_the_lecture_with_a_table_of_contents(tour: tuple[Path, list[str], float]) -> None:
    index, _, _ = tour
    page = parse(index)
    assert len(page.ids) == len(SECTIONS)
    assert page.ids[0] == "perceptron-and" and page.ids[-1] == "early-stopping"
    for anchor in page.ids:
        assert f"#{anchor}" in page.references, f"the table of contents misses {anchor}"


def test_progress_is_printed_one_line_per_section_with_its_time(tour: tuple[Path, list[str], float]) -> None:
    _, lines, seconds = tour
    progress = [line for line in lines if re.match(r"\[\d+/\d+\] ", line)]
    assert len(progress) == len(SECTIONS)
    assert all(re.search(r"\d+\.\d s", line) for line in progress)
    assert lines[-1].startswith("Done in") and "index.html" in lines[-1]
    assert seconds < 120, f"the tour took {seconds:.0f} s; it must finish in under two minutes"


def test_the_page_is_self_contained(tour: tuple[Path, list[str], float]) -> None:
    index, _, _ = tour
    folder = index.parent
    for page_path in (index, folder / "backward_steps.html"):
        html = page_path.read_text(encoding="utf-8")
        urls = set(re.findall(r"""https?://[^\s"'<>)]+""", html))
        assert urls <= NAMESPACES, f"{page_path.name} names URLs: {sorted(urls - NAMESPACES)}"
        assert "<!DOCTYPE svg" not in html and "@import" not in html and "url(" not in html
    page = parse(index)
    assert page.scripts == 0, "the report itself needs no script"
    for reference in page.references:
        if reference.startswith(("#", "data:")):
            continue
        assert "://" not in reference and not reference.startswith("//"), reference
        assert (folder / reference).is_file(), f"index.html links a missing file: {reference}"


# ------------------------------------------------------------------------------------ without dot or matplotlib
def test_without_dot_the_tour_completes_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # graphviz looks `dot` up on PATH
    index, lines, _ = run(tmp_path / "report")
    folder = index.parent
    text = page_text(index)
    assert "This report is incomplete" in text and "Graphviz (dot) is not installed" in text
    assert "apt-get install graphviz" in text
    assert any("Graphviz (dot) is not installed" in line and "apt-get install graphviz" in line for line in lines)
    for relative in DRAWINGS:
        assert not (folder / relative).exists(), relative
    assert (folder / "worked_example_graph.dot").stat().st_size > 0
    assert "worked_example_graph.dot" in parse(index).references
    for relative in PICTURES:
        assert (folder / relative).exists(), relative  # matplotlib still draws
    assert "∂E_total/∂w5" in text, "explain needs no dot"


def test_without_matplotlib_the_tour_completes_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)  # `import matplotlib…` now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    index, lines, _ = run(tmp_path / "report")
    folder = index.parent
    text = page_text(index)
    assert "This report is incomplete" in text and "matplotlib is not installed" in text
    assert "pip install matplotlib" in text
    assert any("matplotlib is not installed" in line and "pip install" in line for line in lines)
    assert not list((folder / "figures").glob("*.png"))
    assert not [r for r in parse(index).references if r.endswith(".png")]
    assert "E after 400 epochs" in text and "how it ended" in text, "the numbers still show as tables"
    assert (folder / "worked_example_graph.svg").exists(), "dot still draws"


# ------------------------------------------------------------------------------------------ headless Chromium
def chromium(url: str, workdir: Path) -> tuple[str, list[dict], Path]:
    """Open ``url`` in headless Chromium: (its log, the network requests its pages made, the screenshot).

    Every host name resolves to nothing (``--host-resolver-rules``), so even a page that tried could reach no
    server. The page's requests are read from Chromium's NetLog (``--log-net-log``): each URL request the
    network stack starts is logged with its network isolation key, which for requests of a ``file://``
    page is ``file://``; the browser's own background requests have other keys and are ignored.
    """
    screenshot, netlog = workdir / "screenshot.png", workdir / "netlog.json"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={workdir / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={netlog}", "--virtual-time-budget=3000",
        f"--screenshot={screenshot}", "--window-size=1200,2000", url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr, page_requests(netlog), screenshot


def page_requests(netlog: Path) -> list[dict]:
    """URL requests started on behalf of a file:// page, from a NetLog file."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit lacks its closing brackets
        log = json.loads(text.rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        event["params"]
        for event in log["events"]
        if event["type"] == start_job and "file://" in str(event.get("params", {}).get("network_isolation_key", ""))
    ]


def console_messages(log: str) -> list[str]:
    """Lines of Chromium's log that are messages of a page's console (errors, warnings, logs) or uncaught errors."""
    return [line for line in log.splitlines() if re.search(r":CONSOLE[(:\]]", line) or "Uncaught" in line]


def png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit PNG (grey, RGB, grey+alpha or RGBA; not interlaced) into a (height, width, channels) array.

    Each row starts with its filter byte; filtered byte x at position i becomes (x + predictor) mod 256 where the
    predictor is 0 (none), the byte one pixel left (sub), the byte above (up), their mean (average), or the
    Paeth choice among left, up and upper-left. None, sub and up are done with numpy; average and Paeth
    depend on the bytes just decoded to their left, so they run byte by byte.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, chunks, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in (0, 2, 4, 6), f"unsupported PNG {header}"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, 1 + width * channels)
    image = np.zeros((height, width * channels), dtype=np.uint8)
    previous = np.zeros(width * channels, dtype=np.uint8)
    for row in range(height):
        kind, line = raw[row, 0], raw[row, 1:]
        if kind == 0:
            out = line.copy()
        elif kind == 1:
            out = (line.reshape(width, channels).astype(np.int64).cumsum(axis=0) % 256).astype(np.uint8).ravel()
        elif kind == 2:
            out = line + previous  # uint8 arithmetic wraps modulo 256
        else:
            out = _unfilter_average_or_paeth(kind, line.tolist(), previous.tolist(), channels)
        image[row], previous = out, out
    return image.reshape(height, width, channels)


def _unfilter_average_or_paeth(kind: int, line: list[int], above: list[int], channels: int) -> np.ndarray:
    out = [0] * len(line)
    for i, x in enumerate(line):
        left = out[i - channels] if i >= channels else 0
        up = above[i]
        if kind == 3:
            out[i] = (x + (left + up) // 2) & 0xFF
            continue
        upper_left = above[i - channels] if i >= channels else 0
        p = left + up - upper_left
        pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
        out[i] = (x + (left if pa <= pb and pa <= pc else up if pb <= pc else upper_left)) & 0xFF
    return np.array(out, dtype=np.uint8)


def png_summary(path: Path) -> tuple[float, int]:
    """(standard deviation of brightness, number of distinct colours) of a PNG, on every 4th row and column."""
    pixels = png_pixels(path)[::4, ::4, :3]
    brightness = pixels.mean(axis=2)
    colours = len({tuple(p) for p in pixels.reshape(-1, pixels.shape[2])})
    return float(brightness.std()), colours


@pytest.fixture(scope="module")
def chromium_available() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"headless Chromium is not installed at {CHROMIUM} (Debian: apt-get install -y chromium)")


def test_the_checks_catch_a_console_error_a_network_request_and_a_blank_page(
    chromium_available: None, tmp_path: Path
) -> None:
    """The detectors must see what they look for, or their silence below would prove nothing."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://example.com/x.css"></head>'
        '<body style="background:#fff"><script>undefined_function();</script></body></html>',
        encoding="utf-8",
    )
    log, requests, screenshot = chromium(bad.as_uri(), tmp_path)
    assert any("undefined_function" in line for line in console_messages(log))
    assert any(request.get("url") == "https://example.com/x.css" for request in requests)
    deviation, colours = png_summary(screenshot)
    assert deviation < 1.0 and colours <= 2, "a white page is blank"


def test_the_report_opens_in_headless_chromium_cleanly(
    chromium_available: None, tour: tuple[Path, list[str], float], tmp_path: Path
) -> None:
    """Console: Chromium logs every console message of a page (console.error, uncaught exceptions, ...) to stderr
    as a ``CONSOLE`` line; the report and the step-through page in its frame write none, so any such line fails.
    Network: no host name resolves, and the NetLog must hold no request made for a file:// page (see
    :func:`chromium`); the previous test shows both detectors catch a real console error and request.
    Blank: the screenshot is decoded and must vary in brightness and have many colours."""
    index, _, _ = tour
    log, requests, screenshot = chromium(index.as_uri(), tmp_path)
    assert console_messages(log) == [], "the page (or the step-through page in its frame) wrote to the console"
    assert requests == [], f"the page made network requests: {[r.get('url') for r in requests]}"
    deviation, colours = png_summary(screenshot)
    assert deviation > 10 and colours > 50, f"the screenshot looks blank (std {deviation:.1f}, {colours} colours)"


# ------------------------------------------------------------------------------------------ a failing section
class BrokenSection:
    """Stands in for a section module whose computation raises."""

    __name__ = "tinygrad_edu.tour.broken"
    TITLE = "A section that fails"

    @staticmethod
    def build(workspace: object) -> None:
        raise ValueError("something inside the section went wrong")


def test_a_failing_section_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinygrad_edu.tour import TourError, perceptron_xor, run

    monkeypatch.setattr(run, "SECTIONS", (BrokenSection, perceptron_xor))
    lines: list[str] = []
    with pytest.raises(TourError, match="1 section\\(s\\) failed \\(A section that fails\\)"):
        run_tour(tmp_path, echo=lines.append)
    text = page_text(tmp_path / "index.html")
    assert "This section failed" in text and "ValueError: something inside the section went wrong" in text
    assert "cycle: after epoch" in text, "the next section still ran"
    assert "ValueError" in (tmp_path / "errors.txt").read_text(encoding="utf-8"), "the traceback is kept"
    assert any(line.startswith("[1/2]") and line.endswith("FAILED") for line in lines)
