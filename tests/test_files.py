"""Atomic writes: the old file survives an error midway, no temporary file is left, permissions as open()."""

from __future__ import annotations

import os
import stat

import pytest

from tinygrad_edu.files import atomic_writer, write_text_atomically


def test_text_is_written_and_its_path_returned(tmp_path):
    path = write_text_atomically(tmp_path / "page.html", "δ = 0.138498562\n")
    assert path == tmp_path / "page.html" and path.read_text(encoding="utf-8") == "δ = 0.138498562\n"


def test_an_error_midway_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "model.json"
    write_text_atomically(path, "old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_writer(path, "w") as file:
            file.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["model.json"]


def test_permissions_are_those_open_would_give(tmp_path, umask_022):
    new = write_text_atomically(tmp_path / "new.txt", "a")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    new.chmod(0o600)
    write_text_atomically(new, "b")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600 and new.read_text() == "b"


def test_bytes_are_written_in_binary_mode_and_other_modes_refused(tmp_path):
    with atomic_writer(tmp_path / "raw.bin") as file:
        file.write(b"\x93NUMPY")
    assert (tmp_path / "raw.bin").read_bytes() == b"\x93NUMPY"
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w'"):
        with atomic_writer(tmp_path / "x", "a"):
            pass
    assert os.listdir(tmp_path) == ["raw.bin"]
