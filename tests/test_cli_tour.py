"""``tinygrad-edu tour``: the wiring to :func:`tinygrad_edu.tour.run_tour` (the tour itself is tested in
test_tour.py): where the report goes, progress or quiet, and a clear line when it cannot run."""

import sys
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run_cli

import tinygrad_edu.tour


@pytest.fixture
def calls(monkeypatch):
    """Replace the tour by a stand-in that records its arguments and writes an index page."""
    recorded = []

    def fake_run_tour(out_dir, echo=print):
        recorded.append((out_dir, echo))
        echo("section 1 of 1: a stand-in")
        out_dir.mkdir(parents=True, exist_ok=True)
        index = out_dir / "index.html"
        index.write_text("<html></html>", encoding="utf-8")
        return index

    monkeypatch.setattr(tinygrad_edu.tour, "run_tour", fake_run_tour)
    return recorded


def test_default_folder_and_progress(capsys, calls, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_cli(capsys, "tour")
    assert run.status == 0 and run.err == ""
    [(out_dir, echo)] = calls
    assert out_dir == Path("tinygrad-edu-tour") and echo is print
    assert run.out == "section 1 of 1: a stand-in\n"  # the tour's own progress says where the report is
    assert (tmp_path / "tinygrad-edu-tour" / "index.html").exists()


def test_out_and_quiet(capsys, calls, tmp_path):
    target = tmp_path / "report"
    run = run_cli(capsys, "tour", "--out", str(target), "--quiet")
    assert run.status == 0
    assert calls[0][0] == target
    assert run.out.splitlines() == [f"The tour's report is ready: open {(target / 'index.html').resolve().as_uri()}"]


def test_out_must_be_a_folder(capsys, calls, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(run_cli(capsys, "tour", "--out", str(blocker)), "exists and is not a folder", status=1)
    assert calls == []


def test_missing_tour_module_is_one_line(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tinygrad_edu.tour", None)  # as if the package had no tour
    assert_one_line_error(run_cli(capsys, "tour"), "the tour is not part of this installation", status=1)


def test_an_error_inside_the_tour_is_one_line(capsys, monkeypatch, tmp_path):
    def broken(out_dir, echo=print):
        raise ValueError("section 3 failed")

    monkeypatch.setattr(tinygrad_edu.tour, "run_tour", broken)
    run = run_cli(capsys, "tour", "--out", str(tmp_path), "--quiet")
    assert_one_line_error(run, "section 3 failed", "ValueError", status=1)


def test_the_real_tour_runs_quietly_into_a_folder(capsys, tmp_path):
    target = tmp_path / "report"
    run = run_cli(capsys, "tour", "--out", str(target), "--quiet")
    assert run.status == 0, run.err
    index = target / "index.html"
    assert run.out == f"The tour's report is ready: open {index.resolve().as_uri()}\n"
    assert "<html" in index.read_text(encoding="utf-8").lower()


def test_a_failed_section_is_one_line_after_the_report_is_written(capsys, monkeypatch, tmp_path):
    from tinygrad_edu.tour import TourError

    def one_section_fails(out_dir, echo=print):
        (out_dir / "index.html").parent.mkdir(parents=True, exist_ok=True)
        (out_dir / "index.html").write_text("<html></html>", encoding="utf-8")
        raise TourError("1 section failed (optimizer paths); the report holds the others\ndetails: errors.txt")

    monkeypatch.setattr(tinygrad_edu.tour, "run_tour", one_section_fails)
    run = run_cli(capsys, "tour", "--out", str(tmp_path / "r"))
    assert_one_line_error(run, "1 section failed (optimizer paths)", status=1)
    assert "details" not in run.err and (tmp_path / "r" / "index.html").exists()
